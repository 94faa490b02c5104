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
// asked for those tokens' own terms ("e:"), each read once, which matches the same entities.
//
// Tokens of digits alone (phone, account and document numbers) are left out of name_terms: nearly
// every one is new, and its rows made an import of persons and phones 2.6 times slower. A group
// of terms each of whose text holds a non-digit matches only tokens that hold one too (a token
// matches a term's text itself, with one letter more or, for a transliteration key, as itself
// when it starts with a digit), so it is read through name_terms; the other groups, which a word
// of at most one non-digit makes, ask the index for their terms as they are.

// listed reports whether name_terms lists a token, or reads a term through it: whether the text
// (after a term's prefix) holds a non-digit.
func listed(text string) bool {
	return strings.ContainsFunc(text, func(r rune) bool { return !unicode.IsDigit(r) })
}

// tokenTerms returns the rows of name_terms for a name token: each of its terms with the token.
func tokenTerms(token string) []string {
	return sarhad.SearchTerms([]string{token})
}

// nameTokens returns the distinct tokens of names, as SearchTerms reads them, that name_terms lists.
func nameTokens(names []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range names {
		for _, t := range sarhad.NameTokens(n) {
			if !seen[t] && listed(t) {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}

// addNameTerms adds to name_terms the rows of the tokens it lacks, in two statements however many
// tokens there are: at SF 1 of the benchmark's import, a statement per row made the entities'
// change sets 2.6 times slower. A token's own term ("e:") is written with its others, in the same
// transaction: when it is there, so are they.
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
		for _, term := range tokenTerms(t) {
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

// fillNameTerms adds the rows of every token in the name index: migration 0006 runs it on a store
// indexed before name_terms was kept. The index's own vocabulary lists the tokens (their "e:"
// terms), including those of entities since deleted, whose rows match nothing.
func fillNameTerms(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `CREATE VIRTUAL TABLE temp.entity_terms_vocab USING fts5vocab(main, entity_terms, 'row')`); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT term FROM temp.entity_terms_vocab WHERE term >= 'e:' AND term < 'e;'`)
	if err != nil {
		return err
	}
	var tokens []string
	for rows.Next() {
		var term string
		if err := rows.Scan(&term); err != nil {
			rows.Close()
			return err
		}
		if t := strings.TrimPrefix(term, "e:"); listed(t) {
			tokens = append(tokens, t)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := addNameTerms(ctx, tx, tokens); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DROP TABLE temp.entity_terms_vocab`)
	return err
}

// tokenGroups returns the groups of terms to ask the name index for: for each group of search
// terms that name_terms can read, the tokens it lists for them; each other group as it is. It
// returns nil when a group has no token (nothing matches).
func tokenGroups(ctx context.Context, tx querier, groups [][]string) ([][]string, error) {
	out := make([][]string, len(groups))
	read := make(map[int][]string, len(groups)) // the groups read through name_terms, by index
	for i, g := range groups {
		if slices.ContainsFunc(g, func(term string) bool { _, text, _ := strings.Cut(term, ":"); return !listed(text) }) {
			out[i] = g
		} else {
			read[i] = g
		}
	}
	if len(read) == 0 {
		return out, nil
	}
	body, err := json.Marshal(read)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT g.key, n.token
		FROM json_each(:groups) g, json_each(g.value) t JOIN name_terms n ON n.term = t.value
		ORDER BY g.key, n.token`, sql.Named("groups", string(body)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			i     int
			token string
		)
		if err := rows.Scan(&i, &token); err != nil {
			return nil, err
		}
		out[i] = append(out[i], "e:"+token)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, g := range out {
		if len(g) == 0 {
			return nil, nil
		}
	}
	return out, nil
}
