package sqlite

import (
	"database/sql"
	"strings"

	"github.com/sarhad/sarhad"
)

// visible is the access policy of sarhad.Handling.Visible as an SQL predicate over a table alias
// whose handling columns are origin_org, tlp and releasable_to. It takes the named parameters of
// policyArgs.
func visible(alias string) string {
	return strings.NewReplacer("a.", alias+".").Replace(`(:system = 1 OR (:org <> '' AND a.origin_org = :org) OR a.tlp = 'CLEAR'
	OR (a.tlp IN ('GREEN', 'AMBER') AND :country <> '' AND EXISTS (SELECT 1 FROM json_each(a.releasable_to) WHERE value = :country)))`)
}

// visibleEntity is visible for entities, plus the protection of victims' identifiers
// (sarhad.VictimIdentifierHidden): an identifier held by a victim whose identifying details the
// viewer may not see is hidden.
func visibleEntity(alias string) string {
	return "(" + visible(alias) + " AND " + strings.NewReplacer("a.", alias+".").Replace(`(a.kind NOT IN `+identifierKinds+`
	OR :system = 1 OR NOT EXISTS (SELECT 1 FROM relationships hr JOIN entities hp ON hp.id = hr.from_id
		WHERE hr.to_id = a.id AND hr.type IN `+holderTypes+` AND hp.victim = 1
		AND NOT (:pii = 1 AND hp.origin_org = :org)))`) + ")"
}

// sqlList renders closed domain values as an SQL list literal; they never come from user input.
func sqlList[T ~string](xs []T) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = "'" + string(x) + "'"
	}
	return "(" + strings.Join(q, ", ") + ")"
}

var (
	identifierKinds = sqlList(sarhad.IdentifierKinds)
	holderTypes     = sqlList(sarhad.HolderTypes)
)

// victimMatchable keeps victims out of name matching for viewers who may not see their names.
func victimMatchable(alias string) string {
	return strings.NewReplacer("a.", alias+".").Replace(`(a.victim = 0 OR :system = 1 OR (:pii = 1 AND a.origin_org = :org))`)
}

// policyArgs are the parameters of visible and victimMatchable for viewer v.
func policyArgs(v *sarhad.Viewer) []any {
	b := func(ok bool) int {
		if ok {
			return 1
		}
		return 0
	}
	return []any{
		sql.Named("system", b(v.System)),
		sql.Named("org", v.Org),
		sql.Named("country", v.Country),
		sql.Named("pii", b(v.Org != "" && v.HasClearance(sarhad.ClearanceVictimPII))),
	}
}
