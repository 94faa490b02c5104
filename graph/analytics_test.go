package graph_test

import (
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/analysis"
	"github.com/sarhad/sarhad/graph"
)

// The analytics root fields (neighbourhood, shortestPaths, keyPlayers, communities), through the
// HTTP handler: against networkx on a real network, under the access policy, and at their bounds.

// linkWith links two entities as the investigator with the given handling.
func (e *env) linkWith(h *sarhad.Handling, t sarhad.RelationType, from, to string, p sarhad.RelationProps) string {
	e.t.Helper()
	ctx := sarhad.NewContext(context.Background(), investigator)
	r, err := e.svc.Link(ctx, &sarhad.Relationship{Type: t, From: from, To: to, RelationProps: p}, sarhad.WriteOptions{Handling: h})
	if err != nil {
		e.t.Fatalf("link %s: %v", t, err)
	}
	return r.ID
}

// caviarNetwork is the CAVIAR network loaded through the service: one person per participant, one
// ASSOCIATE_OF relationship per pair of participants who communicated either way, weighted by the
// number of communications.
type caviarNetwork struct {
	person      map[string]string // participant number → person id
	participant map[string]string // person id → participant number
	ids         []string
	ties        [][2]string
}

func loadCaviar(e *env) *caviarNetwork {
	e.t.Helper()
	f, err := os.Open("../analysis/testdata/caviar.csv")
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		e.t.Fatal(err)
	}
	header := rows[0][1:]
	count := map[[2]string]float64{}
	for _, r := range rows[1:] {
		for j, cell := range r[1:] {
			if v, _ := strconv.ParseFloat(strings.TrimSpace(cell), 64); v > 0 && r[0] != header[j] {
				a, b := r[0], header[j]
				if a > b {
					a, b = b, a
				}
				count[[2]string{a, b}] += v
			}
		}
	}
	n := &caviarNetwork{person: map[string]string{}, participant: map[string]string{}}
	for _, p := range header {
		id := e.create(&sarhad.Person{Name: "CAVIAR participant " + p, Gender: sarhad.GenderUnknown}, &sarhad.Handling{TLP: sarhad.TLPClear})
		n.person[p], n.participant[id] = id, p
		n.ids = append(n.ids, id)
	}
	pairs := slices.SortedFunc(func(yield func([2]string) bool) {
		for k := range count {
			if !yield(k) {
				return
			}
		}
	}, func(a, b [2]string) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
	for _, pair := range pairs {
		from, to := n.person[pair[0]], n.person[pair[1]]
		e.link(sarhad.RelAssociateOf, from, to, sarhad.RelationProps{Weight: count[pair]}) // AMBER, the investigator's organisation
		n.ties = append(n.ties, [2]string{from, to})
	}
	return n
}

// caviarReference is analysis/testdata/caviar_reference.json, computed with networkx. Regenerate it
// with:
//
//	cd analysis/testdata && python3 caviar_reference.py > caviar_reference.json   # networkx 3.6.1 with scipy
type caviarReference struct {
	Nodes, Edges                             int
	Degree, Betweenness, Closeness, Pagerank map[string]float64
	ShortestPaths                            map[string][][]string
}

type rankedOut struct {
	KeyPlayers []struct {
		Rank   int
		Score  float64
		Entity struct{ ID string }
	}
}

type pathsOut struct {
	ShortestPaths []struct {
		Length int
		Nodes  []struct{ ID string }
		Edges  []struct {
			ID, Type     string
			From, To     struct{ ID string }
			FromID, ToID string
		}
	}
}

const (
	keyPlayersQuery = `query($scope: ID, $m: CentralityMeasure!, $first: Int, $types: [RelationType!]) {
		keyPlayers(scope: $scope, measure: $m, first: $first, relationTypes: $types) { rank score entity { id } } }`
	pathsQuery = `query($a: ID!, $b: ID!, $all: Boolean, $max: Int, $types: [RelationType!]) {
		shortestPaths(from: $a, to: $b, all: $all, maxLength: $max, relationTypes: $types) {
			length nodes { id } edges { id type from { id } to { id } fromId toId } } }`
	neighbourhoodQuery = `query($id: ID!, $depth: Int, $limit: Int, $kinds: [EntityKind!], $types: [RelationType!]) {
		neighbourhood(id: $id, depth: $depth, limit: $limit, kinds: $kinds, relationTypes: $types) {
			truncated nodes { id kind } edges { id type from { id } to { id } fromId toId } } }`
	communitiesQuery = `query($scope: ID, $res: Float) { communities(scope: $scope, resolution: $res) {
		id size modularity members { id } } }`
)

// sequences returns the paths as sequences of ids, checking on the way that each is well formed:
// length, and edges joining consecutive nodes.
func (p pathsOut) sequences(t *testing.T) [][]string {
	t.Helper()
	var out [][]string
	for _, path := range p.ShortestPaths {
		var seq []string
		for _, n := range path.Nodes {
			seq = append(seq, n.ID)
		}
		if path.Length != len(seq)-1 || len(path.Edges) != path.Length {
			t.Fatalf("path of length %d has %d nodes and %d edges", path.Length, len(seq), len(path.Edges))
		}
		for i, ed := range path.Edges {
			if ed.FromID != ed.From.ID || ed.ToID != ed.To.ID {
				t.Fatalf("edge %d: fromId %s and toId %s, but from %s and to %s", i, ed.FromID, ed.ToID, ed.From.ID, ed.To.ID)
			}
			if !(ed.From.ID == seq[i] && ed.To.ID == seq[i+1] || ed.From.ID == seq[i+1] && ed.To.ID == seq[i]) {
				t.Fatalf("edge %d (%s→%s) does not join %s and %s", i, ed.From.ID, ed.To.ID, seq[i], seq[i+1])
			}
		}
		out = append(out, seq)
	}
	return out
}

func TestAnalyticsMatchNetworkxOnCaviar(t *testing.T) {
	e := newEnv(t)
	net := loadCaviar(e)
	b, err := os.ReadFile("../analysis/testdata/caviar_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref caviarReference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(net.ids) != ref.Nodes || len(net.ties) != ref.Edges {
		t.Fatalf("loaded %d persons and %d ties; networkx has %d and %d", len(net.ids), len(net.ties), ref.Nodes, ref.Edges)
	}

	t.Run("keyPlayers", func(t *testing.T) {
		e.t = t
		for _, m := range []struct {
			measure string
			want    map[string]float64
			tol     float64
		}{
			{"DEGREE", ref.Degree, 1e-12},
			{"BETWEENNESS", ref.Betweenness, 1e-9},
			{"CLOSENESS", ref.Closeness, 1e-9},
			{"PAGERANK", ref.Pagerank, 1e-6},
		} {
			var out rankedOut
			e.mustDo(analyst, keyPlayersQuery, map[string]any{"m": m.measure, "first": 110}, &out)
			if len(out.KeyPlayers) != ref.Nodes {
				t.Fatalf("%s: %d ranked, want %d", m.measure, len(out.KeyPlayers), ref.Nodes)
			}
			for i, r := range out.KeyPlayers {
				p := net.participant[r.Entity.ID]
				if want, ok := m.want[p]; !ok || math.Abs(r.Score-want) > m.tol {
					t.Errorf("%s of participant %s: %.12f, networkx %.12f", m.measure, p, r.Score, want)
				}
				if r.Rank != i+1 {
					t.Errorf("%s: rank %d at position %d", m.measure, r.Rank, i+1)
				}
				if i > 0 {
					prev := out.KeyPlayers[i-1]
					if prev.Score < r.Score || prev.Score == r.Score && prev.Entity.ID > r.Entity.ID {
						t.Errorf("%s: rank %d (%v, %s) before rank %d (%v, %s)", m.measure, prev.Rank, prev.Score, prev.Entity.ID, r.Rank, r.Score, r.Entity.ID)
					}
				}
			}
			if m.measure == "BETWEENNESS" && net.participant[out.KeyPlayers[0].Entity.ID] != "1" {
				t.Errorf("participant %s ranks first by betweenness; the mastermind is participant 1", net.participant[out.KeyPlayers[0].Entity.ID])
			}
		}
		// first cuts the same ranking.
		var top rankedOut
		e.mustDo(analyst, keyPlayersQuery, map[string]any{"m": "BETWEENNESS"}, &top)
		if len(top.KeyPlayers) != sarhad.DefaultKeyPlayers || net.participant[top.KeyPlayers[0].Entity.ID] != "1" {
			t.Errorf("default first: %+v", top.KeyPlayers)
		}
	})

	t.Run("shortestPaths", func(t *testing.T) {
		e.t = t
		if len(ref.ShortestPaths) < 9 {
			t.Fatalf("only %d reference pairs", len(ref.ShortestPaths))
		}
		for pair, want := range ref.ShortestPaths {
			a, b, _ := strings.Cut(pair, "-")
			var all, one pathsOut
			e.mustDo(analyst, pathsQuery, map[string]any{"a": net.person[a], "b": net.person[b], "all": true}, &all)
			seqs := all.sequences(t)
			if !slices.IsSortedFunc(seqs, slices.Compare) {
				t.Errorf("%s: paths not ordered by their id sequences", pair)
			}
			var got [][]string
			for _, seq := range seqs {
				var ps []string
				for _, id := range seq {
					ps = append(ps, net.participant[id])
				}
				got = append(got, ps)
			}
			slices.SortFunc(got, slices.Compare)
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("%s: %v, networkx %v", pair, got, want)
			}
			e.mustDo(analyst, pathsQuery, map[string]any{"a": net.person[a], "b": net.person[b]}, &one)
			if first := one.sequences(t); len(first) != 1 || !slices.Equal(first[0], seqs[0]) {
				t.Errorf("%s, all: false: %v, want the first of %v", pair, first, seqs)
			}
		}
	})

	t.Run("communities", func(t *testing.T) {
		e.t = t
		type comms struct {
			Communities []struct {
				ID, Size   int
				Modularity float64
				Members    []struct{ ID string }
			}
		}
		var first, second comms
		e.mustDo(analyst, communitiesQuery, nil, &first)
		e.mustDo(analyst, communitiesQuery, map[string]any{"res": 1.0}, &second)
		if !slices.EqualFunc(first.Communities, second.Communities, func(a, b struct {
			ID, Size   int
			Modularity float64
			Members    []struct{ ID string }
		}) bool {
			return a.ID == b.ID && a.Size == b.Size && a.Modularity == b.Modularity && slices.Equal(a.Members, b.Members)
		}) {
			t.Errorf("two runs, two partitions")
		}
		want, q := analysis.NewGraph(net.ids, net.ties).Communities(1, sarhad.CommunitySeed)
		if len(first.Communities) != len(want) {
			t.Fatalf("%d communities, analysis finds %d", len(first.Communities), len(want))
		}
		covered := 0
		for i, c := range first.Communities {
			var ids []string
			for _, m := range c.Members {
				ids = append(ids, m.ID)
			}
			if c.ID != i+1 || c.Size != len(ids) || !slices.Equal(ids, want[i]) || math.Abs(c.Modularity-q) > 1e-12 {
				t.Errorf("community %d: id %d, size %d, Q %v; want %d members %v, Q %v", i, c.ID, c.Size, c.Modularity, len(want[i]), want[i], q)
			}
			covered += c.Size
		}
		if covered != ref.Nodes || q < 0.3 {
			t.Errorf("communities cover %d of %d participants, Q %.3f", covered, ref.Nodes, q)
		}
	})
}

// TestAnalyticsNeverUseHiddenRecords: a person only the originating organisation may see (RED)
// bridges two persons released to Iran, and a RED tie joins two released persons. Iran's liaison
// officer finds no path through them, never sees them in a neighbourhood, and gets centralities
// computed without them; the originating organisation's investigator does see the bridge.
func TestAnalyticsNeverUseHiddenRecords(t *testing.T) {
	e := newEnv(t)
	released := &sarhad.Handling{TLP: sarhad.TLPAmber, ReleasableTo: []string{"IRN"}}
	red := &sarhad.Handling{TLP: sarhad.TLPRed}
	a := e.create(&sarhad.Person{Name: "Arif Baloch"}, released)
	b := e.create(&sarhad.Person{Name: "Bashir Rind"}, released)
	c := e.create(&sarhad.Person{Name: "Chakar Marri"}, released)
	d := e.create(&sarhad.Person{Name: "Dostain Bugti"}, released)
	h := e.create(&sarhad.Person{Name: "Hidden Broker"}, red)
	org := e.create(&sarhad.Organization{Name: "Mand Network", Category: sarhad.OrgCriminalNetwork}, released)
	secretOrg := e.create(&sarhad.Organization{Name: "Secret Network", Category: sarhad.OrgCriminalNetwork}, red)
	kase := e.create(&sarhad.Case{Reference: "FIR 7/2023", Agency: "FIA AHTC Quetta", Country: "PAK",
		Offences: []sarhad.Offence{sarhad.OffenceSmuggling}, Stage: sarhad.StageRegistered, RegisteredOn: "2023-01-01"}, released)

	// Relationships' ids → ends.
	visibleTies := map[string][2]string{
		e.linkWith(released, sarhad.RelAssociateOf, a, c, sarhad.RelationProps{}):            {a, c},
		e.linkWith(released, sarhad.RelFamilyOf, c, d, sarhad.RelationProps{Role: "cousin"}): {c, d},
		e.linkWith(released, sarhad.RelPaid, d, b, sarhad.RelationProps{}):                   {d, b},
	}
	hiddenTies := map[string][2]string{
		// Released, but to and from a hidden person.
		e.linkWith(released, sarhad.RelAssociateOf, a, h, sarhad.RelationProps{}): {a, h},
		e.linkWith(released, sarhad.RelAssociateOf, h, b, sarhad.RelationProps{}): {h, b},
		// Between released persons, but itself RED.
		e.linkWith(red, sarhad.RelAssociateOf, a, d, sarhad.RelationProps{}): {a, d},
	}
	visibleScope := map[string]bool{} // membership and party relationships → visible to the liaison officer
	for _, l := range []struct {
		t        sarhad.RelationType
		from, to string
		role     string
		hidden   bool
	}{
		{sarhad.RelMemberOf, a, org, "", false}, {sarhad.RelLeads, c, org, "", false}, {sarhad.RelMemberOf, h, org, "", true},
		{sarhad.RelPartyTo, b, kase, "ACCUSED", false}, {sarhad.RelPartyTo, d, kase, "ACCUSED", false}, {sarhad.RelPartyTo, h, kase, "ACCUSED", true},
	} {
		id := e.linkWith(released, l.t, l.from, l.to, sarhad.RelationProps{Role: l.role})
		visibleScope[id] = !l.hidden
	}

	t.Run("shortestPaths", func(t *testing.T) {
		e.t = t
		var liaison, inv pathsOut
		e.mustDo(iranOfficer, pathsQuery, map[string]any{"a": a, "b": b, "all": true, "types": []string{"ASSOCIATE_OF", "FAMILY_OF", "PAID"}}, &liaison)
		if got := liaison.sequences(t); !slices.EqualFunc(got, [][]string{{a, c, d, b}}, slices.Equal) {
			t.Errorf("liaison officer's paths %v; want only the visible detour a–c–d–b", got)
		}
		e.mustDo(investigator, pathsQuery, map[string]any{"a": a, "b": b, "all": true, "types": []string{"ASSOCIATE_OF", "FAMILY_OF", "PAID"}}, &inv)
		want := [][]string{{a, d, b}, {a, h, b}}
		slices.SortFunc(want, slices.Compare)
		if got := inv.sequences(t); !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("investigator's paths %v; want the two bridges %v", got, want)
		}
		if r := e.do(iranOfficer, pathsQuery, map[string]any{"a": a, "b": h}, nil); r.code() != sarhad.ENOTFOUND {
			t.Errorf("path to a hidden person: %+v", r.Errors)
		}
		// Without the detour's types, the liaison officer finds nothing at all.
		var none pathsOut
		e.mustDo(iranOfficer, pathsQuery, map[string]any{"a": a, "b": b, "all": true, "types": []string{"ASSOCIATE_OF"}}, &none)
		if len(none.ShortestPaths) != 0 {
			t.Errorf("liaison officer found %v over ASSOCIATE_OF only", none.sequences(t))
		}
	})

	t.Run("neighbourhood", func(t *testing.T) {
		e.t = t
		for depth := 1; depth <= sarhad.MaxNeighbourhoodDepth; depth++ {
			var out struct {
				Neighbourhood struct {
					Nodes []struct{ ID string }
					Edges []struct{ ID string }
				}
			}
			e.mustDo(iranOfficer, neighbourhoodQuery, map[string]any{"id": a, "depth": depth}, &out)
			for _, n := range out.Neighbourhood.Nodes {
				if n.ID == h || n.ID == secretOrg {
					t.Errorf("depth %d: hidden %s in the neighbourhood", depth, n.ID)
				}
			}
			for _, ed := range out.Neighbourhood.Edges {
				if _, tie := visibleTies[ed.ID]; !tie && !visibleScope[ed.ID] {
					t.Errorf("depth %d: relationship %s in the neighbourhood is hidden from the viewer", depth, ed.ID)
				}
			}
			if depth == sarhad.MaxNeighbourhoodDepth && (len(out.Neighbourhood.Nodes) != 6 || len(out.Neighbourhood.Edges) != len(visibleTies)+4) {
				t.Errorf("depth %d: %d nodes and %d edges; want a, b, c, d, the organisation and the case, and their 7 visible ties",
					depth, len(out.Neighbourhood.Nodes), len(out.Neighbourhood.Edges))
			}
		}
		var inv struct {
			Neighbourhood struct{ Nodes, Edges []struct{ ID string } }
		}
		e.mustDo(investigator, neighbourhoodQuery, map[string]any{"id": a, "types": []string{"ASSOCIATE_OF"}}, &inv)
		var ids []string
		for _, n := range inv.Neighbourhood.Nodes {
			ids = append(ids, n.ID)
		}
		if !slices.Contains(ids, h) || !slices.Contains(ids, d) || len(inv.Neighbourhood.Edges) != 3 {
			t.Errorf("investigator's neighbourhood %v with %d edges; want the hidden broker and the RED tie", ids, len(inv.Neighbourhood.Edges))
		}
	})

	t.Run("keyPlayers", func(t *testing.T) {
		e.t = t
		// Reference: analysis over only what each viewer may see.
		var visible, all [][2]string
		for _, tie := range visibleTies {
			visible = append(visible, tie)
		}
		all = append(all, visible...)
		for _, tie := range hiddenTies {
			all = append(all, tie)
		}
		for _, tt := range []struct {
			name  string
			v     *sarhad.Viewer
			scope any
			want  *analysis.Graph
		}{
			{"liaison, every person", iranOfficer, nil, analysis.NewGraph([]string{a, b, c, d}, visible)},
			{"liaison, organisation", iranOfficer, org, analysis.NewGraph([]string{a, c}, visible)},
			{"liaison, case", iranOfficer, kase, analysis.NewGraph([]string{b, d}, visible)},
			{"investigator, every person", investigator, nil, analysis.NewGraph([]string{a, b, c, d, h}, all)},
			{"investigator, organisation", investigator, org, analysis.NewGraph([]string{a, c, h}, all)},
		} {
			t.Run(tt.name, func(t *testing.T) {
				e.t = t
				for measure, scores := range map[string]map[string]float64{"DEGREE": tt.want.Degree(), "BETWEENNESS": tt.want.Betweenness(),
					"CLOSENESS": tt.want.Closeness(), "PAGERANK": tt.want.PageRank()} {
					var out rankedOut
					e.mustDo(tt.v, keyPlayersQuery, map[string]any{"m": measure, "scope": tt.scope}, &out)
					if len(out.KeyPlayers) != tt.want.Len() {
						t.Errorf("%s: %d ranked, want %d", measure, len(out.KeyPlayers), tt.want.Len())
					}
					for _, r := range out.KeyPlayers {
						if want, ok := scores[r.Entity.ID]; !ok || math.Abs(r.Score-want) > 1e-9 {
							t.Errorf("%s of %s: %v, want %v (in network: %v)", measure, r.Entity.ID, r.Score, want, ok)
						}
					}
				}
			})
		}
		e.t = t
		var comms struct {
			Communities []struct{ Members []struct{ ID string } }
		}
		e.mustDo(iranOfficer, communitiesQuery, nil, &comms)
		var members []string
		for _, c := range comms.Communities {
			for _, m := range c.Members {
				members = append(members, m.ID)
			}
		}
		slices.Sort(members)
		want := []string{a, b, c, d}
		slices.Sort(want)
		if !slices.Equal(members, want) {
			t.Errorf("liaison officer's communities hold %v, want %v", members, want)
		}
		// A hidden scope is as missing as one that never existed.
		if r := e.do(iranOfficer, keyPlayersQuery, map[string]any{"m": "DEGREE", "scope": secretOrg}, nil); r.code() != sarhad.ENOTFOUND {
			t.Errorf("hidden scope: %+v", r.Errors)
		}
		var empty rankedOut
		e.mustDo(investigator, keyPlayersQuery, map[string]any{"m": "DEGREE", "scope": secretOrg}, &empty)
		if len(empty.KeyPlayers) != 0 {
			t.Errorf("organisation without members: %+v", empty.KeyPlayers)
		}
	})
}

// TestNeighbourhoodDepthLimitKindsAndTypes walks a small network: a chain of persons from the
// centre, a phone the centre shares with its first neighbour, the centre's organisation, and a hub
// with a dozen recruits.
func TestNeighbourhoodDepthLimitKindsAndTypes(t *testing.T) {
	e := newEnv(t)
	var chain []string
	for i := range 6 {
		chain = append(chain, e.create(&sarhad.Person{Name: fmt.Sprintf("Chain %d", i)}, nil))
	}
	p0, p1, p2, p3, p4 := chain[0], chain[1], chain[2], chain[3], chain[4]
	rel := map[string]string{} // name → id
	for i := range 5 {
		rel[fmt.Sprintf("p%d-p%d", i, i+1)] = e.link(sarhad.RelAssociateOf, chain[i], chain[i+1], sarhad.RelationProps{})
	}
	phone := e.create(&sarhad.Phone{Number: "+923001234567"}, nil)
	org := e.create(&sarhad.Organization{Name: "Chain Network", Category: sarhad.OrgCriminalNetwork}, nil)
	rel["p0-phone"] = e.link(sarhad.RelUses, p0, phone, sarhad.RelationProps{})
	rel["p1-phone"] = e.link(sarhad.RelUses, p1, phone, sarhad.RelationProps{})
	rel["p0-org"] = e.link(sarhad.RelMemberOf, p0, org, sarhad.RelationProps{})
	hub := e.create(&sarhad.Person{Name: "Hub"}, nil)
	type spoke struct{ person, rel string }
	var spokes []spoke
	for i := range 12 {
		s := e.create(&sarhad.Person{Name: fmt.Sprintf("Recruit %d", i)}, nil)
		spokes = append(spokes, spoke{s, e.link(sarhad.RelRecruited, hub, s, sarhad.RelationProps{})})
	}
	// The walk meets the recruits in the order of their relationships' ids.
	slices.SortFunc(spokes, func(a, b spoke) int { return cmp.Compare(a.rel, b.rel) })

	sorted := func(ids ...string) []string { return slices.Sorted(slices.Values(ids)) }
	concat := func(parts ...[]string) []string { return slices.Concat(parts...) }
	rels := func(names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, rel[n])
		}
		return sorted(out...)
	}
	spokeIDs := func(n int) (persons, rels []string) {
		for _, s := range spokes[:n] {
			persons, rels = append(persons, s.person), append(rels, s.rel)
		}
		return sorted(persons...), sorted(rels...)
	}
	four, fourRels := spokeIDs(4)
	all, allRels := spokeIDs(12)

	tests := []struct {
		name      string
		vars      map[string]any
		nodes     []string // in order: the centre, then by distance, then by id
		edges     []string
		truncated bool
	}{
		{"depth 1 (default)", map[string]any{"id": p0}, concat([]string{p0}, sorted(p1, phone, org)),
			rels("p0-p1", "p0-phone", "p1-phone", "p0-org"), false},
		{"depth 2", map[string]any{"id": p0, "depth": 2}, concat([]string{p0}, sorted(p1, phone, org), []string{p2}),
			rels("p0-p1", "p0-phone", "p1-phone", "p0-org", "p1-p2"), false},
		{"depth 4", map[string]any{"id": p0, "depth": 4}, concat([]string{p0}, sorted(p1, phone, org), []string{p2, p3, p4}),
			rels("p0-p1", "p0-phone", "p1-phone", "p0-org", "p1-p2", "p2-p3", "p3-p4"), false},
		{"from the middle of the chain", map[string]any{"id": p2, "depth": 2}, concat([]string{p2}, sorted(p1, p3), sorted(p0, phone, p4)),
			rels("p1-p2", "p2-p3", "p0-p1", "p1-phone", "p3-p4", "p0-phone"), false},
		{"persons only", map[string]any{"id": p0, "depth": 2, "kinds": []string{"PERSON"}}, []string{p0, p1, p2},
			rels("p0-p1", "p1-p2"), false},
		{"phones only: the centre and its phone", map[string]any{"id": p0, "depth": 3, "kinds": []string{"PHONE"}}, []string{p0, phone},
			rels("p0-phone"), false},
		{"USES only: through the shared phone", map[string]any{"id": p0, "depth": 2, "types": []string{"USES"}}, []string{p0, phone, p1},
			rels("p0-phone", "p1-phone"), false},
		{"MEMBER_OF only", map[string]any{"id": p0, "depth": 4, "types": []string{"MEMBER_OF"}}, []string{p0, org},
			rels("p0-org"), false},
		{"limit cuts the hub", map[string]any{"id": hub, "limit": 5}, concat([]string{hub}, four), fourRels, true},
		{"limit of exactly everything", map[string]any{"id": hub, "limit": 13}, concat([]string{hub}, all), allRels, false},
		{"limit above everything", map[string]any{"id": hub, "limit": 14, "depth": 3}, concat([]string{hub}, all), allRels, false},
		{"limit 1: the centre alone", map[string]any{"id": p0, "limit": 1, "depth": 4}, []string{p0}, nil, true},
		{"limit within the second level", map[string]any{"id": p0, "limit": 4, "depth": 2}, concat([]string{p0}, sorted(p1, phone, org)),
			rels("p0-p1", "p0-phone", "p1-phone", "p0-org"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.t = t
			var out struct {
				Neighbourhood struct {
					Truncated bool
					Nodes     []struct{ ID, Kind string }
					Edges     []struct {
						ID           string
						From, To     struct{ ID string }
						FromID, ToID string
					}
				}
			}
			e.mustDo(analyst, neighbourhoodQuery, tt.vars, &out)
			var nodes, edges []string
			for _, n := range out.Neighbourhood.Nodes {
				nodes = append(nodes, n.ID)
			}
			for _, ed := range out.Neighbourhood.Edges {
				edges = append(edges, ed.ID)
				if !slices.Contains(nodes, ed.From.ID) || !slices.Contains(nodes, ed.To.ID) {
					t.Errorf("edge %s leaves the subgraph", ed.ID)
				}
				if ed.FromID != ed.From.ID || ed.ToID != ed.To.ID {
					t.Errorf("edge %s: fromId %s and toId %s, but from %s and to %s", ed.ID, ed.FromID, ed.ToID, ed.From.ID, ed.To.ID)
				}
			}
			if !slices.Equal(nodes, tt.nodes) {
				t.Errorf("nodes %v, want %v", nodes, tt.nodes)
			}
			if !slices.Equal(edges, tt.edges) {
				t.Errorf("edges %v, want %v", edges, tt.edges)
			}
			if out.Neighbourhood.Truncated != tt.truncated {
				t.Errorf("truncated %v, want %v", out.Neighbourhood.Truncated, tt.truncated)
			}
		})
	}
}

func TestAnalyticsArgumentsAndErrors(t *testing.T) {
	e := newEnv(t)
	p := e.create(&sarhad.Person{Name: "Khalid Notkai"}, nil)
	q := e.create(&sarhad.Person{Name: "Qadir Sasoli"}, nil)
	r := e.create(&sarhad.Person{Name: "Rasool Zehri"}, nil)
	lonely := e.create(&sarhad.Person{Name: "Lonely Person"}, nil)
	e.link(sarhad.RelAssociateOf, p, q, sarhad.RelationProps{})
	e.link(sarhad.RelAssociateOf, q, r, sarhad.RelationProps{})
	unknown := sarhad.StableID(sarhad.KindPerson, "never created")
	unknownOrg := sarhad.StableID(sarhad.KindOrganization, "never created")

	tests := []struct {
		name, query string
		vars        map[string]any
		v           *sarhad.Viewer
		code, field string
	}{
		{"depth 0", neighbourhoodQuery, map[string]any{"id": p, "depth": 0}, analyst, sarhad.EINVALID, "depth"},
		{"depth 5", neighbourhoodQuery, map[string]any{"id": p, "depth": 5}, analyst, sarhad.EINVALID, "depth"},
		{"limit 0", neighbourhoodQuery, map[string]any{"id": p, "limit": 0}, analyst, sarhad.EINVALID, "limit"},
		{"limit 5001", neighbourhoodQuery, map[string]any{"id": p, "limit": 5001}, analyst, sarhad.EINVALID, "limit"},
		{"unknown centre", neighbourhoodQuery, map[string]any{"id": unknown}, analyst, sarhad.ENOTFOUND, ""},
		{"malformed centre", neighbourhoodQuery, map[string]any{"id": "per_nope"}, analyst, sarhad.EINVALID, "id"},
		{"auditor", neighbourhoodQuery, map[string]any{"id": p}, auditor, sarhad.EFORBIDDEN, ""},
		{"maxLength 0", pathsQuery, map[string]any{"a": p, "b": r, "max": 0}, analyst, sarhad.EINVALID, "maxLength"},
		{"maxLength 9", pathsQuery, map[string]any{"a": p, "b": r, "max": 9}, analyst, sarhad.EINVALID, "maxLength"},
		{"unknown end", pathsQuery, map[string]any{"a": p, "b": unknown}, analyst, sarhad.ENOTFOUND, ""},
		{"malformed start", pathsQuery, map[string]any{"a": "x", "b": r}, analyst, sarhad.EINVALID, "from"},
		{"auditor's paths", pathsQuery, map[string]any{"a": p, "b": r}, auditor, sarhad.EFORBIDDEN, ""},
		{"first 0", keyPlayersQuery, map[string]any{"m": "DEGREE", "first": 0}, analyst, sarhad.EINVALID, "first"},
		{"first 501", keyPlayersQuery, map[string]any{"m": "DEGREE", "first": 501}, analyst, sarhad.EINVALID, "first"},
		{"scope of a person", keyPlayersQuery, map[string]any{"m": "DEGREE", "scope": p}, analyst, sarhad.EINVALID, "scope"},
		{"malformed scope", keyPlayersQuery, map[string]any{"m": "DEGREE", "scope": "org_1"}, analyst, sarhad.EINVALID, "scope"},
		{"unknown scope", keyPlayersQuery, map[string]any{"m": "DEGREE", "scope": unknownOrg}, analyst, sarhad.ENOTFOUND, ""},
		{"auditor's key players", keyPlayersQuery, map[string]any{"m": "DEGREE"}, auditor, sarhad.EFORBIDDEN, ""},
		{"resolution 0", communitiesQuery, map[string]any{"res": 0}, analyst, sarhad.EINVALID, "resolution"},
		{"resolution above 100", communitiesQuery, map[string]any{"res": 101}, analyst, sarhad.EINVALID, "resolution"},
		{"communities of a person", communitiesQuery, map[string]any{"scope": p}, analyst, sarhad.EINVALID, "scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.t = t
			res := e.do(tt.v, tt.query, tt.vars, nil)
			if res.code() != tt.code {
				t.Fatalf("code %q, want %q (%+v)", res.code(), tt.code, res.Errors)
			}
			if tt.field != "" && res.Errors[0].Extensions["field"] != tt.field {
				t.Errorf("field %v, want %s", res.Errors[0].Extensions["field"], tt.field)
			}
		})
	}
	e.t = t

	// No path is an empty list, not an error: too short, disconnected, or of the wrong types.
	for _, vars := range []map[string]any{
		{"a": p, "b": r, "max": 1},
		{"a": p, "b": lonely},
		{"a": p, "b": r, "types": []string{"FAMILY_OF"}},
	} {
		var out pathsOut
		e.mustDo(analyst, pathsQuery, vars, &out)
		if len(out.ShortestPaths) != 0 {
			t.Errorf("%v: %v", vars, out.sequences(t))
		}
	}
	var out pathsOut
	e.mustDo(analyst, pathsQuery, map[string]any{"a": p, "b": r, "max": 2}, &out)
	if got := out.sequences(t); !slices.EqualFunc(got, [][]string{{p, q, r}}, slices.Equal) {
		t.Errorf("p to r: %v", got)
	}
	e.mustDo(analyst, pathsQuery, map[string]any{"a": p, "b": p}, &out)
	if got := out.sequences(t); !slices.EqualFunc(got, [][]string{{p}}, slices.Equal) {
		t.Errorf("p to itself: %v", got)
	}
	// A lonely person is a community of its own; the three others are tied.
	var comms struct {
		Communities []struct {
			Size    int
			Members []struct{ ID string }
		}
	}
	e.mustDo(analyst, communitiesQuery, nil, &comms)
	if len(comms.Communities) != 2 || comms.Communities[0].Size != 3 || comms.Communities[1].Members[0].ID != lonely {
		t.Errorf("communities: %+v", comms.Communities)
	}
}

// TestAnalyticsSchemaIsDescribedAndCosted: every analytics type, field, argument and enum value has
// a description, and the list fields cost what they may return.
func TestAnalyticsSchemaIsDescribedAndCosted(t *testing.T) {
	es := graph.NewExecutableSchema(graph.Config{Complexity: graph.Complexity()})
	schema := es.Schema()
	for _, name := range []string{"Subgraph", "Path", "CentralityMeasure", "RankedEntity", "Community"} {
		def := schema.Types[name]
		if def == nil {
			t.Fatalf("no type %s", name)
		}
		if def.Description == "" {
			t.Errorf("%s has no description", name)
		}
		for _, f := range def.Fields {
			if f.Description == "" {
				t.Errorf("%s.%s has no description", name, f.Name)
			}
		}
		for _, v := range def.EnumValues {
			if v.Description == "" {
				t.Errorf("%s.%s has no description", name, v.Name)
			}
		}
	}
	for _, name := range []string{"neighbourhood", "shortestPaths", "keyPlayers", "communities"} {
		f := schema.Query.Fields.ForName(name)
		if f == nil || f.Description == "" {
			t.Fatalf("Query.%s missing or undescribed", name)
		}
		for _, a := range f.Arguments {
			if a.Description == "" {
				t.Errorf("Query.%s(%s) has no description", name, a.Name)
			}
		}
	}

	const child = 10
	ctx := context.Background()
	for _, tt := range []struct {
		field string
		args  map[string]any
		want  int
	}{
		{"neighbourhood", map[string]any{"id": "x", "limit": 500}, 1 + 50*child},
		{"neighbourhood", map[string]any{"id": "x", "limit": 5000}, 1 + 500*child},
		{"neighbourhood", map[string]any{"id": "x", "limit": 1_000_000}, 1 + 500*child},
		{"shortestPaths", map[string]any{"from": "x", "to": "y", "all": false}, 1 + child},
		{"shortestPaths", map[string]any{"from": "x", "to": "y", "all": true}, 1 + sarhad.MaxShortestPaths*child},
		{"keyPlayers", map[string]any{"measure": "DEGREE", "first": 110}, 1 + 110*child},
		{"keyPlayers", map[string]any{"measure": "DEGREE", "first": 10}, 1 + 10*child},
		{"communities", map[string]any{}, 1 + sarhad.MaxNetworkEntities/graph.FanOut*child},
	} {
		if got, _ := es.Complexity(ctx, "Query", tt.field, child, tt.args); got != tt.want {
			t.Errorf("%s(%v): cost %d, want %d", tt.field, tt.args, got, tt.want)
		}
	}

	// Through the handler: a huge neighbourhood with deep selections is refused before it runs.
	e := newEnv(t)
	p := e.create(&sarhad.Person{Name: "Costly Centre"}, nil)
	r := e.do(analyst, `query($id: ID!) { neighbourhood(id: $id, depth: 4, limit: 5000) {
		nodes { relationships(first: 500) { id } } } }`, map[string]any{"id": p}, nil)
	if r.code() != sarhad.ECOMPLEXITY {
		t.Errorf("costly neighbourhood: %+v", r.Errors)
	}
}
