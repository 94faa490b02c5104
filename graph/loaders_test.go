package graph

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/sarhad/sarhad"
)

// gatedStore answers Neighbours with one relationship per anchor; its first call waits for gate
// and then fails.
type gatedStore struct {
	sarhad.Store
	gate  chan struct{}
	mu    sync.Mutex
	calls int
}

func (s *gatedStore) Neighbours(ctx context.Context, q sarhad.RelationshipQuery) ([]*sarhad.Relationship, []sarhad.Entity, error) {
	s.mu.Lock()
	s.calls++
	first := s.calls == 1
	s.mu.Unlock()
	if first {
		<-s.gate
		return nil, nil, errors.New("the first call failed")
	}
	var rels []*sarhad.Relationship
	for _, a := range q.Anchors {
		rels = append(rels, &sarhad.Relationship{Meta: sarhad.Meta{ID: "rel-" + a}, Type: sarhad.RelPartyTo, From: "per-" + a, To: a})
	}
	return rels, nil, nil
}

// NeighboursThen answers with two calls of Neighbours, so that both levels go through the gate.
func (s *gatedStore) NeighboursThen(ctx context.Context, q sarhad.ThenQuery) (*sarhad.Hops, error) {
	return sarhad.NeighboursTwice(ctx, s, q)
}

// TestFieldWaitingForAFailedReadAheadReadsItself: a field that waits for a read ahead of it
// (prefetch) that fails reads its relationships itself, rather than fail.
func TestFieldWaitingForAFailedReadAheadReadsItself(t *testing.T) {
	st := &gatedStore{gate: make(chan struct{})}
	l := NewLoaders(st, DefaultBatchWait)
	ctx := sarhad.NewContext(context.Background(), sarhad.SystemViewer())
	key := newRelKey("cas-1", sarhad.DirIn, []sarhad.RelationType{sarhad.RelPartyTo})
	l.prefetch(ctx, []ahead{{key: key}}) // claims the key at once: the field below waits for this read

	// The field's context tells when the field waits for the read (it asks for Done then).
	waiting := &doneProbe{Context: ctx, asked: make(chan struct{})}
	got := make(chan error, 1)
	go func() {
		rels, err := l.relatedNow(waiting, key)
		if err == nil && (len(rels) != 1 || rels[0].ID != "rel-cas-1") {
			err = errors.New("not the relationship of the key")
		}
		got <- err
	}()
	<-waiting.asked
	close(st.gate)
	if err := <-got; err != nil {
		t.Errorf("the field: %v, want its relationship", err)
	}
	if st.calls != 2 {
		t.Errorf("%d store calls, want 2 (the read ahead, the field's own)", st.calls)
	}
}

// doneProbe closes asked the first time Done is called.
type doneProbe struct {
	context.Context
	once  sync.Once
	asked chan struct{}
}

func (c *doneProbe) Done() <-chan struct{} {
	c.once.Do(func() { close(c.asked) })
	return c.Context.Done()
}
