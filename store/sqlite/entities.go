package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/sarhad/sarhad"
)

const entityColumns = `e.id, e.kind, e.attrs, e.origin_org, e.origin_country, e.tlp, e.releasable_to,
	e.source_ids, e.source_key, e.source_ref, e.created_at, e.created_by, e.updated_at, e.updated_by`

// scanEntity decodes a row of entityColumns and withholds what the viewer may not see.
func scanEntity(v *sarhad.Viewer, rows interface{ Scan(...any) error }) (sarhad.Entity, error) {
	var (
		m                              sarhad.Meta
		kind, attrs, released, sources string
		createdAt, updatedAt           string
	)
	if err := rows.Scan(&m.ID, &kind, &attrs, &m.Handling.OriginatorOrg, &m.Handling.OriginatorCountry,
		&m.Handling.TLP, &released, &sources, &m.SourceKey, &m.SourceRef, &createdAt, &m.CreatedBy, &updatedAt, &m.UpdatedBy); err != nil {
		return nil, err
	}
	e := sarhad.NewEntity(sarhad.EntityKind(kind))
	if e == nil {
		return nil, fmt.Errorf("entity %s has unknown kind %q", m.ID, kind)
	}
	if err := json.Unmarshal([]byte(attrs), e); err != nil {
		return nil, fmt.Errorf("entity %s: %w", m.ID, err)
	}
	if err := decodeMeta(&m, released, sources, createdAt, updatedAt); err != nil {
		return nil, fmt.Errorf("entity %s: %w", m.ID, err)
	}
	m.Kind = sarhad.EntityKind(kind)
	*e.EntityMeta() = m
	return sarhad.Protect(v, e), nil
}

func decodeMeta(m *sarhad.Meta, released, sources, createdAt, updatedAt string) error {
	if err := json.Unmarshal([]byte(released), &m.Handling.ReleasableTo); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(sources), &m.SourceIDs); err != nil {
		return err
	}
	var err error
	if m.CreatedAt, err = time.Parse(time.RFC3339Nano, createdAt); err != nil {
		return err
	}
	m.UpdatedAt, err = time.Parse(time.RFC3339Nano, updatedAt)
	return err
}

func jsonList[T any](xs []T) string {
	if len(xs) == 0 {
		return "[]"
	}
	if ss, ok := any(xs).([]string); ok {
		if s, ok := plainJSONStrings(ss); ok {
			return s
		}
	}
	b, _ := json.Marshal(xs)
	return string(b)
}

// plainJSONStrings encodes a list of strings that need no escaping (printable ASCII but for the
// characters encoding/json escapes) exactly as json.Marshal would, without its reflection: ids and
// country codes, written once per record and per lookup. ok is false for any other list.
func plainJSONStrings(ss []string) (s string, ok bool) {
	n := 1 + len(ss)
	for _, x := range ss {
		for i := 0; i < len(x); i++ {
			if c := x[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return "", false
			}
		}
		n += len(x) + 2
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteByte('[')
	for i, x := range ss {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(x)
		b.WriteByte('"')
	}
	b.WriteByte(']')
	return b.String(), true
}

// Entities implements sarhad.Store.
func (s *Store) Entities(ctx context.Context, ids []string) ([]sarhad.Entity, error) {
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]sarhad.Entity, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	err = s.read(ctx, func(tx querier) error {
		found, err := entitiesByID(ctx, tx, v, ids)
		if err != nil {
			return err
		}
		for i, id := range ids {
			out[i] = found[id]
		}
		return nil
	})
	return out, err
}

func entitiesByID(ctx context.Context, tx querier, v *sarhad.Viewer, ids []string) (map[string]sarhad.Entity, error) {
	args := append(policyArgs(v), sql.Named("ids", jsonList(ids)))
	rows, err := tx.QueryContext(ctx, `SELECT `+entityColumns+` FROM entities e
		WHERE e.id IN (SELECT value FROM json_each(:ids)) AND `+visibleEntity("e"), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	found := make(map[string]sarhad.Entity, len(ids))
	for rows.Next() {
		e, err := scanEntity(v, rows)
		if err != nil {
			return nil, err
		}
		found[e.EntityMeta().ID] = e
	}
	return found, rows.Err()
}

// attrName guards the attribute names interpolated into JSON paths.
var attrName = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9.]{0,63}$`)

// viewedAttrs are the attributes of entity e as the viewer sees them: a victim's identifying details
// are filtered on only by viewers who may see them, so a filter cannot reveal a withheld name or
// birth date. It takes the named parameters of policyArgs.
var viewedAttrs = `(CASE WHEN ` + victimMatchable("e") + ` THEN e.attrs ELSE e.public_attrs END)`

// conditionSQL turns one list condition into a predicate over alias e, adding its parameters.
func conditionSQL(i int, c sarhad.Condition, args *[]any) (string, error) {
	p := fmt.Sprintf("c%d", i)
	*args = append(*args, sql.Named(p, jsonList(c.Values)))
	if c.Op != sarhad.OpRelated && !attrName.MatchString(c.Attr) {
		return "", fmt.Errorf("bad attribute name %q", c.Attr)
	}
	path := "'$." + c.Attr + "'"
	switch c.Op {
	case sarhad.OpIn:
		return fmt.Sprintf("json_extract(%s, %s) IN (SELECT value FROM json_each(:%s))", viewedAttrs, path, p), nil
	case sarhad.OpOverlaps:
		return fmt.Sprintf("EXISTS (SELECT 1 FROM json_each(%s, %s) j WHERE j.value IN (SELECT value FROM json_each(:%s)))", viewedAttrs, path, p), nil
	case sarhad.OpGTE, sarhad.OpLTE:
		op := map[sarhad.Op]string{sarhad.OpGTE: ">=", sarhad.OpLTE: "<="}[c.Op]
		if len(c.Values) != 1 {
			return "", fmt.Errorf("%s needs one value", c.Op)
		}
		*args = append(*args, sql.Named(p+"v", c.Values[0]))
		return fmt.Sprintf("json_extract(%s, %s) %s :%sv", viewedAttrs, path, op, p), nil
	case sarhad.OpRelated:
		if !c.Rel.Valid() {
			return "", fmt.Errorf("bad relationship type %q", c.Rel)
		}
		*args = append(*args, sql.Named(p+"t", string(c.Rel)))
		role := ""
		if len(c.Values) > 0 {
			role = fmt.Sprintf(" AND json_extract(r.props, '$.role') IN (SELECT value FROM json_each(:%s))", p)
		}
		if len(c.Others) > 0 {
			*args = append(*args, sql.Named(p+"o", jsonList(c.Others)))
			role += fmt.Sprintf(" AND o.id IN (SELECT value FROM json_each(:%so))", p)
		}
		near, far := "from_id", "to_id"
		if c.Dir == sarhad.DirIn {
			near, far = far, near
		}
		return fmt.Sprintf(`EXISTS (SELECT 1 FROM relationships r JOIN entities o ON o.id = r.%s
			WHERE r.%s = e.id AND r.type = :%st%s AND %s AND %s)`, far, near, p, role, visible("r"), visibleEntity("o")), nil
	}
	return "", fmt.Errorf("unknown operator %q", c.Op)
}

// entityFilter is the predicate over alias e of the visible entities of a kind that match every
// condition, with its parameters (policyArgs first).
func entityFilter(v *sarhad.Viewer, kind sarhad.EntityKind, conds []sarhad.Condition) (string, []any, error) {
	args := append(policyArgs(v), sql.Named("kind", string(kind)))
	where := []string{"e.kind = :kind", visibleEntity("e")}
	for i, c := range conds {
		pred, err := conditionSQL(i, c, &args)
		if err != nil {
			return "", nil, err
		}
		where = append(where, pred)
	}
	return strings.Join(where, " AND "), args, nil
}

// ListEntities implements sarhad.Store.
func (s *Store) ListEntities(ctx context.Context, q sarhad.ListQuery) (*sarhad.EntityPage, error) {
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
	filter, args, err := entityFilter(v, q.Kind, q.Conditions)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list: %w", err)
	}
	page := &sarhad.EntityPage{}
	err = s.read(ctx, func(tx querier) error {
		if !q.NoTotal {
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM entities e WHERE `+filter, args...).Scan(&page.TotalCount); err != nil {
				return err
			}
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+entityColumns+` FROM entities e WHERE `+filter+
			` AND e.id > :after ORDER BY e.id LIMIT :limit`,
			append(args, sql.Named("after", q.Page.After), sql.Named("limit", q.Page.First+1))...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEntity(v, rows)
			if err != nil {
				return err
			}
			page.Entities = append(page.Entities, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	if len(page.Entities) > q.Page.First {
		page.Entities, page.HasNextPage = page.Entities[:q.Page.First], true
	}
	return page, nil
}

// MatchNames implements sarhad.Store with the FTS5 index.
func (s *Store) MatchNames(ctx context.Context, q sarhad.NameQuery) ([]sarhad.Entity, error) {
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
	if len(q.Groups) == 0 {
		return nil, nil
	}
	var out []sarhad.Entity
	err = s.read(ctx, func(tx querier) error {
		from, args, ok, err := nameMatches(ctx, tx, v, q)
		if err != nil || !ok {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+entityColumns+from+` ORDER BY e.id LIMIT :limit`,
			append(args, sql.Named("limit", q.Limit))...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEntity(v, rows)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// CountNames implements sarhad.Store with the FTS5 index.
func (s *Store) CountNames(ctx context.Context, q sarhad.NameQuery) (int, error) {
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return 0, err
	}
	if len(q.Groups) == 0 {
		return 0, nil
	}
	var n int
	err = s.read(ctx, func(tx querier) error {
		from, args, ok, err := nameMatches(ctx, tx, v, q)
		if err != nil || !ok {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT count(*)`+from, args...).Scan(&n)
	})
	return n, err
}

// nameMatches returns the FROM and WHERE clauses of the entities that match q and viewer v may
// find by name, with their arguments: the entity's alias is e. It returns false when no entity
// matches: a word none of whose terms is in the index (see names.go).
func nameMatches(ctx context.Context, tx querier, v *sarhad.Viewer, q sarhad.NameQuery) (string, []any, bool, error) {
	tokens, ok, err := tokenGroups(ctx, tx, q.Groups)
	if err != nil || !ok {
		return "", nil, false, err
	}
	groups := make([]string, len(tokens))
	for i, g := range tokens {
		terms := make([]string, len(g))
		for j, t := range g {
			terms[j] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
		}
		groups[i] = "(" + strings.Join(terms, " OR ") + ")"
	}
	kinds := make([]string, len(q.Kinds))
	for i, k := range q.Kinds {
		kinds[i] = string(k)
	}
	args := append(policyArgs(v), sql.Named("match", strings.Join(groups, " AND ")),
		sql.Named("kinds", jsonList(kinds)), sql.Named("nkinds", len(kinds)))
	return ` FROM entity_terms t JOIN entities e ON e.rowid = t.rowid
		WHERE entity_terms MATCH :match
		AND (:nkinds = 0 OR e.kind IN (SELECT value FROM json_each(:kinds)))
		AND ` + visibleEntity("e") + ` AND ` + victimMatchable("e"), args, true, nil
}
