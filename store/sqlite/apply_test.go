package sqlite_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
)

var fiaClear = sarhad.Handling{OriginatorOrg: "FIA", OriginatorCountry: "PAK", TLP: sarhad.TLPClear}

func testMeta(kind sarhad.EntityKind, key string) sarhad.Meta {
	return sarhad.Meta{ID: sarhad.StableID(kind, key), Kind: kind, CreatedAt: clock, CreatedBy: "loader",
		UpdatedAt: clock, UpdatedBy: "loader", Handling: fiaClear}
}

func testPerson(key, name string) *sarhad.Person {
	return &sarhad.Person{Meta: testMeta(sarhad.KindPerson, key), Name: name, Gender: sarhad.GenderUnknown}
}

func testLink(key string, typ sarhad.RelationType, from, to string) *sarhad.Relationship {
	return &sarhad.Relationship{Meta: sarhad.Meta{ID: sarhad.StableID("", key), CreatedAt: clock, CreatedBy: "loader",
		UpdatedAt: clock, UpdatedBy: "loader", Handling: fiaClear}, Type: typ, From: from, To: to}
}

func mustApply(t *testing.T, ctx context.Context, s sarhad.Store, cs *sarhad.ChangeSet, want sarhad.ApplyResult) {
	t.Helper()
	res, err := s.Apply(ctx, cs)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if *res != want {
		t.Fatalf("Apply = %+v, want %+v", *res, want)
	}
}

func applyFails(t *testing.T, ctx context.Context, s sarhad.Store, cs *sarhad.ChangeSet, code string) {
	t.Helper()
	res, err := s.Apply(ctx, cs)
	if got := sarhad.ErrorCode(err); got != code {
		t.Fatalf("Apply = %+v, %v (code %q), want code %s", res, err, got, code)
	}
}

// TestSourceRef checks that Meta.SourceRef is written, read back by every query that returns
// records, and counts as a change.
func TestSourceRef(t *testing.T) {
	s := open(t, t.TempDir())
	defer s.Close()
	ctx := sarhad.NewContext(t.Context(), sarhad.SystemViewer())
	a, b := testPerson("ref a", "Ghulam Rasool"), testPerson("ref b", "Noor Ahmed")
	a.SourceKey, a.SourceRef = "P-12", "persons.csv:12"
	r := testLink("ref a-b", sarhad.RelAssociateOf, a.ID, b.ID)
	r.SourceKey, r.SourceRef = "R-3", "relationships.csv:3"
	mustApply(t, ctx, s, &sarhad.ChangeSet{Put: []sarhad.Entity{a, b}, Link: []*sarhad.Relationship{r}}, sarhad.ApplyResult{Created: 3})

	check := func(wantA, wantB, wantR string) {
		t.Helper()
		es, err := s.Entities(ctx, []string{a.ID, b.ID})
		if err != nil || es[0] == nil || es[1] == nil {
			t.Fatalf("Entities = %v, %v", es, err)
		}
		if got := es[0].EntityMeta().SourceRef; got != wantA {
			t.Errorf("Entities: SourceRef %q, want %q", got, wantA)
		}
		if got := es[1].EntityMeta().SourceRef; got != wantB {
			t.Errorf("Entities: SourceRef of b %q, want %q", got, wantB)
		}
		page, err := s.ListEntities(ctx, sarhad.ListQuery{Kind: sarhad.KindPerson, Page: sarhad.Page{First: 10}})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Entities {
			if want := map[string]string{a.ID: wantA, b.ID: wantB}[e.EntityMeta().ID]; e.EntityMeta().SourceRef != want {
				t.Errorf("ListEntities: SourceRef of %s %q, want %q", e.EntityMeta().ID, e.EntityMeta().SourceRef, want)
			}
		}
		found, err := s.MatchNames(ctx, sarhad.NameQuery{Groups: sarhad.QueryTerms("Ghulam Rasool"), Limit: 10})
		if err != nil || len(found) != 1 || found[0].EntityMeta().SourceRef != wantA {
			t.Errorf("MatchNames = %v, %v; want a with SourceRef %q", found, err, wantA)
		}
		byID, err := s.RelationshipsByID(ctx, []string{r.ID})
		if err != nil || byID[0] == nil || byID[0].SourceRef != wantR {
			t.Errorf("RelationshipsByID = %v, %v; want SourceRef %q", byID, err, wantR)
		}
		rels, err := s.Relationships(ctx, sarhad.RelationshipQuery{Anchors: []string{a.ID}, Direction: sarhad.DirBoth})
		if err != nil || len(rels) != 1 || rels[0].SourceRef != wantR {
			t.Errorf("Relationships = %v, %v; want one with SourceRef %q", rels, err, wantR)
		}
	}
	check("persons.csv:12", "", "relationships.csv:3")

	// The same records again change nothing, even read from other lines (an updated file whose
	// rows moved): the reference is kept until the record changes, and then replaced.
	mustApply(t, ctx, s, &sarhad.ChangeSet{Put: []sarhad.Entity{a, b}, Link: []*sarhad.Relationship{r}}, sarhad.ApplyResult{Unchanged: 3})
	a.SourceRef, b.SourceRef, r.SourceRef = "persons-2.csv:7", "persons-2.csv:8", "relationships-2.csv:9"
	mustApply(t, ctx, s, &sarhad.ChangeSet{Put: []sarhad.Entity{a, b}, Link: []*sarhad.Relationship{r}}, sarhad.ApplyResult{Unchanged: 3})
	check("persons.csv:12", "", "relationships.csv:3")
	a.Name, r.Note = a.Name+" Jr", "seen again"
	mustApply(t, ctx, s, &sarhad.ChangeSet{Put: []sarhad.Entity{a, b}, Link: []*sarhad.Relationship{r}}, sarhad.ApplyResult{Updated: 2, Unchanged: 1})
	check("persons-2.csv:7", "", "relationships-2.csv:9")
}

// TestApplyInOrder checks that a change set is applied as its items, in order, would be one by one:
// each item sees what the items before it did.
func TestApplyInOrder(t *testing.T) {
	system := sarhad.NewContext(t.Context(), sarhad.SystemViewer())
	investigator := sarhad.NewContext(t.Context(), &sarhad.Viewer{Subject: "inv", Roles: []sarhad.Role{sarhad.RoleInvestigator},
		Country: "PAK", Org: "FIA"})
	victimOfficer := sarhad.NewContext(t.Context(), &sarhad.Viewer{Subject: "vo", Roles: []sarhad.Role{sarhad.RoleInvestigator},
		Country: "PAK", Org: "FIA", Clearances: []string{sarhad.ClearanceVictimPII}})
	t1 := clock.Add(time.Hour)

	t.Run("PutTwice", func(t *testing.T) {
		dir := t.TempDir()
		s := open(t, dir)
		first := testPerson("twice", "Arshad Mengal")
		second := testPerson("twice", "Sarfraz Bugti")
		second.CreatedAt, second.CreatedBy, second.UpdatedAt, second.UpdatedBy = t1, "other", t1, "editor"
		mustApply(t, system, s, &sarhad.ChangeSet{Put: []sarhad.Entity{first, second, second}},
			sarhad.ApplyResult{Created: 1, Updated: 1, Unchanged: 1})
		es, err := s.Entities(system, []string{first.ID})
		if err != nil || es[0] == nil {
			t.Fatalf("Entities = %v, %v", es, err)
		}
		got := es[0].(*sarhad.Person)
		if got.Name != second.Name || !got.CreatedAt.Equal(clock) || got.CreatedBy != "loader" || !got.UpdatedAt.Equal(t1) || got.UpdatedBy != "editor" {
			t.Errorf("stored %+v; want the second put with the first's creation", got)
		}
		for text, want := range map[string]int{"Arshad Mengal": 0, "Sarfraz Bugti": 1} {
			if found, err := s.MatchNames(system, sarhad.NameQuery{Groups: sarhad.QueryTerms(text), Limit: 10}); err != nil || len(found) != want {
				t.Errorf("MatchNames(%q) = %d, %v; want %d", text, len(found), err, want)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		checkIntegrity(t, dir)
	})

	t.Run("LinkThenUnlink", func(t *testing.T) {
		s := open(t, t.TempDir())
		defer s.Close()
		a, b := testPerson("lu a", "Aslam"), testPerson("lu b", "Bashir")
		old := testLink("lu old", sarhad.RelAssociateOf, a.ID, b.ID)
		mustApply(t, system, s, &sarhad.ChangeSet{Put: []sarhad.Entity{a, b}, Link: []*sarhad.Relationship{old}}, sarhad.ApplyResult{Created: 3})
		fresh := testLink("lu new", sarhad.RelFamilyOf, a.ID, b.ID)
		changed := testLink("lu old", sarhad.RelAssociateOf, a.ID, b.ID)
		changed.Note = "changed, then removed"
		mustApply(t, system, s, &sarhad.ChangeSet{Link: []*sarhad.Relationship{fresh, changed}, Unlink: []string{fresh.ID, old.ID}},
			sarhad.ApplyResult{Created: 1, Updated: 1, Deleted: 2})
		if rs, err := s.RelationshipsByID(system, []string{fresh.ID, old.ID}); err != nil || rs[0] != nil || rs[1] != nil {
			t.Errorf("RelationshipsByID = %v, %v; want both gone", rs, err)
		}
		// An id unlinked twice is missing the second time: nothing is written.
		again := testLink("lu again", sarhad.RelAssociateOf, a.ID, b.ID)
		mustApply(t, system, s, &sarhad.ChangeSet{Link: []*sarhad.Relationship{again}}, sarhad.ApplyResult{Created: 1})
		applyFails(t, system, s, &sarhad.ChangeSet{Unlink: []string{again.ID, again.ID}}, sarhad.ENOTFOUND)
		if rs, err := s.RelationshipsByID(system, []string{again.ID}); err != nil || rs[0] == nil {
			t.Errorf("RelationshipsByID = %v, %v; a failed change set deleted", rs, err)
		}
	})

	t.Run("FirstErrorInOrder", func(t *testing.T) {
		s := open(t, t.TempDir())
		defer s.Close()
		a := testPerson("fe a", "Asif")
		redacted := testPerson("fe r", "Rafiq")
		redacted.Redacted = true
		missing := sarhad.StableID(sarhad.KindPerson, "fe missing")
		applyFails(t, system, s, &sarhad.ChangeSet{Put: []sarhad.Entity{a, redacted},
			Link: []*sarhad.Relationship{testLink("fe l", sarhad.RelAssociateOf, a.ID, missing)}}, sarhad.EFORBIDDEN)
		bad := testLink("fe bad", sarhad.RelAssociateOf, a.ID, missing)
		bad.ID = "rel_not-an-id"
		applyFails(t, system, s, &sarhad.ChangeSet{Put: []sarhad.Entity{a},
			Link: []*sarhad.Relationship{bad, testLink("fe l", sarhad.RelAssociateOf, a.ID, missing)}}, sarhad.EINVALID)
		applyFails(t, system, s, &sarhad.ChangeSet{Put: []sarhad.Entity{a},
			Link: []*sarhad.Relationship{testLink("fe l", sarhad.RelAssociateOf, a.ID, missing), bad}}, sarhad.ENOTFOUND)
		if es, err := s.Entities(system, []string{a.ID}); err != nil || es[0] != nil {
			t.Errorf("Entities = %v, %v; failed change sets wrote", es, err)
		}
	})

	// A victim's identifiers are hidden from viewers who may not see the victim's identifying
	// details, from the item that makes the victim a holder on: such a viewer may not write that
	// item (FORBIDDEN), which would hide the identifier from them.
	t.Run("VictimHolderWithinChangeSet", func(t *testing.T) {
		s := open(t, t.TempDir())
		defer s.Close()
		victim := testPerson("vh victim", "Shazia")
		victim.Victim = &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult}
		suspect := testPerson("vh suspect", "Tariq")
		phone := &sarhad.Phone{Meta: testMeta(sarhad.KindPhone, "vh phone"), Number: "+923001234567"}
		cs := func() *sarhad.ChangeSet {
			return &sarhad.ChangeSet{Put: []sarhad.Entity{victim, suspect, phone}, Link: []*sarhad.Relationship{
				testLink("vh uses", sarhad.RelUses, victim.ID, phone.ID),
				testLink("vh suspect uses", sarhad.RelUses, suspect.ID, phone.ID)}}
		}
		applyFails(t, investigator, s, cs(), sarhad.EFORBIDDEN)
		mustApply(t, victimOfficer, s, cs(), sarhad.ApplyResult{Created: 5})
		// The holder's relationship removed, the identifier is the investigator's again, in the
		// same change set; not before.
		other := testLink("vh other", sarhad.RelOwns, suspect.ID, phone.ID)
		applyFails(t, investigator, s, &sarhad.ChangeSet{Link: []*sarhad.Relationship{other}}, sarhad.ENOTFOUND)
		applyFails(t, investigator, s, &sarhad.ChangeSet{Unlink: []string{sarhad.StableID("", "vh uses")}}, sarhad.ENOTFOUND)
		mustApply(t, victimOfficer, s, &sarhad.ChangeSet{Unlink: []string{sarhad.StableID("", "vh uses")}}, sarhad.ApplyResult{Deleted: 1})
		mustApply(t, investigator, s, &sarhad.ChangeSet{Link: []*sarhad.Relationship{other}}, sarhad.ApplyResult{Created: 1})

		// A holder made a victim by a put hides the identifier for the links after it.
		holder := testPerson("vh suspect", "Tariq")
		holder.Victim = &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult}
		late := testLink("vh late", sarhad.RelUses, suspect.ID, phone.ID)
		applyFails(t, investigator, s, &sarhad.ChangeSet{Put: []sarhad.Entity{holder}, Link: []*sarhad.Relationship{late}}, sarhad.ENOTFOUND)
		mustApply(t, investigator, s, &sarhad.ChangeSet{Link: []*sarhad.Relationship{late}}, sarhad.ApplyResult{Created: 1})
	})
}

// TestApplyLarge applies change sets large enough to be encoded in the background.
func TestApplyLarge(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	ctx := sarhad.NewContext(t.Context(), &sarhad.Viewer{Subject: "inv", Roles: []sarhad.Role{sarhad.RoleInvestigator},
		Country: "PAK", Org: "FIA"})
	const n = 400
	cs := &sarhad.ChangeSet{}
	for i := range n {
		p := testPerson(fmt.Sprint("large ", i), fmt.Sprint("Large Person ", i))
		p.SourceRef = fmt.Sprintf("persons.csv:%d", i+2)
		cs.Put = append(cs.Put, p)
	}
	for i := range n {
		r := testLink(fmt.Sprint("large link ", i), sarhad.RelAssociateOf, cs.Put[i].EntityMeta().ID, cs.Put[(i+1)%n].EntityMeta().ID)
		r.SourceRef = fmt.Sprintf("relationships.csv:%d", i+2)
		cs.Link = append(cs.Link, r)
	}
	// A failing item late in a large change set: nothing is written.
	bad := *cs.Put[n-1].(*sarhad.Person)
	bad.Redacted = true
	failing := &sarhad.ChangeSet{Put: append(append([]sarhad.Entity{}, cs.Put...), &bad), Link: cs.Link}
	applyFails(t, ctx, s, failing, sarhad.EFORBIDDEN)
	if es, err := s.Entities(ctx, []string{cs.Put[0].EntityMeta().ID}); err != nil || es[0] != nil {
		t.Fatalf("Entities = %v, %v; a failed change set wrote", es, err)
	}
	mustApply(t, ctx, s, cs, sarhad.ApplyResult{Created: 2 * n})
	mustApply(t, ctx, s, cs, sarhad.ApplyResult{Unchanged: 2 * n})
	rels, err := s.Relationships(ctx, sarhad.RelationshipQuery{Anchors: []string{cs.Put[7].EntityMeta().ID}, Direction: sarhad.DirOut})
	if err != nil || len(rels) != 1 || rels[0].SourceRef != "relationships.csv:9" {
		t.Fatalf("Relationships = %v, %v", rels, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	checkIntegrity(t, dir)
}
