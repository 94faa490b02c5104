package graph_test

import (
	"context"
	"testing"

	"github.com/sarhad/sarhad"
)

// A create or link under the source key of a record the viewer may not see succeeds as under an
// unused key, under an alternate id, and leaves the hidden record as it was: an error would tell
// that the record exists (here, that the number is a victim's phone).
func TestWriteUnderTheKeyOfAHiddenRecord(t *testing.T) {
	e := newEnv(t)
	clear := &sarhad.Handling{TLP: sarhad.TLPClear}
	cleared := sarhad.NewContext(context.Background(), &sarhad.Viewer{Subject: "inv-pii", Roles: []sarhad.Role{sarhad.RoleInvestigator},
		Country: "PAK", Org: investigator.Org, Clearances: []string{sarhad.ClearanceVictimPII}})
	victim, err := e.svc.Create(cleared, &sarhad.Person{Name: "Rokeya Begum", Victim: &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult}},
		sarhad.WriteOptions{Handling: clear})
	if err != nil {
		t.Fatal(err)
	}
	phone, err := e.svc.Create(cleared, &sarhad.Phone{Number: "+923001234567"}, sarhad.WriteOptions{Handling: clear, SourceKey: "PH-V"})
	if err != nil {
		t.Fatal(err)
	}
	uses, err := e.svc.Link(cleared, &sarhad.Relationship{Type: sarhad.RelUses, From: victim.EntityMeta().ID, To: phone.EntityMeta().ID},
		sarhad.WriteOptions{Handling: clear, SourceKey: "R-V"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := sarhad.NewContext(context.Background(), investigator) // no clearance: the phone is hidden
	a := e.create(&sarhad.Person{Name: "Asif Iqbal"}, clear)
	b := e.create(&sarhad.Person{Name: "Zahid Mengal"}, clear)
	for range 2 { // a retry answers alike
		mine, err := e.svc.Create(ctx, &sarhad.Phone{Number: "+923007654321"}, sarhad.WriteOptions{Handling: clear, SourceKey: "PH-V"})
		if err != nil || mine.EntityMeta().ID == phone.EntityMeta().ID {
			t.Fatalf("create under the hidden phone's key: %v, %v", mine, err)
		}
		tie, err := e.svc.Link(ctx, &sarhad.Relationship{Type: sarhad.RelAssociateOf, From: a, To: b}, sarhad.WriteOptions{Handling: clear, SourceKey: "R-V"})
		if err != nil || tie.ID == uses.ID {
			t.Fatalf("link under the hidden relationship's key: %v, %v", tie, err)
		}
	}
	sys := sarhad.NewContext(context.Background(), sarhad.SystemViewer())
	if got, err := e.store.Entities(sys, []string{phone.EntityMeta().ID}); err != nil || got[0].(*sarhad.Phone).Number != "+923001234567" {
		t.Errorf("the victim's phone is now %v (%v)", got, err)
	}
	if got, err := e.store.RelationshipsByID(sys, []string{uses.ID}); err != nil || got[0].Type != sarhad.RelUses {
		t.Errorf("the victim's USES is now %v (%v)", got, err)
	}
}

// A protected victim's source key is withheld with their name: a source system's key may be made of
// the name, an identity number or the birth date.
func TestRedactedVictimHasNoSourceKey(t *testing.T) {
	e := newEnv(t)
	cleared := sarhad.NewContext(context.Background(), &sarhad.Viewer{Subject: "inv-pii", Roles: []sarhad.Role{sarhad.RoleInvestigator},
		Country: "PAK", Org: investigator.Org, Clearances: []string{sarhad.ClearanceVictimPII}})
	victim, err := e.svc.Create(cleared, &sarhad.Person{Name: "Shazia Parveen", Victim: &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult}},
		sarhad.WriteOptions{Handling: &sarhad.Handling{TLP: sarhad.TLPGreen, ReleasableTo: []string{"IRN"}}, SourceKey: "shazia-parveen-2004-05-06"})
	if err != nil {
		t.Fatal(err)
	}
	const q = `query($id: ID!) { node(id: $id) { ... on Person { name sourceKey } } }`
	for _, v := range []*sarhad.Viewer{iranOfficer, investigator} {
		var out struct{ Node struct{ Name, SourceKey string } }
		e.mustDo(v, q, map[string]any{"id": victim.EntityMeta().ID}, &out)
		if out.Node.Name != sarhad.Pseudonym(victim.EntityMeta().ID) || out.Node.SourceKey != "" {
			t.Errorf("%s sees name %q, source key %q; want the pseudonym and no key", v.Subject, out.Node.Name, out.Node.SourceKey)
		}
	}
}
