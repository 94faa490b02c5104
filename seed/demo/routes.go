package demo

import (
	"fmt"

	"github.com/sarhad/sarhad"
)

// openSources are the public reports the routes are drawn from (see ROUTES.md); they are real
// publications, cited as such.
var openSources = []struct {
	key, title, originator string
	date                   sarhad.Date
	rel                    sarhad.Reliability
	cred                   sarhad.Credibility
}{
	{"dawn-2018", "Human smuggling: a thriving racket (Dawn, 23 April 2018)", "Dawn", "2018-04-23", sarhad.ReliabilityB, sarhad.CredibilityProbablyTrue},
	{"unodc-glosom-2018", "UNODC Global Study on Smuggling of Migrants 2018, Asia chapter", "UNODC", "2018-06-26", sarhad.ReliabilityA, sarhad.CredibilityProbablyTrue},
	{"iom-2016", "IOM, Migrant Smuggling Data and Research: A global review of the emerging evidence base (2016)", "IOM", "2016-10-01", sarhad.ReliabilityA, sarhad.CredibilityPossiblyTrue},
	{"iom-torkham-2017", "IOM Pakistan, assessment of incoming Afghan nationals at Torkham (June 2017)", "IOM Pakistan", "2017-06-30", sarhad.ReliabilityB, sarhad.CredibilityProbablyTrue},
	{"unodc-aota", "UNODC Afghan opiate threat assessment: coastal jetties of the Makran coast", "UNODC", "2015-03-01", sarhad.ReliabilityB, sarhad.CredibilityPossiblyTrue},
	{"fia-pylos-2023", "FIA public statements on Pakistani victims of the Pylos shipwreck (June 2023)", "Federal Investigation Agency", "2023-06-20", sarhad.ReliabilityB, sarhad.CredibilityConfirmed},
	{"ngo-bengal-2000s", "Police and NGO reports on trafficking of women from Bangladesh and Myanmar into Sindh (1990s–2000s)", "NGO reports", "2005-01-01", sarhad.ReliabilityC, sarhad.CredibilityPossiblyTrue},
}

// routeSpec is one route variant of the six route families of ROUTES.md.
type routeSpec struct {
	key, family, name, description string
	fee                            sarhad.Money
	from, to                       sarhad.Date
	sources                        []string
	// stops: place names; the mode of the leg into each stop but the first.
	stops []stop
}

type stop struct {
	place string
	mode  sarhad.TravelMode
}

const (
	land = sarhad.ModeLand
	sea  = sarhad.ModeSea
	air  = sarhad.ModeAir
)

func stops(first string, legs ...any) []stop {
	out := []stop{{place: first}}
	for i := 0; i < len(legs); i += 2 {
		out = append(out, stop{mode: legs[i].(sarhad.TravelMode), place: legs[i+1].(string)})
	}
	return out
}

var routeSpecs = []routeSpec{
	{keyTaftanRoute, "WEST_LAND", TaftanRouteName,
		"Route family 1, west by land: origin districts of Punjab → Quetta safe houses → Taftan–Mirjaveh into Iran → mountain crossing on foot into Turkey → Aegean → Greece. Fees in instalments, the last held by a guarantor.",
		sarhad.Money{Amount: 2500000, Currency: "PKR"}, "2015-01-01", "", []string{"dawn-2018", "unodc-glosom-2018", "iom-2016"},
		stops("Gujrat", land, "Lahore", land, "Multan", land, "Quetta", land, "Nok Kundi", land, "Taftan", land, "Mirjaveh",
			land, "Zahedan", land, "Tehran", land, "Urmia", land, "Salmas", land, "Van", land, "Tatvan", land, "Istanbul",
			land, "Izmir", sea, "Mytilene", sea, "Athens")},
	{"route/mand", "WEST_LAND", "Mandi Bahauddin–Turbat–Mand–Istanbul (overland)",
		"Route family 1, southern variant: through Turbat and the Mand–Pishin crossing into Iran, then Zahedan, Tehran and the mountain crossing to Van.",
		sarhad.Money{Amount: 1800000, Currency: "PKR"}, "2016-01-01", "", []string{"dawn-2018", "unodc-glosom-2018"},
		stops("Mandi Bahauddin", land, "Lahore", land, "Quetta", land, "Turbat", land, "Mand", land, "Pishin", land, "Zahedan",
			land, "Tehran", land, "Urmia", land, "Van", land, "Istanbul")},
	{"route/kotli-taftan", "WEST_LAND", "Kotli–Islamabad–Taftan–Istanbul (overland)",
		"Route family 1, variant from Azad Jammu and Kashmir: Kotli and Islamabad to Quetta, Taftan–Mirjaveh, Salmas and Van.",
		sarhad.Money{Amount: 2200000, Currency: "PKR"}, "2017-01-01", "", []string{"dawn-2018"},
		stops("Kotli", land, "Islamabad", land, "Quetta", land, "Taftan", land, "Mirjaveh", land, "Zahedan", land, "Tehran",
			land, "Salmas", land, "Van", land, "Istanbul")},
	{"route/gwadar-muscat", "SEA_GULF", "Gwadar–Muscat (boat)",
		"Route family 2, sea towards the Gulf: by boat from Gwadar to Oman, onwards by land to the UAE.",
		sarhad.Money{Amount: 350000, Currency: "PKR"}, "2014-01-01", "", []string{"unodc-aota"},
		stops("Quetta", land, "Turbat", land, "Gwadar", sea, "Muscat", land, "Dubai")},
	{"route/jiwani-chabahar", "SEA_GULF", "Jiwani–Chabahar–Muscat (boat)",
		"Route family 2 through Iran: from the Jiwani jetties along the coast to Chabahar, then by boat to Oman.",
		sarhad.Money{Amount: 300000, Currency: "PKR"}, "2015-01-01", "", []string{"unodc-aota"},
		stops("Jiwani", sea, "Chabahar", sea, "Muscat")},
	{"route/pasni-muscat", "SEA_GULF", "Karachi–Ormara–Pasni–Muscat (boat)",
		"Route family 2: from Karachi along the Makran coast to the jetties of Ormara and Pasni, then by boat to Oman.",
		sarhad.Money{Amount: 400000, Currency: "PKR"}, "2016-01-01", "", []string{"unodc-aota"},
		stops("Karachi", land, "Ormara", land, "Pasni", sea, "Muscat")},
	{"route/dubai-benghazi", "AIR_LIBYA_MED", "Karachi–Dubai–Benghazi–Crotone (air, then sea)",
		"Route family 3: legal flights from Jinnah International Airport via Dubai to Benghazi, then by boat across the central Mediterranean towards Italy.",
		sarhad.Money{Amount: 8000, Currency: "USD"}, "2019-01-01", "", []string{"unodc-glosom-2018"},
		stops("Karachi", land, "Jinnah International Airport", air, "Dubai", air, "Benghazi", sea, "Crotone")},
	{"route/tobruk-pylos", "AIR_LIBYA_MED", "Sialkot–Karachi–Doha–Benghazi–Tobruk–Kalamata (air, then sea)",
		"Route family 3: flights from Karachi via Doha to Benghazi, by land to Tobruk, then by trawler towards Italy; the boat lost off Pylos on 14 June 2023 left Tobruk on 9 June, survivors were landed at Kalamata.",
		sarhad.Money{Amount: 2200000, Currency: "PKR"}, "2021-06-01", "2023-06-30", []string{"fia-pylos-2023"},
		stops("Sialkot", land, "Karachi", land, "Jinnah International Airport", air, "Doha", air, "Benghazi", land, "Tobruk",
			sea, "Pylos", sea, "Kalamata")},
	{"route/sialkot-forged", "AIR_FORGED", "Sialkot–Doha–Istanbul–Athens (air, forged visas)",
		"Route family 4: departures from Sialkot airport with forged visas, transiting Doha to Turkey and Europe.",
		sarhad.Money{Amount: 12000, Currency: "EUR"}, "2019-01-01", "", []string{"unodc-glosom-2018"},
		stops("Sialkot", air, "Doha", air, "Istanbul", air, "Athens")},
	{"route/lahore-forged", "AIR_FORGED", "Lahore–Dubai–Istanbul (air, forged documents)",
		"Route family 4: departures from Lahore airport with forged documents, transiting Dubai to Istanbul.",
		sarhad.Money{Amount: 10000, Currency: "EUR"}, "2019-01-01", "", []string{"unodc-glosom-2018"},
		stops("Lahore", air, "Dubai", air, "Istanbul")},
	{"route/torkham", "INTO_PAKISTAN_AFG", "Kabul–Jalalabad–Torkham–Peshawar",
		"Route family 5, into Pakistan from Afghanistan through the Torkham crossing (Khyber) to Peshawar and Islamabad.",
		sarhad.Money{Amount: 500, Currency: "USD"}, "2012-01-01", "", []string{"iom-torkham-2017"},
		stops("Kabul", land, "Jalalabad", land, "Torkham", land, "Peshawar", land, "Islamabad")},
	{"route/chaman", "INTO_PAKISTAN_AFG", "Kandahar–Chaman–Quetta–Taftan",
		"Route family 5: from Kandahar through Spin Boldak–Chaman to Quetta, many continuing west through Balochistan into Iran.",
		sarhad.Money{Amount: 700, Currency: "USD"}, "2012-01-01", "", []string{"iom-torkham-2017", "dawn-2018"},
		stops("Kandahar", land, "Spin Boldak", land, "Chaman", land, "Quetta", land, "Nok Kundi", land, "Taftan", land,
			"Mirjaveh", land, "Zahedan")},
	{"route/dhaka-chhor", "INTO_PAKISTAN_BGD_MMR", "Dhaka–Jessore–Chhor–Karachi (overland)",
		"Route family 6: women and girls trafficked from Bangladesh across India and the Thar desert into Sindh, exploited in Karachi.",
		sarhad.Money{Amount: 200000, Currency: "PKR"}, "2000-01-01", "", []string{"ngo-bengal-2000s"},
		stops("Dhaka", land, "Jessore", land, "Chhor", land, "Karachi")},
	{"route/sittwe-badin", "INTO_PAKISTAN_BGD_MMR", "Sittwe–Dhaka–Jessore–Badin–Karachi (overland)",
		"Route family 6: Rohingya from Rakhine through Bangladesh and India, entering Sindh near Badin.",
		sarhad.Money{Amount: 150000, Currency: "PKR"}, "2005-01-01", "", []string{"ngo-bengal-2000s"},
		stops("Sittwe", land, "Dhaka", land, "Jessore", land, "Badin", land, "Karachi")},
	{"route/jessore-bahawalpur", "INTO_PAKISTAN_BGD_MMR", "Jessore–Kasur–Bahawalpur–Karachi (overland)",
		"Route family 6, Punjab variant: entering near Kasur, through Bahawalpur to Karachi.",
		sarhad.Money{Amount: 180000, Currency: "PKR"}, "2000-01-01", "", []string{"ngo-bengal-2000s"},
		stops("Jessore", land, "Kasur", land, "Bahawalpur", land, "Karachi")},
}

// addOpenSources adds the public reports, clear, and returns their ids by key.
func (b *builder) addOpenSources() map[string]string {
	ids := map[string]string{}
	for _, s := range openSources {
		ids[s.key] = b.put("source/"+s.key, &sarhad.Source{Title: s.title, Category: sarhad.SourceOpen, Originator: s.originator,
			Date: s.date, Reliability: s.rel, Credibility: s.cred}, reference())
	}
	return ids
}

// addRoutes adds every route with its stops, clear (the routes are public knowledge), and returns
// the ids by key.
func (b *builder) addRoutes(places, open map[string]string) map[string]string {
	ids := map[string]string{}
	for _, spec := range routeSpecs {
		fee := spec.fee
		srcs := make([]string, len(spec.sources))
		for i, k := range spec.sources {
			srcs[i] = open[k]
		}
		id := b.put(spec.key, &sarhad.Route{Name: spec.name, Description: spec.description, Fee: &fee,
			ActiveFrom: spec.from, ActiveTo: spec.to}, reference(), srcs...)
		ids[spec.key] = id
		for i, s := range spec.stops {
			pid, ok := places[s.place]
			if !ok {
				panic(fmt.Sprintf("demo: route %s: no place %q", spec.key, s.place))
			}
			b.link(sarhad.RelHasStop, id, pid, sarhad.RelationProps{Order: i + 1, Mode: s.mode})
		}
	}
	return ids
}
