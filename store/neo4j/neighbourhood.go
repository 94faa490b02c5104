package neo4j

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sarhad/sarhad"
)

// Neighbourhood implements sarhad.Store in one statement, whatever the depth: the walk of
// sarhad.NeighbourhoodByLevels, level by level within the statement (neighbourhoodQuery), then
// the ties among the last level. One round trip where a call per level costs one each, and one
// read of the database: no level sees a change another did not.
func (s *Store) Neighbourhood(ctx context.Context, q sarhad.NeighbourhoodQuery) (*sarhad.Subgraph, error) {
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
	types := typesLabel(q.Types)
	if types == "-" { // no relationship has an unknown type: the centre alone
		return sarhad.NeighbourhoodByLevels(ctx, s, q)
	}
	params := policyParams(v)
	params["centre"] = q.ID
	params["limit"] = q.Limit
	kinds := make([]string, len(q.Kinds))
	for i, k := range q.Kinds {
		kinds[i] = string(k)
	}
	params["kinds"] = kinds
	project, decode := relationshipMap, decodeRelationship
	if q.BareEdges {
		project, decode = bareRelationshipMap, decodeBareRelationship
	}
	// Every end of a tie is an entity of levels: a tie names its ends by element id, which Neo4j
	// knows without reading a property (reading the ends' ids took a quarter to a third of the
	// statement at SF 1), and the entities come with theirs.
	records, err := s.read(ctx, neighbourhoodQuery(q.Depth, types)+`
		RETURN truncated, [l IN levels | [n IN l | [elementId(n), `+entityMap("n")+`]]] AS levels,
			[t IN ties | [r IN t | `+project("r", "elementId(startNode(r))", "elementId(endNode(r))")+`]] AS ties`, params)
	if err != nil {
		return nil, wrap(ctx, "neighbourhood", err)
	}
	switch {
	case len(records) == 0:
		return nil, nil // the centre is missing or hidden
	case len(records) != 1 || len(records[0].Values) != 3:
		return nil, wrap(ctx, "neighbourhood", fmt.Errorf("%d records, want one", len(records)))
	}
	vals := records[0].Values
	sg := &sarhad.Subgraph{Edges: []*sarhad.Relationship{}}
	sg.Truncated, _ = vals[0].(bool)
	ids := map[string]string{} // element id → id
	levels, _ := vals[1].([]any)
	for _, raw := range levels {
		level, _ := raw.([]any)
		start := len(sg.Nodes)
		for _, pair := range level {
			pair, _ := pair.([]any)
			if len(pair) != 2 {
				return nil, wrap(ctx, "neighbourhood", fmt.Errorf("entity: unexpected value %v", pair))
			}
			e, err := decodeEntity(v, pair[1])
			if err != nil {
				return nil, wrap(ctx, "neighbourhood", err)
			}
			eid, _ := pair[0].(string)
			ids[eid] = e.EntityMeta().ID
			sg.Nodes = append(sg.Nodes, e)
		}
		slices.SortFunc(sg.Nodes[start:], func(a, b sarhad.Entity) int {
			return cmp.Compare(a.EntityMeta().ID, b.EntityMeta().ID)
		})
	}
	// A tie between two entities of a level comes once from each.
	seen := map[string]bool{}
	ties, _ := vals[2].([]any)
	for _, raw := range ties {
		list, _ := raw.([]any)
		for _, r := range list {
			rel, err := decode(r)
			if err != nil {
				return nil, wrap(ctx, "neighbourhood", err)
			}
			from, okFrom := ids[rel.From]
			to, okTo := ids[rel.To]
			if !okFrom || !okTo {
				return nil, wrap(ctx, "neighbourhood", fmt.Errorf("relationship %s: an end is not among the entities", rel.ID))
			}
			rel.From, rel.To = from, to
			if !seen[rel.ID] {
				seen[rel.ID] = true
				sg.Edges = append(sg.Edges, rel)
			}
		}
	}
	slices.SortFunc(sg.Edges, func(a, b *sarhad.Relationship) int { return cmp.Compare(a.ID, b.ID) })
	return sg, nil
}

// neighbourhoodQuery starts the statement of a neighbourhood of the given depth along types (a
// label expression or ""), from $centre, with at most $limit entities, the centre included, the
// others of $kinds (every kind when empty). It binds truncated; levels, the entities of each
// distance from 0 on; and ties, lists of the relationships among them, where one may come twice.
//
// Each level follows every visible tie of the entities of the level before, both ways, and groups
// the ties by far end: a known end (already included) keeps its ties; of the others, of $kinds,
// the visible ones are taken in the order of their first tie (smallest id), as many as there is
// room for. One more than there is room for marks the walk truncated, and no later level grows.
// Known ends are compared as nodes, never looked up again, and they passed the policy in this
// same statement. The policy of the other ends is checked in order until $limit have passed (room
// is never more), so a hub's thousands of far ends are not all checked. Each subquery ends in an
// aggregation, so it gives one row even when it finds nothing: only a missing or hidden centre
// gives no record.
func neighbourhoodQuery(depth int, types string) string {
	var b strings.Builder
	b.WriteString(`MATCH (c:` + entityLabel + ` {id: $centre}) WHERE ` + visibleEntity("c") + `
		WITH [c] AS known, [c] AS frontier, [[c]] AS levels, [] AS ties, false AS truncated`)
	for range depth {
		b.WriteString(`
		CALL (known, frontier, truncated) {
			CALL (frontier, truncated) {
				UNWIND CASE WHEN truncated THEN [] ELSE frontier END AS a
				MATCH (a)-[r` + types + `]-(m) WHERE ` + visible("r") + `
				RETURN m, collect(r) AS tied, min(r.id) AS first
			}
			WITH m, tied, first, m IN known AS isKnown
			WITH collect(CASE WHEN isKnown THEN tied END) AS old,
				collect(CASE WHEN NOT isKnown AND (size($kinds) = 0 OR m.kind IN $kinds) THEN [m, tied, first] END) AS others
			` + firstVisibleEnds("$limit", "kept") + `
			RETURN old, kept
		}
		WITH known, frontier, levels, ties, truncated, old, kept, $limit - size(known) AS room
		WITH known, frontier, levels, ties, truncated, old, kept[..room] AS added, size(kept) > room AS cut
		WITH known + [k IN added | k[0]] AS known,
			CASE WHEN truncated THEN frontier ELSE [k IN added | k[0]] END AS frontier,
			levels + [[k IN added | k[0]]] AS levels,
			ties + old + [k IN added | k[1]] AS ties,
			truncated OR cut AS truncated`)
	}
	// The ties among the last level, each found from its start. A hub (at SF 1 of the benchmark, a
	// person with 15,000 ties of their own) would expand them all to find the few to the level, so
	// the ties of an entity with more than amongHubRatio outgoing ties per entity of the level are
	// looked for between it and each entity of the level instead, which Neo4j does from whichever
	// end has fewer.
	b.WriteString(`
		CALL (frontier) {
			UNWIND frontier AS a
			WITH a, COUNT { (a)-[` + types + `]->() } > size(frontier) * ` + strconv.Itoa(amongHubRatio) + ` AS hub
			WITH collect(CASE WHEN hub THEN a END) AS hubs, collect(CASE WHEN NOT hub THEN a END) AS others
			CALL (frontier, hubs, others) {
				UNWIND others AS a
				MATCH (a)-[r` + types + `]->(m) WHERE m IN frontier AND ` + visible("r") + `
				RETURN r
				UNION ALL
				UNWIND hubs AS a
				UNWIND frontier AS m
				MATCH (a)-[r` + types + `]->(m) WHERE ` + visible("r") + `
				RETURN r
			}
			RETURN collect(r) AS among
		}
		WITH truncated, levels, ties + [among] AS ties`)
	return b.String()
}

// amongHubRatio: an entity of the last level of a neighbourhood with more outgoing ties than this
// many per entity of the level is a hub to the step that finds the ties among the level.
const amongHubRatio = 20
