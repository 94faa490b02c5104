package ingest_test

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/ingest"
)

func TestImportFtM(t *testing.T) {
	st, ctx := openStore(t), systemContext(t)
	id, relID := keyedIDs(t, st)
	rep := run(t, ctx, st, []string{filepath.Join("testdata", "ftm", "sample.ftm.json")}, options(clock1))
	if len(rep.Rejected) != 0 {
		t.Fatalf("rejected:\n%s", lines(rep.Rejected))
	}
	if rep.Read != 15 || rep.Skipped != 1 {
		t.Errorf("read %d, skipped %d; want 15 and the Sanction", rep.Read, rep.Skipped)
	}
	g := readGraph(t, ctx, st)
	for kind, want := range map[sarhad.EntityKind]int{sarhad.KindPerson: 3, sarhad.KindOrganization: 2,
		sarhad.KindPhone: 3, sarhad.KindAddress: 2, sarhad.KindIdentityDocument: 1, sarhad.KindBankAccount: 1,
		sarhad.KindSource: 1} {
		if got := g.count(kind); got != want {
			t.Errorf("%d %s entities, want %d", got, kind, want)
		}
	}
	for typ, want := range map[sarhad.RelationType]int{sarhad.RelUses: 4, sarhad.RelLivesAt: 2, sarhad.RelHoldsDocument: 1,
		sarhad.RelPaid: 1, sarhad.RelMemberOf: 1, sarhad.RelFamilyOf: 1, sarhad.RelAssociateOf: 1, sarhad.RelOwns: 2} {
		if got := len(g.relsOf(typ)); got != want {
			t.Errorf("%d %s relationships, want %d", got, typ, want)
		}
	}

	imran := g.entity(t, id(sarhad.KindPerson, "ftm-p-1")).(*sarhad.Person)
	if imran.Name != "Imran Qureshi" || !slices.Equal(imran.Aliases, []string{"Imran Qureshy", "Mani"}) ||
		imran.FatherName != "Bashir Qureshi" || imran.Gender != sarhad.GenderMale || imran.BirthDate != "1980-07-01" ||
		!slices.Equal(imran.Nationalities, []string{"PAK"}) {
		t.Errorf("ftm-p-1 = %+v", imran)
	}
	salma := g.entity(t, id(sarhad.KindPerson, "ftm-p-2")).(*sarhad.Person)
	if salma.BirthDate != "" || !slices.Equal(salma.Nationalities, []string{"PAK"}) || salma.Gender != sarhad.GenderFemale {
		t.Errorf("ftm-p-2 = %+v: the partial date and the non-ISO country should be dropped", salma)
	}
	kamran := g.entity(t, id(sarhad.KindPerson, "ftm-p-3")).(*sarhad.Person)
	if kamran.Name != "Kamran Qureshi" || kamran.BirthDate != "1984-02-29" {
		t.Errorf("ftm-p-3 = %+v", kamran)
	}
	company := g.entity(t, id(sarhad.KindOrganization, "ftm-c-1")).(*sarhad.Organization)
	if company.Country != "PAK" || company.Category != sarhad.OrgOther || company.Aliases[0] != "Al Noor OEP" {
		t.Errorf("ftm-c-1 = %+v", company)
	}
	doc := g.entity(t, id(sarhad.KindIdentityDocument, "ftm-pp-1")).(*sarhad.IdentityDocument)
	if doc.DocumentType != sarhad.DocumentPassport || doc.Number != "AB1234561" || doc.IssuingCountry != "PAK" ||
		doc.ExpiresOn != "2031-05-09" {
		t.Errorf("ftm-pp-1 = %+v", doc)
	}

	// The number Imran and Salma share is one Phone, used by both.
	shared := id(sarhad.KindPhone, "phone:+923005550101")
	var users []string
	for _, r := range g.relsOf(sarhad.RelUses) {
		if r.To == shared {
			users = append(users, r.From)
		}
	}
	slices.Sort(users)
	if want := []string{imran.ID, salma.ID}; !slices.Equal(users, slices.Sorted(slices.Values(want))) {
		t.Errorf("users of the shared phone = %v, want %v", users, want)
	}
	pay := g.rels[relID("ftm-pay-1")]
	if pay == nil || pay.From != salma.ID || pay.To != company.ID || pay.Amount == nil ||
		*pay.Amount != (sarhad.Money{Amount: 450000, Currency: "PKR"}) || pay.Date != "2023-03-04" || pay.Note != "placement fee" {
		t.Errorf("ftm-pay-1 = %+v", pay)
	}
	// The Membership came before its ends in the file.
	if m := g.rels[relID("ftm-m-1")]; m == nil || m.From != imran.ID || m.To != id(sarhad.KindOrganization, "ftm-o-1") ||
		m.Role != "leader" || m.Since != "2018-01-01" {
		t.Errorf("ftm-m-1 = %+v", m)
	}
	if f := g.rels[relID("ftm-f-1")]; f == nil || f.Type != sarhad.RelFamilyOf || f.Role != "brother" || f.To != kamran.ID {
		t.Errorf("ftm-f-1 = %+v", f)
	}
	if o := g.rels[relID("ftm-own-1")]; o == nil || o.To != id(sarhad.KindBankAccount, "ftm-ba-1") || o.Note != "100%" {
		t.Errorf("ftm-own-1 = %+v", o)
	}
	if l := g.rels[relID("ftm-p-3:addressEntity:ftm-a-1")]; l == nil || l.To != id(sarhad.KindAddress, "ftm-a-1") {
		t.Errorf("ftm-p-3 LIVES_AT ftm-a-1 = %+v", l)
	}

	rep = run(t, ctx, st, []string{filepath.Join("testdata", "ftm", "sample.ftm.json")}, options(clock2))
	if rep.Created != 0 || rep.Updated != 0 {
		t.Errorf("second import = %+v, want nothing created or updated", rep)
	}
}

const caviar = "../../shared/data/criminal-networks/caviar.csv"

func TestImportCaviarMatrix(t *testing.T) {
	if _, err := os.Stat(caviar); err != nil {
		t.Skipf("CAVIAR dataset not available: %v", err)
	}
	// The expected graph, computed from the file itself.
	f, err := os.Open(caviar)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	labels := rows[0][1:]
	cell := map[[2]string]float64{}
	for _, row := range rows[1:] {
		for j, c := range row[1:] {
			w, err := strconv.ParseFloat(c, 64)
			if err != nil {
				t.Fatal(err)
			}
			cell[[2]string{row[0], labels[j]}] = w
		}
	}
	ties := 0
	for i, a := range labels {
		for _, b := range labels[i+1:] {
			if cell[[2]string{a, b}]+cell[[2]string{b, a}] != 0 {
				ties++
			}
		}
	}

	st, ctx := openStore(t), systemContext(t)
	id, _ := keyedIDs(t, st)
	rep := run(t, ctx, st, []string{caviar}, options(clock1))
	if len(rep.Rejected) != 0 {
		t.Fatalf("rejected:\n%s", lines(rep.Rejected))
	}
	g := readGraph(t, ctx, st)
	if n := g.count(sarhad.KindPerson); n != 110 || len(labels) != 110 {
		t.Fatalf("%d persons from %d labels, want 110", n, len(labels))
	}
	if got := len(g.relsOf(sarhad.RelAssociateOf)); got != ties || len(g.rels) != ties {
		t.Fatalf("%d ASSOCIATE_OF relationships, want %d undirected non-zero ties", got, ties)
	}
	mastermind := g.entity(t, id(sarhad.KindPerson, "caviar:1")).(*sarhad.Person)
	if mastermind.Name != "Participant 1" {
		t.Errorf("participant 1 is named %q", mastermind.Name)
	}
	lieutenant := id(sarhad.KindPerson, "caviar:3")
	var tie *sarhad.Relationship
	for _, r := range g.rels {
		if r.From == mastermind.ID && r.To == lieutenant {
			tie = r
		}
	}
	if want := cell[[2]string{"1", "3"}] + cell[[2]string{"3", "1"}]; tie == nil || tie.Weight != want {
		t.Fatalf("tie 1–3 = %+v, want weight %g", tie, want)
	}

	rep = run(t, ctx, st, []string{caviar}, options(clock2))
	if rep.Created != 0 || rep.Updated != 0 {
		t.Errorf("second import = %+v", rep)
	}
}

func TestImportMatrixOptionsAndErrors(t *testing.T) {
	st, ctx := openStore(t), systemContext(t)
	id, relID := keyedIDs(t, st)
	dir, _ := writeFiles(t, map[string]string{"ring.csv": `"",a,b,c
a,0,2,x
b,1,0,0
d,0,0,0
c,0,0,0
`})
	opts := options(clock1)
	opts.Format = ingest.FormatMatrix
	opts.Matrix = ingest.MatrixOptions{NamePrefix: "Suspect ", KeyPrefix: "ring/"}
	rep := run(t, ctx, st, []string{filepath.Join(dir, "ring.csv")}, opts)
	want := []ingest.Rejection{
		{filepath.Join(dir, "ring.csv"), 2, "c", `"x" is not a number`},
		{filepath.Join(dir, "ring.csv"), 4, "", `the row label "d" is not in the header`},
	}
	if !slices.Equal(rep.Rejected, want) {
		t.Errorf("rejected:\n%s", lines(rep.Rejected))
	}
	g := readGraph(t, ctx, st)
	r := g.rels[relID("ASSOCIATE_OF:"+id(sarhad.KindPerson, "ring/a")+":"+id(sarhad.KindPerson, "ring/b"))]
	if r == nil || r.Weight != 3 || r.Note != "a→b: 2; b→a: 1" {
		t.Fatalf("tie a–b = %+v", r)
	}
	if p := g.entity(t, id(sarhad.KindPerson, "ring/c")).(*sarhad.Person); p.Name != "Suspect c" {
		t.Errorf("c is named %q", p.Name)
	}
}

func TestImportEveryKindFromCSV(t *testing.T) {
	st, ctx := openStore(t), systemContext(t)
	id, _ := keyedIDs(t, st)
	_, paths := writeFiles(t, map[string]string{
		"people.csv":        "key,name\nP-1,Asif Ali\n",
		"organisations.csv": "key,name,category\nO-1,Asif Brothers,front company\n",
		"countries.csv":     "name,alpha2,alpha3,region,tlp\nPakistan,PK,PAK,Southern Asia,CLEAR\n",
		"places.csv":        "key,name,category,country,location.lat,location.lon,approximate\nPL-1,Taftan,BORDER_CROSSING,PAK,28.9626,61.5945,true\n",
		"routes.csv":        "key,name,fee.amount,fee.currency,activeFrom\nR-1,Quetta–Taftan–Zahedan,4000,USD,2019-01-01\n",
		"cases.csv":         "key,reference,agency,country,offences,stage,registeredOn\nC-1,FIR 7/2024,FIA AHTC Quetta,PAK,PSMA_2018_SMUGGLING,registered,2024-01-05\n",
		"events.csv":        "key,category,occurredOn,personsCount\nE-1,INTERCEPTION,2024-01-04,23\n",
		"phones.csv":        "key,number\nPH-1,03001112223\n",
		"bank_accounts.csv": "key,bank,accountNumber,holderName\nB-1,Meezan Bank,0101 2345 6789,Asif Ali\n",
		"IdentityDocument.csv": "key,documentType,number,issuingCountry,authenticity\n" +
			"D-1,CNIC,35202-1234567-1,PK,forged\n",
		"vehicles.csv":             "key,category,registration\nV-1,TRUCK,QAA-1234\n",
		"addresses.csv":            "key,line,city,country\nA-1,Mohalla Islamabad,Quetta,PAK\n",
		"online-accounts.csv":      "key,platform,handle\nOA-1,WhatsApp,+923001112223\n",
		"sources.csv":              "key,title,category,originator,reliability,credibility\nS-1,Interrogation report,REPORT,FIA,B,PROBABLY_TRUE\n",
		"cooperation_requests.csv": "key,reference,category,requestingCountry,requestedCountry,status\nCR-1,MLA/2024/3,MUTUAL_LEGAL_ASSISTANCE,PAK,IRN,SENT\n",
	})
	rep := run(t, ctx, st, paths, options(clock1))
	if len(rep.Rejected) != 0 || rep.Created != 30 {
		t.Fatalf("report = %+v\n%s", rep, lines(rep.Rejected))
	}
	g := readGraph(t, ctx, st)
	for _, kind := range sarhad.EntityKinds() {
		want := 1
		if kind == sarhad.KindSource {
			want = 16 // sources.csv's row and one Source per file
		}
		if got := g.count(kind); got != want {
			t.Errorf("%d %s entities, want %d", got, kind, want)
		}
	}
	place := g.entity(t, id(sarhad.KindPlace, "PL-1")).(*sarhad.Place)
	if place.Location == nil || place.Location.Lat != 28.9626 || !place.Approximate {
		t.Errorf("place = %+v", place)
	}
	route := g.entity(t, id(sarhad.KindRoute, "R-1")).(*sarhad.Route)
	if route.Fee == nil || *route.Fee != (sarhad.Money{Amount: 4000, Currency: "USD"}) {
		t.Errorf("route fee = %+v", route.Fee)
	}
	doc := g.entity(t, id(sarhad.KindIdentityDocument, "D-1")).(*sarhad.IdentityDocument)
	if doc.Authenticity != sarhad.AuthenticityForged || doc.Number != "35202-1234567-1" || doc.IssuingCountry != "PAK" {
		t.Errorf("document = %+v", doc)
	}
	if c := g.entity(t, sarhad.CountryID("PAK")).(*sarhad.Country); c.Handling.TLP != sarhad.TLPClear || c.Numeric != "586" {
		t.Errorf("country = %+v", c)
	}
	if o := g.entity(t, id(sarhad.KindOrganization, "O-1")).(*sarhad.Organization); o.Category != sarhad.OrgFrontCompany {
		t.Errorf("organisation category = %q", o.Category)
	}
}
