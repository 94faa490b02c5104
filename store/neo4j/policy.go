package neo4j

import (
	"strings"

	"github.com/sarhad/sarhad"
)

// The access policy as Cypher predicates, written once. Each takes the name of a node or
// relationship variable bound earlier in the statement (by an index seek on id or by the full-text
// index), so the predicate filters what the index found rather than replacing the lookup. They
// read the parameters of policyParams.

// visible is sarhad.Handling.Visible over a variable with originOrg, tlp and releasableTo.
func visible(x string) string {
	return expand(`($vSystem OR x.originOrg = $vOrg OR x.tlp = 'CLEAR'
		OR (x.tlp IN ['GREEN', 'AMBER'] AND $vCountry IN x.releasableTo))`, x)
}

// visibleEntity is visible for entities, plus the protection of victims' identifiers
// (sarhad.VictimIdentifierHidden): an identifier held by a victim — by any holder relationship,
// whoever recorded it — whose identifying details the viewer may not see is hidden. A holder
// missing its victim or originOrg property (Apply always writes both) counts as a victim whose
// details the viewer may not see: a null must never make a victim's identifier visible.
func visibleEntity(x string) string {
	return "(" + visible(x) + expand(` AND (NOT (x.kind IN `+identifierKinds+`) OR $vSystem
		OR NOT EXISTS { MATCH (x_holder:Entity)-[:`+holderTypes+`]->(x)
			WHERE coalesce(x_holder.victim, true) AND NOT coalesce($vPII AND x_holder.originOrg = $vOrg, false) }))`, x)
}

// visibleNode is the policy for a node of a known kind: visibleEntity for identifier kinds, else
// visible alone. visibleEntity would read every node's kind again only to find that the
// victim-identifier rule does not apply (a fifth of the time of counting every case).
func visibleNode(x string, kind sarhad.EntityKind) string {
	if kind.IsIdentifier() {
		return visibleEntity(x)
	}
	return visible(x)
}

// visibleEnd is the policy for a node found at one end (the start when from, else the end) of
// relationships of the given types: visible alone when none of the kinds those types join at that
// end is an identifier, else visibleEntity. Apply refuses a relationship between kinds its type
// does not join (sarhad.RelationType.Joins), so a referral's target or a smuggler is never an
// identifier, and the victim-identifier rule would only read its kind again.
func visibleEnd(x string, from bool, types ...sarhad.RelationType) string {
	for _, t := range types {
		for _, a := range sarhad.EntityKinds() {
			for _, b := range sarhad.EntityKinds() {
				end := b
				if from {
					end = a
				}
				if end.IsIdentifier() && t.Joins(a, b) {
					return visibleEntity(x)
				}
			}
		}
	}
	return visible(x)
}

// victimMatchable keeps victims out of name matching, and their withheld attributes out of list
// filters, for viewers who may not see their identifying details (sarhad.Handling.SeesVictimPII).
func victimMatchable(x string) string {
	return expand(`(NOT x.victim OR $vSystem OR ($vPII AND x.originOrg = $vOrg))`, x)
}

// expand puts the variable name for x. in a predicate template.
func expand(template, x string) string {
	return strings.NewReplacer("x.", x+".", "(x)", "("+x+")", "x_holder", x+"_holder").Replace(template)
}

// cypherList renders closed domain values as a Cypher list literal; they never come from user input.
func cypherList[T ~string](xs []T) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = "'" + string(x) + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// relTypes renders relationship types as a pattern alternation (A|B|C), keeping only valid ones.
func relTypes(ts []sarhad.RelationType) string {
	var out []string
	for _, t := range ts {
		if t.Valid() {
			out = append(out, string(t))
		}
	}
	return strings.Join(out, "|")
}

var (
	identifierKinds = cypherList(sarhad.IdentifierKinds)
	holderTypes     = relTypes(sarhad.HolderTypes)
)

// policyParams are the parameters of the policy predicates for viewer v. A viewer without an
// organisation or a country has null for it, which equals nothing (Go's rule: an empty org or
// country admits nothing), and vPII holds only with an organisation (SeesVictimPII). The
// predicates use $vOrg and $vCountry only where a null makes the whole disjunct false or null, never
// under a NOT that would turn it true: this keeps them short, which matters because the Cypher
// planner's time grows quickly with the size of boolean predicates inside subqueries.
func policyParams(v *sarhad.Viewer) map[string]any {
	orNull := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	return map[string]any{
		"vSystem":  v.System,
		"vOrg":     orNull(v.Org),
		"vCountry": orNull(v.Country),
		"vPII":     v.Org != "" && v.HasClearance(sarhad.ClearanceVictimPII),
	}
}
