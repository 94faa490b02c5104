package demo

import "github.com/sarhad/sarhad"

// Organisation codes used as originators in the demo data's handling markings. A viewer whose
// token carries one of these as its org claim sees what that organisation originated.
const (
	OrgSarhad         = "SARHAD"          // reference data (countries, places, routes)
	OrgFIALahore      = "FIA-AHTC-LHR"    // FIA Anti Human Trafficking Circle Lahore
	OrgFIAGujranwala  = "FIA-AHTC-GRW"    // FIA Anti Human Trafficking Circle Gujranwala
	OrgFIAQuetta      = "FIA-AHTC-QTA"    // FIA Anti Human Trafficking Circle Quetta
	OrgFIAKarachi     = "FIA-AHTC-KHI"    // FIA Anti Human Trafficking Circle Karachi
	OrgFIAPeshawar    = "FIA-AHTC-PSH"    // FIA Anti Human Trafficking Circle Peshawar
	OrgIranPolice     = "IRN-POLICE"      // a partner agency of Iran
	OrgHellenicPolice = "HELLENIC-POLICE" // a partner agency of Greece
	OrgOmanPolice     = "ROYAL-OMAN-POLICE"
	OrgItalianPolice  = "POLIZIA-DI-STATO"
)

// orgCountry is the country (ISO alpha-3) of an originating organisation.
func orgCountry(org string) string {
	switch org {
	case OrgIranPolice:
		return "IRN"
	case OrgHellenicPolice:
		return "GRC"
	case OrgOmanPolice:
		return "OMN"
	case OrgItalianPolice:
		return "ITA"
	}
	return "PAK"
}

// Well-known records of the demo dataset, for tests and examples. The demo data is fictional; the
// names below are those of invented people and organisations.
const (
	// FIALahoreName is the law-enforcement organisation whose id FIALahoreID returns.
	FIALahoreName = "FIA AHTC Lahore"

	// KingpinName is the best-connected suspect: he leads the Chaudhry Group (route west by land via
	// Taftan), owns a travel agency front, shares phones and a bank account with his money handlers,
	// is accused or a proclaimed offender in many cases and the subject of an INTERPOL notice.
	// His record is AMBER, originated by FIA-AHTC-GRW and released to PAK, IRN, TUR and GRC.
	KingpinName = "Muhammad Hussain Chaudhry"
	// KingpinAlias is one of his recorded transliterations; a name search for it finds him.
	KingpinAlias = "Mohammed Husain Choudhry"

	// ChaudhryGroupName is the criminal network KingpinName leads.
	ChaudhryGroupName = "Chaudhry Group"

	// BrokerName is a broker who is a member of two networks (the Chaudhry Group and the Noorzai
	// Network), the bridge between them.
	BrokerName = "Abdul Qadir Achakzai"

	// TaftanRouteName is the route west by land through Quetta and the Taftan–Mirjaveh crossing to
	// Greece, operated by the Chaudhry Group.
	TaftanRouteName = "Gujrat–Quetta–Taftan–Van–Athens (overland)"

	// VictimName is a protected victim (AMBER+STRICT, originated by FIA-AHTC-KHI): viewers outside
	// FIA-AHTC-KHI without the VICTIM_PII clearance see a pseudonym instead.
	VictimName = "Rokeya Khatun"

	// PylosCaseReference is the case registered after the wreck off Pylos on 14 June 2023.
	PylosCaseReference = "FIR 112/2023 AHTC Gujranwala"

	// SharedPhoneNumber is a phone used by the kingpin, his money handler and a broker.
	SharedPhoneNumber = "+923004561230"
)

// Keys under which the well-known records' ids are derived.
const (
	keyFIALahore   = "org/fia-ahtc-lahore"
	keyKingpin     = "person/kingpin"
	keyChaudhry    = "org/chaudhry-group"
	keyBroker      = "person/broker-quetta"
	keyTaftanRoute = "route/taftan"
	keyVictim      = "person/victim-rokeya"
	keyPylosCase   = "case/pylos"
	keyPylosEvent  = "event/pylos-wreck"
	keySharedPhone = "phone/chaudhry-hotline"
)

// FIALahoreID is the id of the organisation FIA AHTC Lahore (CLEAR).
func FIALahoreID() string { return sarhad.StableID(sarhad.KindOrganization, keyFIALahore) }

// KingpinID is the id of the person named KingpinName.
func KingpinID() string { return sarhad.StableID(sarhad.KindPerson, keyKingpin) }

// ChaudhryGroupID is the id of the criminal network named ChaudhryGroupName.
func ChaudhryGroupID() string { return sarhad.StableID(sarhad.KindOrganization, keyChaudhry) }

// BrokerID is the id of the person named BrokerName.
func BrokerID() string { return sarhad.StableID(sarhad.KindPerson, keyBroker) }

// TaftanRouteID is the id of the route named TaftanRouteName.
func TaftanRouteID() string { return sarhad.StableID(sarhad.KindRoute, keyTaftanRoute) }

// VictimID is the id of the victim named VictimName.
func VictimID() string { return sarhad.StableID(sarhad.KindPerson, keyVictim) }

// PylosCaseID is the id of the case with reference PylosCaseReference.
func PylosCaseID() string { return sarhad.StableID(sarhad.KindCase, keyPylosCase) }

// PylosWreckID is the id of the DEATH event of 14 June 2023 off Pylos (originated by
// HELLENIC-POLICE, GREEN, released to GRC, PAK and ITA).
func PylosWreckID() string { return sarhad.StableID(sarhad.KindEvent, keyPylosEvent) }

// SharedPhoneID is the id of the phone SharedPhoneNumber.
func SharedPhoneID() string { return sarhad.StableID(sarhad.KindPhone, keySharedPhone) }

// PlaceID is the id of the demo place with the given name (as in data/places.csv).
func PlaceID(name string) string { return sarhad.StableID(sarhad.KindPlace, "place/"+name) }
