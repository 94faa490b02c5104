package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sarhad/sarhad"
)

// testCaseTally checks the cells of CaseTally on the fixture of CaseFacts: written out for two
// viewers, and for every policy viewer and several groupings, the tally (sarhad.TallyCaseFacts) of
// the facts read through ListEntities, Relationships and Entities.
func testCaseTally(t *testing.T, h *harness) {
	f := newCaseFactsFixture()
	// v1 is a victim in c2 too: a cell of c1 and c2 counts v1 once.
	v1c2 := link("facts p6", sarhad.RelPartyTo, f.entities["v1"].EntityMeta().ID, f.entities["c2"].EntityMeta().ID,
		f.entities["c2"].EntityMeta().Handling)
	v1c2.Role = string(sarhad.PartyVictim)
	f.rels = append(f.rels, v1c2)
	s := h.store(t)
	f.load(t, s)
	key := map[string]string{}
	for k, e := range f.entities {
		key[e.EntityMeta().ID] = k
	}
	// text renders tallies with the fixture's keys for route ids: the number of cases counted,
	// then a line per cell, in the order of their keys.
	text := func(ts *sarhad.CaseTallies) string {
		lines := []string{fmt.Sprintf("cases=%d", ts.Cases)}
		var cells []string
		for _, c := range ts.Cells {
			values := make([]string, len(c.Key))
			for i, v := range c.Key {
				values[i] = cmpOr(key[v], v)
			}
			cells = append(cells, fmt.Sprintf("[%s] cases=%d open=%d charged=%d convicted=%d acquitted=%d arrested=%d victims=%d referred=%d own=%t",
				strings.Join(values, " "), c.Cases, c.Open, c.Charged, c.Convicted, c.Acquitted, c.Arrested, c.Victims, c.Referred, c.Own))
		}
		slices.Sort(cells)
		return strings.Join(append(lines, cells...), "\n")
	}
	tally := func(t *testing.T, v *sarhad.Viewer, q sarhad.CaseTallyQuery) *sarhad.CaseTallies {
		t.Helper()
		got, err := s.CaseTally(as(t.Context(), v), q)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	by := func(ds ...sarhad.StatDimension) sarhad.CaseTallyQuery {
		return sarhad.CaseTallyQuery{GroupBy: ds, Limit: 10}
	}

	// The cells as the policy gives them, written out: this checks the reference below as much as
	// the store. The FIA sees the three cases, every route, both victims of c1, v1 in c2 and every
	// arrest; c3 concerns no route. Iran sees c1 and c2, v1 of their victims, and a1's arrest in c1
	// alone.
	written := []struct {
		name string
		v    *sarhad.Viewer
		q    sarhad.CaseTallyQuery
		want string
	}{
		{"FIAInvestigator", fiaInvestigator(), by(sarhad.StatOffence, sarhad.StatRoute), strings.Join([]string{
			"cases=3",
			"[PSMA_2018_SMUGGLING rt1] cases=2 open=1 charged=1 convicted=1 acquitted=0 arrested=2 victims=2 referred=1 own=true",
			"[PSMA_2018_SMUGGLING rt2] cases=1 open=1 charged=0 convicted=0 acquitted=0 arrested=2 victims=2 referred=1 own=true",
			"[PTPA_2018_TRAFFICKING NONE] cases=1 open=0 charged=1 convicted=0 acquitted=0 arrested=0 victims=0 referred=0 own=true",
			"[PTPA_2018_TRAFFICKING rt1] cases=1 open=0 charged=1 convicted=1 acquitted=0 arrested=1 victims=1 referred=1 own=true",
		}, "\n")},
		{"FIAInvestigatorTotals", fiaInvestigator(), by(), strings.Join([]string{
			"cases=3",
			"[] cases=3 open=1 charged=2 convicted=1 acquitted=0 arrested=2 victims=2 referred=1 own=true",
		}, "\n")},
		{"IranLiaison", iranLiaison(), by(sarhad.StatQuarter, sarhad.StatStage), strings.Join([]string{
			"cases=2",
			"[2023-Q1 REGISTERED] cases=1 open=1 charged=0 convicted=0 acquitted=0 arrested=1 victims=1 referred=1 own=false",
			"[2023-Q2 CONVICTED] cases=1 open=0 charged=1 convicted=1 acquitted=0 arrested=0 victims=1 referred=1 own=false",
		}, "\n")},
	}
	for _, tc := range written {
		t.Run("Policy/"+tc.name, func(t *testing.T) {
			if got := text(tally(t, tc.v, tc.q)); got != tc.want {
				t.Errorf("CaseTally:\n%s\nwant\n%s", got, tc.want)
			}
		})
	}

	groupings := [][]sarhad.StatDimension{
		{},
		{sarhad.StatYear, sarhad.StatStage},
		{sarhad.StatQuarter},
		{sarhad.StatRoute, sarhad.StatOffence, sarhad.StatStage},
		{sarhad.StatAgency, sarhad.StatCountry},
	}
	after := []sarhad.Condition{{Attr: "registeredOn", Op: sarhad.OpGTE, Values: []string{"2023-03-01"}}}
	for _, nv := range policyViewers() {
		t.Run("Reference/"+nv.name, func(t *testing.T) {
			ctx := as(t.Context(), nv.v)
			for _, conds := range [][]sarhad.Condition{nil, after} {
				facts := referenceCaseFacts(t, ctx, s, sarhad.CaseFactsQuery{Conditions: conds, Limit: 10, Arrests: true, Referred: true})
				for _, g := range groupings {
					q := by(g...)
					q.Conditions = conds
					if got, want := text(tally(t, nv.v, q)), text(sarhad.TallyCaseFacts(nv.v, facts, g)); got != want {
						t.Errorf("CaseTally by %v, conditions %v:\n%s\nwant\n%s", g, conds, got, want)
					}
				}
			}
		})
	}

	// Limit+1 cases are counted: one more than the limit tells the caller there are more.
	t.Run("Limit", func(t *testing.T) {
		q := by(sarhad.StatStage)
		q.Limit = 1
		if got := tally(t, fiaInvestigator(), q); got.Cases != 2 {
			t.Errorf("Limit 1: %d cases counted, want 2", got.Cases)
		}
	})
}

// testRouteCases checks RouteCases on the fixture of CaseFacts: written out for two viewers, and
// for every policy viewer, sarhad.RouteCasesOf the facts read through ListEntities, Relationships
// and Entities.
func testRouteCases(t *testing.T, h *harness) {
	f := newCaseFactsFixture()
	s := h.store(t)
	f.load(t, s)
	key := map[string]string{}
	for k, e := range f.entities {
		key[e.EntityMeta().ID] = k
	}
	keys := func(ids []string) string {
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = cmpOr(key[id], id)
		}
		slices.Sort(out)
		return strings.Join(out, " ")
	}
	// text renders route cases with the fixture's keys: the number of cases read, then a line per
	// route in the order given.
	text := func(rc *sarhad.RouteCases) string {
		lines := []string{fmt.Sprintf("cases=%d", rc.Cases)}
		for _, r := range rc.Routes {
			lines = append(lines, fmt.Sprintf("%s cases=[%s] moved=[%s]", keys([]string{r.Route}), keys(r.Cases), keys(r.Moved)))
		}
		return strings.Join(lines, "\n")
	}
	routeCases := func(t *testing.T, v *sarhad.Viewer, q sarhad.RouteCasesQuery) *sarhad.RouteCases {
		t.Helper()
		got, err := s.RouteCases(as(t.Context(), v), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range got.Routes {
			if !slices.IsSorted(r.Cases) || !slices.IsSorted(r.Moved) {
				t.Errorf("route %s: cases %v and moved %v, want each by id", r.Route, r.Cases, r.Moved)
			}
		}
		if !slices.IsSortedFunc(got.Routes, func(a, b *sarhad.RouteCase) int { return strings.Compare(a.Route, b.Route) }) {
			t.Errorf("routes %s, want them by id", text(got))
		}
		return got
	}

	// Written out: the FIA sees both routes, the three cases, and c1's victims v1 and v2 and a1,
	// trafficked by x1. Iran sees rt1 alone, through c1 (c2's tie to it is the FIA's), v1 (a
	// victim) and not a1, whose trafficker it may not see; c3 counts for the FIA though it
	// concerns no route.
	ordered := func(lines ...string) string { // the routes by id, as the store orders them
		head, rest := lines[0], lines[1:]
		slices.SortFunc(rest, func(a, b string) int {
			ka, _, _ := strings.Cut(a, " ")
			kb, _, _ := strings.Cut(b, " ")
			return strings.Compare(f.entities[ka].EntityMeta().ID, f.entities[kb].EntityMeta().ID)
		})
		return strings.Join(append([]string{head}, rest...), "\n")
	}
	all := sarhad.RouteCasesQuery{Limit: 10}
	for _, tc := range []struct {
		name string
		v    *sarhad.Viewer
		want string
	}{
		{"FIAInvestigator", fiaInvestigator(), ordered("cases=3", "rt1 cases=[c1 c2] moved=[a1 v1 v2]", "rt2 cases=[c1] moved=[a1 v1 v2]")},
		{"IranLiaison", iranLiaison(), ordered("cases=2", "rt1 cases=[c1] moved=[v1]")},
	} {
		t.Run("Policy/"+tc.name, func(t *testing.T) {
			if got := text(routeCases(t, tc.v, all)); got != tc.want {
				t.Errorf("RouteCases:\n%s\nwant\n%s", got, tc.want)
			}
		})
	}

	after := []sarhad.Condition{{Attr: "registeredOn", Op: sarhad.OpGTE, Values: []string{"2023-03-01"}}}
	for _, nv := range policyViewers() {
		t.Run("Reference/"+nv.name, func(t *testing.T) {
			ctx := as(t.Context(), nv.v)
			for _, conds := range [][]sarhad.Condition{nil, after} {
				facts := referenceCaseFacts(t, ctx, s, sarhad.CaseFactsQuery{Conditions: conds, Limit: 10, Moved: true})
				q := all
				q.Conditions = conds
				if got, want := text(routeCases(t, nv.v, q)), text(sarhad.RouteCasesOf(facts)); got != want {
					t.Errorf("RouteCases, conditions %v:\n%s\nwant\n%s", conds, got, want)
				}
			}
		})
	}

	t.Run("Limit", func(t *testing.T) {
		if got := routeCases(t, fiaInvestigator(), sarhad.RouteCasesQuery{Limit: 1}); got.Cases != 2 {
			t.Errorf("Limit 1: %d cases read, want 2", got.Cases)
		}
	})
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
