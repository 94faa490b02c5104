package graph_test

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/seed/demo"
)

// The monitoring tests check the analytics root fields (caseStatistics, crossBorderFlows,
// borderCrossings, timeline, sharedIdentifiers) on the demo dataset against figures computed here,
// independently, from the seed's own records and the reference access policy (demoWorld.visible
// and visibleRel): only what a viewer may see is ever counted or returned.

var (
	monAuditor = &sarhad.Viewer{Subject: "aud", Roles: []sarhad.Role{sarhad.RoleAuditor}, Country: "PAK", Org: "SARHAD"}
	// monViewers are the graph readers the analytics are checked for.
	monViewers = []struct {
		name string
		v    *sarhad.Viewer
	}{{"GRWInvestigator", grwInvestigator}, {"GreekLiaison", greekLiaison}, {"IranLiaison", iranLiaison}}
)

// monIndex is the demo dataset's relationships indexed by their ends.
type monIndex struct {
	w        *demoWorld
	from, to map[string][]*sarhad.Relationship
}

func monEnv(t *testing.T) (*env, *monIndex) {
	t.Helper()
	e, w := demoEnv(t)
	ix := &monIndex{w: w, from: map[string][]*sarhad.Relationship{}, to: map[string][]*sarhad.Relationship{}}
	for _, r := range w.rels {
		ix.from[r.From] = append(ix.from[r.From], r)
		ix.to[r.To] = append(ix.to[r.To], r)
	}
	return e, ix
}

// out returns the relationships of type typ from id that v may see (both ends visible).
func (ix *monIndex) out(v *sarhad.Viewer, id string, typ sarhad.RelationType) []*sarhad.Relationship {
	var out []*sarhad.Relationship
	for _, r := range ix.from[id] {
		if r.Type == typ && ix.w.visibleRel(v, r) {
			out = append(out, r)
		}
	}
	return out
}

// in returns the relationships of type typ into id that v may see (both ends visible).
func (ix *monIndex) in(v *sarhad.Viewer, id string, typ sarhad.RelationType) []*sarhad.Relationship {
	var out []*sarhad.Relationship
	for _, r := range ix.to[id] {
		if r.Type == typ && ix.w.visibleRel(v, r) {
			out = append(out, r)
		}
	}
	return out
}

func (ix *monIndex) kind(id string) sarhad.EntityKind { return sarhad.KindOf(ix.w.entities[id]) }

// ids returns the visible entities of a kind that satisfy keep, by id.
func (ix *monIndex) ids(v *sarhad.Viewer, kind sarhad.EntityKind, keep func(id string) bool) []string {
	var out []string
	for id, e := range ix.w.entities {
		if sarhad.KindOf(e) == kind && ix.w.visible(v, id) && (keep == nil || keep(id)) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

func inPeriod(d, from, to sarhad.Date) bool {
	return (from == "" || d >= from) && (to == "" || d <= to)
}

// visibleCases are the cases v may see registered in the period and matching keep, by id.
func (ix *monIndex) visibleCases(v *sarhad.Viewer, from, to sarhad.Date, keep func(*sarhad.Case, string) bool) []string {
	return ix.ids(v, sarhad.KindCase, func(id string) bool {
		c := ix.w.entities[id].(*sarhad.Case)
		return inPeriod(c.RegisteredOn, from, to) && (keep == nil || keep(c, id))
	})
}

// caseRoutes are the visible routes a case concerns, by id.
func (ix *monIndex) caseRoutes(v *sarhad.Viewer, id string) []string {
	var out []string
	for _, r := range ix.out(v, id, sarhad.RelAlongRoute) {
		if ix.kind(r.To) == sarhad.KindRoute && !slices.Contains(out, r.To) {
			out = append(out, r.To)
		}
	}
	slices.Sort(out)
	return out
}

// moved are the persons moved in a case: its parties as VICTIM, and its parties SMUGGLED or
// TRAFFICKED by anyone, as far as v sees them.
func (ix *monIndex) moved(v *sarhad.Viewer, caseID string) []string {
	var out []string
	for _, r := range ix.in(v, caseID, sarhad.RelPartyTo) {
		if ix.kind(r.From) != sarhad.KindPerson {
			continue
		}
		if r.Role == string(sarhad.PartyVictim) || len(ix.in(v, r.From, sarhad.RelSmuggled))+len(ix.in(v, r.From, sarhad.RelTrafficked)) > 0 {
			out = append(out, r.From)
		}
	}
	return out
}

func monSet(ids ...[]string) map[string]bool {
	m := map[string]bool{}
	for _, l := range ids {
		for _, id := range l {
			m[id] = true
		}
	}
	return m
}

// monCompare reports the differences between two renderings line by line.
func monCompare(t *testing.T, what string, got, want []string) {
	t.Helper()
	if slices.Equal(got, want) {
		return
	}
	n := 0
	for i := range max(len(got), len(want)) {
		g, w := "<none>", "<none>"
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Errorf("%s [%d]:\n  got  %s\n  want %s", what, i, g, w)
			if n++; n == 8 {
				break
			}
		}
	}
	t.Errorf("%s: got %d items, want %d", what, len(got), len(want))
}

// --- caseStatistics ------------------------------------------------------------------------------

var monStages = []string{"REGISTERED", "UNDER_INVESTIGATION", "CHARGE_SHEETED", "ON_TRIAL", "CONVICTED", "ACQUITTED", "CLOSED"}

const monStatQuery = `query($from: Date, $to: Date, $g: [StatDimension!]!, $f: CaseFilter) {
	caseStatistics(from: $from, to: $to, groupBy: $g, filter: $f) {
		groupBy suppressionThreshold
		cells { key { dimension value label } casesRegistered underInvestigation chargeSheeted convicted acquitted
			personsArrested victimsIdentified victimsReferred suppressed } } }`

type monStatOut struct {
	CaseStatistics struct {
		GroupBy              []string
		SuppressionThreshold int
		Cells                []struct {
			Key []struct{ Dimension, Value, Label string }
			CasesRegistered, UnderInvestigation, ChargeSheeted, Convicted, Acquitted,
			PersonsArrested, VictimsIdentified, VictimsReferred *int
			Suppressed bool
		}
	}
}

func (o *monStatOut) render() []string {
	var out []string
	for _, c := range o.CaseStatistics.Cells {
		var key []string
		for _, k := range c.Key {
			key = append(key, k.Dimension+"="+k.Value+" ("+k.Label+")")
		}
		out = append(out, monRenderCell(key, []*int{c.CasesRegistered, c.UnderInvestigation, c.ChargeSheeted, c.Convicted,
			c.Acquitted, c.PersonsArrested, c.VictimsIdentified, c.VictimsReferred}, c.Suppressed))
	}
	return out
}

func monRenderCell(key []string, counts []*int, suppressed bool) string {
	var cs []string
	for _, c := range counts {
		if c == nil {
			cs = append(cs, "-")
		} else {
			cs = append(cs, fmt.Sprint(*c))
		}
	}
	return fmt.Sprintf("[%s] cases/inv/cs/conv/acq/arr/vict/ref=%s suppressed=%v", strings.Join(key, ", "), strings.Join(cs, "/"), suppressed)
}

// statValues are the values of one dimension for a case.
func (ix *monIndex) statValues(v *sarhad.Viewer, id string, dim string) []string {
	c := ix.w.entities[id].(*sarhad.Case)
	switch dim {
	case "YEAR":
		return []string{string(c.RegisteredOn[:4])}
	case "QUARTER":
		month := int(c.RegisteredOn[5]-'0')*10 + int(c.RegisteredOn[6]-'0')
		return []string{fmt.Sprintf("%s-Q%d", c.RegisteredOn[:4], (month-1)/3+1)}
	case "STAGE":
		return []string{string(c.Stage)}
	case "OFFENCE":
		var out []string
		for _, o := range c.Offences {
			if !slices.Contains(out, string(o)) {
				out = append(out, string(o))
			}
		}
		return out
	case "AGENCY":
		return []string{c.Agency}
	case "ROUTE":
		if rs := ix.caseRoutes(v, id); len(rs) > 0 {
			return rs
		}
		return []string{sarhad.NoRoute}
	case "COUNTRY":
		return []string{c.Country}
	}
	panic("unknown dimension " + dim)
}

func (ix *monIndex) statLabel(dim, value string) string {
	switch {
	case dim == "ROUTE" && value == sarhad.NoRoute:
		return "No route recorded"
	case dim == "ROUTE":
		return ix.w.entities[value].(*sarhad.Route).Name
	case dim == "COUNTRY":
		c, _ := sarhad.LookupCountry(value)
		return c.Name
	}
	return value
}

func monCompareValue(dim, a, b string) int {
	if dim == "STAGE" {
		return cmp.Compare(slices.Index(monStages, a), slices.Index(monStages, b))
	}
	return strings.Compare(a, b)
}

// expectedStatistics computes the cells of caseStatistics from the seed.
func (ix *monIndex) expectedStatistics(v *sarhad.Viewer, groupBy []string, from, to sarhad.Date, keep func(*sarhad.Case, string) bool) []string {
	type cell struct {
		key   []string
		cases []string
	}
	cells := map[string]*cell{}
	for _, id := range ix.visibleCases(v, from, to, keep) {
		keys := [][]string{nil}
		for _, dim := range groupBy {
			var next [][]string
			for _, k := range keys {
				for _, val := range ix.statValues(v, id, dim) {
					next = append(next, append(slices.Clone(k), val))
				}
			}
			keys = next
		}
		for _, k := range keys {
			s := strings.Join(k, "\x00")
			if cells[s] == nil {
				cells[s] = &cell{key: k}
			}
			cells[s].cases = append(cells[s].cases, id)
		}
	}
	ordered := slices.SortedFunc(maps.Values(cells), func(a, b *cell) int {
		for i, dim := range groupBy {
			if c := monCompareValue(dim, a.key[i], b.key[i]); c != 0 {
				return c
			}
		}
		return 0
	})
	var out []string
	for _, c := range ordered {
		own := true
		arrested, victims, referred := map[string]bool{}, map[string]bool{}, map[string]bool{}
		n := make([]int, 8)
		for _, id := range c.cases {
			cs := ix.w.entities[id].(*sarhad.Case)
			own = own && cs.Handling.OriginatorOrg == v.Org
			n[0]++
			switch cs.Stage {
			case sarhad.StageRegistered, sarhad.StageUnderInvestigation:
				n[1]++
			case sarhad.StageChargeSheeted, sarhad.StageOnTrial, sarhad.StageConvicted, sarhad.StageAcquitted:
				n[2]++
			}
			if cs.Stage == sarhad.StageConvicted {
				n[3]++
			}
			if cs.Stage == sarhad.StageAcquitted {
				n[4]++
			}
			for _, rec := range ix.in(v, id, sarhad.RelRecordedIn) {
				if ev, ok := ix.w.entities[rec.From].(*sarhad.Event); ok && ev.Category == sarhad.EventArrest {
					for _, inv := range ix.in(v, rec.From, sarhad.RelInvolvedIn) {
						if ix.kind(inv.From) == sarhad.KindPerson {
							arrested[inv.From] = true
						}
					}
				}
			}
			for _, p := range ix.in(v, id, sarhad.RelPartyTo) {
				if p.Role == string(sarhad.PartyVictim) && ix.kind(p.From) == sarhad.KindPerson {
					victims[p.From] = true
					if len(ix.out(v, p.From, sarhad.RelReferredTo)) > 0 {
						referred[p.From] = true
					}
				}
			}
		}
		n[5], n[6], n[7] = len(arrested), len(victims), len(referred)
		counts := make([]*int, 8)
		suppressed := false
		for i := range n {
			if n[i] >= 1 && n[i] < sarhad.SmallCellThreshold && !own {
				suppressed = true
				continue
			}
			counts[i] = &n[i]
		}
		var key []string
		for i, dim := range groupBy {
			key = append(key, dim+"="+c.key[i]+" ("+ix.statLabel(dim, c.key[i])+")")
		}
		out = append(out, monRenderCell(key, counts, suppressed))
	}
	return out
}

func TestCaseStatisticsMatchSeedRecords(t *testing.T) {
	e, ix := monEnv(t)
	grwAgency := ""
	for _, ent := range ix.w.entities {
		if c, ok := ent.(*sarhad.Case); ok && c.Handling.OriginatorOrg == demo.OrgFIAGujranwala && strings.Contains(c.Agency, "Gujranwala") {
			grwAgency = c.Agency
		}
	}
	if grwAgency == "" {
		t.Fatal("no case of FIA Gujranwala in the demo data")
	}
	var current *sarhad.Viewer // the viewer the queries run as
	queries := []struct {
		name     string
		groupBy  []string
		from, to sarhad.Date
		filter   map[string]any
		keep     func(*sarhad.Case, string) bool
	}{
		{name: "totals", groupBy: []string{}},
		{name: "year and stage", groupBy: []string{"YEAR", "STAGE"}},
		{name: "offence", groupBy: []string{"OFFENCE"}},
		{name: "route", groupBy: []string{"ROUTE"}},
		{name: "agency and quarter", groupBy: []string{"AGENCY", "QUARTER"}},
		{name: "country", groupBy: []string{"COUNTRY"}},
		{name: "period and filter", groupBy: []string{"QUARTER", "OFFENCE"}, from: "2022-02-15", to: "2023-06-30",
			filter: map[string]any{"countries": []string{"PK"}, "stages": []string{"UNDER_INVESTIGATION", "CHARGE_SHEETED", "ON_TRIAL", "CONVICTED"}},
			keep: func(c *sarhad.Case, _ string) bool {
				return c.Country == "PAK" && slices.Contains([]sarhad.CaseStage{sarhad.StageUnderInvestigation, sarhad.StageChargeSheeted,
					sarhad.StageOnTrial, sarhad.StageConvicted}, c.Stage)
			}},
		{name: "own agency", groupBy: []string{"QUARTER", "STAGE"},
			filter: map[string]any{"agencies": []string{grwAgency}},
			keep:   func(c *sarhad.Case, _ string) bool { return c.Agency == grwAgency }},
		{name: "route filter", groupBy: []string{"YEAR"}, filter: map[string]any{"route": demo.TaftanRouteID()},
			keep: func(_ *sarhad.Case, id string) bool {
				return slices.Contains(ix.caseRoutes(current, id), demo.TaftanRouteID())
			}},
	}
	viewers := append(slices.Clone(monViewers), struct {
		name string
		v    *sarhad.Viewer
	}{"Auditor", monAuditor})
	for _, vw := range viewers {
		t.Run(vw.name, func(t *testing.T) {
			e.t = t
			current = vw.v
			unsuppressedSmall, suppressedCells := 0, 0
			for _, q := range queries {
				vars := map[string]any{"g": q.groupBy, "f": q.filter}
				if q.from != "" {
					vars["from"], vars["to"] = q.from, q.to
				}
				var out monStatOut
				e.mustDo(vw.v, monStatQuery, vars, &out)
				if !slices.Equal(out.CaseStatistics.GroupBy, q.groupBy) || out.CaseStatistics.SuppressionThreshold != 5 {
					t.Errorf("%s: groupBy %v, threshold %d", q.name, out.CaseStatistics.GroupBy, out.CaseStatistics.SuppressionThreshold)
				}
				want := ix.expectedStatistics(vw.v, q.groupBy, q.from, q.to, q.keep)
				if len(want) == 0 {
					t.Fatalf("%s: no cases for %s: the check would prove nothing", q.name, vw.name)
				}
				monCompare(t, q.name, out.render(), want)
				for _, c := range out.CaseStatistics.Cells {
					if c.Suppressed {
						suppressedCells++
					}
					for _, n := range []*int{c.CasesRegistered, c.VictimsIdentified, c.PersonsArrested} {
						if n != nil && *n >= 1 && *n <= 4 {
							unsuppressedSmall++
						}
					}
				}
			}
			// The policy is exercised both ways: outsiders meet suppressed cells, and the FIA
			// Gujranwala investigator sees small counts of the cases FIA Gujranwala originated.
			if suppressedCells == 0 {
				t.Errorf("no suppressed cell for %s", vw.name)
			}
			if vw.v == grwInvestigator && unsuppressedSmall == 0 {
				t.Errorf("no small count shown to the originating organisation")
			}
		})
	}
	e.t = t
	// The auditor and a liaison officer see different cases, so different totals.
	var a, g monStatOut
	e.mustDo(monAuditor, monStatQuery, map[string]any{"g": []string{}}, &a)
	e.mustDo(greekLiaison, monStatQuery, map[string]any{"g": []string{}}, &g)
	if slices.Equal(a.render(), g.render()) {
		t.Errorf("the auditor and the Greek liaison officer get the same totals: %v", a.render())
	}
	// Invalid arguments.
	for _, tt := range []struct {
		name string
		vars map[string]any
	}{
		{"repeated dimension", map[string]any{"g": []string{"YEAR", "STAGE", "YEAR"}}},
		{"to before from", map[string]any{"g": []string{"YEAR"}, "from": "2023-01-01", "to": "2022-12-31"}},
	} {
		if r := e.do(grwInvestigator, monStatQuery, tt.vars, nil); r.code() != sarhad.EINVALID {
			t.Errorf("%s: code %q (%+v), want BAD_USER_INPUT", tt.name, r.code(), r.Errors)
		}
	}
}

func TestAuditorReadsOnlyStatistics(t *testing.T) {
	e, _ := monEnv(t)
	e.mustDo(monAuditor, `{ caseStatistics(groupBy: [YEAR]) { cells { casesRegistered } } }`, nil, nil)
	// Statistics of the cases of one person would read the graph: refused to an auditor, not to
	// those who read the graph. (TestCaseStatisticsMatchSeedRecords has the auditor filter by route.)
	f := map[string]any{"party": sarhad.StableID(sarhad.KindPerson, "a party")}
	const q = `query($f: CaseFilter) { caseStatistics(groupBy: [YEAR], filter: $f) { cells { casesRegistered } } }`
	if r := e.do(monAuditor, q, map[string]any{"f": f}, nil); r.code() != sarhad.EFORBIDDEN {
		t.Errorf("auditor: statistics of a party: code %q, want FORBIDDEN", r.code())
	}
	if r := e.do(investigator, q, map[string]any{"f": f}, nil); len(r.Errors) > 0 {
		t.Errorf("investigator: statistics of a party: %+v", r.Errors)
	}
	for _, q := range []string{
		`{ crossBorderFlows { cases } }`,
		`{ borderCrossings { crossings } }`,
		`{ sharedIdentifiers { value } }`,
		`query($id: ID!) { timeline(id: $id) { event { id } } }`,
	} {
		if r := e.do(monAuditor, q, map[string]any{"id": demo.PylosCaseID()}, nil); r.code() != sarhad.EFORBIDDEN {
			t.Errorf("auditor: %s: code %q (%+v), want FORBIDDEN", q, r.code(), r.Errors)
		}
	}
}

// --- crossBorderFlows and borderCrossings --------------------------------------------------------

type monStop struct {
	place, country string
	mode           sarhad.TravelMode
}

// stops are the visible stops of a visible route in order.
func (ix *monIndex) stops(v *sarhad.Viewer, route string) []monStop {
	rels := ix.out(v, route, sarhad.RelHasStop)
	slices.SortFunc(rels, func(a, b *sarhad.Relationship) int { return cmp.Compare(a.Order, b.Order) })
	var out []monStop
	for _, r := range rels {
		out = append(out, monStop{place: r.To, country: ix.w.entities[r.To].(*sarhad.Place).Country, mode: r.Mode})
	}
	return out
}

// borderLegs are the legs of a route between two countries.
func borderLegs(stops []monStop) [][2]monStop {
	var out [][2]monStop
	for i := 1; i < len(stops); i++ {
		if stops[i-1].country != stops[i].country {
			out = append(out, [2]monStop{stops[i-1], stops[i]})
		}
	}
	return out
}

const monFlowQuery = `query($from: Date, $to: Date, $o: String, $d: String, $via: String) {
	crossBorderFlows(from: $from, to: $to, origin: $o, destination: $d, via: $via) {
		origin { alpha3 } destination { alpha3 } transit { alpha3 } routes { id } cases persons
		crossings { from { id } to { id } mode cases persons } } }`

type monFlowOut struct {
	CrossBorderFlows []struct {
		Origin, Destination struct{ Alpha3 string }
		Transit             []struct{ Alpha3 string }
		Routes              []struct{ ID string }
		Cases, Persons      int
		Crossings           []struct {
			From, To       struct{ ID string }
			Mode           string
			Cases, Persons int
		}
	}
}

func (o *monFlowOut) render() []string {
	var out []string
	for _, f := range o.CrossBorderFlows {
		var transit, routes, legs []string
		for _, c := range f.Transit {
			transit = append(transit, c.Alpha3)
		}
		for _, r := range f.Routes {
			routes = append(routes, r.ID)
		}
		for _, l := range f.Crossings {
			legs = append(legs, fmt.Sprintf("%s>%s %s %d/%d", l.From.ID, l.To.ID, l.Mode, l.Cases, l.Persons))
		}
		out = append(out, monRenderFlow(f.Origin.Alpha3, f.Destination.Alpha3, transit, routes, f.Cases, f.Persons, legs))
	}
	return out
}

func monRenderFlow(origin, dest string, transit, routes []string, cases, persons int, legs []string) string {
	return fmt.Sprintf("%s→%s transit=%v cases=%d persons=%d routes=%v crossings=%v", origin, dest, transit, cases, persons, routes, legs)
}

type monFlowArgs struct {
	from, to             sarhad.Date
	origin, dest, via    string // alpha-3, for the expected computation
	qOrigin, qDest, qVia string // as passed in the query
}

// expectedFlows computes crossBorderFlows from the seed.
func (ix *monIndex) expectedFlows(v *sarhad.Viewer, a monFlowArgs) []string {
	type leg struct {
		from, to string
		mode     sarhad.TravelMode
		cases    map[string]bool
		persons  map[string]bool
	}
	type flow struct {
		origin, dest    string
		transit, routes map[string]bool
		cases, persons  map[string]bool
		legs            map[[2]string]*leg
	}
	flows := map[[2]string]*flow{}
	for _, c := range ix.visibleCases(v, a.from, a.to, nil) {
		moved := ix.moved(v, c)
		for _, r := range ix.caseRoutes(v, c) {
			st := ix.stops(v, r)
			if len(st) < 2 || st[0].country == st[len(st)-1].country {
				continue
			}
			k := [2]string{st[0].country, st[len(st)-1].country}
			transit := map[string]bool{}
			for _, s := range st[1 : len(st)-1] {
				if s.country != k[0] && s.country != k[1] {
					transit[s.country] = true
				}
			}
			// Through a country: only the routes that pass through it count.
			if a.via != "" && !transit[a.via] {
				continue
			}
			f := flows[k]
			if f == nil {
				f = &flow{origin: k[0], dest: k[1], transit: map[string]bool{}, routes: map[string]bool{}, cases: map[string]bool{},
					persons: map[string]bool{}, legs: map[[2]string]*leg{}}
				flows[k] = f
			}
			maps.Copy(f.transit, transit)
			f.routes[r], f.cases[c] = true, true
			for _, p := range moved {
				f.persons[p] = true
			}
			for _, l := range borderLegs(st) {
				lk := [2]string{l[0].place, l[1].place}
				if f.legs[lk] == nil {
					f.legs[lk] = &leg{from: lk[0], to: lk[1], mode: l[1].mode, cases: map[string]bool{}, persons: map[string]bool{}}
				}
				f.legs[lk].cases[c] = true
				for _, p := range moved {
					f.legs[lk].persons[p] = true
				}
			}
		}
	}
	var list []*flow
	for _, f := range flows {
		if a.origin != "" && f.origin != a.origin || a.dest != "" && f.dest != a.dest {
			continue
		}
		list = append(list, f)
	}
	slices.SortFunc(list, func(x, y *flow) int {
		return cmp.Or(cmp.Compare(len(y.persons), len(x.persons)), cmp.Compare(len(y.cases), len(x.cases)),
			cmp.Compare(x.origin, y.origin), cmp.Compare(x.dest, y.dest))
	})
	var out []string
	for _, f := range list {
		legs := slices.SortedFunc(maps.Values(f.legs), func(x, y *leg) int {
			return cmp.Or(cmp.Compare(len(y.cases), len(x.cases)), cmp.Compare(len(y.persons), len(x.persons)),
				cmp.Compare(x.from, y.from), cmp.Compare(x.to, y.to))
		})
		var ls []string
		for _, l := range legs {
			ls = append(ls, fmt.Sprintf("%s>%s %s %d/%d", l.from, l.to, l.mode, len(l.cases), len(l.persons)))
		}
		out = append(out, monRenderFlow(f.origin, f.dest, slices.Sorted(maps.Keys(f.transit)), slices.Sorted(maps.Keys(f.routes)),
			len(f.cases), len(f.persons), ls))
	}
	return out
}

func TestCrossBorderFlowsMatchSeedRecords(t *testing.T) {
	e, ix := monEnv(t)
	args := []struct {
		name string
		a    monFlowArgs
	}{
		{"all", monFlowArgs{}},
		{"period", monFlowArgs{from: "2022-01-01", to: "2023-06-30"}},
		{"origin alpha-2", monFlowArgs{origin: "PAK", qOrigin: "pk"}},
		{"origin and destination alpha-3", monFlowArgs{origin: "PAK", qOrigin: "PAK", dest: "GRC", qDest: "GRC"}},
		{"destination alpha-2 and period", monFlowArgs{dest: "PAK", qDest: "PK", from: "2021-07-01", to: "2022-12-31"}},
		{"via Iran", monFlowArgs{via: "IRN", qVia: "IR"}},
		{"via Turkey", monFlowArgs{via: "TUR", qVia: "TUR"}},
		{"via India", monFlowArgs{via: "IND", qVia: "ind"}},
		{"via the origin", monFlowArgs{via: "PAK", qVia: "PAK", origin: "PAK", qOrigin: "PAK"}},
	}
	for _, vw := range monViewers {
		t.Run(vw.name, func(t *testing.T) {
			e.t = t
			persons := 0
			for _, tt := range args {
				vars := map[string]any{}
				for k, val := range map[string]string{"from": string(tt.a.from), "to": string(tt.a.to), "o": tt.a.qOrigin, "d": tt.a.qDest, "via": tt.a.qVia} {
					if val != "" {
						vars[k] = val
					}
				}
				var out monFlowOut
				e.mustDo(vw.v, monFlowQuery, vars, &out)
				want := ix.expectedFlows(vw.v, tt.a)
				if tt.name == "all" && len(want) < 2 {
					t.Fatalf("only %d flows for %s: the check would prove little", len(want), vw.name)
				}
				monCompare(t, tt.name, out.render(), want)
				for _, f := range out.CrossBorderFlows {
					persons += f.Persons
				}
			}
			if persons == 0 {
				t.Errorf("no person moved in any flow")
			}
		})
	}
	e.t = t
	for _, q := range []string{`{ crossBorderFlows(origin: "Narnia") { cases } }`, `{ crossBorderFlows(via: "ZZ") { cases } }`,
		`{ crossBorderFlows(from: "2023-01-01", to: "2022-01-01") { cases } }`} {
		if r := e.do(grwInvestigator, q, nil, nil); r.code() != sarhad.EINVALID {
			t.Errorf("%s: code %q (%+v), want BAD_USER_INPUT", q, r.code(), r.Errors)
		}
	}
}

const monCrossingQuery = `query($from: Date, $to: Date, $c: String) {
	borderCrossings(from: $from, to: $to, country: $c) {
		place { id } crossings interceptions personsCrossed personsIntercepted cases routes { id } } }`

type monCrossingOut struct {
	BorderCrossings []struct {
		Place                                                               struct{ ID string }
		Crossings, Interceptions, PersonsCrossed, PersonsIntercepted, Cases int
		Routes                                                              []struct{ ID string }
	}
}

func (o *monCrossingOut) render() []string {
	var out []string
	for _, p := range o.BorderCrossings {
		var routes []string
		for _, r := range p.Routes {
			routes = append(routes, r.ID)
		}
		out = append(out, monRenderPoint(p.Place.ID, p.Crossings, p.Interceptions, p.PersonsCrossed, p.PersonsIntercepted, p.Cases, routes))
	}
	return out
}

func monRenderPoint(place string, crossings, interceptions, crossed, intercepted, cases int, routes []string) string {
	return fmt.Sprintf("%s crossings=%d interceptions=%d crossed=%d intercepted=%d cases=%d routes=%v",
		place, crossings, interceptions, crossed, intercepted, cases, routes)
}

// expectedCrossings computes borderCrossings from the seed.
func (ix *monIndex) expectedCrossings(v *sarhad.Viewer, from, to sarhad.Date, country string) []string {
	type point struct {
		place                                          string
		crossings, interceptions, crossed, intercepted int
		cases, routes                                  map[string]bool
	}
	points := map[string]*point{}
	add := func(place string) *point {
		if points[place] == nil {
			points[place] = &point{place: place, cases: map[string]bool{}, routes: map[string]bool{}}
		}
		return points[place]
	}
	for _, id := range ix.ids(v, sarhad.KindPlace, nil) {
		if ix.w.entities[id].(*sarhad.Place).Category == sarhad.PlaceBorderCrossing {
			add(id)
		}
	}
	for _, r := range ix.ids(v, sarhad.KindRoute, nil) {
		for _, l := range borderLegs(ix.stops(v, r)) {
			add(l[0].place).routes[r] = true
			add(l[1].place).routes[r] = true
		}
	}
	cases := monSet(ix.visibleCases(v, from, to, nil))
	for place, p := range points {
		for _, occ := range ix.in(v, place, sarhad.RelOccurredAt) {
			ev, ok := ix.w.entities[occ.From].(*sarhad.Event)
			if !ok {
				continue
			}
			if !inPeriod(ev.OccurredOn, from, to) {
				continue
			}
			// A case counts when it is registered in the period and records an event of the period
			// at the place.
			for _, rec := range ix.out(v, occ.From, sarhad.RelRecordedIn) {
				if cases[rec.To] {
					p.cases[rec.To] = true
				}
			}
			switch ev.Category {
			case sarhad.EventBorderCrossing:
				p.crossings++
				p.crossed += ev.PersonsCount
			case sarhad.EventInterception:
				p.interceptions++
				p.intercepted += ev.PersonsCount
			}
		}
		for r := range p.routes {
			for _, al := range ix.in(v, r, sarhad.RelAlongRoute) {
				if cases[al.From] {
					p.cases[al.From] = true
				}
			}
		}
	}
	var list []*point
	for _, p := range points {
		if country != "" && ix.w.entities[p.place].(*sarhad.Place).Country != country {
			continue
		}
		if p.crossings+p.interceptions+len(p.cases) > 0 {
			list = append(list, p)
		}
	}
	slices.SortFunc(list, func(x, y *point) int {
		return cmp.Or(cmp.Compare(y.crossings, x.crossings), cmp.Compare(y.interceptions, x.interceptions),
			cmp.Compare(len(y.cases), len(x.cases)), cmp.Compare(x.place, y.place))
	})
	var out []string
	for _, p := range list {
		out = append(out, monRenderPoint(p.place, p.crossings, p.interceptions, p.crossed, p.intercepted, len(p.cases), slices.Sorted(maps.Keys(p.routes))))
	}
	return out
}

func TestBorderCrossingsMatchSeedRecords(t *testing.T) {
	e, ix := monEnv(t)
	args := []struct {
		name              string
		from, to          sarhad.Date
		country, qCountry string
	}{
		{name: "all"},
		{name: "period", from: "2022-03-01", to: "2023-03-31"},
		{name: "Pakistan alpha-2", country: "PAK", qCountry: "PK"},
		{name: "Iran alpha-3 and period", country: "IRN", qCountry: "irn", from: "2021-01-01", to: "2022-06-30"},
		{name: "Greece", country: "GRC", qCountry: "GR"},
	}
	for _, vw := range monViewers {
		t.Run(vw.name, func(t *testing.T) {
			e.t = t
			for _, tt := range args {
				vars := map[string]any{}
				for k, val := range map[string]string{"from": string(tt.from), "to": string(tt.to), "c": tt.qCountry} {
					if val != "" {
						vars[k] = val
					}
				}
				var out monCrossingOut
				e.mustDo(vw.v, monCrossingQuery, vars, &out)
				want := ix.expectedCrossings(vw.v, tt.from, tt.to, tt.country)
				if tt.name == "all" {
					events := 0
					for _, p := range out.BorderCrossings {
						events += p.Crossings + p.Interceptions
					}
					if len(want) < 2 || events == 0 {
						t.Fatalf("%d crossing points, %d events for %s: the check would prove little", len(want), events, vw.name)
					}
				}
				monCompare(t, tt.name, out.render(), want)
			}
		})
	}
	e.t = t
	if r := e.do(grwInvestigator, `{ borderCrossings(country: "XX") { cases } }`, nil, nil); r.code() != sarhad.EINVALID {
		t.Errorf("unknown country: code %q (%+v), want BAD_USER_INPUT", r.code(), r.Errors)
	}
}

// --- timeline -------------------------------------------------------------------------------------

const monTimelineQuery = `query($id: ID!, $from: Date, $to: Date) {
	timeline(id: $id, from: $from, to: $to) {
		event { id occurredOn } places { id } cases { id }
		parties { role entity { id displayName ... on Person { name redacted } } } } }`

type monTimelineOut struct {
	Timeline []struct {
		Event struct {
			ID, OccurredOn string
		}
		Places, Cases []struct{ ID string }
		Parties       []struct {
			Role   string
			Entity struct {
				ID, DisplayName, Name string
				Redacted              bool
			}
		}
	}
}

func (o *monTimelineOut) render() []string {
	var out []string
	for _, en := range o.Timeline {
		var places, cases, parties []string
		for _, p := range en.Places {
			places = append(places, p.ID)
		}
		for _, c := range en.Cases {
			cases = append(cases, c.ID)
		}
		for _, p := range en.Parties {
			parties = append(parties, p.Entity.ID+":"+p.Role+":"+p.Entity.DisplayName)
		}
		out = append(out, monRenderEntry(en.Event.OccurredOn, en.Event.ID, places, cases, parties))
	}
	return out
}

func monRenderEntry(date, id string, places, cases, parties []string) string {
	return fmt.Sprintf("%s %s places=%v cases=%v parties=%v", date, id, places, cases, parties)
}

// timelineEvents are the visible events involving an entity, unordered.
func (ix *monIndex) timelineEvents(v *sarhad.Viewer, id string) map[string]bool {
	events := map[string]bool{}
	involved := func(who string) {
		for _, r := range ix.out(v, who, sarhad.RelInvolvedIn) {
			events[r.To] = true
		}
	}
	incoming := func(typ sarhad.RelationType) {
		for _, r := range ix.in(v, id, typ) {
			if ix.kind(r.From) == sarhad.KindEvent {
				events[r.From] = true
			}
		}
	}
	switch ix.kind(id) {
	case sarhad.KindPerson, sarhad.KindVehicle:
		involved(id)
	case sarhad.KindOrganization:
		involved(id)
		for _, typ := range []sarhad.RelationType{sarhad.RelMemberOf, sarhad.RelLeads} {
			for _, r := range ix.in(v, id, typ) {
				involved(r.From)
			}
		}
	case sarhad.KindCase:
		incoming(sarhad.RelRecordedIn)
	case sarhad.KindPlace:
		incoming(sarhad.RelOccurredAt)
	case sarhad.KindRoute:
		incoming(sarhad.RelAlongRoute)
	}
	return events
}

// partyName is the display name v receives for an event party.
func (ix *monIndex) partyName(v *sarhad.Viewer, id string) string {
	if p, ok := ix.w.entities[id].(*sarhad.Person); ok && p.IsVictim() && !p.Handling.SeesVictimPII(v) {
		return sarhad.Pseudonym(id)
	}
	return ix.w.entities[id].DisplayName()
}

func (ix *monIndex) expectedTimeline(v *sarhad.Viewer, id string, from, to sarhad.Date) []string {
	var evs []*sarhad.Event
	for ev := range ix.timelineEvents(v, id) {
		if e := ix.w.entities[ev].(*sarhad.Event); inPeriod(e.OccurredOn, from, to) {
			evs = append(evs, e)
		}
	}
	slices.SortFunc(evs, func(a, b *sarhad.Event) int {
		return cmp.Or(cmp.Compare(a.OccurredOn, b.OccurredOn), cmp.Compare(a.ID, b.ID))
	})
	var out []string
	for _, ev := range evs {
		var places, cases []string
		for _, r := range ix.out(v, ev.ID, sarhad.RelOccurredAt) {
			places = append(places, r.To)
		}
		for _, r := range ix.out(v, ev.ID, sarhad.RelRecordedIn) {
			cases = append(cases, r.To)
		}
		parties := ix.in(v, ev.ID, sarhad.RelInvolvedIn)
		slices.SortFunc(parties, func(a, b *sarhad.Relationship) int {
			return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.ID, b.ID))
		})
		var ps []string
		for _, r := range parties {
			ps = append(ps, r.From+":"+r.Role+":"+ix.partyName(v, r.From))
		}
		slices.Sort(places)
		slices.Sort(cases)
		out = append(out, monRenderEntry(string(ev.OccurredOn), ev.ID, places, cases, ps))
	}
	return out
}

// busiest returns the visible entity of a kind with the most visible events (ties by id).
func (ix *monIndex) busiest(v *sarhad.Viewer, kind sarhad.EntityKind) string {
	best, n := "", -1
	for _, id := range ix.ids(v, kind, nil) {
		if k := len(ix.timelineEvents(v, id)); k > n {
			best, n = id, k
		}
	}
	return best
}

func TestTimelineMatchesSeedRecords(t *testing.T) {
	e, ix := monEnv(t)
	for _, vw := range monViewers {
		t.Run(vw.name, func(t *testing.T) {
			e.t = t
			person := ix.busiest(vw.v, sarhad.KindPerson)
			targets := []struct {
				name, id string
				from, to sarhad.Date
			}{
				{name: "case", id: ix.busiest(vw.v, sarhad.KindCase)},
				{name: "person", id: person},
				{name: "person in a period", id: person, from: "2022-01-01", to: "2022-12-31"},
				{name: "organisation", id: ix.busiest(vw.v, sarhad.KindOrganization)},
				{name: "Chaudhry Group", id: demo.ChaudhryGroupID()},
				{name: "vehicle", id: ix.busiest(vw.v, sarhad.KindVehicle)},
				{name: "Taftan", id: demo.PlaceID("Taftan")},
				{name: "Taftan route", id: demo.TaftanRouteID(), from: "2022-01-01"},
			}
			pseudonyms := 0
			for _, tt := range targets {
				if !ix.w.visible(vw.v, tt.id) {
					continue
				}
				vars := map[string]any{"id": tt.id}
				if tt.from != "" {
					vars["from"] = tt.from
				}
				if tt.to != "" {
					vars["to"] = tt.to
				}
				var out monTimelineOut
				e.mustDo(vw.v, monTimelineQuery, vars, &out)
				want := ix.expectedTimeline(vw.v, tt.id, tt.from, tt.to)
				if len(want) == 0 && tt.name != "person in a period" && tt.name != "vehicle" {
					t.Errorf("%s %s: no events for %s: the check would prove nothing", tt.name, tt.id, vw.name)
				}
				monCompare(t, tt.name+" "+tt.id, out.render(), want)
				for _, en := range out.Timeline {
					for _, p := range en.Parties {
						if p.Entity.Redacted {
							if p.Entity.Name != sarhad.Pseudonym(p.Entity.ID) {
								t.Errorf("redacted party %s named %q", p.Entity.ID, p.Entity.Name)
							}
							pseudonyms++
						}
					}
				}
			}
			if pseudonyms == 0 {
				t.Errorf("no victim appears, under a pseudonym, in any timeline for %s", vw.name)
			}
		})
	}
	e.t = t
	// A hidden event never appears: an organisation whose timeline, for an FIA Gujranwala
	// investigator, holds events the Greek liaison officer may not see.
	var org string
	var hidden []string
	for _, id := range ix.ids(greekLiaison, sarhad.KindOrganization, nil) {
		var h []string
		for ev := range ix.timelineEvents(grwInvestigator, id) {
			if !ix.w.visible(greekLiaison, ev) {
				h = append(h, ev)
			}
		}
		if len(h) > len(hidden) {
			org, hidden = id, h
		}
	}
	if len(hidden) == 0 {
		t.Fatal("no organisation with events hidden from the Greek liaison officer")
	}
	var out monTimelineOut
	e.mustDo(greekLiaison, monTimelineQuery, map[string]any{"id": org}, &out)
	for _, en := range out.Timeline {
		if slices.Contains(hidden, en.Event.ID) {
			t.Errorf("hidden event %s in the timeline of %s for the Greek liaison officer", en.Event.ID, org)
		}
	}
	monCompare(t, "timeline with hidden events", out.render(), ix.expectedTimeline(greekLiaison, org, "", ""))

	// Errors: a hidden entity, an entity of another kind, dates out of order.
	var hiddenCase string
	for _, id := range ix.ids(grwInvestigator, sarhad.KindCase, nil) {
		if !ix.w.visible(greekLiaison, id) {
			hiddenCase = id
			break
		}
	}
	for _, tt := range []struct {
		name string
		v    *sarhad.Viewer
		vars map[string]any
		code string
	}{
		{"hidden case", greekLiaison, map[string]any{"id": hiddenCase}, sarhad.ENOTFOUND},
		{"missing entity", grwInvestigator, map[string]any{"id": sarhad.StableID(sarhad.KindPerson, "nobody")}, sarhad.ENOTFOUND},
		{"country", grwInvestigator, map[string]any{"id": sarhad.CountryID("PAK")}, sarhad.EINVALID},
		{"source", grwInvestigator, map[string]any{"id": ix.ids(grwInvestigator, sarhad.KindSource, nil)[0]}, sarhad.EINVALID},
	} {
		if r := e.do(tt.v, monTimelineQuery, tt.vars, nil); r.code() != tt.code {
			t.Errorf("%s: code %q (%+v), want %s", tt.name, r.code(), r.Errors, tt.code)
		}
	}
}

// --- sharedIdentifiers ----------------------------------------------------------------------------

const monSharedQuery = `query($k: [IdentifierKind!], $m: Int, $n: Int) {
	sharedIdentifiers(kinds: $k, minHolders: $m, first: $n) {
		kind value holderCount records { id }
		holders { holder { id } identifier { id } relationship { id type } } } }`

type monSharedOut struct {
	SharedIdentifiers []struct {
		Kind, Value string
		HolderCount int
		Records     []struct{ ID string }
		Holders     []struct {
			Holder, Identifier struct{ ID string }
			Relationship       struct{ ID, Type string }
		}
	}
}

func (o *monSharedOut) render() []string {
	var out []string
	for _, s := range o.SharedIdentifiers {
		var records, holders []string
		for _, r := range s.Records {
			records = append(records, r.ID)
		}
		for _, h := range s.Holders {
			holders = append(holders, h.Holder.ID+" "+h.Relationship.Type+" "+h.Identifier.ID+" ("+h.Relationship.ID+")")
		}
		out = append(out, monRenderShared(s.Kind, s.Value, s.HolderCount, records, holders))
	}
	return out
}

func monRenderShared(kind, value string, n int, records, holders []string) string {
	return fmt.Sprintf("%s %q holders=%d records=%v ties=%v", kind, value, n, records, holders)
}

// expectedShared computes sharedIdentifiers from the seed.
func (ix *monIndex) expectedShared(v *sarhad.Viewer, kinds []sarhad.EntityKind, minHolders, first int) []string {
	type group struct {
		kind, value string
		records     []string
		ties        []*sarhad.Relationship
		holders     map[string]bool
	}
	groups := map[[2]string]*group{}
	for _, kind := range kinds {
		for _, id := range ix.ids(v, kind, nil) {
			val := sarhad.IdentifierValue(ix.w.entities[id])
			if val == "" {
				continue
			}
			k := [2]string{string(kind), val}
			if groups[k] == nil {
				groups[k] = &group{kind: string(kind), value: val, holders: map[string]bool{}}
			}
			g := groups[k]
			g.records = append(g.records, id)
			for _, typ := range sarhad.HolderTypes {
				for _, r := range ix.in(v, id, typ) {
					if hk := ix.kind(r.From); hk == sarhad.KindPerson || hk == sarhad.KindOrganization {
						g.ties = append(g.ties, r)
						g.holders[r.From] = true
					}
				}
			}
		}
	}
	var list []*group
	for _, g := range groups {
		if len(g.holders) >= minHolders {
			list = append(list, g)
		}
	}
	slices.SortFunc(list, func(a, b *group) int {
		return cmp.Or(cmp.Compare(len(b.holders), len(a.holders)), cmp.Compare(a.kind, b.kind), cmp.Compare(a.value, b.value))
	})
	var out []string
	for _, g := range list[:min(first, len(list))] {
		slices.Sort(g.records)
		slices.SortFunc(g.ties, func(a, b *sarhad.Relationship) int {
			return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.ID, b.ID))
		})
		var ties []string
		for _, r := range g.ties {
			ties = append(ties, r.From+" "+string(r.Type)+" "+r.To+" ("+r.ID+")")
		}
		out = append(out, monRenderShared(g.kind, g.value, len(g.holders), g.records, ties))
	}
	return out
}

func TestSharedIdentifiersMatchSeedRecords(t *testing.T) {
	e, ix := monEnv(t)
	allKinds := sarhad.IdentifierKinds
	args := []struct {
		name       string
		kinds      []sarhad.EntityKind
		minHolders int
		first      int
	}{
		{name: "defaults", kinds: allKinds, minHolders: 2, first: 50},
		{name: "every shared identifier", kinds: allKinds, minHolders: 2, first: 500},
		{name: "phones", kinds: []sarhad.EntityKind{sarhad.KindPhone}, minHolders: 2, first: 500},
		{name: "accounts and addresses", kinds: []sarhad.EntityKind{sarhad.KindBankAccount, sarhad.KindAddress}, minHolders: 2, first: 500},
		{name: "documents, vehicles, online accounts", kinds: []sarhad.EntityKind{sarhad.KindIdentityDocument, sarhad.KindVehicle, sarhad.KindOnlineAccount}, minHolders: 2, first: 500},
		{name: "at least three holders", kinds: allKinds, minHolders: 3, first: 500},
		{name: "first five", kinds: allKinds, minHolders: 2, first: 5},
	}
	protected := 0
	for _, vw := range monViewers {
		t.Run(vw.name, func(t *testing.T) {
			e.t = t
			for _, tt := range args {
				vars := map[string]any{}
				if tt.name != "defaults" {
					vars = map[string]any{"k": tt.kinds, "m": tt.minHolders, "n": tt.first}
				}
				var out monSharedOut
				e.mustDo(vw.v, monSharedQuery, vars, &out)
				want := ix.expectedShared(vw.v, tt.kinds, tt.minHolders, tt.first)
				if len(want) == 0 && tt.name != "documents, vehicles, online accounts" {
					t.Errorf("%s: nothing shared for %s: the check would prove nothing", tt.name, vw.name)
				}
				monCompare(t, tt.name, out.render(), want)
				// No identifier a victim holds appears unless the viewer may see that victim's details.
				for _, s := range out.SharedIdentifiers {
					for _, r := range s.Records {
						if sarhad.VictimIdentifierHidden(vw.v, ix.w.holders[r.ID]) {
							t.Errorf("%s: %s %s, held by a victim, shown to %s", tt.name, s.Kind, r.ID, vw.name)
						}
					}
				}
			}
			// The victim rule matters here: some identifier this viewer's handling admits is held by a
			// victim whose details the viewer may not see.
			for id, hs := range ix.w.holders {
				if ix.w.entities[id].EntityMeta().Handling.Visible(vw.v) && sarhad.VictimIdentifierHidden(vw.v, hs) {
					protected++
				}
			}
		})
	}
	e.t = t
	if protected == 0 {
		t.Errorf("no identifier is withheld by the victim rule alone: the victim check would prove nothing")
	}
	for _, q := range []string{`{ sharedIdentifiers(minHolders: 1) { value } }`, `{ sharedIdentifiers(minHolders: 1001) { value } }`,
		`{ sharedIdentifiers(first: 0) { value } }`, `{ sharedIdentifiers(first: 501) { value } }`} {
		if r := e.do(grwInvestigator, q, nil, nil); r.code() != sarhad.EINVALID {
			t.Errorf("%s: code %q (%+v), want BAD_USER_INPUT", q, r.code(), r.Errors)
		}
	}
}

func TestSharedIdentifiersMeetAcrossNationalFormats(t *testing.T) {
	e := newEnv(t)
	a := e.create(&sarhad.Person{Name: "Rehman Yousaf"}, nil)
	b := e.create(&sarhad.Person{Name: "Bilal Ahmed"}, nil)
	c := e.create(&sarhad.Person{Name: "Tariq Mehmood"}, nil)
	national := e.create(&sarhad.Phone{Number: "0300 1234567", Country: "PAK"}, nil)
	international := e.create(&sarhad.Phone{Number: "+92 300 1234567"}, nil)
	other := e.create(&sarhad.Phone{Number: "+92 300 7654321"}, nil)
	ra := e.link(sarhad.RelUses, a, national, sarhad.RelationProps{})
	rb := e.link(sarhad.RelUses, b, international, sarhad.RelationProps{})
	e.link(sarhad.RelUses, c, other, sarhad.RelationProps{})
	var out monSharedOut
	e.mustDo(investigator, monSharedQuery, nil, &out)
	if len(out.SharedIdentifiers) != 1 {
		t.Fatalf("got %d shared identifiers, want 1: %v", len(out.SharedIdentifiers), out.render())
	}
	s := out.SharedIdentifiers[0]
	records := []string{national, international}
	slices.Sort(records)
	type tie struct{ holder, identifier, rel string }
	want := []tie{{a, national, ra}, {b, international, rb}}
	slices.SortFunc(want, func(x, y tie) int { return cmp.Or(cmp.Compare(x.holder, y.holder), cmp.Compare(x.rel, y.rel)) })
	var got []tie
	for _, h := range s.Holders {
		got = append(got, tie{h.Holder.ID, h.Identifier.ID, h.Relationship.ID})
	}
	if s.Kind != "PHONE" || s.Value != "+923001234567" || s.HolderCount != 2 ||
		!slices.Equal(monIDs(s.Records), records) || !slices.Equal(got, want) {
		t.Errorf("shared phone: %v; want value +923001234567, records %v, ties %v", out.render(), records, want)
	}
	// With three holders required, nothing is shared.
	e.mustDo(investigator, `{ sharedIdentifiers(minHolders: 3) { value } }`, nil, &out)
	if len(out.SharedIdentifiers) != 0 {
		t.Errorf("minHolders 3: %v", out.render())
	}
}

func monIDs(l []struct{ ID string }) []string {
	var out []string
	for _, x := range l {
		out = append(out, x.ID)
	}
	return out
}

// A person is moved in a case only as its VICTIM or when SMUGGLED or TRAFFICKED: a victim of one
// case who is a witness in another does not count in the other case's flow.
func TestCrossBorderFlowsCountPersonsMovedInEachCase(t *testing.T) {
	e := newEnv(t)
	place := func(name, country string) string {
		return e.create(&sarhad.Place{Name: name, Category: sarhad.PlaceCity, Country: country}, nil)
	}
	route := func(name string, stops ...string) string {
		r := e.create(&sarhad.Route{Name: name}, nil)
		for i, s := range stops {
			e.link(sarhad.RelHasStop, r, s, sarhad.RelationProps{Order: i + 1, Mode: sarhad.ModeLand})
		}
		return r
	}
	lahore, quetta, zahedan, gwadar, muscat := place("Lahore", "PAK"), place("Quetta", "PAK"), place("Zahedan", "IRN"),
		place("Gwadar", "PAK"), place("Muscat", "OMN")
	toIran, toOman := route("Lahore–Zahedan", lahore, quetta, zahedan), route("Gwadar–Muscat", gwadar, muscat)
	newCase := func(ref, route string) string {
		c := e.create(&sarhad.Case{Reference: ref, Agency: "FIA AHTC Lahore", Country: "PAK", Offences: []sarhad.Offence{sarhad.OffenceTrafficking},
			Stage: sarhad.StageRegistered, RegisteredOn: "2023-01-10"}, nil)
		e.link(sarhad.RelAlongRoute, c, route, sarhad.RelationProps{})
		return c
	}
	iranCase, omanCase := newCase("FIR 1/2023", toIran), newCase("FIR 2/2023", toOman)
	victim := e.create(&sarhad.Person{Name: "Victim One", Gender: sarhad.GenderFemale, Victim: &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult}}, nil)
	e.link(sarhad.RelPartyTo, victim, iranCase, sarhad.RelationProps{Role: string(sarhad.PartyVictim)})
	e.link(sarhad.RelPartyTo, victim, omanCase, sarhad.RelationProps{Role: string(sarhad.PartyWitness)})
	migrant := e.create(&sarhad.Person{Name: "Migrant One", Gender: sarhad.GenderMale}, nil)
	smuggler := e.create(&sarhad.Person{Name: "Smuggler One", Gender: sarhad.GenderMale}, nil)
	e.link(sarhad.RelSmuggled, smuggler, migrant, sarhad.RelationProps{})
	e.link(sarhad.RelPartyTo, migrant, omanCase, sarhad.RelationProps{Role: string(sarhad.PartyWitness)})
	e.link(sarhad.RelPartyTo, smuggler, omanCase, sarhad.RelationProps{Role: string(sarhad.PartyAccused)})

	var out monFlowOut
	e.mustDo(investigator, monFlowQuery, nil, &out)
	got := map[string]int{}
	for _, f := range out.CrossBorderFlows {
		got[f.Origin.Alpha3+"→"+f.Destination.Alpha3] = f.Persons
		for _, l := range f.Crossings {
			got[l.From.ID+">"+l.To.ID] = l.Persons
		}
	}
	want := map[string]int{"PAK→IRN": 1, "PAK→OMN": 1, quetta + ">" + zahedan: 1, gwadar + ">" + muscat: 1}
	if !maps.Equal(got, want) {
		t.Errorf("persons moved: got %v, want %v", got, want)
	}
}
