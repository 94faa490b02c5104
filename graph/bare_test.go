package graph_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/sarhad/sarhad"
)

// bareStore records the Bare of the relationship reads it passes on.
type bareStore struct {
	sarhad.Store
	mu   sync.Mutex
	bare []bool
}

func (b *bareStore) note(q sarhad.RelationshipQuery) {
	b.mu.Lock()
	b.bare = append(b.bare, q.Bare)
	b.mu.Unlock()
}

func (b *bareStore) Relationships(ctx context.Context, q sarhad.RelationshipQuery) ([]*sarhad.Relationship, error) {
	b.note(q)
	return b.Store.Relationships(ctx, q)
}

func (b *bareStore) Neighbours(ctx context.Context, q sarhad.RelationshipQuery) ([]*sarhad.Relationship, []sarhad.Entity, error) {
	b.note(q)
	return b.Store.Neighbours(ctx, q)
}

// Neighbourhood walks level by level through b, so that each level's read is noted.
func (b *bareStore) Neighbourhood(ctx context.Context, q sarhad.NeighbourhoodQuery) (*sarhad.Subgraph, error) {
	return sarhad.NeighbourhoodByLevels(ctx, b, q)
}

func (b *bareStore) reset() []bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.bare
	b.bare = nil
	return out
}

// A neighbourhood or path whose edges are asked for their ids, types, ends and handling only reads
// them bare; one that asks for anything else of them (directly or through a fragment) reads them
// whole, and gets their properties and stamps.
func TestBareEdgesOnlyWhenAskedForNoMore(t *testing.T) {
	e := newEnv(t)
	bs := &bareStore{Store: e.store}
	e.useStore(bs)
	a := e.create(&sarhad.Person{Name: "Bare Centre"}, nil)
	b := e.create(&sarhad.Person{Name: "Bare Friend"}, nil)
	c := e.create(&sarhad.Person{Name: "Bare Cousin"}, nil)
	e.link(sarhad.RelAssociateOf, a, b, sarhad.RelationProps{Weight: 4, Note: "called nightly"})
	e.link(sarhad.RelFamilyOf, b, c, sarhad.RelationProps{Role: "cousin"})

	type edge struct {
		ID, Type, FromID, ToID, Note, Role, CreatedBy string
		Weight                                        *float64
		Handling                                      struct{ TLP string }
	}
	// ask asks for the edges of the neighbourhood of a, or of the path from a to c.
	ask := func(path bool, selection, fragments string) []edge {
		t.Helper()
		var out struct {
			Neighbourhood struct{ Edges []edge }
			ShortestPaths []struct{ Edges []edge }
		}
		query, vars := `query($a: ID!) { neighbourhood(id: $a, depth: 2)`, map[string]any{"a": a}
		if path {
			query, vars = `query($a: ID!, $c: ID!) { shortestPaths(from: $a, to: $c)`, map[string]any{"a": a, "c": c}
		}
		e.mustDo(investigator, query+` { nodes { id } edges { `+selection+` } } }`+fragments, vars, &out)
		edges := out.Neighbourhood.Edges
		if path && len(out.ShortestPaths) == 1 {
			edges = out.ShortestPaths[0].Edges
		}
		if len(edges) != 2 {
			t.Fatalf("%s: %d edges, want 2", selection, len(edges))
		}
		return edges
	}
	calls := func(selection string, want bool) {
		t.Helper()
		got := bs.reset()
		if len(got) == 0 || slices.Contains(got, !want) {
			t.Errorf("%s: the store's relationship reads had Bare %v, want every one %v", selection, got, want)
		}
	}

	for _, path := range []bool{false, true} {
		const lean = `id type fromId toId from { id } to { id } handling { tlp } __typename`
		bare := ask(path, lean, "")
		calls(lean, true)
		for sel, fragments := range map[string]string{
			`id type fromId toId weight note role createdBy handling { tlp }`: "",
			`id type fromId toId ...more`:                                     `fragment more on Relationship { weight note role createdBy handling { tlp } }`,
		} {
			whole := ask(path, sel, fragments)
			calls(sel, false)
			for i, w := range whole {
				if w.ID != bare[i].ID || w.Type != bare[i].Type || w.FromID != bare[i].FromID || w.ToID != bare[i].ToID ||
					w.Handling != bare[i].Handling {
					t.Errorf("%s: edge %d is %+v, bare %+v", sel, i, w, bare[i])
				}
				if w.CreatedBy == "" || w.Weight == nil && w.Role == "" {
					t.Errorf("%s: edge %d came without its properties or stamps: %+v", sel, i, w)
				}
			}
		}
	}
}
