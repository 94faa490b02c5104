package sarhad_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/analysis"
	"golang.org/x/sync/semaphore"
)

// memStore is an in-memory Store of persons and relationships with no access policy: what it holds
// is what the viewer may see. It answers the read questions analytics asks and counts them.
type memStore struct {
	sarhad.Store // the methods analytics never calls
	persons      map[string]*sarhad.Person
	rels         []*sarhad.Relationship // ordered by id

	mu    sync.Mutex
	calls map[string]int
}

func (m *memStore) count(method string) {
	m.mu.Lock()
	m.calls[method]++
	m.mu.Unlock()
}

// person adds a person named key, with an id drawn from it, and returns the id.
func (m *memStore) person(key string) string {
	id := sarhad.StableID(sarhad.KindPerson, key)
	m.persons[id] = &sarhad.Person{Meta: sarhad.Meta{ID: id, Kind: sarhad.KindPerson}, Name: key}
	return id
}

// tie adds a relationship of type t from a to b, with an id drawn from them; the caller sorts
// m.rels once it has added them all.
func (m *memStore) tie(a, b string, t sarhad.RelationType) {
	m.rels = append(m.rels, &sarhad.Relationship{Meta: sarhad.Meta{ID: sarhad.StableID("", a+b)}, Type: t, From: a, To: b})
}

func (m *memStore) Entities(_ context.Context, ids []string) ([]sarhad.Entity, error) {
	m.count("Entities")
	out := make([]sarhad.Entity, len(ids))
	for i, id := range ids {
		if p := m.persons[id]; p != nil {
			out[i] = p
		}
	}
	return out, nil
}

func (m *memStore) ListEntities(_ context.Context, q sarhad.ListQuery) (*sarhad.EntityPage, error) {
	m.count("ListEntities")
	var ids []string
	for id := range m.persons {
		if id > q.Page.After {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	page := &sarhad.EntityPage{TotalCount: len(m.persons), HasNextPage: len(ids) > q.Page.First}
	for _, id := range ids[:min(len(ids), q.Page.First)] {
		page.Entities = append(page.Entities, m.persons[id])
	}
	return page, nil
}

func (m *memStore) Relationships(ctx context.Context, q sarhad.RelationshipQuery) ([]*sarhad.Relationship, error) {
	m.count("Relationships")
	return m.relationships(ctx, q)
}

func (m *memStore) relationships(ctx context.Context, q sarhad.RelationshipQuery) ([]*sarhad.Relationship, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out, met []*sarhad.Relationship
	for _, r := range m.rels {
		if len(q.Types) > 0 && !slices.Contains(q.Types, r.Type) ||
			q.Among && !(slices.Contains(q.Anchors, r.From) && slices.Contains(q.Anchors, r.To)) {
			continue
		}
		fromAnchor := q.Direction != sarhad.DirIn && slices.Contains(q.Anchors, r.From)
		toAnchor := q.Direction != sarhad.DirOut && slices.Contains(q.Anchors, r.To)
		if fromAnchor || toAnchor {
			out = append(out, r)
		}
		if fromAnchor && slices.Contains(q.Meet, r.To) || toAnchor && slices.Contains(q.Meet, r.From) {
			met = append(met, r)
		}
	}
	if len(met) > 0 {
		m.count("met")
		return met, nil
	}
	return out, nil
}

func (m *memStore) Neighbours(ctx context.Context, q sarhad.RelationshipQuery) ([]*sarhad.Relationship, []sarhad.Entity, error) {
	m.count("Neighbours")
	rels, err := m.relationships(ctx, q)
	var ends []sarhad.Entity
	seen := map[string]bool{}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			ends = append(ends, m.persons[id])
		}
	}
	for _, r := range rels {
		if q.Direction != sarhad.DirIn && slices.Contains(q.Anchors, r.From) {
			add(r.To)
		}
		if q.Direction != sarhad.DirOut && slices.Contains(q.Anchors, r.To) {
			add(r.From)
		}
	}
	return rels, ends, err
}

// Neighbourhood walks one level per call of m, as the embedded store does.
func (m *memStore) Neighbourhood(ctx context.Context, q sarhad.NeighbourhoodQuery) (*sarhad.Subgraph, error) {
	return sarhad.NeighbourhoodByLevels(ctx, m, q)
}

// randomNetwork returns a store of n persons tied by about m relationships of two types (parallel
// ties and both directions included), and the service over it.
func randomNetwork(seed uint64, n, m int) (*memStore, *sarhad.Service, []string) {
	rnd := rand.New(rand.NewPCG(seed, 1))
	st := &memStore{persons: map[string]*sarhad.Person{}, calls: map[string]int{}}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = sarhad.StableID(sarhad.KindPerson, fmt.Sprint(seed, "/", i))
		st.persons[ids[i]] = &sarhad.Person{Meta: sarhad.Meta{ID: ids[i], Kind: sarhad.KindPerson}, Name: fmt.Sprint("P", i)}
	}
	for i := range m {
		a, b := ids[rnd.IntN(n)], ids[rnd.IntN(n)]
		if a == b {
			continue
		}
		typ := sarhad.RelAssociateOf
		if rnd.IntN(3) == 0 {
			typ = sarhad.RelPaid
		}
		st.rels = append(st.rels, &sarhad.Relationship{Meta: sarhad.Meta{ID: sarhad.StableID("", fmt.Sprint(seed, "/", i))}, Type: typ, From: a, To: b})
	}
	slices.SortFunc(st.rels, func(a, b *sarhad.Relationship) int { return cmp.Compare(a.ID, b.ID) })
	return st, &sarhad.Service{Store: st}, ids
}

var analystCtx = sarhad.NewContext(context.Background(), &sarhad.Viewer{Subject: "an", Roles: []sarhad.Role{sarhad.RoleAnalyst}, Country: "PAK", Org: "FIA"})

func ties(rels []*sarhad.Relationship, types ...sarhad.RelationType) [][2]string {
	var out [][2]string
	for _, r := range rels {
		if len(types) == 0 || slices.Contains(types, r.Type) {
			out = append(out, [2]string{r.From, r.To})
		}
	}
	return out
}

func entityIDs(es []sarhad.Entity) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.EntityMeta().ID
	}
	return out
}

// TestShortestPathsEqualGonumsOnRandomNetworks: the bidirectional search finds exactly the shortest
// paths gonum's all-pairs search finds, in the same order, with the smallest-id relationship on each
// hop, and none when they are longer than maxLength.
func TestShortestPathsEqualGonumsOnRandomNetworks(t *testing.T) {
	for seed := range uint64(12) {
		n, m := 30+int(seed)*5, 40+int(seed)*12
		st, svc, ids := randomNetwork(seed, n, m)
		for _, types := range [][]sarhad.RelationType{nil, {sarhad.RelAssociateOf}} {
			g := analysis.NewGraph(ids, ties(st.rels, types...))
			rnd := rand.New(rand.NewPCG(seed, 2))
			for range 15 {
				from, to := ids[rnd.IntN(n)], ids[rnd.IntN(n)]
				want := g.ShortestPaths(from, to)
				got, err := svc.ShortestPaths(analystCtx, sarhad.PathQuery{From: from, To: to, MaxLength: sarhad.MaxPathLength, Types: types, All: true})
				if err != nil {
					t.Fatal(err)
				}
				if len(want) > 0 && len(want[0])-1 > sarhad.MaxPathLength {
					want = nil
				}
				want = want[:min(len(want), sarhad.MaxShortestPaths)]
				gotSeqs := make([][]string, len(got))
				for i, p := range got {
					gotSeqs[i] = entityIDs(p.Nodes)
					if p.Length != len(p.Nodes)-1 || len(p.Edges) != p.Length {
						t.Fatalf("path of length %d with %d nodes and %d edges", p.Length, len(p.Nodes), len(p.Edges))
					}
					for j, e := range p.Edges {
						a, b := gotSeqs[i][j], gotSeqs[i][j+1]
						if smallest := smallestTie(st.rels, a, b, types); e.ID != smallest {
							t.Errorf("hop %s–%s shows %s, want the smallest id %s", a, b, e.ID, smallest)
						}
					}
				}
				if !slices.EqualFunc(gotSeqs, want, slices.Equal) {
					t.Fatalf("seed %d types %v %s→%s: got %d paths %v, gonum %d %v", seed, types, from, to, len(gotSeqs), gotSeqs, len(want), want)
				}
				if len(want) == 0 || len(want[0]) < 3 {
					continue
				}
				// One hop short of the shortest length finds nothing; all: false finds the first.
				short, err := svc.ShortestPaths(analystCtx, sarhad.PathQuery{From: from, To: to, MaxLength: len(want[0]) - 2, Types: types})
				if err != nil || len(short) != 0 {
					t.Errorf("maxLength below the distance: %d paths, %v", len(short), err)
				}
				first, err := svc.ShortestPaths(analystCtx, sarhad.PathQuery{From: from, To: to, MaxLength: len(want[0]) - 1, Types: types})
				if err != nil || len(first) != 1 || !slices.Equal(entityIDs(first[0].Nodes), want[0]) {
					t.Errorf("all: false: %v, %v; want %v", first, err, want[0])
				}
			}
		}
	}
}

func smallestTie(rels []*sarhad.Relationship, a, b string, types []sarhad.RelationType) string {
	for _, r := range rels { // ordered by id
		if (r.From == a && r.To == b || r.From == b && r.To == a) && (len(types) == 0 || slices.Contains(types, r.Type)) {
			return r.ID
		}
	}
	return ""
}

// TestNeighbourhoodEqualsBreadthFirstReference: without a limit, the neighbourhood is every entity
// within depth hops and every tie among them, in one store call per level (plus one); with a limit,
// it is cut to that many entities, nearer first, and says so.
func TestNeighbourhoodEqualsBreadthFirstReference(t *testing.T) {
	for seed := range uint64(5) {
		st, svc, ids := randomNetwork(seed, 60, 90)
		g := analysis.NewGraph(ids, ties(st.rels))
		centre := ids[0]
		// Reference: distances by the shortest paths gonum finds.
		distance := map[string]int{}
		for _, id := range ids {
			if ps := g.ShortestPaths(centre, id); len(ps) > 0 {
				distance[id] = len(ps[0]) - 1
			}
		}
		for depth := 1; depth <= sarhad.MaxNeighbourhoodDepth; depth++ {
			dist := map[string]int{}
			for id, d := range distance {
				if d <= depth {
					dist[id] = d
				}
			}
			want := slices.Collect(func(yield func(string) bool) {
				for id := range dist {
					if !yield(id) {
						return
					}
				}
			})
			slices.SortFunc(want, func(a, b string) int { return cmp.Or(cmp.Compare(dist[a], dist[b]), cmp.Compare(a, b)) })
			var wantEdges []string
			for _, r := range st.rels {
				_, a := dist[r.From]
				_, b := dist[r.To]
				if a && b {
					wantEdges = append(wantEdges, r.ID)
				}
			}
			st.calls = map[string]int{}
			sg, err := svc.ExpandNeighbourhood(analystCtx, sarhad.NeighbourhoodQuery{ID: centre, Depth: depth, Limit: sarhad.MaxNeighbourhoodLimit})
			if err != nil {
				t.Fatal(err)
			}
			if got := entityIDs(sg.Nodes); !slices.Equal(got, want) || sg.Truncated {
				t.Fatalf("seed %d depth %d: nodes %v (truncated %v), want %v", seed, depth, got, sg.Truncated, want)
			}
			var gotEdges []string
			for _, r := range sg.Edges {
				gotEdges = append(gotEdges, r.ID)
			}
			if !slices.Equal(gotEdges, wantEdges) {
				t.Errorf("seed %d depth %d: %d edges, want %d", seed, depth, len(gotEdges), len(wantEdges))
			}
			if c := st.calls["Relationships"] + st.calls["Neighbours"]; c > depth+1 || st.calls["Entities"] > 1 {
				t.Errorf("depth %d: %d calls for relationships and %d for entities, want at most %d and 1",
					depth, c, st.calls["Entities"], depth+1)
			}
			// Limits: the first `limit` entities of the walk, nearest first.
			for _, limit := range []int{1, 2, len(want) / 2, len(want) - 1, len(want), len(want) + 1} {
				if limit < 1 {
					continue
				}
				cut, err := svc.ExpandNeighbourhood(analystCtx, sarhad.NeighbourhoodQuery{ID: centre, Depth: depth, Limit: limit})
				if err != nil {
					t.Fatal(err)
				}
				got := entityIDs(cut.Nodes)
				if len(got) != min(limit, len(want)) || cut.Truncated != (limit < len(want)) {
					t.Fatalf("limit %d of %d: %d nodes, truncated %v", limit, len(want), len(got), cut.Truncated)
				}
				for i := 1; i < len(got); i++ {
					if dist[got[i]] < dist[got[i-1]] {
						t.Fatalf("limit %d: %s (distance %d) after %s (%d)", limit, got[i], dist[got[i]], got[i-1], dist[got[i-1]])
					}
				}
				// Every entity left out is at least as far as every entity kept.
				kept := map[string]bool{}
				for _, id := range got {
					kept[id] = true
				}
				for _, id := range want {
					if !kept[id] && dist[id] < dist[got[len(got)-1]] {
						t.Errorf("limit %d: %s at distance %d left out, %s at %d kept", limit, id, dist[id], got[len(got)-1], dist[got[len(got)-1]])
					}
				}
				for _, r := range cut.Edges {
					if !kept[r.From] || !kept[r.To] {
						t.Errorf("limit %d: edge %s leaves the subgraph", limit, r.ID)
					}
				}
				// Every tie among the entities kept is there, however the limit cut the walk.
				var among []string
				for _, r := range st.rels {
					if kept[r.From] && kept[r.To] {
						among = append(among, r.ID)
					}
				}
				var gotEdges []string
				for _, r := range cut.Edges {
					gotEdges = append(gotEdges, r.ID)
				}
				if !slices.Equal(gotEdges, among) {
					t.Errorf("limit %d: %d edges, want the %d among the entities kept", limit, len(gotEdges), len(among))
				}
			}
		}
	}
}

func TestAnalyticsStopWhenTheRequestIsCancelled(t *testing.T) {
	_, svc, ids := randomNetwork(1, 200, 600)
	ctx, cancel := context.WithCancel(analystCtx)
	cancel()
	if _, err := svc.ExpandNeighbourhood(ctx, sarhad.NeighbourhoodQuery{ID: ids[0], Depth: 4, Limit: 5000}); !errors.Is(err, context.Canceled) {
		t.Errorf("neighbourhood: %v", err)
	}
	if _, err := svc.ShortestPaths(ctx, sarhad.PathQuery{From: ids[0], To: ids[1], MaxLength: 8, All: true}); !errors.Is(err, context.Canceled) {
		t.Errorf("shortest paths: %v", err)
	}
	if _, err := svc.KeyPlayers(ctx, sarhad.NetworkQuery{}, sarhad.CentralityBetweenness, 10); !errors.Is(err, context.Canceled) {
		t.Errorf("key players: %v", err)
	}
	if _, err := svc.Communities(ctx, sarhad.NetworkQuery{}, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("communities: %v", err)
	}
}

func TestKeyPlayersAndCommunitiesUseTheWholeVisibleNetwork(t *testing.T) {
	// More persons than one page of ListEntities, to show that every page is read.
	st, svc, ids := randomNetwork(7, sarhad.MaxPageSize+150, 900)
	g := analysis.NewGraph(ids, ties(st.rels))
	want := g.PageRank()
	got, err := svc.KeyPlayers(analystCtx, sarhad.NetworkQuery{}, sarhad.CentralityPageRank, sarhad.MaxPageSize)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != sarhad.MaxPageSize {
		t.Fatalf("%d ranked", len(got))
	}
	for i, r := range got {
		id := r.Entity.EntityMeta().ID
		if r.Rank != i+1 || math.Abs(r.Score-want[id]) >= sarhad.ScoreTolerance {
			t.Fatalf("rank %d: %s %v, gonum %v", r.Rank, id, r.Score, want[id])
		}
		if i > 0 && (got[i-1].Score < r.Score || got[i-1].Score == r.Score && got[i-1].Entity.EntityMeta().ID > id) {
			t.Fatalf("rank %d out of order", r.Rank)
		}
	}
	// The ranking is the same from run to run, although PageRank's scores are not bit for bit.
	for range 20 {
		again, err := svc.KeyPlayers(analystCtx, sarhad.NetworkQuery{}, sarhad.CentralityPageRank, sarhad.MaxPageSize)
		if err != nil {
			t.Fatal(err)
		}
		for i := range again {
			if again[i].Entity.EntityMeta().ID != got[i].Entity.EntityMeta().ID || math.Abs(again[i].Score-got[i].Score) > 1e-10 {
				t.Fatalf("rank %d: %s %v, earlier %s %v", i+1, again[i].Entity.EntityMeta().ID, again[i].Score, got[i].Entity.EntityMeta().ID, got[i].Score)
			}
		}
	}
	comms, q := g.Communities(1, sarhad.CommunitySeed)
	gotComms, err := svc.Communities(analystCtx, sarhad.NetworkQuery{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(gotComms) != len(comms) {
		t.Fatalf("%d communities, want %d", len(gotComms), len(comms))
	}
	for i, c := range gotComms {
		if c.ID != i+1 || c.Size != len(comms[i]) || math.Abs(c.Modularity-q) > 1e-12 || !slices.Equal(entityIDs(c.Members), comms[i]) {
			t.Errorf("community %d: %+v, want %v (Q %v)", i+1, c, comms[i], q)
		}
	}
	// Above the bound, the question is refused rather than answered slowly.
	_, big, _ := randomNetwork(8, sarhad.MaxNetworkEntities+1, 10)
	if _, err := big.KeyPlayers(analystCtx, sarhad.NetworkQuery{}, sarhad.CentralityDegree, 10); sarhad.ErrorCode(err) != sarhad.ECOMPLEXITY {
		t.Errorf("network over the bound: %v", err)
	}
}

// TestPathSearchIsBounded: a hub with more recruits than MaxPathSearchEntities on the way between
// two persons stops the search with COMPLEXITY_LIMIT_EXCEEDED instead of walking on.
func TestPathSearchIsBounded(t *testing.T) {
	st := &memStore{persons: map[string]*sarhad.Person{}, calls: map[string]int{}}
	person := st.person
	tie := func(a, b string) { st.tie(a, b, sarhad.RelRecruited) }
	from, hub := person("from"), person("hub")
	tie(from, hub)
	for i := range sarhad.MaxPathSearchEntities + 1 {
		tie(hub, person(fmt.Sprint("recruit ", i)))
	}
	// The other end lies at the end of a long chain, so the search keeps expanding from both sides.
	to := person("to")
	prev := to
	for i := range 6 {
		next := person(fmt.Sprint("chain ", i))
		tie(prev, next)
		prev = next
	}
	slices.SortFunc(st.rels, func(a, b *sarhad.Relationship) int { return cmp.Compare(a.ID, b.ID) })
	svc := &sarhad.Service{Store: st}
	_, err := svc.ShortestPaths(analystCtx, sarhad.PathQuery{From: from, To: to, MaxLength: sarhad.MaxPathLength})
	if sarhad.ErrorCode(err) != sarhad.ECOMPLEXITY {
		t.Errorf("search through a hub of %d: %v", sarhad.MaxPathSearchEntities+1, err)
	}
	// A shorter search that never reaches the hub's recruits answers normally.
	paths, err := svc.ShortestPaths(analystCtx, sarhad.PathQuery{From: from, To: hub, MaxLength: 1})
	if err != nil || len(paths) != 1 || paths[0].Length != 1 {
		t.Errorf("from to hub: %v, %v", paths, err)
	}
}

// TestPathSearchReadsTheMeetingTiesOfAHub: the step at which the two sides of a search meet reads
// the ties that meet, not every tie of a hub in its frontier; and the first level of both sides
// takes one call, which shows the ends visible.
func TestPathSearchReadsTheMeetingTiesOfAHub(t *testing.T) {
	st := &memStore{persons: map[string]*sarhad.Person{}, calls: map[string]int{}}
	person := st.person
	tie := func(a, b string) { st.tie(a, b, sarhad.RelAssociateOf) }
	// from – middle – hub – to, and the hub tied to 500 others: the forward side reaches the hub
	// at its second step, and meets the other side at its third.
	from, middle, hub, to := person("from"), person("middle"), person("hub"), person("to")
	tie(from, middle)
	tie(middle, hub)
	tie(hub, to)
	for i := range 500 {
		tie(hub, person(fmt.Sprint("associate ", i)))
	}
	slices.SortFunc(st.rels, func(a, b *sarhad.Relationship) int { return cmp.Compare(a.ID, b.ID) })
	svc := &sarhad.Service{Store: st}
	paths, err := svc.ShortestPaths(analystCtx, sarhad.PathQuery{From: from, To: to, MaxLength: sarhad.MaxPathLength})
	if err != nil || len(paths) != 1 {
		t.Fatalf("paths %v, %v; want one", paths, err)
	}
	var got []string
	for _, n := range paths[0].Nodes {
		got = append(got, n.EntityMeta().ID)
	}
	if !slices.Equal(got, []string{from, middle, hub, to}) {
		t.Fatalf("path through %v, want from, middle, hub, to", got)
	}
	// Both first levels in one call, the middle's ties, the hub's meeting tie; then the path's
	// entities.
	if st.calls["Relationships"] != 3 || st.calls["met"] != 1 || st.calls["Entities"] != 1 {
		t.Errorf("calls %v, want 3 of Relationships (one of them meeting) and 1 of Entities", st.calls)
	}
}

func TestAggregatesWaitTheirTurn(t *testing.T) {
	_, svc, ids := randomNetwork(7, 50, 120)
	svc.Aggregates = semaphore.NewWeighted(1)
	whole := sarhad.NetworkQuery{} // the network of every person: an aggregate question
	// While another aggregate holds the only turn, the question waits, until its deadline; so
	// does a shortest path search, which can read thousands of ties around a hub.
	if err := svc.Aggregates.Acquire(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(analystCtx, 50*time.Millisecond)
	defer cancel()
	if _, err := svc.KeyPlayers(ctx, whole, sarhad.CentralityDegree, 5); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("with the turn taken: %v, want the deadline", err)
	}
	path := sarhad.PathQuery{From: ids[0], To: ids[1], MaxLength: 4}
	ctx, cancel = context.WithTimeout(analystCtx, 50*time.Millisecond)
	defer cancel()
	if _, err := svc.ShortestPaths(ctx, path); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("shortest paths with the turn taken: %v, want the deadline", err)
	}
	svc.Aggregates.Release(1)
	if _, err := svc.ShortestPaths(analystCtx, path); err != nil {
		t.Fatalf("shortest paths with a turn free: %v", err)
	}
	got, err := svc.KeyPlayers(analystCtx, whole, sarhad.CentralityDegree, 5)
	if err != nil || len(got) != 5 {
		t.Fatalf("with a turn free: %d players, %v", len(got), err)
	}
	if !svc.Aggregates.TryAcquire(1) {
		t.Fatal("the question kept its turn")
	}
}
