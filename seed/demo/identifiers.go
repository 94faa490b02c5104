package demo

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/sarhad/sarhad"
)

// Pakistani mobile prefixes (3xx after +92).
var pkMobilePrefixes = []int{300, 301, 302, 303, 304, 305, 306, 307, 308, 309, 311, 312, 313, 314, 315, 316, 321, 322,
	323, 331, 332, 333, 334, 335, 336, 340, 341, 342, 343, 344, 345, 346, 347}

// foreign mobile number patterns: country code and prefix, then that many random digits.
var foreignMobile = map[string]struct {
	prefix string
	digits int
}{
	"IRN": {"+98915", 7}, "TUR": {"+90532", 7}, "LBY": {"+21891", 7}, "OMN": {"+9689", 7}, "ARE": {"+97150", 7},
	"AFG": {"+9370", 7}, "BGD": {"+88017", 8}, "QAT": {"+9745", 7},
}

// placeCountry returns the ISO alpha-3 country of a demo place.
func (w *world) placeCountry(name string) string {
	return w.byID[w.places[name]].(*sarhad.Place).Country
}

func (w *world) digits(n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + w.rng.IntN(10)))
	}
	return b.String()
}

// unique draws values until one is new.
func (w *world) unique(draw func() string) string {
	for {
		if s := draw(); !w.usedNumbers[s] {
			w.usedNumbers[s] = true
			return s
		}
	}
}

// phoneNumber returns a new mobile number of country (alpha-3), in E.164.
func (w *world) phoneNumber(country string) string {
	return w.unique(func() string {
		if f, ok := foreignMobile[country]; ok {
			return f.prefix + w.digits(f.digits)
		}
		return fmt.Sprintf("+92%d%s", pick(w.builder, pkMobilePrefixes), w.digits(7))
	})
}

// addPhone adds a phone with the given handling and returns its id.
func (w *world) addPhone(key, number, country string, h sarhad.Handling, sources ...string) string {
	return w.put(key, &sarhad.Phone{Number: number, Country: country}, h, sources...)
}

// cnicDistrict is the first five digits of CNICs issued in a district.
var cnicDistrict = map[string]string{
	"Lahore": "35202", "Gujranwala": "34101", "Gujrat": "34201", "Sialkot": "34603", "Mandi Bahauddin": "34402",
	"Kotli": "82302", "Islamabad": "61101", "Multan": "36302", "Karachi": "42101", "Quetta": "54400", "Turbat": "52203",
	"Gwadar": "52101", "Pasni": "52102", "Jiwani": "52103", "Ormara": "51103", "Peshawar": "17301", "Chaman": "54201",
	"Nok Kundi": "54102", "Badin": "41101", "Chhor": "44301", "Kasur": "35102", "Bahawalpur": "31202", "Mand": "52204",
	"Torkham": "17201",
}

// cnic returns a new CNIC number of a person registered in district, with the gender digit.
func (w *world) cnic(district string, g sarhad.Gender) string {
	code, ok := cnicDistrict[district]
	if !ok {
		code = "35202"
	}
	return w.unique(func() string {
		last := 2 * w.rng.IntN(5) // even for women
		if g != sarhad.GenderFemale {
			last++
		}
		return fmt.Sprintf("%s-%s-%d", code, w.digits(7), last)
	})
}

func (w *world) letters(n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('A' + w.rng.IntN(26)))
	}
	return b.String()
}

// iban returns a new IBAN of country cc (alpha-2) with a correct check number.
func (w *world) iban(cc, bban string) string {
	// Move the country code and "00" to the end, letters to numbers, mod 97.
	var num strings.Builder
	for _, r := range bban + cc + "00" {
		if r >= 'A' && r <= 'Z' {
			fmt.Fprintf(&num, "%d", r-'A'+10)
		} else {
			num.WriteRune(r)
		}
	}
	n, _ := new(big.Int).SetString(num.String(), 10)
	check := 98 - new(big.Int).Mod(n, big.NewInt(97)).Int64()
	return fmt.Sprintf("%s%02d%s", cc, check, bban)
}

var pkBanks = []struct{ name, code string }{
	{"Habib Bank Limited", "HABB"}, {"MCB Bank", "MUCB"}, {"United Bank Limited", "UNIL"}, {"Meezan Bank", "MEZN"},
	{"Allied Bank", "ABPA"}, {"Bank Alfalah", "ALFH"},
}

// addAccount adds a bank, wallet or hawala account.
func (w *world) addAccount(key, kind, holder string, h sarhad.Handling, sources ...string) string {
	var a sarhad.BankAccount
	switch kind {
	case "wallet":
		a = sarhad.BankAccount{Bank: pick(w.builder, []string{"JazzCash", "Easypaisa"}), Country: "PAK",
			AccountNumber: w.unique(func() string { return fmt.Sprintf("0%d%s", pick(w.builder, pkMobilePrefixes), w.digits(7)) })}
	case "hawala-dubai":
		a = sarhad.BankAccount{Bank: "Hawala ledger (Dubai)", Country: "ARE",
			AccountNumber: w.unique(func() string { return "HWL-DXB-" + w.digits(4) })}
	case "IRN":
		a = sarhad.BankAccount{Bank: "Bank Melli Iran", Country: "IRN",
			AccountNumber: w.unique(func() string { return w.iban("IR", "0170"+w.digits(18)) })}
	case "ARE":
		a = sarhad.BankAccount{Bank: "Emirates NBD", Country: "ARE",
			AccountNumber: w.unique(func() string { return w.iban("AE", "026"+w.digits(16)) })}
	default:
		bank := pick(w.builder, pkBanks)
		a = sarhad.BankAccount{Bank: bank.name, Country: "PAK",
			AccountNumber: w.unique(func() string { return w.iban("PK", bank.code+w.digits(16)) })}
	}
	a.HolderName = holder
	return w.put(key, &a, h, sources...)
}

// addDocument adds an identity document.
func (w *world) addDocument(key string, d *sarhad.IdentityDocument, h sarhad.Handling, sources ...string) string {
	if d.IssuedOn != "" && d.ExpiresOn == "" {
		years := 10
		if d.DocumentType == sarhad.DocumentPassport {
			years = 5
		}
		if d.DocumentType == sarhad.DocumentVisa {
			years = 0
		}
		if years > 0 {
			d.ExpiresOn = sarhad.Date(parse(d.IssuedOn).AddDate(years, 0, 0).Format("2006-01-02"))
		} else {
			d.ExpiresOn = addDays(d.IssuedOn, 90)
		}
	}
	return w.put(key, d, h, sources...)
}

func (w *world) passportNumber(country string) string {
	return w.unique(func() string {
		switch country {
		case "IRN":
			return w.letters(1) + w.digits(8)
		case "AFG":
			return "P" + w.digits(8)
		case "BGD":
			return "E" + w.letters(1) + w.digits(7)
		}
		return w.letters(2) + w.digits(7)
	})
}

// addIdentifiers gives the people of every network their phones, accounts, documents, vehicles,
// addresses and online accounts, several of them shared.
func (w *world) addIdentifiers() {
	for _, n := range w.nets {
		w.networkIdentifiers(n)
	}
	// The hawala ledger in Dubai serves two networks.
	c, g := w.netByKey[keyChaudhry], w.netByKey["org/gondal-warraich"]
	hawala := w.addAccount("account/hawala-dubai", "hawala-dubai", "", handling(OrgFIALahore, sarhad.TLPAmber, "PAK", "ARE"),
		g.sources.intercept)
	for _, p := range append(c.withRole("money handler"), g.withRole("money handler")...) {
		w.link(sarhad.RelUses, p.id, hawala, sarhad.RelationProps{Since: w.dateIn("2019-01-01", "2021-12-31")})
	}
	// An Afghan migrant of the Noorzai network and one of the Afridi network use the same
	// fraudulently obtained CNIC.
	nz, af := w.netByKey["org/noorzai-network"], w.netByKey["org/afridi-network"]
	fraud := w.addDocument("document/cnic-fraud-afghan", &sarhad.IdentityDocument{DocumentType: sarhad.DocumentCNIC,
		Number: w.cnic("Quetta", sarhad.GenderMale), IssuingCountry: "PAK", Authenticity: sarhad.AuthenticityFraudulent,
		IssuedOn: "2019-05-14"}, handling(OrgFIAQuetta, sarhad.TLPAmber, "PAK", "AFG"), nz.sources.report)
	w.link(sarhad.RelHoldsDocument, nz.migrants[0].id, fraud, sarhad.RelationProps{Since: "2021-03-01"})
	w.link(sarhad.RelHoldsDocument, af.migrants[0].id, fraud, sarhad.RelationProps{Since: "2022-07-01"})
}

func (w *world) networkIdentifiers(n *netState) {
	short := strings.TrimPrefix(n.key, "org/")
	identH := func() sarhad.Handling { return w.mark(n, identifierW) }
	leader := n.leaders[0]
	payees := n.withRole("money handler")
	if len(payees) == 0 {
		payees = n.leaders
	}

	// Hotlines: the first is used by the leader, the money handlers and the brokers; the second by
	// the recruiters.
	for i := range 2 {
		key := fmt.Sprintf("phone/%s/hotline-%d", short, i)
		number := w.phoneNumber("PAK")
		if n.key == keyChaudhry && i == 0 {
			key, number = keySharedPhone, SharedPhoneNumber
			w.usedNumbers[number] = true
		}
		h := handling(n.circle, sarhad.TLPAmber, append([]string{"PAK"}, n.partners...)...)
		id := w.addPhone(key, number, "PAK", h, n.sources.intercept)
		n.hotlines = append(n.hotlines, id)
		var users []*person
		if i == 0 {
			users = append(append(slices1(leader), payees...), n.withRole("broker")...)
		} else {
			users = n.withRole("recruiter", "agent", "house keeper")
			if len(users) < 2 {
				users = append(users, n.members[0])
			}
		}
		for _, u := range dedupe(users) {
			w.link(sarhad.RelUses, u.id, id, sarhad.RelationProps{Since: w.dateIn("2019-01-01", "2021-06-30")}, n.sources.intercept)
		}
	}
	// Personal phones.
	for _, group := range [][]*person{n.leaders, n.members, n.migrants, n.relatives, n.guarantors, n.victims} {
		for _, p := range group {
			if p.role == "broker" && p.net != n {
				continue
			}
			share := 0.8
			switch p.role {
			case "migrant", "relative":
				share = 0.5
			case "victim":
				share = 0.2
			}
			if !w.chance(share) {
				continue
			}
			country := w.placeCountry(p.base)
			if _, ok := foreignMobile[country]; !ok {
				country = "PAK"
			}
			h := identH()
			if p.role == "victim" {
				h = p.e.Handling
			}
			id := w.addPhone("phone/"+strings.TrimPrefix(p.e.ID, "per_"), w.phoneNumber(country), country, h)
			w.link(sarhad.RelUses, p.id, id, sarhad.RelationProps{})
		}
	}
	// Accounts: one bank account used by the leader and a money handler, wallets for the others.
	acc := w.addAccount("account/"+short+"/main", "bank", leader.e.Name, handling(n.circle, sarhad.TLPAmber, w.release(n)...),
		n.sources.report)
	n.accounts = append(n.accounts, acc)
	w.link(sarhad.RelOwns, leader.id, acc, sarhad.RelationProps{Since: w.dateIn("2015-01-01", "2019-12-31")})
	for _, p := range dedupe(append(slices1(payees[0]), leader)) {
		w.link(sarhad.RelUses, p.id, acc, sarhad.RelationProps{})
	}
	for i, p := range payees {
		kind := "wallet"
		switch {
		case p.base == "Dubai":
			kind = "ARE"
		case w.placeCountry(p.base) == "IRN":
			kind = "IRN"
		}
		id := w.addAccount(fmt.Sprintf("account/%s/handler-%d", short, i), kind, p.e.Name, identH(), n.sources.report)
		n.accounts = append(n.accounts, id)
		w.link(sarhad.RelUses, p.id, id, sarhad.RelationProps{})
	}
	for _, p := range n.withRole("guide") {
		if w.placeCountry(p.base) == "IRN" {
			id := w.addAccount("account/"+strings.TrimPrefix(p.e.ID, "per_"), "IRN", p.e.Name, identH(), n.sources.informant)
			w.link(sarhad.RelUses, p.id, id, sarhad.RelationProps{})
		}
	}

	// Documents.
	for _, group := range [][]*person{n.leaders, n.members, n.migrants, n.relatives, n.victims} {
		for _, p := range group {
			if p.role == "broker" && p.net != n {
				continue
			}
			w.personDocuments(n, p)
		}
	}
	// Forged Schengen visas of the documents ring come in batches sharing a number.
	if n.key == "org/cheema-documents" {
		forgers := n.withRole("document forger")
		for b := range 4 {
			country := pick(w.builder, []string{"GRC", "ITA"})
			id := w.addDocument(fmt.Sprintf("document/%s/visa-batch-%d", short, b), &sarhad.IdentityDocument{
				DocumentType: sarhad.DocumentVisa, Number: w.unique(func() string { return country + w.digits(9) }),
				IssuingCountry: country, Authenticity: sarhad.AuthenticityForged, IssuedOn: w.dateIn("2021-01-01", "2023-09-30")},
				handling(n.circle, sarhad.TLPAmber, "PAK", country, "TUR"), n.sources.report)
			for _, m := range n.migrants[b*4 : b*4+w.between(2, 3)] {
				w.link(sarhad.RelHoldsDocument, m.id, id, sarhad.RelationProps{Note: "forged visa sticker found in passport"})
			}
			w.link(sarhad.RelInvolvedIn, forgers[b%len(forgers)].id, w.forgeryEvent(n, b, id), sarhad.RelationProps{Role: "forger"})
		}
	}

	// Vehicles and boats, shared by drivers, transporters and captains.
	w.vehicles(n)
	// Addresses: leaders' homes and the network's safe house.
	w.addresses(n)
	// Online accounts.
	w.onlineAccounts(n)
}

// forgeryEvent records the seizure of a batch of forged visas.
func (w *world) forgeryEvent(n *netState, batch int, doc string) string {
	place := pick(w.builder, []string{"Sialkot", "Lahore", "Gujranwala"})
	date := w.dateIn("2021-02-01", "2023-11-30")
	id := w.put(fmt.Sprintf("event/%s/visa-seizure-%d", strings.TrimPrefix(n.key, "org/"), batch), &sarhad.Event{
		Category: sarhad.EventArrest, OccurredOn: date,
		Description: fmt.Sprintf("Raid on a document forger in %s; stamps and forged visa stickers of one batch seized (synthetic demo data).", place)},
		handling(n.circle, sarhad.TLPAmber, w.release(n)...), n.sources.report)
	w.link(sarhad.RelOccurredAt, id, w.places[place], sarhad.RelationProps{})
	w.link(sarhad.RelAlongRoute, id, n.routeIDs[batch%len(n.routeIDs)], sarhad.RelationProps{})
	w.events = append(w.events, id)
	return id
}

func (w *world) personDocuments(n *netState, p *person) {
	h := w.mark(n, privateIdentW)
	if p.role == "victim" {
		h = p.e.Handling
	}
	key := "document/" + strings.TrimPrefix(p.e.ID, "per_")
	nat := ""
	if len(p.e.Nationalities) > 0 {
		nat = p.e.Nationalities[0]
	}
	share := map[string]float64{"leader": 1, "broker": 1, "migrant": 0.8, "relative": 0.5, "victim": 0.4}[p.role]
	if share == 0 {
		share = 0.85
	}
	if !w.chance(share) {
		return
	}
	born := p.e.BirthDate
	switch nat {
	case "PAK":
		district := p.base
		if w.placeCountry(district) != "PAK" {
			district = n.base
		}
		id := w.addDocument(key+"/cnic", &sarhad.IdentityDocument{DocumentType: sarhad.DocumentCNIC, Number: w.cnic(district, p.e.Gender),
			IssuingCountry: "PAK", Authenticity: sarhad.AuthenticityGenuine, IssuedOn: maxDate(addDays(born, 18*366), w.dateIn("2014-01-01", "2020-12-31"))}, h)
		w.link(sarhad.RelHoldsDocument, p.id, id, sarhad.RelationProps{})
		if p.role == "migrant" || p.role == "leader" || p.role == "broker" || w.placeCountry(p.base) != "PAK" || w.chance(0.3) {
			id := w.addDocument(key+"/passport", &sarhad.IdentityDocument{DocumentType: sarhad.DocumentPassport,
				Number: w.passportNumber("PAK"), IssuingCountry: "PAK", Authenticity: sarhad.AuthenticityGenuine,
				IssuedOn: w.dateIn("2019-01-01", "2022-12-31")}, h)
			w.link(sarhad.RelHoldsDocument, p.id, id, sarhad.RelationProps{})
		}
	case "AFG":
		if p.role == "migrant" && w.chance(0.5) {
			// A forged Pakistani passport to travel on.
			id := w.addDocument(key+"/forged-passport", &sarhad.IdentityDocument{DocumentType: sarhad.DocumentPassport,
				Number: w.passportNumber("PAK"), IssuingCountry: "PAK", Authenticity: sarhad.AuthenticityForged}, h, n.sources.report)
			w.link(sarhad.RelHoldsDocument, p.id, id, sarhad.RelationProps{})
			return
		}
		id := w.addDocument(key+"/tazkira", &sarhad.IdentityDocument{DocumentType: sarhad.DocumentNationalID,
			Number: w.unique(func() string { return "1400-" + w.digits(4) + "-" + w.digits(5) }), IssuingCountry: "AFG",
			Authenticity: sarhad.AuthenticityGenuine}, h)
		w.link(sarhad.RelHoldsDocument, p.id, id, sarhad.RelationProps{})
	case "BGD":
		if p.role == "victim" {
			// Traffickers obtain Pakistani CNICs for the women they bring in.
			id := w.addDocument(key+"/cnic", &sarhad.IdentityDocument{DocumentType: sarhad.DocumentCNIC, Number: w.cnic("Karachi", p.e.Gender),
				IssuingCountry: "PAK", Authenticity: sarhad.AuthenticityFraudulent, IssuedOn: w.dateIn("2018-01-01", "2022-12-31")}, h)
			w.link(sarhad.RelHoldsDocument, p.id, id, sarhad.RelationProps{})
			return
		}
		fallthrough
	default:
		if nat == "" {
			return
		}
		id := w.addDocument(key+"/passport", &sarhad.IdentityDocument{DocumentType: sarhad.DocumentPassport,
			Number: w.passportNumber(nat), IssuingCountry: nat, Authenticity: sarhad.AuthenticityGenuine,
			IssuedOn: w.dateIn("2018-01-01", "2022-12-31")}, h)
		w.link(sarhad.RelHoldsDocument, p.id, id, sarhad.RelationProps{})
	}
}

var vehicleSpecs = map[string][]struct {
	cat          sarhad.VehicleCategory
	reg, name    string
	desc         string
	roles        []string
	ownByLeader  bool
	interception bool
}{
	keyChaudhry: {
		{sarhad.VehicleTruck, "QAA-4521", "", "Toyota Hilux pick-up carrying migrants from Quetta to Nok Kundi and Taftan", []string{"driver", "safe-house"}, false, true},
		{sarhad.VehicleBus, "GAA-1150", "", "Hiace van from Gujrat to Quetta", []string{"recruiter"}, true, false},
	},
	"org/rind-network": {
		{sarhad.VehicleTruck, "TBT-212", "", "Zamyad pick-up used on the Turbat–Mand track", []string{"driver", "transporter"}, true, true},
	},
	"org/kalmati-boats": {
		{sarhad.VehicleBoat, "GWD-FB-1123", "Al-Noor", "Wooden fishing boat of about 15 metres", []string{"boat captain", "jetty"}, true, true},
		{sarhad.VehicleBoat, "PSN-FB-0457", "Sea Star", "Speedboat with two outboard engines", []string{"boat captain"}, true, true},
	},
	"org/gondal-warraich": {
		{sarhad.VehicleBoat, "", "Tobruk trawler", "Fishing trawler bought in Tobruk for the crossing (synthetic demo record)", []string{"boat organiser", "coordinator"}, false, false},
	},
	"org/noorzai-network": {
		{sarhad.VehicleTruck, "QAD-118", "", "Datsun pick-up on the Chaman–Quetta road", []string{"transporter", "safe-house"}, false, true},
	},
	"org/afridi-network": {
		{sarhad.VehicleTruck, "PRS-3390", "", "Hino truck crossing at Torkham with people hidden in the cargo", []string{"transporter"}, true, true},
	},
	"org/baji-network": {
		{sarhad.VehicleBus, "BKX-552", "", "Suzuki Bolan van moving women from Badin to Karachi", []string{"transporter", "house keeper"}, false, true},
	},
}

func (w *world) vehicles(n *netState) {
	for i, vs := range vehicleSpecs[n.key] {
		id := w.put(fmt.Sprintf("vehicle/%s/%d", strings.TrimPrefix(n.key, "org/"), i), &sarhad.Vehicle{Category: vs.cat,
			Registration: vs.reg, Name: vs.name, Description: vs.desc}, handling(n.circle, sarhad.TLPAmber, w.release(n)...),
			n.sources.report)
		for _, p := range n.withRole(vs.roles...) {
			w.link(sarhad.RelUses, p.id, id, sarhad.RelationProps{})
		}
		if vs.ownByLeader {
			w.link(sarhad.RelOwns, n.leaders[0].id, id, sarhad.RelationProps{})
		}
		if vs.interception {
			n.vehicles = append(n.vehicles, id)
		}
	}
}
