package sarhad

import (
	"cmp"
	"context"
	"maps"
	"math"
	"slices"

	"github.com/sarhad/sarhad/analysis"
)

// Analytics answers questions about the shape of the network — who is near whom, how two people are
// connected, who holds a network together, which groups it falls into — over the part of the graph
// the viewer may see. It only uses the Store's questions, whose queries apply the access policy, so
// a hidden entity or relationship is never returned, counted, or used as a hop. Every walk is
// bounded (hops, entities) and stops when the request's context is done.

// Bounds and defaults of the analytics questions.
const (
	DefaultNeighbourhoodDepth = 1
	MaxNeighbourhoodDepth     = 4
	DefaultNeighbourhoodLimit = 500
	MaxNeighbourhoodLimit     = 5000

	DefaultPathLength = 6
	MaxPathLength     = 8
	// MaxShortestPaths is the most paths ShortestPaths returns with All.
	MaxShortestPaths = 100
	// MaxPathSearchEntities bounds the entities one path search may reach from both ends together.
	MaxPathSearchEntities = 20000

	DefaultKeyPlayers = 10
	// MaxNetworkEntities bounds the networks of KeyPlayers and Communities: betweenness and closeness
	// cost O(n·m) time and closeness O(n²) memory.
	MaxNetworkEntities = 1000
	DefaultResolution  = 1.0
	MaxResolution      = 100.0

	// CommunitySeed seeds Louvain, so the same network always gives the same communities.
	CommunitySeed = 42

	// ScoreTolerance: centrality scores closer than this to the highest of a run count as equal.
	// gonum's PageRank starts from a random vector and its summations follow map order, so the same
	// network gives scores that differ by up to about 1e-11 (betweenness by 1e-15) from run to run;
	// treating them as ties keeps rankings deterministic.
	ScoreTolerance = 1e-9
)

// PersonTieTypes are the relationship types that tie persons (and organisations acting as persons)
// to each other: the default network of KeyPlayers and Communities. Membership of the same
// organisation is not a tie.
var PersonTieTypes = []RelationType{RelAssociateOf, RelFamilyOf, RelRecruited, RelSmuggled, RelTrafficked, RelPaid}

// Subgraph is a set of entities and the relationships among them.
type Subgraph struct {
	Nodes     []Entity
	Edges     []*Relationship
	Truncated bool // a limit stopped the walk before it was complete
}

// Path is a path between two entities: Nodes in order, Edges[i] joining Nodes[i] and Nodes[i+1].
type Path struct {
	Length int
	Nodes  []Entity
	Edges  []*Relationship
}

// CentralityMeasure names a centrality measure (see package analysis for the normalisations).
type CentralityMeasure string

// Centrality measures.
const (
	CentralityDegree      CentralityMeasure = "DEGREE"
	CentralityBetweenness CentralityMeasure = "BETWEENNESS"
	CentralityCloseness   CentralityMeasure = "CLOSENESS"
	CentralityPageRank    CentralityMeasure = "PAGERANK"
)

// RankedEntity is an entity with its score and its position (from 1) in a ranking.
type RankedEntity struct {
	Rank   int
	Entity Entity
	Score  float64
}

// Community is one community of a partition, with the modularity of the whole partition.
type Community struct {
	ID         int
	Size       int
	Members    []Entity
	Modularity float64
}

// NeighbourhoodQuery asks for the entities within Depth hops of ID.
type NeighbourhoodQuery struct {
	ID    string
	Depth int
	Types []RelationType // empty: every type
	Kinds []EntityKind   // empty: every kind
	Limit int            // most entities, the centre included
	// BareEdges: the caller reads of each edge its id, type, ends and handling only; the edges
	// may come without the rest (RelationshipQuery.Bare).
	BareEdges bool
}

// PathQuery asks for the shortest paths between two entities.
type PathQuery struct {
	From, To  string
	MaxLength int
	Types     []RelationType // empty: every type
	All       bool
	// BareEdges: the caller reads of each edge its id, type, ends and handling only; the edges
	// may come without the rest (RelationshipQuery.Bare).
	BareEdges bool
}

// NetworkQuery selects the network KeyPlayers and Communities analyse: the members and leaders of
// an organisation, the parties to a case, or every visible person when Scope is empty; tied by
// relationships of Types (PersonTieTypes when empty).
type NetworkQuery struct {
	Scope string
	Types []RelationType
}

// ExpandNeighbourhood returns the entities within q.Depth hops of q.ID and every visible relationship
// of q.Types among them, as NeighbourhoodByLevels walks them, in one store call
// (Store.Neighbourhood). NOT_FOUND when the centre is missing or hidden, BAD_USER_INPUT for
// arguments out of range.
func (s *Service) ExpandNeighbourhood(ctx context.Context, q NeighbourhoodQuery) (*Subgraph, error) {
	if _, err := s.viewer(ctx, false); err != nil {
		return nil, err
	}
	switch {
	case q.Depth < 1 || q.Depth > MaxNeighbourhoodDepth:
		return nil, Invalid("depth", "must be between 1 and %d", MaxNeighbourhoodDepth)
	case q.Limit < 1 || q.Limit > MaxNeighbourhoodLimit:
		return nil, Invalid("limit", "must be between 1 and %d", MaxNeighbourhoodLimit)
	}
	if err := checkRelationTypes(q.Types); err != nil {
		return nil, err
	}
	for i, k := range q.Kinds {
		if !k.Valid() {
			return nil, Invalid("kinds", "kinds[%d] is not an entity kind", i)
		}
	}
	if _, err := KindOfID(q.ID); err != nil {
		return nil, Invalid("id", "%s", ErrorMessage(err))
	}
	if q.Depth > 1 {
		// A walk through hubs reads every tie of a level before the limit applies.
		release, err := s.aggregate(ctx)
		if err != nil {
			return nil, err
		}
		defer release()
	}
	sg, err := s.Store.Neighbourhood(ctx, q)
	if err != nil {
		return nil, err
	}
	if sg == nil {
		return nil, Errorf(ENOTFOUND, "no node %s", q.ID)
	}
	return sg, nil
}

// NeighbourhoodByLevels answers a neighbourhood query (arguments in range) as Store.Neighbourhood
// must: the entities within q.Depth hops of q.ID and every visible relationship of q.Types among
// them, nil when the centre is missing or hidden. The walk goes breadth first with one store call
// per level; entities not of q.Kinds are neither included nor walked through (the centre always
// is); the entities come with the relationships that reach them (Store.Neighbours). At each level
// the new entities are taken in the order of the first relationship (by id) that reaches each.
// When q.Limit entities are reached it includes no more and sets Truncated, and the next call asks
// only for the ties among the entities of the last level included. Nodes are ordered by distance
// then id, edges by id. For a store to which a round trip costs nothing, and as the reference of
// what Store.Neighbourhood returns.
func NeighbourhoodByLevels(ctx context.Context, st Store, q NeighbourhoodQuery) (*Subgraph, error) {
	found, err := st.Entities(ctx, []string{q.ID})
	if err != nil {
		return nil, err
	}
	centre := found[0]
	if centre == nil {
		return nil, nil
	}
	admitted := func(id string) bool {
		k, err := KindOfID(id)
		return err == nil && (len(q.Kinds) == 0 || slices.Contains(q.Kinds, k))
	}

	dist := map[string]int{q.ID: 0}
	reached := map[string]Entity{q.ID: centre} // every entity within the depth, as read with its tie
	edges := map[string]*Relationship{}
	truncated := false
	// Pass `level` asks for the relationships of the entities at distance level-1 and adds the new
	// entities they reach at distance level. Every included entity is an anchor of exactly one pass,
	// so every relationship among included entities is seen; the pass after the last level (or after
	// the limit is reached) only collects the relationships among the entities of that level.
	frontier := []string{q.ID}
	for level := 1; len(frontier) > 0; level++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// Once the limit is reached no entity can be added, so this pass is the last: the ties
		// within the frontier, as after the last level. Asking for every tie of the frontier with
		// its far ends would read ends that are then left out: around a hub, thousands of them.
		grow := level <= q.Depth && !truncated
		var rels []*Relationship
		var ends []Entity
		var err error
		rq := RelationshipQuery{Anchors: frontier, Direction: DirBoth, Types: q.Types, Bare: q.BareEdges}
		if grow {
			// The entities this pass can add, and one more to tell that the walk is truncated.
			rq.Ends, rq.Known, rq.Kinds = q.Limit-len(dist)+1, slices.Sorted(maps.Keys(dist)), q.Kinds
			rels, ends, err = st.Neighbours(ctx, rq)
		} else {
			rq.Among = true // the ties within the frontier: those to earlier levels are in
			rels, err = st.Relationships(ctx, rq)
		}
		if err != nil {
			return nil, err
		}
		for _, e := range ends {
			if _, in := reached[e.EntityMeta().ID]; !in {
				reached[e.EntityMeta().ID] = e
			}
		}
		var next []string
		for _, r := range rels {
			for _, end := range [2]string{r.From, r.To} {
				if _, in := dist[end]; in || !grow || !admitted(end) {
					continue
				}
				if len(dist) >= q.Limit {
					truncated = true
					continue
				}
				dist[end] = level
				next = append(next, end)
			}
			_, from := dist[r.From]
			_, to := dist[r.To]
			if from && to {
				edges[r.ID] = r
			}
		}
		if !grow {
			break
		}
		frontier = next
	}

	ids := make([]string, 0, len(dist))
	for id := range dist {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int { return cmp.Or(cmp.Compare(dist[a], dist[b]), cmp.Compare(a, b)) })
	sg := &Subgraph{Truncated: truncated, Nodes: make([]Entity, 0, len(ids)), Edges: []*Relationship{}}
	present := make(map[string]bool, len(ids))
	for _, id := range ids {
		if e := reached[id]; e != nil { // nil: removed between two levels of the walk
			sg.Nodes = append(sg.Nodes, e)
			present[id] = true
		}
	}
	for _, r := range edges {
		if present[r.From] && present[r.To] {
			sg.Edges = append(sg.Edges, r)
		}
	}
	slices.SortFunc(sg.Edges, func(a, b *Relationship) int { return cmp.Compare(a.ID, b.ID) })
	return sg, nil
}

// ShortestPaths returns the shortest paths of at most q.MaxLength hops from q.From to q.To over the
// visible relationships of q.Types, followed in either direction: every one (at most
// MaxShortestPaths) with q.All, else only the first. Paths are ordered by their sequences of entity
// ids; between two consecutive entities a path shows the relationship with the smallest id. No path
// is an empty result, not an error. NOT_FOUND when an end is missing or hidden, BAD_USER_INPUT for
// arguments out of range, COMPLEXITY_LIMIT_EXCEEDED when the search reaches more than
// MaxPathSearchEntities entities.
func (s *Service) ShortestPaths(ctx context.Context, q PathQuery) ([]*Path, error) {
	if _, err := s.viewer(ctx, false); err != nil {
		return nil, err
	}
	if q.MaxLength < 1 || q.MaxLength > MaxPathLength {
		return nil, Invalid("maxLength", "must be between 1 and %d", MaxPathLength)
	}
	if err := checkRelationTypes(q.Types); err != nil {
		return nil, err
	}
	fields, ends := []string{"from", "to"}, []string{q.From, q.To}
	if err := checkIDs(fields, ends); err != nil {
		return nil, err
	}
	if q.From == q.To {
		found, err := s.entities(ctx, fields, ends)
		if err != nil {
			return nil, err
		}
		return []*Path{{Length: 0, Nodes: []Entity{found[0]}, Edges: []*Relationship{}}}, nil
	}
	// A search through hubs reads every tie of a level, thousands of them.
	release, err := s.aggregate(ctx)
	if err != nil {
		return nil, err
	}
	defer release()

	// Bidirectional breadth-first search, one level of the side with the smaller frontier per store
	// call. The first level at which the two sides meet gives the length of the shortest paths;
	// every shortest path goes through an entity where they met.
	//
	// The first level of both sides is read in one call. A visible relationship has visible ends,
	// so only when an end has none is it looked up, for NOT_FOUND; else it has no path.
	first, err := s.Store.Relationships(ctx, RelationshipQuery{Anchors: ends, Direction: DirBoth, Types: q.Types,
		Bare: q.BareEdges})
	if err != nil {
		return nil, err
	}
	fw, bw := newSearchSide(q.From), newSearchSide(q.To)
	for _, r := range first {
		if r.From == q.From || r.To == q.From {
			fw.first = append(fw.first, r)
		}
		if r.From == q.To || r.To == q.To {
			bw.first = append(bw.first, r)
		}
	}
	if len(fw.first) == 0 || len(bw.first) == 0 {
		if _, err := s.entities(ctx, fields, ends); err != nil {
			return nil, err
		}
		return []*Path{}, nil
	}
	ties := map[[2]string]*Relationship{}
	var meet []string
	for fw.level+bw.level < q.MaxLength && len(meet) == 0 {
		side, other := fw, bw
		if len(bw.frontier) < len(fw.frontier) {
			side, other = bw, fw
		}
		if len(side.frontier) == 0 {
			break // one end's component is exhausted
		}
		if len(fw.dist)+len(bw.dist) > MaxPathSearchEntities {
			return nil, Errorf(ECOMPLEXITY, "the path search reached more than %d entities; narrow it with relationTypes or a smaller maxLength", MaxPathSearchEntities)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// The sides can meet only in the other's frontier: the step asks for the ties that reach
		// it alone when there are any, which are all the step needs then (the predecessors of the
		// entities where the sides meet, and the ties between them).
		rels := side.first
		if side.level > 0 {
			rels, err = s.Store.Relationships(ctx, RelationshipQuery{Anchors: side.frontier, Direction: DirBoth, Types: q.Types,
				Meet: other.frontier, Bare: q.BareEdges})
			if err != nil {
				return nil, err
			}
		}
		side.expand(rels, ties)
		for _, v := range side.frontier {
			if _, ok := other.dist[v]; ok {
				meet = append(meet, v)
			}
		}
	}
	if len(meet) == 0 {
		return []*Path{}, nil
	}
	// Every entity where the sides met lies on a shortest path (the sides had not met one level
	// earlier); keeping those of the least total distance only makes that explicit.
	length := func(v string) int { return fw.dist[v] + bw.dist[v] }
	shortest := length(slices.MinFunc(meet, func(a, b string) int { return cmp.Compare(length(a), length(b)) }))
	meet = slices.DeleteFunc(meet, func(v string) bool { return length(v) != shortest })

	limit := 1
	if q.All {
		limit = MaxShortestPaths
	}
	seqs := enumeratePaths(q.From, q.To, meet, fw, bw, limit)
	var ids []string
	for _, seq := range seqs {
		ids = append(ids, seq...)
	}
	slices.Sort(ids)
	found, err := s.Store.Entities(ctx, slices.Compact(ids))
	if err != nil {
		return nil, err
	}
	byID := make(map[string]Entity, len(found))
	for _, e := range found {
		if e != nil {
			byID[e.EntityMeta().ID] = e
		}
	}
	out := make([]*Path, 0, len(seqs))
	for _, seq := range seqs {
		p := &Path{Length: len(seq) - 1, Nodes: make([]Entity, 0, len(seq)), Edges: make([]*Relationship, 0, len(seq)-1)}
		for i, id := range seq {
			p.Nodes = append(p.Nodes, byID[id])
			if i > 0 {
				p.Edges = append(p.Edges, ties[pairOf(seq[i-1], id)])
			}
		}
		if !slices.Contains(p.Nodes, nil) { // an entity removed since the search saw it
			out = append(out, p)
		}
	}
	return out, nil
}

// searchSide is one side of a bidirectional breadth-first search.
type searchSide struct {
	dist     map[string]int      // distance from the side's origin, for every entity reached
	preds    map[string][]string // the neighbours one hop nearer the origin
	frontier []string            // the entities at distance level
	level    int
	first    []*Relationship // the relationships of the origin, read before the search
}

func newSearchSide(origin string) *searchSide {
	return &searchSide{dist: map[string]int{origin: 0}, preds: map[string][]string{}, frontier: []string{origin}}
}

// expand moves the side one level out over rels, the relationships of its frontier, recording every
// shortest-path predecessor and, per pair of entities, the relationship with the smallest id.
func (s *searchSide) expand(rels []*Relationship, ties map[[2]string]*Relationship) {
	next := s.level + 1
	var frontier []string
	for _, r := range rels {
		for _, hop := range [2][2]string{{r.From, r.To}, {r.To, r.From}} {
			u, v := hop[0], hop[1]
			if d, ok := s.dist[u]; !ok || d != s.level || u == v {
				continue
			}
			d, ok := s.dist[v]
			if !ok {
				d = next
				s.dist[v] = d
				frontier = append(frontier, v)
			}
			if d != next {
				continue
			}
			if !slices.Contains(s.preds[v], u) {
				s.preds[v] = append(s.preds[v], u)
			}
			if k := pairOf(u, v); ties[k] == nil || r.ID < ties[k].ID {
				ties[k] = r
			}
		}
	}
	s.level, s.frontier = next, frontier
}

func pairOf(a, b string) [2]string {
	if a > b {
		a, b = b, a
	}
	return [2]string{a, b}
}

// enumeratePaths lists, in lexicographic order of their id sequences, the first limit shortest paths
// from origin through the meeting entities: the forward side's predecessors lead from origin to a
// meeting entity, the backward side's from there to the other end. A depth-first walk that takes
// the next entities in id order yields the paths already sorted, so it can stop at limit.
func enumeratePaths(origin, target string, meet []string, fw, bw *searchSide, limit int) [][]string {
	next := map[string][]string{}
	isMeet := map[string]bool{}
	for _, m := range meet {
		isMeet[m] = true
	}
	// Forward half: invert the predecessors of the entities that lead to a meeting entity.
	seen := map[string]bool{}
	queue := slices.Clone(meet)
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		if seen[v] {
			continue
		}
		seen[v] = true
		for _, u := range fw.preds[v] {
			next[u] = append(next[u], v)
			queue = append(queue, u)
		}
	}
	// Backward half: from a meeting entity, the backward predecessors lead to the other end.
	seen = map[string]bool{}
	queue = slices.Clone(meet)
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		if seen[v] {
			continue
		}
		seen[v] = true
		next[v] = append(next[v], bw.preds[v]...)
		queue = append(queue, bw.preds[v]...)
	}
	for v := range next {
		slices.Sort(next[v])
		next[v] = slices.Compact(next[v])
	}

	var out [][]string
	var walk func(path []string)
	walk = func(path []string) {
		v := path[len(path)-1]
		if v == target {
			out = append(out, slices.Clone(path))
			return
		}
		for _, w := range next[v] {
			if len(out) >= limit {
				return
			}
			walk(append(path, w))
		}
	}
	walk([]string{origin})
	return out
}

// KeyPlayers ranks the entities of the network q selects by a centrality measure, highest score
// first, ties (scores within ScoreTolerance) by id, and returns the first `first`. Scores are normalised as package analysis
// documents. NOT_FOUND when the scope is missing or hidden, BAD_USER_INPUT when it is neither an
// organisation nor a case or an argument is out of range, COMPLEXITY_LIMIT_EXCEEDED when the network
// has more than MaxNetworkEntities entities.
func (s *Service) KeyPlayers(ctx context.Context, q NetworkQuery, measure CentralityMeasure, first int) ([]*RankedEntity, error) {
	if _, err := s.viewer(ctx, false); err != nil {
		return nil, err
	}
	if first < 1 || first > MaxPageSize {
		return nil, Invalid("first", "must be between 1 and %d", MaxPageSize)
	}
	var score func(*analysis.Graph) map[string]float64
	switch measure {
	case CentralityDegree:
		score = (*analysis.Graph).Degree
	case CentralityBetweenness:
		score = (*analysis.Graph).Betweenness
	case CentralityCloseness:
		score = (*analysis.Graph).Closeness
	case CentralityPageRank:
		score = (*analysis.Graph).PageRank
	default:
		return nil, Invalid("measure", "%q is not a centrality measure", truncate(string(measure), 32))
	}
	g, err := s.network(ctx, q)
	if err != nil {
		return nil, err
	}
	scores, err := compute(ctx, func() map[string]float64 { return score(g) })
	if err != nil {
		return nil, err
	}
	for id, v := range scores {
		scores[id] = roundScore(v)
	}
	ids, shown := rank(scores)
	ids = ids[:min(first, len(ids))]
	found, err := s.Store.Entities(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*RankedEntity, 0, len(ids))
	for i, e := range found {
		if e != nil {
			out = append(out, &RankedEntity{Rank: i + 1, Entity: e, Score: shown[i]})
		}
	}
	return out, nil
}

// roundScore rounds a score to twelve decimal places: gonum's floating-point sums run in map order, so
// the last digits of a score vary from run to run and store to store; rounded, they do not.
func roundScore(x float64) float64 { return math.Round(x*1e12) / 1e12 }

// rank orders ids by score, highest first. Scores within ScoreTolerance of the highest score of a
// run are ties: they are ordered by id and all shown with that highest score.
func rank(scores map[string]float64) (ids []string, shown []float64) {
	ids = make([]string, 0, len(scores))
	for id := range scores {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int { return cmp.Or(cmp.Compare(scores[b], scores[a]), cmp.Compare(a, b)) })
	shown = make([]float64, len(ids))
	for i := 0; i < len(ids); {
		top := scores[ids[i]]
		j := i + 1
		for j < len(ids) && top-scores[ids[j]] < ScoreTolerance {
			j++
		}
		slices.Sort(ids[i:j])
		for k := i; k < j; k++ {
			shown[k] = top
		}
		i = j
	}
	return ids, shown
}

// Communities partitions the network q selects by Louvain modularity at the given resolution, seeded
// with CommunitySeed: largest community first, ties by smallest member id, members by id, each
// carrying the modularity of the whole partition. Errors as for KeyPlayers.
func (s *Service) Communities(ctx context.Context, q NetworkQuery, resolution float64) ([]*Community, error) {
	if _, err := s.viewer(ctx, false); err != nil {
		return nil, err
	}
	if math.IsNaN(resolution) || resolution <= 0 || resolution > MaxResolution {
		return nil, Invalid("resolution", "must be above 0 and at most %g", MaxResolution)
	}
	g, err := s.network(ctx, q)
	if err != nil {
		return nil, err
	}
	type partition struct {
		comms [][]string
		q     float64
	}
	p, err := compute(ctx, func() partition {
		comms, q := g.Communities(resolution, CommunitySeed)
		return partition{comms, q}
	})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, c := range p.comms {
		ids = append(ids, c...)
	}
	found, err := s.Store.Entities(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*Community, 0, len(p.comms))
	i := 0
	for n, c := range p.comms {
		com := &Community{ID: n + 1, Modularity: roundScore(p.q), Members: make([]Entity, 0, len(c))}
		for range c {
			if found[i] != nil {
				com.Members = append(com.Members, found[i])
			}
			i++
		}
		com.Size = len(com.Members)
		out = append(out, com)
	}
	return out, nil
}

// network builds the graph of the network q selects: its entities, and the visible relationships of
// q.Types (PersonTieTypes when empty) whose both ends are among them.
func (s *Service) network(ctx context.Context, q NetworkQuery) (*analysis.Graph, error) {
	if err := checkRelationTypes(q.Types); err != nil {
		return nil, err
	}
	// A network is read whole and analysed in memory, around a hub thousands of entities.
	release, err := s.aggregate(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	var nodes []string
	if q.Scope == "" {
		persons, err := s.scan(ctx, KindPerson, nil, MaxNetworkEntities, "choose a scope")
		if err != nil {
			return nil, err
		}
		nodes = idsOf(persons)
	} else {
		kind, err := KindOfID(q.Scope)
		if err != nil {
			return nil, Invalid("scope", "%s", ErrorMessage(err))
		}
		var memberTypes []RelationType
		switch kind {
		case KindOrganization:
			memberTypes = []RelationType{RelMemberOf, RelLeads}
		case KindCase:
			memberTypes = []RelationType{RelPartyTo}
		default:
			return nil, Invalid("scope", "%s is neither an organisation nor a case", q.Scope)
		}
		rels, err := s.Store.Relationships(ctx, RelationshipQuery{Anchors: []string{q.Scope}, Direction: DirIn, Types: memberTypes,
			Bare: true})
		if err != nil {
			return nil, err
		}
		// A visible relationship has visible ends: only a scope without members may be missing.
		if len(rels) == 0 {
			if _, err := s.entity(ctx, "scope", q.Scope); err != nil {
				return nil, err
			}
		}
		for _, r := range rels {
			if r.To == q.Scope && r.From != q.Scope {
				nodes = append(nodes, r.From)
			}
		}
		slices.Sort(nodes)
		if nodes = slices.Compact(nodes); len(nodes) > MaxNetworkEntities {
			return nil, Errorf(ECOMPLEXITY, "%s has more than %d members; narrow the question", q.Scope, MaxNetworkEntities)
		}
	}
	var ties [][2]string
	if len(nodes) > 0 {
		types := q.Types
		if len(types) == 0 {
			types = PersonTieTypes
		}
		rels, err := s.Store.Relationships(ctx, RelationshipQuery{Anchors: nodes, Direction: DirBoth, Types: types, Among: true,
			Bare: true})
		if err != nil {
			return nil, err
		}
		for _, r := range rels {
			ties = append(ties, [2]string{r.From, r.To})
		}
	}
	return analysis.NewGraph(nodes, ties), nil
}

// entity returns the entity with id, BAD_USER_INPUT naming field when id is malformed, NOT_FOUND
// when it is missing or hidden.
func (s *Service) entity(ctx context.Context, field, id string) (Entity, error) {
	found, err := s.entities(ctx, []string{field}, []string{id})
	if err != nil {
		return nil, err
	}
	return found[0], nil
}

// entities returns the entities with ids in one store call: BAD_USER_INPUT naming the field of
// the first malformed id, else NOT_FOUND for the first missing or hidden one.
func (s *Service) entities(ctx context.Context, fields, ids []string) ([]Entity, error) {
	if err := checkIDs(fields, ids); err != nil {
		return nil, err
	}
	found, err := s.Store.Entities(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i, e := range found {
		if e == nil {
			return nil, Errorf(ENOTFOUND, "no node %s", ids[i])
		}
	}
	return found, nil
}

// checkIDs returns BAD_USER_INPUT naming the field of the first malformed id of ids.
func checkIDs(fields, ids []string) error {
	for i, id := range ids {
		if _, err := KindOfID(id); err != nil {
			return Invalid(fields[i], "%s", ErrorMessage(err))
		}
	}
	return nil
}

func checkRelationTypes(types []RelationType) error {
	for i, t := range types {
		if !t.Valid() {
			return Invalid("relationTypes", "relationTypes[%d] is not a relationship type", i)
		}
	}
	return nil
}

// compute runs an analysis that cannot itself be interrupted, and returns as soon as ctx is done: a
// request past its deadline answers at once, while the bounded computation finishes in the
// background.
func compute[T any](ctx context.Context, f func() T) (T, error) {
	done := make(chan T, 1)
	go func() { done <- f() }()
	select {
	case v := <-done:
		return v, nil
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// MaxScanEntities bounds the records of one kind an aggregate question (statistics, flows, shared
// identifiers) reads; beyond it the question is refused with COMPLEXITY_LIMIT_EXCEEDED.
const MaxScanEntities = 100000

// scanPageSize is the page size of scan: larger than a client may ask for (MaxPageSize), since
// every page costs a store call and a count of the matches.
const scanPageSize = 5000

// scan returns every visible entity of kind that matches conds, ordered by id, paging through the
// store; COMPLEXITY_LIMIT_EXCEEDED with advice when there are more than limit.
func (s *Service) scan(ctx context.Context, kind EntityKind, conds []Condition, limit int, advice string) ([]Entity, error) {
	var out []Entity
	for after := ""; ; {
		page, err := s.Store.ListEntities(ctx, ListQuery{Kind: kind, Conditions: conds, NoTotal: true,
			Page: Page{First: min(scanPageSize, limit+1), After: after}})
		if err != nil {
			return nil, err
		}
		out = append(out, page.Entities...)
		if len(out) > limit {
			return nil, Errorf(ECOMPLEXITY, "more than %d %s records match; %s", limit, kind.Label(), advice)
		}
		if !page.HasNextPage || len(page.Entities) == 0 {
			return out, nil
		}
		after = out[len(out)-1].EntityMeta().ID
	}
}

// anchorChunk is how many anchors one relationships query carries.
const anchorChunk = 5000

// related returns the visible relationships of types touching anchors in direction dir, each once,
// ordered by id, asking the store in chunks of anchorChunk anchors (a relationship between anchors
// of two chunks comes back from both).
func (s *Service) related(ctx context.Context, anchors []string, dir Direction, types ...RelationType) ([]*Relationship, error) {
	return s.relatedBy(ctx, anchors, RelationshipQuery{Direction: dir, Types: types})
}

// relatedEnds is related for a caller that reads the relationships' ids, types, ends and handling
// only: the store may leave the rest unread (RelationshipQuery.Bare).
func (s *Service) relatedEnds(ctx context.Context, anchors []string, dir Direction, types ...RelationType) ([]*Relationship, error) {
	return s.relatedBy(ctx, anchors, RelationshipQuery{Direction: dir, Types: types, Bare: true})
}

// relatedBy is related with the direction, types and Bare of q.
func (s *Service) relatedBy(ctx context.Context, anchors []string, q RelationshipQuery) ([]*Relationship, error) {
	var out []*Relationship
	for chunk := range slices.Chunk(anchors, anchorChunk) {
		q.Anchors = chunk
		rels, err := s.Store.Relationships(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, rels...)
	}
	slices.SortFunc(out, func(a, b *Relationship) int { return cmp.Compare(a.ID, b.ID) })
	return slices.CompactFunc(out, func(a, b *Relationship) bool { return a.ID == b.ID }), nil
}

// load returns the visible entities among ids by id.
func (s *Service) load(ctx context.Context, ids []string) (map[string]Entity, error) {
	return loadByID(ctx, s.Store, ids)
}

// loadByID returns the entities among ids that st lets the viewer of ctx see, by id.
func loadByID(ctx context.Context, st Store, ids []string) (map[string]Entity, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make(map[string]Entity, len(ids))
	for chunk := range slices.Chunk(ids, anchorChunk) {
		found, err := st.Entities(ctx, chunk)
		if err != nil {
			return nil, err
		}
		for _, e := range found {
			if e != nil {
				out[e.EntityMeta().ID] = e
			}
		}
	}
	return out, nil
}

// idsOf returns the ids of entities.
func idsOf[E Entity](es []E) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.EntityMeta().ID
	}
	return out
}
