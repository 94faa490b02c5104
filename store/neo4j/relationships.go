package neo4j

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/sarhad/sarhad"
)

// relationshipMap projects relationship r for decodeRelationship, with the expressions from and to
// as the ids of its ends (as a rule "f.id" and "t.id").
func relationshipMap(r, from, to string) string {
	return r + ` {.id, .props, ` + handlingFields + `, .sourceIds, .sourceKey, .sourceRef,
		.createdAt, .createdBy, .updatedAt, .updatedBy, type: type(` + r + `), from: ` + from + `, to: ` + to + `}`
}

// bareRelationshipMap projects what a Bare query reads of relationship r, as relationshipMap does
// (decodeBareRelationship): its id, type, ends and handling, five properties of about fifteen.
func bareRelationshipMap(r, from, to string) string {
	return r + ` {.id, ` + handlingFields + `, type: type(` + r + `), from: ` + from + `, to: ` + to + `}`
}

// visibleRelationship is the policy for a relationship r from f to t: hidden when it or either end
// is hidden.
func visibleRelationship(r, f, t string) string {
	return visible(r) + " AND " + visibleEntity(f) + " AND " + visibleEntity(t)
}

func decodeRelationship(raw any) (*sarhad.Relationship, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("relationship: unexpected value %T", raw)
	}
	r := &sarhad.Relationship{Type: sarhad.RelationType(str(m, "type")), From: str(m, "from"), To: str(m, "to")}
	if err := json.Unmarshal([]byte(str(m, "props")), &r.RelationProps); err != nil {
		return nil, fmt.Errorf("relationship %s: %w", str(m, "id"), err)
	}
	if err := decodeMeta(&r.Meta, m); err != nil {
		return nil, err
	}
	return r, nil
}

// decodeBareRelationship decodes a map of bareRelationshipMap.
func decodeBareRelationship(raw any) (*sarhad.Relationship, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("relationship: unexpected value %T", raw)
	}
	return &sarhad.Relationship{Meta: sarhad.Meta{ID: str(m, "id"), Handling: handlingOf(m)},
		Type: sarhad.RelationType(str(m, "type")), From: str(m, "from"), To: str(m, "to")}, nil
}

// relationshipsByIDQuery finds relationships of the given types by id through the per-type
// uniqueness constraints' indexes: one index seek per id and type, never a scan of every
// relationship, and none at all in the index of a type that has no relationships (the counts
// store says so at no cost), so a database that uses few types pays for few. A type with no more
// relationships than there are ids is scanned instead, each relationship's id checked against the
// ids: reading a few relationships costs less than thousands of seeks, and an import batch looks
// every new id up in every type. The ids are unwound rather than matched with "r.id IN $ids" for
// the seeks, for which Neo4j opens a seek for every id before it reads the first (about three
// times slower for thousands of ids). The hints keep the planner from scanning the type's index for
// every id, which it does while the index statistics of a type that was empty are not sampled yet
// (EXPLAIN shows DirectedRelationshipIndexScan then, and a bulk Apply took minutes), and from
// seeking where the statement scans. With the hints and the counts no statistics change the plan,
// so it is planned once (replan=skip): planning the 48 branches takes a second or two, which
// Neo4j would otherwise spend again whenever the counts change much, as they do during an import.
// The query starts a statement, binds r and reads $ids.
func relationshipsByIDQuery(types []sarhad.RelationType) string {
	var parts []string
	for _, t := range types {
		count := "MATCH ()-[c:" + string(t) + "]->() WITH count(c) AS n "
		parts = append(parts,
			count+"WHERE n > size($ids)\n\t\t\t"+
				"UNWIND $ids AS id MATCH ()-[r:"+string(t)+" {id: id}]->() USING INDEX SEEK r:"+string(t)+"(id) RETURN r",
			count+"WHERE 0 < n <= size($ids)\n\t\t\t"+
				"MATCH ()-[r:"+string(t)+"]->() USING SCAN r:"+string(t)+" WHERE r.id IN $ids RETURN r")
	}
	return "CYPHER replan=skip CALL () {\n\t\t" + strings.Join(parts, "\n\t\tUNION ") + "\n\t}"
}

// byID is built once: it depends on the closed enum only.
var byID = relationshipsByIDQuery(sarhad.RelationTypes())

// Relationships implements sarhad.Store: from an index seek on each anchor, along the requested
// types and directions, then the policy on the relationship and both ends.
func (s *Store) Relationships(ctx context.Context, q sarhad.RelationshipQuery) ([]*sarhad.Relationship, error) {
	rels, _, err := s.relationships(ctx, q, false)
	return rels, err
}

// Neighbours implements sarhad.Store: Relationships, with the node at the far end of each in the
// same statement.
func (s *Store) Neighbours(ctx context.Context, q sarhad.RelationshipQuery) ([]*sarhad.Relationship, []sarhad.Entity, error) {
	return s.relationships(ctx, q, true)
}

func (s *Store) relationships(ctx context.Context, q sarhad.RelationshipQuery, ends bool) ([]*sarhad.Relationship, []sarhad.Entity, error) {
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := q.Check(); err != nil {
		return nil, nil, err
	}
	if len(q.Anchors) == 0 {
		return nil, nil, nil
	}
	types := ""
	if len(q.Types) > 0 {
		types = relTypes(q.Types)
		if types == "" {
			return nil, nil, nil // no relationship has an unknown type
		}
		types = ":" + types
	}
	params := policyParams(v)
	params["anchors"] = distinct(q.Anchors)
	var match string
	if q.Among {
		match = amongQuery(q.Direction, types)
	} else {
		match = tiesQuery(q, types, params)
	}
	project, decode := relationshipMap, decodeRelationship
	if q.Bare {
		project, decode = bareRelationshipMap, decodeBareRelationship
	}
	var rels []*sarhad.Relationship
	// add decodes a relationship; one between two anchors comes once from each end.
	add := func(raw any) error {
		r, err := decode(raw)
		if err != nil {
			return err
		}
		if n := len(rels); n == 0 || rels[n-1].ID != r.ID {
			rels = append(rels, r)
		}
		return nil
	}
	if !ends {
		// A record per relationship, decoded as it arrives: a large answer is never held twice.
		err := s.readEach(ctx, match+`RETURN `+project("r", "startNode(r).id", "endNode(r).id")+` AS r`, params,
			func() { rels = make([]*sarhad.Relationship, 0, 16) },
			func(rec *neo4j.Record) error { return add(rec.Values[0]) })
		if err != nil {
			return nil, nil, wrap(ctx, "relationships", err)
		}
		return rels, nil, nil
	}
	// With the far ends: one record of two lists, the relationships and each far end once. A
	// record per relationship would carry an end again for every relationship that reaches it.
	records, err := s.read(ctx, match+`RETURN collect(`+project("r", "startNode(r).id", "endNode(r).id")+`) AS rels, `+
		`[e IN collect(DISTINCT m) | `+entityMap("e")+`] AS ends`, params)
	if err != nil {
		return nil, nil, wrap(ctx, "relationships", err)
	}
	var rawRels, rawEnds []any
	switch {
	case len(records) == 0:
		// Nothing matched: Neo4j answers this statement with no record rather than one of two
		// empty lists (the contract suite's missing anchor and absent type do).
	case len(records) == 1 && len(records[0].Values) == 2:
		rawRels, _ = records[0].Values[0].([]any)
		rawEnds, _ = records[0].Values[1].([]any)
	default:
		return nil, nil, wrap(ctx, "relationships", fmt.Errorf("%d records, want one", len(records)))
	}
	rels = make([]*sarhad.Relationship, 0, len(rawRels))
	for _, raw := range rawRels {
		if err := add(raw); err != nil {
			return nil, nil, wrap(ctx, "relationships", err)
		}
	}
	var entities []sarhad.Entity
	for _, raw := range rawEnds {
		e, err := decodeEntity(v, raw)
		if err != nil {
			return nil, nil, wrap(ctx, "relationships", err)
		}
		entities = append(entities, e)
	}
	return rels, entities, nil
}

// NeighboursThen implements sarhad.Store in one statement: the first level as Neighbours reads
// it, then the second from the far ends it reached of q.ThenKinds, already known visible.
func (s *Store) NeighboursThen(ctx context.Context, q sarhad.ThenQuery) (*sarhad.Hops, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
	firstTypes, thenTypes := typesLabel(q.First.Types), typesLabel(q.Then.Types)
	if len(q.First.Anchors) == 0 || firstTypes == "-" {
		return &sarhad.Hops{}, nil
	}
	if thenTypes == "-" { // no relationship has an unknown type: the first level alone
		first, ends, err := s.Neighbours(ctx, q.First)
		return &sarhad.Hops{First: first, Ends: ends}, err
	}
	params := policyParams(v)
	params["anchors"] = distinct(q.First.Anchors)
	kinds := make([]string, len(q.ThenKinds))
	for i, k := range q.ThenKinds {
		kinds[i] = string(k)
	}
	params["thenKinds"] = kinds
	next := "UNWIND ms AS a WITH a WHERE size($thenKinds) = 0 OR a.kind IN $thenKinds\n\t\t\t"
	rel := relationshipMap("r", "startNode(r).id", "endNode(r).id")
	records, err := s.read(ctx, tiesQuery(q.First, firstTypes, params)+`
		WITH collect(r) AS rs, collect(DISTINCT m) AS ms
		CALL (ms) {
			`+stepQuery("ms", next, q.Then, thenTypes, params)+`
			RETURN collect(r) AS rs2, collect(DISTINCT m) AS ms2
		}
		RETURN [r IN rs | `+rel+`] AS rels, [r IN rs2 | `+rel+`] AS rels2,
			[e IN ms + ms2 | `+entityMap("e")+`] AS ends`, params)
	if err != nil {
		return nil, wrap(ctx, "neighbours then", err)
	}
	out := &sarhad.Hops{}
	if len(records) == 0 {
		return out, nil // nothing matched: no record (see relationships)
	}
	if len(records) != 1 || len(records[0].Values) != 3 {
		return nil, wrap(ctx, "neighbours then", fmt.Errorf("%d records, want one", len(records)))
	}
	vals := records[0].Values
	if out.First, err = decodeRelationships(vals[0]); err == nil {
		out.Then, err = decodeRelationships(vals[1])
	}
	if err != nil {
		return nil, wrap(ctx, "neighbours then", err)
	}
	// An entity both levels reach comes twice: it is decoded once.
	raw, _ := vals[2].([]any)
	seen := make(map[string]bool, len(raw))
	for _, e := range raw {
		if m, _ := e.(map[string]any); m != nil {
			id, _ := m["id"].(string)
			if seen[id] {
				continue
			}
			seen[id] = true
		}
		end, err := decodeEntity(v, e)
		if err != nil {
			return nil, wrap(ctx, "neighbours then", err)
		}
		out.Ends = append(out.Ends, end)
	}
	return out, nil
}

// typesLabel returns the relationship types as the label expression of a pattern (":A|B"), ""
// for every type, and "-" when none of them is a known type.
func typesLabel(ts []sarhad.RelationType) string {
	if len(ts) == 0 {
		return ""
	}
	if l := relTypes(ts); l != "" {
		return ":" + l
	}
	return "-"
}

// decodeRelationships decodes a list of relationship maps ordered by id, where a relationship
// between two anchors comes twice in a row (once from each end), keeping it once.
func decodeRelationships(raw any) ([]*sarhad.Relationship, error) {
	list, _ := raw.([]any)
	out := make([]*sarhad.Relationship, 0, len(list))
	for _, x := range list {
		r, err := decodeRelationship(x)
		if err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].ID != r.ID {
			out = append(out, r)
		}
	}
	return out, nil
}

// tiesQuery starts the statement of relationships for a query not Among: it binds r and m, the far
// end, one row per visible relationship to a kept far end, ordered by r.id. types is "" or the
// relationship types as a label expression; it adds the parameters it needs to params.
func tiesQuery(q sarhad.RelationshipQuery, types string, params map[string]any) string {
	// The policy is checked once per anchor, once per relationship and once per far end: around
	// a hub, thousands of relationships share the anchor, and a far end is reached by several.
	anchor := "UNWIND $anchors AS aid MATCH (a:" + entityLabel + " {id: aid}) WHERE " + visibleEntity("a") + "\n\t\t\t"
	return stepQuery("", anchor, q, types, params)
}

// stepQuery is tiesQuery from the anchors that anchor binds as a, visible entities, within a
// subquery that imports the variables of scope.
func stepQuery(scope, anchor string, q sarhad.RelationshipQuery, types string, params map[string]any) string {
	var steps, parts []string // a step from an anchor a to a far end m, and the matches of each
	if q.Direction != sarhad.DirIn {
		steps = append(steps, "-[r"+types+"]->")
	}
	if q.Direction != sarhad.DirOut {
		steps = append(steps, "<-[r"+types+"]-")
	}
	for _, step := range steps {
		parts = append(parts, anchor+"MATCH (a)"+step+"(m) RETURN r, m")
	}
	// Each visible far end with its visible ties: every such end, or with a bound every known end
	// and the first q.Ends others of the kinds asked for, in the order of their first tie. The
	// others are sorted before their policy is checked, and checked only until q.Ends have passed.
	// A relationship between two anchors comes once from each: both its ends are known.
	group, keep := `WITH m, collect(r) AS tied`, `WHERE `+visibleEntity("m")
	if q.Ends > 0 {
		group += `, min(r.id) AS first` // the order of the far ends the bound keeps
		params["known"] = distinct(append(slices.Clone(q.Anchors), q.Known...))
		params["ends"] = q.Ends
		kinds := make([]string, len(q.Kinds))
		for i, k := range q.Kinds {
			kinds[i] = string(k)
		}
		params["kinds"] = kinds
		keep = `WHERE m.id IN $known OR size($kinds) = 0 OR m.kind IN $kinds
		WITH collect(CASE WHEN m.id IN $known THEN [m, tied] END) AS known,
			collect(CASE WHEN NOT m.id IN $known THEN [m, tied, first] END) AS others
		CALL (known) {
			UNWIND known AS k
			WITH k[0] AS m, k[1] AS tied WHERE ` + visibleEntity("m") + `
			RETURN collect([m, tied]) AS visibleKnown
		}
		` + firstVisibleEnds("$ends", "firstOthers") + `
		UNWIND visibleKnown + firstOthers AS k
		WITH k[0] AS m, k[1] AS tied`
	}
	found := `CALL (` + scope + `) { ` + strings.Join(parts, " UNION ") + ` }`
	if len(q.Meet) > 0 && q.Ends == 0 {
		found = meetingTies(scope, anchor, steps, q, types, params, found)
	}
	return found + `
		WITH r, m WHERE ` + visible("r") + `
		` + group + `
		` + keep + `
		UNWIND tied AS r
		WITH r, m ORDER BY r.id
		`
}

// meetingTies binds r and m as found does (a subquery that binds them for every relationship of
// the anchors that anchor binds as a, importing the variables of scope, along steps) but only to the visible relationships whose far end is in q.Meet when there are
// any (sarhad.RelationshipQuery.Meet). Those are found from the side with fewer ties, the anchors
// or the ends in q.Meet, by their degrees, which Neo4j keeps: around a hub among the anchors, the
// step that meets reads the ties of the few ends it meets, not the hub's thousands (at SF 1, 2-4
// ms rather than 310-400). Only when none meets does it read found. The other end of each tie is
// looked up by id in a parameter rather than compared with a list of nodes: around those hubs,
// 1.6 and 4.0 ms rather than 3.6 and 10.5.
func meetingTies(scope, anchor string, steps []string, q sarhad.RelationshipQuery, types string, params map[string]any,
	found string) string {
	params["meet"] = distinct(q.Meet)
	var fromAnchors, fromMeet []string
	for _, step := range steps {
		fromAnchors = append(fromAnchors, "MATCH (a)"+step+"(m) WHERE m.id IN $meet AND "+visibleEntity("m")+" RETURN r, m")
		fromMeet = append(fromMeet, "MATCH (a)"+step+"(m) WHERE a.id IN $anchors AND "+visibleEntity("a")+" RETURN r")
	}
	return `CALL (` + scope + `) {
			` + anchor + `RETURN collect(a) AS as, sum(COUNT { (a)-[` + types + `]-() }) AS anchorTies
		}
		CALL () {
			UNWIND $meet AS mid MATCH (m:` + entityLabel + ` {id: mid}) WHERE ` + visibleEntity("m") + `
			RETURN collect(m) AS ms, sum(COUNT { (m)-[` + types + `]-() }) AS meetTies
		}
		CALL (as, ms, anchorTies, meetTies) {
			WITH as, ms WHERE meetTies < anchorTies
			UNWIND ms AS m
			CALL (m) { ` + strings.Join(fromMeet, " UNION ") + ` }
			RETURN r, m
			UNION
			WITH as, ms WHERE meetTies >= anchorTies
			UNWIND as AS a
			CALL (a) { ` + strings.Join(fromAnchors, " UNION ") + ` }
			RETURN r, m
		}
		WITH r, m WHERE ` + visible("r") + `
		WITH collect([r, m]) AS meeting
		CALL (meeting) {
			WITH meeting WHERE size(meeting) > 0
			UNWIND meeting AS x
			RETURN x[0] AS r, x[1] AS m
			UNION
			WITH meeting WHERE size(meeting) = 0
			` + found + `
			RETURN r, m
		}`
}

// firstVisibleEnds is the subquery that keeps, of others (a list of [far end, its ties, the id
// of its first tie]), the visible far ends in the order of their first tie, at most limit (a
// parameter) of them, and binds them with their ties as the list of pairs as. The policy is
// checked in that order, only until limit have passed: around a hub, not for thousands of ends.
func firstVisibleEnds(limit, as string) string {
	return `CALL (others) {
			UNWIND others AS o
			WITH o[0] AS m, o[1] AS tied, o[2] AS first ORDER BY first
			WITH m, tied WHERE ` + visibleEntity("m") + `
			WITH m, tied LIMIT ` + limit + `
			RETURN collect([m, tied]) AS ` + as + `
		}`
}

// amongQuery starts the statement of relationships for an Among query as tiesQuery does: the ties
// among the visible anchors. The far end of each is compared with the anchors' nodes rather than
// its id read and looked up in $anchors (around a hub, thousands of property reads: the last pass
// of a walk at SF 1 took 45 ms that way and 27 ms this way), and needs no policy check of its own.
// Every relationship is found from its start (or its end, for DirIn).
func amongQuery(dir sarhad.Direction, types string) string {
	step := "-[r" + types + "]->"
	if dir == sarhad.DirIn {
		step = "<-[r" + types + "]-"
	}
	return "UNWIND $anchors AS aid MATCH (a:" + entityLabel + " {id: aid}) WHERE " + visibleEntity("a") + `
		WITH collect(a) AS ns
		UNWIND ns AS a
		MATCH (a)` + step + `(m) WHERE m IN ns
		WITH r, m WHERE ` + visible("r") + `
		WITH r, m ORDER BY r.id
		`
}

// RelationshipsByID implements sarhad.Store.
func (s *Store) RelationshipsByID(ctx context.Context, ids []string) ([]*sarhad.Relationship, error) {
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*sarhad.Relationship, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	params := policyParams(v)
	params["ids"] = distinct(ids)
	records, err := s.read(ctx, byID+`
		WITH r, startNode(r) AS f, endNode(r) AS t
		WHERE `+visibleRelationship("r", "f", "t")+`
		RETURN `+relationshipMap("r", "f.id", "t.id")+` AS r`, params)
	if err != nil {
		return nil, wrap(ctx, "relationships by id", err)
	}
	found := make(map[string]*sarhad.Relationship, len(records))
	for _, rec := range records {
		r, err := decodeRelationship(rec.Values[0])
		if err != nil {
			return nil, wrap(ctx, "relationships by id", err)
		}
		found[r.ID] = r
	}
	for i, id := range ids {
		out[i] = found[id]
	}
	return out, nil
}
