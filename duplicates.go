package sarhad

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
)

// Duplicate detection finds pairs of records of one kind that probably describe the same person,
// organisation or identifier: the same smuggler recorded by the FIA in Quetta as "Muhammad Hussain
// Chaudhry" and by a partner agency as "Mohammed Husain Choudhry". It proposes candidates with their
// reasons; an investigator decides, and a merge (SAME_AS) is a separate write.
//
// Scoring follows Fellegi and Sunter: each field of a pair is compared and falls into an agreement
// level (the same birth date, a birth date one digit apart, different birth dates, …). A level has
// two probabilities: m, that a true duplicate shows it, and u, that two unrelated records show it.
// The level's weight is log2(m/u) bits — positive when the level is more typical of duplicates,
// negative when it is more typical of unrelated records — and the weights of the fields add up,
// treating fields as independent. The total W becomes a score in [0, 1] with the logistic curve
//
//	Score = 1 / (1 + 2^(duplicateThreshold − W))
//
// so Score is the probability of a duplicate under the model with prior odds of 2^-12 (about one in
// four thousand): 0.5 at W = 12 bits, 0.97 at 17 bits, 0.03 at 7 bits.
//
// u is adjusted to the records compared: agreeing on a name part, birth date, nationality or
// identifier value that many records share says less than agreeing on a rare one (in a Pakistani
// dataset "Muhammad" or a birth date of 1 January carry little). Each such u is the share of the
// other records holding the value, smoothed towards a prior as if dupPseudoRecords typical records
// had been seen as well, so a small set falls back to the priors and a large set speaks for itself.
//
// Caps encode what one field alone may never prove. A person's name contributes at most 8 bits and a
// birth date at most 10, so a name alone — or a name with a matching nationality, gender and birth
// year — stays below 12 bits: "Muhammad Ali" names thousands of different men. It takes a second,
// independent piece of evidence (a father's name, a birth date, a shared phone, document or address)
// to reach the default score. A shared identity document number (13 bits among a few records, 16
// among a hundred thousand: u is at least one in the number of records) reaches it alone, unless
// the names disagree outright: one document under two unrelated names is a shared identifier (see
// SharedIdentifiers) — a forged or borrowed document — rather than one person recorded twice.
// Organisation names count for up to 11 bits, as names of companies are chosen to be told apart:
// two distinctive name parts and the same country suffice, one ("Al Madina Travels") does not.
//
// Privacy: the names of a redacted record (a victim the viewer may only see under a pseudonym) are
// never compared nor used for blocking, and no reason Detail ever quotes a name, date or identifier
// value — only which fields agreed and how.

// DefaultDuplicateScore is the score from which a pair is proposed as a duplicate when the caller
// gives no minimum: the model's even odds (a total weight of 12 bits).
const DefaultDuplicateScore = 0.5

const (
	// duplicateThreshold is the total weight, in bits, at which Score is 0.5.
	duplicateThreshold = 12.0
	// dupPseudoRecords is the weight of the priors when u is estimated from value frequencies.
	dupPseudoRecords = 10000.0
	// maxDuplicateBlock bounds a block: a blocking key shared by more records than this (a common
	// birth date, a city) is too unspecific to compare all its pairs; such pairs are found through
	// their other keys or not at all.
	maxDuplicateBlock = 100
	// maxNameBlock bounds the blocks of broad name keys (one name part, two name parts), which common
	// names fill quickly. A name alone never reaches the default score, so a pair worth proposing
	// agrees on something else too, and the specific keys (two name parts with the birth year, the day
	// and month of birth or the father's name; a birth date; an identifier) still bring it together.
	maxNameBlock = 32
	// Bounds on the work one record can cause.
	maxDupNames       = 8
	maxDupNameTokens  = 8
	maxDupIdentifiers = 50
)

// DuplicateIdentifier is an identifier a record holds (a phone it uses, a document it holds, an
// address it lives at), compared by its IdentifierValue.
type DuplicateIdentifier struct {
	Kind  EntityKind // an identifier kind (IsIdentifier)
	Value string     // IdentifierValue of the identifier record; phones in E.164
}

// DuplicateProfile is what duplicate detection compares of one record: the record itself and the
// identifiers tied to it.
type DuplicateProfile struct {
	Entity      Entity
	Identifiers []DuplicateIdentifier
}

// NewDuplicateProfile returns the profile of e holding the given identifier records. Phone numbers
// are brought to E.164 (national numbers read as numbers of the phone's country, default Pakistan),
// so "0300 1234567", "+92 300 1234567" and "0092 300 1234567" meet; identifiers without a
// distinguishing value are left out.
func NewDuplicateProfile(e Entity, identifiers ...Entity) DuplicateProfile {
	p := DuplicateProfile{Entity: e}
	for _, id := range identifiers {
		if v := duplicateIdentifierValue(id); v != "" {
			p.Identifiers = append(p.Identifiers, DuplicateIdentifier{Kind: KindOf(id), Value: v})
		}
	}
	return p
}

func duplicateIdentifierValue(e Entity) string {
	if ph, ok := e.(*Phone); ok {
		if n, err := NormalizePhone(ph.Number, ph.Country); err == nil {
			return n
		}
	}
	return IdentifierValue(e)
}

// DuplicateReasonCode names the field a reason is about.
type DuplicateReasonCode string

// Reason codes.
const (
	DuplicateReasonName                DuplicateReasonCode = "NAME"        // names and aliases
	DuplicateReasonFatherName          DuplicateReasonCode = "FATHER_NAME" // a person's father's name
	DuplicateReasonBirthDate           DuplicateReasonCode = "BIRTH_DATE"
	DuplicateReasonGender              DuplicateReasonCode = "GENDER"
	DuplicateReasonNationality         DuplicateReasonCode = "NATIONALITY"
	DuplicateReasonCountry             DuplicateReasonCode = "COUNTRY" // an organisation's base
	DuplicateReasonSharedIdentifier    DuplicateReasonCode = "SHARED_IDENTIFIER"
	DuplicateReasonSimilarIdentifier   DuplicateReasonCode = "SIMILAR_IDENTIFIER"   // one typo apart
	DuplicateReasonDifferentIdentifier DuplicateReasonCode = "DIFFERENT_IDENTIFIER" // same type, other value
	DuplicateReasonSameValue           DuplicateReasonCode = "SAME_VALUE"           // identifier records
	DuplicateReasonSimilarValue        DuplicateReasonCode = "SIMILAR_VALUE"        // identifier records
)

// DuplicateReason is the outcome of comparing one field of a pair.
type DuplicateReason struct {
	Code DuplicateReasonCode
	// Detail says how the field compared ("2 name parts agree: 1 exactly, 1 as a transliteration
	// variant; word order differs"). It never contains a name, date or identifier value.
	Detail string
	// Weight is the field's evidence in bits (log2 of m/u): positive for, negative against.
	Weight float64
}

// DuplicateCandidate is a pair of records of one kind that probably describe the same thing.
type DuplicateCandidate struct {
	Kind EntityKind
	A, B string // ids, A < B
	// Score is the probability, in [0, 1], that A and B are duplicates (rounded to 4 decimals).
	Score float64
	// Weight is the total evidence in bits, the sum of the reasons' weights.
	Weight  float64
	Reasons []DuplicateReason
}

// FindDuplicates returns the pairs of profiles of the same kind scoring at least minScore: highest
// score first, then by A, then by B. The answer depends only on the set of profiles, not on their
// order. Persons are compared on names and aliases, father's name, birth date, gender,
// nationalities and identifiers; organisations on names and aliases, country and identifiers;
// identifier records on their own value (equal values are certain duplicates); records of other
// kinds on the identifiers of their profiles.
//
// Pairs are not all compared: blocking keys (name parts by transliteration key and in pairs, birth
// dates, identifier values and their one-typo neighbourhoods) bring together the records worth
// comparing, so the work grows with the size of the blocks, not with the square of the number of
// profiles. Returns BAD_USER_INPUT when minScore is outside [0, 1] or a profile has no entity, no id
// or the id of another profile, and the context's error when it is cancelled.
func FindDuplicates(ctx context.Context, profiles []DuplicateProfile, minScore float64) ([]*DuplicateCandidate, error) {
	if math.IsNaN(minScore) || minScore < 0 || minScore > 1 {
		return nil, Invalid("minScore", "must be between 0 and 1")
	}
	byKind := map[EntityKind][]*dupRecord{}
	seen := make(map[string]bool, len(profiles))
	keys := keyCache{}
	for i, p := range profiles {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if p.Entity == nil || p.Entity.EntityMeta().ID == "" {
			return nil, Invalid(fmt.Sprintf("profiles[%d]", i), "has no entity id")
		}
		r := newDupRecord(p, keys)
		if seen[r.id] {
			return nil, Invalid(fmt.Sprintf("profiles[%d]", i), "repeats the id of another profile")
		}
		seen[r.id] = true
		byKind[r.kind] = append(byKind[r.kind], r)
	}
	var out []*DuplicateCandidate
	for _, kind := range slices.Sorted(maps.Keys(byKind)) {
		found, err := findDuplicatesOfKind(ctx, byKind[kind], minScore)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
	}
	slices.SortFunc(out, func(a, b *DuplicateCandidate) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.A, b.A), cmp.Compare(a.B, b.B))
	})
	return out, nil
}

// ---- records ----

type nameTok struct {
	s, key   string
	sid, kid int32 // interned s and key, or -1 (parts joined while comparing)
	rs       []rune
	mask     uint32  // the letters present, to rule out typos cheaply
	u        float64 // smoothed share of records with this key (see dupStats)
}

type dupIdent struct {
	kind     EntityKind
	value    string // the IdentifierValue
	val      string // its value proper, after the qualifier
	vid, qid int32  // interned kind and value, kind and qualifier
	kindNo   int8   // index of kind in IdentifierKinds
	w        *identWeight
	u        float64
}

func newDupIdent(kind EntityKind, value string) dupIdent {
	id := dupIdent{kind: kind, value: value, val: value, w: identifierWeights[kind]}
	if i := strings.LastIndexByte(value, '|'); i >= 0 {
		id.val = value[i+1:]
	}
	return id
}

type dupRecord struct {
	id       string
	kind     EntityKind
	names    [][]nameTok // names and aliases; none for a redacted record
	father   []nameTok
	birth    Date
	digits   [8]byte // YYYYMMDD
	birthY   int
	birthMD  [2]int // month, day
	birthU   float64
	gender   Gender
	genderU  float64
	nats     []string
	natU     []float64
	country  string
	countryU float64
	idents   []dupIdent // distinct, by kind
	own      *dupIdent  // the value of an identifier record
}

// keyCache remembers the transliteration keys of the name parts seen in one search: the same
// parts recur across thousands of records.
type keyCache map[string]string

func (c keyCache) key(tok string) string {
	k, ok := c[tok]
	if !ok {
		k = TransliterationKey(tok)
		c[tok] = k
	}
	return k
}

func newDupRecord(p DuplicateProfile, keys keyCache) *dupRecord {
	e := p.Entity
	r := &dupRecord{id: e.EntityMeta().ID, kind: KindOf(e)}
	redacted := e.EntityMeta().Redacted
	switch e := e.(type) {
	case *Person:
		if !redacted {
			r.names = dupNames(append([]string{e.Name}, e.Aliases...), false, keys)
			if f := dupNames([]string{e.FatherName}, false, keys); len(f) > 0 {
				r.father = f[0]
			}
		}
		if d, err := ParseDate(string(e.BirthDate)); err == nil && d != "" {
			r.birth, r.birthY = d, d.Year()
			copy(r.digits[:], string(d[:4])+string(d[5:7])+string(d[8:]))
			r.birthMD[0], _ = strconv.Atoi(string(d[5:7]))
			r.birthMD[1], _ = strconv.Atoi(string(d[8:10]))
		}
		if e.Gender == GenderMale || e.Gender == GenderFemale {
			r.gender = e.Gender
		}
		for _, n := range e.Nationalities {
			if n = strings.ToUpper(strings.TrimSpace(n)); n != "" && !slices.Contains(r.nats, n) {
				r.nats = append(r.nats, n)
			}
		}
		slices.Sort(r.nats)
	case *Organization:
		if !redacted {
			r.names = dupNames(append([]string{e.Name}, e.Aliases...), true, keys)
		}
		r.country = strings.ToUpper(strings.TrimSpace(e.Country))
	default:
		if v := duplicateIdentifierValue(e); v != "" && r.kind.IsIdentifier() {
			own := newDupIdent(r.kind, v)
			r.own = &own
		}
	}
	for _, id := range p.Identifiers {
		if id.Value != "" && id.Kind.IsIdentifier() && len(r.idents) < maxDupIdentifiers {
			r.idents = append(r.idents, newDupIdent(id.Kind, id.Value))
		}
	}
	slices.SortFunc(r.idents, func(a, b dupIdent) int {
		return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.value, b.value))
	})
	r.idents = slices.CompactFunc(r.idents, func(a, b dupIdent) bool { return a.kind == b.kind && a.value == b.value })
	// fillFrequencies sorts them again by kind number and interned value.
	return r
}

// orgGenericWords say what kind of business an organisation is, not which one: legal forms and the
// words of travel and recruitment agencies' names. They are dropped before comparing names (unless
// nothing else is left), so "Al-Madina Travels (Pvt) Ltd" and "Al Noor Travels" share only "al".
var orgGenericWords = []string{"and", "the", "of", "pvt", "private", "ltd", "limited", "co", "company",
	"corp", "corporation", "inc", "llc", "group", "travel", "travels", "tours", "tour", "agency",
	"agencies", "overseas", "employment", "promoters", "promoter", "manpower", "enterprises",
	"enterprise", "international", "intl", "services", "service", "trading", "traders", "consultants",
	"consultancy", "associates"}

// nameParticles are parts of Muslim names that carry little on their own (al-, ul-, bin, …).
var nameParticles = []string{"al", "el", "ul", "ud", "ur", "un", "bin", "bint", "ibn", "abu", "bibi"}

func dupNames(names []string, org bool, keys keyCache) [][]nameTok {
	var out [][]nameTok
	for _, n := range names {
		toks := nameTokens(n)
		if org {
			kept := slices.DeleteFunc(slices.Clone(toks), func(t string) bool { return slices.Contains(orgGenericWords, t) })
			if len(kept) > 0 {
				toks = kept
			}
		}
		if len(toks) == 0 {
			continue
		}
		toks = toks[:min(len(toks), maxDupNameTokens)]
		ts := make([]nameTok, len(toks))
		for i, t := range toks {
			ts[i] = newNameTok(t, keys.key(t))
		}
		out = append(out, ts)
		if len(out) == maxDupNames {
			break
		}
	}
	return out
}

// nameTokens is NameTokens with a shortcut for plain ASCII, which folding leaves as it is but for
// the case.
func nameTokens(s string) []string {
	if !isASCII(s) {
		return NameTokens(s)
	}
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

func newNameTok(s, key string) nameTok {
	t := nameTok{s: s, key: key, sid: -1, kid: -1, rs: []rune(s)}
	for _, r := range t.rs {
		if r >= 'a' && r <= 'z' {
			t.mask |= 1 << (r - 'a')
		} else {
			t.mask |= 1 << (26 + r%6)
		}
	}
	return t
}

// ---- value frequencies ----

// Priors of u: the share of records expected to hold a given value when the data cannot tell.
const (
	namePrior        = 1.0 / 256 // a given name part (key)
	birthDatePrior   = 1.0 / 25000
	genderPrior      = 0.5
	nationalityPrior = 0.6 // most records in this domain share a handful of nationalities
	countryPrior     = 0.3
	particleU        = 0.2 // name particles are always common
)

type dupStats struct{ n float64 }

// u is the chance that a record unrelated to one holding a value holds it as well: the share of the
// other records holding it (count less the one), smoothed towards prior.
func (s dupStats) u(count int, prior float64) float64 {
	return (float64(max(count-1, 0)) + dupPseudoRecords*prior) / (s.n + dupPseudoRecords)
}

// fillFrequencies numbers the name parts, keys and identifier values of records of one kind, so
// that comparing them is comparing integers, counts the records holding each value and stores with
// each value its smoothed u.
func fillFrequencies(recs []*dupRecord) {
	s := dupStats{n: float64(len(recs))}
	strs, keys, vals := map[string]int32{}, map[string]int32{}, map[string]int32{}
	id := func(m map[string]int32, s string) int32 {
		v, ok := m[s]
		if !ok {
			v = int32(len(m))
			m[s] = v
		}
		return v
	}
	var nameCount, fatherCount, valCount []int
	births, genders, nats, countries := map[Date]int{}, map[Gender]int{}, map[string]int{}, map[string]int{}
	// count adds one per distinct id in ids (a record counts once per value).
	count := func(counts []int, ids []int32) []int {
		slices.Sort(ids)
		for _, k := range slices.Compact(ids) {
			for int(k) >= len(counts) {
				counts = append(counts, 0)
			}
			counts[k]++
		}
		return counts
	}
	var ids []int32
	for _, r := range recs {
		ids = ids[:0]
		for _, n := range r.names {
			for i := range n {
				n[i].sid, n[i].kid = id(strs, n[i].s), id(keys, n[i].key)
				ids = append(ids, n[i].kid)
			}
		}
		nameCount = count(nameCount, ids)
		ids = ids[:0]
		for i := range r.father {
			r.father[i].sid, r.father[i].kid = id(strs, r.father[i].s), id(keys, r.father[i].key)
			ids = append(ids, r.father[i].kid)
		}
		fatherCount = count(fatherCount, ids)
		ids = ids[:0]
		for i := range r.idents {
			d := &r.idents[i]
			d.kindNo = int8(slices.Index(IdentifierKinds, d.kind))
			d.vid = id(vals, string(d.kind)+"\x00"+d.value)
			d.qid = id(vals, string(d.kind)+"\x00"+identifierQualifier(d.value)+"|")
			ids = append(ids, d.vid)
		}
		slices.SortFunc(r.idents, func(a, b dupIdent) int { return cmp.Or(cmp.Compare(a.kindNo, b.kindNo), cmp.Compare(a.vid, b.vid)) })
		valCount = count(valCount, ids)
		if r.own != nil {
			r.own.vid = id(vals, string(r.own.kind)+"\x00"+r.own.value)
		}
		if r.birth != "" {
			births[r.birth]++
		}
		if r.gender != "" {
			genders[r.gender]++
		}
		for _, n := range r.nats {
			nats[n]++
		}
		if r.country != "" {
			countries[r.country]++
		}
	}
	for _, r := range recs {
		for _, n := range r.names {
			for i := range n {
				n[i].u = tokenU(s, n[i], nameCount[n[i].kid])
			}
		}
		for i := range r.father {
			r.father[i].u = tokenU(s, r.father[i], fatherCount[r.father[i].kid])
		}
		r.birthU = s.u(births[r.birth], birthDatePrior)
		r.genderU = s.u(genders[r.gender], genderPrior)
		r.natU = make([]float64, len(r.nats))
		for i, n := range r.nats {
			r.natU[i] = s.u(nats[n], nationalityPrior)
		}
		r.countryU = s.u(countries[r.country], countryPrior)
		for i, d := range r.idents {
			r.idents[i].u = s.u(valCount[d.vid], d.w.u)
		}
	}
}

func tokenU(s dupStats, t nameTok, count int) float64 {
	u := s.u(count, namePrior)
	if slices.Contains(nameParticles, t.s) {
		u = max(u, particleU)
	}
	return u
}

// ---- comparing names ----

type tokLevel int

const (
	tokNone tokLevel = iota
	tokInitial
	tokTypo
	tokTranslit
	tokExact
)

// Name parts: m of each agreement level, and how many more unrelated name parts agree at that
// level than exactly (a transliteration key or a one-letter neighbourhood covers several names).
// A part agreeing exactly weighs log2(0.65/u) — 7.4 bits for a part held by 1 in 256 records, 1.1
// bits for "Muhammad" held by 3 in 10 — a transliteration variant log2(0.20/(1.2u)), a typo
// log2(0.10/(2u)), an initial a flat bit. A part of the shorter name that agrees with nothing weighs
// log2(0.05/0.97) (a duplicate rarely has a wholly different name part); each part only the longer
// name has (an omitted middle name, "Muhammad" left out) half a bit against.
const (
	nameMExact, nameMTranslit, nameMTypo = 0.65, 0.20, 0.10
	nameSpreadTranslit, nameSpreadTypo   = 1.2, 2.0
	initialWeight                        = 1.0
	nameDifferWeight                     = -4.3
	nameExtraWeight                      = -0.5
	nameFloor                            = -8.0
	personNameCap                        = 8.0
	fatherNameCap                        = 6.0
	orgNameCap                           = 11.0
)

func levelOf(a, b nameTok) tokLevel {
	switch {
	case a.sid >= 0 && b.sid >= 0 && a.sid == b.sid, (a.sid < 0 || b.sid < 0) && a.s == b.s:
		return tokExact
	case len(a.rs) == 1 || len(b.rs) == 1:
		if a.rs[0] == b.rs[0] {
			return tokInitial
		}
		return tokNone
	case a.kid >= 0 && b.kid >= 0 && a.kid == b.kid, (a.kid < 0 || b.kid < 0) && a.key == b.key:
		return tokTranslit
	}
	short := min(len(a.rs), len(b.rs))
	limit := 1 // one typo, or two in a long name
	if short >= 8 {
		limit = 2
	}
	// Each edit changes the presence of at most two letters: the masks rule out most pairs.
	if short >= 4 && abs(len(a.rs)-len(b.rs)) <= limit && bits.OnesCount32(a.mask^b.mask) <= 2*limit &&
		osaDistance(a.rs, b.rs, limit) <= limit {
		return tokTypo
	}
	return tokNone
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func tokenWeight(l tokLevel, a, b nameTok) float64 {
	u := max(a.u, b.u)
	var w float64
	switch l {
	case tokExact:
		w = math.Log2(nameMExact / u)
	case tokTranslit:
		w = math.Log2(nameMTranslit / (nameSpreadTranslit * u))
	case tokTypo:
		w = math.Log2(nameMTypo / (nameSpreadTypo * u))
	case tokInitial:
		w = initialWeight
	}
	return max(0, w)
}

type nameMatch struct {
	weight                                        float64
	exact, translit, typo, initial, differ, extra int
	reordered, alias                              bool
}

// compareNameSets compares every name of a with every name of b and keeps the best.
func compareNameSets(a, b [][]nameTok, limit float64) (nameMatch, bool) {
	var best nameMatch
	found := false
	for i, x := range a {
		for j, y := range b {
			m := compareNames(x, y, limit)
			m.alias = i > 0 || j > 0
			if !found || m.weight > best.weight {
				best, found = m, true
			}
		}
	}
	return best, found
}

type tokPair struct {
	i, j  int
	level tokLevel
	w     float64
}

// compareNames matches the parts of two names one to one, best pairs first, in any order (given and
// family names are often swapped), after joining adjacent parts that the other name writes as one
// ("Abdul Rehman" and "Abdulrehman").
func compareNames(x, y []nameTok, limit float64) nameMatch {
	if len(x) != len(y) {
		x, y = joinParts(x, y), joinParts(y, x)
	}
	var buf [2 * maxDupNameTokens * maxDupNameTokens]tokPair
	pairs := buf[:0]
	for i, a := range x {
		for j, b := range y {
			if l := levelOf(a, b); l != tokNone {
				pairs = append(pairs, tokPair{i, j, l, tokenWeight(l, a, b)})
			}
		}
	}
	// Insertion sort: best weight first, then the better level, then by position.
	for k := 1; k < len(pairs); k++ {
		for h := k; h > 0 && tokPairBefore(pairs[h], pairs[h-1]); h-- {
			pairs[h], pairs[h-1] = pairs[h-1], pairs[h]
		}
	}
	var usedX, usedY uint64
	var m nameMatch
	var mbuf [maxDupNameTokens]tokPair
	matched := mbuf[:0]
	for _, p := range pairs {
		if usedX&(1<<p.i) != 0 || usedY&(1<<p.j) != 0 {
			continue
		}
		usedX, usedY = usedX|1<<p.i, usedY|1<<p.j
		matched = append(matched, p)
		m.weight += p.w
		switch p.level {
		case tokExact:
			m.exact++
		case tokTranslit:
			m.translit++
		case tokTypo:
			m.typo++
		case tokInitial:
			m.initial++
		}
	}
	m.differ = min(len(x), len(y)) - len(matched)
	m.extra = abs(len(x) - len(y))
	m.weight += nameDifferWeight*float64(m.differ) + nameExtraWeight*float64(m.extra)
	m.weight = min(max(m.weight, nameFloor), limit)
	for k := range matched {
		for h := range matched {
			if matched[h].i < matched[k].i && matched[h].j > matched[k].j {
				m.reordered = true
			}
		}
	}
	return m
}

func tokPairBefore(p, q tokPair) bool {
	return cmp.Or(cmp.Compare(q.w, p.w), cmp.Compare(q.level, p.level), cmp.Compare(p.i, q.i), cmp.Compare(p.j, q.j)) < 0
}

// joinParts joins runs of two or three adjacent parts of x whose concatenation is a part of y
// (exactly or as a transliteration variant).
func joinParts(x, y []nameTok) []nameTok {
	longest := 0
	for _, t := range y {
		longest = max(longest, len(t.rs))
	}
	shortestPair := math.MaxInt
	for i := 1; i < len(x); i++ {
		shortestPair = min(shortestPair, len(x[i-1].rs)+len(x[i].rs))
	}
	if longest < shortestPair-3 { // no part of y is long enough to be two parts of x
		return x
	}
	var out []nameTok
	joined := false
	for i := 0; i < len(x); {
		n := 1
		for k := min(3, len(x)-i); k >= 2; k-- {
			var s strings.Builder
			for _, t := range x[i : i+k] {
				s.WriteString(t.s)
			}
			t := newNameTok(s.String(), TransliterationKey(s.String()))
			if slices.ContainsFunc(y, func(b nameTok) bool { return b.s == t.s || b.key == t.key }) {
				t.u = x[i].u
				for _, p := range x[i+1 : i+k] {
					t.u = min(t.u, p.u)
				}
				out, n, joined = append(out, t), k, true
				break
			}
		}
		if n == 1 {
			out = append(out, x[i])
		}
		i += n
	}
	if !joined {
		return x
	}
	return out
}

// osaDistance is the optimal string alignment distance of a and b (insertions, deletions,
// substitutions and transpositions of adjacent letters), or limit+1 when it exceeds limit.
func osaDistance(a, b []rune, limit int) int {
	if abs(len(a)-len(b)) > limit {
		return limit + 1
	}
	var buf [3][40]int
	var prev2, prev, cur []int
	if len(b) < len(buf[0]) {
		prev2, prev, cur = buf[0][:len(b)+1], buf[1][:len(b)+1], buf[2][:len(b)+1]
	} else {
		prev2, prev, cur = make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)
	}
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], limit+1)
}

// oneEditApart reports whether a and b differ by exactly one insertion, deletion, substitution or
// transposition of adjacent characters, in linear time.
func oneEditApart(a, b string) bool {
	if a == b || abs(len(a)-len(b)) > 4 {
		return false
	}
	if !isASCII(a) || !isASCII(b) {
		return osaDistance([]rune(a), []rune(b), 1) == 1
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	switch {
	case len(b) == len(a)+1:
		return a[i:] == b[i+1:]
	case len(b) != len(a):
		return false
	case a[i+1:] == b[i+1:]:
		return true
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// ---- comparing the other fields ----

// Birth dates. Exact: m 0.85 against the date's smoothed share, at most birthDateCap bits — dates of
// migrants are often estimated or defaulted, and a birth date alone must not make a duplicate. A typo
// (one digit, two adjacent digits transposed, day and month swapped): m 0.06 against about 1 in 800.
// The same year only: m 0.03 against 1 in 70. Different: m 0.06 against 0.98.
const (
	birthDateCap      = 10.0
	birthMExact       = 0.85
	birthTypoWeight   = 5.585  // log2(0.06 × 800)
	birthYearWeight   = 1.070  // log2(0.03 × 70)
	birthDifferWeight = -4.030 // log2(0.06 / 0.98)
)

// Gender (male or female on both sides): agreement m 0.98 against the gender's share, at most
// genderCap bits; disagreement m 0.02 against 0.5. Nationalities: one in common, m 0.95 against the
// rarest shared nationality's share, at most attributeCap; none in common, m 0.1 against 0.4 (people
// hold or claim several). An organisation's country likewise.
const (
	genderCap               = 1.0
	genderDifferWeight      = -4.32
	attributeCap            = 1.5
	attributeDifferWeight   = -2.0
	identifierRecordWeight  = 30.0 // identifier records with the same value: certain
	similarIdentifierRecord = 13.0 // one typo apart: more likely than not
)

// identifierWeights gives, per identifier kind, m and the prior u of a shared value, the weight of
// values one typo apart (documents, accounts, registrations, addresses and handles; never phones,
// where consecutive numbers are bought together by one network) and the weight of holding different
// values of the same type (people change phones and addresses, so that weighs little).
var identifierWeights = map[EntityKind]*identWeight{
	KindIdentityDocument: {0.9, 1e-5, 7.97, -2, "identity document"}, // log2(0.05 / 2e-4)
	KindPhone:            {0.6, 1e-3, 0, -1, "phone"},
	KindBankAccount:      {0.5, 1e-3, 2.32, -0.5, "bank account"}, // log2(0.05 / 1e-2)
	KindVehicle:          {0.3, 2e-3, 2.32, 0, "vehicle"},
	KindAddress:          {0.6, 1e-3, 4.32, -1, "address"}, // log2(0.1 / 5e-3)
	KindOnlineAccount:    {0.5, 1e-3, 2.32, -0.5, "online account"},
}

type identWeight struct {
	m, u    float64
	similar float64 // 0: not compared
	differ  float64
	noun    string
}

// ---- a pair ----

// dupField is the outcome of comparing one field; its detail is rendered only for pairs returned.
type dupField struct {
	code   DuplicateReasonCode
	weight float64
	detail string
	name   nameMatch // for NAME and FATHER_NAME
}

func newDupField(code DuplicateReasonCode, weight float64, detail string) dupField {
	return dupField{code: code, weight: weight, detail: detail}
}

func (f dupField) describe() string {
	if f.code == DuplicateReasonName || f.code == DuplicateReasonFatherName {
		return f.name.detail()
	}
	return f.detail
}

func comparePair(a, b *dupRecord, fields []dupField) []dupField {
	if a.own != nil && b.own != nil {
		noun := a.own.w.noun
		switch {
		case a.own.vid == b.own.vid:
			fields = append(fields, newDupField(DuplicateReasonSameValue, identifierRecordWeight,
				"same "+noun))
		case a.own.w.similar > 0 && len(a.own.val) >= 6 && oneEditApart(a.own.value, b.own.value):
			fields = append(fields, newDupField(DuplicateReasonSimilarValue, similarIdentifierRecord,
				noun+" values one character apart"))
		}
	}
	if len(a.names) > 0 && len(b.names) > 0 {
		limit := personNameCap
		if a.kind == KindOrganization {
			limit = orgNameCap
		}
		if m, ok := compareNameSets(a.names, b.names, limit); ok {
			fields = append(fields, dupField{code: DuplicateReasonName, weight: m.weight, name: m})
		}
	}
	if len(a.father) > 0 && len(b.father) > 0 {
		m := compareNames(a.father, b.father, fatherNameCap)
		fields = append(fields, dupField{code: DuplicateReasonFatherName, weight: m.weight, name: m})
	}
	if a.birth != "" && b.birth != "" {
		w, detail := compareBirth(a, b)
		fields = append(fields, newDupField(DuplicateReasonBirthDate, w, detail))
	}
	if a.gender != "" && b.gender != "" {
		if a.gender == b.gender {
			fields = append(fields, newDupField(DuplicateReasonGender, min(genderCap, math.Log2(0.98/a.genderU)),
				"same gender"))
		} else {
			fields = append(fields, newDupField(DuplicateReasonGender, genderDifferWeight,
				"different gender"))
		}
	}
	if len(a.nats) > 0 && len(b.nats) > 0 {
		u := 2.0
		for i, n := range a.nats {
			if slices.Contains(b.nats, n) {
				u = min(u, a.natU[i])
			}
		}
		if u <= 1 {
			fields = append(fields, newDupField(DuplicateReasonNationality, min(attributeCap, math.Log2(0.95/u)),
				"a nationality in common"))
		} else {
			fields = append(fields, newDupField(DuplicateReasonNationality, attributeDifferWeight,
				"no nationality in common"))
		}
	}
	if a.country != "" && b.country != "" {
		if a.country == b.country {
			fields = append(fields, newDupField(DuplicateReasonCountry, min(attributeCap, math.Log2(0.95/a.countryU)),
				"same country"))
		} else {
			fields = append(fields, newDupField(DuplicateReasonCountry, attributeDifferWeight,
				"different countries"))
		}
	}
	return compareIdentifiers(a, b, fields)
}

// compareIdentifiers compares, kind by kind, the identifiers of two records: a shared value (the
// rarest one counts; several shared values of one kind are not independent), else values one typo
// apart, else different values of the same type.
func compareIdentifiers(a, b *dupRecord, fields []dupField) []dupField {
	i, j := 0, 0
	for i < len(a.idents) && j < len(b.idents) {
		kind := min(a.idents[i].kindNo, b.idents[j].kindNo)
		ie, je := i, j
		for ie < len(a.idents) && a.idents[ie].kindNo == kind {
			ie++
		}
		for je < len(b.idents) && b.idents[je].kindNo == kind {
			je++
		}
		xs, ys := a.idents[i:ie], b.idents[j:je]
		i, j = ie, je
		if len(xs) == 0 || len(ys) == 0 {
			continue
		}
		wt := xs[0].w
		noun := wt.noun
		shared, similar, sameType := math.Inf(-1), false, false
		for _, x := range xs {
			for _, y := range ys {
				switch {
				case x.vid == y.vid:
					shared = max(shared, math.Log2(wt.m/max(x.u, y.u)))
				case wt.similar > 0 && len(x.val) >= 6 && oneEditApart(x.value, y.value):
					similar = true
				case x.qid == y.qid:
					sameType = true
				}
			}
		}
		switch {
		case !math.IsInf(shared, -1):
			fields = append(fields, newDupField(DuplicateReasonSharedIdentifier, shared,
				"same "+noun))
		case similar:
			fields = append(fields, newDupField(DuplicateReasonSimilarIdentifier, wt.similar,
				noun+" values one character apart"))
		case sameType && wt.differ != 0:
			fields = append(fields, newDupField(DuplicateReasonDifferentIdentifier, wt.differ,
				"different "+noun+" values"))
		}
	}
	return fields
}

// identifierQualifier is what precedes the value proper in an IdentifierValue: the document type and
// issuing country, the bank, the platform, the address's country and city.
func identifierQualifier(v string) string {
	if i := strings.LastIndexByte(v, '|'); i >= 0 {
		return v[:i]
	}
	return ""
}

func compareBirth(a, b *dupRecord) (float64, string) {
	if a.digits == b.digits {
		return min(birthDateCap, math.Log2(birthMExact/a.birthU)), "same birth date"
	}
	da, db := a.digits, b.digits
	var diff []int
	var buf [8]int
	diff = buf[:0]
	for k := range da {
		if da[k] != db[k] {
			diff = append(diff, k)
		}
	}
	switch {
	case a.birthY == b.birthY && a.birthMD[0] == b.birthMD[1] && a.birthMD[1] == b.birthMD[0]:
		return birthTypoWeight, "day and month swapped"
	case len(diff) == 1:
		return birthTypoWeight, "birth dates one digit apart"
	case len(diff) == 2 && diff[1] == diff[0]+1 && da[diff[0]] == db[diff[1]] && da[diff[1]] == db[diff[0]]:
		return birthTypoWeight, "birth dates with two digits transposed"
	case a.birthY == b.birthY:
		return birthYearWeight, "same birth year only"
	}
	return birthDifferWeight, "different birth dates"
}

func (m nameMatch) detail() string {
	matched := m.exact + m.translit + m.typo + m.initial
	if matched == 0 {
		return "names differ"
	}
	var how []string
	for _, c := range []struct {
		n    int
		what string
	}{{m.exact, "exactly"}, {m.translit, "as transliteration variant"}, {m.typo, "with a typo"},
		{m.initial, "as initial"}} {
		switch {
		case c.n == 1 && strings.HasPrefix(c.what, "as "):
			how = append(how, "1 as a "+c.what[3:])
		case c.n > 1 && strings.HasPrefix(c.what, "as "):
			how = append(how, fmt.Sprintf("%d %ss", c.n, c.what))
		case c.n > 0:
			how = append(how, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	s := fmt.Sprintf("%d name part%s agree%s: %s", matched, plural(matched), map[bool]string{true: "", false: "s"}[matched > 1],
		strings.Join(how, ", "))
	if m.differ > 0 {
		s += fmt.Sprintf("; %d differ%s", m.differ, map[bool]string{true: "", false: "s"}[m.differ > 1])
	}
	if m.extra > 0 {
		s += fmt.Sprintf("; %d in one record only", m.extra)
	}
	if m.reordered {
		s += "; word order differs"
	}
	if m.alias {
		s += "; through an alias"
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// ---- blocking and the search ----

type blockEntry struct {
	key uint64
	rec int32
}

// keyHasher hashes blocking keys with FNV-1a; a collision only adds a pair to compare.
type keyHasher uint64

func newKeyHasher(tag string) keyHasher {
	h := keyHasher(14695981039346656037)
	return h.add(tag)
}

// broadKey marks the hash of a key whose blocks are bounded by maxNameBlock; the blocks of other
// keys are bounded by maxDuplicateBlock.
const broadKey = 1 << 63

func (h keyHasher) add(s string) keyHasher {
	for i := 0; i < len(s); i++ {
		h ^= keyHasher(s[i])
		h *= 1099511628211
	}
	h ^= 0xff // separator
	h *= 1099511628211
	return h
}

// blockingKeys appends the keys of record i: each name part's transliteration key, each pair of
// them (in any order), each pair with the birth year, with the day and month of birth (a typo
// changes either the year or the rest) and with the father's name; the birth date (day and month
// in either order); each identifier value and, for kinds compared for typos, its value proper
// without the qualifier (a typo in a city) and its one-typo neighbourhood — the value proper with
// each character deleted, or for values too long for that, its first and last 11 characters, one of
// which a single typo leaves intact.
func blockingKeys(r *dupRecord, i int32, out []blockEntry) []blockEntry {
	add := func(h keyHasher) { out = append(out, blockEntry{uint64(h) &^ broadKey, i}) }
	addBroad := func(h keyHasher) { out = append(out, blockEntry{uint64(h) | broadKey, i}) }
	var father string
	if len(r.father) > 0 {
		fk := make([]string, 0, 2)
		for _, t := range r.father[:min(2, len(r.father))] {
			fk = append(fk, t.key)
		}
		slices.Sort(fk)
		father = strings.Join(fk, " ")
	}
	year := ""
	if r.birthY != 0 {
		year = strconv.Itoa(r.birthY)
	}
	monthDay := ""
	if r.birth != "" {
		monthDay = string(r.birth[5:])
	}
	for _, n := range r.names {
		var keys []string
		for _, t := range n {
			if len(t.rs) > 1 {
				keys = append(keys, t.key)
			}
		}
		slices.Sort(keys)
		keys = slices.Compact(keys)
		var combos []keyHasher // each pair of name parts, or the only one
		for x, k := range keys {
			addBroad(newKeyHasher("t").add(k))
			for _, k2 := range keys[x+1:] {
				combos = append(combos, newKeyHasher("p").add(k).add(k2))
			}
		}
		if len(keys) == 1 {
			combos = append(combos, newKeyHasher("p").add(keys[0]))
		}
		for _, p := range combos {
			addBroad(p)
			if year != "" {
				add(p.add("y").add(year))
				add(p.add("m").add(monthDay))
			}
			if father != "" {
				add(p.add("f").add(father))
			}
		}
	}
	if r.birth != "" {
		md := []int{r.birthMD[0], r.birthMD[1]}
		slices.Sort(md)
		add(newKeyHasher("b").add(fmt.Sprint(r.birthY, md[0], md[1])))
	}
	addValue := func(id *dupIdent) {
		add(newKeyHasher("i").add(string(id.kind)).add(id.value))
		v := id.val
		if id.w.similar == 0 || len(v) < 6 {
			return
		}
		add(newKeyHasher("v").add(string(id.kind)).add(v)) // a typo in the qualifier
		near := newKeyHasher("n").add(string(id.kind)).add(identifierQualifier(id.value))
		rs := []rune(v)
		if len(rs) <= 26 {
			add(near.add(v))
			for k := range rs {
				add(near.add(string(rs[:k]) + string(rs[k+1:])))
			}
		}
		if len(rs) >= 24 {
			add(near.add("<").add(string(rs[:11])))
			add(near.add(">").add(string(rs[len(rs)-11:])))
		}
	}
	if r.own != nil {
		addValue(r.own)
	}
	for i := range r.idents {
		addValue(&r.idents[i])
	}
	return out
}

func findDuplicatesOfKind(ctx context.Context, recs []*dupRecord, minScore float64) ([]*DuplicateCandidate, error) {
	if len(recs) < 2 {
		return nil, nil
	}
	// Canonical order by id, so that the answer does not depend on the order of the profiles.
	slices.SortFunc(recs, func(a, b *dupRecord) int { return cmp.Compare(a.id, b.id) })
	fillFrequencies(recs)
	entries := make([]blockEntry, 0, 32*len(recs))
	for i, r := range recs {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		entries = blockingKeys(r, int32(i), entries)
	}
	entries = sortBlockEntries(entries)
	entries = slices.Compact(entries)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Blocks of 2 to maxDuplicateBlock records, and for each record the blocks it is in.
	var starts []int32 // block b is entries[starts[2b]:starts[2b+1]]
	perRec := make([]int32, len(recs)+1)
	for s := 0; s < len(entries); {
		e := s + 1
		for e < len(entries) && entries[e].key == entries[s].key {
			e++
		}
		limit := maxDuplicateBlock
		if entries[s].key&broadKey != 0 {
			limit = maxNameBlock
		}
		if n := e - s; n >= 2 && n <= limit {
			starts = append(starts, int32(s), int32(e))
			for _, m := range entries[s:e] {
				perRec[m.rec+1]++
			}
		}
		s = e
	}
	for i := 1; i < len(perRec); i++ {
		perRec[i] += perRec[i-1]
	}
	recBlocks := make([]int32, perRec[len(recs)])
	fill := slices.Clone(perRec[:len(recs)])
	for b := 0; b < len(starts)/2; b++ {
		for _, m := range entries[starts[2*b]:starts[2*b+1]] {
			recBlocks[fill[m.rec]] = int32(b)
			fill[m.rec]++
		}
	}

	const chunk = 256
	var next atomic.Int64
	workers := min(runtime.GOMAXPROCS(0), (len(recs)+chunk-1)/chunk)
	results := make([][]*DuplicateCandidate, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			stamp := make([]int32, len(recs))
			for k := range stamp {
				stamp[k] = -1
			}
			var fields []dupField
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= len(recs) || ctx.Err() != nil {
					return
				}
				for i := lo; i < min(lo+chunk, len(recs)); i++ {
					for _, b := range recBlocks[perRec[i]:perRec[i+1]] {
						members := entries[starts[2*b]:starts[2*b+1]]
						k, _ := slices.BinarySearchFunc(members, int32(i+1), func(e blockEntry, t int32) int { return cmp.Compare(e.rec, t) })
						for _, m := range members[k:] {
							if stamp[m.rec] == int32(i) {
								continue
							}
							stamp[m.rec] = int32(i)
							fields = comparePair(recs[i], recs[m.rec], fields[:0])
							if c := candidate(recs[i], recs[m.rec], fields, minScore); c != nil {
								results[w] = append(results[w], c)
							}
						}
					}
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []*DuplicateCandidate
	for _, r := range results {
		out = append(out, r...)
	}
	return out, nil
}

// sortBlockEntries sorts entries by key, keeping records in the order they were added (increasing),
// with a least-significant-digit radix sort: stable, and linear in the number of entries.
func sortBlockEntries(entries []blockEntry) []blockEntry {
	tmp := make([]blockEntry, len(entries))
	for shift := 0; shift < 64; shift += 16 {
		var counts [1 << 16]int
		for _, e := range entries {
			counts[(e.key>>shift)&0xffff]++
		}
		sum := 0
		for k, c := range counts {
			counts[k] = sum
			sum += c
		}
		for _, e := range entries {
			d := (e.key >> shift) & 0xffff
			tmp[counts[d]] = e
			counts[d]++
		}
		entries, tmp = tmp, entries
	}
	return entries
}

// candidate returns the pair with its reasons when it scores at least minScore, else nil.
func candidate(a, b *dupRecord, fields []dupField, minScore float64) *DuplicateCandidate {
	total := 0.0
	for _, f := range fields {
		total += f.weight
	}
	score := math.Round(1e4/(1+math.Exp2(duplicateThreshold-total))) / 1e4
	if score < minScore || len(fields) == 0 {
		return nil
	}
	c := &DuplicateCandidate{Kind: a.kind, A: a.id, B: b.id, Score: score, Weight: math.Round(total*100) / 100,
		Reasons: make([]DuplicateReason, len(fields))}
	for k, f := range fields {
		c.Reasons[k] = DuplicateReason{Code: f.code, Detail: f.describe(), Weight: math.Round(f.weight*100) / 100}
	}
	return c
}
