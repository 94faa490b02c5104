package neo4j_test

import (
	"context"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/sarhad/sarhad"
	neo4jstore "github.com/sarhad/sarhad/store/neo4j"
)

// A victim's phone stays hidden when the victim's node lacks a property the victim-identifier rule
// reads (Apply always writes them; data loaded another way may not): a null must never make a
// victim's identifier visible.
func TestVictimIdentifierHiddenWhenAHolderLacksAProperty(t *testing.T) {
	needNeo4j(t)
	for _, missing := range []string{"victim", "originOrg"} {
		t.Run(missing, func(t *testing.T) {
			emptyDatabase(t)
			s := open(t)
			defer s.Close()
			sys := sarhad.NewContext(context.Background(), sarhad.SystemViewer())
			victim := fiaPerson("holder victim", "Rokeya Begum")
			victim.Victim = &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult}
			victim.Handling.TLP = sarhad.TLPClear // so that only the victim-identifier rule can hide the phone
			phone := &sarhad.Phone{Meta: victim.Meta, Number: "+923001234567"}
			phone.ID, phone.Kind = sarhad.StableID(sarhad.KindPhone, "holder phone"), sarhad.KindPhone
			uses := &sarhad.Relationship{Meta: victim.Meta, Type: sarhad.RelUses, From: victim.ID, To: phone.ID}
			uses.ID, uses.Kind = sarhad.StableID("", "holder uses"), ""
			if _, err := s.Apply(sys, &sarhad.ChangeSet{Put: []sarhad.Entity{victim, phone}, Link: []*sarhad.Relationship{uses}}); err != nil {
				t.Fatal(err)
			}
			removeProperty(t, victim.ID, missing)
			// A viewer of the phone's organisation without the clearance, and a cleared viewer of another
			// organisation to whom the phone is released.
			for _, v := range []*sarhad.Viewer{
				{Subject: "fia", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: "PAK", Org: "FIA"},
				{Subject: "anf", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: "PAK", Org: "ANF", Clearances: []string{sarhad.ClearanceVictimPII}},
			} {
				got, err := s.Entities(sarhad.NewContext(context.Background(), v), []string{phone.ID})
				if err != nil {
					t.Fatal(err)
				}
				if got[0] != nil {
					t.Errorf("%s sees the victim's phone when the victim's node lacks %s", v.Subject, missing)
				}
			}
		})
	}
}

// removeProperty removes a property of the node with id, as data loaded without Apply may lack it.
func removeProperty(t *testing.T, id, prop string) {
	t.Helper()
	cfg := neo4jEnv.Config
	driver, err := neo4j.NewDriverWithContext(cfg.URI, neo4j.NoAuth())
	if err != nil {
		t.Fatal(err)
	}
	defer driver.Close(context.Background())
	db := cfg.Database
	if db == "" {
		db = neo4jstore.DefaultDatabase
	}
	_, err = neo4j.ExecuteQuery(context.Background(), driver, "MATCH (n:Entity {id: $id}) REMOVE n."+prop,
		map[string]any{"id": id}, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(db))
	if err != nil {
		t.Fatal(err)
	}
}
