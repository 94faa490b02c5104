package demo

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sarhad/sarhad"
)

// person is a person of the dataset with what the generator needs to know about them.
type person struct {
	id   string
	e    *sarhad.Person
	role string // leader, broker, victim, migrant, witness, guarantor, or the role in the network
	net  *netState
	base string // place name
	// kinOf is the id of the victim or migrant a relative is family of.
	kinOf string
}

// netState is a network being generated.
type netState struct {
	*networkSpec
	id       string
	h        sarhad.Handling
	leaders  []*person
	members  []*person // not leaders; brokers are appended here too
	victims  []*person
	migrants []*person
	// relatives are witnesses and complainants; guarantors hold the last instalment of a fee.
	relatives, guarantors []*person
	sources               netSources
	hotlines, accounts    []string
	vehicles              []string // vehicles that take part in interceptions
	safeHouses            []string
	routeIDs              []string
	cases                 []*caseState
	fronts                []string
}

type netSources struct{ report, statement, intercept, informant, court string }

func (n *netState) all() []string {
	return []string{n.sources.report, n.sources.statement, n.sources.intercept, n.sources.informant, n.sources.court}
}

// withRole returns the members of n whose role contains one of roles.
func (n *netState) withRole(roles ...string) []*person {
	var out []*person
	for _, p := range n.members {
		for _, r := range roles {
			if strings.Contains(p.role, r) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// world is the generator's state.
type world struct {
	*builder
	places, open, routes, orgs map[string]string
	circleID                   map[string]string
	nets                       []*netState
	netByKey                   map[string]*netState
	usedNames, usedNumbers     map[string]bool
	partnerSources             map[string]string
	cases                      []*caseState
	events                     []string
}

func newWorld() *world {
	return &world{builder: newBuilder(), orgs: map[string]string{}, circleID: map[string]string{},
		netByKey: map[string]*netState{}, usedNames: map[string]bool{}, usedNumbers: map[string]bool{},
		partnerSources: map[string]string{}}
}

// release returns PAK and a random non-empty selection of n's partners: records of one network are
// released to different partner countries, so liaison officers of different countries see
// different subsets.
func (w *world) release(n *netState) []string {
	return append([]string{"PAK"}, subset(w.builder, n.partners)...)
}

// markings for the records of a network, by what they are.
var (
	tlpOrder      = []sarhad.TLP{sarhad.TLPRed, sarhad.TLPAmberStrict, sarhad.TLPAmber, sarhad.TLPGreen, sarhad.TLPClear}
	facilitatorW  = []int{1, 2, 10, 4, 0}
	victimW       = []int{1, 12, 6, 0, 0}
	migrantW      = []int{0, 3, 10, 4, 0}
	witnessW      = []int{0, 5, 8, 1, 0}
	identifierW   = []int{0, 0, 10, 3, 0}
	privateIdentW = []int{1, 2, 8, 2, 0}
)

func (w *world) mark(n *netState, weights []int) sarhad.Handling {
	return handling(n.circle, weighted(w.builder, tlpOrder, weights), w.release(n)...)
}

func (w *world) srcs(n *netState, k int) []string { return sample(w.builder, n.all(), k) }

// addOrganisations adds the FIA circles, shelters, networks and fronts.
func (w *world) addOrganisations() {
	for _, o := range otherOrgs {
		if o.front != "" {
			continue
		}
		h := handling(o.code, sarhad.TLPClear)
		id := w.put(o.key, &sarhad.Organization{Name: o.name, Aliases: o.aliases, Category: o.category, Country: "PAK",
			Description: o.desc}, h)
		w.orgs[o.key] = id
		if o.category == sarhad.OrgLawEnforcement {
			w.circleID[o.code] = id
		}
		w.link(sarhad.RelLocatedIn, id, w.places[o.base], sarhad.RelationProps{})
	}
	for _, spec := range networkSpecs {
		n := &netState{networkSpec: spec}
		n.h = handling(spec.circle, sarhad.TLPAmber, append([]string{"PAK"}, spec.partners...)...)
		n.id = w.put(spec.key, &sarhad.Organization{Name: spec.name, Aliases: spec.aliases, Category: sarhad.OrgCriminalNetwork,
			Country: "PAK", Description: spec.description}, n.h)
		w.orgs[spec.key] = n.id
		w.nets = append(w.nets, n)
		w.netByKey[spec.key] = n
		w.link(sarhad.RelLocatedIn, n.id, w.places[spec.base], sarhad.RelationProps{})
		for _, rk := range spec.routes {
			n.routeIDs = append(n.routeIDs, w.routes[rk])
			w.link(sarhad.RelOperatesRoute, n.id, w.routes[rk], sarhad.RelationProps{Since: w.routeSince(rk)})
		}
	}
	for _, o := range otherOrgs {
		if o.front == "" {
			continue
		}
		n := w.netByKey[o.front]
		id := w.put(o.key, &sarhad.Organization{Name: o.name, Aliases: o.aliases, Category: o.category, Country: "PAK",
			Description: o.desc}, handling(n.circle, sarhad.TLPGreen, append([]string{"PAK"}, n.partners...)...))
		w.orgs[o.key] = id
		n.fronts = append(n.fronts, id)
		w.link(sarhad.RelLocatedIn, id, w.places[o.base], sarhad.RelationProps{})
		if o.category == sarhad.OrgTravelAgency {
			// Travel agencies sell the air routes as packages.
			for _, rk := range []string{"route/tobruk-pylos", "route/sialkot-forged"} {
				if slices.Contains(n.routes, rk) || o.key == "org/al-madina-travel" && rk == "route/tobruk-pylos" {
					w.link(sarhad.RelOperatesRoute, id, w.routes[rk], sarhad.RelationProps{Since: w.routeSince(rk), Note: "sells the journey as a package"})
				}
			}
		}
	}
}

// addNetworkSources adds the operational sources of every network and of the partner agencies.
func (w *world) addNetworkSources() {
	for _, n := range w.nets {
		short := n.name
		date := func() sarhad.Date { return w.dateIn("2021-01-01", "2023-12-31") }
		n.sources.report = w.put("source/"+n.key+"/report", &sarhad.Source{
			Title:    fmt.Sprintf("%s: interrogation report of an arrested member of the %s (synthetic demo data)", circleName(n.circle), short),
			Category: sarhad.SourceReport, Originator: circleName(n.circle), Date: date(),
			Reliability: sarhad.ReliabilityB, Credibility: sarhad.CredibilityProbablyTrue}, handling(n.circle, sarhad.TLPAmber, w.release(n)...))
		n.sources.statement = w.put("source/"+n.key+"/statement", &sarhad.Source{
			Title:    fmt.Sprintf("Statements under s.161 CrPC of persons moved by the %s (synthetic demo data)", short),
			Category: sarhad.SourceStatement, Originator: circleName(n.circle), Date: date(),
			Reliability: pick(w.builder, []sarhad.Reliability{sarhad.ReliabilityB, sarhad.ReliabilityC}),
			Credibility: pick(w.builder, []sarhad.Credibility{sarhad.CredibilityProbablyTrue, sarhad.CredibilityPossiblyTrue})},
			handling(n.circle, sarhad.TLPAmberStrict))
		n.sources.intercept = w.put("source/"+n.key+"/intercept", &sarhad.Source{
			Title:    fmt.Sprintf("Lawfully intercepted WhatsApp messages of %s members (synthetic demo data)", short),
			Category: sarhad.SourceIntercept, Originator: circleName(n.circle), Date: date(),
			Reliability: sarhad.ReliabilityA, Credibility: sarhad.CredibilityConfirmed}, handling(n.circle, sarhad.TLPRed))
		n.sources.informant = w.put("source/"+n.key+"/informant", &sarhad.Source{
			Title:    fmt.Sprintf("Informant report on the %s (synthetic demo data)", short),
			Category: sarhad.SourceReport, Originator: circleName(n.circle), Date: date(),
			Reliability: pick(w.builder, []sarhad.Reliability{sarhad.ReliabilityD, sarhad.ReliabilityE, sarhad.ReliabilityF}),
			Credibility: pick(w.builder, []sarhad.Credibility{sarhad.CredibilityDoubtful, sarhad.CredibilityImprobable, sarhad.CredibilityCannotBeJudged})},
			handling(n.circle, sarhad.TLPAmberStrict))
		n.sources.court = w.put("source/"+n.key+"/court", &sarhad.Source{
			Title:    fmt.Sprintf("Court record: charge sheet and judgment in a case against %s members (synthetic demo data)", short),
			Category: sarhad.SourceCourtRecord, Originator: "Court of Sessions", Date: date(),
			Reliability: sarhad.ReliabilityA, Credibility: sarhad.CredibilityConfirmed}, handling(n.circle, sarhad.TLPGreen, w.release(n)...))
	}
	partner := []struct {
		key, org, title string
		cat             sarhad.SourceCategory
		date            sarhad.Date
		rel             sarhad.Reliability
		cred            sarhad.Credibility
		tlp             sarhad.TLP
		to              []string
	}{
		{"source/hellenic-kalamata", OrgHellenicPolice, "Hellenic Coast Guard: statements of survivors landed at Kalamata (synthetic demo data)",
			sarhad.SourceStatement, "2023-06-16", sarhad.ReliabilityB, sarhad.CredibilityProbablyTrue, sarhad.TLPAmber, []string{"GRC", "PAK", "ITA"}},
		{"source/iran-mirjaveh", OrgIranPolice, "Iranian border police: interception reports, Mirjaveh and Pishin (synthetic demo data)",
			sarhad.SourceReport, "2022-09-01", sarhad.ReliabilityC, sarhad.CredibilityPossiblyTrue, sarhad.TLPAmber, []string{"IRN", "PAK"}},
		{"source/oman-repatriation", OrgOmanPolice, "Royal Oman Police: lists of Pakistani nationals repatriated by sea (synthetic demo data)",
			sarhad.SourceReport, "2022-04-10", sarhad.ReliabilityB, sarhad.CredibilityConfirmed, sarhad.TLPGreen, []string{"OMN", "PAK"}},
		{"source/italy-crotone", OrgItalianPolice, "Polizia di Stato, Crotone: identification of survivors (synthetic demo data)",
			sarhad.SourceReport, "2023-03-02", sarhad.ReliabilityB, sarhad.CredibilityProbablyTrue, sarhad.TLPAmber, []string{"ITA", "PAK", "GRC"}},
	}
	for _, s := range partner {
		w.partnerSources[s.key] = w.put(s.key, &sarhad.Source{Title: s.title, Category: s.cat, Originator: s.org, Date: s.date,
			Reliability: s.rel, Credibility: s.cred}, handling(s.org, s.tlp, s.to...))
	}
}

func circleName(code string) string {
	for _, o := range otherOrgs {
		if o.code == code && o.category == sarhad.OrgLawEnforcement {
			return o.name
		}
	}
	return code
}

// uniqueName draws names until it finds one no other person has.
func (w *world) uniqueName(c culture, g sarhad.Gender, nickname bool) (string, string, []string) {
	for range 50 {
		name, father, aliases := w.name(c, g, nickname)
		if !w.usedNames[name] {
			w.usedNames[name] = true
			return name, father, aliases
		}
	}
	panic("demo: ran out of names")
}

func (w *world) addNamed(np namedPerson, n *netState, role string, h sarhad.Handling, sources ...string) *person {
	p := &sarhad.Person{Name: np.name, Aliases: np.aliases, FatherName: np.father, Gender: np.gender, BirthDate: np.born,
		Nationalities: np.nationalities, Occupation: np.occupation}
	w.usedNames[np.name] = true
	id := w.put(np.key, p, h, sources...)
	w.nationality(id, p)
	return &person{id: id, e: p, role: role, net: n, base: np.base}
}

func (w *world) nationality(id string, p *sarhad.Person) {
	for _, c := range p.Nationalities {
		w.link(sarhad.RelNationalOf, id, sarhad.CountryID(c), sarhad.RelationProps{})
	}
}

// newPerson draws a person of culture c.
func (w *world) newPerson(key string, c culture, g sarhad.Gender, born sarhad.Date, nickname bool, occupation string,
	h sarhad.Handling, sources ...string) (string, *sarhad.Person) {
	name, father, aliases := w.uniqueName(c, g, nickname)
	p := &sarhad.Person{Name: name, Aliases: aliases, FatherName: father, Gender: g, BirthDate: born, Occupation: occupation}
	if c.nationality != "" {
		p.Nationalities = []string{c.nationality}
	}
	id := w.put(key, p, h, sources...)
	w.nationality(id, p)
	return id, p
}

// addPeople adds every network's leaders, members, brokers, victims, migrants, relatives and
// guarantors, with their memberships and family and associate ties.
func (w *world) addPeople() {
	// Reserve the fixed names so that no drawn name repeats one.
	for _, n := range networkSpecs {
		for _, l := range n.leaders {
			w.usedNames[l.name] = true
		}
	}
	for _, b := range brokerSpecs {
		w.usedNames[b.person.name] = true
	}
	w.usedNames[VictimName] = true
	for _, n := range w.nets {
		for i, np := range n.networkSpec.leaders {
			h := handling(n.circle, sarhad.TLPAmber, append([]string{"PAK"}, n.partners...)...)
			l := w.addNamed(np, n, "leader", h, n.sources.report, n.sources.intercept)
			n.leaders = append(n.leaders, l)
			w.link(sarhad.RelLeads, l.id, n.id, sarhad.RelationProps{Since: w.dateIn("2010-01-01", "2016-12-31")},
				n.sources.report)
			if i > 0 {
				w.link(sarhad.RelAssociateOf, n.leaders[0].id, l.id, sarhad.RelationProps{Since: "2015-01-01", Note: "co-leaders"})
			}
		}
		for i, ms := range n.networkSpec.members {
			g := sarhad.GenderMale
			if ms.female {
				g = sarhad.GenderFemale
			}
			h := w.mark(n, facilitatorW)
			if ms.kin != "" {
				// Relatives of the leader are recorded like him, so the family tie is visible with him.
				h = handling(n.circle, sarhad.TLPAmber, w.release(n)...)
			}
			key := fmt.Sprintf("person/%s/member-%02d", strings.TrimPrefix(n.key, "org/"), i)
			c := ms.culture
			if ms.kin != "" {
				leaderLast := strings.Fields(n.leaders[0].e.Name)
				c.surnames = []string{leaderLast[len(leaderLast)-1]}
				c.nationality = n.leaders[0].e.Nationalities[0]
			}
			id, p := w.newPerson(key, c, g, w.dateIn("1965-01-01", "1998-12-31"), true, "", h, w.srcs(n, 2)...)
			m := &person{id: id, e: p, role: ms.role, net: n, base: ms.bases[i%len(ms.bases)]}
			n.members = append(n.members, m)
			w.link(sarhad.RelMemberOf, id, n.id, sarhad.RelationProps{Role: ms.role, Since: w.dateIn("2012-01-01", "2020-12-31")},
				w.srcs(n, 1)...)
			if ms.kin != "" {
				w.link(sarhad.RelFamilyOf, id, n.leaders[0].id, sarhad.RelationProps{Role: ms.kin})
			}
		}
	}
	for _, bs := range brokerSpecs {
		n1, n2 := w.netByKey[bs.nets[0]], w.netByKey[bs.nets[1]]
		h := handling(n1.circle, sarhad.TLPAmber, append([]string{"PAK"}, n1.partners...)...)
		b := w.addNamed(bs.person, n1, "broker", h, n1.sources.report, n2.sources.report)
		for _, n := range []*netState{n1, n2} {
			n.members = append(n.members, b)
			w.link(sarhad.RelMemberOf, b.id, n.id, sarhad.RelationProps{Role: "broker", Since: w.dateIn("2014-01-01", "2019-12-31")},
				n.sources.report)
			w.link(sarhad.RelAssociateOf, b.id, n.leaders[0].id, sarhad.RelationProps{Since: w.dateIn("2014-01-01", "2019-12-31")})
		}
	}
	// Ties inside each network and between leaders.
	for _, n := range w.nets {
		seen := map[[2]string]bool{}
		for _, m := range n.members {
			for range w.between(1, 2) {
				o := pick(w.builder, n.members)
				if o.id == m.id || seen[[2]string{m.id, o.id}] || seen[[2]string{o.id, m.id}] {
					continue
				}
				seen[[2]string{m.id, o.id}] = true
				w.link(sarhad.RelAssociateOf, m.id, o.id, sarhad.RelationProps{Since: w.dateIn("2015-01-01", "2021-06-30")})
			}
		}
	}
	leaderTies := [][2]string{
		{keyChaudhry, "org/gondal-warraich"}, {keyChaudhry, "org/noorzai-network"}, {"org/rind-network", "org/kalmati-boats"},
		{"org/cheema-documents", "org/gondal-warraich"}, {"org/afridi-network", "org/noorzai-network"}, {keyChaudhry, "org/rind-network"},
	}
	for _, t := range leaderTies {
		w.link(sarhad.RelAssociateOf, w.netByKey[t[0]].leaders[0].id, w.netByKey[t[1]].leaders[0].id,
			sarhad.RelationProps{Since: w.dateIn("2012-01-01", "2019-12-31")}, w.netByKey[t[0]].sources.informant)
	}
	for _, n := range w.nets {
		w.addVictims(n)
		w.addMigrants(n)
	}
	for _, n := range w.nets {
		w.addRelatives(n)
	}
}

// vulnerabilities by exploitation, to describe victims.
var vulnerabilityPool = []string{"debt", "unemployment", "deceived by a false job offer", "passport confiscated",
	"irregular status", "limited literacy", "family pressure"}

func (w *world) addVictims(n *netState) {
	for i := range n.nVictims {
		key := fmt.Sprintf("person/%s/victim-%02d", strings.TrimPrefix(n.key, "org/"), i)
		c := n.victimCultures[i%len(n.victimCultures)]
		g := sarhad.GenderMale
		if w.chance(n.victimFemale) {
			g = sarhad.GenderFemale
		}
		age := sarhad.AgeGroupAdult
		born := w.dateIn("1980-01-01", "2003-12-31")
		if w.chance(n.childShare) {
			age, born = sarhad.AgeGroupChild, w.dateIn("2006-01-01", "2011-12-31")
		}
		vd := &sarhad.VictimDetails{AgeGroup: age,
			Exploitation:    sample(w.builder, n.exploitation, w.between(1, min(2, len(n.exploitation)))),
			Vulnerabilities: sample(w.builder, vulnerabilityPool, w.between(1, 2)),
			IdentifiedOn:    w.dateIn("2021-01-01", "2023-12-31"),
			Assistance: sample(w.builder, []sarhad.AssistanceKind{sarhad.AssistanceShelter, sarhad.AssistanceMedical,
				sarhad.AssistanceLegal, sarhad.AssistancePsychosocial, sarhad.AssistanceRepatriation, sarhad.AssistanceFinancial},
				w.between(1, 3))}
		slices.Sort(vd.Exploitation)
		slices.Sort(vd.Assistance)
		if c.nationality == "" {
			vd.Vulnerabilities = append(vd.Vulnerabilities, "stateless")
		}
		h := w.mark(n, victimW)
		var (
			id string
			p  *sarhad.Person
		)
		if n.key == "org/baji-network" && i == 0 {
			// The well-known victim.
			p = &sarhad.Person{Name: VictimName, Aliases: []string{"Rokeya Khatoon"}, FatherName: "Abdul Karim Molla",
				Gender: sarhad.GenderFemale, BirthDate: "1999-02-14", Nationalities: []string{"BGD"}, Victim: vd}
			vd.AgeGroup, vd.IdentifiedOn = sarhad.AgeGroupAdult, "2022-03-09"
			vd.Exploitation = []sarhad.Exploitation{sarhad.ExploitationDomesticServitude, sarhad.ExploitationSexual}
			w.usedNames[VictimName] = true
			id = w.put(keyVictim, p, handling(OrgFIAKarachi, sarhad.TLPAmberStrict), n.sources.statement)
			w.nationality(id, p)
		} else {
			id, p = w.newPerson(key, c, g, born, false, "", h, n.sources.statement)
			p.Victim = vd
			if err := sarhad.Normalize(p, ""); err != nil {
				panic(err)
			}
		}
		v := &person{id: id, e: p, role: "victim", net: n, base: pick(w.builder, n.origins)}
		n.victims = append(n.victims, v)
	}
}

func (w *world) addMigrants(n *netState) {
	for i := range n.nMigrants {
		key := fmt.Sprintf("person/%s/migrant-%02d", strings.TrimPrefix(n.key, "org/"), i)
		c := n.migrantCultures[i%len(n.migrantCultures)]
		id, p := w.newPerson(key, c, sarhad.GenderMale, w.dateIn("1988-01-01", "2004-12-31"), false,
			pick(w.builder, []string{"", "labourer", "student", "farmer", "tailor", "driver", "shopkeeper"}),
			w.mark(n, migrantW), w.srcs(n, 1)...)
		n.migrants = append(n.migrants, &person{id: id, e: p, role: "migrant", net: n, base: pick(w.builder, n.origins)})
	}
	// Cousins from the same village travel together.
	for i := 0; i+1 < len(n.migrants); i += 5 {
		a, b := n.migrants[i], n.migrants[i+1]
		if a.e.Nationalities[0] == b.e.Nationalities[0] {
			w.link(sarhad.RelFamilyOf, a.id, b.id, sarhad.RelationProps{Role: "cousin"})
		}
	}
}

// addRelatives adds relatives of victims and migrants (complainants and witnesses) and guarantors.
func (w *world) addRelatives(n *netState) {
	moved := append(slices.Clone(n.victims), n.migrants...)
	nRel := (len(moved) + 4) / 7
	for i := range nRel {
		of := moved[(i*7)%len(moved)]
		c := cultureOf(of.e)
		g := sarhad.GenderMale
		tie := pick(w.builder, []string{"father", "brother", "uncle"})
		if w.chance(0.25) {
			g, tie = sarhad.GenderFemale, "mother"
		}
		key := fmt.Sprintf("person/%s/relative-%02d", strings.TrimPrefix(n.key, "org/"), i)
		id, p := w.newPerson(key, c, g, w.dateIn("1955-01-01", "1985-12-31"), false,
			pick(w.builder, []string{"farmer", "shopkeeper", "labourer", "retired soldier", ""}), w.mark(n, witnessW),
			n.sources.statement)
		r := &person{id: id, e: p, role: "relative", net: n, base: of.base, kinOf: of.id}
		n.relatives = append(n.relatives, r)
		w.link(sarhad.RelFamilyOf, id, of.id, sarhad.RelationProps{Role: tie})
	}
	if len(n.migrants) == 0 {
		return
	}
	for i := range (len(n.migrants) + 5) / 6 {
		key := fmt.Sprintf("person/%s/guarantor-%02d", strings.TrimPrefix(n.key, "org/"), i)
		id, p := w.newPerson(key, cultureOf(n.migrants[0].e), sarhad.GenderMale, w.dateIn("1960-01-01", "1985-12-31"), false,
			pick(w.builder, []string{"shopkeeper", "money changer", "jeweller", "property dealer"}), w.mark(n, facilitatorW),
			n.sources.report)
		g := &person{id: id, e: p, role: "guarantor", net: n, base: pick(w.builder, n.origins)}
		n.guarantors = append(n.guarantors, g)
		if mh := n.withRole("money handler"); len(mh) > 0 {
			w.link(sarhad.RelAssociateOf, id, pick(w.builder, mh).id, sarhad.RelationProps{Note: "holds fees in trust until arrival"})
		}
	}
}

// cultureOf returns the naming culture of a person from their nationality.
func cultureOf(p *sarhad.Person) culture {
	if len(p.Nationalities) == 0 {
		return rohingya
	}
	switch p.Nationalities[0] {
	case "AFG":
		return afghan
	case "BGD":
		return bangladeshi
	case "IRN":
		return persian
	}
	return punjabi
}

func slices1[T any](x T) []T { return []T{x} }

// dedupe drops repeated persons, keeping the first.
func dedupe(ps []*person) []*person {
	var out []*person
	for _, p := range ps {
		if !slices.ContainsFunc(out, func(q *person) bool { return q.id == p.id }) {
			out = append(out, p)
		}
	}
	return out
}

// routeSince is when a network started operating a route: not before the route was active.
func (w *world) routeSince(key string) sarhad.Date {
	r := w.byID[w.routes[key]].(*sarhad.Route)
	return maxDate(r.ActiveFrom, w.dateIn("2016-01-01", "2020-12-31"))
}
