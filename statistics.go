package sarhad

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
)

// Case statistics are the monitoring and evaluation figures a programme reports: cases registered
// and how far they went, persons arrested, victims identified and referred for assistance, grouped
// by period, stage, offence, agency, route or country. They count only the cases the viewer may see,
// and withhold small counts (see SmallCellThreshold) from viewers outside the organisation that
// originated the cases.

// StatDimension is a dimension case statistics are grouped by.
type StatDimension string

// Statistics dimensions.
const (
	StatYear    StatDimension = "YEAR"    // year of registration, "2023"
	StatQuarter StatDimension = "QUARTER" // quarter of registration, "2023-Q2"
	StatStage   StatDimension = "STAGE"   // current stage
	StatOffence StatDimension = "OFFENCE" // each offence a case is registered under (a case counts under each)
	StatAgency  StatDimension = "AGENCY"  // registering agency
	StatRoute   StatDimension = "ROUTE"   // route the case concerns (each one; NoRoute when none is recorded)
	StatCountry StatDimension = "COUNTRY" // registering country (alpha-3)
)

// StatDimensions lists every dimension.
var StatDimensions = []StatDimension{StatYear, StatQuarter, StatStage, StatOffence, StatAgency, StatRoute, StatCountry}

// NoRoute is the ROUTE value of cases that concern no visible route.
const NoRoute = "NONE"

// SmallCellThreshold: a count from 1 to SmallCellThreshold-1 is withheld (null) unless the viewer's
// organisation originated every case of its cell; such small counts could single out a victim.
const SmallCellThreshold = 5

// StatisticsQuery selects the cases counted and how they are grouped. Conditions are further
// conditions on the cases (the CaseFilter of the API).
type StatisticsQuery struct {
	From, To   Date // registered on or after From and on or before To, when set
	GroupBy    []StatDimension
	Conditions []Condition
}

// StatKey is the value of one dimension of a cell.
type StatKey struct {
	Dimension StatDimension
	Value     string // the code: a year, "2023-Q2", an enum value, an agency, a route id, an alpha-3 code
	Label     string // for people: the route's name, the country's name; else the value
}

// StatCell holds the counts of one combination of dimension values. A nil count was withheld.
type StatCell struct {
	Key []StatKey
	// CasesRegistered: cases registered.
	CasesRegistered *int
	// UnderInvestigation: of those, cases not yet charge-sheeted, decided or closed (stage REGISTERED
	// or UNDER_INVESTIGATION).
	UnderInvestigation *int
	// ChargeSheeted: cases in which a charge sheet was filed (stage CHARGE_SHEETED, ON_TRIAL,
	// CONVICTED or ACQUITTED).
	ChargeSheeted *int
	// Convicted and Acquitted: cases decided so.
	Convicted, Acquitted *int
	// PersonsArrested: distinct persons involved in ARREST events recorded in the cases.
	PersonsArrested *int
	// VictimsIdentified: distinct persons party to the cases as VICTIM.
	VictimsIdentified *int
	// VictimsReferred: of those, the victims referred to a support organisation (REFERRED_TO).
	VictimsReferred *int
	// Suppressed is true when at least one count of the cell was withheld.
	Suppressed bool
}

// CaseStatistics is the answer of a statistics question: cells ordered by their keys (periods in
// time order, stages in process order, other values alphabetically).
type CaseStatistics struct {
	GroupBy              []StatDimension
	Cells                []*StatCell
	SuppressionThreshold int
}

// CanReadStatistics reports whether the viewer may read statistics: every role that reads the
// graph, and the auditor (programme managers and evaluators).
func CanReadStatistics(v *Viewer) bool { return CanRead(v) || v.HasRole(RoleAuditor) }

// CaseStatistics counts the visible cases q selects, grouped by q.GroupBy (no dimension: one cell of
// totals). BAD_USER_INPUT for an unknown or repeated dimension or dates out of order,
// COMPLEXITY_LIMIT_EXCEEDED when more than MaxScanEntities cases match. Viewers who read statistics
// but not the graph (auditors) may not select the cases of a party: the cells of one person's
// cases would tell them what the graph does not. A route, which programme reports follow, they may.
func (s *Service) CaseStatistics(ctx context.Context, q StatisticsQuery) (*CaseStatistics, error) {
	v, err := ViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
	if !CanReadStatistics(v) {
		return nil, Errorf(EFORBIDDEN, "your role may not read statistics")
	}
	if !CanRead(v) && slices.ContainsFunc(q.Conditions, func(c Condition) bool { return c.Op == OpRelated && c.Rel == RelPartyTo }) {
		return nil, Errorf(EFORBIDDEN, "your role may not select statistics by a party")
	}
	release, err := s.aggregate(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	for i, d := range q.GroupBy {
		if !slices.Contains(StatDimensions, d) {
			return nil, Invalid("groupBy", "groupBy[%d] is not a dimension", i)
		}
		if slices.Contains(q.GroupBy[:i], d) {
			return nil, Invalid("groupBy", "%s is repeated", d)
		}
	}
	conds, err := dateRange("registeredOn", q.From, q.To)
	if err != nil {
		return nil, err
	}
	tallies, err := s.Store.CaseTally(ctx, CaseTallyQuery{Conditions: append(conds, q.Conditions...), GroupBy: q.GroupBy,
		Limit: MaxScanEntities})
	if err != nil {
		return nil, err
	}
	if tallies.Cases > MaxScanEntities {
		return nil, tooManyCases("narrow the dates or the filter")
	}
	routes, err := s.routeNames(ctx, q.GroupBy, tallies.Cells)
	if err != nil {
		return nil, err
	}
	tallied := tallies.Cells
	if len(q.GroupBy) == 0 && len(tallied) == 0 {
		tallied = []*CaseTally{{Key: []string{}}} // totals of nothing are zeros
	}
	out := &CaseStatistics{GroupBy: slices.Clone(q.GroupBy), SuppressionThreshold: SmallCellThreshold, Cells: make([]*StatCell, 0, len(tallied))}
	for _, t := range tallied {
		cell := &StatCell{Key: make([]StatKey, len(q.GroupBy))}
		for i, d := range q.GroupBy {
			cell.Key[i] = statKey(d, t.Key[i], routes)
		}
		count := func(n int) *int {
			if n > 0 && n < SmallCellThreshold && !t.Own {
				cell.Suppressed = true
				return nil
			}
			return &n
		}
		cell.CasesRegistered, cell.UnderInvestigation, cell.ChargeSheeted = count(t.Cases), count(t.Open), count(t.Charged)
		cell.Convicted, cell.Acquitted = count(t.Convicted), count(t.Acquitted)
		cell.PersonsArrested, cell.VictimsIdentified, cell.VictimsReferred = count(t.Arrested), count(t.Victims), count(t.Referred)
		out.Cells = append(out.Cells, cell)
	}
	slices.SortFunc(out.Cells, func(a, b *StatCell) int {
		for i := range a.Key {
			if c := compareStatValues(a.Key[i], b.Key[i]); c != 0 {
				return c
			}
		}
		return 0
	})
	return out, nil
}

// TallyCaseFacts counts facts by groupBy for viewer v: the cells of CaseTally, in no particular
// order. The facts are those of a CaseFactsQuery with Arrests and Referred and, among the parties,
// at least those in the role VICTIM. A store that gathers the facts in process tallies them so.
func TallyCaseFacts(v *Viewer, facts []*CaseFacts, groupBy []StatDimension) *CaseTallies {
	type tally struct {
		key                                     []string
		cases, open, charged, convicted, acquit map[string]bool
		arrested, victims, referred             map[string]bool
		own                                     bool
	}
	cells := map[string]*tally{}
	var order []string
	for _, f := range facts {
		c := f.Case
		for _, key := range statKeys(f, groupBy) {
			id := strings.Join(key, "\x00")
			t := cells[id]
			if t == nil {
				t = &tally{key: key, own: true, cases: map[string]bool{}, open: map[string]bool{}, charged: map[string]bool{},
					convicted: map[string]bool{}, acquit: map[string]bool{}, arrested: map[string]bool{},
					victims: map[string]bool{}, referred: map[string]bool{}}
				cells[id] = t
				order = append(order, id)
			}
			t.own = t.own && c.Handling.OriginatorOrg == v.Org && v.Org != ""
			t.cases[c.ID] = true
			switch c.Stage {
			case StageRegistered, StageUnderInvestigation:
				t.open[c.ID] = true
			case StageChargeSheeted, StageOnTrial:
				t.charged[c.ID] = true
			case StageConvicted:
				t.charged[c.ID], t.convicted[c.ID] = true, true
			case StageAcquitted:
				t.charged[c.ID], t.acquit[c.ID] = true, true
			}
			for _, p := range f.Arrested {
				t.arrested[p] = true
			}
			for _, p := range f.Parties {
				if p.Role == string(PartyVictim) {
					t.victims[p.Person] = true
					if p.Referred {
						t.referred[p.Person] = true
					}
				}
			}
		}
	}
	out := &CaseTallies{Cases: len(facts), Cells: make([]*CaseTally, 0, len(cells))}
	for _, id := range order {
		t := cells[id]
		out.Cells = append(out.Cells, &CaseTally{Key: t.key, Cases: len(t.cases), Open: len(t.open), Charged: len(t.charged),
			Convicted: len(t.convicted), Acquitted: len(t.acquit), Arrested: len(t.arrested), Victims: len(t.victims),
			Referred: len(t.referred), Own: t.own})
	}
	return out
}

// dateRange returns the conditions of an attribute between from and to (either may be empty).
func dateRange(attr string, from, to Date) ([]Condition, error) {
	if _, err := ParseDate(string(from)); err != nil {
		return nil, Invalid("from", "%s", ErrorMessage(err))
	}
	if _, err := ParseDate(string(to)); err != nil {
		return nil, Invalid("to", "%s", ErrorMessage(err))
	}
	if from != "" && to != "" && to < from {
		return nil, Invalid("to", "is before from")
	}
	var conds []Condition
	if from != "" {
		conds = append(conds, Condition{Attr: attr, Op: OpGTE, Values: []string{string(from)}})
	}
	if to != "" {
		conds = append(conds, Condition{Attr: attr, Op: OpLTE, Values: []string{string(to)}})
	}
	return conds, nil
}

// inRange reports whether d lies between from and to (either may be empty).
func inRange(d, from, to Date) bool {
	return d != "" && (from == "" || d >= from) && (to == "" || d <= to)
}

// tooManyCases is the error of a question over more than MaxScanEntities cases.
func tooManyCases(advice string) error {
	return Errorf(ECOMPLEXITY, "more than %d %s records match; %s", MaxScanEntities, KindCase.Label(), advice)
}

// routeNames returns the names of the routes in the keys of cells, by id, when groupBy has ROUTE
// (nil otherwise).
func (s *Service) routeNames(ctx context.Context, groupBy []StatDimension, cells []*CaseTally) (map[string]string, error) {
	at := slices.Index(groupBy, StatRoute)
	if at < 0 {
		return nil, nil
	}
	var ids []string
	for _, c := range cells {
		if c.Key[at] != NoRoute {
			ids = append(ids, c.Key[at])
		}
	}
	found, err := s.load(ctx, ids)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(found))
	notes := SensitiveIDsFrom(ctx) // a route's id and name are in the answer, as its record's
	for id, e := range found {
		if r, ok := e.(*Route); ok {
			names[id] = r.Name
			if notes != nil && Sensitive(r) {
				notes.Note(id)
			}
		}
	}
	return names, nil
}

// statKey is the key of dimension d with value: its label is the route's name (routes holds them
// by id), the country's name, or the value itself.
func statKey(d StatDimension, value string, routes map[string]string) StatKey {
	label := value
	switch d {
	case StatRoute:
		if value == NoRoute {
			label = "No route recorded"
		} else if name := routes[value]; name != "" {
			label = name
		}
	case StatCountry:
		if ic, ok := LookupCountry(value); ok {
			label = ic.Name
		}
	}
	return StatKey{Dimension: d, Value: value, Label: label}
}

// statKeys returns the cells a case counts in: one key per combination of its values of dims.
func statKeys(f *CaseFacts, dims []StatDimension) [][]string {
	c := f.Case
	keys := [][]string{{}}
	for _, d := range dims {
		var values []string
		switch d {
		case StatYear:
			values = []string{fmt.Sprint(c.RegisteredOn.Year())}
		case StatQuarter:
			values = []string{quarter(c.RegisteredOn)}
		case StatStage:
			values = []string{string(c.Stage)}
		case StatOffence:
			for _, o := range c.Offences {
				values = append(values, string(o))
			}
		case StatAgency:
			values = []string{c.Agency}
		case StatRoute:
			values = slices.Clone(f.Routes)
			if len(values) == 0 {
				values = []string{NoRoute}
			}
		case StatCountry:
			values = []string{c.Country}
		}
		values = slices.Compact(slices.Sorted(slices.Values(values)))
		next := make([][]string, 0, len(keys)*len(values))
		for _, k := range keys {
			for _, val := range values {
				next = append(next, append(slices.Clip(k), val))
			}
		}
		keys = next
	}
	return keys
}

// quarter returns the quarter of d as "2023-Q2".
func quarter(d Date) string {
	if len(d) < 7 {
		return ""
	}
	var m int
	fmt.Sscanf(string(d[5:7]), "%d", &m)
	return fmt.Sprintf("%s-Q%d", d[:4], (m+2)/3)
}

// compareStatValues orders the values of one dimension: stages in process order, others as text.
func compareStatValues(a, b StatKey) int {
	if a.Dimension == StatStage {
		return cmp.Compare(slices.Index(CaseStages, CaseStage(a.Value)), slices.Index(CaseStages, CaseStage(b.Value)))
	}
	return cmp.Compare(a.Value, b.Value)
}

func isKind(id string, k EntityKind) bool {
	kind, err := KindOfID(id)
	return err == nil && kind == k
}
