package neo4j_test

import (
	"context"
	"testing"

	"github.com/sarhad/sarhad"
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
			// As data loaded without Apply may lack it.
			cypherWrite(t, "MATCH (n:Entity {id: $id}) REMOVE n."+missing, map[string]any{"id": victim.ID})
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
