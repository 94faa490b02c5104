package neo4j_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/store/storetest"
)

// Neo4j reads without locks, so Apply locks the persons it must decide on before it reads them:
// a change set that names a person a victim, and one that removes the person's victim details,
// never both commit (sarhad.Relationship.NamedVictim). Each case holds the other change open in a
// transaction of its own, starts Apply, then commits that transaction: Apply must decide on the
// committed record, and refuse.
func TestNamedVictimsAreDecidedUnderLock(t *testing.T) {
	needNeo4j(t)
	sys := sarhad.NewContext(context.Background(), sarhad.SystemViewer())
	person := func() *sarhad.Person {
		p := fiaPerson("locked victim", "Rokeya Begum")
		p.Victim = &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult}
		return p
	}
	kase := &sarhad.Case{Meta: person().Meta, Reference: "FIR 9/2024", Agency: "FIA", Country: "PAK",
		Offences: []sarhad.Offence{sarhad.OffenceTrafficking}, Stage: sarhad.StageRegistered, RegisteredOn: "2024-11-01"}
	kase.ID, kase.Kind = sarhad.StableID(sarhad.KindCase, "locked case"), sarhad.KindCase
	party := func(key string) *sarhad.Relationship {
		r := &sarhad.Relationship{Meta: person().Meta, Type: sarhad.RelPartyTo, From: person().ID, To: kase.ID,
			RelationProps: sarhad.RelationProps{Role: string(sarhad.PartyVictim)}}
		r.ID, r.Kind = sarhad.StableID("", key), ""
		return r
	}
	cases := []struct {
		name  string
		other string            // the concurrent change, as Cypher
		cs    *sarhad.ChangeSet // what Apply is asked while it is open
	}{
		{"a victim named while their details go",
			`MATCH (p:Entity {id: $person}) SET p.victim = false`,
			&sarhad.ChangeSet{Link: []*sarhad.Relationship{party("locked party")}}},
		{"victim details removed while a relationship names the victim",
			`MATCH (p:Entity {id: $person}), (c:Entity {id: $case})
			CREATE (p)-[:PARTY_TO {id: $rel, role: 'VICTIM', props: '{"role":"VICTIM"}', originOrg: 'FIA', originCountry: 'PAK', tlp: 'AMBER'}]->(c)`,
			&sarhad.ChangeSet{Put: []sarhad.Entity{func() sarhad.Entity { p := person(); p.Victim = nil; return p }()}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			emptyDatabase(t)
			s := open(t)
			defer s.Close()
			if _, err := s.Apply(sys, &sarhad.ChangeSet{Put: []sarhad.Entity{person(), kase}}); err != nil {
				t.Fatal(err)
			}
			tx, closeTx := openTx(t)
			defer closeTx()
			if _, err := tx.Run(context.Background(), c.other, map[string]any{"person": person().ID, "case": kase.ID,
				"rel": sarhad.StableID("", "concurrent party")}); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				_, err := s.Apply(sys, c.cs)
				done <- err
			}()
			select {
			case err := <-done:
				t.Fatalf("Apply returned (%v) while the other change held the person", err)
			case <-time.After(300 * time.Millisecond): // Apply waits for the person's lock
			}
			if err := tx.Commit(context.Background()); err != nil {
				t.Fatal(err)
			}
			if err := <-done; sarhad.ErrorCode(err) != sarhad.EINVALID {
				t.Errorf("Apply after the other change committed: %v, want BAD_USER_INPUT", err)
			}
		})
	}
}

// openTx begins an explicit write transaction on the test database; closeTx rolls back what is
// not committed and closes the session and driver.
func openTx(t *testing.T) (neo4j.ExplicitTransaction, func()) {
	t.Helper()
	driver, db := testDriver(t)
	ctx := context.Background()
	session := driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: db, AccessMode: neo4j.AccessModeWrite})
	tx, err := session.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return tx, func() {
		tx.Close(ctx)
		session.Close(ctx)
		driver.Close(ctx)
	}
}

// TestUnrecordedVictims rewrites relationships in the database as a version before the named-victim
// rule, or a Cypher user, could have written them: the type and the role, both the role property and
// the one in the properties' JSON.
func TestUnrecordedVictims(t *testing.T) {
	needNeo4j(t)
	emptyDatabase(t)
	storetest.RunUnrecordedVictims(t, func(t *testing.T) sarhad.Store { return open(t) },
		func(t *testing.T, _ sarhad.Store, id string, typ sarhad.RelationType, role string) {
			got := cypherWrite(t, `MATCH ()-[r {id: $id}]->() RETURN r.props`, map[string]any{"id": id})
			if len(got) != 1 {
				t.Fatalf("rewriting %s: %d relationships", id, len(got))
			}
			raw, _ := got[0].Values[0].(string)
			var props map[string]any
			if err := json.Unmarshal([]byte(raw), &props); err != nil {
				t.Fatalf("rewriting %s: props %q: %v", id, raw, err)
			}
			var flat any // the role property: absent without a role
			if delete(props, "role"); role != "" {
				props["role"], flat = role, role
			}
			b, err := json.Marshal(props)
			if err != nil {
				t.Fatal(err)
			}
			// A relationship's type cannot change: one of the new type replaces it.
			cypherWrite(t, `MATCH (a)-[r {id: $id}]->(b)
				WITH a, b, r, properties(r) AS copied
				DELETE r
				CREATE (a)-[c:`+string(typ)+`]->(b) SET c = copied, c.props = $props, c.role = $role`,
				map[string]any{"id": id, "props": string(b), "role": flat})
		})
}
