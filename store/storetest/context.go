package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/sarhad/sarhad"
)

// storeCall is one call of every Store method that reads the viewer, with arguments that would find
// data in the relationship fixture.
type storeCall struct {
	name string
	call func(ctx context.Context, s sarhad.Store) error
}

func storeCalls(f *relFixture) []storeCall {
	fresh := person("ctx new", "Nadir Magsi", fia(sarhad.TLPClear))
	return []storeCall{
		{"Entities", func(ctx context.Context, s sarhad.Store) error {
			_, err := s.Entities(ctx, []string{f.a.ID})
			return err
		}},
		{"ListEntities", func(ctx context.Context, s sarhad.Store) error {
			_, err := s.ListEntities(ctx, sarhad.ListQuery{Kind: sarhad.KindPerson, Page: sarhad.Page{First: 10}})
			return err
		}},
		{"MatchNames", func(ctx context.Context, s sarhad.Store) error {
			_, err := s.MatchNames(ctx, nameQuery("Aslam Jatoi"))
			return err
		}},
		{"CountNames", func(ctx context.Context, s sarhad.Store) error {
			_, err := s.CountNames(ctx, nameQuery("Aslam Jatoi"))
			return err
		}},
		{"Relationships", func(ctx context.Context, s sarhad.Store) error {
			_, err := s.Relationships(ctx, sarhad.RelationshipQuery{Anchors: []string{f.a.ID}, Direction: sarhad.DirBoth})
			return err
		}},
		{"RelationshipsByID", func(ctx context.Context, s sarhad.Store) error {
			_, err := s.RelationshipsByID(ctx, []string{f.rels["r1"].ID})
			return err
		}},
		{"ApplyPut", func(ctx context.Context, s sarhad.Store) error {
			_, err := s.Apply(ctx, &sarhad.ChangeSet{Put: []sarhad.Entity{fresh}})
			return err
		}},
		{"ApplyLink", func(ctx context.Context, s sarhad.Store) error {
			_, err := s.Apply(ctx, &sarhad.ChangeSet{Link: []*sarhad.Relationship{
				link("ctx link", sarhad.RelAssociateOf, f.c.ID, f.b.ID, fia(sarhad.TLPClear))}})
			return err
		}},
		{"ApplyUnlink", func(ctx context.Context, s sarhad.Store) error {
			_, err := s.Apply(ctx, &sarhad.ChangeSet{Unlink: []string{f.rels["r2"].ID}})
			return err
		}},
	}
}

func testContext(t *testing.T, h *harness) {
	f := newRelFixture()
	s := h.store(t)
	f.load(t, s)

	// untouched checks that the calls wrote nothing.
	untouched := func(t *testing.T) {
		t.Helper()
		ctx := asSystem(t.Context())
		es, err := s.Entities(ctx, []string{sarhad.StableID(sarhad.KindPerson, "ctx new")})
		if err != nil || es[0] != nil {
			t.Errorf("a failed Apply wrote an entity: %v, %v", entityIDs(es), err)
		}
		rs, err := s.RelationshipsByID(ctx, []string{relID("ctx link"), f.rels["r2"].ID})
		if err != nil || rs[0] != nil || rs[1] == nil {
			t.Errorf("a failed Apply changed relationships: %v, %v", relationshipIDs(rs), err)
		}
	}

	for _, tc := range []struct {
		name string
		ctx  context.Context
	}{
		{"NoViewer", t.Context()},
		{"NilViewer", sarhad.NewContext(t.Context(), nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, c := range storeCalls(f) {
				err := c.call(tc.ctx, s)
				if code := sarhad.ErrorCode(err); code != sarhad.EUNAUTHENTICATED {
					t.Errorf("%s: error %v (code %q), want %s", c.name, err, code, sarhad.EUNAUTHENTICATED)
				}
			}
			untouched(t)
		})
	}

	t.Run("PingNeedsNoViewer", func(t *testing.T) {
		// Readiness probes ask without a viewer.
		if err := s.Ping(t.Context()); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})

	t.Run("Cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(asSystem(t.Context()))
		cancel()
		for _, c := range storeCalls(f) {
			err := c.call(ctx, s)
			if err == nil {
				t.Errorf("%s with a cancelled context succeeded", c.name)
			} else if !errors.Is(err, context.Canceled) {
				t.Errorf("%s with a cancelled context: %v, want an error wrapping context.Canceled", c.name, err)
			}
		}
		if err := s.Ping(ctx); err == nil {
			t.Errorf("Ping with a cancelled context succeeded")
		}
		untouched(t)
	})
}

// testConcurrency runs writers and readers at once: every write lands, no call fails (run with
// -race to check the store's own synchronisation).
func testConcurrency(t *testing.T, h *harness) {
	s := h.store(t)
	const writers, writes = 4, 10
	ctx := asSystem(t.Context())
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range writes {
				p := person(fmt.Sprintf("concurrent %d-%d", w, i), fmt.Sprintf("Writer %d Person %d", w, i), fia(sarhad.TLPClear))
				if _, err := s.Apply(ctx, &sarhad.ChangeSet{Put: []sarhad.Entity{p}}); err != nil {
					t.Errorf("writer %d: Apply: %v", w, err)
					return
				}
			}
		})
	}
	for r := range 2 {
		wg.Go(func() {
			for range writes {
				if _, err := s.ListEntities(ctx, sarhad.ListQuery{Kind: sarhad.KindPerson, Page: sarhad.Page{First: 5}}); err != nil {
					t.Errorf("reader %d: ListEntities: %v", r, err)
					return
				}
				if _, err := s.MatchNames(ctx, nameQuery("Writer")); err != nil {
					t.Errorf("reader %d: MatchNames: %v", r, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if page := allOfKind(t, ctx, s, sarhad.KindPerson); page.TotalCount != writers*writes {
		t.Errorf("TotalCount after concurrent writes = %d, want %d", page.TotalCount, writers*writes)
	}
}
