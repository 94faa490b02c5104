package sarhad

import (
	"context"
	"maps"
	"slices"
)

// Visitor receives the records of a walk over the graph.
type Visitor struct {
	Entity       func(Entity) error
	Relationship func(*Relationship) error
}

// Walk visits everything the viewer may see: the entities of each kind of kinds (every kind when
// empty) in id order, a page at a time, each page followed by the visible relationships that start at
// its entities and end at an entity of one of kinds. Every visible relationship among the visited
// entities is visited exactly once, after the entity it starts at (possibly before the one it ends
// at). Protected victims come as the viewer may see them, and so do the relationships beside them
// (ProtectTie). It stops at the first error a visitor returns, or when ctx is done. Exports use
// it, so an export holds only what its viewer may see.
// The sensitive records visited are noted in the SensitiveIDs of ctx, if any, for the audit.
func (s *Service) Walk(ctx context.Context, kinds []EntityKind, visit Visitor) error {
	if _, err := s.viewer(ctx, false); err != nil {
		return err
	}
	notes := SensitiveIDsFrom(ctx)
	if len(kinds) == 0 {
		kinds = EntityKinds()
	}
	for i, k := range kinds {
		if !k.Valid() {
			return Invalid("kinds", "kinds[%d] is not an entity kind", i)
		}
	}
	for _, k := range kinds {
		for after := ""; ; {
			page, err := s.Store.ListEntities(ctx, ListQuery{Kind: k, NoTotal: true, Page: Page{First: MaxPageSize, After: after}})
			if err != nil {
				return err
			}
			if len(page.Entities) == 0 {
				break
			}
			for _, e := range page.Entities {
				if notes != nil && Sensitive(e) {
					notes.Note(e.EntityMeta().ID)
				}
				if err := visit.Entity(e); err != nil {
					return err
				}
			}
			rels, err := s.Store.Relationships(ctx, RelationshipQuery{Anchors: idsOf(page.Entities), Direction: DirOut})
			if err != nil {
				return err
			}
			rels = slices.DeleteFunc(rels, func(r *Relationship) bool {
				to, err := KindOfID(r.To)
				return err != nil || !slices.Contains(kinds, to)
			})
			if rels, err = ProtectTies(ctx, s.Store, rels, page.Entities); err != nil {
				return err
			}
			for _, r := range rels {
				if notes != nil && r.Handling.Sensitive() {
					notes.Note(r.ID)
				}
				if err := visit.Relationship(r); err != nil {
					return err
				}
			}
			if !page.HasNextPage {
				break
			}
			after = page.Entities[len(page.Entities)-1].EntityMeta().ID
		}
	}
	return nil
}

// ProtectTies applies ProtectTie to rels for the viewer of ctx, whose ends are among known or read
// from st here (the persons only: only a victim's record withholds anything).
func ProtectTies(ctx context.Context, st Store, rels []*Relationship, known []Entity) ([]*Relationship, error) {
	ends := make(map[string]Entity, len(known))
	for _, e := range known {
		ends[e.EntityMeta().ID] = e
	}
	if ids := TieEnds(rels, func(id string) bool { return ends[id] != nil }); len(ids) > 0 {
		found, err := loadByID(ctx, st, ids)
		if err != nil {
			return nil, err
		}
		maps.Copy(ends, found)
	}
	out := make([]*Relationship, len(rels))
	for i, r := range rels {
		out[i] = ProtectTie(r, ends[r.From], ends[r.To])
	}
	return out, nil
}
