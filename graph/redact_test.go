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
