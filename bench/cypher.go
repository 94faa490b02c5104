package bench

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"gonum.org/v1/gonum/graph/network"
	"gonum.org/v1/gonum/graph/simple"

	"github.com/sarhad/sarhad"
	neo4jstore "github.com/sarhad/sarhad/store/neo4j"
)

// The lower bound: the workload as hand-written Cypher, one statement per question, through the
// same driver Sarhad uses (auto-commit reads, one round trip each), over the data Sarhad wrote,
// applying the same access rule for the benchmark viewer (sarhad.Handling.Visible, the protection
// of victims' names and of the identifiers victims hold) inside each statement. What
// Cypher cannot do — ranking names (Q2), betweenness (Q5), suppressing small counts (Q6), folding
// routes into flows (Q7) — is done in Go on the statement's result, with the domain's own name
// scoring and gonum as Sarhad does, so the result is the same logical answer.

// Policy templates of the statements, expanded by cypherText.
//
//	VISIBLE(x)     the record x is visible to the viewer (originated by their organisation, CLEAR,
//	               or GREEN/AMBER and released to their country);
//	VISIBLE_ANY(x) VISIBLE, and when x is an identifier no victim the viewer may not see holds it;
//	NAME(x)        the display name of x, a victim's pseudonym unless the viewer may see the name.
var cypherTemplate = regexp.MustCompile(`(VISIBLE_ANY|VISIBLE|NAME)\((\w+)\)`)

func cypherText(template string) string {
	return cypherTemplate.ReplaceAllStringFunc(template, func(m string) string {
		sub := cypherTemplate.FindStringSubmatch(m)
		x := sub[2]
		switch sub[1] {
		case "VISIBLE":
			return fmt.Sprintf(`(%[1]s.originOrg = $vOrg OR %[1]s.tlp = 'CLEAR' OR (%[1]s.tlp IN ['GREEN', 'AMBER'] AND $vCountry IN %[1]s.releasableTo))`, x)
		case "VISIBLE_ANY":
			return fmt.Sprintf(`((%[1]s.originOrg = $vOrg OR %[1]s.tlp = 'CLEAR' OR (%[1]s.tlp IN ['GREEN', 'AMBER'] AND $vCountry IN %[1]s.releasableTo))
				AND (NOT %[1]s.kind IN %[2]s OR NOT EXISTS { MATCH (h:Entity)-[:%[3]s]->(%[1]s) WHERE h.victim AND NOT ($vPII AND h.originOrg = $vOrg) }))`,
				x, identifierKindList, holderTypeList)
		default: // NAME
			return fmt.Sprintf(`CASE %[1]s.kind
				WHEN 'PERSON' THEN CASE WHEN %[1]s.victim AND NOT ($vPII AND %[1]s.originOrg = $vOrg) THEN %[1]s.p_name ELSE %[1]s.a_name END
				WHEN 'CASE' THEN %[1]s.a_reference
				WHEN 'COOPERATION_REQUEST' THEN %[1]s.a_reference
				WHEN 'EVENT' THEN %[1]s.a_category + ' ' + coalesce(%[1]s.a_occurredOn, '')
				WHEN 'PHONE' THEN %[1]s.a_number
				WHEN 'IDENTITY_DOCUMENT' THEN %[1]s.a_documentType + ' ' + coalesce(%[1]s.a_number, '')
				WHEN 'BANK_ACCOUNT' THEN coalesce(%[1]s.a_bank, '') + ' ' + coalesce(%[1]s.a_accountNumber, '')
				WHEN 'ADDRESS' THEN %[1]s.a_line
				WHEN 'ONLINE_ACCOUNT' THEN coalesce(%[1]s.a_platform, '') + ':' + coalesce(%[1]s.a_handle, '')
				WHEN 'SOURCE' THEN %[1]s.a_title
				ELSE coalesce(%[1]s.a_name, %[1]s.a_registration, '') END`, x)
		}
	})
}

// The identifier kinds (sarhad.IdentifierKinds) and the relationship types of holding one
// (sarhad.HolderTypes).
const (
	identifierKindList = "['PHONE', 'BANK_ACCOUNT', 'IDENTITY_DOCUMENT', 'VEHICLE', 'ADDRESS', 'ONLINE_ACCOUNT']"
	holderTypeList     = "USES|HOLDS_DOCUMENT|LIVES_AT|OWNS"
)

// cypherStatements returns the statements of the questions, as templates.
func cypherStatements() map[string]string {
	return map[string]string{
		"Q1": `MATCH (c:Case {id: $caseId}) WHERE VISIBLE(c)
		CALL (c) {
			MATCH (p:Entity)-[r:PARTY_TO]->(c) WHERE VISIBLE(r) AND VISIBLE_ANY(p)
			CALL (p) {
				MATCH (p)-[u:` + holderTypeList + `]->(ph:Phone) WHERE p:Person AND VISIBLE(u) AND VISIBLE_ANY(ph)
				RETURN collect(DISTINCT [ph.id, ph.a_number]) AS phones
			}
			RETURN collect([r.role, p.id, p.kind, NAME(p), phones]) AS parties
		}
		RETURN c.id, c.a_reference, c.a_stage, c.a_registeredOn, parties`,

		// Victims are matched by name only for viewers who may see their names.
		"Q2": `CALL db.index.fulltext.queryNodes('entity_terms', $lucene) YIELD node AS e
		WHERE e.kind = 'PERSON' AND VISIBLE(e) AND (NOT e.victim OR ($vPII AND e.originOrg = $vOrg))
		RETURN e.id, e.a_name, e.a_aliases ORDER BY e.id LIMIT $candidates`,

		// Breadth first, level by level; at most $limit entities, nearer first, then in the order of the
		// smallest id of the relationships reaching them (Sarhad's rule); then every visible relationship
		// among them.
		"Q3": `MATCH (c:Entity {id: $personId}) WHERE VISIBLE_ANY(c)
		CALL (c) {
			MATCH (c)-[r]-(n:Entity) WHERE n <> c AND VISIBLE(r) AND VISIBLE_ANY(n)
			WITH n, min(r.id) AS first ORDER BY first
			RETURN collect(n) AS level1
		}
		WITH c, level1[..$limit - 1] AS l1, size(level1) > $limit - 1 AS cut1
		CALL (c, l1) {
			UNWIND l1 AS m
			MATCH (m)-[r]-(n:Entity) WHERE n <> c AND NOT n IN l1 AND VISIBLE(r) AND VISIBLE_ANY(n)
			WITH n, min(r.id) AS first ORDER BY first
			RETURN collect(n) AS level2
		}
		WITH [c] + l1 + level2[..$limit - 1 - size(l1)] AS ns, cut1 OR size(level2) > $limit - 1 - size(l1) AS truncated
		CALL (ns) {
			UNWIND ns AS a
			MATCH (a)-[r]->(b) WHERE b IN ns AND VISIBLE(r)
			RETURN collect([r.id, type(r), a.id, b.id]) AS edges
		}
		RETURN truncated, [n IN ns | [n.id, n.kind, NAME(n)]] AS nodes, edges`,

		// The ties between persons join persons (and organisations), never identifiers, so VISIBLE is
		// the whole rule for the entities of the path.
		"Q4": `MATCH (a:Entity {id: $fromId}) WHERE VISIBLE(a)
		MATCH (b:Entity {id: $toId}) WHERE VISIBLE(b)
		MATCH p = ANY SHORTEST (a)(()-[r:` + strings.ReplaceAll(pathTypes, ", ", "|") + `]-(x:Entity)
			WHERE VISIBLE(r) AND VISIBLE(x)){1,` + fmt.Sprint(pathMaxLength) + `}(b)
		RETURN [n IN nodes(p) | [n.id, NAME(n)]] AS nodes, [r IN relationships(p) | [r.id, type(r)]] AS edges`,

		// The network: the organisation's members and leaders, and the ties between persons among them.
		"Q5": `MATCH (o:Organization {id: $orgId}) WHERE VISIBLE(o)
		CALL (o) {
			MATCH (m:Entity)-[r:MEMBER_OF|LEADS]->(o) WHERE m <> o AND VISIBLE(r) AND VISIBLE_ANY(m)
			RETURN collect(DISTINCT m) AS members
		}
		CALL (members) {
			UNWIND members AS a
			MATCH (a)-[t:` + strings.ReplaceAll(pathTypes, ", ", "|") + `]->(b) WHERE b IN members AND VISIBLE(t)
			RETURN collect([a.id, b.id]) AS ties
		}
		RETURN [m IN members | [m.id, NAME(m)]] AS members, ties`,

		// One row per year and stage; the distinct victims (and those referred for assistance) and the
		// distinct persons arrested of each.
		"Q6": `MATCH (c:Case) WHERE VISIBLE(c)
		WITH left(c.a_registeredOn, 4) AS year, c.a_stage AS stage, collect(c) AS cases
		CALL (cases) {
			UNWIND cases AS c
			MATCH (p:Person)-[r:PARTY_TO]->(c) WHERE r.role = 'VICTIM' AND VISIBLE(r) AND VISIBLE(p)
			RETURN count(DISTINCT p) AS victims,
				count(DISTINCT CASE WHEN EXISTS { MATCH (p)-[f:REFERRED_TO]->(o:Entity) WHERE VISIBLE(f) AND VISIBLE_ANY(o) }
					THEN p END) AS referred
		}
		CALL (cases) {
			UNWIND cases AS c
			MATCH (p:Person)-[i:INVOLVED_IN]->(e:Event)-[rc:RECORDED_IN]->(c)
			WHERE e.a_category = 'ARREST' AND VISIBLE(rc) AND VISIBLE(e) AND VISIBLE(i) AND VISIBLE(p)
			RETURN count(DISTINCT p) AS arrested
		}
		RETURN year, stage, size(cases) AS total, all(c IN cases WHERE c.originOrg = $vOrg) AS own, victims, referred, arrested`,

		// Per route: its visible stops in order, its cases, and the persons moved in them (parties as
		// VICTIM, or parties SMUGGLED or TRAFFICKED by anyone).
		"Q7": `MATCH (c:Case)-[a:ALONG_ROUTE]->(rt:Route) WHERE VISIBLE(c) AND VISIBLE(a) AND VISIBLE(rt)
		WITH rt, collect(DISTINCT c) AS cases
		CALL (rt) {
			MATCH (rt)-[h:HAS_STOP]->(pl:Place) WHERE VISIBLE(h) AND VISIBLE(pl)
			WITH h, pl ORDER BY h.order, pl.id
			RETURN collect([h.order, pl.id, pl.a_country, h.mode]) AS stops
		}
		CALL (cases) {
			UNWIND cases AS c
			MATCH (p:Person)-[r:PARTY_TO]->(c)
			WHERE VISIBLE(r) AND VISIBLE(p) AND (r.role = 'VICTIM'
				OR EXISTS { MATCH (x:Entity)-[s:SMUGGLED|TRAFFICKED]->(p) WHERE VISIBLE(s) AND VISIBLE_ANY(x) })
			RETURN collect(DISTINCT p.id) AS moved
		}
		RETURN rt.id, stops, [c IN cases | c.id] AS cases, moved`,

		"Q8": `CALL () { MATCH (c:Case) WHERE VISIBLE(c) RETURN count(c) AS total }
		CALL () {
			MATCH (c:Case) WHERE VISIBLE(c)
			WITH c ORDER BY c.id LIMIT $first + 1
			RETURN collect(c) AS page
		}
		UNWIND page[..$first] AS c
		CALL (c) {
			MATCH (p:Entity)-[r:PARTY_TO]->(c) WHERE VISIBLE(r) AND VISIBLE_ANY(p)
			RETURN collect([r.role, p.id, p.kind, NAME(p)]) AS parties
		}
		RETURN total, size(page) > $first AS more, c.id, c.a_reference, c.a_stage, c.a_registeredOn, parties
		ORDER BY c.id`,
	}
}

// cypherSystem answers the workload with the statements above, in process.
type cypherSystem struct {
	driver  neo4j.DriverWithContext
	db      string
	viewer  *sarhad.Viewer
	proxy   *BoltProxy
	queries map[string]string // expanded statements
}

func newCypherSystem(ctx context.Context, target Neo4jConfig, proxy *BoltProxy, v *sarhad.Viewer) (*cypherSystem, error) {
	auth := neo4j.NoAuth()
	if target.Username != "" {
		auth = neo4j.BasicAuth(target.Username, target.Password, "")
	}
	driver, err := neo4j.NewDriverWithContext(proxy.URI(), auth, func(c *neo4j.Config) {
		c.MaxConnectionPoolSize = 100 // the driver's default, as Sarhad runs with
	})
	if err != nil {
		return nil, err
	}
	if err := driver.VerifyConnectivity(ctx); err != nil {
		driver.Close(ctx)
		return nil, fmt.Errorf("cypher: %w", err)
	}
	s := &cypherSystem{driver: driver, db: cmp.Or(target.Database, "neo4j"), viewer: v, proxy: proxy, queries: map[string]string{}}
	for id, q := range cypherStatements() {
		s.queries[id] = cypherText(q)
	}
	return s, nil
}

func (s *cypherSystem) name() string                    { return SystemCypher }
func (s *cypherSystem) supports(q string) bool          { _, ok := s.queries[q]; return ok }
func (s *cypherSystem) pid() int                        { return 0 }
func (s *cypherSystem) bolt() *BoltProxy                { return s.proxy }
func (s *cypherSystem) close(ctx context.Context) error { return s.driver.Close(ctx) }

// records runs the statement of question q with params and the viewer's policy parameters, as an
// auto-commit read with every record fetched at once: one round trip, the least a statement costs.
func (s *cypherSystem) records(ctx context.Context, q string, params map[string]any) ([]*neo4j.Record, error) {
	all := map[string]any{"vOrg": nilIfEmpty(s.viewer.Org), "vCountry": nilIfEmpty(s.viewer.Country),
		"vPII": s.viewer.Org != "" && s.viewer.HasClearance(sarhad.ClearanceVictimPII)}
	for k, v := range params {
		all[k] = v
	}
	session := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.db, AccessMode: neo4j.AccessModeRead,
		FetchSize: neo4j.FetchAll})
	defer session.Close(context.WithoutCancel(ctx))
	res, err := session.Run(ctx, s.queries[q], all)
	if err != nil {
		return nil, err
	}
	return res.Collect(ctx)
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// do answers question q; the answer is built in full every time (it is part of the work), and
// rendered only when asked for.
func (s *cypherSystem) do(ctx context.Context, q string, p Params, answer bool) (string, error) {
	var (
		a   any
		err error
	)
	switch q {
	case "Q1":
		a, err = s.caseWithParties(ctx, p)
	case "Q2":
		a, err = s.search(ctx, p)
	case "Q3":
		a, err = s.neighbourhood(ctx, p)
	case "Q4":
		a, err = s.shortestPath(ctx, p)
	case "Q5":
		a, err = s.keyPlayers(ctx, p)
	case "Q6":
		var cells []statCell
		if cells, err = s.statistics(ctx); err == nil && answer {
			return statsCanonical(cells), nil
		}
	case "Q7":
		var flows []flowAnswer
		if flows, err = s.flows(ctx); err == nil && answer {
			return flowsCanonical(flows), nil
		}
	case "Q8":
		a, err = s.casePage(ctx, p)
	default:
		return "", fmt.Errorf("cypher: no statement for %s", q)
	}
	if err != nil || !answer {
		return "", err
	}
	return canonical(a), nil
}

// Readers of record values.

func str(x any) string { s, _ := x.(string); return s }

func integer(x any) int { n, _ := x.(int64); return int(n) }

func list(x any) []any { l, _ := x.([]any); return l }

func strs(x any) []string {
	var out []string
	for _, v := range list(x) {
		out = append(out, str(v))
	}
	return out
}

func (s *cypherSystem) caseWithParties(ctx context.Context, p Params) (*caseAnswer, error) {
	recs, err := s.records(ctx, "Q1", map[string]any{"caseId": p["caseId"]})
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	a := &caseAnswer{ID: str(recs[0].Values[0]), Parties: []partyAnswer{}}
	for _, x := range list(recs[0].Values[4]) {
		f := list(x)
		pa := partyAnswer{Role: str(f[0]), ID: str(f[1]), Name: str(f[3])}
		for _, ph := range list(f[4]) {
			pa.Phones = append(pa.Phones, str(list(ph)[0]))
		}
		a.Parties = append(a.Parties, pa)
	}
	a.normalise()
	return a, nil
}

// maxSearchCandidates is how many matches a search ranks (Sarhad's bound).
const maxSearchCandidates = 1000

func (s *cypherSystem) search(ctx context.Context, p Params) (*searchAnswer, error) {
	text, _ := p["name"].(string)
	recs, err := s.records(ctx, "Q2", map[string]any{"lucene": neo4jstore.LuceneQuery(sarhad.QueryTerms(text)), "candidates": maxSearchCandidates})
	if err != nil {
		return nil, err
	}
	hits := make([]searchHit, 0, len(recs))
	for _, r := range recs {
		name := str(r.Values[1])
		if score := sarhad.NameScore(text, append([]string{name}, strs(r.Values[2])...)); score > 0 {
			hits = append(hits, searchHit{ID: str(r.Values[0]), Name: name, Score: score})
		}
	}
	slices.SortFunc(hits, func(a, b searchHit) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	a := &searchAnswer{Total: len(hits), Hits: hits[:min(searchFirst, len(hits))]}
	for i := range a.Hits {
		a.Hits[i].Score = round(a.Hits[i].Score)
	}
	return a, nil
}

func (s *cypherSystem) neighbourhood(ctx context.Context, p Params) (*subgraphAnswer, error) {
	recs, err := s.records(ctx, "Q3", map[string]any{"personId": p["personId"], "limit": neighbourhoodLimit})
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	a := &subgraphAnswer{Truncated: recs[0].Values[0] == true, Nodes: []string{}, Edges: []string{}}
	for _, n := range list(recs[0].Values[1]) {
		a.Nodes = append(a.Nodes, str(list(n)[0]))
	}
	for _, e := range list(recs[0].Values[2]) {
		a.Edges = append(a.Edges, str(list(e)[0]))
	}
	slices.Sort(a.Nodes)
	slices.Sort(a.Edges)
	return a, nil
}

func (s *cypherSystem) shortestPath(ctx context.Context, p Params) (*pathAnswer, error) {
	recs, err := s.records(ctx, "Q4", map[string]any{"fromId": p["fromId"], "toId": p["toId"]})
	if err != nil {
		return nil, err
	}
	a := &pathAnswer{Length: -1}
	if len(recs) > 0 {
		a.Length = len(list(recs[0].Values[1]))
	}
	return a, nil
}

func (s *cypherSystem) keyPlayers(ctx context.Context, p Params) ([]rankedAnswer, error) {
	recs, err := s.records(ctx, "Q5", map[string]any{"orgId": p["orgId"]})
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	var ids []string
	for _, m := range list(recs[0].Values[0]) {
		ids = append(ids, str(list(m)[0]))
	}
	if len(ids) > sarhad.MaxNetworkEntities {
		return nil, fmt.Errorf("the network has more than %d members", sarhad.MaxNetworkEntities)
	}
	// An undirected simple graph over the members in id order, as Sarhad builds it.
	slices.Sort(ids)
	index := make(map[string]int64, len(ids))
	g := simple.NewUndirectedGraph()
	for i, id := range ids {
		index[id] = int64(i)
		g.AddNode(simple.Node(i))
	}
	for _, t := range list(recs[0].Values[1]) {
		a, okA := index[str(list(t)[0])]
		b, okB := index[str(list(t)[1])]
		if okA && okB && a != b {
			g.SetEdge(simple.Edge{F: simple.Node(a), T: simple.Node(b)})
		}
	}
	// Betweenness over unordered pairs of other nodes, normalised by their number, rounded as
	// Sarhad rounds; ties (within sarhad.ScoreTolerance of the best of a run) ordered by id.
	raw := network.Betweenness(g)
	n := float64(len(ids))
	scores := make(map[string]float64, len(ids))
	for i, id := range ids {
		if n >= 3 {
			scores[id] = math12(raw[int64(i)] / 2 / ((n - 1) * (n - 2) / 2))
		} else {
			scores[id] = 0
		}
	}
	slices.SortFunc(ids, func(a, b string) int { return cmp.Or(cmp.Compare(scores[b], scores[a]), cmp.Compare(a, b)) })
	out := []rankedAnswer{}
	for i := 0; i < len(ids) && len(out) < keyPlayersFirst; {
		top := scores[ids[i]]
		j := i + 1
		for j < len(ids) && top-scores[ids[j]] < sarhad.ScoreTolerance {
			j++
		}
		run := slices.Clone(ids[i:j])
		slices.Sort(run)
		for _, id := range run {
			if len(out) < keyPlayersFirst {
				out = append(out, rankedAnswer{Rank: len(out) + 1, ID: id, Score: round(top)})
			}
		}
		i = j
	}
	return out, nil
}

// math12 rounds to twelve decimal places, as Sarhad rounds centrality scores.
func math12(x float64) float64 { return math.Round(x*1e12) / 1e12 }

func (s *cypherSystem) statistics(ctx context.Context) ([]statCell, error) {
	recs, err := s.records(ctx, "Q6", nil)
	if err != nil {
		return nil, err
	}
	cells := make([]statCell, 0, len(recs))
	for _, r := range recs {
		stage, total, own := str(r.Values[1]), integer(r.Values[2]), r.Values[3] == true
		when := func(ok bool) int {
			if ok {
				return total
			}
			return 0
		}
		c := statCell{Year: str(r.Values[0]), Stage: stage}
		// The columns of Sarhad's statistics: open cases, cases charge-sheeted (whatever came after).
		open := stage == "REGISTERED" || stage == "UNDER_INVESTIGATION"
		charged := slices.Contains([]string{"CHARGE_SHEETED", "ON_TRIAL", "CONVICTED", "ACQUITTED"}, stage)
		counts := []int{total, when(open), when(charged),
			when(stage == "CONVICTED"), when(stage == "ACQUITTED"), integer(r.Values[6]), integer(r.Values[4]), integer(r.Values[5])}
		for i, n := range counts {
			if n > 0 && n < sarhad.SmallCellThreshold && !own {
				c.Suppressed = true
				continue
			}
			c.Counts[i] = &n
		}
		cells = append(cells, c)
	}
	return cells, nil
}

func (s *cypherSystem) flows(ctx context.Context) ([]flowAnswer, error) {
	recs, err := s.records(ctx, "Q7", nil)
	if err != nil {
		return nil, err
	}
	type stop struct{ order, place, country, mode string }
	type leg struct{ from, to, mode string }
	type tally struct {
		transit, routes, cases, persons map[string]bool
		legCases, legPersons            map[leg]map[string]bool
	}
	flows := map[[2]string]*tally{}
	for _, r := range recs {
		var stops []stop
		for _, x := range list(r.Values[1]) {
			f := list(x)
			st := stop{order: fmt.Sprint(f[0]), place: str(f[1]), country: str(f[2]), mode: str(f[3])}
			if len(stops) == 0 || stops[len(stops)-1].order != st.order || stops[len(stops)-1].place != st.place {
				stops = append(stops, st)
			}
		}
		var path []string // countries in order, each once in a row
		var legs []leg
		for i, st := range stops {
			if len(path) == 0 || path[len(path)-1] != st.country {
				path = append(path, st.country)
			}
			if i > 0 && stops[i-1].country != st.country {
				legs = append(legs, leg{from: stops[i-1].place, to: st.place, mode: st.mode})
			}
		}
		if len(path) < 2 || path[0] == path[len(path)-1] {
			continue
		}
		key := [2]string{path[0], path[len(path)-1]}
		t := flows[key]
		if t == nil {
			t = &tally{transit: map[string]bool{}, routes: map[string]bool{}, cases: map[string]bool{}, persons: map[string]bool{},
				legCases: map[leg]map[string]bool{}, legPersons: map[leg]map[string]bool{}}
			flows[key] = t
		}
		for _, c := range path[1 : len(path)-1] {
			if c != key[0] && c != key[1] {
				t.transit[c] = true
			}
		}
		t.routes[str(r.Values[0])] = true
		cases, moved := strs(r.Values[2]), strs(r.Values[3])
		for _, l := range legs {
			if t.legCases[l] == nil {
				t.legCases[l], t.legPersons[l] = map[string]bool{}, map[string]bool{}
			}
			addAll(t.legCases[l], cases)
			addAll(t.legPersons[l], moved)
		}
		addAll(t.cases, cases)
		addAll(t.persons, moved)
	}
	out := make([]flowAnswer, 0, len(flows))
	for key, t := range flows {
		f := flowAnswer{Origin: key[0], Destination: key[1], Transit: sortedSet(t.transit), Routes: sortedSet(t.routes),
			Cases: len(t.cases), Persons: len(t.persons), Crossings: []crossingAnswer{}}
		for l, cs := range t.legCases {
			f.Crossings = append(f.Crossings, crossingAnswer{From: l.from, To: l.to, Mode: l.mode, Cases: len(cs), Persons: len(t.legPersons[l])})
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b flowAnswer) int {
		return cmp.Or(cmp.Compare(b.Persons, a.Persons), cmp.Compare(b.Cases, a.Cases), cmp.Compare(a.Origin, b.Origin),
			cmp.Compare(a.Destination, b.Destination))
	})
	return out, nil
}

func addAll(set map[string]bool, xs []string) {
	for _, x := range xs {
		set[x] = true
	}
}

func sortedSet(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for x := range set {
		out = append(out, x)
	}
	slices.Sort(out)
	return out
}

func (s *cypherSystem) casePage(ctx context.Context, p Params) (*pageAnswer, error) {
	recs, err := s.records(ctx, "Q8", map[string]any{"first": p["first"]})
	if err != nil {
		return nil, err
	}
	a := &pageAnswer{Cases: []caseAnswer{}}
	for _, r := range recs {
		a.Total, a.HasNextPage = integer(r.Values[0]), r.Values[1] == true
		c := caseAnswer{ID: str(r.Values[2]), Parties: []partyAnswer{}}
		for _, x := range list(r.Values[6]) {
			f := list(x)
			c.Parties = append(c.Parties, partyAnswer{Role: str(f[0]), ID: str(f[1]), Name: str(f[3])})
		}
		c.normalise()
		a.Cases = append(a.Cases, c)
	}
	return a, nil
}
