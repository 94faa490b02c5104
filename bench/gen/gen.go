// Package gen generates a national-scale synthetic graph for benchmarks, deterministically, at a
// scale factor: SF1 holds 100,000 persons, 10,000 organisations, 20,000 cases and about a million
// relationships; SF0.01 a hundredth of that.
//
// Its structure is that of the networks Sarhad holds: criminal networks are dense communities
// (every member tied to several others of the network, the leader to all) of heavy-tailed sizes; a few brokers bridge
// several networks; phones and accounts are shared inside networks; a few hubs (leaders, money
// handlers) have hundreds of ties; routes run through real places and crossings; cases have accused
// from one network and victims and migrants they moved, events at places and arrests. Everything is
// synthetic. Records are CLEAR or AMBER released to PAK, originated by a handful of agencies, so
// that viewers of different organisations see different subsets.
package gen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/sarhad/sarhad"
)

// Config sets the size and seed of a generated graph.
type Config struct {
	Scale float64 // 1 = 100,000 persons
	Seed  uint64
}

// Sizes at scale factor 1.
const (
	PersonsSF1       = 100000
	OrganizationsSF1 = 10000
	CasesSF1         = 20000
)

// Agencies that originate the generated records.
var Agencies = []string{"FIA-AHTC-LHR", "FIA-AHTC-GRW", "FIA-AHTC-QTA", "FIA-AHTC-KHI", "FIA-AHTC-PSH"}

// Clock stamps every generated record.
var Clock = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

type place struct {
	name, country string
	category      sarhad.PlaceCategory
}

// places are real places of the routes (see seed/demo/data/places.csv), enough for realistic routes.
var places = []place{
	{"Gujrat", "PAK", sarhad.PlaceCity}, {"Lahore", "PAK", sarhad.PlaceCity}, {"Quetta", "PAK", sarhad.PlaceCity},
	{"Taftan", "PAK", sarhad.PlaceBorderCrossing}, {"Mirjaveh", "IRN", sarhad.PlaceBorderCrossing}, {"Zahedan", "IRN", sarhad.PlaceCity},
	{"Tehran", "IRN", sarhad.PlaceCity}, {"Van", "TUR", sarhad.PlaceCity}, {"Istanbul", "TUR", sarhad.PlaceCity},
	{"Izmir", "TUR", sarhad.PlaceCity}, {"Athens", "GRC", sarhad.PlaceCity}, {"Gwadar", "PAK", sarhad.PlaceSeaport},
	{"Muscat", "OMN", sarhad.PlaceCity}, {"Dubai", "ARE", sarhad.PlaceCity}, {"Karachi", "PAK", sarhad.PlaceCity},
	{"Benghazi", "LBY", sarhad.PlaceCity}, {"Crotone", "ITA", sarhad.PlaceLandingSite}, {"Kabul", "AFG", sarhad.PlaceCity},
	{"Torkham", "PAK", sarhad.PlaceBorderCrossing}, {"Peshawar", "PAK", sarhad.PlaceCity}, {"Chaman", "PAK", sarhad.PlaceBorderCrossing},
	{"Dhaka", "BGD", sarhad.PlaceCity}, {"Sialkot", "PAK", sarhad.PlaceCity}, {"Doha", "QAT", sarhad.PlaceCity},
}

// routes are sequences of places (indexes into places) with the mode of each leg.
var routes = [][]int{
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {2, 11, 12, 13}, {14, 13, 15, 16}, {17, 18, 19, 1}, {17, 20, 2, 3, 4, 5},
	{21, 14}, {22, 23, 8, 10}, {1, 13, 8},
}

var givenNames = []string{"Muhammad", "Ali", "Ahmed", "Hassan", "Usman", "Bilal", "Tariq", "Imran", "Zeeshan", "Kashif", "Asif",
	"Naveed", "Shahid", "Waqas", "Adnan", "Farhan", "Hamza", "Saad", "Junaid", "Faisal", "Abdul", "Ghulam", "Rashid", "Sajid"}
var familyNames = []string{"Chaudhry", "Butt", "Malik", "Khan", "Gondal", "Warraich", "Bajwa", "Cheema", "Baloch", "Achakzai",
	"Notezai", "Afridi", "Qureshi", "Sheikh", "Mughal", "Awan", "Javed", "Iqbal", "Raza", "Shah", "Hussain", "Rehman"}

// gen is the state of one generation.
type gen struct {
	rng   *rand.Rand
	scale float64
	batch int
	emit  func(*sarhad.ChangeSet) error
	cs    sarhad.ChangeSet
	rels  int
}

// Generate builds the graph of cfg and hands it to emit in change sets of at most batch records,
// every entity before the relationships that join it. The same Config always gives the same
// records with the same ids.
func Generate(cfg Config, batch int, emit func(*sarhad.ChangeSet) error) error {
	if cfg.Scale <= 0 || batch < 1 {
		return fmt.Errorf("gen: scale and batch must be positive")
	}
	g := &gen{rng: rand.New(rand.NewPCG(cfg.Seed, 0x5a4ad)), scale: cfg.Scale, batch: batch, emit: emit}
	return g.run()
}

func (g *gen) n(sf1 int) int { return max(1, int(math.Round(float64(sf1)*g.scale))) }

func handling(agency string, open bool) sarhad.Handling {
	if open {
		return sarhad.Handling{OriginatorOrg: "SARHAD", OriginatorCountry: "PAK", TLP: sarhad.TLPClear}
	}
	return sarhad.Handling{OriginatorOrg: agency, OriginatorCountry: "PAK", TLP: sarhad.TLPAmber, ReleasableTo: []string{"PAK"}}
}

func (g *gen) put(e sarhad.Entity, key string, h sarhad.Handling) (string, error) {
	m := e.EntityMeta()
	m.Kind = sarhad.KindOf(e)
	m.ID = sarhad.StableID(m.Kind, "bench\x00"+key)
	m.Handling, m.SourceKey = h, key
	m.CreatedAt, m.UpdatedAt, m.CreatedBy, m.UpdatedBy = Clock, Clock, "bench", "bench"
	g.cs.Put = append(g.cs.Put, e)
	return m.ID, g.flush(false)
}

func (g *gen) link(t sarhad.RelationType, from, to string, h sarhad.Handling, p sarhad.RelationProps) error {
	g.rels++
	r := &sarhad.Relationship{Type: t, From: from, To: to, RelationProps: p}
	r.ID = sarhad.StableID("", fmt.Sprintf("bench\x00%d", g.rels))
	r.Handling = h
	r.CreatedAt, r.UpdatedAt, r.CreatedBy, r.UpdatedBy = Clock, Clock, "bench", "bench"
	g.cs.Link = append(g.cs.Link, r)
	return g.flush(false)
}

func (g *gen) flush(force bool) error {
	if n := len(g.cs.Put) + len(g.cs.Link); n == 0 || n < g.batch && !force {
		return nil
	}
	cs := g.cs
	g.cs = sarhad.ChangeSet{}
	return g.emit(&cs)
}

// network is a generated criminal network.
type network struct {
	id      string
	agency  string
	members []string
	phones  []string
	route   int
}

func (g *gen) run() error {
	// Reference data: the countries and places the routes use, and the routes.
	open := handling("", true)
	placeIDs := make([]string, len(places))
	for i, p := range places {
		id, err := g.put(&sarhad.Place{Name: p.name, Category: p.category, Country: p.country}, "place/"+p.name, open)
		if err != nil {
			return err
		}
		placeIDs[i] = id
	}
	routeIDs := make([]string, len(routes))
	for i, stops := range routes {
		id, err := g.put(&sarhad.Route{Name: fmt.Sprintf("%s–%s", places[stops[0]].name, places[stops[len(stops)-1]].name)},
			fmt.Sprintf("route/%d", i), open)
		if err != nil {
			return err
		}
		routeIDs[i] = id
	}
	if err := g.flush(true); err != nil {
		return err
	}
	for i, stops := range routes {
		for j, p := range stops {
			if err := g.link(sarhad.RelHasStop, routeIDs[i], placeIDs[p], open, sarhad.RelationProps{Order: j + 1, Mode: sarhad.ModeLand}); err != nil {
				return err
			}
		}
	}

	// Organisations: criminal networks (dense communities of heavy-tailed size) and others.
	nOrgs, nPersons := g.n(OrganizationsSF1), g.n(PersonsSF1)
	nets := make([]*network, 0, nOrgs)
	members := nPersons * 6 / 10
	for i := range nOrgs {
		agency := Agencies[g.rng.IntN(len(Agencies))]
		h := handling(agency, false)
		if i%10 < 7 {
			id, err := g.put(&sarhad.Organization{Name: fmt.Sprintf("%s network %d", familyNames[i%len(familyNames)], i),
				Category: sarhad.OrgCriminalNetwork, Country: "PAK"}, fmt.Sprintf("org/%d", i), h)
			if err != nil {
				return err
			}
			nets = append(nets, &network{id: id, agency: agency, route: g.rng.IntN(len(routes))})
		} else {
			if _, err := g.put(&sarhad.Organization{Name: fmt.Sprintf("%s Travels %d", familyNames[i%len(familyNames)], i),
				Category: sarhad.OrgTravelAgency, Country: "PAK"}, fmt.Sprintf("org/%d", i), h); err != nil {
				return err
			}
		}
	}
	// Persons: network members first (assigned to networks with Pareto-distributed weights), then
	// victims and migrants.
	weights := make([]float64, len(nets))
	total := 0.0
	for i := range weights {
		weights[i] = 1 / math.Pow(1-g.rng.Float64(), 1/1.5) // Pareto, α = 1.5
		total += weights[i]
	}
	cum := make([]float64, len(weights))
	acc := 0.0
	for i, w := range weights {
		acc += w / total
		cum[i] = acc
	}
	pickNet := func() *network {
		x := g.rng.Float64()
		lo, hi := 0, len(cum)-1
		for lo < hi {
			mid := (lo + hi) / 2
			if cum[mid] < x {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		return nets[lo]
	}
	var moved []string
	victims := map[string]bool{} // the moved persons recorded as victims
	for i := range nPersons {
		name := givenNames[g.rng.IntN(len(givenNames))] + " " + givenNames[g.rng.IntN(len(givenNames))] + " " + familyNames[g.rng.IntN(len(familyNames))]
		p := &sarhad.Person{Name: name, Gender: sarhad.GenderMale, Nationalities: []string{"PAK"},
			BirthDate: sarhad.Date(fmt.Sprintf("%d-%02d-%02d", 1960+g.rng.IntN(45), 1+g.rng.IntN(12), 1+g.rng.IntN(28)))}
		var n *network
		if i < members {
			n = pickNet()
		} else if g.rng.IntN(4) == 0 {
			p.Victim = &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult, Exploitation: []sarhad.Exploitation{sarhad.ExploitationForcedLabour}}
		}
		agency := Agencies[g.rng.IntN(len(Agencies))]
		if n != nil {
			agency = n.agency
		}
		id, err := g.put(p, fmt.Sprintf("person/%d", i), handling(agency, false))
		if err != nil {
			return err
		}
		if n != nil {
			n.members = append(n.members, id)
		} else {
			moved = append(moved, id)
			victims[id] = p.IsVictim()
		}
	}
	// Phones shared inside networks: about one for every three members.
	for ni, n := range nets {
		for j := range max(1, len(n.members)/3) {
			id, err := g.put(&sarhad.Phone{Number: fmt.Sprintf("+9230%08d", ni*50+j)}, fmt.Sprintf("phone/%d/%d", ni, j), handling(n.agency, false))
			if err != nil {
				return err
			}
			n.phones = append(n.phones, id)
		}
	}
	if err := g.flush(true); err != nil {
		return err
	}

	// Ties inside networks: membership, a leader, each member associated with up to five others,
	// phones used by two or three members; the leader of a large network is a hub.
	for _, n := range nets {
		h := handling(n.agency, false)
		for j, m := range n.members {
			typ := sarhad.RelMemberOf
			if j == 0 {
				typ = sarhad.RelLeads
			}
			if err := g.link(typ, m, n.id, h, sarhad.RelationProps{}); err != nil {
				return err
			}
			if j > 0 { // the leader is a hub: associated with every member
				if err := g.link(sarhad.RelAssociateOf, n.members[0], m, h, sarhad.RelationProps{}); err != nil {
					return err
				}
			}
			for range min(8, len(n.members)-1) {
				other := n.members[g.rng.IntN(len(n.members))]
				if other != m {
					if err := g.link(sarhad.RelAssociateOf, m, other, h, sarhad.RelationProps{}); err != nil {
						return err
					}
				}
			}
			for range 2 {
				if err := g.link(sarhad.RelUses, m, n.phones[g.rng.IntN(len(n.phones))], h, sarhad.RelationProps{}); err != nil {
					return err
				}
			}
			if j > 0 && len(n.members) > 20 {
				if err := g.link(sarhad.RelPaid, n.members[0], m, h, sarhad.RelationProps{Amount: &sarhad.Money{Amount: 50000, Currency: "PKR"}}); err != nil {
					return err
				}
			}
		}
		if err := g.link(sarhad.RelOperatesRoute, n.id, routeIDs[n.route], h, sarhad.RelationProps{}); err != nil {
			return err
		}
	}
	// Every moved person was recruited by a member of some network.
	for _, p := range moved {
		n := pickNet()
		if len(n.members) > 0 {
			if err := g.link(sarhad.RelRecruited, n.members[g.rng.IntN(len(n.members))], p, handling(n.agency, false),
				sarhad.RelationProps{}); err != nil {
				return err
			}
		}
	}
	// Brokers: one member in a hundred also works for two to four other networks.
	for _, n := range nets {
		for _, m := range n.members {
			if g.rng.IntN(100) != 0 {
				continue
			}
			for range 2 + g.rng.IntN(3) {
				other := nets[g.rng.IntN(len(nets))]
				if other == n || len(other.members) == 0 {
					continue
				}
				h := handling(n.agency, false)
				if err := g.link(sarhad.RelMemberOf, m, other.id, h, sarhad.RelationProps{Role: "broker"}); err != nil {
					return err
				}
				if err := g.link(sarhad.RelAssociateOf, m, other.members[0], h, sarhad.RelationProps{}); err != nil {
					return err
				}
			}
		}
	}

	// Cases: accused from one network, persons it moved, the route, an event at a place of the
	// route. The cases and events are written first, then every relationship of theirs.
	type pending struct {
		t        sarhad.RelationType
		from, to string
		h        sarhad.Handling
		p        sarhad.RelationProps
	}
	var links []pending
	for i := range g.n(CasesSF1) {
		n := pickNet()
		if len(n.members) == 0 {
			continue
		}
		year := 2021 + g.rng.IntN(3)
		stage := []sarhad.CaseStage{sarhad.StageRegistered, sarhad.StageUnderInvestigation, sarhad.StageChargeSheeted,
			sarhad.StageOnTrial, sarhad.StageConvicted, sarhad.StageAcquitted}[g.rng.IntN(6)]
		h := handling(n.agency, false)
		registered := sarhad.Date(fmt.Sprintf("%d-%02d-%02d", year, 1+g.rng.IntN(12), 1+g.rng.IntN(28)))
		c := &sarhad.Case{Reference: fmt.Sprintf("FIR %d/%d", i, year), Agency: n.agency, Country: "PAK",
			Offences: []sarhad.Offence{sarhad.OffenceSmuggling}, Stage: stage, RegisteredOn: registered}
		caseID, err := g.put(c, fmt.Sprintf("case/%d", i), h)
		if err != nil {
			return err
		}
		event, err := g.put(&sarhad.Event{Category: sarhad.EventInterception, OccurredOn: registered, PersonsCount: 5 + g.rng.IntN(40)},
			fmt.Sprintf("event/%d", i), h)
		if err != nil {
			return err
		}
		stops := routes[n.route]
		links = append(links, pending{sarhad.RelAlongRoute, caseID, routeIDs[n.route], h, sarhad.RelationProps{}},
			pending{sarhad.RelRecordedIn, event, caseID, h, sarhad.RelationProps{}},
			pending{sarhad.RelOccurredAt, event, placeIDs[stops[g.rng.IntN(len(stops))]], h, sarhad.RelationProps{}})
		for k := range 1 + g.rng.IntN(3) {
			a := n.members[g.rng.IntN(len(n.members))]
			role := sarhad.PartyAccused
			if k == 0 && g.rng.IntN(3) == 0 {
				role = sarhad.PartyProclaimedOffender
			}
			links = append(links, pending{sarhad.RelPartyTo, a, caseID, h, sarhad.RelationProps{Role: string(role)}},
				pending{sarhad.RelInvolvedIn, a, event, h, sarhad.RelationProps{Role: "facilitator"}})
		}
		for range 1 + g.rng.IntN(4) {
			if len(moved) == 0 {
				break
			}
			p := moved[g.rng.IntN(len(moved))]
			// A party is a case's victim only when recorded as one (see Relationship.NamedVictim);
			// the migrants it smuggled are its witnesses.
			role := sarhad.PartyWitness
			if victims[p] {
				role = sarhad.PartyVictim
			}
			links = append(links, pending{sarhad.RelPartyTo, p, caseID, h, sarhad.RelationProps{Role: string(role)}},
				pending{sarhad.RelSmuggled, n.members[g.rng.IntN(len(n.members))], p, h, sarhad.RelationProps{Date: registered}})
		}
	}
	if err := g.flush(true); err != nil {
		return err
	}
	for _, l := range links {
		if err := g.link(l.t, l.from, l.to, l.h, l.p); err != nil {
			return err
		}
	}
	return g.flush(true)
}
