package demo

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/sarhad/sarhad"
)

// caseState is a case being generated.
type caseState struct {
	key     string
	id      string
	c       *sarhad.Case
	n       *netState
	route   string
	pylos   bool
	firNo   int // fixed FIR number, or 0
	accused []*person
	moved   []*person
	srcs    []string
}

// stageWeights by year of registration: older cases are further along.
var stageWeights = map[int][]int{
	2021: {0, 2, 2, 4, 5, 3, 3},
	2022: {1, 4, 4, 5, 3, 2, 2},
	2023: {5, 8, 4, 3, 1, 1, 1},
}

// linkable reports whether a relationship between a and b can be marked so that its originator
// sees both ends.
func (w *world) linkable(a, b string) bool {
	ha, hb := w.byID[a].EntityMeta().Handling, w.byID[b].EntityMeta().Handling
	h := relHandling(ha, hb)
	v := orgViewer(h.OriginatorOrg, h.OriginatorCountry)
	return ha.Visible(v) && hb.Visible(v)
}

func (w *world) linkIf(t sarhad.RelationType, from, to string, p sarhad.RelationProps, sources ...string) {
	if w.linkable(from, to) {
		w.link(t, from, to, p, sources...)
	}
}

func (w *world) fee(route string) sarhad.Money { return *w.byID[route].(*sarhad.Route).Fee }

func round(m sarhad.Money) sarhad.Money {
	step := 100.0
	if m.Currency == "PKR" {
		step = 10000
	}
	m.Amount = math.Max(step, math.Round(m.Amount/step)*step)
	return m
}

// addCases adds the domestic cases of every network, then the partner countries' cases.
func (w *world) addCases() {
	var domestic []*caseState
	for ni, n := range w.nets {
		for j := range n.nCases {
			cs := &caseState{key: fmt.Sprintf("case/%s/%03d", strings.TrimPrefix(n.key, "org/"), j), n: n,
				c: &sarhad.Case{Agency: circleName(n.circle), Country: "PAK"}}
			q := (ni*5 + j) % 12
			year, quarter := 2021+q/4, q%4
			start := day(year, time.Month(quarter*3+1), 1)
			cs.c.RegisteredOn = w.dateIn(start, addDays(day(year, time.Month(quarter*3+4), 1), -1))
			cs.route = n.routeIDs[j%len(n.routeIDs)]
			if n.key == "org/gondal-warraich" && j < 6 {
				cs.pylos = true
				cs.route = w.routes["route/tobruk-pylos"]
				cs.c.Agency = circleName(OrgFIAGujranwala)
				cs.c.RegisteredOn = addDays("2023-06-16", j*2)
				cs.firNo = 112 + j
				if j == 0 {
					cs.key = keyPylosCase
				}
			}
			n.cases = append(n.cases, cs)
			domestic = append(domestic, cs)
		}
	}
	// FIR numbers run per circle and year in order of registration.
	ordered := slices.Clone(domestic)
	slices.SortStableFunc(ordered, func(a, b *caseState) int { return cmp.Compare(a.c.RegisteredOn, b.c.RegisteredOn) })
	counter := map[string]int{}
	for _, cs := range ordered {
		circle := strings.TrimPrefix(cs.c.Agency, "FIA ")
		year := cs.c.RegisteredOn.Year()
		if cs.firNo > 0 {
			cs.c.Reference = fmt.Sprintf("FIR %d/%d %s", cs.firNo, year, circle)
			continue
		}
		k := fmt.Sprintf("%s/%d", circle, year)
		if counter[k] == 0 {
			counter[k] = w.between(3, 20)
		}
		counter[k] += w.between(1, 6)
		if circle == "AHTC Gujranwala" && year == 2023 && counter[k] >= 112 && counter[k] <= 120 {
			counter[k] = 121
		}
		cs.c.Reference = fmt.Sprintf("FIR %d/%d %s", counter[k], year, circle)
	}
	for _, n := range w.nets {
		for _, cs := range n.cases {
			w.buildCase(cs)
		}
		w.assignMoved(n)
		for _, cs := range n.cases {
			w.caseParties(cs)
			w.caseEvents(cs)
		}
		w.networkPayments(n)
	}
	w.addPartnerCases()
}

// stage sets the stage of a case and the dates consistent with it.
func (w *world) stage(cs *caseState) {
	c := cs.c
	c.Stage = weighted(w.builder, sarhad.CaseStages, stageWeights[c.RegisteredOn.Year()])
	if cs.pylos {
		c.Stage = pick(w.builder, []sarhad.CaseStage{sarhad.StageUnderInvestigation, sarhad.StageChargeSheeted})
		if cs.key == keyPylosCase {
			c.Stage = sarhad.StageOnTrial
		}
	}
	switch c.Stage {
	case sarhad.StageChargeSheeted, sarhad.StageOnTrial, sarhad.StageConvicted, sarhad.StageAcquitted:
		c.ChargeSheetedOn = minDate(addDays(c.RegisteredOn, w.between(30, 120)), asOf)
		if cs.key == keyPylosCase {
			c.ChargeSheetedOn = "2023-08-30"
		}
		if c.Stage == sarhad.StageConvicted || c.Stage == sarhad.StageAcquitted {
			c.DecidedOn = addDays(c.ChargeSheetedOn, w.between(45, max(45, min(500, daysBetween(c.ChargeSheetedOn, asOf)))))
		}
	case sarhad.StageClosed:
		c.ClosedOn = minDate(addDays(c.RegisteredOn, w.between(45, 400)), asOf)
	}
}

var caseMarkings = map[sarhad.CaseStage][]int{
	sarhad.StageRegistered:         {1, 2, 8, 0, 0},
	sarhad.StageUnderInvestigation: {1, 2, 8, 0, 0},
	sarhad.StageChargeSheeted:      {0, 1, 8, 2, 0},
	sarhad.StageOnTrial:            {0, 1, 8, 2, 0},
	sarhad.StageConvicted:          {0, 0, 4, 4, 1},
	sarhad.StageAcquitted:          {0, 0, 4, 4, 1},
	sarhad.StageClosed:             {0, 0, 4, 4, 1},
}

func (w *world) buildCase(cs *caseState) {
	n, c := cs.n, cs.c
	w.stage(cs)
	c.Offences = slices.Clone(n.offences)
	if n.key == keyChaudhry && w.chance(0.2) || n.key == "org/rind-network" && w.chance(0.15) {
		c.Offences = append(c.Offences, sarhad.OffenceTrafficking)
	}
	// Accused: members, sometimes a leader; those based abroad and absconding leaders are
	// proclaimed offenders.
	pool := slices.Clone(n.members)
	if w.chance(0.35) || n.key == keyChaudhry && w.chance(0.5) || cs.pylos {
		cs.accused = append(cs.accused, n.leaders[w.rng.IntN(len(n.leaders))])
	}
	cs.accused = dedupe(append(cs.accused, sample(w.builder, pool, w.between(1, 3))...))
	h := w.mark(n, caseMarkings[c.Stage])
	if cs.pylos {
		h = handling(OrgFIAGujranwala, sarhad.TLPAmber, "PAK", "GRC", "ITA")
	}
	route := w.byID[cs.route].(*sarhad.Route)
	fee := round(w.fee(cs.route))
	names := []string{}
	for _, a := range cs.accused {
		names = append(names, a.e.Name)
	}
	c.Title = "State v. " + cs.accused[0].e.Name
	if len(cs.accused) > 1 {
		c.Title += " and others"
	}
	what := "arranged irregular journeys"
	if slices.Contains(c.Offences, sarhad.OffenceTrafficking) {
		what = "recruited persons by deception and exploited them"
	}
	c.Summary = fmt.Sprintf("[SYNTHETIC] Fictional case (synthetic demo data). Accused %s of the %s %s along the route %s, for fees of about %s %s each.",
		strings.Join(names, ", "), n.name, what, route.Name, formatAmount(fee.Amount), fee.Currency)
	if cs.pylos {
		c.Title += " (Pylos shipwreck)"
		c.Summary += " Registered after the shipwreck off Pylos on 14 June 2023."
	}
	cs.srcs = w.srcs(n, w.between(1, 2))
	if c.DecidedOn != "" {
		cs.srcs = append(cs.srcs, n.sources.court)
	}
	cs.id = w.put(cs.key, c, h, cs.srcs...)
	w.cases = append(w.cases, cs)
	w.link(sarhad.RelAlongRoute, cs.id, cs.route, sarhad.RelationProps{})
}

func formatAmount(a float64) string {
	s := fmt.Sprintf("%.0f", a)
	var out []string
	for len(s) > 3 {
		out = append([]string{s[len(s)-3:]}, out...)
		s = s[:len(s)-3]
	}
	return strings.Join(append([]string{s}, out...), ",")
}

// assignMoved shares the network's victims and migrants out among its cases.
func (w *world) assignMoved(n *netState) {
	moved := append(slices.Clone(n.victims), n.migrants...)
	for i, p := range moved {
		cs := n.cases[i%len(n.cases)]
		cs.moved = append(cs.moved, p)
	}
}

func (w *world) caseParties(cs *caseState) {
	n, c := cs.n, cs.c
	for _, a := range cs.accused {
		role := sarhad.PartyAccused
		abroad := w.placeCountry(a.base) != "PAK"
		if abroad || a.role == "leader" && w.chance(0.5) || w.chance(0.1) {
			role = sarhad.PartyProclaimedOffender
		}
		w.linkIf(sarhad.RelPartyTo, a.id, cs.id, sarhad.RelationProps{Role: string(role), Since: c.RegisteredOn})
	}
	complainant := false
	for _, p := range cs.moved {
		role := sarhad.PartyWitness
		switch {
		case p.role == "victim":
			role = sarhad.PartyVictim
		case !complainant && w.chance(0.4):
			role, complainant = sarhad.PartyComplainant, true
		}
		w.linkIf(sarhad.RelPartyTo, p.id, cs.id, sarhad.RelationProps{Role: string(role), Since: c.RegisteredOn}, n.sources.statement)
		w.movedTimeline(cs, p)
	}
	for _, r := range n.relatives {
		if !slices.ContainsFunc(cs.moved, func(m *person) bool { return w.isRelative(r, m) }) {
			continue
		}
		role := sarhad.PartyWitness
		if !complainant {
			role, complainant = sarhad.PartyComplainant, true
		}
		w.linkIf(sarhad.RelPartyTo, r.id, cs.id, sarhad.RelationProps{Role: string(role), Since: c.RegisteredOn}, n.sources.statement)
	}
	if len(n.guarantors) > 0 && w.chance(0.3) {
		w.linkIf(sarhad.RelPartyTo, pick(w.builder, n.guarantors).id, cs.id, sarhad.RelationProps{Role: string(sarhad.PartyWitness),
			Since: addDays(c.RegisteredOn, w.between(5, 40))})
	}
	if !complainant {
		// The state is the complainant: an FIA inspector lodged the FIR.
		w.link(sarhad.RelPartyTo, w.circleID[orgCodeOf(c.Agency)], cs.id, sarhad.RelationProps{Role: string(sarhad.PartyComplainant),
			Since: c.RegisteredOn, Note: "FIR lodged by an FIA inspector"})
	}
}

func orgCodeOf(agency string) string {
	for _, o := range otherOrgs {
		if o.name == agency {
			return o.code
		}
	}
	return ""
}

// isRelative reports whether r is recorded as family of p.
func (w *world) isRelative(r, p *person) bool { return r.kinOf == p.id }

// movedTimeline adds how a victim or migrant of a case was recruited, paid, moved and helped.
func (w *world) movedTimeline(cs *caseState, p *person) {
	n, reg := cs.n, cs.c.RegisteredOn
	recruited := maxDate("2020-06-01", addDays(reg, -w.between(40, 220)))
	travelled := w.dateIn(recruited, maxDate(recruited, addDays(reg, -3)))
	recruiters := n.withRole("recruiter", "agent", "marriage broker")
	if len(recruiters) == 0 {
		recruiters = n.members
	}
	if len(n.fronts) > 0 && w.chance(0.2) {
		w.linkIf(sarhad.RelRecruited, n.fronts[0], p.id, sarhad.RelationProps{Date: recruited})
	} else {
		w.linkIf(sarhad.RelRecruited, pick(w.builder, recruiters).id, p.id, sarhad.RelationProps{Date: recruited}, n.sources.statement)
	}
	payees := n.withRole("money handler")
	if len(payees) == 0 {
		payees = n.leaders
	}
	fee := w.fee(cs.route)
	if p.role == "migrant" || n.key != "org/baji-network" && n.key != "org/afridi-network" && n.key != "org/noorzai-network" {
		// Fees in instalments; the last one is often held by a guarantor until arrival.
		k := w.between(2, 3)
		total := fee.Amount * (0.8 + 0.3*w.rng.Float64())
		for i := range k {
			amount := round(sarhad.Money{Amount: total / float64(k), Currency: fee.Currency})
			from, note := p.id, fmt.Sprintf("instalment %d of %d", i+1, k)
			date := w.dateIn(recruited, maxDate(recruited, travelled))
			if i == k-1 && len(n.guarantors) > 0 && w.chance(0.4) {
				from, note = pick(w.builder, n.guarantors).id, "final instalment released by the guarantor on arrival"
				date = maxDate(travelled, minDate(addDays(travelled, w.between(10, 40)), reg))
			}
			w.linkIf(sarhad.RelPaid, from, pick(w.builder, payees).id, sarhad.RelationProps{Amount: &amount, Date: date, Note: note},
				n.sources.intercept)
		}
	}
	movers := n.withRole("guide", "driver", "transporter", "boat captain", "coordinator", "airport facilitator", "ticketing agent", "boat organiser")
	if p.role == "migrant" {
		for _, m := range sample(w.builder, movers, w.between(1, 2)) {
			w.linkIf(sarhad.RelSmuggled, m.id, p.id, sarhad.RelationProps{Date: travelled}, n.sources.statement)
		}
		return
	}
	// Victims.
	v := p.e.Victim
	v.IdentifiedOn = maxDate("2021-01-01", addDays(reg, -w.between(0, 30)))
	if cs.pylos {
		v.IdentifiedOn = addDays("2023-06-14", w.between(0, 6))
	}
	exploiters := n.withRole("house keeper", "marriage broker", "kiln contractor", "coordinator", "boat captain", "safe-house keeper",
		"agent in Oman", "transporter", "guide")
	for _, m := range sample(w.builder, exploiters, w.between(1, 2)) {
		w.linkIf(sarhad.RelTrafficked, m.id, p.id, sarhad.RelationProps{Date: travelled, Note: strings.ToLower(strings.ReplaceAll(string(v.Exploitation[0]), "_", " "))},
			n.sources.statement)
	}
	if n.key == "org/baji-network" {
		keepers, recs := n.withRole("house keeper"), n.withRole("recruiter")
		price := round(sarhad.Money{Amount: float64(w.between(15, 30)) * 10000, Currency: "PKR"})
		w.linkIf(sarhad.RelPaid, pick(w.builder, keepers).id, pick(w.builder, recs).id,
			sarhad.RelationProps{Amount: &price, Date: travelled, Note: "payment for the transfer of a victim"}, n.sources.intercept)
	}
	if n.key == "org/gondal-warraich" || n.key == keyChaudhry {
		for _, r := range n.relatives {
			if w.isRelative(r, p) {
				ransom := round(sarhad.Money{Amount: float64(w.between(20, 50)) * 100, Currency: "USD"})
				to := pick(w.builder, append(n.withRole("coordinator", "guide"), payees...))
				w.linkIf(sarhad.RelPaid, r.id, to.id, sarhad.RelationProps{Amount: &ransom, Date: w.dateIn(travelled, maxDate(travelled, reg)),
					Note: "ransom for release from a safe house abroad"}, n.sources.statement)
			}
		}
	}
	if n.shelter != "" && w.chance(0.7) {
		w.link(sarhad.RelReferredTo, p.id, w.orgs[n.shelter], sarhad.RelationProps{Date: addDays(v.IdentifiedOn, w.between(0, 10))})
	}
}

// networkPayments adds payments inside the network: leaders paying guides and captains, and
// commissions to brokers.
func (w *world) networkPayments(n *netState) {
	crew := n.withRole("guide", "boat captain", "driver", "transporter", "coordinator", "document forger")
	for range min(4, len(crew)) {
		m := pick(w.builder, crew)
		cur := "PKR"
		amount := float64(w.between(5, 40)) * 10000
		if w.placeCountry(m.base) != "PAK" {
			cur, amount = "USD", float64(w.between(5, 60))*100
		}
		money := round(sarhad.Money{Amount: amount, Currency: cur})
		w.linkIf(sarhad.RelPaid, n.leaders[0].id, m.id, sarhad.RelationProps{Amount: &money, Date: w.dateIn("2021-01-01", "2023-12-31"),
			Note: "payment per group moved"}, n.sources.intercept)
	}
	for _, b := range n.withRole("broker") {
		money := round(sarhad.Money{Amount: float64(w.between(10, 50)) * 10000, Currency: "PKR"})
		w.linkIf(sarhad.RelPaid, n.leaders[0].id, b.id, sarhad.RelationProps{Amount: &money, Date: w.dateIn("2021-01-01", "2023-12-31"),
			Note: "broker's commission"}, n.sources.informant)
	}
}

// caseEvents adds what happened before a case was registered and the arrests after.
func (w *world) caseEvents(cs *caseState) {
	n, c := cs.n, cs.c
	h := c.Handling
	for k := range w.between(1, 2) {
		if cs.pylos {
			break
		}
		t := pick(w.builder, n.preEvents)
		place := pick(w.builder, t.places)
		date := maxDate("2021-01-01", addDays(c.RegisteredOn, -w.between(1, 45)))
		e := &sarhad.Event{Category: t.category, OccurredOn: date, Description: fmt.Sprintf(t.what, place) + " (synthetic demo data)"}
		involved := sample(w.builder, cs.moved, w.between(1, 3))
		switch t.category {
		case sarhad.EventInterception:
			e.PersonsCount = w.between(max(5, len(involved)), 60)
		case sarhad.EventDeportation:
			e.PersonsCount = w.between(20, 150)
		case sarhad.EventBorderCrossing:
			e.PersonsCount = w.between(8, 80)
		case sarhad.EventRescue:
			e.PersonsCount = w.between(max(2, len(involved)), 12)
		}
		id := w.put(fmt.Sprintf("%s/event-%d", strings.Replace(cs.key, "case/", "event/", 1), k), e, h, cs.srcs[0])
		w.events = append(w.events, id)
		w.eventLinks(id, place, cs)
		for _, p := range involved {
			w.linkIf(sarhad.RelInvolvedIn, p.id, id, sarhad.RelationProps{Role: movedRole(t.category)})
		}
		switch t.category {
		case sarhad.EventRecruitment:
			if r := n.withRole("recruiter", "marriage broker"); len(r) > 0 {
				w.linkIf(sarhad.RelInvolvedIn, pick(w.builder, r).id, id, sarhad.RelationProps{Role: "recruiter"})
			}
		case sarhad.EventInterception, sarhad.EventBorderCrossing:
			if len(n.vehicles) > 0 && w.chance(0.6) {
				w.linkIf(sarhad.RelInvolvedIn, pick(w.builder, n.vehicles), id, sarhad.RelationProps{Role: "vehicle used"})
			}
			if d := n.withRole("driver", "transporter", "guide", "boat captain"); len(d) > 0 {
				w.linkIf(sarhad.RelInvolvedIn, pick(w.builder, d).id, id, sarhad.RelationProps{Role: "facilitator"})
			}
		case sarhad.EventPayment:
			if mh := n.withRole("money handler"); len(mh) > 0 {
				w.linkIf(sarhad.RelInvolvedIn, pick(w.builder, mh).id, id, sarhad.RelationProps{Role: "payee"})
			}
		}
	}
	if c.Stage == sarhad.StageRegistered || !w.chance(0.7) {
		return
	}
	var arrested []*person
	for _, a := range cs.accused {
		if w.placeCountry(a.base) == "PAK" && a.role != "leader" {
			arrested = append(arrested, a)
		}
	}
	if len(arrested) == 0 {
		return
	}
	place := pick(w.builder, n.arrestPlaces)
	date := minDate(addDays(c.RegisteredOn, w.between(1, 60)), maxDate(c.RegisteredOn, "2023-12-31"))
	id := w.put(strings.Replace(cs.key, "case/", "event/", 1)+"/arrest", &sarhad.Event{Category: sarhad.EventArrest, OccurredOn: date,
		Description:  fmt.Sprintf("%d accused arrested in %s by %s (synthetic demo data).", len(arrested), place, c.Agency),
		PersonsCount: len(arrested)}, c.Handling, cs.srcs...)
	w.events = append(w.events, id)
	w.eventLinks(id, place, cs)
	for _, a := range arrested {
		w.linkIf(sarhad.RelInvolvedIn, a.id, id, sarhad.RelationProps{Role: "arrested"})
	}
}

func (w *world) eventLinks(id, place string, cs *caseState) {
	w.link(sarhad.RelOccurredAt, id, w.places[place], sarhad.RelationProps{})
	w.link(sarhad.RelRecordedIn, id, cs.id, sarhad.RelationProps{})
	w.link(sarhad.RelAlongRoute, id, cs.route, sarhad.RelationProps{})
}

func movedRole(c sarhad.EventCategory) string {
	switch c {
	case sarhad.EventRecruitment:
		return "recruited"
	case sarhad.EventInterception:
		return "intercepted"
	case sarhad.EventDeportation:
		return "deported"
	case sarhad.EventBorderCrossing:
		return "crossed"
	case sarhad.EventPayment:
		return "payer"
	case sarhad.EventRescue:
		return "rescued"
	case sarhad.EventMeeting:
		return "present"
	}
	return "involved"
}
