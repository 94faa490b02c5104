package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/sarhad/sarhad"
)

// nameVariants are spellings of names that transliteration and typing vary, South Asian ones first,
// so that a search's terms meet each other's tokens through every kind of term: the token itself,
// its transliteration key, a letter missing, one too many and one substituted; numbers and other
// scripts too.
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
	// Other scripts: Greek (the index folds ς to σ), Urdu and Arabic, Arabic-Indic digits, and
	// diacritics, which names lose.
	{"Πας", "ΠΑΣ", "πασ", "Νίκος", "ΝΙΚΟΣ", "Νικοσ", "Ράς"},
	{"محمد", "محمّد", "کاشف", "كاشف", "عمران"},
	{"٣٣٤", "٣ae", "٣٣٤٥٦٧", "۱۲۳۴"},
	{"Hüssain", "Hußain", "Çelik", "Celik", "Øzil"},
}

// TestNameTermsMatchLikeTheIndex checks that a search through name_terms (MatchNames, CountNames)
// finds exactly the entities the name index finds for the search's own terms, over persons named
// with variants of each other, before and after their names change, and after an upgrade from a
// store indexed before name_terms (migration 0006 fills it).
func TestNameTermsMatchLikeTheIndex(t *testing.T) {
	ctx, s, dir := openNew(t)
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
	persons := make([]sarhad.Entity, 300)
	for i := range persons {
		p := namedPerson(fmt.Sprint("N-", i), name())
		p.Aliases = []string{name()}
		persons[i] = p
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
	queries = append(queries, strings.Repeat(name()+" ", 4)) // more words than a search reads
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
		// name_terms lists the tokens of the names the persons have, and no others.
		var held []string
		for _, p := range persons {
			_, listed := nameTokens(p.SearchNames())
			held = append(held, listed...)
		}
		slices.Sort(held)
		if got, want := listedTokens(t, s), slices.Compact(held); !slices.Equal(got, want) {
			t.Errorf("%s: name_terms lists %d tokens, the persons' names hold %d", stage, len(got), len(want))
		}
	}

	apply(&sarhad.ChangeSet{Put: persons})
	check("created")
	for _, p := range persons[:100] {
		p.(*sarhad.Person).Name = name()
	}
	apply(&sarhad.ChangeSet{Put: persons[:100]})
	check("renamed")

	s = reopenBeforeNameTerms(t, s, dir)
	check("upgraded")
}

// TestNameTermsForgetChangedNames: once no entity holds a word of a name, name_terms lists it no
// more, whether the name was changed alone or with others in one change set; a word another
// entity still holds stays listed.
func TestNameTermsForgetChangedNames(t *testing.T) {
	ctx, s, _ := openNew(t)
	defer s.Close()
	a, b, c := namedPerson("A", "Zarghuna Bibi"), namedPerson("B", "Zarghuna Khan"), namedPerson("C", "Gul Khan")
	// The index reads νικος and νικοσ alike: it finds E under the term of D's word.
	d, e := namedPerson("D", "Νίκος Πας"), namedPerson("E", "Νικοσ Ali")
	persons := []*sarhad.Person{a, b, c, d, e}
	step := func(stage string, put ...sarhad.Entity) {
		t.Helper()
		if _, err := s.Apply(ctx, &sarhad.ChangeSet{Put: put}); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, p := range persons {
			want = append(want, sarhad.NameTokens(p.Name)...)
		}
		slices.Sort(want)
		want = slices.Compact(want)
		if got := listedTokens(t, s); !slices.Equal(got, want) {
			t.Errorf("%s: name_terms lists %q, the names hold %q", stage, got, want)
		}
	}
	step("created", a, b, c, d, e)
	a.Name = "Shazia Bibi"
	step("a word another holds", a)
	b.Name = "Shazia Khan"
	step("the last holder of a word renamed", b)
	c.Name, a.Name = "Gul Baloch", "Gul Bibi"
	step("two renamed together", c, a)
	d.Name = "Νίκη Πας"
	step("a word the index reads like another's", d)
	found, err := s.MatchNames(ctx, sarhad.NameQuery{Groups: sarhad.QueryTerms("Zarghuna"), Limit: 10})
	if err != nil || len(found) != 0 {
		t.Errorf("MatchNames(Zarghuna) = %d entities, %v; want none", len(found), err)
	}
}

// TestNameTermsUpgradeForgetsOldWords: a store that kept the words of changed names (before
// migration 0007) lists only the words of the names held once opened.
func TestNameTermsUpgradeForgetsOldWords(t *testing.T) {
	ctx, s, dir := openNew(t)
	defer func() { s.Close() }()
	p := namedPerson("A", "Gul Bibi")
	if _, err := s.Apply(ctx, &sarhad.ChangeSet{Put: []sarhad.Entity{p}}); err != nil {
		t.Fatal(err)
	}
	// A word of a name since changed, as the table kept it before.
	s = reopenAfter(t, s, dir, `INSERT INTO name_terms (term, token) VALUES ('e:zarghuna', 'zarghuna');
		PRAGMA user_version = 6`)
	if got, want := listedTokens(t, s), []string{"bibi", "gul"}; !slices.Equal(got, want) {
		t.Errorf("after the upgrade name_terms lists %q, want %q", got, want)
	}
}

// listedTokens returns the tokens name_terms lists, in order.
func listedTokens(t *testing.T, s *Store) []string {
	t.Helper()
	return column(t, s, `SELECT DISTINCT token FROM name_terms ORDER BY token`)
}

// column returns the strings of the one column a query selects, in its order.
func column(t *testing.T, s *Store, query string, args ...any) []string {
	t.Helper()
	rows, err := s.db.QueryContext(t.Context(), query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// namedPerson returns a person of the FIA, TLP:CLEAR, with source key and name.
func namedPerson(key, name string) *sarhad.Person {
	now := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	return &sarhad.Person{Meta: sarhad.Meta{ID: sarhad.StableID(sarhad.KindPerson, key), Kind: sarhad.KindPerson,
		CreatedAt: now, CreatedBy: "test", UpdatedAt: now, UpdatedBy: "test", SourceKey: key,
		Handling: sarhad.Handling{OriginatorOrg: "FIA", OriginatorCountry: "PAK", TLP: sarhad.TLPClear}},
		Name: name, Gender: sarhad.GenderMale}
}

// openNew opens a store in a new directory; it returns the context of the system viewer, the
// store and the directory.
func openNew(t *testing.T) (context.Context, *Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return sarhad.NewContext(t.Context(), sarhad.SystemViewer()), s, dir
}

// reopenBeforeNameTerms makes store s, in dir, as it was before migration 0006 (no name_terms),
// closes it and opens it again, which migrates it: the upgrade of a store indexed before.
func reopenBeforeNameTerms(t *testing.T, s *Store, dir string) *Store {
	t.Helper()
	return reopenAfter(t, s, dir, `DROP TABLE name_terms; PRAGMA user_version = 5`)
}

// reopenAfter runs statements on store s, in dir, closes it and opens it again, which runs the
// migrations newer than the version the statements leave.
func reopenAfter(t *testing.T, s *Store, dir, statements string) *Store {
	t.Helper()
	if _, err := s.writer.ExecContext(t.Context(), statements); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// indexMatches returns the ids of the entities the name index finds for groups of terms, asked
// for the terms themselves, in the order of their ids.
func indexMatches(t *testing.T, s *Store, groups [][]string) []string {
	t.Helper()
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = `("` + strings.Join(g, `" OR "`) + `")`
	}
	return column(t, s, `SELECT e.id FROM entity_terms t JOIN entities e ON e.rowid = t.rowid
		WHERE entity_terms MATCH ? ORDER BY e.id`, strings.Join(parts, " AND "))
}

// TestNameSearchFindsLettersForeignToIndex searches for names with letters the index's tokenizer
// reads otherwise than sarhad.NameTokens: the final sigma, which a capital Σ does not fold to,
// and a letter the tokenizer splits a word at.
func TestNameSearchFindsLettersForeignToIndex(t *testing.T) {
	ctx, s, dir := openNew(t)
	defer func() { s.Close() }()
	names := []string{"Πας Ράς", "Νίκος", "Laᦰbo Khan"}
	persons := make([]sarhad.Entity, len(names))
	for i, n := range names {
		persons[i] = namedPerson(fmt.Sprint("F-", i), n)
	}
	if _, err := s.Apply(ctx, &sarhad.ChangeSet{Put: persons}); err != nil {
		t.Fatal(err)
	}
	check := func(stage string) {
		t.Helper()
		for text, want := range map[string]string{
			"ΠΑΣ": names[0], "πασ": names[0], "Πας": names[0], "ΡΑΣ ΠΑΣ": names[0], "ρασ": names[0],
			"ΝΙΚΟΣ": names[1], "Νικοσ": names[1], "Νικος": names[1], "Νίκος": names[1], "Νικοζ": names[1],
			"Laᦰbo": names[2], "laᦰbo khan": names[2], "Labo": names[2], "Laᦱbo": names[2],
		} {
			found, err := s.MatchNames(ctx, sarhad.NameQuery{Groups: sarhad.QueryTerms(text), Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(found) != 1 || found[0].(*sarhad.Person).Name != want {
				t.Errorf("%s: MatchNames(%q) = %v, want %q", stage, text, found, want)
			}
		}
	}
	check("created")
	s = reopenBeforeNameTerms(t, s, dir)
	check("upgraded")
}

// TestIndexReadsNameTokensAsTheyAre checks foreignToIndex: the index's tokenizer reads every
// token sarhad.NameTokens makes, of every letter or digit between two letters, as the one term
// written, unless it holds a letter foreign to the index. A new version of SQLite's or Go's
// Unicode tables can change that.
func TestIndexReadsNameTokensAsTheyAre(t *testing.T) {
	_, s, _ := openNew(t)
	defer s.Close()
	var tokens []string
	seen := map[string]bool{}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !unicode.IsGraphic(r) {
			continue // unassigned, private, a surrogate or a control: never a letter, nor one folded
		}
		for _, tok := range sarhad.NameTokens("a" + string(r) + "b") {
			if !seen[tok] && !strings.ContainsFunc(tok, foreignToIndex) {
				seen[tok] = true
				tokens = append(tokens, tok)
			}
		}
	}
	// The tokens go into rows of perRow, one after another; the tokenizer's terms of each row,
	// by position, are to be the tokens' own terms.
	const perRow = 100
	tx, err := s.writer.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for row, chunk := range slices.Collect(slices.Chunk(tokens, perRow)) {
		if _, err := tx.Exec(`INSERT INTO entity_terms (rowid, terms) VALUES (?, ?)`, row+1, "e:"+strings.Join(chunk, " e:")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tx.Exec(`CREATE VIRTUAL TABLE temp.instances USING fts5vocab(main, entity_terms, 'instance')`); err != nil {
		t.Fatal(err)
	}
	rows, err := tx.Query(`SELECT doc, "offset", term FROM temp.instances`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	read := make(map[int]string, len(tokens)) // by position in tokens
	extra := 0                                // terms beyond a row's tokens: a token read as several
	for rows.Next() {
		var (
			doc, offset int
			term        string
		)
		if err := rows.Scan(&doc, &offset, &term); err != nil {
			t.Fatal(err)
		}
		if offset < perRow {
			read[(doc-1)*perRow+offset] = term
		} else {
			extra++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	bad := 0
	for i, tok := range tokens {
		if got := read[i]; got != "e:"+tok {
			if bad++; bad <= 10 {
				t.Errorf("the index reads %q (%U) as %q", "e:"+tok, []rune(tok), got)
			}
		}
	}
	if extra > 0 {
		t.Errorf("the index reads %d more terms than were written", extra)
	}
	if bad > 0 || len(tokens) < 100_000 {
		t.Fatalf("%d of %d tokens read otherwise than written", bad, len(tokens))
	}
}
