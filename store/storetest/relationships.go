package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
)

// relFixture: persons a, b, c and organisation o, everything CLEAR.
//
//	r1 a ─ASSOCIATE_OF→ b    r2 b ─ASSOCIATE_OF→ c    r3 a ─MEMBER_OF→ o
//	r4 c ─FAMILY_OF→ a       r5 b ─MEMBER_OF→ o       r6 a ─PAID→ c (every property set)
type relFixture struct {
	a, b, c *sarhad.Person
	o       *sarhad.Organization
	rels    map[string]*sarhad.Relationship
}

func newRelFixture() *relFixture {
	h := fia(sarhad.TLPClear)
	f := &relFixture{
		a: person("rel a", "Aslam Jatoi", h), b: person("rel b", "Babar Awan", h), c: person("rel c", "Chaudhry Nisar", h),
		o:    &sarhad.Organization{Meta: envelope(sarhad.KindOrganization, "rel o", h), Name: "Jatoi Group", Category: sarhad.OrgCriminalNetwork},
		rels: map[string]*sarhad.Relationship{},
	}
	add := func(key string, typ sarhad.RelationType, from, to string) *sarhad.Relationship {
		r := link(key, typ, from, to, h)
		f.rels[key] = r
		return r
	}
	add("r1", sarhad.RelAssociateOf, f.a.ID, f.b.ID)
	add("r2", sarhad.RelAssociateOf, f.b.ID, f.c.ID)
	add("r3", sarhad.RelMemberOf, f.a.ID, f.o.ID).RelationProps.Role = "financier"
	add("r4", sarhad.RelFamilyOf, f.c.ID, f.a.ID).RelationProps.Role = "cousin"
	add("r5", sarhad.RelMemberOf, f.b.ID, f.o.ID)
	r6 := add("r6", sarhad.RelPaid, f.a.ID, f.c.ID)
	r6.RelationProps = sarhad.RelationProps{Role: "agent fee", Since: "2023-01-01", Until: "2023-12-31", Date: "2023-03-04",
		Amount: &sarhad.Money{Amount: 1250000, Currency: "PKR"}, Order: 3, Mode: sarhad.ModeSea, Weight: 0.75,
		Note: "Paid through a hawala dealer"}
	r6.Handling = fia(sarhad.TLPAmber, "GRC", "IRN")
	r6.SourceIDs, r6.SourceKey = []string{sarhad.StableID(sarhad.KindSource, "ledger")}, "ledger-17"
	r6.CreatedBy, r6.UpdatedAt, r6.UpdatedBy = "creator", t0.Add(2*time.Hour), "editor"
	return f
}

func (f *relFixture) load(t *testing.T, s sarhad.Store) {
	t.Helper()
	var rs []*sarhad.Relationship
	for _, key := range []string{"r1", "r2", "r3", "r4", "r5", "r6"} {
		rs = append(rs, cloneRelationship(f.rels[key]))
	}
	load(t, s, []sarhad.Entity{clone(t, f.a), clone(t, f.b), clone(t, f.c), clone(t, f.o)}, rs)
}

// ids returns the sorted ids of the fixture relationships named by keys.
func (f *relFixture) ids(keys string) []string {
	var out []string
	for _, k := range strings.Fields(keys) {
		out = append(out, f.rels[k].ID)
	}
	return sorted(out)
}

func testRelationships(t *testing.T, h *harness) {
	f := newRelFixture()
	s := h.store(t)
	f.load(t, s)
	ctx := as(t.Context(), iranLiaison())
	missing := sarhad.StableID(sarhad.KindPerson, "rel missing")

	t.Run("Query", func(t *testing.T) {
		cases := []struct {
			name    string
			anchors []string
			dir     sarhad.Direction
			types   []sarhad.RelationType
			want    string
		}{
			{"Out", []string{f.a.ID}, sarhad.DirOut, nil, "r1 r3 r6"},
			{"In", []string{f.a.ID}, sarhad.DirIn, nil, "r4"},
			{"Both", []string{f.a.ID}, sarhad.DirBoth, nil, "r1 r3 r4 r6"},
			{"Types", []string{f.a.ID}, sarhad.DirBoth, []sarhad.RelationType{sarhad.RelAssociateOf, sarhad.RelFamilyOf}, "r1 r4"},
			{"TypeNotPresent", []string{f.a.ID}, sarhad.DirBoth, []sarhad.RelationType{sarhad.RelSmuggled}, ""},
			{"BothEndsAnchorsOnce", []string{f.a.ID, f.b.ID}, sarhad.DirBoth, nil, "r1 r2 r3 r4 r5 r6"},
			{"AllAnchorsOnce", []string{f.c.ID, f.b.ID, f.a.ID, f.o.ID}, sarhad.DirBoth, nil, "r1 r2 r3 r4 r5 r6"},
			{"RepeatedAnchor", []string{f.a.ID, f.a.ID}, sarhad.DirOut, nil, "r1 r3 r6"},
			{"MembersIn", []string{f.o.ID}, sarhad.DirIn, []sarhad.RelationType{sarhad.RelMemberOf}, "r3 r5"},
			{"NothingOut", []string{f.o.ID}, sarhad.DirOut, nil, ""},
			{"MissingAnchor", []string{missing}, sarhad.DirBoth, nil, ""},
			{"NoAnchors", nil, sarhad.DirBoth, nil, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.Relationships(ctx, sarhad.RelationshipQuery{Anchors: tc.anchors, Direction: tc.dir, Types: tc.types})
				if err != nil {
					t.Fatal(err)
				}
				equalIDs(t, "Relationships", relationshipIDs(got), f.ids(tc.want))
			})
		}
	})

	t.Run("AsStored", func(t *testing.T) {
		got, err := s.Relationships(ctx, sarhad.RelationshipQuery{Anchors: []string{f.c.ID}, Direction: sarhad.DirIn,
			Types: []sarhad.RelationType{sarhad.RelPaid}})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("got %d PAID relationships, want 1", len(got))
		}
		sameRelationship(t, f.rels["r6"], got[0])
	})

	t.Run("ByID", func(t *testing.T) {
		ids := []string{f.rels["r6"].ID, relID("never linked"), f.rels["r1"].ID, f.rels["r6"].ID}
		got, err := s.RelationshipsByID(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		equalIDs(t, "RelationshipsByID", relationshipIDs(got), []string{ids[0], "<nil>", ids[2], ids[3]})
		if len(got) == 4 {
			sameRelationship(t, f.rels["r6"], got[0])
			sameRelationship(t, f.rels["r1"], got[2])
		}
		if none, err := s.RelationshipsByID(ctx, nil); err != nil || len(none) != 0 {
			t.Errorf("RelationshipsByID(nil) = %v, %v; want none", none, err)
		}
	})

	t.Run("Relink", func(t *testing.T) {
		s := h.store(t)
		f.load(t, s)
		ctx := asSystem(t.Context())
		same := cloneRelationship(f.rels["r3"])
		same.UpdatedAt = t0.Add(time.Hour) // a retry's new stamp changes nothing
		if res := mustApply(t, ctx, s, &sarhad.ChangeSet{Link: []*sarhad.Relationship{same}}); *res != (sarhad.ApplyResult{Unchanged: 1}) {
			t.Errorf("same link again: %+v, want Unchanged 1", *res)
		}
		changed := cloneRelationship(f.rels["r3"])
		changed.RelationProps.Role, changed.RelationProps.Since = "leader", "2021-05-01"
		changed.UpdatedAt, changed.UpdatedBy = t0.Add(time.Hour), "editor"
		if res := mustApply(t, ctx, s, &sarhad.ChangeSet{Link: []*sarhad.Relationship{changed}}); *res != (sarhad.ApplyResult{Updated: 1}) {
			t.Errorf("changed link: %+v, want Updated 1", *res)
		}
		got, err := s.RelationshipsByID(ctx, []string{changed.ID})
		if err != nil {
			t.Fatal(err)
		}
		sameRelationship(t, changed, got[0])

		moved := cloneRelationship(f.rels["r3"])
		moved.From = f.b.ID
		_, err = s.Apply(ctx, &sarhad.ChangeSet{Link: []*sarhad.Relationship{moved}})
		wantCode(t, err, sarhad.ECONFLICT)
	})

	t.Run("Unlink", func(t *testing.T) {
		s := h.store(t)
		f.load(t, s)
		ctx := asSystem(t.Context())
		r1 := f.rels["r1"]
		if res := mustApply(t, ctx, s, &sarhad.ChangeSet{Unlink: []string{r1.ID}}); *res != (sarhad.ApplyResult{Deleted: 1}) {
			t.Errorf("Unlink: %+v, want Deleted 1", *res)
		}
		got, err := s.Relationships(ctx, sarhad.RelationshipQuery{Anchors: []string{f.a.ID}, Direction: sarhad.DirOut})
		if err != nil {
			t.Fatal(err)
		}
		equalIDs(t, "after Unlink", relationshipIDs(got), f.ids("r3 r6"))
		byID, err := s.RelationshipsByID(ctx, []string{r1.ID})
		if err != nil {
			t.Fatal(err)
		}
		if byID[0] != nil {
			t.Errorf("an unlinked relationship is still found by id")
		}
		ends, err := s.Entities(ctx, []string{f.a.ID, f.b.ID})
		if err != nil || ends[0] == nil || ends[1] == nil {
			t.Errorf("Unlink removed its ends: %v, %v", entityIDs(ends), err)
		}
		_, err = s.Apply(ctx, &sarhad.ChangeSet{Unlink: []string{r1.ID}})
		wantCode(t, err, sarhad.ENOTFOUND)
	})

	t.Run("ApplyResultCounts", func(t *testing.T) {
		s := h.store(t)
		f.load(t, s)
		ctx := asSystem(t.Context())
		d := person("rel d", "Dilawar Khan", fia(sarhad.TLPClear))
		e := person("rel e", "Ehsan Ullah", fia(sarhad.TLPClear))
		renamedB := clone(t, f.b)
		renamedB.Name = "Babar Khan Awan"
		changedR2 := cloneRelationship(f.rels["r2"])
		changedR2.RelationProps.Note = "cousins"
		res := mustApply(t, ctx, s, &sarhad.ChangeSet{
			Put: []sarhad.Entity{d, e, clone(t, f.a), renamedB},
			Link: []*sarhad.Relationship{
				link("rel d-e", sarhad.RelAssociateOf, d.ID, e.ID, fia(sarhad.TLPClear)),
				cloneRelationship(f.rels["r1"]), changedR2,
			},
			Unlink: []string{f.rels["r5"].ID, f.rels["r4"].ID},
		})
		if want := (sarhad.ApplyResult{Created: 3, Updated: 2, Unchanged: 2, Deleted: 2}); *res != want {
			t.Errorf("ApplyResult = %+v, want %+v", *res, want)
		}
	})
}
