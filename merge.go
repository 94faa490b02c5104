package sarhad

import (
	"cmp"
	"context"
	"slices"
)

// Merging resolves a duplicate: the same person (or organisation, phone…) recorded twice. The
// relationships and sources of the merged record move to the kept one, and a SAME_AS relationship
// from the merged record to the kept one says who merged them and when (its envelope) and what moved
// (its Merge record), so that Unmerge can put everything back. The merged record itself stays, tied
// by SAME_AS, so that references to its id from other systems still resolve.

// MergeRecord is what a merge moved, kept in the SAME_AS relationship it created.
type MergeRecord struct {
	// Moved: for each relationship moved, its id before and after, and which end was the merged
	// record ("from" or "to").
	Moved []MovedTie `json:"moved,omitempty"`
	// Sources: the source ids added to the kept record.
	Sources []string `json:"sources,omitempty"`
}

// MovedTie is one relationship a merge moved.
type MovedTie struct {
	Old string `json:"old"`
	New string `json:"new"`
	End string `json:"end"`
}

// MergeResult is the outcome of a merge or unmerge.
type MergeResult struct {
	Kept, Merged Entity
	SameAs       *Relationship // the SAME_AS written by a merge, or removed by an unmerge
	Moved        int           // relationships moved
}

// Merge moves every relationship of merge that the viewer can see to keep (except those joining the
// two, which stay as they are), adds merge's sources to keep, and records a SAME_AS from merge to
// keep, all in one atomic change. Both records must be of one kind, visible and editable by the
// viewer, and not protected victims the viewer sees only under a pseudonym; every moved
// relationship must be editable by the viewer (FORBIDDEN otherwise: an administrator can merge
// records that other organisations tied). A victim's record merges only into another victim's
// (FORBIDDEN otherwise): the phones, documents and cases it moves would leave the victim's
// protection. Into a victim's record merges only another victim's (BAD_USER_INPUT otherwise): the
// merged record stays, tied to the victim's, and its name must be protected too. CONFLICT when
// merge is already merged into keep, whoever merged them.
func (s *Service) Merge(ctx context.Context, keepID, mergeID string) (*MergeResult, error) {
	v, keep, merge, err := s.mergePair(ctx, keepID, mergeID)
	if err != nil {
		return nil, err
	}
	if IsVictim(merge) && !IsVictim(keep) {
		return nil, Errorf(EFORBIDDEN, "%s is a victim's record and %s is not: merge them the other way, keeping the victim's record", mergeID, keepID)
	}
	if IsVictim(keep) && !IsVictim(merge) {
		// The merged record stays, tied to the victim's by SAME_AS: under its own name it would
		// tell who the victim is.
		return nil, Errorf(EINVALID, "%s is a victim's record and %s is not: record %s as a victim first "+
			"(victim details, empty when none are known), so that its name stays protected", keepID, mergeID, mergeID)
	}
	sameAsID := StableID("", "same-as\x00"+mergeID+"\x00"+keepID)
	// Looked up past the policy: a SAME_AS of another organisation's merge may be hidden from the
	// viewer, and writing it again would fail naming its id.
	if found, err := s.Store.RelationshipsByID(NewContext(ctx, SystemViewer()), []string{sameAsID}); err != nil {
		return nil, err
	} else if found[0] != nil {
		return nil, Errorf(ECONFLICT, "%s is already merged into %s", mergeID, keepID)
	}
	rels, err := s.Store.Relationships(ctx, RelationshipQuery{Anchors: []string{mergeID}, Direction: DirBoth})
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	cs := &ChangeSet{}
	rec := &MergeRecord{}
	for _, r := range rels {
		if r.Type == RelSameAs || r.From == keepID || r.To == keepID {
			continue
		}
		if !CanEdit(v, r.Handling) {
			return nil, Errorf(EFORBIDDEN, "relationship %s of %s was recorded by another organisation; an administrator may merge these records", r.ID, mergeID)
		}
		moved := *r
		moved.ID = StableID("", "merged\x00"+r.ID+"\x00"+keepID)
		end := "from"
		if r.From == mergeID {
			moved.From = keepID
		} else {
			moved.To, end = keepID, "to"
		}
		moved.UpdatedAt, moved.UpdatedBy = now, v.Subject
		cs.Link = append(cs.Link, &moved)
		cs.Unlink = append(cs.Unlink, r.ID)
		rec.Moved = append(rec.Moved, MovedTie{Old: r.ID, New: moved.ID, End: end})
	}
	km := keep.EntityMeta()
	for _, src := range merge.EntityMeta().SourceIDs {
		if !slices.Contains(km.SourceIDs, src) {
			km.SourceIDs = append(km.SourceIDs, src)
			rec.Sources = append(rec.Sources, src)
		}
	}
	if len(rec.Sources) > 0 {
		km.UpdatedAt, km.UpdatedBy = now, v.Subject
		cs.Put = append(cs.Put, keep)
	}
	sameAs := &Relationship{Type: RelSameAs, From: mergeID, To: keepID,
		RelationProps: RelationProps{Date: Date(now.Format("2006-01-02")), Merge: rec}}
	sameAs.ID, sameAs.Handling = sameAsID, narrowest(v, keep.EntityMeta().Handling, merge.EntityMeta().Handling)
	sameAs.CreatedAt, sameAs.CreatedBy, sameAs.UpdatedAt, sameAs.UpdatedBy = now, v.Subject, now, v.Subject
	cs.Link = append(cs.Link, sameAs)
	if _, err := s.Store.Apply(ctx, cs); err != nil {
		return nil, err
	}
	return s.mergeResult(ctx, keepID, mergeID, sameAs, len(rec.Moved))
}

// Unmerge undoes the merge of merge into keep: the relationships it moved that still exist go back
// to merge with their old ids, the sources it added leave keep, and the SAME_AS goes. What was
// added to keep since the merge stays with keep. NOT_FOUND when no such merge is visible.
// FORBIDDEN when the viewer may not see or change every moved relationship that still exists:
// leaving one on keep would lose it for good, with the record of where it came from gone.
// CONFLICT while keep is itself merged into another record: the later merge moved the
// relationships on, and must be undone first.
func (s *Service) Unmerge(ctx context.Context, keepID, mergeID string) (*MergeResult, error) {
	v, keep, _, err := s.mergePair(ctx, keepID, mergeID)
	if err != nil {
		return nil, err
	}
	found, err := s.Store.RelationshipsByID(ctx, []string{StableID("", "same-as\x00"+mergeID+"\x00"+keepID)})
	if err != nil {
		return nil, err
	}
	sameAs := found[0]
	if sameAs == nil || sameAs.Merge == nil {
		return nil, Errorf(ENOTFOUND, "%s is not merged into %s", mergeID, keepID)
	}
	if !CanEdit(v, sameAs.Handling) {
		return nil, Errorf(EFORBIDDEN, "you may not undo this merge")
	}
	newIDs := make([]string, len(sameAs.Merge.Moved))
	for i, m := range sameAs.Merge.Moved {
		newIDs[i] = m.New
	}
	moved, err := s.Store.RelationshipsByID(ctx, newIDs)
	if err != nil {
		return nil, err
	}
	// What the viewer cannot see is looked up past the policy, to tell a relationship removed since
	// the merge from one hidden from the viewer; only whether any exists is told.
	internal := NewContext(ctx, SystemViewer())
	var unseen []string
	for i, r := range moved {
		if r == nil {
			unseen = append(unseen, newIDs[i])
		}
	}
	if hidden, err := s.Store.RelationshipsByID(internal, unseen); err != nil {
		return nil, err
	} else if slices.ContainsFunc(hidden, func(r *Relationship) bool { return r != nil }) {
		return nil, Errorf(EFORBIDDEN, "this merge moved relationships you may not see or change; an administrator of the organisations that recorded them may undo it")
	}
	onward, err := s.Store.Relationships(internal, RelationshipQuery{Anchors: []string{keepID}, Direction: DirOut, Types: []RelationType{RelSameAs}})
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(onward, func(r *Relationship) bool { return r.Merge != nil }) { // keep's own, DirOut
		return nil, Errorf(ECONFLICT, "%s has since been merged into another record; undo that merge first", keepID)
	}
	now := s.Now().UTC()
	cs := &ChangeSet{Unlink: []string{sameAs.ID}}
	restored := 0
	for i, r := range moved {
		if r == nil {
			continue // removed since the merge
		}
		if !CanEdit(v, r.Handling) {
			return nil, Errorf(EFORBIDDEN, "relationship %s was recorded by another organisation; an administrator may undo this merge", r.ID)
		}
		m := sameAs.Merge.Moved[i]
		back := *r
		back.ID = m.Old
		if m.End == "from" {
			back.From = mergeID
		} else {
			back.To = mergeID
		}
		back.UpdatedAt, back.UpdatedBy = now, v.Subject
		cs.Link = append(cs.Link, &back)
		cs.Unlink = append(cs.Unlink, r.ID)
		restored++
	}
	km := keep.EntityMeta()
	if n := len(km.SourceIDs); n > 0 {
		km.SourceIDs = slices.DeleteFunc(km.SourceIDs, func(id string) bool { return slices.Contains(sameAs.Merge.Sources, id) })
		if len(km.SourceIDs) != n {
			km.UpdatedAt, km.UpdatedBy = now, v.Subject
			cs.Put = append(cs.Put, keep)
		}
	}
	if _, err := s.Store.Apply(ctx, cs); err != nil {
		return nil, err
	}
	return s.mergeResult(ctx, keepID, mergeID, sameAs, restored)
}

// mergePair checks the viewer may merge the two records and returns them.
func (s *Service) mergePair(ctx context.Context, keepID, mergeID string) (*Viewer, Entity, Entity, error) {
	v, err := s.viewer(ctx, true)
	if err != nil {
		return nil, nil, nil, err
	}
	if keepID == mergeID {
		return nil, nil, nil, Invalid("input.merge", "must differ from keep")
	}
	keep, err := s.entity(ctx, "input.keep", keepID)
	if err != nil {
		return nil, nil, nil, err
	}
	merge, err := s.entity(ctx, "input.merge", mergeID)
	if err != nil {
		return nil, nil, nil, err
	}
	if KindOf(keep) != KindOf(merge) {
		return nil, nil, nil, Invalid("input.merge", "is a %s, keep a %s", KindOf(merge).Label(), KindOf(keep).Label())
	}
	for _, e := range []Entity{keep, merge} {
		m := e.EntityMeta()
		if m.Redacted {
			return nil, nil, nil, Errorf(EFORBIDDEN, "you may not merge a protected victim's record")
		}
		if !CanEdit(v, m.Handling) {
			return nil, nil, nil, Errorf(EFORBIDDEN, "you may not edit %s", m.ID)
		}
	}
	return v, keep, merge, nil
}

func (s *Service) mergeResult(ctx context.Context, keepID, mergeID string, sameAs *Relationship, moved int) (*MergeResult, error) {
	found, err := s.Store.Entities(ctx, []string{keepID, mergeID})
	if err != nil {
		return nil, err
	}
	return &MergeResult{Kept: found[0], Merged: found[1], SameAs: sameAs, Moved: moved}, nil
}

// narrowest returns the handling of a record derived from two others, originated by the viewer:
// the more restrictive marking of the two, released only to the countries both are released to.
func narrowest(v *Viewer, a, b Handling) Handling {
	rank := func(t TLP) int { return slices.Index(TLPs, t) }
	h := Handling{OriginatorOrg: cmp.Or(v.Org, a.OriginatorOrg), OriginatorCountry: cmp.Or(v.Country, a.OriginatorCountry), TLP: a.TLP}
	if rank(b.TLP) < rank(a.TLP) {
		h.TLP = b.TLP
	}
	if h.TLP == TLPAmber || h.TLP == TLPGreen {
		for _, c := range a.ReleasableTo {
			if slices.Contains(b.ReleasableTo, c) || b.TLP == TLPClear {
				h.ReleasableTo = append(h.ReleasableTo, c)
			}
		}
		if a.TLP == TLPClear {
			h.ReleasableTo = slices.Clone(b.ReleasableTo)
		}
	}
	return h
}
