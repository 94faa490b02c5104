package demo

import (
	"fmt"
	"strings"

	"github.com/sarhad/sarhad"
)

// safeHouseSpecs are the safe houses of each network: a described location in a real place
// (house numbers are invented), and who lives or stays there.
var safeHouseSpecs = map[string][]struct {
	line, place string
	roles       []string
	guests      string // "migrants" or "victims" stay there
}{
	keyChaudhry: {
		{"Safe house off Sariab Road, Quetta", "Quetta", []string{"safe-house keeper", "driver"}, "migrants"},
		{"Flat 3, Aksaray, Fatih, Istanbul", "Istanbul", []string{"coordinator"}, "migrants"},
	},
	"org/rind-network":    {{"Compound behind the main bazaar, Turbat", "Turbat", []string{"safe-house keeper", "driver"}, "migrants"}},
	"org/kalmati-boats":   {{"Fishermen's quarters, Mulla Band, Gwadar", "Gwadar", []string{"boat captain", "money handler"}, "victims"}},
	"org/gondal-warraich": {{"Warehouse, Al Sabri district, Benghazi", "Benghazi", []string{"coordinator", "driver"}, "victims"}},
	"org/cheema-documents": {
		{"Office 7, Paris Road, Sialkot", "Sialkot", []string{"travel agent", "document forger"}, ""},
	},
	"org/afridi-network":  {{"House in Board Bazaar, Peshawar", "Peshawar", []string{"transporter", "kiln contractor"}, "victims"}},
	"org/noorzai-network": {{"Guest house on Kuchlak Road, Quetta", "Quetta", []string{"safe-house keeper", "transporter"}, "migrants"}},
	"org/baji-network": {
		{"House in Machar Colony, Keamari, Karachi", "Karachi", []string{"house keeper"}, "victims"},
		{"Flat in Orangi Town, Karachi", "Karachi", []string{"money handler", "marriage broker"}, "victims"},
	},
}

func (w *world) addAddress(key, line, place string, h sarhad.Handling, sources ...string) string {
	pl := w.byID[w.places[place]].(*sarhad.Place)
	loc := *pl.Location
	id := w.put(key, &sarhad.Address{Line: line, City: place, Country: pl.Country, Location: &loc}, h, sources...)
	w.link(sarhad.RelLocatedIn, id, w.places[place], sarhad.RelationProps{})
	return id
}

func (w *world) addresses(n *netState) {
	short := strings.TrimPrefix(n.key, "org/")
	for i, l := range n.leaders {
		line := fmt.Sprintf("House %d, Street %d, %s", w.between(1, 250), w.between(1, 30), l.base)
		id := w.addAddress(fmt.Sprintf("address/%s/leader-%d", short, i), line, l.base, l.e.Handling, n.sources.report)
		w.link(sarhad.RelLivesAt, l.id, id, sarhad.RelationProps{Since: w.dateIn("2005-01-01", "2015-12-31")})
	}
	for i, s := range safeHouseSpecs[n.key] {
		id := w.addAddress(fmt.Sprintf("address/%s/safe-house-%d", short, i), s.line, s.place,
			handling(n.circle, sarhad.TLPAmber, w.release(n)...), n.sources.report, n.sources.informant)
		n.safeHouses = append(n.safeHouses, id)
		for _, p := range n.withRole(s.roles...) {
			w.link(sarhad.RelLivesAt, p.id, id, sarhad.RelationProps{Since: w.dateIn("2018-01-01", "2020-12-31")})
		}
		var guests []*person
		switch s.guests {
		case "migrants":
			guests = n.migrants
		case "victims":
			guests = n.victims
		}
		for _, g := range sample(w.builder, guests, (len(guests)+1)/2) {
			from := w.dateIn("2021-01-01", "2023-10-31")
			w.link(sarhad.RelLivesAt, g.id, id, sarhad.RelationProps{Since: from, Until: addDays(from, w.between(3, 40)),
				Note: "stayed while in transit"})
		}
	}
	// Agencies that front for the network are registered at an office.
	for i, f := range n.fronts {
		o := w.byID[f].(*sarhad.Organization)
		var base string
		for _, oo := range otherOrgs {
			if oo.name == o.Name {
				base = oo.base
			}
		}
		id := w.addAddress(fmt.Sprintf("address/%s/office-%d", short, i),
			fmt.Sprintf("Office %d, %s Plaza, %s", w.between(1, 40), pick(w.builder, []string{"Al-Rehman", "Madina", "City", "Jinnah"}), base),
			base, o.Handling, n.sources.report)
		w.link(sarhad.RelLivesAt, f, id, sarhad.RelationProps{Note: "registered office"})
	}
}

// onlineSpecs are the online accounts a network advertises and talks on.
var onlineSpecs = map[string][]struct {
	platform, handle string
	roles            []string
	front            bool
}{
	keyChaudhry:            {{"Telegram", "@europe_game_gujrat", []string{"recruiter", "leader"}, false}, {"Facebook", "Al Madina Europe Jobs", nil, true}},
	"org/rind-network":     {{"WhatsApp", "Mand Taxi Service", []string{"driver", "recruiter"}, false}},
	"org/kalmati-boats":    {{"Facebook", "Dubai Fishing Jobs Gwadar", []string{"recruiter", "agent in Oman"}, true}},
	"org/gondal-warraich":  {{"TikTok", "@italy.visa.guarantee", []string{"recruiter", "broker"}, false}, {"Telegram", "@libya_italy_direct", []string{"coordinator", "ticketing"}, false}},
	"org/cheema-documents": {{"Telegram", "@schengen_visa_sialkot", []string{"travel agent", "document forger", "broker"}, true}},
	"org/afridi-network":   {{"WhatsApp", "Khyber Cargo", []string{"transporter", "guide"}, false}},
	"org/noorzai-network":  {{"Telegram", "@chaman_quetta_safar", []string{"guide", "broker"}, false}},
	"org/baji-network":     {{"Facebook", "Dhaka Karachi Rishta", []string{"marriage broker", "recruiter"}, false}},
}

func (w *world) onlineAccounts(n *netState) {
	for i, s := range onlineSpecs[n.key] {
		id := w.put(fmt.Sprintf("online/%s/%d", strings.TrimPrefix(n.key, "org/"), i), &sarhad.OnlineAccount{Platform: s.platform,
			Handle: s.handle}, handling(n.circle, sarhad.TLPAmber, append([]string{"PAK"}, n.partners...)...), n.sources.intercept)
		users := n.withRole(s.roles...)
		if contains(s.roles, "leader") {
			users = append(users, n.leaders[0])
		}
		for _, p := range dedupe(users) {
			w.link(sarhad.RelUses, p.id, id, sarhad.RelationProps{}, n.sources.intercept)
		}
		if s.front {
			for _, f := range n.fronts {
				w.link(sarhad.RelUses, f, id, sarhad.RelationProps{})
			}
		}
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
