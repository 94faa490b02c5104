package neo4j

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/sarhad/sarhad"
)

// entityMap projects the envelope and attributes of node variable x for decodeEntity.
func entityMap(x string) string {
	return x + ` {.id, .kind, .attrs, ` + handlingFields + `, .sourceIds, .sourceKey, .sourceRef,
		.createdAt, .createdBy, .updatedAt, .updatedBy}`
}

// decodeEntity turns an entityMap into an entity and withholds what the viewer may not see.
func decodeEntity(v *sarhad.Viewer, raw any) (sarhad.Entity, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("entity: unexpected value %T", raw)
	}
	kind := sarhad.EntityKind(str(m, "kind"))
	e := sarhad.NewEntity(kind)
	if e == nil {
		return nil, fmt.Errorf("entity %s has unknown kind %q", str(m, "id"), kind)
	}
	if err := json.Unmarshal([]byte(str(m, "attrs")), e); err != nil {
		return nil, fmt.Errorf("entity %s: %w", str(m, "id"), err)
	}
	meta := e.EntityMeta()
	if err := decodeMeta(meta, m); err != nil {
		return nil, err
	}
	meta.Kind = kind
	return sarhad.Protect(v, e), nil
}

// decodeMeta fills the envelope shared by entities and relationships.
func decodeMeta(meta *sarhad.Meta, m map[string]any) error {
	meta.ID = str(m, "id")
	meta.Handling = handlingOf(m)
	meta.SourceIDs = strs(m, "sourceIds")
	meta.SourceKey, meta.SourceRef = str(m, "sourceKey"), str(m, "sourceRef")
	meta.CreatedBy, meta.UpdatedBy = str(m, "createdBy"), str(m, "updatedBy")
	var err error
	if meta.CreatedAt, err = stampOf(m, "createdAt"); err != nil {
		return fmt.Errorf("record %s: %w", meta.ID, err)
	}
	if meta.UpdatedAt, err = stampOf(m, "updatedAt"); err != nil {
		return fmt.Errorf("record %s: %w", meta.ID, err)
	}
	return nil
}

// handlingFields projects, in a map projection, the properties that handlingOf reads.
const handlingFields = `.originOrg, .originCountry, .tlp, .releasableTo`

// handlingOf reads the handling of a map with the properties originOrg, originCountry, tlp and
// releasableTo.
func handlingOf(m map[string]any) sarhad.Handling {
	return sarhad.Handling{OriginatorOrg: str(m, "originOrg"), OriginatorCountry: str(m, "originCountry"),
		TLP: sarhad.TLP(str(m, "tlp")), ReleasableTo: strs(m, "releasableTo")}
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

func strs(m map[string]any, key string) []string { return asStrs(m[key]) }

// asStrs reads a list of strings.
func asStrs(x any) []string {
	xs, _ := x.([]any)
	if len(xs) == 0 {
		return nil
	}
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func stampOf(m map[string]any, key string) (time.Time, error) { return asStamp(m[key], key) }

// asStamp reads a timestamp, named key in errors.
func asStamp(x any, key string) (time.Time, error) {
	switch t := x.(type) {
	case time.Time:
		return t.UTC(), nil
	case nil:
		return time.Time{}, nil
	default:
		return time.Time{}, fmt.Errorf("%s is a %T, not a datetime", key, t)
	}
}

// stamp is how times are stored: a DATETIME in UTC (a time.Time in another location would carry
// its zone name, which the server may not know).
func stamp(t time.Time) time.Time { return t.UTC() }

// decodeEntities decodes a list of entityMaps.
func decodeEntities(v *sarhad.Viewer, raw any) ([]sarhad.Entity, error) {
	xs, _ := raw.([]any)
	out := make([]sarhad.Entity, 0, len(xs))
	for _, x := range xs {
		e, err := decodeEntity(v, x)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Entities implements sarhad.Store: one index seek per id, then the policy.
func (s *Store) Entities(ctx context.Context, ids []string) ([]sarhad.Entity, error) {
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]sarhad.Entity, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	params := policyParams(v)
	params["ids"] = distinct(ids)
	var found map[string]sarhad.Entity
	err = s.readEntities(ctx, v, `UNWIND $ids AS id
		MATCH (e:`+entityLabel+` {id: id})
		WHERE `+visibleEntity("e")+`
		RETURN `+entityMap("e")+` AS e`, params,
		func() { found = make(map[string]sarhad.Entity, len(ids)) },
		func(e sarhad.Entity) { found[e.EntityMeta().ID] = e })
	if err != nil {
		return nil, wrap(ctx, "entities", err)
	}
	for i, id := range ids {
		out[i] = found[id]
	}
	return out, nil
}

// readEntities runs a read whose records each hold one entityMap as their first value, decoding
// each entity as it arrives (see readEach).
func (s *Store) readEntities(ctx context.Context, v *sarhad.Viewer, query string, params map[string]any,
	start func(), each func(sarhad.Entity)) error {
	return s.readEach(ctx, query, params, start, func(r *neo4j.Record) error {
		e, err := decodeEntity(v, r.Values[0])
		if err != nil {
			return err
		}
		each(e)
		return nil
	})
}

// distinct returns xs without repetitions, in order.
func distinct(xs []string) []string {
	seen := make(map[string]bool, len(xs))
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// attrName guards the attribute names of conditions, which become property names.
var attrName = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9.]{0,63}$`)

// Property prefixes of the flattened attributes: a_ as stored, p_ as a viewer without the victim
// clearance sees a victim.
const (
	attrPrefix   = "a_"
	publicPrefix = "p_"
)

// attrProperty is the property holding attribute path attr ("victim.ageGroup" → a_victim_ageGroup),
// quoted for Cypher. attr has passed attrName, so it holds letters, digits and dots only.
func attrProperty(prefix, attr string) string {
	return "`" + prefix + strings.ReplaceAll(attr, ".", "_") + "`"
}

// viewedAttr is the attribute of entity e as the viewer sees it: a victim's withheld details are
// filtered on only by viewers who may see them, so a filter cannot reveal them. Only persons can be
// victims; other kinds compare the property directly, so range indexes serve them.
func viewedAttr(kind sarhad.EntityKind, attr string) string {
	if kind != sarhad.KindPerson {
		return "e." + attrProperty(attrPrefix, attr)
	}
	return "(CASE WHEN " + victimMatchable("e") + " THEN e." + attrProperty(attrPrefix, attr) +
		" ELSE e." + attrProperty(publicPrefix, attr) + " END)"
}

// conditionCypher turns one list condition into a predicate over e, adding its parameters.
func conditionCypher(i int, kind sarhad.EntityKind, c sarhad.Condition, params map[string]any) (string, error) {
	p := fmt.Sprintf("c%d", i)
	values := c.Values
	if values == nil {
		values = []string{}
	}
	params[p] = values
	if c.Op != sarhad.OpRelated && !attrName.MatchString(c.Attr) {
		return "", fmt.Errorf("bad attribute name %q", c.Attr)
	}
	switch c.Op {
	case sarhad.OpIn:
		return fmt.Sprintf("%s IN $%s", viewedAttr(kind, c.Attr), p), nil
	case sarhad.OpOverlaps:
		// A scalar attribute counts as a list of one, as json_each does in the embedded store.
		a := viewedAttr(kind, c.Attr)
		return fmt.Sprintf("any(x IN (CASE WHEN %[1]s IS :: LIST<ANY> THEN %[1]s ELSE [%[1]s] END) WHERE x IN $%[2]s)", a, p), nil
	case sarhad.OpGTE, sarhad.OpLTE:
		if len(c.Values) != 1 {
			return "", fmt.Errorf("%s needs one value", c.Op)
		}
		op := map[sarhad.Op]string{sarhad.OpGTE: ">=", sarhad.OpLTE: "<="}[c.Op]
		params[p+"v"] = c.Values[0]
		return fmt.Sprintf("%s %s $%sv", viewedAttr(kind, c.Attr), op, p), nil
	case sarhad.OpRelated:
		if !c.Rel.Valid() {
			return "", fmt.Errorf("bad relationship type %q", c.Rel)
		}
		pattern := "(e)-[r:" + string(c.Rel) + "]->(o:" + entityLabel + ")"
		if c.Dir == sarhad.DirIn {
			pattern = "(e)<-[r:" + string(c.Rel) + "]-(o:" + entityLabel + ")"
		}
		var extra string
		if len(c.Values) > 0 {
			extra += fmt.Sprintf(" AND r.role IN $%s", p)
		}
		if len(c.Others) > 0 {
			params[p+"o"] = c.Others
			extra += fmt.Sprintf(" AND o.id IN $%so", p)
		}
		// The relationship and the entity at its far end must both be visible.
		return fmt.Sprintf("EXISTS { MATCH %s WHERE %s%s AND %s }", pattern,
			visible("r"), extra, visibleEntity("o")), nil
	}
	return "", fmt.Errorf("unknown operator %q", c.Op)
}

// entityMatch matches e, the visible entities of a kind (valid) that match every condition, with
// the statement's parameters (policyParams first).
func entityMatch(v *sarhad.Viewer, kind sarhad.EntityKind, conds []sarhad.Condition) (string, map[string]any, error) {
	params := policyParams(v)
	where := []string{visibleNode("e", kind)}
	for i, c := range conds {
		pred, err := conditionCypher(i, kind, c, params)
		if err != nil {
			return "", nil, err
		}
		where = append(where, pred)
	}
	return "MATCH (e:" + kind.Label() + ") WHERE " + strings.Join(where, "\n\t\tAND "), params, nil
}

// ListEntities implements sarhad.Store: the count and the page in one statement.
func (s *Store) ListEntities(ctx context.Context, q sarhad.ListQuery) (*sarhad.EntityPage, error) {
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
	if !q.Kind.Valid() {
		return &sarhad.EntityPage{}, nil // no entity has an unknown kind
	}
	match, params, err := entityMatch(v, q.Kind, q.Conditions)
	if err != nil {
		return nil, fmt.Errorf("neo4j: list: %w", err)
	}
	params["after"] = q.Page.After
	params["limit"] = q.Page.First + 1
	total := `CALL () { ` + match + ` RETURN count(e) AS total }`
	if q.NoTotal {
		total = `WITH 0 AS total`
	}
	records, err := s.read(ctx, total+`
		CALL () { `+match+` AND e.id > $after
			WITH e ORDER BY e.id LIMIT $limit
			RETURN collect(`+entityMap("e")+`) AS page }
		RETURN total, page`, params)
	if err != nil {
		return nil, wrap(ctx, "list entities", err)
	}
	if len(records) != 1 {
		return nil, fmt.Errorf("neo4j: list entities: %d records", len(records))
	}
	count, _ := records[0].Values[0].(int64)
	es, err := decodeEntities(v, records[0].Values[1])
	if err != nil {
		return nil, wrap(ctx, "list entities", err)
	}
	page := &sarhad.EntityPage{Entities: es, TotalCount: int(count)}
	if len(page.Entities) > q.Page.First {
		page.Entities, page.HasNextPage = page.Entities[:q.Page.First], true
	}
	return page, nil
}

// LuceneQuery turns term groups (sarhad.QueryTerms) into a Lucene query for the whitespace-analysed
// terms index: every term quoted (terms hold ':'), alternatives ORed, groups ANDed.
func LuceneQuery(groups [][]string) string {
	quote := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	var parts []string
	for _, g := range groups {
		var alts []string
		for _, t := range g {
			if t != "" {
				alts = append(alts, `"`+quote.Replace(t)+`"`)
			}
		}
		if len(alts) > 0 {
			parts = append(parts, "("+strings.Join(alts, " OR ")+")")
		}
	}
	return strings.Join(parts, " AND ")
}

// MatchNames implements sarhad.Store with the full-text index.
func (s *Store) MatchNames(ctx context.Context, q sarhad.NameQuery) ([]sarhad.Entity, error) {
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
	match, params := nameMatches(v, q)
	if match == "" || q.Limit == 0 {
		return nil, nil
	}
	limit := ""
	if q.Limit > 0 {
		params["limit"], limit = q.Limit, " LIMIT $limit"
	}
	var out []sarhad.Entity
	err = s.readEntities(ctx, v, match+`
		RETURN `+entityMap("e")+` AS e ORDER BY e.id`+limit, params,
		func() { out = []sarhad.Entity{} },
		func(e sarhad.Entity) { out = append(out, e) })
	if err != nil {
		return nil, wrap(ctx, "match names", err)
	}
	return out, nil
}

// CountNames implements sarhad.Store with the full-text index.
func (s *Store) CountNames(ctx context.Context, q sarhad.NameQuery) (int, error) {
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return 0, err
	}
	match, params := nameMatches(v, q)
	if match == "" {
		return 0, nil
	}
	records, err := s.read(ctx, match+`
		RETURN count(e) AS n`, params)
	if err != nil {
		return 0, wrap(ctx, "count names", err)
	}
	if len(records) != 1 {
		return 0, fmt.Errorf("neo4j: count names: %d records", len(records))
	}
	n, _ := records[0].Values[0].(int64)
	return int(n), nil
}

// nameMatches returns the clauses that bind e to each entity that matches q and viewer v may find
// by name, with their parameters; no clauses when q has no term.
func nameMatches(v *sarhad.Viewer, q sarhad.NameQuery) (string, map[string]any) {
	query := LuceneQuery(q.Groups)
	if query == "" {
		return "", nil
	}
	kinds := make([]string, 0, len(q.Kinds))
	for _, k := range q.Kinds {
		kinds = append(kinds, string(k))
	}
	params := policyParams(v)
	params["query"], params["kinds"] = query, kinds
	return `CALL db.index.fulltext.queryNodes('` + termsIndex + `', $query) YIELD node AS e
		WHERE (size($kinds) = 0 OR e.kind IN $kinds)
		AND ` + visibleEntity("e") + ` AND ` + victimMatchable("e"), params
}
