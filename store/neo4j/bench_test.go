package neo4j_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/sarhad/sarhad"
	neo4jstore "github.com/sarhad/sarhad/store/neo4j"
	"github.com/sarhad/sarhad/store/storetest"
)

// bulkChangeSet returns the change set of an import batch: persons, organisations and phones
// (tagged by batch, all new) and rels relationships between them of six types, a third of them
// to the entities of the batch before (prev, which may be nil), as imports link new records to
// known ones.
func bulkChangeSet(batch, entities, rels int, prev []sarhad.Entity) *sarhad.ChangeSet {
	h := sarhad.Handling{OriginatorOrg: "FIA", OriginatorCountry: "PAK", TLP: sarhad.TLPAmber, ReleasableTo: []string{"IRN", "GRC"}}
	meta := func(kind sarhad.EntityKind, key string) sarhad.Meta {
		return sarhad.Meta{ID: sarhad.StableID(kind, key), Kind: kind, CreatedAt: clock, CreatedBy: "import",
			UpdatedAt: clock, UpdatedBy: "import", Handling: h, SourceIDs: []string{sarhad.StableID(sarhad.KindSource, "bulk")},
			SourceKey: key}
	}
	cs := &sarhad.ChangeSet{}
	var persons, orgs, phones []string
	for i := range entities {
		key := fmt.Sprint("bulk ", batch, " ", i)
		switch {
		case i%10 < 7:
			p := &sarhad.Person{Meta: meta(sarhad.KindPerson, key), Name: fmt.Sprint("Bulk Person ", batch, " ", i),
				Gender: sarhad.GenderMale, Nationalities: []string{"PAK"}, Aliases: []string{fmt.Sprint("Alias ", i)}}
			cs.Put, persons = append(cs.Put, p), append(persons, p.ID)
		case i%10 < 8:
			o := &sarhad.Organization{Meta: meta(sarhad.KindOrganization, key), Name: fmt.Sprint("Bulk Network ", batch, " ", i),
				Category: sarhad.OrgCriminalNetwork, Country: "PAK"}
			cs.Put, orgs = append(cs.Put, o), append(orgs, o.ID)
		default:
			ph := &sarhad.Phone{Meta: meta(sarhad.KindPhone, key), Number: fmt.Sprintf("+92300%07d", batch*entities+i), Country: "PAK"}
			cs.Put, phones = append(cs.Put, ph), append(phones, ph.ID)
		}
	}
	for _, e := range prev {
		switch e.EntityMeta().Kind {
		case sarhad.KindPerson:
			persons = append(persons, e.EntityMeta().ID)
		case sarhad.KindOrganization:
			orgs = append(orgs, e.EntityMeta().ID)
		}
	}
	pick := func(ids []string, n int) string { return ids[(n*7919)%len(ids)] }
	for j := range rels {
		key := fmt.Sprint("bulk rel ", batch, " ", j)
		var typ sarhad.RelationType
		var from, to string
		props := sarhad.RelationProps{}
		switch j % 6 {
		case 0, 1:
			typ, from, to = sarhad.RelAssociateOf, pick(persons, j), pick(persons, j+1)
			props.Weight = 0.5
		case 2:
			typ, from, to = sarhad.RelMemberOf, pick(persons, j), pick(orgs, j)
			props.Role, props.Since = "member", "2021-01-01"
		case 3:
			typ, from, to = sarhad.RelUses, pick(persons, j), phones[(j/6)%len(phones)]
		case 4:
			typ, from, to = sarhad.RelPaid, pick(orgs, j), pick(persons, j)
			props.Amount, props.Date = &sarhad.Money{Amount: float64(j) * 10, Currency: "PKR"}, "2023-03-04"
		default:
			typ, from, to = sarhad.RelFamilyOf, pick(persons, j), pick(persons, j+3)
			props.Role = "cousin"
		}
		cs.Link = append(cs.Link, &sarhad.Relationship{Meta: meta("", key), Type: typ, From: from, To: to, RelationProps: props})
	}
	return cs
}

// everyType returns a change set with one relationship of every type (and the entities they
// join), so that a benchmark runs on a database that uses every type, as a production one does:
// Apply looks relationship ids up in the index of every type that has relationships.
func everyType() *sarhad.ChangeSet {
	h := sarhad.Handling{OriginatorOrg: "FIA", OriginatorCountry: "PAK", TLP: sarhad.TLPAmber}
	cs := &sarhad.ChangeSet{}
	ids := map[sarhad.EntityKind]string{}
	for _, k := range sarhad.EntityKinds() {
		e := sarhad.NewEntity(k)
		*e.EntityMeta() = sarhad.Meta{ID: sarhad.StableID(k, "every type"), Kind: k, CreatedAt: clock, UpdatedAt: clock, Handling: h}
		if p, ok := e.(*sarhad.Person); ok { // TRAFFICKED names the person a victim (Relationship.NamedVictim)
			p.Victim = &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupUnknown}
		}
		cs.Put, ids[k] = append(cs.Put, e), e.EntityMeta().ID
	}
	for _, t := range sarhad.RelationTypes() {
	pairs:
		for _, from := range sarhad.EntityKinds() {
			for _, to := range sarhad.EntityKinds() {
				if t.Joins(from, to) {
					cs.Link = append(cs.Link, &sarhad.Relationship{Meta: sarhad.Meta{ID: sarhad.StableID("", "every type "+string(t)),
						CreatedAt: clock, UpdatedAt: clock, Handling: h}, Type: t, From: ids[from], To: ids[to]})
					break pairs
				}
			}
		}
	}
	return cs
}

// The batches of the bulk benchmarks: bulkEntities new entities and bulkRels new relationships each.
const bulkEntities, bulkRels = 5000, 20000

// openBulk opens the store on an emptied database that has relationships of every type and one
// batch of entities (returned) for the first batch's relationships to join, as the system viewer.
func openBulk(b *testing.B) (*neo4jstore.Store, context.Context, []sarhad.Entity) {
	b.Helper()
	needNeo4j(b)
	emptyDatabase(b)
	s := open(b)
	ctx := sarhad.NewContext(context.Background(), sarhad.SystemViewer())
	prev := bulkChangeSet(-1, bulkEntities, 0, nil).Put
	for _, cs := range []*sarhad.ChangeSet{everyType(), {Put: prev}} {
		if _, err := s.Apply(ctx, cs); err != nil {
			s.Close()
			b.Fatal(err)
		}
	}
	return s, ctx, prev
}

// BenchmarkApplyBulk applies import batches of 5,000 new entities and 20,000 new relationships
// each, to a database that has relationships of every type, and reports relationships (and
// entities) per second.
func BenchmarkApplyBulk(b *testing.B) {
	s, ctx, prev := openBulk(b)
	defer s.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		cs := bulkChangeSet(i, bulkEntities, bulkRels, prev)
		b.StartTimer()
		res, err := s.Apply(ctx, cs)
		if err != nil {
			b.Fatal(err)
		}
		if res.Created != bulkEntities+bulkRels {
			b.Fatalf("created %d of %d", res.Created, bulkEntities+bulkRels)
		}
		prev = cs.Put
	}
	b.ReportMetric(float64(b.N*bulkRels)/b.Elapsed().Seconds(), "rels/s")
	b.ReportMetric(float64(b.N*bulkEntities)/b.Elapsed().Seconds(), "entities/s")
}

// BenchmarkCreateFloor is the floor of BenchmarkApplyBulk: the same batches, with exactly the
// nodes and relationships Apply writes for them (Apply writes each batch, the benchmark reads the
// records back with their labels, types and properties, deletes them, and only then starts the
// clock), created again in one transaction by plain UNWIND statements — one per label and one per
// relationship type, matching the ends by id — with no reads, no plan and no policy. The difference
// between the two benchmarks' rels/s is what Apply adds; the floor is what this Neo4j does with
// the store's records and schema on the machine.
func BenchmarkCreateFloor(b *testing.B) {
	s, ctx, prev := openBulk(b)
	defer s.Close()
	driver, err := neo4j.NewDriverWithContext(neo4jEnv.Config.URI, neo4j.NoAuth())
	if err != nil {
		b.Fatal(err)
	}
	defer driver.Close(ctx)
	write := func(work func(tx neo4j.ManagedTransaction) error) {
		b.Helper()
		session := driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: neo4jEnv.Config.Database})
		defer session.Close(ctx)
		if _, err := session.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) { return nil, work(tx) }); err != nil {
			b.Fatal(err)
		}
	}
	collect := func(tx neo4j.ManagedTransaction, query string, params map[string]any) []*neo4j.Record {
		res, err := tx.Run(ctx, query, params)
		if err != nil {
			b.Fatal(err)
		}
		records, err := res.Collect(ctx)
		if err != nil {
			b.Fatal(err)
		}
		return records
	}
	var elapsed time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		cs := bulkChangeSet(i, bulkEntities, bulkRels, prev)
		if _, err := s.Apply(ctx, cs); err != nil {
			b.Fatal(err)
		}
		var nodeIDs []string
		for _, e := range cs.Put {
			nodeIDs = append(nodeIDs, e.EntityMeta().ID)
		}
		relIDs := map[sarhad.RelationType][]string{}
		for _, r := range cs.Link {
			relIDs[r.Type] = append(relIDs[r.Type], r.ID)
		}
		nodes := map[string][]any{}              // label → properties
		links := map[sarhad.RelationType][]any{} // type → {from, to, props}
		write(func(tx neo4j.ManagedTransaction) error {
			for t, ids := range relIDs {
				for _, r := range collect(tx, `UNWIND $ids AS id MATCH (f)-[r:`+string(t)+` {id: id}]->(t)
					WITH f.id AS f, t.id AS t, properties(r) AS p, r DELETE r RETURN f, t, p`, map[string]any{"ids": ids}) {
					links[t] = append(links[t], map[string]any{"f": r.Values[0], "t": r.Values[1], "p": r.Values[2]})
				}
			}
			for _, r := range collect(tx, `UNWIND $ids AS id MATCH (e:Entity {id: id})
				WITH [l IN labels(e) WHERE l <> 'Entity'][0] AS label, properties(e) AS p, e DETACH DELETE e
				RETURN label, p`, map[string]any{"ids": nodeIDs}) {
				label := r.Values[0].(string)
				nodes[label] = append(nodes[label], r.Values[1])
			}
			return nil
		})
		b.StartTimer()
		start := time.Now()
		write(func(tx neo4j.ManagedTransaction) error {
			for label, rows := range nodes {
				collect(tx, "UNWIND $rows AS row CREATE (e:Entity:"+label+") SET e = row", map[string]any{"rows": rows})
			}
			for t, rows := range links {
				collect(tx, `UNWIND $rows AS row MATCH (f:Entity {id: row.f}) MATCH (t:Entity {id: row.t})
					CREATE (f)-[r:`+string(t)+`]->(t) SET r = row.p`, map[string]any{"rows": rows})
			}
			return nil
		})
		elapsed += time.Since(start)
		prev = cs.Put
	}
	b.ReportMetric(float64(b.N*bulkRels)/elapsed.Seconds(), "rels/s")
	b.ReportMetric(float64(b.N*bulkEntities)/elapsed.Seconds(), "entities/s")
}

// BenchmarkAudit appends audit entries from 1 and 8 concurrent requests (storetest.BenchmarkAudit).
func BenchmarkAudit(b *testing.B) {
	needNeo4j(b)
	s := open(b)
	defer s.Close()
	storetest.BenchmarkAudit(b, s)
}
