package storetest

import (
	"context"
	"testing"

	"github.com/sarhad/sarhad"
)

// testSourceRef: the file and line an imported record was read from is kept and returned by every
// read; the same record read again from another line is unchanged (and keeps its reference), and a
// changed one takes the new reference.
func testSourceRef(t *testing.T, h *harness) {
	s := h.store(t)
	ctx := asSystem(context.Background())
	a, b := person("ref a", "Ghulam Rasool", fia(sarhad.TLPAmber, "PAK")), person("ref b", "Noor Ahmed", fia(sarhad.TLPAmber, "PAK"))
	a.SourceRef = "persons.csv:12"
	r := link("ref a-b", sarhad.RelAssociateOf, a.ID, b.ID, fia(sarhad.TLPAmber, "PAK"))
	r.SourceRef = "relationships.csv:3"
	mustApply(t, ctx, s, &sarhad.ChangeSet{Put: []sarhad.Entity{a, b}, Link: []*sarhad.Relationship{r}})

	check := func(wantA, wantR string) {
		t.Helper()
		es, err := s.Entities(ctx, []string{a.ID})
		if err != nil || es[0] == nil || es[0].EntityMeta().SourceRef != wantA {
			t.Errorf("Entities: %v, %v; want SourceRef %q", es, err, wantA)
		}
		page, err := s.ListEntities(ctx, sarhad.ListQuery{Kind: sarhad.KindPerson, Page: sarhad.Page{First: 10}})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Entities {
			if e.EntityMeta().ID == a.ID && e.EntityMeta().SourceRef != wantA {
				t.Errorf("ListEntities: SourceRef %q, want %q", e.EntityMeta().SourceRef, wantA)
			}
		}
		byID, err := s.RelationshipsByID(ctx, []string{r.ID})
		if err != nil || byID[0] == nil || byID[0].SourceRef != wantR {
			t.Errorf("RelationshipsByID: %v, %v; want SourceRef %q", byID, err, wantR)
		}
		rels, err := s.Relationships(ctx, sarhad.RelationshipQuery{Anchors: []string{a.ID}, Direction: sarhad.DirOut})
		if err != nil || len(rels) != 1 || rels[0].SourceRef != wantR {
			t.Errorf("Relationships: %v, %v; want one with SourceRef %q", rels, err, wantR)
		}
	}
	check("persons.csv:12", "relationships.csv:3")

	a.SourceRef, r.SourceRef = "persons.csv:40", "relationships.csv:41"
	if res := mustApply(t, ctx, s, &sarhad.ChangeSet{Put: []sarhad.Entity{a}, Link: []*sarhad.Relationship{r}}); res.Unchanged != 2 {
		t.Errorf("the same records from other lines: %+v, want 2 unchanged", res)
	}
	check("persons.csv:12", "relationships.csv:3")
	a.Name, r.Note = a.Name+" Baloch", "seen again"
	if res := mustApply(t, ctx, s, &sarhad.ChangeSet{Put: []sarhad.Entity{a}, Link: []*sarhad.Relationship{r}}); res.Updated != 2 {
		t.Errorf("changed records: %+v, want 2 updated", res)
	}
	check("persons.csv:40", "relationships.csv:41")
}
