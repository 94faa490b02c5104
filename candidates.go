package sarhad

import (
	"context"
	"math"
)

// DuplicateQuery asks for a page of the probable duplicates among the visible records of one kind.
type DuplicateQuery struct {
	Kind     EntityKind
	MinScore float64 // 0…1
	First    int     // 1…MaxPageSize
	Offset   int     // candidates to skip
}

// DuplicatePage is a page of duplicate candidates with the total count.
type DuplicatePage struct {
	Candidates  []*DuplicateCandidate
	TotalCount  int
	HasNextPage bool
}

// DuplicateCandidates compares the visible records of q.Kind (see FindDuplicates) with the
// identifiers they hold, and returns a page of the pairs scoring at least q.MinScore, highest first.
// Records merged away (the start of a SAME_AS) and pairs already tied by SAME_AS are left out. A
// victim the viewer sees only under a pseudonym is compared without names, so a pseudonym never
// makes a pair. COMPLEXITY_LIMIT_EXCEEDED when more than MaxScanEntities records of the kind are
// visible.
func (s *Service) DuplicateCandidates(ctx context.Context, q DuplicateQuery) (*DuplicatePage, error) {
	if _, err := s.viewer(ctx, false); err != nil {
		return nil, err
	}
	switch {
	case !q.Kind.Valid():
		return nil, Invalid("kind", "not an entity kind")
	case math.IsNaN(q.MinScore) || q.MinScore < 0 || q.MinScore > 1:
		return nil, Invalid("minScore", "must be between 0 and 1")
	case q.First < 1 || q.First > MaxPageSize:
		return nil, Invalid("first", "must be between 1 and %d", MaxPageSize)
	case q.Offset < 0:
		return nil, Invalid("after", "not a cursor from this list")
	}
	records, err := s.scan(ctx, q.Kind, nil, MaxScanEntities, "duplicate detection compares at most that many records")
	if err != nil {
		return nil, err
	}
	ids := idsOf(records)
	same, err := s.relatedEnds(ctx, ids, DirBoth, RelSameAs)
	if err != nil {
		return nil, err
	}
	mergedAway := map[string]bool{}
	tied := map[[2]string]bool{}
	for _, r := range same {
		mergedAway[r.From] = true
		tied[pairOf(r.From, r.To)] = true
	}
	held := map[string][]string{}
	var identifierIDs []string
	if !q.Kind.IsIdentifier() {
		holds, err := s.relatedEnds(ctx, ids, DirOut, HolderTypes...)
		if err != nil {
			return nil, err
		}
		for _, r := range holds {
			held[r.From] = append(held[r.From], r.To)
			identifierIDs = append(identifierIDs, r.To)
		}
	}
	identifiers, err := s.load(ctx, identifierIDs)
	if err != nil {
		return nil, err
	}
	profiles := make([]DuplicateProfile, 0, len(records))
	for _, e := range records {
		id := e.EntityMeta().ID
		if mergedAway[id] {
			continue
		}
		var ids []Entity
		for _, i := range held[id] {
			if e := identifiers[i]; e != nil {
				ids = append(ids, e)
			}
		}
		profiles = append(profiles, NewDuplicateProfile(e, ids...))
	}
	found, err := FindDuplicates(ctx, profiles, q.MinScore)
	if err != nil {
		return nil, err
	}
	candidates := make([]*DuplicateCandidate, 0, len(found))
	for _, c := range found {
		if !tied[pairOf(c.A, c.B)] {
			candidates = append(candidates, c)
		}
	}
	page := &DuplicatePage{TotalCount: len(candidates)}
	if q.Offset < len(candidates) {
		end := min(len(candidates), q.Offset+q.First)
		page.Candidates, page.HasNextPage = candidates[q.Offset:end], end < len(candidates)
	}
	return page, nil
}
