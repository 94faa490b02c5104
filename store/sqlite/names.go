package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/sarhad/sarhad"
)

// Name search reads the name index (entity_terms, FTS5) through the table of its terms
// (name_terms, see migration 0006). An entity is indexed under the terms of its name tokens
// (sarhad.SearchTerms), and a search asks for any of a group of terms for each of its words
// (sarhad.QueryTerms). An entity matches a group when one of its tokens has a term in the group,
// that is when it holds one of the tokens name_terms lists for the group's terms. So the index is
// asked for those tokens' own terms ("e:"), each list read once, which matches the same entities.
//
// Tokens of digits alone (phone, account and document numbers, nearly every one new, whose rows
// would make imports slower) are not listed. A term text that holds a non-digit matches only
// tokens that hold one too: the text itself, the text with one letter more, or the tokens of a
// transliteration key, which is a token itself when the token starts with a digit.
//
// name_terms holds the terms as sarhad.SearchTerms writes them, and the index as its tokenizer
// (unicode61) reads them: the same text, except for a few letters (see foreignToIndex). So a
// group is read through name_terms only when its terms' texts are plain: a non-digit and no such
// letter. Any other group asks the index for its own terms, as every group did before name_terms.
// A token with such a letter is listed all the same: a plain text matches it through the deletion
// of that letter, and the index finds it under its own term.
//
// The rows of a token go when no entity holds it any more (dropNameTerms): the words of a name are
// not kept once no name holds them.

// foreignToIndex reports whether the index's tokenizer reads a letter other than sarhad.NameTokens
// does. It folds the final sigma to σ (so a text with either matches tokens with the other), and
// splits words at a few letters of New Tai Lue and Vedic extensions: it read the word "laᦰbo" as
// "la" and "bo", and a search for "la" found it; through name_terms it does not. Every letter and
// digit NameTokens keeps is checked against the tokenizer by TestIndexReadsNameTokensAsTheyAre.
func foreignToIndex(r rune) bool {
	switch {
	case r == 'ς', r == 'σ':
		return true
	case r >= 0x19B0 && r <= 0x19C0, r == 0x19C8, r == 0x19C9, r == 0x1CF2, r == 0x1CF3:
		return true
	}
	return false
}

// listed reports whether name_terms lists a token: whether it holds a non-digit.
func listed(token string) bool {
	return strings.ContainsFunc(token, func(r rune) bool { return !unicode.IsDigit(r) })
}

// plainTerms reports whether a group of search terms is read through name_terms: whether each
// term's text holds a non-digit and no letter foreign to the index.
func plainTerms(terms []string) bool {
	for _, term := range terms {
		if _, text, _ := strings.Cut(term, ":"); !listed(text) || strings.ContainsFunc(text, foreignToIndex) {
			return false
		}
	}
	return true
}

// maxGroupTokens bounds the tokens a group of search terms is read as; a group that stands for
// more asks the index for its own terms. On a table of one row, an FTS5 query of 1,000 terms took
// 7 ms, one of 10,000 terms 200 ms.
const maxGroupTokens = 256

// nameTokens returns the distinct tokens of names, as SearchTerms reads them: all, and those
// name_terms lists.
func nameTokens(names []string) (all, listedTokens []string) {
	for _, n := range names {
		all = append(all, sarhad.NameTokens(n)...)
	}
	slices.Sort(all)
	all = slices.Compact(all)
	for _, t := range all {
		if listed(t) {
			listedTokens = append(listedTokens, t)
		}
	}
	return all, listedTokens
}

// addNameTerms adds to name_terms the rows of the tokens it lacks, in two statements however many
// tokens there are (a statement per row made writing persons 2.6 times slower). A token's own
// term ("e:") is written with its others, in the same transaction: when it is there, so are they.
func addNameTerms(ctx context.Context, tx *sql.Tx, tokens []string) error {
	if len(tokens) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT value FROM json_each(:tokens)
		WHERE NOT EXISTS (SELECT 1 FROM name_terms WHERE term = 'e:' || value AND token = value)`,
		sql.Named("tokens", jsonList(tokens)))
	if err != nil {
		return fmt.Errorf("name terms: %w", err)
	}
	var add [][2]string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return fmt.Errorf("name terms: %w", err)
		}
		for _, term := range sarhad.SearchTerms([]string{t}) {
			add = append(add, [2]string{term, t})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("name terms: %w", err)
	}
	if len(add) == 0 {
		return nil
	}
	body, err := json.Marshal(add)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO name_terms (term, token)
		SELECT value ->> 0, value ->> 1 FROM json_each(?)`, string(body)); err != nil {
		return fmt.Errorf("name terms: %w", err)
	}
	return nil
}

// searchNames returns the names that an entity stored as kind and attrs is indexed under.
func searchNames(id, kind, attrs string) ([]string, error) {
	e := sarhad.NewEntity(sarhad.EntityKind(kind))
	if e == nil {
		return nil, fmt.Errorf("entity %s has unknown kind %q", id, kind)
	}
	if err := json.Unmarshal([]byte(attrs), e); err != nil {
		return nil, fmt.Errorf("entity %s: %w", id, err)
	}
	return e.SearchNames(), nil
}

// dropNameTerms removes from name_terms the rows of the tokens of dropped (those of the names the
// entities a change set wrote had before) that no entity holds any more: those not in kept
// (sorted, the tokens of the names it wrote) that no entity's names hold (holdsToken). So the
// table keeps no word of a name once no entity holds it, a victim's among them.
func dropNameTerms(ctx context.Context, tx *sql.Tx, dropped, kept []string) error {
	slices.Sort(dropped)
	for _, t := range slices.Compact(dropped) {
		if _, found := slices.BinarySearch(kept, t); found {
			continue
		}
		held, err := holdsToken(ctx, tx, t)
		if err != nil {
			return fmt.Errorf("name terms: %w", err)
		}
		if held {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM name_terms WHERE token = ?
			AND term IN (SELECT value FROM json_each(?))`, t, jsonList(sarhad.SearchTerms([]string{t}))); err != nil {
			return fmt.Errorf("name terms: %w", err)
		}
	}
	return nil
}

// holdsToken reports whether the names of an entity hold token t. The index finds the entities
// under t's own term; for a token with a letter foreign to the index, those include the holders of
// tokens it reads alike, so their names are read to tell.
func holdsToken(ctx context.Context, tx *sql.Tx, t string) (bool, error) {
	match := `"e:` + strings.ReplaceAll(t, `"`, `""`) + `"`
	if !strings.ContainsFunc(t, foreignToIndex) {
		var held bool
		err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM entity_terms WHERE entity_terms MATCH ?)`, match).Scan(&held)
		return held, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT e.id, e.kind, e.attrs FROM entity_terms i JOIN entities e ON e.rowid = i.rowid
		WHERE entity_terms MATCH ?`, match)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, kind, attrs string
		if err := rows.Scan(&id, &kind, &attrs); err != nil {
			return false, err
		}
		names, err := searchNames(id, kind, attrs)
		if err != nil {
			return true, nil // unreadable: it may hold t
		}
		if all, _ := nameTokens(names); slices.Contains(all, t) {
			return true, nil
		}
	}
	return false, rows.Err()
}

// fillBatch is how many entities fillNameTerms reads at a time.
const fillBatch = 10_000

// fillNameTerms adds the rows of the tokens of every entity's names: migration 0006 runs it on a
// store indexed before name_terms was kept, and 0007 on the table it empties. It reads the
// entities rather than the index's own vocabulary, which holds some tokens otherwise than they
// were written (see foreignToIndex).
func fillNameTerms(ctx context.Context, tx *sql.Tx) error {
	for after := int64(0); ; {
		rows, err := tx.QueryContext(ctx, `SELECT rowid, id, kind, attrs FROM entities WHERE rowid > ? ORDER BY rowid LIMIT ?`,
			after, fillBatch)
		if err != nil {
			return err
		}
		var tokens []string
		n := 0
		for rows.Next() {
			var id, kind, attrs string
			if err := rows.Scan(&after, &id, &kind, &attrs); err != nil {
				rows.Close()
				return err
			}
			n++
			names, err := searchNames(id, kind, attrs)
			if err != nil {
				rows.Close()
				return err
			}
			_, listed := nameTokens(names)
			tokens = append(tokens, listed...)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		slices.Sort(tokens)
		if err := addNameTerms(ctx, tx, slices.Compact(tokens)); err != nil {
			return err
		}
		if n < fillBatch {
			return nil
		}
	}
}

// tokenGroups returns the groups of terms to ask the name index for: for each group of search
// terms read through name_terms, the tokens it lists for them; each other group as it is. It
// returns false when a group has no token: nothing matches.
func tokenGroups(ctx context.Context, tx querier, groups [][]string) ([][]string, bool, error) {
	out := make([][]string, len(groups))
	read := make(map[int][]string, len(groups)) // the groups read through name_terms, by index
	for i, g := range groups {
		if plainTerms(g) {
			read[i] = g
		} else {
			out[i] = g
		}
	}
	if len(read) == 0 {
		return out, true, nil
	}
	body, err := json.Marshal(read)
	if err != nil {
		return nil, false, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT g.key, n.token
		FROM json_each(:groups) g, json_each(g.value) t JOIN name_terms n ON n.term = t.value
		ORDER BY g.key, n.token`, sql.Named("groups", string(body)))
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			i     int
			token string
		)
		if err := rows.Scan(&i, &token); err != nil {
			return nil, false, err
		}
		out[i] = append(out[i], "e:"+token)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	for i := range read {
		switch n := len(out[i]); {
		case n == 0:
			return nil, false, nil
		case n > maxGroupTokens:
			out[i] = groups[i]
		}
	}
	return out, true, nil
}
