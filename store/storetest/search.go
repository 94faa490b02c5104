package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
)

// searchNames are the people of the name-search fixture; "Hussain Travels" is an organisation.
var searchNames = []string{
	"Muhammad Hussain", "Mohammed Hussain", "Muhammad Hussaim", "Imran Chaudhry", "Ateeq Rehman",
	"Yousaf Khan", "Naveed Qureshi", "Javed Iqbal", "Hamid Raza", "Alia Begum",
}

const travelAgency = "Hussain Travels"

func testNameSearch(t *testing.T, h *harness) {
	s := h.store(t)
	var es []sarhad.Entity
	for _, name := range searchNames {
		es = append(es, person("search "+name, name, fia(sarhad.TLPClear)))
	}
	es = append(es, &sarhad.Organization{Meta: envelope(sarhad.KindOrganization, "search agency", fia(sarhad.TLPClear)),
		Name: travelAgency, Category: sarhad.OrgTravelAgency})
	load(t, s, es, nil)

	svc := &sarhad.Service{Store: s, Now: func() time.Time { return t0 }}
	ctx := as(t.Context(), fiaInvestigator())
	search := func(t *testing.T, text string, kinds ...sarhad.EntityKind) []sarhad.SearchHit {
		t.Helper()
		res, err := svc.Search(ctx, text, kinds, 100, 0)
		if err != nil {
			t.Fatalf("Search(%q): %v", text, err)
		}
		return res.Hits
	}
	names := func(hits []sarhad.SearchHit) []string {
		out := make([]string, len(hits))
		for i, h := range hits {
			out[i] = h.Entity.DisplayName()
		}
		return out
	}

	cases := []struct {
		name, text string
		find       []string
		miss       []string
	}{
		{"TransliterationBoth", "Mohammed Husain", []string{"Muhammad Hussain"}, nil},
		{"TransliterationVowel", "Chaudhary", []string{"Imran Chaudhry"}, nil},
		{"TransliterationInitial", "Choudhry", []string{"Imran Chaudhry"}, nil},
		{"TransliterationRahman", "Rahman", []string{"Ateeq Rehman"}, nil},
		{"TransliterationYusuf", "Yusuf", []string{"Yousaf Khan"}, nil},
		{"Diacritics", "Hüssain", []string{"Muhammad Hussain"}, nil},
		{"Case", "MUHAMMAD", []string{"Muhammad Hussain", "Muhammad Hussaim"}, nil},
		{"TypoMissingLetter", "Muhamad", []string{"Muhammad Hussain"}, nil},
		{"TypoSwapped", "Hussian", []string{"Muhammad Hussain"}, nil},
		{"TypoWrongLetter", "Qureshy", []string{"Naveed Qureshi"}, nil},
		{"EveryWordMustMatch", "Muhammad Khan", nil, []string{"Muhammad Hussain", "Yousaf Khan"}},
		{"BilalIsNotIqbal", "Bilal", nil, []string{"Javed Iqbal"}},
		{"AhmedIsNotHamid", "Ahmed", nil, []string{"Hamid Raza"}},
		{"RahimIsNotRehman", "Rahim", nil, []string{"Ateeq Rehman"}},
		{"JavedIsNotNaveed", "Javed", []string{"Javed Iqbal"}, []string{"Naveed Qureshi"}},
		{"ImranIsNotKamran", "Kamran", nil, []string{"Imran Chaudhry"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := names(search(t, tc.text))
			for _, n := range tc.find {
				if !slices.Contains(got, n) {
					t.Errorf("Search(%q) = %q, want it to find %q", tc.text, got, n)
				}
			}
			for _, n := range tc.miss {
				if slices.Contains(got, n) {
					t.Errorf("Search(%q) = %q, want it not to find %q", tc.text, got, n)
				}
			}
		})
	}

	t.Run("Kinds", func(t *testing.T) {
		if got := names(search(t, "Hussain", sarhad.KindOrganization)); !slices.Equal(got, []string{travelAgency}) {
			t.Errorf("organisations named Hussain = %q, want only %q", got, travelAgency)
		}
		persons := names(search(t, "Hussain", sarhad.KindPerson))
		if slices.Contains(persons, travelAgency) || !slices.Contains(persons, "Muhammad Hussain") {
			t.Errorf("persons named Hussain = %q", persons)
		}
		all := names(search(t, "Hussain"))
		if !slices.Contains(all, travelAgency) || !slices.Contains(all, "Muhammad Hussain") {
			t.Errorf("everything named Hussain = %q", all)
		}
		if got := names(search(t, "Hussain", sarhad.KindPlace, sarhad.KindCase)); len(got) != 0 {
			t.Errorf("places and cases named Hussain = %q, want none", got)
		}
	})

	t.Run("ExactAboveVariantAboveTypo", func(t *testing.T) {
		hits := search(t, "Muhammad Hussain", sarhad.KindPerson)
		var ranked []string
		var scores []float64
		for _, h := range hits {
			if n := h.Entity.DisplayName(); slices.Contains([]string{"Muhammad Hussain", "Mohammed Hussain", "Muhammad Hussaim"}, n) {
				ranked, scores = append(ranked, n), append(scores, h.Score)
			}
		}
		want := []string{"Muhammad Hussain", "Mohammed Hussain", "Muhammad Hussaim"}
		if !slices.Equal(ranked, want) {
			t.Fatalf("ranking = %q, want %q", ranked, want)
		}
		if !(scores[0] == 1 && scores[0] > scores[1] && scores[1] > scores[2]) {
			t.Errorf("scores = %v, want 1 for the exact match, then strictly lower", scores)
		}
		if hits[0].Entity.DisplayName() != "Muhammad Hussain" {
			t.Errorf("first hit %q, want the exact match", hits[0].Entity.DisplayName())
		}
	})
}
