package graph

import (
	"cmp"
	"context"
	"slices"

	"github.com/sarhad/sarhad"
)

// Helpers shared by the resolvers of nested fields. Each goes through the request's loaders.

// entities loads entities by id, dropping those missing or hidden, keeping order.
func loadEntities(ctx context.Context, ids []string) ([]sarhad.Entity, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	l := loadersFrom(ctx)
	load := l.entities.LoadAll
	if alone(ctx) {
		load = l.loadEntitiesNow
	}
	found, err := load(ctx, ids)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(found, func(e sarhad.Entity) bool { return e == nil }), nil
}

// protectTie takes sarhad.ProtectTie of r, reading the persons at its ends through the request's
// loader, once per relationship of the response, and notes the ends that are victims' records.
func protectTie(ctx context.Context, r *sarhad.Relationship) (*protectedOnce, error) {
	ids := sarhad.TieEnds([]*sarhad.Relationship{r}, func(string) bool { return false })
	if len(ids) == 0 {
		return &protectedOnce{tie: r}, nil
	}
	l := loadersFrom(ctx)
	l.mu.Lock()
	p := l.ties[r]
	if p == nil {
		p = &protectedOnce{}
		l.ties[r] = p
	}
	l.mu.Unlock()
	p.once.Do(func() {
		found, err := loadEntities(ctx, ids)
		if err != nil {
			p.err = err
			return
		}
		ends := make(map[string]sarhad.Entity, len(found))
		for _, e := range found {
			ends[e.EntityMeta().ID] = e
			if sarhad.IsVictim(e) {
				p.victims = append(p.victims, e.EntityMeta().ID)
			}
		}
		p.tie = sarhad.ProtectTie(r, ends[r.From], ends[r.To])
	})
	return p, p.err
}

// withheld returns the field of r that get reads, or null when ProtectTie withholds it. A value
// given beside a victim, to a viewer cleared for the victim's details, may tell of the victim: the
// audit entry lists the relationship and the victim, as it would the victim's record.
func withheld(ctx context.Context, r *sarhad.Relationship, get func(*sarhad.Relationship) string) (*string, error) {
	p, err := protectTie(ctx, r)
	if err != nil || p.tie.Redacted {
		return nil, err
	}
	v := get(p.tie)
	if set := sarhad.SensitiveIDsFrom(ctx); set != nil && v != "" && len(p.victims) > 0 {
		set.Note(r.ID)
		for _, id := range p.victims {
			set.Note(id)
		}
	}
	return &v, nil
}

// prime keeps entities read outside the loader (a root field's, a list's) for the rest of the
// request, so that nested fields that meet them again need no store call.
func prime(ctx context.Context, es ...sarhad.Entity) {
	l := loadersFrom(ctx)
	for _, e := range es {
		if e != nil {
			l.prime(e)
		}
	}
}

// entity loads one entity, or NOT_FOUND when missing or hidden.
func loadEntity(ctx context.Context, id string) (sarhad.Entity, error) {
	found, err := loadEntities(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	var e sarhad.Entity
	if len(found) == 1 {
		e = found[0]
	}
	if e == nil {
		return nil, sarhad.Errorf(sarhad.ENOTFOUND, "no node %s", id)
	}
	return e, nil
}

// only keeps the entities of Go type T.
func only[T sarhad.Entity](es []sarhad.Entity) []T {
	out := make([]T, 0, len(es))
	for _, e := range es {
		if t, ok := e.(T); ok {
			out = append(out, t)
		}
	}
	return out
}

// sources loads the visible sources among ids.
func sourcesOf(ctx context.Context, ids []string) ([]*sarhad.Source, error) {
	es, err := loadEntities(ctx, ids)
	return only[*sarhad.Source](es), err
}

// country loads the Country entity for an alpha-3 code; nil for an empty code.
func countryOf(ctx context.Context, code string) (*sarhad.Country, error) {
	if code == "" {
		return nil, nil
	}
	e, err := loadEntity(ctx, sarhad.CountryID(code))
	if err != nil {
		return nil, err
	}
	c, _ := e.(*sarhad.Country)
	return c, nil
}

// countries loads the Country entities for alpha-3 codes.
func countriesOf(ctx context.Context, codes []string) ([]*sarhad.Country, error) {
	ids := make([]string, len(codes))
	for i, c := range codes {
		ids[i] = sarhad.CountryID(c)
	}
	es, err := loadEntities(ctx, ids)
	return only[*sarhad.Country](es), err
}

// related returns the visible relationships of anchor in direction dir, of the given types.
func related(ctx context.Context, anchor string, dir sarhad.Direction, types ...sarhad.RelationType) ([]*sarhad.Relationship, error) {
	l, key := loadersFrom(ctx), newRelKey(anchor, dir, types)
	if alone(ctx) {
		return l.relatedNow(ctx, key)
	}
	if group, keys, ok := siblingKeys(ctx, key); ok {
		return l.relatedWithSiblings(ctx, group, key, keys)
	}
	return l.relationships.Load(ctx, key)
}

// relationships is the resolver of every `relationships(types, direction, first)` field.
func relationships(ctx context.Context, anchor string, types []sarhad.RelationType, dir *sarhad.Direction, first *int) ([]*sarhad.Relationship, error) {
	n, err := pageSize(first, 100)
	if err != nil {
		return nil, err
	}
	d := sarhad.DirBoth
	if dir != nil {
		d = *dir
	}
	rels, err := related(ctx, anchor, d, types...)
	if err != nil {
		return nil, err
	}
	return rels[:min(n, len(rels))], nil
}

// other is the end of r that is not anchor.
func other(r *sarhad.Relationship, anchor string) string {
	if r.From == anchor {
		return r.To
	}
	return r.From
}

// neighbours returns the distinct visible entities at the other end of anchor's relationships of the
// given types, in the order of the relationships.
func neighbours(ctx context.Context, anchor string, dir sarhad.Direction, types ...sarhad.RelationType) ([]sarhad.Entity, error) {
	rels, err := related(ctx, anchor, dir, types...)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(rels))
	for _, r := range rels {
		if id := other(r, anchor); !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return loadEntities(ctx, ids)
}

// holders resolves `holders` of every identifier.
func holders(ctx context.Context, id string) ([]sarhad.Entity, error) {
	return neighbours(ctx, id, sarhad.DirIn, sarhad.HolderTypes...)
}

// caseParties resolves Case.parties and Person.cases: PARTY_TO relationships of anchor with the
// roles asked for, with both ends loaded.
func caseParties(ctx context.Context, anchor string, dir sarhad.Direction, roles []sarhad.PartyRole) ([]*CaseParty, error) {
	rels, err := related(ctx, anchor, dir, sarhad.RelPartyTo)
	if err != nil {
		return nil, err
	}
	rels = slices.DeleteFunc(rels, func(r *sarhad.Relationship) bool {
		return len(roles) > 0 && !slices.Contains(roles, sarhad.PartyRole(r.Role))
	})
	ids := make([]string, 0, 2*len(rels))
	for _, r := range rels {
		ids = append(ids, r.From, r.To)
	}
	es, err := loadEntities(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]sarhad.Entity, len(es))
	for _, e := range es {
		byID[e.EntityMeta().ID] = e
	}
	out := make([]*CaseParty, 0, len(rels))
	for _, r := range rels {
		c, _ := byID[r.To].(*sarhad.Case)
		if c == nil || byID[r.From] == nil {
			continue
		}
		out = append(out, &CaseParty{Role: sarhad.PartyRole(r.Role), Party: byID[r.From], Case: c, Relationship: r})
	}
	return out, nil
}

// routeStops resolves Route.stops in order.
func routeStops(ctx context.Context, route string) ([]*RouteStop, error) {
	rels, err := related(ctx, route, sarhad.DirOut, sarhad.RelHasStop)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(rels, func(a, b *sarhad.Relationship) int { return cmp.Compare(a.Order, b.Order) })
	ids := make([]string, len(rels))
	for i, r := range rels {
		ids[i] = r.To
	}
	found, err := loadersFrom(ctx).entities.LoadAll(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*RouteStop, 0, len(rels))
	for i, r := range rels {
		if p, ok := found[i].(*sarhad.Place); ok {
			stop := &RouteStop{Order: r.Order, Place: p}
			if r.Mode != "" {
				stop.Mode = &rels[i].Mode
			}
			out = append(out, stop)
		}
	}
	return out, nil
}

// caseEvents resolves Case.events, ordered by date then id.
func caseEvents(ctx context.Context, id string) ([]*sarhad.Event, error) {
	es, err := neighbours(ctx, id, sarhad.DirIn, sarhad.RelRecordedIn)
	events := only[*sarhad.Event](es)
	slices.SortFunc(events, func(a, b *sarhad.Event) int {
		return cmp.Or(cmp.Compare(a.OccurredOn, b.OccurredOn), cmp.Compare(a.ID, b.ID))
	})
	return events, err
}
