package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sarhad/sarhad"
)

// listFixture is a handful of cases and the persons party to them. Everything is CLEAR but c6, pH
// and the relationship of p4, which are RED (the FIA's only): the Iranian liaison officer sees the
// rest, the FIA investigator everything.
//
//	p1 ─PARTY_TO(ACCUSED)→ c1    p2 ─PARTY_TO(WITNESS)→ c1    p2 ─PARTY_TO(ACCUSED)→ c2
//	p3 ─PARTY_TO(VICTIM)→ c3     pH ─PARTY_TO(ACCUSED)→ c4    p4 ═PARTY_TO(ACCUSED)═ c5 (RED)
//	p5 ─PARTY_TO(ACCUSED)→ c6    p3 ─ASSOCIATE_OF→ p1
//
// Conditions are checked for both viewers: a hidden end or relationship never satisfies OpRelated.
type listFixture struct {
	ids  map[string]string // fixture key → id
	es   []sarhad.Entity
	rels []*sarhad.Relationship
}

func newListFixture() *listFixture {
	f := &listFixture{ids: map[string]string{}}
	clear, red := fia(sarhad.TLPClear), fia(sarhad.TLPRed)
	kase := func(key string, stage sarhad.CaseStage, registered sarhad.Date, h sarhad.Handling, offences ...sarhad.Offence) {
		c := &sarhad.Case{Meta: envelope(sarhad.KindCase, key, h), Reference: "FIR " + key, Agency: "FIA AHTC Lahore",
			Country: "PAK", Offences: offences, Stage: stage, RegisteredOn: registered}
		f.ids[key] = c.ID
		f.es = append(f.es, c)
	}
	kase("c1", sarhad.StageRegistered, "2023-01-10", clear, sarhad.OffenceTrafficking)
	kase("c2", sarhad.StageUnderInvestigation, "2023-06-30", clear, sarhad.OffenceSmuggling)
	kase("c3", sarhad.StageConvicted, "2024-02-29", clear, sarhad.OffenceForgery, sarhad.OffenceTrafficking)
	kase("c4", sarhad.StageChargeSheeted, "2024-12-31", clear, sarhad.OffenceForgery, sarhad.OffenceSmuggling)
	kase("c5", sarhad.StageClosed, "2022-08-15", clear, sarhad.OffenceOther)
	kase("c6", sarhad.StageRegistered, "2024-05-01", red, sarhad.OffenceTrafficking)
	for _, key := range []string{"p1", "p2", "p3", "p4", "p5", "pH"} {
		h := clear
		if key == "pH" {
			h = red
		}
		p := person(key, "Person "+key, h)
		if key == "p3" { // a party with role VICTIM (Relationship.NamedVictim)
			p.Victim = &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult}
		}
		f.ids[key] = p.ID
		f.es = append(f.es, p)
	}
	rel := func(from string, typ sarhad.RelationType, to, role string, h sarhad.Handling) {
		r := link(from+" "+string(typ)+" "+to, typ, f.ids[from], f.ids[to], h)
		r.RelationProps.Role = role
		f.rels = append(f.rels, r)
	}
	rel("p1", sarhad.RelPartyTo, "c1", "ACCUSED", clear)
	rel("p2", sarhad.RelPartyTo, "c1", "WITNESS", clear)
	rel("p2", sarhad.RelPartyTo, "c2", "ACCUSED", clear)
	rel("p3", sarhad.RelPartyTo, "c3", "VICTIM", clear)
	rel("pH", sarhad.RelPartyTo, "c4", "ACCUSED", clear)
	rel("p4", sarhad.RelPartyTo, "c5", "ACCUSED", red)
	rel("p5", sarhad.RelPartyTo, "c6", "ACCUSED", clear)
	rel("p3", sarhad.RelAssociateOf, "p1", "", clear)
	return f
}

// keys turns fixture keys into their sorted ids.
func (f *listFixture) keys(t *testing.T, keys string) []string {
	t.Helper()
	var out []string
	for _, k := range strings.Fields(keys) {
		id, ok := f.ids[k]
		if !ok {
			t.Fatalf("no fixture %q", k)
		}
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

func testListEntities(t *testing.T, h *harness) {
	t.Run("Conditions", func(t *testing.T) { testConditions(t, h) })
	t.Run("Paging", func(t *testing.T) { testPaging(t, h) })
}

func testConditions(t *testing.T, h *harness) {
	f := newListFixture()
	s := h.store(t)
	load(t, s, f.es, f.rels)

	in := func(attr string, vs ...string) sarhad.Condition {
		return sarhad.Condition{Attr: attr, Op: sarhad.OpIn, Values: vs}
	}
	overlaps := func(attr string, vs ...string) sarhad.Condition {
		return sarhad.Condition{Attr: attr, Op: sarhad.OpOverlaps, Values: vs}
	}
	gte := func(attr, v string) sarhad.Condition {
		return sarhad.Condition{Attr: attr, Op: sarhad.OpGTE, Values: []string{v}}
	}
	lte := func(attr, v string) sarhad.Condition {
		return sarhad.Condition{Attr: attr, Op: sarhad.OpLTE, Values: []string{v}}
	}
	related := func(rel sarhad.RelationType, dir sarhad.Direction, roles ...string) sarhad.Condition {
		return sarhad.Condition{Op: sarhad.OpRelated, Rel: rel, Dir: dir, Values: roles}
	}
	relatedTo := func(rel sarhad.RelationType, dir sarhad.Direction, others string, roles ...string) sarhad.Condition {
		c := related(rel, dir, roles...)
		c.Others = f.keys(t, others)
		return c
	}
	const (
		partyTo   = sarhad.RelPartyTo
		associate = sarhad.RelAssociateOf
		out, into = sarhad.DirOut, sarhad.DirIn
	)
	cases := []struct {
		name      string
		kind      sarhad.EntityKind
		conds     []sarhad.Condition
		iran, fia string // the fixture keys each viewer gets
	}{
		{"NoCondition", sarhad.KindCase, nil, "c1 c2 c3 c4 c5", "c1 c2 c3 c4 c5 c6"},
		{"InScalar", sarhad.KindCase, []sarhad.Condition{in("stage", "REGISTERED", "CONVICTED")}, "c1 c3", "c1 c3 c6"},
		{"InNothing", sarhad.KindCase, []sarhad.Condition{in("stage", "ACQUITTED")}, "", ""},
		{"OverlapsOne", sarhad.KindCase, []sarhad.Condition{overlaps("offences", "FORGERY")}, "c3 c4", "c3 c4"},
		{"OverlapsAny", sarhad.KindCase, []sarhad.Condition{overlaps("offences", "PTPA_2018_TRAFFICKING", "OTHER")}, "c1 c3 c5", "c1 c3 c5 c6"},
		{"DateFromInclusive", sarhad.KindCase, []sarhad.Condition{gte("registeredOn", "2023-06-30")}, "c2 c3 c4", "c2 c3 c4 c6"},
		{"DateToInclusive", sarhad.KindCase, []sarhad.Condition{lte("registeredOn", "2023-06-30")}, "c1 c2 c5", "c1 c2 c5"},
		{"DateRange", sarhad.KindCase, []sarhad.Condition{gte("registeredOn", "2023-06-30"), lte("registeredOn", "2024-02-29")}, "c2 c3", "c2 c3"},
		{"AllConditionsApply", sarhad.KindCase, []sarhad.Condition{in("stage", "REGISTERED"), overlaps("offences", "PTPA_2018_TRAFFICKING")}, "c1", "c1 c6"},
		{"RelatedAnyRole", sarhad.KindCase, []sarhad.Condition{related(partyTo, into)}, "c1 c2 c3", "c1 c2 c3 c4 c5 c6"},
		{"RelatedRole", sarhad.KindCase, []sarhad.Condition{related(partyTo, into, "ACCUSED")}, "c1 c2", "c1 c2 c4 c5 c6"},
		{"RelatedRoles", sarhad.KindCase, []sarhad.Condition{related(partyTo, into, "VICTIM", "WITNESS")}, "c1 c3", "c1 c3"},
		{"RelatedWrongDirection", sarhad.KindCase, []sarhad.Condition{related(partyTo, out)}, "", ""},
		{"RelatedOut", sarhad.KindPerson, []sarhad.Condition{related(partyTo, out)}, "p1 p2 p3", "p1 p2 p3 p4 p5 pH"},
		{"RelatedOutRole", sarhad.KindPerson, []sarhad.Condition{related(partyTo, out, "ACCUSED")}, "p1 p2", "p1 p2 p4 p5 pH"},
		{"RelatedIn", sarhad.KindPerson, []sarhad.Condition{related(partyTo, into)}, "", ""},
		{"RelatedTypeOut", sarhad.KindPerson, []sarhad.Condition{related(associate, out)}, "p3", "p3"},
		{"RelatedTypeIn", sarhad.KindPerson, []sarhad.Condition{related(associate, into)}, "p1", "p1"},
		{"RelatedTwice", sarhad.KindPerson, []sarhad.Condition{related(partyTo, out, "WITNESS"), related(partyTo, out, "ACCUSED")}, "p2", "p2"},
		{"RelatedToOne", sarhad.KindPerson, []sarhad.Condition{relatedTo(partyTo, out, "c1")}, "p1 p2", "p1 p2"},
		{"RelatedToAny", sarhad.KindPerson, []sarhad.Condition{relatedTo(partyTo, out, "c2 c3")}, "p2 p3", "p2 p3"},
		{"RelatedToWithRole", sarhad.KindCase, []sarhad.Condition{relatedTo(partyTo, into, "p2 p3", "ACCUSED")}, "c2", "c2"},
		{"RelatedToWrongDirection", sarhad.KindPerson, []sarhad.Condition{relatedTo(associate, out, "p3")}, "", ""},
		{"RelatedToHiddenEntity", sarhad.KindCase, []sarhad.Condition{relatedTo(partyTo, into, "pH")}, "", "c4"},
		{"RelatedToHiddenCase", sarhad.KindPerson, []sarhad.Condition{relatedTo(partyTo, out, "c6")}, "", "p5"},
		{"RelatedToOverHiddenRelationship", sarhad.KindPerson, []sarhad.Condition{relatedTo(partyTo, out, "c5")}, "", "p4"},
		{"RelatedAndAttribute", sarhad.KindCase, []sarhad.Condition{related(partyTo, into, "ACCUSED"), lte("registeredOn", "2023-01-10")}, "c1", "c1 c5"},
	}
	for _, tc := range cases {
		for _, nv := range []struct {
			name string
			v    *sarhad.Viewer
			want string
		}{{"Iran", iranLiaison(), tc.iran}, {"FIA", fiaInvestigator(), tc.fia}} {
			t.Run(tc.name+"/"+nv.name, func(t *testing.T) {
				page := allOfKind(t, as(t.Context(), nv.v), s, tc.kind, tc.conds...)
				want := f.keys(t, nv.want)
				equalIDs(t, "items", entityIDs(page.Entities), want)
				if page.TotalCount != len(want) || page.HasNextPage {
					t.Errorf("TotalCount = %d, HasNextPage = %v; want %d, false", page.TotalCount, page.HasNextPage, len(want))
				}
			})
		}
	}
}

func testPaging(t *testing.T, h *harness) {
	s := h.store(t)
	var es []sarhad.Entity
	for i := range 28 {
		hd := fia(sarhad.TLPClear)
		if i%6 == 5 {
			hd = fia(sarhad.TLPRed) // 4 of 28 hidden from the Iranian officer
		}
		p := person(fmt.Sprintf("page-%02d", i), fmt.Sprintf("Paged Person %d", i), hd)
		if i%3 == 0 {
			p.Gender = sarhad.GenderFemale
		}
		es = append(es, p)
	}
	for i := range 3 { // other kinds are never listed with persons
		es = append(es, &sarhad.Organization{Meta: envelope(sarhad.KindOrganization, fmt.Sprintf("page-org-%d", i), fia(sarhad.TLPClear)),
			Name: fmt.Sprintf("Paged Org %d", i), Category: sarhad.OrgOther})
	}
	load(t, s, es, nil)

	female := sarhad.Condition{Attr: "gender", Op: sarhad.OpIn, Values: []string{"FEMALE"}}
	for _, nv := range []namedViewer{{"Iran", iranLiaison()}, {"FIA", fiaInvestigator()}} {
		for _, conds := range [][]sarhad.Condition{nil, {female}} {
			var want []string
			for _, e := range es {
				p, ok := e.(*sarhad.Person)
				if ok && p.Handling.Visible(nv.v) && (conds == nil || p.Gender == sarhad.GenderFemale) {
					want = append(want, p.ID)
				}
			}
			slices.Sort(want)
			for _, size := range []int{1, 3, 4, 7, len(want) - 1, len(want), len(want) + 1, sarhad.MaxPageSize} {
				name := fmt.Sprintf("%s/filtered=%v/first=%d", nv.name, conds != nil, size)
				t.Run(name, func(t *testing.T) {
					checkPages(t, s, as(t.Context(), nv.v), conds, size, want)
				})
			}
		}
		t.Run(nv.name+"/AfterHiddenID", func(t *testing.T) {
			ctx := as(t.Context(), nv.v)
			var all []string
			for _, e := range es {
				if e.EntityMeta().Kind == sarhad.KindPerson {
					all = append(all, e.EntityMeta().ID)
				}
			}
			slices.Sort(all)
			for _, after := range all {
				page, err := s.ListEntities(ctx, sarhad.ListQuery{Kind: sarhad.KindPerson,
					Page: sarhad.Page{First: sarhad.MaxPageSize, After: after}})
				if err != nil {
					t.Fatal(err)
				}
				var want []string
				for _, e := range es {
					if e.EntityMeta().Kind == sarhad.KindPerson && e.EntityMeta().ID > after && e.EntityMeta().Handling.Visible(nv.v) {
						want = append(want, e.EntityMeta().ID)
					}
				}
				slices.Sort(want)
				equalIDs(t, "after "+after, entityIDs(page.Entities), want)
			}
		})
	}
}

// checkPages walks every page of size first and checks it yields want exactly once, in order.
func checkPages(t *testing.T, s sarhad.Store, ctx context.Context, conds []sarhad.Condition, first int, want []string) {
	t.Helper()
	var got []string
	after := ""
	for pages := 0; ; pages++ {
		if pages > len(want)+1 {
			t.Fatalf("more than %d pages for %d items", pages, len(want))
		}
		// Every other page is asked for without the count: the same page, with no TotalCount.
		noTotal := pages%2 == 1
		page, err := s.ListEntities(ctx, sarhad.ListQuery{Kind: sarhad.KindPerson, Conditions: conds,
			Page: sarhad.Page{First: first, After: after}, NoTotal: noTotal})
		if err != nil {
			t.Fatal(err)
		}
		wantTotal := len(want)
		if noTotal {
			wantTotal = 0
		}
		if page.TotalCount != wantTotal {
			t.Errorf("page %d (NoTotal %v): TotalCount = %d, want %d", pages, noTotal, page.TotalCount, wantTotal)
		}
		ids := entityIDs(page.Entities)
		got = append(got, ids...)
		remaining := len(want) - len(got)
		if wantLen := min(first, len(want)-(len(got)-len(ids))); len(ids) != wantLen {
			t.Fatalf("page %d has %d items, want %d", pages, len(ids), wantLen)
		}
		if page.HasNextPage != (remaining > 0) {
			t.Errorf("page %d: HasNextPage = %v with %d items left", pages, page.HasNextPage, remaining)
		}
		if !page.HasNextPage || len(ids) == 0 {
			break
		}
		after = ids[len(ids)-1]
	}
	equalIDs(t, "all pages", got, want)
}
