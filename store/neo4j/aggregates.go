package neo4j

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/sarhad/sarhad"
)

// Statistics and flows are counted here, in Cypher: a statement returns the cells of a statistic or
// a row per route, not every case with its facts.

// referredExists is the predicate of PartyFact.Referred for person p.
func referredExists(p string) string {
	return `EXISTS { MATCH (` + p + `)-[x:REFERRED_TO]->(o:` + entityLabel + `) WHERE ` + visible("x") + ` AND ` +
		visibleEnd("o", false, sarhad.RelReferredTo) + ` }`
}

// movedExists is the predicate of PartyFact.Moved for person p.
func movedExists(p string) string {
	return `EXISTS { MATCH (` + p + `)<-[m:SMUGGLED|TRAFFICKED]-(o:` + entityLabel + `) WHERE ` + visible("m") + ` AND ` +
		visibleEnd("o", true, sarhad.RelSmuggled, sarhad.RelTrafficked) + ` }`
}

// RouteCases implements sarhad.Store in one statement that returns a row per route, not per case:
// the cases' visible routes, grouped, then the persons moved in each route's cases, with the policy
// of CaseTally.
func (s *Store) RouteCases(ctx context.Context, q sarhad.RouteCasesQuery) (*sarhad.RouteCases, error) {
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
	match, params, err := entityMatch(v, sarhad.KindCase, q.Conditions)
	if err != nil {
		return nil, fmt.Errorf("neo4j: route cases: %w", err)
	}
	params["limit"] = q.Limit + 1
	records, err := s.read(ctx, match+`
		WITH e LIMIT $limit
		WITH collect(e) AS counted
		CALL (counted) {
			UNWIND counted AS e
			MATCH (e)-[a:ALONG_ROUTE]->(rt:Route) WHERE `+visible("a")+` AND `+visibleNode("rt", sarhad.KindRoute)+`
			WITH rt, collect(DISTINCT e) AS cases
			CALL (cases) {
				UNWIND cases AS c
				MATCH (p:Person)-[r:PARTY_TO]->(c) WHERE `+visible("r")+` AND `+visibleNode("p", sarhad.KindPerson)+`
					AND (r.role = '`+string(sarhad.PartyVictim)+`' OR `+movedExists("p")+`)
				WITH DISTINCT p.id AS person ORDER BY person
				RETURN collect(person) AS moved
			}
			WITH rt.id AS route, [c IN cases | c.id] AS cases, moved ORDER BY route
			RETURN collect([route, cases, moved]) AS routes
		}
		RETURN size(counted) AS total, routes`, params)
	if err != nil {
		return nil, wrap(ctx, "route cases", err)
	}
	if len(records) != 1 {
		return nil, fmt.Errorf("neo4j: route cases: %d records, want 1", len(records))
	}
	total, ok := records[0].Values[0].(int64)
	routes, ok2 := records[0].Values[1].([]any)
	if !ok || !ok2 {
		return nil, fmt.Errorf("neo4j: route cases: unexpected record %v", records[0].Values)
	}
	out := &sarhad.RouteCases{Cases: int(total)}
	for _, raw := range routes {
		r, _ := raw.([]any)
		route, ok := "", len(r) == 3
		if ok {
			route, ok = r[0].(string)
		}
		if !ok {
			return nil, fmt.Errorf("neo4j: route cases: unexpected route %v", raw)
		}
		cases := asStrs(r[1])
		slices.Sort(cases)
		out.Routes = append(out.Routes, &sarhad.RouteCase{Route: route, Cases: cases, Moved: asStrs(r[2])})
	}
	return out, nil
}

// arrestsMatch matches the persons p involved in the visible ARREST events recorded in case c
// (CaseFacts.Arrested).
func arrestsMatch(p, c string) string {
	return `MATCH (` + p + `:Person)-[i:INVOLVED_IN]->(ev:Event)-[rc:RECORDED_IN]->(` + c + `)
		WHERE ev.a_category = 'ARREST' AND ` + visible("rc") + ` AND ` + visibleNode("ev", sarhad.KindEvent) + `
			AND ` + visible("i") + ` AND ` + visibleNode(p, sarhad.KindPerson)
}

// routesCall is the subquery of the visible routes of case e, by id, as routes.
func routesCall(e string) string {
	return `CALL (` + e + `) {
			MATCH (` + e + `)-[a:ALONG_ROUTE]->(rt:Route) WHERE ` + visible("a") + ` AND ` + visibleNode("rt", sarhad.KindRoute) + `
			WITH DISTINCT rt.id AS route ORDER BY route
			RETURN collect(route) AS routes
		}`
}

// CaseTally implements sarhad.Store in one statement that returns the cells, not the cases: it
// keys each case by its values of the dimensions (as sarhad.TallyCaseFacts keys its facts), groups
// the cases by key, and gathers each cell's victims, referrals and arrests from its cases, with the
// policy on every relationship and node (visibleNode for the nodes matched by their kind's label,
// visibleEnd for those reached by a type).
func (s *Store) CaseTally(ctx context.Context, q sarhad.CaseTallyQuery) (*sarhad.CaseTallies, error) {
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
	match, params, err := entityMatch(v, sarhad.KindCase, q.Conditions)
	if err != nil {
		return nil, fmt.Errorf("neo4j: case tally: %w", err)
	}
	params["limit"] = q.Limit + 1
	params["noRoute"] = sarhad.NoRoute
	var values, keys []string // the clauses that give a case several values of a dimension; the key
	prop := func(attr string) string { return "e." + attrProperty(attrPrefix, attr) }
	for _, d := range q.GroupBy {
		switch d {
		case sarhad.StatYear: // Date.Year: 0 without a date
			keys = append(keys, `coalesce(toString(toInteger(left(`+prop("registeredOn")+`, 4))), '0')`)
		case sarhad.StatQuarter:
			on := prop("registeredOn")
			keys = append(keys, `CASE WHEN size(coalesce(`+on+`, '')) < 7 THEN '' ELSE left(`+on+`, 4) + '-Q' +
				toString((toInteger(substring(`+on+`, 5, 2)) + 2) / 3) END`)
		case sarhad.StatStage:
			keys = append(keys, `coalesce(`+prop("stage")+`, '')`)
		case sarhad.StatAgency:
			keys = append(keys, `coalesce(`+prop("agency")+`, '')`)
		case sarhad.StatCountry:
			keys = append(keys, `coalesce(`+prop("country")+`, '')`)
		case sarhad.StatOffence: // a case without an offence counts in no cell
			values = append(values, `UNWIND coalesce(`+prop("offences")+`, []) AS offence`)
			keys = append(keys, "offence")
		case sarhad.StatRoute:
			values = append(values, routesCall("e"), `UNWIND CASE size(routes) WHEN 0 THEN [$noRoute] ELSE routes END AS route`)
			keys = append(keys, "route")
		default:
			return nil, fmt.Errorf("neo4j: case tally: unknown dimension %q", d)
		}
	}
	stages := func(ss ...sarhad.CaseStage) string {
		return `size([c IN cases WHERE c.` + attrProperty(attrPrefix, "stage") + ` IN ` + cypherList(ss) + `])`
	}
	records, err := s.read(ctx, match+`
		WITH e LIMIT $limit
		WITH collect(e) AS counted
		CALL (counted) {
			UNWIND counted AS e
			`+strings.Join(values, "\n\t\t\t")+`
			WITH [`+strings.Join(keys, ", ")+`] AS key, e
			WITH key, collect(DISTINCT e) AS cases
			CALL (cases) {
				UNWIND cases AS c
				MATCH (p:Person)-[r:PARTY_TO]->(c) WHERE r.role = '`+string(sarhad.PartyVictim)+`' AND `+visible("r")+`
					AND `+visibleNode("p", sarhad.KindPerson)+`
				WITH DISTINCT p
				RETURN count(p) AS victims, count(CASE WHEN `+referredExists("p")+` THEN 1 END) AS referred
			}
			CALL (cases) {
				UNWIND cases AS c
				`+arrestsMatch("p", "c")+`
				RETURN count(DISTINCT p) AS arrested
			}
			RETURN collect([key, size(cases),
				`+stages(sarhad.StageRegistered, sarhad.StageUnderInvestigation)+`,
				`+stages(sarhad.StageChargeSheeted, sarhad.StageOnTrial, sarhad.StageConvicted, sarhad.StageAcquitted)+`,
				`+stages(sarhad.StageConvicted)+`, `+stages(sarhad.StageAcquitted)+`,
				arrested, victims, referred,
				coalesce($vOrg IS NOT NULL AND all(c IN cases WHERE c.originOrg = $vOrg), false)]) AS cells
		}
		RETURN size(counted) AS total, cells`, params)
	if err != nil {
		return nil, wrap(ctx, "case tally", err)
	}
	if len(records) != 1 {
		return nil, fmt.Errorf("neo4j: case tally: %d records, want 1", len(records))
	}
	rec := records[0]
	total, ok := rec.Values[0].(int64)
	cells, ok2 := rec.Values[1].([]any)
	if !ok || !ok2 {
		return nil, fmt.Errorf("neo4j: case tally: unexpected record %v", rec.Values)
	}
	out := &sarhad.CaseTallies{Cases: int(total)}
	for _, raw := range cells {
		c, _ := raw.([]any)
		if len(c) != 10 {
			return nil, fmt.Errorf("neo4j: case tally: unexpected cell %v", raw)
		}
		cell := &sarhad.CaseTally{Key: asStrs(c[0])}
		counts := []*int{&cell.Cases, &cell.Open, &cell.Charged, &cell.Convicted, &cell.Acquitted, &cell.Arrested,
			&cell.Victims, &cell.Referred}
		for i, n := range counts {
			x, ok := c[i+1].(int64)
			if !ok {
				return nil, fmt.Errorf("neo4j: case tally: unexpected cell %v", raw)
			}
			*n = int(x)
		}
		cell.Own, ok = c[9].(bool)
		if !ok || len(cell.Key) != len(q.GroupBy) {
			return nil, fmt.Errorf("neo4j: case tally: unexpected cell %v", raw)
		}
		out.Cells = append(out.Cells, cell)
	}
	return out, nil
}
