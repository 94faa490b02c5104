package neo4j

import (
	"context"
	"fmt"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/sarhad/sarhad"
)

// Labels and names the store uses besides the domain's closed enums.
const (
	entityLabel     = "Entity"
	auditLabel      = "AuditEntry"
	auditSeqLabel   = "AuditSeq"
	settingLabel    = "SarhadSetting" // the store's own settings (IDSecret), never an entity
	termsIndex      = "entity_terms"
	indexWaitSecond = 300
)

// entityLabels are the labels of every entity kind, from the closed enum.
func entityLabels() []string {
	var out []string
	for _, k := range sarhad.EntityKinds() {
		out = append(out, k.Label())
	}
	return out
}

// filterIndexes are the attributes the list filters of the GraphQL layer compare (graph/filters.go),
// per label: range indexes over their flattened properties.
var filterIndexes = map[sarhad.EntityKind][]string{
	sarhad.KindPerson:       {"gender", "nationalities"},
	sarhad.KindOrganization: {"category", "country"},
	sarhad.KindPlace:        {"category", "country"},
	sarhad.KindCase:         {"stage", "agency", "country", "offences", "registeredOn"},
}

// schemaStatements are the constraints and indexes of the store, all IF NOT EXISTS so that every
// start-up may run them. Labels and types come from the domain's closed enums only.
func schemaStatements() []string {
	var out []string
	constraint := func(name, pattern, prop string) {
		out = append(out, fmt.Sprintf("CREATE CONSTRAINT %s IF NOT EXISTS FOR %s REQUIRE %s IS UNIQUE", name, pattern, prop))
	}
	// One id space for every entity (a Put over another kind's id is a CONFLICT, and lookups by id
	// need not know the kind), and the same per label.
	constraint("entity_id", "(n:"+entityLabel+")", "n.id")
	for _, label := range entityLabels() {
		constraint("entity_id_"+strings.ToLower(label), "(n:"+label+")", "n.id")
	}
	// Relationship uniqueness constraints exist in Community edition since 5.7; they give the index
	// that RelationshipsByID and Apply seek on, per type.
	for _, t := range sarhad.RelationTypes() {
		constraint("rel_id_"+strings.ToLower(string(t)), "()-[r:"+string(t)+"]-()", "r.id")
	}
	out = append(out, fmt.Sprintf("CREATE FULLTEXT INDEX %s IF NOT EXISTS FOR (n:%s) ON EACH [n.terms] "+
		"OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace', `fulltext.eventually_consistent`: false}}",
		termsIndex, strings.Join(entityLabels(), "|")))
	index := func(name, pattern, prop string) {
		out = append(out, fmt.Sprintf("CREATE RANGE INDEX %s IF NOT EXISTS FOR %s ON (%s)", name, pattern, prop))
	}
	index("entity_kind", "(n:"+entityLabel+")", "n.kind")
	for _, k := range sarhad.EntityKinds() {
		for _, attr := range filterIndexes[k] {
			index(fmt.Sprintf("filter_%s_%s", strings.ToLower(k.Label()), strings.ToLower(attr)),
				"(n:"+k.Label()+")", "n."+attrProperty(attrPrefix, attr))
		}
	}
	constraint("audit_id", "(a:"+auditLabel+")", "a.id")
	constraint("audit_seq_name", "(c:"+auditSeqLabel+")", "c.name")
	constraint("setting_name", "(s:"+settingLabel+")", "s.name")
	index("audit_seq", "(a:"+auditLabel+")", "a.seq")
	index("audit_time", "(a:"+auditLabel+")", "a.time")
	index("audit_subject", "(a:"+auditLabel+")", "a.subject")
	return out
}

// createSchema runs every schema statement in its own transaction (Neo4j refuses schema and data
// changes in one transaction), then waits for the indexes to be online.
func (s *Store) createSchema(ctx context.Context) error {
	for _, stmt := range schemaStatements() {
		if _, err := neo4j.ExecuteQuery(ctx, s.driver, stmt, nil, neo4j.EagerResultTransformer,
			neo4j.ExecuteQueryWithWritersRouting(), neo4j.ExecuteQueryWithDatabase(s.db)); err != nil {
			return wrap(ctx, "schema: "+stmt, err)
		}
	}
	if _, err := neo4j.ExecuteQuery(ctx, s.driver, "CALL db.awaitIndexes($seconds)", map[string]any{"seconds": indexWaitSecond},
		neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithWritersRouting(), neo4j.ExecuteQueryWithDatabase(s.db)); err != nil {
		return wrap(ctx, "await indexes", err)
	}
	return nil
}
