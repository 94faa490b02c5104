package graph_test

import (
	"context"
	"testing"

	"github.com/sarhad/sarhad"
)

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
		var out struct {
			Node struct{ Name, SourceKey string }
		}
		e.mustDo(v, q, map[string]any{"id": victim.EntityMeta().ID}, &out)
		if out.Node.Name != sarhad.Pseudonym(victim.EntityMeta().ID) || out.Node.SourceKey != "" {
			t.Errorf("%s sees name %q, source key %q; want the pseudonym and no key", v.Subject, out.Node.Name, out.Node.SourceKey)
		}
	}
}

// A liaison officer without the clearance ties a victim's record of their own to a phone: the tie
// would hide the phone from them (a victim's identifiers are for those cleared for the victim's
// details), so that a write they cannot read back would be answered NOT_FOUND after it was made.
// It is refused (FORBIDDEN) and writes nothing: the FIA investigator still reads the phone.
func TestHolderLinkThatWouldHideTheIdentifierFromItsWriterIsRefused(t *testing.T) {
	e := newEnv(t)
	phone := e.create(&sarhad.Phone{Number: "+923001234567"}, &sarhad.Handling{TLP: sarhad.TLPGreen, ReleasableTo: []string{"IRN"}})
	irn := sarhad.NewContext(context.Background(), iranOfficer)
	own, err := e.svc.Create(irn, &sarhad.Person{Name: "Decoy", Victim: &sarhad.VictimDetails{}}, sarhad.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := e.do(iranOfficer, `mutation($from: ID!, $to: ID!) { link(input: {type: USES, from: $from, to: $to}) { relationship { id } } }`,
		map[string]any{"from": own.EntityMeta().ID, "to": phone}, nil)
	if r.code() != sarhad.EFORBIDDEN {
		t.Errorf("the officer's link: %+v, want FORBIDDEN", r.Errors)
	}
	var out struct{ Node *struct{ ID string } }
	e.mustDo(investigator, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": phone}, &out)
	if out.Node == nil {
		t.Error("the FIA investigator no longer reads the phone: the refused link was written")
	}
}
