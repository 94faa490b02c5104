package graph_test

import (
	"context"
	"strings"
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

// A relationship that ties a protected victim shows those who see the victim under a pseudonym
// neither its note nor its source key or reference, which a writer or a source system may have
// made of the victim's name, identity number or story; it says it is redacted. Those cleared for
// the victim read it whole, and a tie between two suspects keeps its note for everyone. Only the
// cleared may rewrite the tie: an uncleared writer's link under its key is refused, whether it
// would change the note or leave it as it is (an answer of unchanged would confirm a guess).
func TestRelationshipOfAProtectedVictimWithholdsItsNoteAndKeys(t *testing.T) {
	e := newEnv(t)
	cleared := &sarhad.Viewer{Subject: "inv-pii", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: "PAK",
		Org: investigator.Org, Clearances: []string{sarhad.ClearanceVictimPII}}
	ctx := sarhad.NewContext(context.Background(), cleared)
	released := &sarhad.Handling{TLP: sarhad.TLPGreen, ReleasableTo: []string{"IRN"}}
	victim, err := e.svc.Create(ctx, &sarhad.Person{Name: "Shazia Parveen", Victim: &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult}},
		sarhad.WriteOptions{Handling: released})
	if err != nil {
		t.Fatal(err)
	}
	recruiter := e.create(&sarhad.Person{Name: "Tariq Mehmood"}, released)
	partner := e.create(&sarhad.Person{Name: "Javed Iqbal"}, released)
	const secretNote, secretKey = "met her brother Imran at the Quetta bus stand", "CNIC-35202-1234567-8"
	link := func(v *sarhad.Viewer, from, to, note, key string) *response {
		return e.do(v, `mutation($from: ID!, $to: ID!, $note: String!, $key: String!) {
			link(input: {type: RECRUITED, from: $from, to: $to, note: $note, sourceKey: $key, handling: {tlp: GREEN, releasableTo: ["IRN"]}}) {
				relationship { id } } }`, map[string]any{"from": from, "to": to, "note": note, "key": key}, nil)
	}
	if r := link(cleared, recruiter, victim.EntityMeta().ID, secretNote, secretKey); len(r.Errors) > 0 {
		t.Fatalf("the cleared investigator's link: %+v", r.Errors)
	}
	if r := link(investigator, recruiter, partner, "recruits together", "R-2"); len(r.Errors) > 0 {
		t.Fatalf("the suspects' tie: %+v", r.Errors)
	}

	type tie struct {
		ToID                       string
		Note, SourceKey, SourceRef *string
		Redacted                   bool
	}
	read := func(v *sarhad.Viewer) map[string]tie {
		var out struct {
			Node struct{ Relationships []tie }
		}
		e.mustDo(v, `query($id: ID!) { node(id: $id) { ... on Person { relationships(types: [RECRUITED]) {
			toId note sourceKey sourceRef redacted } } } }`, map[string]any{"id": recruiter}, &out)
		ties := map[string]tie{}
		for _, r := range out.Node.Relationships {
			ties[r.ToID] = r
		}
		return ties
	}
	str := func(s *string) string {
		if s == nil {
			return "<null>"
		}
		return *s
	}
	for _, v := range []*sarhad.Viewer{investigator, iranOfficer} {
		ties := read(v)
		got, ok := ties[victim.EntityMeta().ID]
		if !ok {
			t.Fatalf("%s does not see the tie to the victim: %+v", v.Subject, ties)
		}
		if got.Note != nil || got.SourceKey != nil || got.SourceRef != nil || !got.Redacted {
			t.Errorf("%s reads the tie to the victim with note %s, key %s, ref %s, redacted %v; want them withheld and redacted",
				v.Subject, str(got.Note), str(got.SourceKey), str(got.SourceRef), got.Redacted)
		}
		if other := ties[partner]; str(other.Note) != "recruits together" || str(other.SourceKey) != "R-2" || other.Redacted {
			t.Errorf("%s reads the suspects' tie with note %s, key %s, redacted %v; want them whole", v.Subject,
				str(other.Note), str(other.SourceKey), other.Redacted)
		}
	}
	if got := read(cleared)[victim.EntityMeta().ID]; str(got.Note) != secretNote || str(got.SourceKey) != secretKey || got.Redacted {
		t.Errorf("the cleared investigator reads note %s, key %s, redacted %v; want them whole", str(got.Note), str(got.SourceKey), got.Redacted)
	}

	for _, note := range []string{"", secretNote} {
		if r := link(investigator, recruiter, victim.EntityMeta().ID, note, secretKey); r.code() != sarhad.EFORBIDDEN {
			t.Errorf("the uncleared investigator's link under the tie's key with note %q: %+v, want FORBIDDEN", note, r.Errors)
		}
	}
	if got := read(cleared)[victim.EntityMeta().ID]; str(got.Note) != secretNote {
		t.Errorf("after the refused links the note is %s", str(got.Note))
	}
	if r := link(cleared, recruiter, victim.EntityMeta().ID, "met at the bus stand", secretKey); len(r.Errors) > 0 {
		t.Errorf("the cleared investigator's change of the note: %+v", r.Errors)
	}
}

// The fields a relationship of a victim withholds (note, sourceKey, sourceRef, redacted) read its
// ends once for all four, however many are asked: a relationship outside any list (a mutation's
// payload) costs at most one store call more with them than without, and a list of ties, whose
// ends the list reads anyway, none.
func TestWithheldFieldsReadTheEndsOnce(t *testing.T) {
	e := newEnv(t)
	cleared := sarhad.NewContext(context.Background(), piiLHR)
	victim, err := e.svc.Create(cleared, &sarhad.Person{Name: "Shazia Bibi", Victim: &sarhad.VictimDetails{}}, sarhad.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	suspect := e.create(&sarhad.Person{Name: "Tariq Mehmood"}, nil)
	other := e.create(&sarhad.Person{Name: "Javed Iqbal"}, nil)
	e.link(sarhad.RelRecruited, suspect, victim.EntityMeta().ID, sarhad.RelationProps{Note: "met at the bus stand"})
	calls := func(query string, vars map[string]any) int {
		e.store.reset()
		e.mustDo(investigator, query, vars, nil)
		return e.store.reset()
	}
	const link = `mutation($from: ID!, $to: ID!) { link(input: {type: ASSOCIATE_OF, from: $from, to: $to}) { relationship { id %s } } }`
	const withheld = "note sourceKey sourceRef redacted"
	bare := calls(strings.Replace(link, "%s", "", 1), map[string]any{"from": suspect, "to": other})
	full := calls(strings.Replace(link, "%s", withheld, 1), map[string]any{"from": other, "to": suspect})
	if full > bare+1 {
		t.Errorf("a link's payload: %d store calls with the withheld fields, %d without; want at most one more", full, bare)
	}
	const list = `{ persons(first: 50) { nodes { relationships { id %s } } } }`
	if bare, full := calls(strings.Replace(list, "%s", "", 1), nil), calls(strings.Replace(list, "%s", withheld, 1), nil); full > bare {
		t.Errorf("a list of ties: %d store calls with the withheld fields, %d without", full, bare)
	}
}
