package demo

import "github.com/sarhad/sarhad"

// memberSpec describes members of a network who share a role.
type memberSpec struct {
	role    string
	culture culture
	bases   []string // where each is based (place names), cycled
	female  bool
	kin     string // tie to the first leader (brother, son, nephew), sharing his family name
}

// namedPerson is a person whose name the dataset fixes rather than draws.
type namedPerson struct {
	key, name, father string
	aliases           []string
	gender            sarhad.Gender
	born              sarhad.Date
	nationalities     []string
	base, occupation  string
}

// networkSpec is a fictional criminal network and the people and cases around it.
type networkSpec struct {
	key, name, description string
	aliases                []string
	circle                 string   // the FIA circle investigating it (originator of its records)
	partners               []string // partner countries its records are released to, besides PAK
	base                   string
	routes                 []string
	offences               []sarhad.Offence
	leaders                []namedPerson
	members                []memberSpec
	nVictims, nMigrants    int
	victimCultures         []culture
	migrantCultures        []culture
	nCases                 int
	shelter                string // key of the organisation victims are referred to
	exploitation           []sarhad.Exploitation
	victimFemale           float64 // share of female victims
	childShare             float64
	origins                []string // where its migrants and victims come from
	preEvents              []eventTemplate
	arrestPlaces           []string
}

// eventTemplate is a kind of event that happens before a case is registered, and where.
type eventTemplate struct {
	category sarhad.EventCategory
	places   []string
	what     string // description; %s is the place
}

var networkSpecs = []*networkSpec{
	{
		key: keyChaudhry, name: ChaudhryGroupName, aliases: []string{"Gujrat Europe network", "Chaudhary group"},
		description: "Fictional smuggling network recruiting in Gujrat, Mandi Bahauddin and Kotli for the overland route through Quetta and Taftan to Turkey and Greece — synthetic demo data.",
		circle:      OrgFIAGujranwala, partners: []string{"IRN", "TUR", "GRC"}, base: "Gujrat",
		routes:   []string{keyTaftanRoute, "route/kotli-taftan"},
		offences: []sarhad.Offence{sarhad.OffenceSmuggling},
		leaders: []namedPerson{{key: keyKingpin, name: KingpinName, father: "Ghulam Rasool Chaudhry",
			aliases: []string{KingpinAlias, "Hussain Chaudhary", "Chaudhry Sahib"}, gender: sarhad.GenderMale,
			born: "1971-03-12", nationalities: []string{"PAK"}, base: "Gujrat", occupation: "travel agent"}},
		members: []memberSpec{
			{role: "money handler", culture: punjabi, bases: []string{"Gujrat"}, kin: "brother"},
			{role: "money handler", culture: punjabi, bases: []string{"Lahore"}},
			{role: "recruiter", culture: punjabi, bases: []string{"Gujrat", "Mandi Bahauddin", "Kotli"}},
			{role: "recruiter", culture: punjabi, bases: []string{"Mandi Bahauddin"}},
			{role: "recruiter", culture: punjabi, bases: []string{"Kotli"}},
			{role: "safe-house keeper", culture: pashtun, bases: []string{"Quetta"}},
			{role: "driver", culture: baloch, bases: []string{"Quetta"}},
			{role: "driver", culture: baloch, bases: []string{"Nok Kundi"}},
			{role: "guide", culture: iranianBaloch, bases: []string{"Zahedan"}},
			{role: "guide", culture: iranianBaloch, bases: []string{"Zahedan"}},
			{role: "guide", culture: persian, bases: []string{"Urmia"}},
			{role: "coordinator", culture: punjabi, bases: []string{"Istanbul"}},
			{role: "document forger", culture: punjabi, bases: []string{"Lahore"}},
			{role: "recruiter", culture: punjabi, bases: []string{"Gujranwala"}, kin: "nephew"},
		},
		nVictims: 8, victimCultures: []culture{punjabi}, nMigrants: 30, migrantCultures: []culture{punjabi},
		nCases: 22, shelter: "org/sahara-lahore", exploitation: []sarhad.Exploitation{sarhad.ExploitationForcedLabour},
		origins: []string{"Gujrat", "Gujranwala", "Mandi Bahauddin", "Kotli", "Sialkot"},
		preEvents: []eventTemplate{
			{sarhad.EventRecruitment, []string{"Gujrat", "Mandi Bahauddin", "Kotli", "Gujranwala"}, "Sub-agent recruited young men in %s for the journey to Greece, promising work in Europe."},
			{sarhad.EventInterception, []string{"Taftan", "Nok Kundi", "Quetta"}, "Migrants travelling towards the Iranian border were intercepted at %s."},
			{sarhad.EventDeportation, []string{"Taftan"}, "Pakistani migrants deported by Iran were handed over at %s and interviewed by the FIA."},
			{sarhad.EventBorderCrossing, []string{"Taftan", "Mirjaveh"}, "Group crossed the border at %s with a guide."},
			{sarhad.EventPayment, []string{"Gujrat", "Lahore"}, "Instalment paid in cash to a money handler in %s."},
		},
		arrestPlaces: []string{"Gujrat", "Lahore", "Gujranwala", "Quetta"},
	},
	{
		key: "org/rind-network", name: "Rind Network", aliases: []string{"Mand crossing network"},
		description: "Fictional network moving migrants from Punjab through Turbat and the Mand–Pishin crossing into Iran — synthetic demo data.",
		circle:      OrgFIAQuetta, partners: []string{"IRN"}, base: "Turbat",
		routes:   []string{"route/mand"},
		offences: []sarhad.Offence{sarhad.OffenceSmuggling},
		leaders: []namedPerson{{key: "person/leader-rind", name: "Dad Karim Rind", father: "Khuda Bakhsh Rind",
			aliases: []string{"Dad Kareem Rind", "Mama Dad Karim"}, gender: sarhad.GenderMale, born: "1968-07-02",
			nationalities: []string{"PAK"}, base: "Turbat", occupation: "transporter"}},
		members: []memberSpec{
			{role: "recruiter", culture: punjabi, bases: []string{"Mandi Bahauddin", "Gujranwala"}},
			{role: "recruiter", culture: punjabi, bases: []string{"Gujranwala"}},
			{role: "driver", culture: baloch, bases: []string{"Turbat"}},
			{role: "driver", culture: baloch, bases: []string{"Turbat"}, kin: "son"},
			{role: "guide", culture: iranianBaloch, bases: []string{"Zahedan"}},
			{role: "guide", culture: iranianBaloch, bases: []string{"Zahedan"}},
			{role: "safe-house keeper", culture: baloch, bases: []string{"Turbat"}},
			{role: "money handler", culture: baloch, bases: []string{"Quetta"}},
			{role: "transporter", culture: baloch, bases: []string{"Mand"}},
		},
		nMigrants: 15, migrantCultures: []culture{punjabi, punjabi, afghan}, nCases: 10,
		origins: []string{"Mandi Bahauddin", "Gujranwala", "Gujrat"},
		preEvents: []eventTemplate{
			{sarhad.EventInterception, []string{"Turbat", "Mand"}, "Pick-up carrying migrants towards the Iranian border was stopped at %s."},
			{sarhad.EventBorderCrossing, []string{"Mand", "Pishin"}, "Group crossed into Iran at %s at night."},
			{sarhad.EventDeportation, []string{"Taftan"}, "Migrants deported by Iran after crossing at Mand were handed over at %s."},
		},
		arrestPlaces: []string{"Turbat", "Quetta"},
	},
	{
		key: "org/kalmati-boats", name: "Kalmati Boat Network", aliases: []string{"Makran boats"},
		description: "Fictional network sending men by boat from the Makran coast to Oman, where some are held in debt bondage on fishing boats — synthetic demo data.",
		circle:      OrgFIAQuetta, partners: []string{"OMN", "ARE", "IRN"}, base: "Gwadar",
		routes:   []string{"route/gwadar-muscat", "route/jiwani-chabahar", "route/pasni-muscat"},
		offences: []sarhad.Offence{sarhad.OffenceSmuggling, sarhad.OffenceTrafficking},
		leaders: []namedPerson{{key: "person/leader-kalmati", name: "Abdul Ghafoor Kalmati", father: "Noor Ahmed Kalmati",
			aliases: []string{"Abdul Ghafur Kalmati", "Nakhuda Ghafoor"}, gender: sarhad.GenderMale, born: "1966-11-20",
			nationalities: []string{"PAK"}, base: "Gwadar", occupation: "boat owner"}},
		members: []memberSpec{
			{role: "boat captain", culture: baloch, bases: []string{"Gwadar"}},
			{role: "boat captain", culture: baloch, bases: []string{"Pasni"}},
			{role: "boat captain", culture: baloch, bases: []string{"Jiwani"}, kin: "son"},
			{role: "jetty organiser", culture: baloch, bases: []string{"Jiwani"}},
			{role: "jetty organiser", culture: baloch, bases: []string{"Ormara"}},
			{role: "recruiter", culture: karachiite, bases: []string{"Karachi"}},
			{role: "recruiter", culture: karachiite, bases: []string{"Karachi"}},
			{role: "money handler", culture: baloch, bases: []string{"Gwadar"}},
			{role: "agent in Oman", culture: baloch, bases: []string{"Muscat"}},
		},
		nVictims: 15, victimCultures: []culture{punjabi, baloch, karachiite},
		nCases: 12, shelter: "org/roshni-karachi",
		exploitation: []sarhad.Exploitation{sarhad.ExploitationBondedLabour, sarhad.ExploitationForcedLabour},
		origins:      []string{"Karachi", "Turbat", "Multan", "Gwadar"},
		preEvents: []eventTemplate{
			{sarhad.EventBorderCrossing, []string{"Gwadar", "Jiwani", "Pasni"}, "Boat left the jetty at %s at night with men bound for Oman."},
			{sarhad.EventInterception, []string{"Jiwani", "Gwadar", "Ormara"}, "Boat with migrants intercepted off %s."},
			{sarhad.EventRecruitment, []string{"Karachi"}, "Men recruited in %s with promises of fishing jobs in Oman."},
			{sarhad.EventRescue, []string{"Muscat"}, "Fishermen held in debt bondage were rescued in %s and repatriated."},
		},
		arrestPlaces: []string{"Gwadar", "Pasni", "Karachi"},
	},
	{
		key: "org/gondal-warraich", name: "Gondal–Warraich Network", aliases: []string{"Libya line"},
		description: "Fictional network flying migrants from Karachi via Dubai or Doha to Libya and sending them by boat from Benghazi and Tobruk towards Italy; migrants held for ransom in Libya — synthetic demo data.",
		circle:      OrgFIALahore, partners: []string{"GRC", "ITA", "LBY", "ARE"}, base: "Mandi Bahauddin",
		routes:   []string{"route/tobruk-pylos", "route/dubai-benghazi"},
		offences: []sarhad.Offence{sarhad.OffenceSmuggling, sarhad.OffenceTrafficking},
		leaders: []namedPerson{
			{key: "person/leader-gondal", name: "Habib ur Rehman Gondal", father: "Muhammad Akram Gondal",
				aliases: []string{"Habib ur-Rahman Gondal", "Habib Gondal"}, gender: sarhad.GenderMale, born: "1975-01-09",
				nationalities: []string{"PAK"}, base: "Mandi Bahauddin", occupation: "property dealer"},
			{key: "person/leader-warraich", name: "Tariq Mehmood Warraich", father: "Ghulam Haider Warraich",
				aliases: []string{"Tarik Mahmood Warraich", "Libya wala"}, gender: sarhad.GenderMale, born: "1979-05-23",
				nationalities: []string{"PAK"}, base: "Benghazi", occupation: "labour contractor"},
		},
		members: []memberSpec{
			{role: "recruiter", culture: punjabi, bases: []string{"Gujrat"}},
			{role: "recruiter", culture: punjabi, bases: []string{"Sialkot"}},
			{role: "recruiter", culture: punjabi, bases: []string{"Mandi Bahauddin"}, kin: "son"},
			{role: "ticketing agent", culture: punjabi, bases: []string{"Lahore"}},
			{role: "ticketing agent", culture: punjabi, bases: []string{"Karachi"}},
			{role: "money handler", culture: punjabi, bases: []string{"Gujranwala"}},
			{role: "money handler", culture: punjabi, bases: []string{"Dubai"}},
			{role: "coordinator", culture: punjabi, bases: []string{"Benghazi"}},
			{role: "coordinator", culture: punjabi, bases: []string{"Tobruk"}},
			{role: "boat organiser", culture: punjabi, bases: []string{"Tobruk"}},
			{role: "driver", culture: punjabi, bases: []string{"Benghazi"}},
		},
		nVictims: 25, victimCultures: []culture{punjabi}, nMigrants: 12, migrantCultures: []culture{punjabi},
		nCases: 20, shelter: "org/sahara-lahore",
		exploitation: []sarhad.Exploitation{sarhad.ExploitationForcedLabour, sarhad.ExploitationOther},
		childShare:   0.12,
		origins:      []string{"Gujrat", "Sialkot", "Mandi Bahauddin", "Kotli", "Gujranwala"},
		preEvents: []eventTemplate{
			{sarhad.EventRecruitment, []string{"Gujrat", "Sialkot", "Mandi Bahauddin", "Kotli"}, "Agent in %s promised a job in Italy for a package fee paid in instalments."},
			{sarhad.EventInterception, []string{"Jinnah International Airport"}, "Passengers travelling to Libya on visit visas were offloaded at %s."},
			{sarhad.EventDeportation, []string{"Jinnah International Airport"}, "Pakistanis returned from Libya arrived at %s and were interviewed by the FIA."},
			{sarhad.EventPayment, []string{"Gujranwala", "Dubai"}, "Ransom paid through a hawala dealer in %s for the release of a migrant held in Libya."},
		},
		arrestPlaces: []string{"Gujranwala", "Gujrat", "Lahore", "Mandi Bahauddin"},
	},
	{
		key: "org/cheema-documents", name: "Cheema Documents Ring", aliases: []string{"Sialkot visa ring"},
		description: "Fictional ring supplying forged visas and passports for departures from Sialkot and Lahore airports — synthetic demo data.",
		circle:      OrgFIAGujranwala, partners: []string{"TUR", "GRC", "QAT", "ARE"}, base: "Sialkot",
		routes:   []string{"route/sialkot-forged", "route/lahore-forged"},
		offences: []sarhad.Offence{sarhad.OffenceSmuggling, sarhad.OffenceForgery},
		leaders: []namedPerson{{key: "person/leader-cheema", name: "Khalid Mehmood Cheema", father: "Muhammad Sharif Cheema",
			aliases: []string{"Khaled Mahmood Cheema", "Doctor Cheema"}, gender: sarhad.GenderMale, born: "1970-08-15",
			nationalities: []string{"PAK"}, base: "Sialkot", occupation: "travel agent"}},
		members: []memberSpec{
			{role: "document forger", culture: punjabi, bases: []string{"Sialkot"}},
			{role: "document forger", culture: punjabi, bases: []string{"Lahore"}},
			{role: "document forger", culture: punjabi, bases: []string{"Gujranwala"}},
			{role: "airport facilitator", culture: punjabi, bases: []string{"Sialkot"}},
			{role: "airport facilitator", culture: punjabi, bases: []string{"Lahore"}},
			{role: "travel agent", culture: punjabi, bases: []string{"Sialkot"}, kin: "son"},
			{role: "travel agent", culture: punjabi, bases: []string{"Sialkot"}},
			{role: "recruiter", culture: punjabi, bases: []string{"Gujranwala"}},
			{role: "recruiter", culture: punjabi, bases: []string{"Gujrat"}},
		},
		nMigrants: 20, migrantCultures: []culture{punjabi}, nCases: 16,
		origins: []string{"Sialkot", "Gujranwala", "Gujrat", "Lahore"},
		preEvents: []eventTemplate{
			{sarhad.EventInterception, []string{"Sialkot", "Lahore"}, "Passengers holding forged Schengen visas were offloaded at the %s airport."},
			{sarhad.EventDeportation, []string{"Lahore", "Sialkot"}, "Passengers refused entry in Istanbul with forged documents were deported to %s."},
			{sarhad.EventRecruitment, []string{"Gujranwala", "Gujrat"}, "Clients in %s were offered a 'direct flight' to Europe with a visa arranged by the ring."},
		},
		arrestPlaces: []string{"Sialkot", "Lahore", "Gujranwala"},
	},
	{
		key: "org/afridi-network", name: "Afridi Network", aliases: []string{"Khyber network"},
		description: "Fictional network moving Afghans through Torkham into Peshawar, including women and children exploited in begging and brick kilns — synthetic demo data.",
		circle:      OrgFIAPeshawar, partners: []string{"AFG"}, base: "Peshawar",
		routes:   []string{"route/torkham"},
		offences: []sarhad.Offence{sarhad.OffenceSmuggling, sarhad.OffenceTrafficking},
		leaders: []namedPerson{{key: "person/leader-afridi", name: "Rahmatullah Afridi", father: "Gul Zaman Afridi",
			aliases: []string{"Rehmatullah Afridi", "Haji Rahmat"}, gender: sarhad.GenderMale, born: "1964-02-28",
			nationalities: []string{"PAK"}, base: "Peshawar", occupation: "transporter"}},
		members: []memberSpec{
			{role: "guide", culture: afghan, bases: []string{"Jalalabad"}},
			{role: "guide", culture: afghan, bases: []string{"Torkham"}},
			{role: "transporter", culture: pashtun, bases: []string{"Peshawar"}, kin: "son"},
			{role: "transporter", culture: pashtun, bases: []string{"Peshawar"}},
			{role: "recruiter", culture: afghan, bases: []string{"Kabul"}},
			{role: "document forger", culture: pashtun, bases: []string{"Peshawar"}},
			{role: "money handler", culture: pashtun, bases: []string{"Peshawar"}},
			{role: "kiln contractor", culture: pashtun, bases: []string{"Peshawar"}},
		},
		nVictims: 6, victimCultures: []culture{afghan}, nMigrants: 10, migrantCultures: []culture{afghan},
		nCases: 10, shelter: "org/hamsaya-quetta", victimFemale: 0.6, childShare: 0.6,
		exploitation: []sarhad.Exploitation{sarhad.ExploitationBegging, sarhad.ExploitationBondedLabour},
		origins:      []string{"Kabul", "Jalalabad"},
		preEvents: []eventTemplate{
			{sarhad.EventBorderCrossing, []string{"Torkham"}, "Group crossed at %s avoiding the document check."},
			{sarhad.EventInterception, []string{"Torkham", "Peshawar"}, "Afghans without documents were intercepted at %s."},
			{sarhad.EventRescue, []string{"Peshawar"}, "Children forced to beg were rescued in %s."},
		},
		arrestPlaces: []string{"Peshawar"},
	},
	{
		key: "org/noorzai-network", name: "Noorzai Network", aliases: []string{"Chaman network"},
		description: "Fictional network moving Afghans through Spin Boldak–Chaman to Quetta and onwards to the Iranian border — synthetic demo data.",
		circle:      OrgFIAQuetta, partners: []string{"AFG", "IRN"}, base: "Chaman",
		routes:   []string{"route/chaman"},
		offences: []sarhad.Offence{sarhad.OffenceSmuggling},
		leaders: []namedPerson{{key: "person/leader-noorzai", name: "Naqibullah Noorzai", father: "Abdul Ghani Noorzai",
			aliases: []string{"Naqeebullah Noorzai", "Haji Naqib"}, gender: sarhad.GenderMale, born: "1973-04-04",
			nationalities: []string{"AFG"}, base: "Chaman", occupation: "trader"}},
		members: []memberSpec{
			{role: "guide", culture: afghan, bases: []string{"Spin Boldak"}},
			{role: "guide", culture: afghan, bases: []string{"Kandahar"}},
			{role: "transporter", culture: pashtun, bases: []string{"Chaman"}},
			{role: "transporter", culture: pashtun, bases: []string{"Quetta"}},
			{role: "money handler", culture: afghan, bases: []string{"Kandahar"}, kin: "brother"},
			{role: "safe-house keeper", culture: pashtun, bases: []string{"Quetta"}},
			{role: "recruiter", culture: afghan, bases: []string{"Kandahar"}},
		},
		nVictims: 6, victimCultures: []culture{afghan}, nMigrants: 8, migrantCultures: []culture{afghan},
		nCases: 8, shelter: "org/hamsaya-quetta", victimFemale: 0.5, childShare: 0.5,
		exploitation: []sarhad.Exploitation{sarhad.ExploitationBondedLabour, sarhad.ExploitationDomesticServitude},
		origins:      []string{"Kandahar"},
		preEvents: []eventTemplate{
			{sarhad.EventBorderCrossing, []string{"Chaman", "Spin Boldak"}, "Group crossed at %s in a goods vehicle."},
			{sarhad.EventInterception, []string{"Chaman", "Quetta", "Nok Kundi"}, "Afghans heading for Iran were intercepted at %s."},
		},
		arrestPlaces: []string{"Quetta", "Chaman"},
	},
	{
		key: "org/baji-network", name: "Baji Network", aliases: []string{"Karachi Bengal network"},
		description: "Fictional network trafficking women and girls from Bangladesh and Rohingya from Rakhine across India into Sindh, exploited in Karachi — synthetic demo data.",
		circle:      OrgFIAKarachi, partners: []string{"BGD"}, base: "Karachi",
		routes:   []string{"route/dhaka-chhor", "route/sittwe-badin", "route/jessore-bahawalpur"},
		offences: []sarhad.Offence{sarhad.OffenceTrafficking},
		leaders: []namedPerson{
			{key: "person/leader-baji", name: "Shahnaz Akhtar", father: "Abdul Sattar Qureshi",
				aliases: []string{"Shahnaz Akhter", "Baji"}, gender: sarhad.GenderFemale, born: "1969-12-01",
				nationalities: []string{"PAK"}, base: "Karachi", occupation: "landlady"},
			{key: "person/leader-mizanur", name: "Mizanur Rahman Sarkar", father: "Abdul Karim Sarkar",
				aliases: []string{"Mizanur Rehman Sarkar", "Mizan Bhai"}, gender: sarhad.GenderMale, born: "1977-09-17",
				nationalities: []string{"BGD"}, base: "Jessore", occupation: "trader"},
		},
		members: []memberSpec{
			{role: "recruiter", culture: bangladeshi, bases: []string{"Dhaka"}, female: true},
			{role: "recruiter", culture: bangladeshi, bases: []string{"Jessore"}, female: true},
			{role: "recruiter", culture: bangladeshi, bases: []string{"Jessore"}},
			{role: "transporter", culture: karachiite, bases: []string{"Badin"}},
			{role: "transporter", culture: karachiite, bases: []string{"Chhor"}},
			{role: "house keeper", culture: karachiite, bases: []string{"Karachi"}, female: true},
			{role: "house keeper", culture: karachiite, bases: []string{"Karachi"}, female: true},
			{role: "money handler", culture: karachiite, bases: []string{"Karachi"}},
			{role: "document forger", culture: karachiite, bases: []string{"Karachi"}},
			{role: "marriage broker", culture: karachiite, bases: []string{"Karachi"}},
		},
		nVictims: 35, victimCultures: []culture{bangladeshi, bangladeshi, rohingya},
		nCases: 16, shelter: "org/roshni-karachi", victimFemale: 1, childShare: 0.25,
		exploitation: []sarhad.Exploitation{sarhad.ExploitationSexual, sarhad.ExploitationDomesticServitude, sarhad.ExploitationForcedMarriage},
		origins:      []string{"Dhaka", "Jessore", "Sittwe"},
		preEvents: []eventTemplate{
			{sarhad.EventRecruitment, []string{"Dhaka", "Jessore"}, "Women recruited in %s with promises of marriage or domestic work in Pakistan."},
			{sarhad.EventBorderCrossing, []string{"Chhor", "Badin", "Kasur", "Bahawalpur"}, "Women brought across the border near %s by transporters."},
			{sarhad.EventRescue, []string{"Karachi"}, "Women and girls rescued from a house in %s and referred to a shelter."},
			{sarhad.EventMeeting, []string{"Karachi"}, "Buyers met the network's house keeper in %s."},
		},
		arrestPlaces: []string{"Karachi", "Badin"},
	},
}

// brokerSpecs are members of two networks (keys of networkSpecs), the bridges between them.
var brokerSpecs = []struct {
	person namedPerson
	nets   [2]string
}{
	{namedPerson{key: keyBroker, name: BrokerName, father: "Abdul Ghani Achakzai", aliases: []string{"Abdul Kadir Achakzai", "Haji Qadir"},
		gender: sarhad.GenderMale, born: "1969-06-30", nationalities: []string{"PAK"}, base: "Quetta", occupation: "hotel owner"},
		[2]string{keyChaudhry, "org/noorzai-network"}},
	{namedPerson{key: "person/broker-butt", name: "Muhammad Yousaf Butt", father: "Muhammad Din Butt",
		aliases: []string{"Mohammad Yusuf Butt", "Yousaf Butt"}, gender: sarhad.GenderMale, born: "1976-10-10",
		nationalities: []string{"PAK"}, base: "Gujrat", occupation: "money changer"},
		[2]string{keyChaudhry, "org/gondal-warraich"}},
	{namedPerson{key: "person/broker-dashti", name: "Jan Muhammad Dashti", father: "Allah Bakhsh Dashti",
		aliases: []string{"Jan Mohammad Dashti"}, gender: sarhad.GenderMale, born: "1972-01-15",
		nationalities: []string{"PAK"}, base: "Turbat", occupation: "transporter"},
		[2]string{"org/rind-network", "org/kalmati-boats"}},
	{namedPerson{key: "person/broker-mughal", name: "Shahzad Ahmed Mughal", father: "Bashir Ahmed Mughal",
		aliases: []string{"Shehzad Ahmad Mughal"}, gender: sarhad.GenderMale, born: "1981-03-03",
		nationalities: []string{"PAK"}, base: "Sialkot", occupation: "ticketing agent"},
		[2]string{"org/gondal-warraich", "org/cheema-documents"}},
	{namedPerson{key: "person/broker-shinwari", name: "Gul Khan Shinwari", father: "Sher Khan Shinwari",
		aliases: []string{"Gull Khan Shinwari", "Lala Gul"}, gender: sarhad.GenderMale, born: "1970-12-12",
		nationalities: []string{"PAK", "AFG"}, base: "Peshawar", occupation: "transporter"},
		[2]string{"org/afridi-network", "org/noorzai-network"}},
}

// otherOrgs are the fronts, the FIA circles and the shelters.
var otherOrgs = []struct {
	key, name, code string
	aliases         []string
	category        sarhad.OrganizationCategory
	base, desc      string
	front           string // network whose front it is
}{
	{key: keyFIALahore, name: FIALahoreName, code: OrgFIALahore, aliases: []string{"FIA Anti Human Trafficking Circle Lahore"},
		category: sarhad.OrgLawEnforcement, base: "Lahore", desc: "Anti Human Trafficking Circle of the Federal Investigation Agency, Lahore."},
	{key: "org/fia-ahtc-gujranwala", name: "FIA AHTC Gujranwala", code: OrgFIAGujranwala, aliases: []string{"FIA Anti Human Trafficking Circle Gujranwala"},
		category: sarhad.OrgLawEnforcement, base: "Gujranwala", desc: "Anti Human Trafficking Circle of the Federal Investigation Agency, Gujranwala."},
	{key: "org/fia-ahtc-quetta", name: "FIA AHTC Quetta", code: OrgFIAQuetta, aliases: []string{"FIA Anti Human Trafficking Circle Quetta"},
		category: sarhad.OrgLawEnforcement, base: "Quetta", desc: "Anti Human Trafficking Circle of the Federal Investigation Agency, Quetta."},
	{key: "org/fia-ahtc-karachi", name: "FIA AHTC Karachi", code: OrgFIAKarachi, aliases: []string{"FIA Anti Human Trafficking Circle Karachi"},
		category: sarhad.OrgLawEnforcement, base: "Karachi", desc: "Anti Human Trafficking Circle of the Federal Investigation Agency, Karachi."},
	{key: "org/fia-ahtc-peshawar", name: "FIA AHTC Peshawar", code: OrgFIAPeshawar, aliases: []string{"FIA Anti Human Trafficking Circle Peshawar"},
		category: sarhad.OrgLawEnforcement, base: "Peshawar", desc: "Anti Human Trafficking Circle of the Federal Investigation Agency, Peshawar."},
	{key: "org/al-madina-travel", name: "Al-Madina Travel & Tours", aliases: []string{"Al Madina Travels Gujrat"},
		category: sarhad.OrgTravelAgency, base: "Gujrat", front: keyChaudhry,
		desc: "Fictional travel agency in Gujrat used as a front to sell 'packages' to Europe — synthetic demo data."},
	{key: "org/sky-wings", name: "Sky Wings Travels", aliases: []string{"Skywings Travel Sialkot"},
		category: sarhad.OrgTravelAgency, base: "Sialkot", front: "org/cheema-documents",
		desc: "Fictional travel agency in Sialkot booking tickets for clients travelling on forged visas — synthetic demo data."},
	{key: "org/gulf-star", name: "Gulf Star Overseas Employment Promoters", aliases: []string{"Gulf Star OEP"},
		category: sarhad.OrgRecruitmentAgency, base: "Karachi", front: "org/kalmati-boats",
		desc: "Fictional overseas employment promoter recruiting 'fishermen' for Oman — synthetic demo data."},
	{key: "org/global-overseas", name: "Global Overseas Recruiting Agency", aliases: []string{"Global Overseas Lahore"},
		category: sarhad.OrgRecruitmentAgency, base: "Lahore", front: "org/gondal-warraich",
		desc: "Fictional recruitment agency offering jobs in Libya and Italy — synthetic demo data."},
	{key: "org/roshni-karachi", name: "Roshni Women's Shelter", aliases: []string{"Roshni Shelter Karachi"},
		category: sarhad.OrgShelter, base: "Karachi", code: OrgFIAKarachi,
		desc: "Fictional shelter for women and girls, Karachi — synthetic demo data."},
	{key: "org/sahara-lahore", name: "Sahara Victim Support Centre", aliases: []string{"Sahara Lahore"},
		category: sarhad.OrgNGO, base: "Lahore", code: OrgFIALahore,
		desc: "Fictional NGO giving legal, psychosocial and reintegration support to returned victims, Lahore — synthetic demo data."},
	{key: "org/hamsaya-quetta", name: "Hamsaya Migrant Aid", aliases: []string{"Hamsaya Quetta"},
		category: sarhad.OrgNGO, base: "Quetta", code: OrgFIAQuetta,
		desc: "Fictional NGO assisting Afghan women and children, Quetta and Peshawar — synthetic demo data."},
}
