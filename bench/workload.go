package bench

import (
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/bench/gen"
)

// Query is one question of the workload.
type Query struct {
	ID    string // Q1 … Q8
	Title string
	// GraphQL is Sarhad's document for the question; its variables are Params.
	GraphQL string
	// Params are the names of its parameters, shared by every system (caseId, name, personId,
	// fromId, toId, orgId, first).
	Params []string
}

// Params are the values of one request's parameters, by name.
type Params map[string]any

// The fixed knobs of the questions, the same for every system.
const (
	searchFirst        = 20  // Q2: hits asked for
	neighbourhoodDepth = 2   // Q3 (the hand-written Cypher walks exactly two levels)
	neighbourhoodLimit = 500 // Q3: most entities, the centre included (Sarhad's default)
	pathMaxLength      = 6   // Q4 (Sarhad's default)
	keyPlayersFirst    = 10  // Q5
	pageSize           = 50  // Q8
)

// pathTypes are the relationship types Q4 follows: the ties between persons
// (sarhad.PersonTieTypes), as an investigator asks how two suspects are connected.
const pathTypes = "ASSOCIATE_OF, FAMILY_OF, RECRUITED, SMUGGLED, TRAFFICKED, PAID"

// Workload returns the eight questions of issue 7.
func Workload() []Query {
	return []Query{
		{ID: "Q1", Title: "case by id with parties and their phones", Params: []string{"caseId"}, GraphQL: `query Q1($caseId: ID!) {
  node(id: $caseId) {
    id
    ... on Case {
      reference stage registeredOn
      parties {
        role
        party { id kind displayName ... on Person { identifiers(kinds: [PHONE]) { id ... on Phone { number } } } }
      }
    }
  }
}`},
		{ID: "Q2", Title: "name search", Params: []string{"name"}, GraphQL: `query Q2($name: String!) {
  search(text: $name, kinds: [PERSON], first: ` + strconv.Itoa(searchFirst) + `) {
    totalCount
    edges { score node { id displayName } }
  }
}`},
		{ID: "Q3", Title: "neighbourhood, depth 2, of a person", Params: []string{"personId"}, GraphQL: `query Q3($personId: ID!) {
  neighbourhood(id: $personId, depth: ` + strconv.Itoa(neighbourhoodDepth) + `, limit: ` + strconv.Itoa(neighbourhoodLimit) + `) {
    truncated
    nodes { id kind displayName }
    edges { id type fromId toId }
  }
}`},
		{ID: "Q4", Title: "shortest path between suspects of different networks", Params: []string{"fromId", "toId"},
			GraphQL: `query Q4($fromId: ID!, $toId: ID!) {
  shortestPaths(from: $fromId, to: $toId, maxLength: ` + strconv.Itoa(pathMaxLength) + `, relationTypes: [` + pathTypes + `]) {
    length
    nodes { id displayName }
    edges { id type }
  }
}`},
		{ID: "Q5", Title: "key players (betweenness) of a network", Params: []string{"orgId"}, GraphQL: `query Q5($orgId: ID!) {
  keyPlayers(scope: $orgId, measure: BETWEENNESS, first: ` + strconv.Itoa(keyPlayersFirst) + `) {
    rank score
    entity { id displayName }
  }
}`},
		{ID: "Q6", Title: "case statistics by year and stage", GraphQL: `query Q6 {
  caseStatistics(groupBy: [YEAR, STAGE]) {
    cells {
      key { dimension value }
      casesRegistered underInvestigation chargeSheeted convicted acquitted
      personsArrested victimsIdentified victimsReferred suppressed
    }
  }
}`},
		{ID: "Q7", Title: "cross-border flows", GraphQL: `query Q7 {
  crossBorderFlows {
    origin { alpha3 } destination { alpha3 } transit { alpha3 }
    routes { id }
    cases persons
    crossings { from { id } to { id } mode cases persons }
  }
}`},
		{ID: "Q8", Title: "a page of 50 cases with their parties", Params: []string{"first"}, GraphQL: `query Q8($first: Int!) {
  cases(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id reference stage registeredOn
      parties { role party { id kind displayName } }
    }
  }
}`},
	}
}

// benchViewer is the viewer every system answers for: an investigator of one of the originating
// agencies, in Pakistan, with the victim-protection clearance. Records of the other agencies are
// visible (they are released to PAK) but their victims' identifying details are not.
func benchViewer() *sarhad.Viewer {
	return &sarhad.Viewer{Subject: "bench", Name: "Benchmark investigator", Roles: []sarhad.Role{sarhad.RoleInvestigator},
		Country: "PAK", Org: gen.Agencies[0], Clearances: []string{sarhad.ClearanceVictimPII}}
}

// drawParams draws n parameter sets for each question from the catalog, deterministically from
// seed: cases (Q1), names of network members (Q2), members who do not lead their network (Q3),
// pairs of such members of two networks a broker works for (Q4: suspects of different networks
// an investigator has reason to connect), networks of 2 to sarhad.MaxNetworkEntities persons (Q5).
// Q6 and Q7 have no parameters; Q8 always asks for the first page.
func drawParams(c *catalog, n int, seed uint64) map[string][]Params {
	rng := rand.New(rand.NewPCG(seed, 0xbe7c4))
	rank := map[string][]string{} // network → its members that do not lead it, in a stable order
	var members, brokers, networks []string
	for _, net := range c.networks {
		for _, p := range c.members[net] {
			if c.networkOf[p] == net && !c.leaders[p] {
				rank[net] = append(rank[net], p)
				members = append(members, p)
			}
			if c.networkOf[p] == net && len(c.brokers[p]) > 0 {
				brokers = append(brokers, p)
			}
		}
		if k := len(c.members[net]); k >= 2 && k <= sarhad.MaxNetworkEntities {
			networks = append(networks, net)
		}
	}
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	out := map[string][]Params{"Q6": {{}}, "Q7": {{}}, "Q8": {{"first": pageSize}}}
	for range n {
		if len(c.cases) > 0 {
			out["Q1"] = append(out["Q1"], Params{"caseId": pick(c.cases)})
		}
		if len(members) > 0 {
			out["Q2"] = append(out["Q2"], Params{"name": c.names[pick(members)]})
			out["Q3"] = append(out["Q3"], Params{"personId": pick(members)})
		}
		for range 100 { // a broker whose two networks have members to connect
			if len(brokers) == 0 {
				break
			}
			b := pick(brokers)
			home, other := rank[c.networkOf[b]], rank[pick(c.brokers[b])]
			if len(home) > 0 && len(other) > 0 {
				if from, to := pick(home), pick(other); c.networkOf[from] != c.networkOf[to] {
					out["Q4"] = append(out["Q4"], Params{"fromId": from, "toId": to})
					break
				}
			}
		}
		if len(networks) > 0 {
			out["Q5"] = append(out["Q5"], Params{"orgId": pick(networks)})
		}
	}
	return out
}

// queryIDs returns the ids of qs.
func queryIDs(qs []Query) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.ID
	}
	return out
}

// selectQueries returns the questions of the workload named in ids (all when ids is empty).
func selectQueries(ids []string) []Query {
	all := Workload()
	if len(ids) == 0 {
		return all
	}
	return slices.DeleteFunc(all, func(q Query) bool { return !slices.Contains(ids, q.ID) })
}
