package sarhad

import (
	"cmp"
	"context"
	"slices"
)

// Flows and crossings answer where people are moved: from which country to which, through which
// countries and over which border crossings, and which crossing points see the most traffic. They
// are derived from what the viewer may see: cases, the routes they concern, the stops of those
// routes, the parties to the cases and the events recorded at places.

// FlowQuery selects the cases whose flows are counted. Country codes are alpha-2 or alpha-3.
type FlowQuery struct {
	From, To    Date   // cases registered between From and To, when set
	Origin      string // only flows from this country
	Destination string // only flows to this country
	Via         string // only routes through this country (neither their origin nor their destination)
}

// CrossBorderFlow is the movement of persons from one country to another: the cases that concern a
// route from Origin to Destination, and the persons moved in them.
type CrossBorderFlow struct {
	Origin, Destination *Country
	Transit             []*Country // countries between origin and destination on any of the routes, by alpha-3
	Routes              []*Route   // the routes of the flow, by id
	// Cases: distinct visible cases concerning one of the routes.
	Cases int
	// Persons: distinct persons moved in those cases — parties to one of them as VICTIM, or parties
	// to one of them that were SMUGGLED or TRAFFICKED by anyone.
	Persons int
	// Crossings: the legs of the routes that cross a border, most cases first.
	Crossings []*CrossingUse
}

// CrossingUse is one border-crossing leg of a flow's routes, with the cases and persons that used it.
type CrossingUse struct {
	From, To       *Place
	Mode           TravelMode
	Cases, Persons int
}

// CrossingQuery selects the crossing points ranked and the period their records fall in.
type CrossingQuery struct {
	From, To Date   // events that occurred, and cases registered, between From and To, when set
	Country  string // only crossing points in this country (alpha-2 or alpha-3)
}

// CrossingPoint is a place where people cross a border: a place of category BORDER_CROSSING, or a
// place at either end of a route leg between two countries (a port, an airport, a jetty).
type CrossingPoint struct {
	Place *Place
	// Crossings and Interceptions: visible BORDER_CROSSING and INTERCEPTION events at the place.
	Crossings, Interceptions int
	// PersonsCrossed and PersonsIntercepted: the persons those events report (their personsCount).
	PersonsCrossed, PersonsIntercepted int
	// Cases: distinct visible cases registered in the period that record an event of the period at
	// the place, or concern a route crossing a border there.
	Cases int
	// Routes: the visible routes that cross a border at the place, by id.
	Routes []*Route
}

// routeStop is a stop of a route with its place.
type routeStop struct {
	place *Place
	order int
	mode  TravelMode
}

// leg is a border-crossing leg of a route.
type leg struct {
	from, to *Place
	mode     TravelMode
}

// routeMap holds the visible stops of routes in order.
type routeMap map[string][]routeStop

// routeStops returns the visible stops of the routes, in order.
func (s *Service) routeStops(ctx context.Context, routeIDs []string) (routeMap, error) {
	rels, err := s.related(ctx, routeIDs, DirOut, RelHasStop)
	if err != nil {
		return nil, err
	}
	var placeIDs []string
	for _, r := range rels {
		placeIDs = append(placeIDs, r.To)
	}
	places, err := s.load(ctx, placeIDs)
	if err != nil {
		return nil, err
	}
	out := routeMap{}
	for _, r := range rels {
		if p, ok := places[r.To].(*Place); ok {
			out[r.From] = append(out[r.From], routeStop{place: p, order: r.Order, mode: r.Mode})
		}
	}
	for id, stops := range out {
		slices.SortFunc(stops, func(a, b routeStop) int {
			return cmp.Or(cmp.Compare(a.order, b.order), cmp.Compare(a.place.ID, b.place.ID))
		})
		out[id] = slices.CompactFunc(stops, func(a, b routeStop) bool { return a.order == b.order && a.place.ID == b.place.ID })
	}
	return out, nil
}

// legs returns the legs of a route between two countries, in order.
func (m routeMap) legs(route string) []leg {
	var out []leg
	stops := m[route]
	for i := 1; i < len(stops); i++ {
		a, b := stops[i-1], stops[i]
		if a.place.Country != b.place.Country {
			out = append(out, leg{from: a.place, to: b.place, mode: b.mode})
		}
	}
	return out
}

// countries returns the countries a route passes through in order, each once.
func (m routeMap) countries(route string) []string {
	var out []string
	for _, st := range m[route] {
		if len(out) == 0 || out[len(out)-1] != st.place.Country {
			out = append(out, st.place.Country)
		}
	}
	return out
}

// optionalCountry returns the alpha-3 code of an optional alpha-2 or alpha-3 code.
func optionalCountry(field, code string) (string, error) {
	if code == "" {
		return "", nil
	}
	return CountryCode(field, code)
}

// CrossBorderFlows returns the flows of persons between countries, most persons first (then most
// cases, then by origin and destination). A case counts in the flow of every visible route it
// concerns that starts and ends in different countries; a route's origin is the country of its
// first visible stop, its destination that of its last.
func (s *Service) CrossBorderFlows(ctx context.Context, q FlowQuery) ([]*CrossBorderFlow, error) {
	if _, err := s.viewer(ctx, false); err != nil {
		return nil, err
	}
	release, err := s.aggregate(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	origin, err := optionalCountry("origin", q.Origin)
	if err != nil {
		return nil, err
	}
	destination, err := optionalCountry("destination", q.Destination)
	if err != nil {
		return nil, err
	}
	via, err := optionalCountry("via", q.Via)
	if err != nil {
		return nil, err
	}
	conds, err := dateRange("registeredOn", q.From, q.To)
	if err != nil {
		return nil, err
	}
	found, err := s.Store.RouteCases(ctx, RouteCasesQuery{Conditions: conds, Limit: MaxScanEntities})
	if err != nil {
		return nil, err
	}
	if found.Cases > MaxScanEntities {
		return nil, tooManyCases("narrow the dates")
	}
	var routeIDs []string
	for _, r := range found.Routes {
		routeIDs = append(routeIDs, r.Route)
	}
	stops, err := s.routeStops(ctx, routeIDs)
	if err != nil {
		return nil, err
	}
	routes, err := s.load(ctx, routeIDs)
	if err != nil {
		return nil, err
	}

	type legKey struct{ from, to string }
	type flowTally struct {
		origin, destination string
		transit, routes     map[string]bool
		cases, persons      map[string]bool
		legs                map[legKey]*leg
		legCases, legPeople map[legKey]map[string]bool
	}
	flows := map[[2]string]*flowTally{}
	// A leg of several routes of a flow takes its mode from the first of them in the order of their
	// first case, then of their ids: the route of the first case that travels the leg.
	byFirstCase := slices.Clone(found.Routes)
	slices.SortFunc(byFirstCase, func(a, b *RouteCase) int {
		return cmp.Or(cmp.Compare(firstOf(a.Cases), firstOf(b.Cases)), cmp.Compare(a.Route, b.Route))
	})
	for _, rc := range byFirstCase {
		route := rc.Route
		if routes[route] == nil {
			continue
		}
		path := stops.countries(route)
		if len(path) < 2 || path[0] == path[len(path)-1] {
			continue
		}
		from, to, transit := path[0], path[len(path)-1], path[1:len(path)-1]
		if origin != "" && from != origin || destination != "" && to != destination ||
			via != "" && (!slices.Contains(transit, via) || via == from || via == to) {
			continue
		}
		k := [2]string{from, to}
		t := flows[k]
		if t == nil {
			t = &flowTally{origin: from, destination: to, transit: map[string]bool{}, routes: map[string]bool{},
				cases: map[string]bool{}, persons: map[string]bool{}, legs: map[legKey]*leg{},
				legCases: map[legKey]map[string]bool{}, legPeople: map[legKey]map[string]bool{}}
			flows[k] = t
		}
		for _, tc := range transit {
			if tc != from && tc != to {
				t.transit[tc] = true
			}
		}
		t.routes[route] = true
		addAll(t.cases, rc.Cases)
		addAll(t.persons, rc.Moved)
		for _, l := range stops.legs(route) {
			lk := legKey{l.from.ID, l.to.ID}
			if t.legs[lk] == nil {
				t.legs[lk] = &l
				t.legCases[lk], t.legPeople[lk] = map[string]bool{}, map[string]bool{}
			}
			addAll(t.legCases[lk], rc.Cases)
			addAll(t.legPeople[lk], rc.Moved)
		}
	}

	var countryIDs []string
	for _, t := range flows {
		countryIDs = append(countryIDs, CountryID(t.origin), CountryID(t.destination))
		for c := range t.transit {
			countryIDs = append(countryIDs, CountryID(c))
		}
	}
	countries, err := s.load(ctx, countryIDs)
	if err != nil {
		return nil, err
	}
	country := func(alpha3 string) *Country {
		if c, ok := countries[CountryID(alpha3)].(*Country); ok {
			return c
		}
		return &Country{Meta: Meta{ID: CountryID(alpha3), Kind: KindCountry}, Alpha3: alpha3, Name: alpha3}
	}
	out := make([]*CrossBorderFlow, 0, len(flows))
	for _, t := range flows {
		f := &CrossBorderFlow{Origin: country(t.origin), Destination: country(t.destination), Cases: len(t.cases),
			Persons: len(t.persons), Transit: []*Country{}, Routes: []*Route{}, Crossings: []*CrossingUse{}}
		for _, c := range sortedKeys(t.transit) {
			f.Transit = append(f.Transit, country(c))
		}
		for _, r := range sortedKeys(t.routes) {
			f.Routes = append(f.Routes, routes[r].(*Route))
		}
		for lk, l := range t.legs {
			f.Crossings = append(f.Crossings, &CrossingUse{From: l.from, To: l.to, Mode: l.mode, Cases: len(t.legCases[lk]),
				Persons: len(t.legPeople[lk])})
		}
		slices.SortFunc(f.Crossings, func(a, b *CrossingUse) int {
			return cmp.Or(cmp.Compare(b.Cases, a.Cases), cmp.Compare(b.Persons, a.Persons), cmp.Compare(a.From.ID, b.From.ID),
				cmp.Compare(a.To.ID, b.To.ID))
		})
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b *CrossBorderFlow) int {
		return cmp.Or(cmp.Compare(b.Persons, a.Persons), cmp.Compare(b.Cases, a.Cases), cmp.Compare(a.Origin.Alpha3, b.Origin.Alpha3),
			cmp.Compare(a.Destination.Alpha3, b.Destination.Alpha3))
	})
	return out, nil
}

// BorderCrossings returns the crossing points with at least one record in the period, ranked by
// crossings, then interceptions, then cases (most first), then by place id.
func (s *Service) BorderCrossings(ctx context.Context, q CrossingQuery) ([]*CrossingPoint, error) {
	if _, err := s.viewer(ctx, false); err != nil {
		return nil, err
	}
	release, err := s.aggregate(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	country, err := optionalCountry("country", q.Country)
	if err != nil {
		return nil, err
	}
	if _, err := dateRange("occurredOn", q.From, q.To); err != nil {
		return nil, err
	}
	routeList, err := s.scan(ctx, KindRoute, nil, MaxScanEntities, "too many routes")
	if err != nil {
		return nil, err
	}
	stops, err := s.routeStops(ctx, idsOf(routeList))
	if err != nil {
		return nil, err
	}
	borderPlaces, err := s.scan(ctx, KindPlace, []Condition{{Attr: "category", Op: OpIn, Values: []string{string(PlaceBorderCrossing)}}},
		MaxScanEntities, "too many places")
	if err != nil {
		return nil, err
	}
	points := map[string]*CrossingPoint{}
	pointRoutes := map[string]map[string]bool{}
	add := func(p *Place) *CrossingPoint {
		if points[p.ID] == nil {
			points[p.ID] = &CrossingPoint{Place: p, Routes: []*Route{}}
			pointRoutes[p.ID] = map[string]bool{}
		}
		return points[p.ID]
	}
	for _, e := range borderPlaces {
		add(e.(*Place))
	}
	routes := map[string]*Route{}
	for _, e := range routeList {
		r := e.(*Route)
		routes[r.ID] = r
		for _, l := range stops.legs(r.ID) {
			for _, p := range []*Place{l.from, l.to} {
				add(p)
				pointRoutes[p.ID][r.ID] = true
			}
		}
	}
	for id, p := range points {
		if country != "" && p.Place.Country != country {
			delete(points, id)
		}
	}

	// Events at the points, and the cases recording them.
	placeIDs := sortedKeys(points)
	occurred, err := s.relatedEnds(ctx, placeIDs, DirIn, RelOccurredAt)
	if err != nil {
		return nil, err
	}
	var eventIDs []string
	for _, r := range occurred {
		eventIDs = append(eventIDs, r.From)
	}
	events, err := s.load(ctx, eventIDs)
	if err != nil {
		return nil, err
	}
	pointCases := map[string]map[string]bool{}
	for id := range points {
		pointCases[id] = map[string]bool{}
	}
	var inPeriod []string
	eventPlaces := map[string][]string{}
	seen := map[[2]string]bool{}
	for _, r := range occurred {
		e, ok := events[r.From].(*Event)
		if !ok || !inRange(e.OccurredOn, q.From, q.To) || seen[[2]string{r.From, r.To}] {
			continue
		}
		seen[[2]string{r.From, r.To}] = true
		p := points[r.To]
		switch e.Category {
		case EventBorderCrossing:
			p.Crossings++
			p.PersonsCrossed += e.PersonsCount
		case EventInterception:
			p.Interceptions++
			p.PersonsIntercepted += e.PersonsCount
		}
		inPeriod = append(inPeriod, e.ID)
		eventPlaces[e.ID] = append(eventPlaces[e.ID], r.To)
	}
	recorded, err := s.relatedEnds(ctx, inPeriod, DirOut, RelRecordedIn)
	if err != nil {
		return nil, err
	}
	along, err := s.relatedEnds(ctx, sortedKeys(routes), DirIn, RelAlongRoute)
	if err != nil {
		return nil, err
	}
	var caseIDs []string
	for _, r := range recorded {
		caseIDs = append(caseIDs, r.To)
	}
	for _, r := range along {
		if isKind(r.From, KindCase) {
			caseIDs = append(caseIDs, r.From)
		}
	}
	cases, err := s.load(ctx, caseIDs)
	if err != nil {
		return nil, err
	}
	for _, r := range recorded {
		if c, ok := cases[r.To].(*Case); ok && inRange(c.RegisteredOn, q.From, q.To) {
			for _, p := range eventPlaces[r.From] {
				pointCases[p][r.To] = true
			}
		}
	}
	for _, r := range along {
		c, ok := cases[r.From].(*Case)
		if !ok || !inRange(c.RegisteredOn, q.From, q.To) {
			continue
		}
		for id := range points {
			if pointRoutes[id][r.To] {
				pointCases[id][c.ID] = true
			}
		}
	}

	out := make([]*CrossingPoint, 0, len(points))
	for id, p := range points {
		p.Cases = len(pointCases[id])
		for _, r := range sortedKeys(pointRoutes[id]) {
			p.Routes = append(p.Routes, routes[r])
		}
		if p.Crossings+p.Interceptions+p.Cases > 0 {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b *CrossingPoint) int {
		return cmp.Or(cmp.Compare(b.Crossings, a.Crossings), cmp.Compare(b.Interceptions, a.Interceptions),
			cmp.Compare(b.Cases, a.Cases), cmp.Compare(a.Place.ID, b.Place.ID))
	})
	return out, nil
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// RouteCasesOf gathers facts (of a CaseFactsQuery with Moved, the parties in every role) by route:
// what RouteCases returns. A store that gathers the facts in process gathers them so.
func RouteCasesOf(facts []*CaseFacts) *RouteCases {
	type gathered struct{ cases, moved map[string]bool }
	byRoute := map[string]*gathered{}
	for _, f := range facts {
		for _, route := range f.Routes {
			g := byRoute[route]
			if g == nil {
				g = &gathered{cases: map[string]bool{}, moved: map[string]bool{}}
				byRoute[route] = g
			}
			g.cases[f.Case.ID] = true
			for _, p := range f.Parties {
				if p.Role == string(PartyVictim) || p.Moved {
					g.moved[p.Person] = true
				}
			}
		}
	}
	out := &RouteCases{Cases: len(facts), Routes: make([]*RouteCase, 0, len(byRoute))}
	for _, route := range sortedKeys(byRoute) {
		g := byRoute[route]
		out.Routes = append(out.Routes, &RouteCase{Route: route, Cases: sortedKeys(g.cases), Moved: sortedKeys(g.moved)})
	}
	return out
}

// firstOf returns the first of xs, "" when there is none.
func firstOf(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}

// addAll adds xs to set.
func addAll(set map[string]bool, xs []string) {
	for _, x := range xs {
		set[x] = true
	}
}
