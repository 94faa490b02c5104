package ingest_test

import (
	"testing"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/ingest"
)

// TestImportExplicitIDs: an id column names the record (the key becomes optional); a malformed id
// or one of another kind is rejected; only administrators create records under ids of their
// choosing; a victim under the pseudonym of its id does not overwrite the stored victim.
func TestImportExplicitIDs(t *testing.T) {
	st, ctx := openStore(t), systemContext(t)
	id, _ := keyedIDs(t, st)
	chosen := sarhad.StableID(sarhad.KindPerson, "elsewhere")
	victim := sarhad.StableID(sarhad.KindPerson, "victim")
	rel := sarhad.StableID("", "a tie")
	_, paths := writeFiles(t, map[string]string{
		"persons.csv": "id,key,name,victim.ageGroup\n" +
			chosen + ",,Chosen One,\n" +
			",P-2,Keyed,\n" +
			victim + ",V-1,Rokeya,ADULT\n" +
			sarhad.StableID(sarhad.KindPhone, "x") + ",P-4,Wrong Kind,\n" +
			"per_nonsense,P-5,Malformed,\n",
		"relationships.csv": "id,type,from.id,to.kind,to.key\n" + rel + ",ASSOCIATE_OF," + chosen + ",PERSON,P-2\n",
	})
	rep := run(t, ctx, st, paths, options(clock1))
	if len(rep.Rejected) != 2 || rep.Rejected[0].Field != "id" || rep.Rejected[1].Field != "id" {
		t.Fatalf("rejected:\n%s", lines(rep.Rejected))
	}
	g := readGraph(t, ctx, st)
	if p := g.entity(t, chosen).(*sarhad.Person); p.Name != "Chosen One" || p.SourceKey != "" {
		t.Errorf("chosen = %+v", p)
	}
	if p := g.entity(t, victim).(*sarhad.Person); p.SourceKey != "V-1" {
		t.Errorf("victim = %+v", p)
	}
	g.entity(t, id(sarhad.KindPerson, "P-2"))
	if r := g.rels[rel]; r == nil || r.From != chosen || r.To != id(sarhad.KindPerson, "P-2") || r.SourceKey != "" {
		t.Errorf("relationship = %+v", r)
	}

	// A redacted export's row cannot overwrite the victim, not even for the system viewer.
	_, paths = writeFiles(t, map[string]string{"persons.csv": "id,name,victim.ageGroup\n" + victim + "," + sarhad.Pseudonym(victim) + ",ADULT\n"})
	rep = run(t, ctx, st, paths, options(clock2))
	if len(rep.Rejected) != 1 || g.entity(t, victim).(*sarhad.Person).Name != "Rokeya" {
		t.Errorf("pseudonym over the victim: %s", lines(rep.Rejected))
	}

	// An investigator may update their records by id, not create records under chosen ids.
	investigator := &sarhad.Viewer{Subject: "inv-1", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Org: org, Country: country}
	ictx := sarhad.NewContext(t.Context(), investigator)
	_, paths = writeFiles(t, map[string]string{"persons.csv": "id,name\n" + chosen + ",Chosen Again\n" +
		sarhad.StableID(sarhad.KindPerson, "another") + ",Squatter\n"})
	rep = run(t, ictx, st, paths, ingest.Options{})
	if len(rep.Rejected) != 1 || rep.Rejected[0].Line != 3 || rep.Rejected[0].Field != "id" || rep.Updated != 1 {
		t.Errorf("report = %+v\n%s", rep, lines(rep.Rejected))
	}
	if p := readGraph(t, ctx, st).entity(t, chosen).(*sarhad.Person); p.Name != "Chosen Again" {
		t.Errorf("chosen = %+v", p)
	}
}
