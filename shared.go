package sarhad

import (
	"cmp"
	"context"
	"slices"
)

// Shared identifiers tie people together: the same phone, account, document, address, vehicle or
// online account held by several persons or organisations, possibly recorded more than once by
// different agencies. Records of one identifier meet under their IdentifierValue (phones in E.164).

// Bounds and defaults of SharedIdentifiers.
const (
	DefaultMinHolders        = 2
	DefaultSharedIdentifiers = 50
)

// SharedIdentifierQuery selects the identifiers compared.
type SharedIdentifierQuery struct {
	Kinds      []EntityKind // identifier kinds; empty: every one
	MinHolders int
	First      int
}

// SharedIdentifier is one identifier value held by several persons or organisations.
type SharedIdentifier struct {
	Kind  EntityKind
	Value string // the IdentifierValue the records share
	// Records: the identifier records with that value, by id (more than one when it was recorded
	// more than once).
	Records []Entity
	// Holders: every visible tie of a person or organisation to one of the records, by holder id
	// then relationship id.
	Holders []*IdentifierHolder
	// HolderCount: distinct holders.
	HolderCount int
}

// IdentifierHolder is a person or organisation holding an identifier record, and how.
type IdentifierHolder struct {
	Holder       Entity
	Identifier   Entity
	Relationship *Relationship
}

// SharedIdentifiers returns the visible identifiers of q.Kinds held, through USES, HOLDS_DOCUMENT,
// LIVES_AT or OWNS, by at least q.MinHolders distinct visible persons or organisations: most holders
// first, then by kind and value; the first q.First. Identifiers a victim holds are hidden from
// viewers who may not see the victim's identifying details, so they never appear for them.
// BAD_USER_INPUT for arguments out of range, COMPLEXITY_LIMIT_EXCEEDED when more than
// MaxScanEntities identifiers of a kind are visible.
func (s *Service) SharedIdentifiers(ctx context.Context, q SharedIdentifierQuery) ([]*SharedIdentifier, error) {
	if _, err := s.viewer(ctx, false); err != nil {
		return nil, err
	}
	release, err := s.aggregate(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	switch {
	case q.MinHolders < 2 || q.MinHolders > MaxNetworkEntities:
		return nil, Invalid("minHolders", "must be between 2 and %d", MaxNetworkEntities)
	case q.First < 1 || q.First > MaxPageSize:
		return nil, Invalid("first", "must be between 1 and %d", MaxPageSize)
	}
	kinds := q.Kinds
	if len(kinds) == 0 {
		kinds = IdentifierKinds
	}
	for i, k := range kinds {
		if !k.IsIdentifier() {
			return nil, Invalid("kinds", "kinds[%d] is not an identifier kind", i)
		}
	}
	type group struct {
		kind     EntityKind
		value    string
		records  []Entity
		holders  []*IdentifierHolder
		distinct map[string]bool
	}
	groups := map[string]*group{}
	byRecord := map[string]*group{}
	var records []Entity
	for _, k := range slices.Compact(slices.Sorted(slices.Values(kinds))) {
		found, err := s.scan(ctx, k, nil, MaxScanEntities, "choose fewer kinds")
		if err != nil {
			return nil, err
		}
		records = append(records, found...)
	}
	for _, e := range records {
		value := IdentifierValue(e)
		if value == "" {
			continue
		}
		key := string(KindOf(e)) + "\x00" + value
		g := groups[key]
		if g == nil {
			g = &group{kind: KindOf(e), value: value, distinct: map[string]bool{}}
			groups[key] = g
		}
		g.records = append(g.records, e)
		byRecord[e.EntityMeta().ID] = g
	}
	rels, err := s.related(ctx, sortedKeys(byRecord), DirIn, HolderTypes...)
	if err != nil {
		return nil, err
	}
	for _, r := range rels {
		g := byRecord[r.To]
		if g == nil || !(isKind(r.From, KindPerson) || isKind(r.From, KindOrganization)) {
			continue
		}
		g.distinct[r.From] = true
		g.holders = append(g.holders, &IdentifierHolder{Relationship: r})
	}
	var shared []*group
	for _, g := range groups {
		if len(g.distinct) >= q.MinHolders {
			shared = append(shared, g)
		}
	}
	slices.SortFunc(shared, func(a, b *group) int {
		return cmp.Or(cmp.Compare(len(b.distinct), len(a.distinct)), cmp.Compare(a.kind, b.kind), cmp.Compare(a.value, b.value))
	})
	shared = shared[:min(len(shared), q.First)]
	var holderIDs []string
	for _, g := range shared {
		holderIDs = append(holderIDs, sortedKeys(g.distinct)...)
	}
	holders, err := s.load(ctx, holderIDs)
	if err != nil {
		return nil, err
	}
	out := make([]*SharedIdentifier, 0, len(shared))
	for _, g := range shared {
		recs := map[string]Entity{}
		for _, e := range g.records {
			recs[e.EntityMeta().ID] = e
		}
		si := &SharedIdentifier{Kind: g.kind, Value: g.value, Holders: []*IdentifierHolder{}}
		for _, id := range sortedKeys(recs) {
			si.Records = append(si.Records, recs[id])
		}
		for _, h := range g.holders {
			if holders[h.Relationship.From] == nil {
				continue // removed since the scan
			}
			h.Holder, h.Identifier = holders[h.Relationship.From], recs[h.Relationship.To]
			si.Holders = append(si.Holders, h)
		}
		slices.SortFunc(si.Holders, func(a, b *IdentifierHolder) int {
			return cmp.Or(cmp.Compare(a.Holder.EntityMeta().ID, b.Holder.EntityMeta().ID), cmp.Compare(a.Relationship.ID, b.Relationship.ID))
		})
		distinct := map[string]bool{}
		for _, h := range si.Holders {
			distinct[h.Holder.EntityMeta().ID] = true
		}
		if si.HolderCount = len(distinct); si.HolderCount >= q.MinHolders {
			out = append(out, si)
		}
	}
	return out, nil
}
