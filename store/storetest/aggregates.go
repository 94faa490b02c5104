package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sarhad/sarhad"
)

// newAggregatesFixture is the fixture of CaseFacts with more for the tallies to count, and to
// leave out:
//
//	c4 (Punjab's, released to Pakistan, 2023-05-15, CONVICTED, smuggling): the FIA sees it, but a
//	cell of it and c2 is not the FIA's own;
//	v1 is a victim in c2 too, and so are v3 and v4 (irn); v4 by a relationship Iran may not see;
//	v3 ─REFERRED_TO→ hidden (irn), and ─REFERRED_TO (pak)→ shelter: Iran sees neither referral;
//	ev4 ARREST (irn) ─RECORDED_IN (pak)→ c2, involving v3 (irn): Iran may not see the arrest.
func newAggregatesFixture() *caseFactsFixture {
	f := newCaseFactsFixture()
	irn, pak := fia(sarhad.TLPAmber, countryIRN), fia(sarhad.TLPAmber)
	f.entities["c4"] = &sarhad.Case{Meta: envelope(sarhad.KindCase, "facts c4", handling(orgPunjab, countryPAK, sarhad.TLPAmber, countryPAK)),
		Reference: "FIR c4", Agency: orgPunjab, Country: countryPAK, Offences: []sarhad.Offence{sarhad.OffenceSmuggling},
		Stage: sarhad.StageConvicted, RegisteredOn: "2023-05-15"}
	for _, key := range []string{"v3", "v4"} {
		p := person("facts "+key, "Person "+key, irn)
		p.Victim = &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult}
		f.entities[key] = p
	}
	f.entities["ev4"] = &sarhad.Event{Meta: envelope(sarhad.KindEvent, "facts ev4", irn), Category: sarhad.EventArrest,
		OccurredOn: "2023-06-01"}
	add := f.link
	add("p6", sarhad.RelPartyTo, "v1", "c2", "VICTIM", irn)
	add("p7", sarhad.RelPartyTo, "v3", "c2", "VICTIM", irn)
	add("p8", sarhad.RelPartyTo, "v4", "c2", "VICTIM", pak)
	add("f3", sarhad.RelReferredTo, "v3", "hidden", "", irn)
	add("f4", sarhad.RelReferredTo, "v3", "shelter", "", pak)
	add("e8", sarhad.RelRecordedIn, "ev4", "c2", "", pak)
	add("e9", sarhad.RelInvolvedIn, "v3", "ev4", "", irn)
	return f
}

// aggregateViewers are the viewers the tallies are compared with the reference for: the policy
// viewers, and one without an organisation (whose cells are never its own).
func aggregateViewers() []namedViewer {
	return append(policyViewers(), namedViewer{"NoOrganisation",
		&sarhad.Viewer{Subject: "no-org", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: countryPAK}})
}

// testCaseTally checks the cells of CaseTally on newAggregatesFixture: written out for three
// viewers, and for every aggregate viewer and several groupings, the tally (sarhad.TallyCaseFacts)
// of the facts read through ListEntities, Relationships and Entities.
func testCaseTally(t *testing.T, h *harness) {
	f := newAggregatesFixture()
	s := h.store(t)
	f.load(t, s)
	key := f.keys()
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
	// the store.
	// - The FIA sees the four cases, every route, every victim (v1 once in a cell of c1 and c2),
	//   every referral and every arrest; c3 and c4 concern no route, and c4 is Punjab's.
	// - Iran sees c1 and c2; of their victims v1 and v3, of their referrals v1's, of their arrests
	//   a1's in c1.
	// - A viewer without an organisation sees c4 alone, and no cell is its own.
	noOrg := aggregateViewers()[len(policyViewers())].v
	written := []struct {
		name string
		v    *sarhad.Viewer
		q    sarhad.CaseTallyQuery
		want string
	}{
		{"FIAInvestigator", fiaInvestigator(), by(sarhad.StatOffence, sarhad.StatRoute), strings.Join([]string{
			"cases=4",
			"[PSMA_2018_SMUGGLING NONE] cases=1 open=0 charged=1 convicted=1 acquitted=0 arrested=0 victims=0 referred=0 own=false",
			"[PSMA_2018_SMUGGLING rt1] cases=2 open=1 charged=1 convicted=1 acquitted=0 arrested=3 victims=4 referred=2 own=true",
			"[PSMA_2018_SMUGGLING rt2] cases=1 open=1 charged=0 convicted=0 acquitted=0 arrested=2 victims=2 referred=1 own=true",
			"[PTPA_2018_TRAFFICKING NONE] cases=1 open=0 charged=1 convicted=0 acquitted=0 arrested=0 victims=0 referred=0 own=true",
			"[PTPA_2018_TRAFFICKING rt1] cases=1 open=0 charged=1 convicted=1 acquitted=0 arrested=2 victims=3 referred=2 own=true",
		}, "\n")},
		{"FIAInvestigatorByQuarter", fiaInvestigator(), by(sarhad.StatQuarter, sarhad.StatStage), strings.Join([]string{
			"cases=4",
			"[2023-Q1 REGISTERED] cases=1 open=1 charged=0 convicted=0 acquitted=0 arrested=2 victims=2 referred=1 own=true",
			"[2023-Q2 CONVICTED] cases=2 open=0 charged=2 convicted=2 acquitted=0 arrested=2 victims=3 referred=2 own=false",
			"[2023-Q3 CHARGE_SHEETED] cases=1 open=0 charged=1 convicted=0 acquitted=0 arrested=0 victims=0 referred=0 own=true",
		}, "\n")},
		{"FIAInvestigatorTotals", fiaInvestigator(), by(), strings.Join([]string{
			"cases=4",
			"[] cases=4 open=1 charged=3 convicted=2 acquitted=0 arrested=3 victims=4 referred=2 own=false",
		}, "\n")},
		{"IranLiaison", iranLiaison(), by(sarhad.StatQuarter, sarhad.StatStage), strings.Join([]string{
			"cases=2",
			"[2023-Q1 REGISTERED] cases=1 open=1 charged=0 convicted=0 acquitted=0 arrested=1 victims=1 referred=1 own=false",
			"[2023-Q2 CONVICTED] cases=1 open=0 charged=1 convicted=1 acquitted=0 arrested=0 victims=2 referred=1 own=false",
		}, "\n")},
		{"NoOrganisation", noOrg, by(sarhad.StatYear), strings.Join([]string{
			"cases=1",
			"[2023] cases=1 open=0 charged=1 convicted=1 acquitted=0 arrested=0 victims=0 referred=0 own=false",
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
	for _, nv := range aggregateViewers() {
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

// testRouteCases checks RouteCases on newAggregatesFixture: written out for two viewers, and for
// every aggregate viewer, sarhad.RouteCasesOf the facts read through ListEntities, Relationships
// and Entities.
func testRouteCases(t *testing.T, h *harness) {
	f := newAggregatesFixture()
	s := h.store(t)
	f.load(t, s)
	key := f.keys()
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

	// Written out: the FIA sees both routes and the four cases, c3 and c4 without a route. Of rt1's
	// cases, c1 moved v1 and v2 (victims) and a1 (trafficked by x1), c2 v1 again, v3 and v4. Iran
	// sees rt1 alone, through c1 (c2's tie to it is the FIA's), and of c1's moved v1 alone: v2
	// and x1 are the FIA's.
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
		{"FIAInvestigator", fiaInvestigator(), ordered("cases=4", "rt1 cases=[c1 c2] moved=[a1 v1 v2 v3 v4]", "rt2 cases=[c1] moved=[a1 v1 v2]")},
		{"IranLiaison", iranLiaison(), ordered("cases=2", "rt1 cases=[c1] moved=[v1]")},
	} {
		t.Run("Policy/"+tc.name, func(t *testing.T) {
			if got := text(routeCases(t, tc.v, all)); got != tc.want {
				t.Errorf("RouteCases:\n%s\nwant\n%s", got, tc.want)
			}
		})
	}

	after := []sarhad.Condition{{Attr: "registeredOn", Op: sarhad.OpGTE, Values: []string{"2023-03-01"}}}
	for _, nv := range aggregateViewers() {
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
