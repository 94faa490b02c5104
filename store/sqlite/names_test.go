package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
)

// nameVariants are spellings of South Asian names that transliteration and typing vary, so that a
// search's terms meet each other's tokens through every kind of term: the token itself, its
// transliteration key, a letter missing, one too many and one substituted; and numbers.
var nameVariants = [][]string{
	{"Muhammad", "Mohammed", "Muhammed", "Mohammad", "Muhamad", "Muhammadi"},
	{"Kashif", "Kashiff", "Kasif", "Kashef"},
	{"Mughal", "Mugal", "Moghul", "Mughall"},
	{"Yusuf", "Yousaf", "Yousuf", "Usuf"},
	{"Rahman", "Rehman", "Rahmaan", "Rahmani"},
	{"Ali", "Aly", "Alli"},
	{"Khan", "Kahn", "Khaan"},
	{"Qureshi", "Kureshi", "Qureishi", "Quraishi"},
	{"Hussain", "Husain", "Hussein", "Hossain"},
	{"Notezai", "Notizai", "Notezay"},
	// Numbers and words of digits and letters: name_terms lists no token of digits alone.
	{"923001234567", "92300123456", "923001234568", "A923001234567", "AB1234567", "AB123456", "B1234567"},
	{"7B", "B7", "77", "7", "1B2", "12B"},
}

// TestNameTermsMatchLikeTheIndex checks that a search through name_terms (MatchNames, CountNames)
// finds exactly the entities the name index finds for the search's own terms, over persons named
// with variants of each other, before and after their names change, and after an upgrade from a store indexed before name_terms (migration 0006 fills it).
func TestNameTermsMatchLikeTheIndex(t *testing.T) {
	ctx := sarhad.NewContext(t.Context(), sarhad.SystemViewer())
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	rng := rand.New(rand.NewPCG(7, 7))
	name := func() string {
		words := make([]string, 2+rng.IntN(2))
		for i := range words {
			v := nameVariants[rng.IntN(len(nameVariants))]
			words[i] = v[rng.IntN(len(v))]
		}
		return strings.Join(words, " ")
	}
	h := sarhad.Handling{OriginatorOrg: "FIA", OriginatorCountry: "PAK", TLP: sarhad.TLPClear}
	now := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	persons := make([]sarhad.Entity, 300)
	for i := range persons {
		key := fmt.Sprint("N-", i)
		persons[i] = &sarhad.Person{Meta: sarhad.Meta{ID: sarhad.StableID(sarhad.KindPerson, key), Kind: sarhad.KindPerson,
			CreatedAt: now, CreatedBy: "test", UpdatedAt: now, UpdatedBy: "test", Handling: h, SourceKey: key},
			Name: name(), Aliases: []string{name()}, Gender: sarhad.GenderMale}
	}
	apply := func(cs *sarhad.ChangeSet) {
		t.Helper()
		if _, err := s.Apply(ctx, cs); err != nil {
			t.Fatal(err)
		}
	}
	var queries []string
	for _, v := range nameVariants {
		queries = append(queries, v...)
	}
	for range 40 {
		queries = append(queries, name())
	}
	check := func(stage string) {
		t.Helper()
		checked := 0
		for _, text := range queries {
			groups := sarhad.QueryTerms(text)
			want := indexMatches(t, s, groups)
			found, err := s.MatchNames(ctx, sarhad.NameQuery{Groups: groups, Limit: len(persons)})
			if err != nil {
				t.Fatal(err)
			}
			got := make([]string, len(found))
			for i, e := range found {
				got[i] = e.EntityMeta().ID
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: MatchNames(%q) found %d entities, the index %d", stage, text, len(got), len(want))
			}
			if n, err := s.CountNames(ctx, sarhad.NameQuery{Groups: groups}); err != nil || n != len(want) {
				t.Errorf("%s: CountNames(%q) = %d, %v; the index finds %d", stage, text, n, err, len(want))
			}
			if len(want) > 0 {
				checked++
			}
		}
		if checked < len(queries)/2 {
			t.Fatalf("%s: only %d of %d searches match anything: the test checks too little", stage, checked, len(queries))
		}
	}

	apply(&sarhad.ChangeSet{Put: persons})
	check("created")
	for _, p := range persons[:100] {
		p.(*sarhad.Person).Name = name()
	}
	apply(&sarhad.ChangeSet{Put: persons[:100]})
	check("renamed")

	// The store as it was before migration 0006: no name_terms.
	if _, err := s.writer.ExecContext(ctx, `DROP TABLE name_terms; PRAGMA user_version = 5`); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(ctx, dir); err != nil {
		t.Fatal(err)
	}
	check("upgraded")
}

// indexMatches returns the ids of the entities the name index finds for groups of terms, asked
// for the terms themselves, in the order of their ids.
func indexMatches(t *testing.T, s *Store, groups [][]string) []string {
	t.Helper()
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = `("` + strings.Join(g, `" OR "`) + `")`
	}
	rows, err := s.db.QueryContext(context.Background(), `SELECT e.id FROM entity_terms t JOIN entities e ON e.rowid = t.rowid
		WHERE entity_terms MATCH ? ORDER BY e.id`, strings.Join(parts, " AND "))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}
