package sarhad_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sarhad/sarhad"
)

// febrlProfiles reads testdata/febrl-dataset1.csv (see testdata/README.md) into person profiles, and
// returns for each id the person number N of its rec_id (rec-N-org, rec-N-dup-K).
func febrlProfiles(t testing.TB) ([]sarhad.DuplicateProfile, map[string]string) {
	t.Helper()
	f, err := os.Open("testdata/febrl-dataset1.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.TrimLeadingSpace = true
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.TrimSpace(h)] = i
	}
	truth := map[string]string{}
	var profiles []sarhad.DuplicateProfile
	for _, row := range rows[1:] {
		get := func(name string) string { return strings.TrimSpace(row[col[name]]) }
		recID := get("rec_id")
		p := &sarhad.Person{Name: strings.TrimSpace(get("given_name") + " " + get("surname")), Gender: sarhad.GenderUnknown}
		p.ID, p.Kind = sarhad.StableID(sarhad.KindPerson, recID), sarhad.KindPerson
		if dob := get("date_of_birth"); len(dob) == 8 {
			if d, err := sarhad.ParseDate(dob[:4] + "-" + dob[4:6] + "-" + dob[6:]); err == nil {
				p.BirthDate = d
			}
		}
		// The street line, then the locality as Australians write it: suburb, state, postcode.
		line := strings.Join(nonEmptyStrings(strings.TrimSpace(get("street_number")+" "+get("address_1")), get("address_2")), ", ")
		addr := &sarhad.Address{Line: line, City: strings.Join(nonEmptyStrings(get("suburb"), get("state"), get("postcode")), " "), Country: "AUS"}
		doc := &sarhad.IdentityDocument{DocumentType: sarhad.DocumentNationalID, Number: get("soc_sec_id"), IssuingCountry: "AUS"}
		profiles = append(profiles, sarhad.NewDuplicateProfile(p, addr, doc))
		truth[p.ID] = strings.Split(recID, "-")[1]
	}
	return profiles, truth
}

func nonEmptyStrings(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func TestFebrlDuplicatesPrecisionAndRecall(t *testing.T) {
	profiles, truth := febrlProfiles(t)
	if len(profiles) != 1000 {
		t.Fatalf("read %d records, want 1000", len(profiles))
	}
	found, err := sarhad.FindDuplicates(context.Background(), profiles, sarhad.DefaultDuplicateScore)
	if err != nil {
		t.Fatal(err)
	}
	perPerson := map[string]int{}
	for _, n := range truth {
		perPerson[n]++
	}
	truePairs := 0
	for _, k := range perPerson {
		truePairs += k * (k - 1) / 2
	}
	tp := 0
	for _, c := range found {
		if truth[c.A] == truth[c.B] {
			tp++
		} else {
			t.Logf("false positive: score %.4f %v", c.Score, c.Reasons)
		}
	}
	// Log the true pairs missed, with what they scored, to see what the model cannot tell.
	all, err := sarhad.FindDuplicates(context.Background(), profiles, 0)
	if err != nil {
		t.Fatal(err)
	}
	compared := map[[2]string]*sarhad.DuplicateCandidate{}
	for _, c := range all {
		compared[[2]string{c.A, c.B}] = c
	}
	byPerson := map[string][]string{}
	for id, n := range truth {
		byPerson[n] = append(byPerson[n], id)
	}
	for _, n := range slices.Sorted(maps.Keys(byPerson)) {
		ids := byPerson[n]
		if len(ids) != 2 {
			continue
		}
		a, b := min(ids[0], ids[1]), max(ids[0], ids[1])
		if c := compared[[2]string{a, b}]; c == nil {
			t.Logf("missed person %s: never compared", n)
		} else if c.Score < sarhad.DefaultDuplicateScore {
			t.Logf("missed person %s: score %.4f %+v", n, c.Score, c.Reasons)
		}
	}
	highest := 0.0
	for _, c := range all {
		if truth[c.A] != truth[c.B] {
			highest = max(highest, c.Score)
		}
	}
	t.Logf("%d pairs compared; the highest score of a pair of different persons is %.4f", len(all), highest)
	precision := float64(tp) / float64(max(1, len(found)))
	recall := float64(tp) / float64(truePairs)
	t.Logf("FEBRL dataset 1 at score %.2f: %d pairs found, %d true positives of %d true pairs: precision %.4f, recall %.4f",
		sarhad.DefaultDuplicateScore, len(found), tp, truePairs, precision, recall)
	if precision < 0.95 || recall < 0.90 {
		t.Errorf("precision %.4f (want >= 0.95), recall %.4f (want >= 0.90)", precision, recall)
	}
}

func person(key, name, father, birth string, nationalities ...string) *sarhad.Person {
	p := &sarhad.Person{Name: name, FatherName: father, BirthDate: sarhad.Date(birth), Gender: sarhad.GenderMale,
		Nationalities: nationalities}
	p.ID, p.Kind = sarhad.StableID(sarhad.KindPerson, key), sarhad.KindPerson
	return p
}

func findPair(cands []*sarhad.DuplicateCandidate, a, b string) *sarhad.DuplicateCandidate {
	for _, c := range cands {
		if (c.A == a && c.B == b) || (c.A == b && c.B == a) {
			return c
		}
	}
	return nil
}

// show formats candidates for failure messages.
func show(cands []*sarhad.DuplicateCandidate) string {
	var b strings.Builder
	for _, c := range cands {
		fmt.Fprintf(&b, "\n  %s %s~%s score %.4f weight %.2f %+v", c.Kind, c.A, c.B, c.Score, c.Weight, c.Reasons)
	}
	return b.String()
}

func reason(c *sarhad.DuplicateCandidate, code sarhad.DuplicateReasonCode) *sarhad.DuplicateReason {
	for i := range c.Reasons {
		if c.Reasons[i].Code == code {
			return &c.Reasons[i]
		}
	}
	return nil
}

// assertNoNamesInDetails checks that no reason detail quotes a name part, a date or a number.
func assertNoNamesInDetails(t *testing.T, cands []*sarhad.DuplicateCandidate, profiles []sarhad.DuplicateProfile) {
	t.Helper()
	digits := regexp.MustCompile(`[0-9]{3,}`)
	names := map[string]bool{}
	for _, p := range profiles {
		for _, n := range p.Entity.SearchNames() {
			for _, tok := range sarhad.NameTokens(n) {
				names[tok] = true
			}
		}
		if per, ok := p.Entity.(*sarhad.Person); ok {
			for _, tok := range sarhad.NameTokens(per.FatherName) {
				names[tok] = true
			}
		}
	}
	for _, c := range cands {
		for _, r := range c.Reasons {
			if digits.MatchString(r.Detail) {
				t.Errorf("detail %q quotes a number", r.Detail)
			}
			for _, word := range sarhad.NameTokens(r.Detail) {
				if names[word] {
					t.Errorf("detail %q quotes the name part %q", r.Detail, word)
				}
			}
		}
	}
}

func TestDuplicatesOfTransliteratedSouthAsianNames(t *testing.T) {
	ctx := context.Background()
	people := []*sarhad.Person{
		person("hussain-1", "Muhammad Hussain Chaudhry", "Ghulam Rasool", "1985-03-12", "PAK"),
		person("hussain-2", "Mohammed Husain Choudhry", "Gulam Rasool", "1985-12-03", "PAK"),
		person("aslam-1", "Chaudhry Muhammad Aslam", "", "1979-06-01", "PAK"),
		person("aslam-2", "Muhammad Aslam Chaudhary", "", "1979-06-01"),
		person("ali-1", "Muhammad Ali", "Abdul Rehman", "1990-01-01", "PAK"),
		person("ali-2", "Muhammad Ali", "Ghulam Nabi", "1984-07-15", "PAK"),
		person("ali-3", "Mohammad Ali", "", "", "PAK"),
		person("rehman-1", "Abdul Rehman Khattak", "Sher Zaman", "", "PAK"),
		person("rehman-2", "Abdulrehman Khatak", "Sher Zaman Khan", "", "PAK"),
		person("zafar-1", "Zafar Iqbal", "Muhammad Iqbal", "1975-02-20", "PAK"),
		person("zafar-2", "Zafar Iqbal", "", "1975", "AFG"), // an invalid date is ignored
	}
	profiles := make([]sarhad.DuplicateProfile, len(people))
	for i, p := range people {
		profiles[i] = sarhad.NewDuplicateProfile(p)
	}
	found, err := sarhad.FindDuplicates(ctx, profiles, sarhad.DefaultDuplicateScore)
	if err != nil {
		t.Fatal(err)
	}
	all, err := sarhad.FindDuplicates(ctx, profiles, 0)
	if err != nil {
		t.Fatal(err)
	}
	id := func(key string) string { return sarhad.StableID(sarhad.KindPerson, key) }
	tests := []struct {
		a, b      string
		duplicate bool
		reasons   map[sarhad.DuplicateReasonCode]string // code → a phrase its detail contains
	}{
		{"hussain-1", "hussain-2", true, map[sarhad.DuplicateReasonCode]string{
			sarhad.DuplicateReasonName:       "3 as transliteration variants",
			sarhad.DuplicateReasonFatherName: "1 with a typo",
			sarhad.DuplicateReasonBirthDate:  "day and month swapped",
		}},
		{"aslam-1", "aslam-2", true, map[sarhad.DuplicateReasonCode]string{
			sarhad.DuplicateReasonName:      "word order differs",
			sarhad.DuplicateReasonBirthDate: "same birth date",
		}},
		{"rehman-1", "rehman-2", true, map[sarhad.DuplicateReasonCode]string{
			sarhad.DuplicateReasonName:       "2 name parts agree: 1 exactly, 1 as a transliteration variant",
			sarhad.DuplicateReasonFatherName: "1 in one record only",
		}},
		// The same common name with a different father and birth date: two men.
		{"ali-1", "ali-2", false, map[sarhad.DuplicateReasonCode]string{
			sarhad.DuplicateReasonName:       "2 exactly",
			sarhad.DuplicateReasonFatherName: "names differ",
			sarhad.DuplicateReasonBirthDate:  "different birth dates",
		}},
		// A name and a nationality alone never reach the default score.
		{"ali-1", "ali-3", false, map[sarhad.DuplicateReasonCode]string{
			sarhad.DuplicateReasonName:        "1 as a transliteration variant",
			sarhad.DuplicateReasonNationality: "a nationality in common",
		}},
		{"zafar-1", "zafar-2", false, map[sarhad.DuplicateReasonCode]string{
			sarhad.DuplicateReasonNationality: "no nationality in common",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.a+"~"+tt.b, func(t *testing.T) {
			c := findPair(all, id(tt.a), id(tt.b))
			if c == nil {
				t.Fatalf("pair was not compared")
			}
			if got := findPair(found, id(tt.a), id(tt.b)) != nil; got != tt.duplicate {
				t.Errorf("duplicate = %v, want %v (score %.4f, reasons %+v)", got, tt.duplicate, c.Score, c.Reasons)
			}
			if c.A >= c.B {
				t.Errorf("A %s >= B %s", c.A, c.B)
			}
			sum := 0.0
			for _, r := range c.Reasons {
				sum += r.Weight
			}
			if d := sum - c.Weight; d > 0.05 || d < -0.05 {
				t.Errorf("weight %.2f is not the sum of the reasons' %.2f", c.Weight, sum)
			}
			for code, phrase := range tt.reasons {
				r := reason(c, code)
				if r == nil || !strings.Contains(r.Detail, phrase) {
					t.Errorf("reason %s = %+v, want a detail with %q", code, r, phrase)
				}
			}
		})
	}
	if c := findPair(all, id("zafar-1"), id("zafar-2")); c != nil && reason(c, sarhad.DuplicateReasonBirthDate) != nil {
		t.Errorf("an invalid birth date was compared: %+v", c.Reasons)
	}
	for _, c := range found {
		if c.Score < sarhad.DefaultDuplicateScore || c.Score > 1 {
			t.Errorf("score %v out of range", c.Score)
		}
	}
	assertNoNamesInDetails(t, all, profiles)
}

func TestDuplicatesSharedPhoneInDifferentFormatsRaisesTheScore(t *testing.T) {
	ctx := context.Background()
	a := person("tariq-1", "Tariq Mehmood", "", "", "PAK")
	b := person("tariq-2", "Tariq Mahmood", "", "", "PAK")
	without, err := sarhad.FindDuplicates(ctx, []sarhad.DuplicateProfile{sarhad.NewDuplicateProfile(a), sarhad.NewDuplicateProfile(b)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(without) != 1 || without[0].Score >= sarhad.DefaultDuplicateScore {
		t.Fatalf("a name alone should not make a duplicate: %s", show(without))
	}
	// A national number, the international form, and a number dialled from abroad: one E.164 number.
	phones := []*sarhad.Phone{{Number: "0300 1234567"}, {Number: "+92 300 123 4567"}, {Number: "00923001234567", Country: "ARE"}}
	for i := range phones {
		for j := range phones {
			if i == j {
				continue
			}
			with, err := sarhad.FindDuplicates(ctx, []sarhad.DuplicateProfile{
				sarhad.NewDuplicateProfile(a, phones[i]), sarhad.NewDuplicateProfile(b, phones[j])}, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(with) != 1 || with[0].Score < sarhad.DefaultDuplicateScore || with[0].Score <= without[0].Score {
				t.Fatalf("%q and %q: %s\nwant a score above %.4f and the default", phones[i].Number, phones[j].Number, show(with), without[0].Score)
			}
			if r := reason(with[0], sarhad.DuplicateReasonSharedIdentifier); r == nil || r.Detail != "same phone" || r.Weight <= 0 {
				t.Errorf("reason %+v, want a shared phone", r)
			}
		}
	}
	// Different phones weigh a little against.
	other := &sarhad.Phone{Number: "+923331112222"}
	diff, err := sarhad.FindDuplicates(ctx, []sarhad.DuplicateProfile{
		sarhad.NewDuplicateProfile(a, phones[0]), sarhad.NewDuplicateProfile(b, other)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r := reason(diff[0], sarhad.DuplicateReasonDifferentIdentifier); r == nil || r.Weight >= 0 || diff[0].Score >= without[0].Score {
		t.Errorf("different phones: %s", show(diff))
	}
}

func TestDuplicatesOfDocumentsAddressesAndIdentifierRecords(t *testing.T) {
	ctx := context.Background()
	cnic := func(n string) *sarhad.IdentityDocument {
		return &sarhad.IdentityDocument{DocumentType: sarhad.DocumentCNIC, Number: n, IssuingCountry: "PAK"}
	}
	a := person("doc-1", "Gul Khan", "", "")
	b := person("doc-2", "Gul Muhammad Khan", "", "")
	c := person("doc-3", "Noor Ahmad", "", "")
	d := person("doc-4", "Rahim Dad", "Khan Dad", "1970-01-01")
	e := person("doc-5", "Rahim Dad", "Khan Dad", "")
	profiles := []sarhad.DuplicateProfile{
		sarhad.NewDuplicateProfile(a, cnic("35202-1234567-1")),
		sarhad.NewDuplicateProfile(b, cnic("3520212345671")),
		sarhad.NewDuplicateProfile(c, cnic("35202 1234567 1")),
		sarhad.NewDuplicateProfile(d, cnic("61101-1111111-5"), &sarhad.Address{Line: "House 12, Street 4, G-9/2", City: "Islamabad", Country: "PAK"}),
		sarhad.NewDuplicateProfile(e, cnic("61101-1111117-5"), &sarhad.Address{Line: "House 12 Street 4 G-9/2", City: "Islamabad", Country: "PAK"}),
	}
	got, err := sarhad.FindDuplicates(ctx, profiles, sarhad.DefaultDuplicateScore)
	if err != nil {
		t.Fatal(err)
	}
	// The same CNIC, written with and without dashes, under a name with a part omitted.
	if p := findPair(got, a.ID, b.ID); p == nil || reason(p, sarhad.DuplicateReasonSharedIdentifier).Detail != "same identity document" {
		t.Errorf("a shared CNIC: %s", show(got))
	}
	if p := findPair(got, d.ID, e.ID); p == nil || reason(p, sarhad.DuplicateReasonSimilarIdentifier) == nil ||
		reason(p, sarhad.DuplicateReasonSharedIdentifier) == nil {
		t.Errorf("a CNIC one digit apart and the same address: %s", show(got))
	}
	// The same CNIC under an unrelated name is a shared (perhaps forged) document, not a duplicate.
	if len(got) != 2 {
		t.Errorf("%d candidates, want 2: %s", len(got), show(got))
	}
	all, err := sarhad.FindDuplicates(ctx, profiles, 0)
	if err != nil {
		t.Fatal(err)
	}
	if p := findPair(all, a.ID, c.ID); p == nil || reason(p, sarhad.DuplicateReasonSharedIdentifier) == nil ||
		reason(p, sarhad.DuplicateReasonName).Detail != "names differ" {
		t.Errorf("an unrelated name on the same CNIC: %s", show(all))
	}

	// Identifier records: the same phone recorded twice is a certain duplicate; documents one typo
	// apart are probable ones.
	ph1 := &sarhad.Phone{Number: "+923001234567"}
	ph1.ID = "phn_1"
	ph2 := &sarhad.Phone{Number: "0300-1234567"}
	ph2.ID = "phn_2"
	ph3 := &sarhad.Phone{Number: "+923001234568"}
	ph3.ID = "phn_3"
	d1, d2 := cnic("35202-1234567-1"), cnic("35202-1234576-1")
	d1.ID, d2.ID = "doc_1", "doc_2"
	got, err = sarhad.FindDuplicates(ctx, []sarhad.DuplicateProfile{
		sarhad.NewDuplicateProfile(ph1), sarhad.NewDuplicateProfile(ph2), sarhad.NewDuplicateProfile(ph3),
		sarhad.NewDuplicateProfile(d1), sarhad.NewDuplicateProfile(d2),
	}, sarhad.DefaultDuplicateScore)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].A != "phn_1" || got[0].B != "phn_2" || got[0].Score != 1 ||
		got[0].Kind != sarhad.KindPhone || got[1].A != "doc_1" || got[1].Reasons[0].Code != sarhad.DuplicateReasonSimilarValue {
		t.Errorf("identifier records: %s", show(got))
	}
}

func TestDuplicatesOfOrganizations(t *testing.T) {
	org := func(key, name, country string, aliases ...string) *sarhad.Organization {
		o := &sarhad.Organization{Name: name, Country: country, Aliases: aliases, Category: sarhad.OrgTravelAgency}
		o.ID, o.Kind = sarhad.StableID(sarhad.KindOrganization, key), sarhad.KindOrganization
		return o
	}
	a := org("madina-1", "Al-Madina Travels (Pvt) Ltd", "PAK")
	b := org("madina-2", "Al Medina Travel Agency", "PAK")
	c := org("noor", "Al Noor Travels", "PAK")
	d := org("zamzam", "Zam Zam Overseas", "IRN", "Al Madina Tours")
	e := org("karakoram-1", "Karakoram Pioneer Overseas Employment Promoters", "PAK")
	f := org("karakoram-2", "Karakorum Pioneer Overseas", "PAK")
	phone := &sarhad.Phone{Number: "+92 42 35761234"}
	got, err := sarhad.FindDuplicates(context.Background(), []sarhad.DuplicateProfile{
		sarhad.NewDuplicateProfile(a, phone), sarhad.NewDuplicateProfile(b, &sarhad.Phone{Number: "042-35761234"}),
		sarhad.NewDuplicateProfile(c, phone), sarhad.NewDuplicateProfile(d), sarhad.NewDuplicateProfile(e), sarhad.NewDuplicateProfile(f),
	}, sarhad.DefaultDuplicateScore)
	if err != nil {
		t.Fatal(err)
	}
	// "Al Madina Travels" is a name many agencies share: it takes the phone as well. Two distinctive
	// name parts and the same country suffice. A shared phone with a different name does not.
	if len(got) != 2 || findPair(got, a.ID, b.ID) == nil || findPair(got, e.ID, f.ID) == nil {
		t.Errorf("organisations: %s\nwant the Al-Madina agencies with one phone and the Karakoram agencies", show(got))
	}
}

func TestRedactedPersonsAreNotMatchedOnPseudonyms(t *testing.T) {
	ctx := context.Background()
	victim := func(key string) *sarhad.Person {
		p := person(key, "Ayesha Bibi", "Noor Muhammad", "2004-05-05", "PAK")
		p.Gender = sarhad.GenderFemale
		p.Victim = &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult}
		return p
	}
	v1, v2 := victim("victim-1"), victim("victim-2")
	clear, err := sarhad.FindDuplicates(ctx, []sarhad.DuplicateProfile{sarhad.NewDuplicateProfile(v1), sarhad.NewDuplicateProfile(v2)}, sarhad.DefaultDuplicateScore)
	if err != nil || len(clear) != 1 {
		t.Fatalf("viewer who may see the victims: %+v, %v, want one candidate", clear, err)
	}
	v1.Redact()
	v2.Redact()
	// Even two pseudonyms that happen to read alike (and a suspect named like the pseudonym) meet
	// on nothing.
	v2.Name = v1.Name
	suspect := person("suspect", v1.Name, "", "")
	profiles := []sarhad.DuplicateProfile{sarhad.NewDuplicateProfile(v1), sarhad.NewDuplicateProfile(v2), sarhad.NewDuplicateProfile(suspect)}
	got, err := sarhad.FindDuplicates(ctx, profiles, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range got {
		if reason(c, sarhad.DuplicateReasonName) != nil || reason(c, sarhad.DuplicateReasonFatherName) != nil || c.Score >= sarhad.DefaultDuplicateScore {
			t.Errorf("redacted records compared on names: %s", show([]*sarhad.DuplicateCandidate{c}))
		}
	}
	// A redacted record still meets another on a shared identifier the viewer may see.
	phone := &sarhad.Phone{Number: "+923001234567"}
	v3 := person("victim-3", "", "", "")
	v3.Redacted, v3.Name = true, sarhad.Pseudonym(v3.ID)
	got, err = sarhad.FindDuplicates(ctx, []sarhad.DuplicateProfile{sarhad.NewDuplicateProfile(v1, phone), sarhad.NewDuplicateProfile(v3, phone)}, 0)
	if err != nil || len(got) != 1 || reason(got[0], sarhad.DuplicateReasonSharedIdentifier) == nil || reason(got[0], sarhad.DuplicateReasonName) != nil {
		t.Errorf("redacted records with a shared phone: %s, %v", show(got), err)
	}
	assertNoNamesInDetails(t, clear, []sarhad.DuplicateProfile{sarhad.NewDuplicateProfile(victim("victim-1"))})
}

func TestDuplicatesAreDeterministic(t *testing.T) {
	profiles, _ := febrlProfiles(t)
	ctx := context.Background()
	want, err := sarhad.FindDuplicates(ctx, profiles, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(want); i++ {
		p, c := want[i-1], want[i]
		if p.Score < c.Score || (p.Score == c.Score && (p.A > c.A || (p.A == c.A && p.B >= c.B))) {
			t.Fatalf("not sorted at %d: %+v then %+v", i, p, c)
		}
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 3 {
		shuffled := append([]sarhad.DuplicateProfile(nil), profiles...)
		rnd.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		got, err := sarhad.FindDuplicates(ctx, shuffled, 0.1)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("the answer depends on the order of the profiles")
		}
	}
}

func TestFindDuplicatesRejectsBadInputAndStopsWhenCancelled(t *testing.T) {
	a := person("x", "Muhammad Ali", "", "")
	for _, tt := range []struct {
		profiles []sarhad.DuplicateProfile
		minScore float64
	}{
		{[]sarhad.DuplicateProfile{sarhad.NewDuplicateProfile(a)}, 1.5},
		{[]sarhad.DuplicateProfile{sarhad.NewDuplicateProfile(a)}, -0.1},
		{[]sarhad.DuplicateProfile{{}}, 0.5},
		{[]sarhad.DuplicateProfile{sarhad.NewDuplicateProfile(a), sarhad.NewDuplicateProfile(a)}, 0.5},
	} {
		if _, err := sarhad.FindDuplicates(context.Background(), tt.profiles, tt.minScore); sarhad.ErrorCode(err) != sarhad.EINVALID {
			t.Errorf("%+v, %v: error %v, want BAD_USER_INPUT", tt.profiles, tt.minScore, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	profiles := syntheticProfiles(5000, 1)
	if _, err := sarhad.FindDuplicates(ctx, profiles, 0.5); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// syntheticProfiles returns n persons with Pakistani names, fathers' names, birth dates, phones and
// CNICs, a tenth of them recorded a second time with transliteration variants, swapped word order,
// day and month swapped, two CNIC digits transposed and missing values.
func syntheticProfiles(n int, seed uint64) []sarhad.DuplicateProfile {
	profiles, _ := syntheticProfilesWithTruth(n, seed)
	return profiles
}

// syntheticProfilesWithTruth returns the profiles of syntheticProfiles and the person number of
// each id.
func syntheticProfilesWithTruth(n int, seed uint64) ([]sarhad.DuplicateProfile, map[string]int) {
	given := []string{"Muhammad", "Ahmed", "Ali", "Hassan", "Hussain", "Imran", "Kamran", "Bilal", "Usman", "Zafar",
		"Tariq", "Asif", "Nadeem", "Naveed", "Shahid", "Sajid", "Khalid", "Rashid", "Waseem", "Faisal", "Abdul", "Ghulam",
		"Aslam", "Akram", "Arshad", "Javed", "Pervez", "Riaz", "Rehman", "Saleem", "Shahzad", "Yasir", "Zahid", "Zubair",
		"Irfan", "Adnan", "Amir", "Junaid", "Noman", "Sohail", "Qasim", "Hamid", "Majid", "Sadiq", "Nasir", "Iqbal",
		"Jamil", "Latif", "Mushtaq", "Nawaz", "Rafiq", "Shafiq", "Tahir", "Wali", "Yousaf", "Zaman", "Gul", "Sher",
		"Noor", "Fazal", "Ayesha", "Fatima", "Bibi", "Sana", "Rabia", "Nazia", "Shazia", "Samina", "Parveen", "Zainab"}
	family := []string{"Khan", "Chaudhry", "Butt", "Malik", "Qureshi", "Sheikh", "Awan", "Rajput", "Jatt", "Arain",
		"Abbasi", "Gondal", "Warraich", "Bhatti", "Cheema", "Gill", "Khattak", "Yousafzai", "Afridi", "Durrani", "Baloch",
		"Mengal", "Bugti", "Rind", "Marri", "Shah", "Syed", "Naqvi", "Rizvi", "Jafri", "Siddiqui", "Farooqui",
		"Ansari", "Mughal", "Mirza", "Hashmi", "Kazmi", "Niazi", "Lodhi", "Tareen", "Achakzai", "Kakar", "Hazara",
		"Memon", "Soomro", "Bhutto", "Jatoi", "Leghari", "Mazari", "Dogar"}
	variants := map[string]string{"Muhammad": "Mohammed", "Hussain": "Husain", "Chaudhry": "Choudhry",
		"Ahmed": "Ahmad", "Yousaf": "Yusuf", "Rehman": "Rahman", "Usman": "Osman", "Qureshi": "Kureshi"}
	rnd := rand.New(rand.NewPCG(seed, 7))
	pick := func(ss []string) string { return ss[rnd.IntN(len(ss))] }
	var out []sarhad.DuplicateProfile
	truth := map[string]int{}
	for i := range n {
		name := pick(given) + " " + pick(given) + " " + pick(family)
		father := pick(given) + " " + pick(family)
		birth := fmt.Sprintf("%04d-%02d-%02d", 1950+rnd.IntN(55), 1+rnd.IntN(12), 1+rnd.IntN(28))
		phone := fmt.Sprintf("+9230%d%07d", rnd.IntN(10), rnd.IntN(10000000))
		cnic := fmt.Sprintf("%05d%07d%d", 10000+rnd.IntN(90000), rnd.IntN(10000000), rnd.IntN(10))
		add := func(key, name, father, birth, phone, cnic string) {
			p := &sarhad.Person{Name: name, FatherName: father, BirthDate: sarhad.Date(birth), Gender: sarhad.GenderMale,
				Nationalities: []string{"PAK"}}
			p.ID, p.Kind = sarhad.StableID(sarhad.KindPerson, key), sarhad.KindPerson
			var ids []sarhad.DuplicateIdentifier
			if phone != "" {
				ids = append(ids, sarhad.DuplicateIdentifier{Kind: sarhad.KindPhone, Value: phone})
			}
			if cnic != "" {
				ids = append(ids, sarhad.DuplicateIdentifier{Kind: sarhad.KindIdentityDocument, Value: "CNIC|PAK|" + cnic})
			}
			out = append(out, sarhad.DuplicateProfile{Entity: p, Identifiers: ids})
			truth[p.ID] = i
		}
		add(fmt.Sprint(i), name, father, birth, phone, cnic)
		if i%10 == 0 {
			toks := strings.Fields(name)
			for k, tok := range toks {
				if v, ok := variants[tok]; ok {
					toks[k] = v
				}
			}
			if rnd.IntN(2) == 0 {
				toks[0], toks[len(toks)-1] = toks[len(toks)-1], toks[0]
			}
			switch rnd.IntN(6) {
			case 0, 1:
				birth = ""
			case 2: // day and month swapped
				birth = birth[:5] + birth[8:] + "-" + birth[5:7]
			}
			if rnd.IntN(3) == 0 {
				father = ""
			}
			if rnd.IntN(2) == 0 {
				phone = ""
			}
			if rnd.IntN(2) == 0 {
				cnic = cnic[:5] + cnic[6:7] + cnic[5:6] + cnic[7:]
			}
			add(fmt.Sprint(i, "-dup"), strings.Join(toks, " "), father, birth, phone, cnic)
		}
	}
	return out, truth
}

// TestDuplicatesOfSyntheticPakistaniRecords measures duplicate detection where names are few and
// common (a few dozen given and family names) and duplicates differ by transliteration, word order,
// swapped day and month, two transposed CNIC digits, or a missing birth date, father's name or phone.
func TestDuplicatesOfSyntheticPakistaniRecords(t *testing.T) {
	profiles, truth := syntheticProfilesWithTruth(10000, 3)
	found, err := sarhad.FindDuplicates(context.Background(), profiles, sarhad.DefaultDuplicateScore)
	if err != nil {
		t.Fatal(err)
	}
	tp := 0
	for _, c := range found {
		if truth[c.A] == truth[c.B] {
			tp++
		} else {
			t.Logf("FP %s", show([]*sarhad.DuplicateCandidate{c}))
		}
	}
	truePairs := len(profiles) - 10000
	precision, recall := float64(tp)/float64(max(1, len(found))), float64(tp)/float64(truePairs)
	t.Logf("%d synthetic records: %d pairs found, %d true positives of %d true pairs: precision %.4f, recall %.4f",
		len(profiles), len(found), tp, truePairs, precision, recall)
	if precision < 0.95 || recall < 0.95 {
		t.Errorf("precision %.4f, recall %.4f, want both >= 0.95", precision, recall)
	}
}

func BenchmarkFindDuplicates(b *testing.B) {
	profiles := syntheticProfiles(100000, 42)
	ctx := context.Background()
	var found int
	for b.Loop() {
		cands, err := sarhad.FindDuplicates(ctx, profiles, sarhad.DefaultDuplicateScore)
		if err != nil {
			b.Fatal(err)
		}
		found = len(cands)
	}
	b.ReportMetric(float64(len(profiles)), "profiles")
	b.ReportMetric(float64(found), "candidates")
}
