package sarhad_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
)

func TestTransliterationVariantsShareAKey(t *testing.T) {
	families := [][]string{
		{"Muhammad", "Mohammad", "Mohammed", "Muhammed"},
		{"Hussain", "Husain", "Hussein"},
		{"Chaudhry", "Choudhry", "Chaudhary"},
		{"Rehman", "Rahman"},
		{"Yousaf", "Yusuf"},
	}
	for _, f := range families {
		want := sarhad.TransliterationKey(sarhad.NameTokens(f[0])[0])
		for _, v := range f[1:] {
			if got := sarhad.TransliterationKey(sarhad.NameTokens(v)[0]); got != want {
				t.Errorf("%s → %s, %s → %s", f[0], want, v, got)
			}
		}
	}
	for _, pair := range [][2]string{{"Bilal", "Iqbal"}, {"Ahmed", "Hamid"}, {"Imran", "Kamran"}} {
		if sarhad.TransliterationKey(sarhad.NameTokens(pair[0])[0]) == sarhad.TransliterationKey(sarhad.NameTokens(pair[1])[0]) {
			t.Errorf("%s and %s should not share a key", pair[0], pair[1])
		}
	}
}

// Each closer search's groups are within the next one's, word by word, so that what a closer
// search matches the wider one matches too; and the exact search matches the entity's own names.
func TestCloserQueryTermsNarrowQueryTerms(t *testing.T) {
	for _, text := range []string{"Mohammed Iqbal Zafar", "Ch. Hüssain", "Ali", "Abdul Rehman Qureshi Baloch Khan Awan Shah Butt Malik"} {
		closer := sarhad.CloserQueryTerms(text)
		tiers := [][][]string{closer[0], closer[1], sarhad.QueryTerms(text)}
		for i := range 2 {
			if len(tiers[i]) != len(tiers[2]) {
				t.Fatalf("%q: tier %d has %d groups, QueryTerms %d", text, i, len(tiers[i]), len(tiers[2]))
			}
			for g := range tiers[i] {
				for _, term := range tiers[i][g] {
					if !slices.Contains(tiers[i+1][g], term) {
						t.Errorf("%q: term %q of tier %d, group %d, is not in the next tier's %v", text, term, i, g, tiers[i+1][g])
					}
				}
			}
		}
		indexed := sarhad.SearchTerms([]string{text})
		for g, group := range closer[0] {
			if !slices.ContainsFunc(group, func(term string) bool { return slices.Contains(indexed, term) }) {
				t.Errorf("%q: the exact group %d %v does not match the name itself", text, g, group)
			}
		}
	}
}

func TestNameTokensFoldCaseAndDiacritics(t *testing.T) {
	got := sarhad.NameTokens("  MUHAMMAD  Hüssaín-Çhaudhry ")
	want := []string{"muhammad", "hussain", "chaudhry"}
	if len(got) != len(want) {
		t.Fatalf("%q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("token %d: %q, want %q", i, got[i], want[i])
		}
	}
}

func TestIDs(t *testing.T) {
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	a, err := sarhad.NewID(sarhad.KindCase, now, bytes.NewReader(bytes.Repeat([]byte{7}, 64)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := sarhad.NewID(sarhad.KindCase, now.Add(time.Millisecond), bytes.NewReader(bytes.Repeat([]byte{1}, 64)))
	if a >= b {
		t.Errorf("ids should sort by creation time: %s >= %s", a, b)
	}
	if k, err := sarhad.KindOfID(a); err != nil || k != sarhad.KindCase {
		t.Errorf("KindOfID(%s) = %s, %v", a, k, err)
	}
	if sarhad.StableID(sarhad.KindPerson, "x") != sarhad.StableID(sarhad.KindPerson, "x") || sarhad.StableID(sarhad.KindPerson, "x") == sarhad.StableID(sarhad.KindPerson, "y") {
		t.Errorf("StableID is not a function of its key")
	}
	r, _ := sarhad.NewID("", now, bytes.NewReader(bytes.Repeat([]byte{3}, 64)))
	if !sarhad.ValidRelationshipID(r) || sarhad.ValidRelationshipID(a) {
		t.Errorf("relationship ids: %s valid=%v, %s valid=%v", r, sarhad.ValidRelationshipID(r), a, sarhad.ValidRelationshipID(a))
	}
	for _, bad := range []string{"", "per_", "xyz_00000000000000000000000000", "per_0000000000000000000000000!", "per_000000000000000000000000000"} {
		if _, err := sarhad.KindOfID(bad); sarhad.ErrorCode(err) != sarhad.EINVALID {
			t.Errorf("KindOfID(%q) accepted", bad)
		}
	}
}

func TestCountryCodes(t *testing.T) {
	for in, want := range map[string]string{"pk": "PAK", "PAK": "PAK", "ir": "IRN", " grc ": "GRC"} {
		if got, err := sarhad.CountryCode("f", in); err != nil || got != want {
			t.Errorf("CountryCode(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := sarhad.CountryCode("input.x", "XX"); sarhad.ErrorField(err) != "input.x" || sarhad.ErrorCode(err) != sarhad.EINVALID {
		t.Errorf("unknown code: %v", err)
	}
	if n := len(sarhad.ISOCountries()); n != 249 {
		t.Errorf("%d ISO countries", n)
	}
}

func TestPhoneNumbersBecomeE164(t *testing.T) {
	for in, want := range map[string]string{"0300 1234567": "+923001234567", "+92 300 1234567": "+923001234567", "00923001234567": "+923001234567"} {
		if got, err := sarhad.NormalizePhone(in, "PAK"); err != nil || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := sarhad.NormalizePhone("call me", "PAK"); err == nil {
		t.Errorf("accepted a non-number")
	}
}

// BenchmarkNameScore scores the names of a person against a search of three words, as a search
// does for each match it ranks.
func BenchmarkNameScore(b *testing.B) {
	names := []string{"Muhammad Imran Chaudhry", "Imran Chaudhry", "Haji Sahib"}
	for b.Loop() {
		sarhad.NameScore("Mohammed Imran Choudhry", names)
	}
}

// BenchmarkSearchTerms makes the search terms of a person's names, as every write of a person does.
func BenchmarkSearchTerms(b *testing.B) {
	names := []string{"Muhammad Imran Chaudhry", "Imran Chaudhry", "Haji Sahib"}
	for b.Loop() {
		sarhad.SearchTerms(names)
	}
}
