package sarhad

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Name search works on terms, so that both stores can match with their own full-text index (FTS5,
// Lucene) and give the same answers. Every name is indexed as three kinds of term:
//
//	e:<token>  the token itself, case- and diacritic-folded ("Hüssain" → e:hussain)
//	k:<key>    its transliteration key: consonant skeleton with doubled letters collapsed, so
//	           Muhammad, Mohammad, Mohammed and Muhammed all give k:mhmd
//	d:<token>  each token with one letter deleted (tokens of 4+ letters), so one typo still matches
//
// A query token matches an entity when any of its alternatives is among the entity's terms.

// fold lowers s and strips its diacritics after compatibility decomposition. ASCII text has
// neither diacritics nor anything to decompose: it is only lowered.
func fold(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	t := transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// NameTokens splits a name into folded tokens of letters and digits.
func NameTokens(s string) []string {
	return strings.FieldsFunc(fold(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// transliterations are the spellings TransliterationKey unifies before it reduces a token to its
// consonants. Built once: a Replacer never changes and is safe for concurrent use.
var transliterations = strings.NewReplacer("ph", "f", "q", "k", "ck", "k", "ee", "i", "oo", "u")

// TransliterationKey returns the key under which transliteration variants of a token meet: the first
// letter (initial vowels folded to "a"), then the consonants with h after a vowel kept, y and w as
// semivowels dropped, q→k, ph→f, doubled letters collapsed. Tokens of digits are their own key.
func TransliterationKey(tok string) string {
	if tok == "" || unicode.IsDigit(rune(tok[0])) {
		return tok
	}
	tok = transliterations.Replace(tok)
	var b strings.Builder
	var last rune
	for i, r := range tok {
		var out rune
		switch {
		case i == 0 && strings.ContainsRune("aeiou", r):
			out = 'a'
		case i == 0:
			out = r
		case strings.ContainsRune("aeiouyw", r):
			continue
		default:
			out = r
		}
		if out == last {
			continue
		}
		b.WriteRune(out)
		last = out
	}
	return b.String()
}

func deletions(tok string) []string {
	rs := []rune(tok)
	if len(rs) < 4 {
		return nil
	}
	out := make([]string, 0, len(rs))
	for i := range rs {
		d := string(rs[:i]) + string(rs[i+1:])
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// SearchTerms returns the sorted, distinct terms an entity with the given names is indexed under.
func SearchTerms(names []string) []string {
	var terms []string
	for _, n := range names {
		for _, tok := range NameTokens(n) {
			terms = append(terms, "e:"+tok, "k:"+TransliterationKey(tok))
			for _, d := range deletions(tok) {
				terms = append(terms, "d:"+d)
			}
		}
	}
	slices.Sort(terms)
	return slices.Compact(terms)
}

// maxQueryTokens bounds the work one search can ask for.
const maxQueryTokens = 8

// queryTokens returns the tokens of a search text that a search uses: the first maxQueryTokens.
func queryTokens(text string) []string {
	toks := NameTokens(text)
	return toks[:min(len(toks), maxQueryTokens)]
}

// QueryTerms returns, for each token of a search text, the terms any of which matches it: the token
// itself, its transliteration key, the token as a deletion of a longer indexed token (one letter
// missing in the query), its own deletions as indexed tokens (one letter too many) and as deletions
// (one letter substituted).
func QueryTerms(text string) [][]string {
	toks := queryTokens(text)
	groups := make([][]string, 0, len(toks))
	for _, tok := range toks {
		g := []string{"e:" + tok, "k:" + TransliterationKey(tok)}
		if len([]rune(tok)) >= 3 {
			g = append(g, "d:"+tok)
		}
		for _, d := range deletions(tok) {
			g = append(g, "e:"+d, "d:"+d)
		}
		slices.Sort(g)
		groups = append(groups, slices.Compact(g))
	}
	return groups
}

// CloserQueryTerms returns the term groups of two searches narrower than QueryTerms(text), closest
// first: every word exactly, then every word exactly or as a transliteration variant. What each
// matches, the next matches too, and QueryTerms matches all of it.
func CloserQueryTerms(text string) [2][][]string {
	toks := queryTokens(text)
	var out [2][][]string
	for _, tok := range toks {
		exact, variant := "e:"+tok, "k:"+TransliterationKey(tok)
		out[0] = append(out[0], []string{exact})
		out[1] = append(out[1], slices.Compact(slices.Sorted(slices.Values([]string{exact, variant}))))
	}
	return out
}

// NameScore rates how well the names of an entity match a search text, from 0 (a token does not
// match) to 1 (every token matches a name token exactly). Per query token the best match counts:
// exact 1, transliteration variant 0.8, one typo 0.6; the mean over tokens is reduced slightly when
// the best name has more tokens than the query, so "Ali Khan" ranks above "Ali Raza Khan" for "ali khan".
func NameScore(text string, names []string) float64 {
	q := keyed(queryTokens(text))
	if len(q) == 0 {
		return 0
	}
	best := 0.0
	var all []keyedToken
	for _, n := range names {
		toks := keyed(NameTokens(n))
		all = append(all, toks...)
		sum := 0.0
		for _, qt := range q {
			sum += tokenScore(qt, toks)
		}
		s := sum / float64(len(q))
		if extra := len(toks) - len(q); extra > 0 {
			s *= 1 - 0.05*float64(min(extra, 4))
		}
		best = max(best, s)
	}
	// Names are matched as a set; a query token that matches no single name may still match another
	// alias, so fall back to scoring against every token of every name.
	sum := 0.0
	for _, qt := range q {
		sum += tokenScore(qt, all)
	}
	return max(best, 0.9*sum/float64(len(q)))
}

// keyedToken is a name token with its transliteration key.
type keyedToken struct{ tok, key string }

func keyed(toks []string) []keyedToken {
	out := make([]keyedToken, len(toks))
	for i, t := range toks {
		out[i] = keyedToken{t, TransliterationKey(t)}
	}
	return out
}

func tokenScore(q keyedToken, toks []keyedToken) float64 {
	best := 0.0
	for _, t := range toks {
		switch {
		case t.tok == q.tok:
			return 1
		case t.key == q.key:
			best = max(best, 0.8)
		case withinOneEdit(q.tok, t.tok):
			best = max(best, 0.6)
		}
	}
	return best
}

// withinOneEdit reports whether a and b differ by at most one insertion, deletion or substitution
// (short tokens of under 3 letters must match exactly).
func withinOneEdit(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < 3 || len(rb) < 3 {
		return a == b
	}
	if len(ra) > len(rb) {
		ra, rb = rb, ra
	}
	if len(rb)-len(ra) > 1 {
		return false
	}
	i := 0
	for i < len(ra) && ra[i] == rb[i] {
		i++
	}
	if len(ra) == len(rb) {
		return string(ra[i+min(1, len(ra)-i):]) == string(rb[i+min(1, len(rb)-i):])
	}
	return string(ra[i:]) == string(rb[i+1:])
}
