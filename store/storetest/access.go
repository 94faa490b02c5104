package storetest

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sarhad/sarhad"
)

// accessFixture is a small graph under every marking: two hubs everyone sees, a person under each
// marking tied to a hub, and hub-to-hub relationships under each marking.
type accessFixture struct {
	hubs     []*sarhad.Person
	records  []*sarhad.Person // one per marking, all named "Tariq …"
	rels     []*sarhad.Relationship
	handling map[string]sarhad.Handling // entity id → marking
}

// markings are the markings of the access fixture: every TLP with several release lists from the
// FIA, and a few from other agencies.
func markings() map[string]sarhad.Handling {
	out := map[string]sarhad.Handling{}
	releases := map[string][]string{"none": nil, "irn": {"IRN"}, "grc": {"GRC"}, "pak-irn-grc": {"GRC", "IRN", "PAK"}}
	for _, tlp := range sarhad.TLPs {
		for name, rel := range releases {
			out[fmt.Sprintf("fia %s %s", strings.ToLower(string(tlp)), name)] = fia(tlp, rel...)
		}
	}
	out["irn amber pak"] = handling(orgIran, countryIRN, sarhad.TLPAmber, "PAK")
	out["irn red"] = handling(orgIran, countryIRN, sarhad.TLPRed)
	out["grc green irn"] = handling(orgGreece, countryGRC, sarhad.TLPGreen, "IRN")
	out["grc amber-strict pak"] = handling(orgGreece, countryGRC, sarhad.TLPAmberStrict, "PAK")
	out["punjab amber none"] = handling(orgPunjab, countryPAK, sarhad.TLPAmber)
	return out
}

func newAccessFixture() *accessFixture {
	f := &accessFixture{handling: map[string]sarhad.Handling{}}
	for i := range 2 {
		hub := person(fmt.Sprintf("hub-%d", i), fmt.Sprintf("Tariq Hub %d", i), fia(sarhad.TLPClear))
		f.hubs = append(f.hubs, hub)
		f.handling[hub.ID] = hub.Handling
	}
	ms := markings()
	names := make([]string, 0, len(ms))
	for name := range ms {
		names = append(names, name)
	}
	slices.Sort(names)
	for i, name := range names {
		h := ms[name]
		rec := person("record "+name, "Tariq "+name, h)
		f.records = append(f.records, rec)
		f.handling[rec.ID] = h
		// A CLEAR tie to the first hub, from or to the record, whose visibility is the record's.
		from, to := f.hubs[0].ID, rec.ID
		if i%2 == 1 {
			from, to = to, from
		}
		f.rels = append(f.rels, link("end "+name, sarhad.RelAssociateOf, from, to, fia(sarhad.TLPClear)))
		// A tie between the hubs under the marking itself.
		f.rels = append(f.rels, link("own "+name, sarhad.RelAssociateOf, f.hubs[0].ID, f.hubs[1].ID, h))
	}
	return f
}

func (f *accessFixture) entities() []sarhad.Entity {
	var es []sarhad.Entity
	for _, p := range append(slices.Clone(f.hubs), f.records...) {
		es = append(es, p)
	}
	return es
}

func (f *accessFixture) load(t *testing.T, s sarhad.Store) {
	t.Helper()
	es := f.entities()
	cloned := make([]sarhad.Entity, len(es))
	for i, e := range es {
		cloned[i] = clone(t, e)
	}
	rs := make([]*sarhad.Relationship, len(f.rels))
	for i, r := range f.rels {
		rs[i] = cloneRelationship(r)
	}
	load(t, s, cloned, rs)
}

// relVisible is the reference rule for relationships: hidden when it or either end is hidden.
func (f *accessFixture) relVisible(v *sarhad.Viewer, r *sarhad.Relationship) bool {
	return r.Handling.Visible(v) && f.handling[r.From].Visible(v) && f.handling[r.To].Visible(v)
}

func testAccess(t *testing.T, h *harness) {
	f := newAccessFixture()
	t.Run("ReferencePolicy", func(t *testing.T) { checkReferencePolicy(t) })

	s := h.store(t)
	f.load(t, s)
	for _, nv := range policyViewers() {
		t.Run("Read/"+nv.name, func(t *testing.T) { checkVisibleReads(t, s, f, nv.v) })
	}
	for _, nv := range policyViewers() {
		t.Run("Write/"+nv.name, func(t *testing.T) {
			s := h.store(t) // writes change the fixture: each viewer gets its own
			f.load(t, s)
			checkWrites(t, s, f, nv.v)
		})
	}
}

// checkReferencePolicy pins a few answers of sarhad.Handling.Visible, so that the expectations the
// suite computes from it cannot silently degenerate.
func checkReferencePolicy(t *testing.T) {
	cases := []struct {
		h    sarhad.Handling
		v    *sarhad.Viewer
		want bool
	}{
		{fia(sarhad.TLPRed), fiaInvestigator(), true},
		{fia(sarhad.TLPRed, "PAK"), punjabAnalyst(), false},
		{fia(sarhad.TLPAmberStrict, "IRN"), iranLiaison(), false},
		{fia(sarhad.TLPAmber, "IRN"), iranLiaison(), true},
		{fia(sarhad.TLPAmber, "IRN"), iranAdmin(), true},
		{fia(sarhad.TLPAmber, "IRN"), greekLiaison(), false},
		{fia(sarhad.TLPGreen, "GRC"), greekLiaison(), true},
		{fia(sarhad.TLPGreen), punjabAnalyst(), false},
		{fia(sarhad.TLPClear), greekLiaison(), true},
		{handling(orgIran, countryIRN, sarhad.TLPRed), iranLiaison(), true},
		{handling(orgIran, countryIRN, sarhad.TLPRed), fiaInvestigator(), false},
	}
	for _, tc := range cases {
		if got := tc.h.Visible(tc.v); got != tc.want {
			t.Errorf("Handling%+v.Visible(%s) = %v, want %v", tc.h, tc.v.Subject, got, tc.want)
		}
	}
}

func checkVisibleReads(t *testing.T, s sarhad.Store, f *accessFixture, v *sarhad.Viewer) {
	ctx := as(t.Context(), v)
	es := f.entities()
	var wantIDs []string
	for _, e := range es {
		if e.EntityMeta().Handling.Visible(v) {
			wantIDs = append(wantIDs, e.EntityMeta().ID)
		}
	}
	slices.Sort(wantIDs)
	if len(wantIDs) == len(es) || len(wantIDs) <= len(f.hubs) {
		t.Fatalf("fixture degenerate for %s: sees %d of %d records", v.Subject, len(wantIDs), len(es))
	}

	t.Run("Entities", func(t *testing.T) {
		ids := entityIDs(es)
		got, err := s.Entities(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]string, len(ids))
		for i, e := range es {
			want[i] = "<nil>"
			if e.EntityMeta().Handling.Visible(v) {
				want[i] = ids[i]
			}
		}
		equalIDs(t, "Entities", entityIDs(got), want)
	})

	t.Run("ListEntities", func(t *testing.T) {
		page := allOfKind(t, ctx, s, sarhad.KindPerson)
		equalIDs(t, "ListEntities items", entityIDs(page.Entities), wantIDs)
		if page.TotalCount != len(wantIDs) || page.HasNextPage {
			t.Errorf("TotalCount = %d, HasNextPage = %v; want %d, false", page.TotalCount, page.HasNextPage, len(wantIDs))
		}
		small, err := s.ListEntities(ctx, sarhad.ListQuery{Kind: sarhad.KindPerson, Page: sarhad.Page{First: 2}})
		if err != nil {
			t.Fatal(err)
		}
		if small.TotalCount != len(wantIDs) || !small.HasNextPage {
			t.Errorf("first page of 2: TotalCount = %d, HasNextPage = %v; want %d, true", small.TotalCount, small.HasNextPage, len(wantIDs))
		}
	})

	t.Run("MatchNames", func(t *testing.T) {
		got := matchNames(t, ctx, s, nameQuery("Tariq"))
		equalIDs(t, "MatchNames(Tariq)", sorted(entityIDs(got)), wantIDs)
		// A search for a hidden record's own name does not find it either.
		for _, rec := range f.records {
			if rec.Handling.Visible(v) {
				continue
			}
			got := matchNames(t, ctx, s, nameQuery(rec.Name))
			if slices.Contains(entityIDs(got), rec.ID) {
				t.Errorf("MatchNames(%q) found a hidden record", rec.Name)
			}
		}
	})

	var wantRels []string
	for _, r := range f.rels {
		if f.relVisible(v, r) {
			wantRels = append(wantRels, r.ID)
		}
	}
	slices.Sort(wantRels)

	t.Run("Relationships", func(t *testing.T) {
		for _, dir := range []sarhad.Direction{sarhad.DirBoth, sarhad.DirOut, sarhad.DirIn} {
			got, err := s.Relationships(ctx, sarhad.RelationshipQuery{Anchors: []string{f.hubs[0].ID, f.hubs[1].ID}, Direction: dir})
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, r := range f.rels {
				if !f.relVisible(v, r) {
					continue
				}
				isHub := func(id string) bool { return id == f.hubs[0].ID || id == f.hubs[1].ID }
				if dir == sarhad.DirBoth || dir == sarhad.DirOut && isHub(r.From) || dir == sarhad.DirIn && isHub(r.To) {
					want = append(want, r.ID)
				}
			}
			slices.Sort(want)
			equalIDs(t, fmt.Sprintf("Relationships(hubs, %s)", dir), relationshipIDs(got), want)
		}
		// Anchored at every record: the hidden ones are no anchors at all.
		got, err := s.Relationships(ctx, sarhad.RelationshipQuery{Anchors: entityIDs(es[len(f.hubs):]), Direction: sarhad.DirBoth})
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, r := range f.rels {
			if f.relVisible(v, r) && (r.From != f.hubs[0].ID || r.To != f.hubs[1].ID) {
				want = append(want, r.ID)
			}
		}
		slices.Sort(want)
		equalIDs(t, "Relationships(records, BOTH)", relationshipIDs(got), want)
	})

	t.Run("Neighbours", func(t *testing.T) {
		hubs := []string{f.hubs[0].ID, f.hubs[1].ID}
		for _, dir := range []sarhad.Direction{sarhad.DirBoth, sarhad.DirOut, sarhad.DirIn} {
			q := sarhad.RelationshipQuery{Anchors: hubs, Direction: dir}
			want, err := s.Relationships(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			got, ends, err := s.Neighbours(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			equalIDs(t, fmt.Sprintf("Neighbours(hubs, %s) relationships", dir), relationshipIDs(got), relationshipIDs(want))
			// The ends are the entities reached from a hub along dir, each once, as Entities gives them.
			var reached []string
			for _, r := range want {
				if dir != sarhad.DirIn && slices.Contains(hubs, r.From) {
					reached = append(reached, r.To)
				}
				if dir != sarhad.DirOut && slices.Contains(hubs, r.To) {
					reached = append(reached, r.From)
				}
			}
			slices.Sort(reached)
			reached = slices.Compact(reached)
			equalIDs(t, fmt.Sprintf("Neighbours(hubs, %s) ends", dir), sorted(entityIDs(ends)), reached)
			byEntities, err := s.Entities(ctx, reached)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range ends {
				i := slices.Index(reached, e.EntityMeta().ID)
				if i < 0 || !reflect.DeepEqual(e, byEntities[i]) {
					t.Errorf("Neighbours end %s differs from what Entities returns", e.EntityMeta().ID)
				}
			}
		}
	})

	t.Run("RelationshipsAmong", func(t *testing.T) {
		// A set of anchors: the hubs and every other record.
		set := []string{f.hubs[0].ID, f.hubs[1].ID}
		for i, e := range es[len(f.hubs):] {
			if i%2 == 0 {
				set = append(set, e.EntityMeta().ID)
			}
		}
		all, err := s.Relationships(ctx, sarhad.RelationshipQuery{Anchors: set, Direction: sarhad.DirBoth})
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, r := range all {
			if slices.Contains(set, r.From) && slices.Contains(set, r.To) {
				want = append(want, r.ID)
			}
		}
		if len(want) == 0 || len(want) == len(all) {
			t.Fatalf("fixture degenerate: %d of %d relationships within the set", len(want), len(all))
		}
		for _, dir := range []sarhad.Direction{sarhad.DirBoth, sarhad.DirOut, sarhad.DirIn} {
			got, err := s.Relationships(ctx, sarhad.RelationshipQuery{Anchors: set, Direction: dir, Among: true})
			if err != nil {
				t.Fatal(err)
			}
			equalIDs(t, fmt.Sprintf("Relationships(set, %s, among)", dir), relationshipIDs(got), want)
		}
	})

	t.Run("RelationshipsByID", func(t *testing.T) {
		ids := relationshipIDs(f.rels)
		got, err := s.RelationshipsByID(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]string, len(ids))
		for i, r := range f.rels {
			want[i] = "<nil>"
			if f.relVisible(v, r) {
				want[i] = r.ID
			}
		}
		equalIDs(t, "RelationshipsByID", relationshipIDs(got), want)
	})
}

// checkWrites checks, for every record and relationship of the fixture, that a write by v is
// NOT_FOUND when v cannot see the target, FORBIDDEN when v sees but may not edit it, and succeeds
// otherwise.
func checkWrites(t *testing.T, s sarhad.Store, f *accessFixture, v *sarhad.Viewer) {
	ctx := as(t.Context(), v)
	expect := func(visible bool, h sarhad.Handling) string {
		switch {
		case !visible:
			return sarhad.ENOTFOUND
		case !sarhad.CanEdit(v, h):
			return sarhad.EFORBIDDEN
		}
		return ""
	}
	check := func(t *testing.T, what string, cs *sarhad.ChangeSet, want string, wantRes sarhad.ApplyResult) {
		t.Helper()
		res, err := s.Apply(ctx, cs)
		if got := sarhad.ErrorCode(err); got != want {
			t.Errorf("%s: error %v (code %q), want code %q", what, err, got, want)
			return
		}
		if err == nil && *res != wantRes {
			t.Errorf("%s: ApplyResult %+v, want %+v", what, *res, wantRes)
		}
	}

	t.Run("PutOverExisting", func(t *testing.T) {
		for _, e := range f.entities() {
			p := clone(t, e.(*sarhad.Person))
			p.Occupation, p.UpdatedBy = "edited by "+v.Subject, v.Subject
			check(t, "Put "+p.Name, &sarhad.ChangeSet{Put: []sarhad.Entity{p}},
				expect(p.Handling.Visible(v), p.Handling), sarhad.ApplyResult{Updated: 1})
		}
	})

	t.Run("LinkToEnd", func(t *testing.T) {
		for i, rec := range f.records {
			from, to := f.hubs[0].ID, rec.ID
			if i%2 == 0 {
				from, to = to, from
			}
			r := link("new by "+v.Subject+" "+rec.Name, sarhad.RelFamilyOf, from, to, handling(v.Org, v.Country, sarhad.TLPAmber))
			want := ""
			if !rec.Handling.Visible(v) {
				want = sarhad.ENOTFOUND
			}
			check(t, "Link to "+rec.Name, &sarhad.ChangeSet{Link: []*sarhad.Relationship{r}}, want, sarhad.ApplyResult{Created: 1})
		}
	})

	t.Run("RelinkExisting", func(t *testing.T) {
		for _, r := range f.rels {
			c := cloneRelationship(r)
			c.RelationProps.Note, c.UpdatedBy = "relinked by "+v.Subject, v.Subject
			check(t, "Link over "+r.ID, &sarhad.ChangeSet{Link: []*sarhad.Relationship{c}},
				expect(f.relVisible(v, r), r.Handling), sarhad.ApplyResult{Updated: 1})
		}
	})

	t.Run("Unlink", func(t *testing.T) {
		for _, r := range f.rels {
			check(t, "Unlink "+r.ID, &sarhad.ChangeSet{Unlink: []string{r.ID}},
				expect(f.relVisible(v, r), r.Handling), sarhad.ApplyResult{Deleted: 1})
		}
		// What v could not remove is still there for its originators.
		got, err := s.RelationshipsByID(asSystem(t.Context()), relationshipIDs(f.rels))
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range f.rels {
			if removed := got[i] == nil; removed != (expect(f.relVisible(v, r), r.Handling) == "") {
				t.Errorf("relationship %s: removed = %v after Unlink by %s", r.ID, removed, v.Subject)
			}
		}
	})
}
