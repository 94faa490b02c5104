package ingest_test

import (
	"context"
	"testing"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/ingest"
)

// An import under the key of a record the importer may not see answers as an import under an
// unused key: the row is created, under an alternate id (sarhad.KeyedIDs), and the hidden record is
// left as it was. Otherwise the answer would tell that the hidden record exists: that a phone
// number is a victim's, that another organisation holds a RED record under a key.

// uncleared is an investigator of the importing organisation without the victim clearance: the
// phones victims hold are hidden from them.
var uncleared = &sarhad.Viewer{Subject: "inv-u", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Org: org, Country: country}

// victimWithPhone imports, as the system, a victim using phone PH-V and suspects P-1 and P-2.
func victimWithPhone(t *testing.T) (sarhad.Store, context.Context) {
	t.Helper()
	st, sys := openStore(t), systemContext(t)
	_, paths := writeFiles(t, map[string]string{
		"persons.csv":       "key,name,gender,victim.ageGroup\nV-1,Rokeya Begum,FEMALE,ADULT\nP-1,Asif Iqbal,MALE,\nP-2,Zahid Mengal,MALE,\n",
		"phones.csv":        "key,number\nPH-V,0300 1234567\n",
		"relationships.csv": "key,type,from.kind,from.key,to.kind,to.key\nR-V,USES,PERSON,V-1,PHONE,PH-V\nR-1,USES,PERSON,P-1,PHONE,PH-V\n",
	})
	if rep := run(t, sys, st, paths, options(clock1)); len(rep.Rejected) > 0 {
		t.Fatalf("setup: %v", rep.Rejected)
	}
	ctx := sarhad.NewContext(t.Context(), uncleared)
	if es, err := st.Entities(ctx, []string{id(sarhad.KindPhone, "PH-V")}); err != nil || es[0] != nil {
		t.Fatalf("setup: the victim's phone is visible to the uncleared investigator (%v)", err)
	}
	return st, ctx
}

// phoneNumber returns the number of the phone with id as the store holds it.
func phoneNumber(t *testing.T, st sarhad.Store, phoneID string) string {
	t.Helper()
	es, err := st.Entities(systemContext(t), []string{phoneID})
	if err != nil || es[0] == nil {
		t.Fatalf("phone %s: %v, %v", phoneID, es, err)
	}
	return es[0].(*sarhad.Phone).Number
}

func TestImportUnderTheKeyOfAHiddenEntity(t *testing.T) {
	st, ctx := victimWithPhone(t)
	_, probe := writeFiles(t, map[string]string{
		"phones.csv":        "key,number\nPH-V,0300 7654321\nPH-NONE,0300 7654322\n",
		"relationships.csv": "type,from.kind,from.key,to.kind,to.key\nUSES,PERSON,P-2,PHONE,PH-V\n",
	})
	rep := run(t, ctx, st, probe, ingest.Options{})
	// Two phones and the relationship; the files' sources are those of the setup's files of the same names.
	if len(rep.Rejected) > 0 || rep.Created != 3 {
		t.Fatalf("import under the hidden key: %+v, want every row created", rep)
	}
	if got := phoneNumber(t, st, id(sarhad.KindPhone, "PH-V")); got != "+923001234567" {
		t.Errorf("the victim's phone now has number %s", got)
	}
	// The investigator's PH-V is a phone of their own, which P-2 uses.
	rels, err := st.Relationships(ctx, sarhad.RelationshipQuery{Anchors: []string{id(sarhad.KindPerson, "P-2")}, Direction: sarhad.DirOut})
	if err != nil || len(rels) != 1 {
		t.Fatalf("P-2's relationships: %v, %v", rels, err)
	}
	if mine := rels[0].To; mine == id(sarhad.KindPhone, "PH-V") || phoneNumber(t, st, mine) != "+923007654321" {
		t.Errorf("P-2 uses %s, want the investigator's own PH-V", mine)
	}
	// Imported again, the files change nothing, and a later file names the same PH-V by its key.
	if rep := run(t, ctx, st, probe, ingest.Options{}); len(rep.Rejected) > 0 || rep.Created+rep.Updated != 0 {
		t.Errorf("second import: %+v, want nothing created or updated", rep)
	}
	_, later := writeFiles(t, map[string]string{"relationships.csv": "type,from.kind,from.key,to.kind,to.key\nUSES,PERSON,P-1,PHONE,PH-V\n"})
	if rep := run(t, ctx, st, later, ingest.Options{}); len(rep.Rejected) > 0 || rep.Created != 1 {
		t.Errorf("a later file naming PH-V: %+v, want the relationship created", rep)
	}
}

// FollowTheMoney keys phones by their number: the number of a victim's phone is no probe.
func TestImportFtMWithTheNumberOfAHiddenPhone(t *testing.T) {
	st, sys := openStore(t), systemContext(t)
	_, paths := writeFiles(t, map[string]string{
		"persons.csv":       "key,name,gender,victim.ageGroup\nV-1,Rokeya Begum,FEMALE,ADULT\n",
		"phones.csv":        "key,number\nphone:+923001112223,0300 1112223\n",
		"relationships.csv": "type,from.kind,from.key,to.kind,to.key\nUSES,PERSON,V-1,PHONE,phone:+923001112223\n",
	})
	if rep := run(t, sys, st, paths, options(clock1)); len(rep.Rejected) > 0 {
		t.Fatalf("setup: %v", rep.Rejected)
	}
	_, ftm := writeFiles(t, map[string]string{"probe.ftm.json": `{"id":"s1","schema":"Person","properties":{"name":["Asif Iqbal"],"phone":["+923001112223"]}}
{"id":"s2","schema":"Person","properties":{"name":["Zahid Mengal"],"phone":["+923009998887"]}}
`})
	rep := run(t, sarhad.NewContext(t.Context(), uncleared), st, ftm, ingest.Options{})
	if len(rep.Rejected) > 0 || rep.Created != 7 { // two persons, two phones, two USES, the source
		t.Errorf("FtM with the number of a victim's phone: %+v, want every record created", rep)
	}
}

// An administrator may import records for another organisation, but sees its RED records no more
// than anyone else.
func TestImportUnderTheKeyOfAnotherOrganisationsHiddenRecord(t *testing.T) {
	st, sys := openStore(t), systemContext(t)
	_, paths := writeFiles(t, map[string]string{"persons.csv": "key,name,tlp\nSECRET-1,Hidden Informant,RED\n"})
	if rep := run(t, sys, st, paths, options(clock1)); len(rep.Rejected) > 0 {
		t.Fatalf("setup: %v", rep.Rejected)
	}
	admin := sarhad.NewContext(t.Context(), &sarhad.Viewer{Subject: "adm-1", Roles: []sarhad.Role{sarhad.RoleAdmin}, Org: "FIA-HQ", Country: country})
	_, probe := writeFiles(t, map[string]string{"persons.csv": "key,name,originatorOrg\nSECRET-1,Asif Iqbal," + org + "\nSECRET-2,Zahid Mengal," + org + "\n"})
	if rep := run(t, admin, st, probe, ingest.Options{}); len(rep.Rejected) > 0 || rep.Created != 3 { // two persons, the source
		t.Errorf("import under the key of a RED record: %+v, want both rows created", rep)
	}
	es, err := st.Entities(sys, []string{id(sarhad.KindPerson, "SECRET-1")})
	if err != nil || es[0] == nil || es[0].(*sarhad.Person).Name != "Hidden Informant" {
		t.Errorf("the RED record is now %v (%v)", es, err)
	}
}

// The key of a relationship hidden from the importer (its end is a victim's phone) is no probe.
func TestImportUnderTheKeyOfAHiddenRelationship(t *testing.T) {
	st, ctx := victimWithPhone(t)
	if rs, err := st.RelationshipsByID(ctx, []string{relID("R-1")}); err != nil || rs[0] != nil {
		t.Fatalf("setup: R-1 is visible (%v)", err)
	}
	_, probe := writeFiles(t, map[string]string{"relationships.csv": "key,type,from.kind,from.key,to.kind,to.key\n" +
		"R-1,ASSOCIATE_OF,PERSON,P-1,PERSON,P-2\nR-2,ASSOCIATE_OF,PERSON,P-2,PERSON,P-1\n"})
	for _, atomic := range []bool{false, true} {
		rep := run(t, ctx, st, probe, ingest.Options{Atomic: atomic})
		if len(rep.Rejected) > 0 {
			t.Errorf("atomic %v: %v, want no rejection", atomic, rep.Rejected)
		}
	}
	rs, err := st.RelationshipsByID(systemContext(t), []string{relID("R-1")})
	if err != nil || rs[0] == nil || rs[0].Type != sarhad.RelUses {
		t.Errorf("the hidden relationship is now %v (%v)", rs, err)
	}
}
