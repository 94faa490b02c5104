package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/sarhad/sarhad"
)

// stamp is the creation and update time of every demo record, so that the dataset does not depend
// on when it is built.
var stamp = time.Date(2024, time.July, 1, 0, 0, 0, 0, time.UTC)

// asOf is the day the demo data describes: no case decision or response is later than it.
const asOf = sarhad.Date("2024-06-30")

// author is CreatedBy and UpdatedBy of every demo record.
const author = "seed"

// builder accumulates the dataset. It panics on a record that does not validate: the dataset is
// code, and an invalid record is a bug in it that the tests catch.
type builder struct {
	rng    *rand.Rand
	cs     sarhad.ChangeSet
	byID   map[string]sarhad.Entity
	relSeq map[string]int
}

func newBuilder() *builder {
	return &builder{
		rng:    rand.New(rand.NewPCG(0x5a4b4144, 20230614)),
		byID:   map[string]sarhad.Entity{},
		relSeq: map[string]int{},
	}
}

// put adds an entity under the stable id derived from its kind and key, and returns that id.
func (b *builder) put(key string, e sarhad.Entity, h sarhad.Handling, sources ...string) string {
	kind := sarhad.KindOf(e)
	m := e.EntityMeta()
	m.Kind = kind
	if kind == sarhad.KindCountry {
		m.ID = sarhad.CountryID(e.(*sarhad.Country).Alpha3)
	} else {
		m.ID = sarhad.StableID(kind, key)
	}
	if _, dup := b.byID[m.ID]; dup {
		panic(fmt.Sprintf("demo: duplicate %s %q", kind, key))
	}
	if err := sarhad.Normalize(e, ""); err != nil {
		panic(fmt.Sprintf("demo: %s %q: %v", kind, key, err))
	}
	if err := sarhad.NormalizeHandling(&h, ""); err != nil {
		panic(fmt.Sprintf("demo: %s %q: handling: %v", kind, key, err))
	}
	m.Handling = h
	m.SourceIDs = compactSources(sources)
	m.CreatedAt, m.CreatedBy, m.UpdatedAt, m.UpdatedBy = stamp, author, stamp, author
	b.byID[m.ID] = e
	b.cs.Put = append(b.cs.Put, e)
	return m.ID
}

// link adds a relationship whose handling is derived from its ends (see relHandling).
func (b *builder) link(t sarhad.RelationType, from, to string, p sarhad.RelationProps, sources ...string) string {
	return b.linkH(t, from, to, p, nil, sources...)
}

// linkH adds a relationship with an explicit handling, or the one derived from its ends when h is nil.
func (b *builder) linkH(t sarhad.RelationType, from, to string, p sarhad.RelationProps, h *sarhad.Handling, sources ...string) string {
	fe, te := b.byID[from], b.byID[to]
	if fe == nil || te == nil {
		panic(fmt.Sprintf("demo: %s %s -> %s: missing end", t, from, to))
	}
	seqKey := string(t) + "|" + from + "|" + to
	n := b.relSeq[seqKey]
	b.relSeq[seqKey] = n + 1
	r := &sarhad.Relationship{Type: t, From: from, To: to, RelationProps: p}
	r.ID = sarhad.StableID("", fmt.Sprintf("%s|%d", seqKey, n))
	fk, tk := fe.EntityMeta().Kind, te.EntityMeta().Kind
	if err := sarhad.NormalizeRelationship(r, fk, tk, ""); err != nil {
		panic(fmt.Sprintf("demo: %s %s -> %s: %v", t, fe.DisplayName(), te.DisplayName(), err))
	}
	if h != nil {
		r.Handling = *h
	} else {
		r.Handling = relHandling(fe.EntityMeta().Handling, te.EntityMeta().Handling)
	}
	if err := sarhad.NormalizeHandling(&r.Handling, ""); err != nil {
		panic(fmt.Sprintf("demo: %s %s: handling: %v", t, r.ID, err))
	}
	if v := orgViewer(r.Handling.OriginatorOrg, r.Handling.OriginatorCountry); !fe.EntityMeta().Handling.Visible(v) ||
		!te.EntityMeta().Handling.Visible(v) {
		panic(fmt.Sprintf("demo: %s %s -> %s: originator %s cannot see both ends", t, fe.DisplayName(), te.DisplayName(),
			r.Handling.OriginatorOrg))
	}
	r.SourceIDs = compactSources(sources)
	r.CreatedAt, r.CreatedBy, r.UpdatedAt, r.UpdatedBy = stamp, author, stamp, author
	b.cs.Link = append(b.cs.Link, r)
	return r.ID
}

func compactSources(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// orgViewer is an investigator of organisation org, for checking what that organisation sees.
func orgViewer(org, country string) *sarhad.Viewer {
	return &sarhad.Viewer{Subject: "check", Org: org, Country: country, Roles: []sarhad.Role{sarhad.RoleInvestigator}}
}

// tlpRank orders markings from most (0) to least restrictive.
func tlpRank(t sarhad.TLP) int { return slices.Index(sarhad.TLPs, t) }

// relHandling derives the handling of a relationship from the handling of its ends: the stricter
// marking, released only where both ends are released, originated by an organisation that sees both
// ends (the originator of the first end when it can, otherwise that of the second). A relationship
// so marked never shows a viewer an end they may not see.
func relHandling(a, b sarhad.Handling) sarhad.Handling {
	if a.TLP == sarhad.TLPClear && b.TLP != sarhad.TLPClear {
		a, b = b, a
	}
	h := sarhad.Handling{OriginatorOrg: a.OriginatorOrg, OriginatorCountry: a.OriginatorCountry, TLP: a.TLP}
	if b.TLP != sarhad.TLPClear {
		if !b.Visible(orgViewer(a.OriginatorOrg, a.OriginatorCountry)) && a.Visible(orgViewer(b.OriginatorOrg, b.OriginatorCountry)) {
			h.OriginatorOrg, h.OriginatorCountry = b.OriginatorOrg, b.OriginatorCountry
		}
		if tlpRank(b.TLP) < tlpRank(h.TLP) {
			h.TLP = b.TLP
		}
	}
	switch {
	case a.TLP == sarhad.TLPClear:
		h.ReleasableTo = nil
	case b.TLP == sarhad.TLPClear:
		h.ReleasableTo = slices.Clone(a.ReleasableTo)
	default:
		for _, c := range a.ReleasableTo {
			if slices.Contains(b.ReleasableTo, c) {
				h.ReleasableTo = append(h.ReleasableTo, c)
			}
		}
	}
	if h.TLP == sarhad.TLPRed || h.TLP == sarhad.TLPAmberStrict || h.TLP == sarhad.TLPClear {
		h.ReleasableTo = nil
	}
	return h
}

// handling returns a marking originated by org (an organisation code of orgCountry) released to the
// given countries; RED, AMBER+STRICT and CLEAR records carry no release list.
func handling(org string, tlp sarhad.TLP, releasableTo ...string) sarhad.Handling {
	h := sarhad.Handling{OriginatorOrg: org, OriginatorCountry: orgCountry(org), TLP: tlp}
	if tlp == sarhad.TLPAmber || tlp == sarhad.TLPGreen {
		h.ReleasableTo = slices.Clone(releasableTo)
	}
	return h
}

// reference is the handling of reference data: clear, maintained by the Sarhad project.
func reference() sarhad.Handling { return handling(OrgSarhad, sarhad.TLPClear) }

// --- randomness helpers -------------------------------------------------------------------------

func pick[T any](b *builder, xs []T) T { return xs[b.rng.IntN(len(xs))] }

func (b *builder) chance(p float64) bool { return b.rng.Float64() < p }

// between returns an integer in [lo, hi].
func (b *builder) between(lo, hi int) int { return lo + b.rng.IntN(hi-lo+1) }

// weighted picks from xs with the given weights.
func weighted[T any](b *builder, xs []T, weights []int) T {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := b.rng.IntN(total)
	for i, w := range weights {
		if n < w {
			return xs[i]
		}
		n -= w
	}
	return xs[len(xs)-1]
}

// sample returns k distinct items of xs (all of them when k ≥ len(xs)), in a random order.
func sample[T any](b *builder, xs []T, k int) []T {
	idx := b.rng.Perm(len(xs))
	k = min(k, len(xs))
	out := make([]T, k)
	for i := range k {
		out[i] = xs[idx[i]]
	}
	return out
}

// subset returns a non-empty random subset of xs, in the order of xs.
func subset[T any](b *builder, xs []T) []T {
	if len(xs) == 0 {
		return nil
	}
	for {
		var out []T
		for _, x := range xs {
			if b.chance(0.6) {
				out = append(out, x)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
}

// --- dates ----------------------------------------------------------------------------------------

func day(y int, m time.Month, d int) sarhad.Date {
	return sarhad.Date(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly))
}

func parse(d sarhad.Date) time.Time {
	t, err := time.Parse(time.DateOnly, string(d))
	if err != nil {
		panic("demo: bad date " + string(d))
	}
	return t
}

func addDays(d sarhad.Date, n int) sarhad.Date {
	return sarhad.Date(parse(d).AddDate(0, 0, n).Format(time.DateOnly))
}

func daysBetween(a, b sarhad.Date) int { return int(parse(b).Sub(parse(a)).Hours() / 24) }

// dateIn returns a random date in [from, to].
func (b *builder) dateIn(from, to sarhad.Date) sarhad.Date {
	return addDays(from, b.rng.IntN(daysBetween(from, to)+1))
}

func minDate(a, b sarhad.Date) sarhad.Date {
	if a < b {
		return a
	}
	return b
}

func maxDate(a, b sarhad.Date) sarhad.Date {
	if a > b {
		return a
	}
	return b
}
