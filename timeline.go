package sarhad

import (
	"cmp"
	"context"
	"slices"
)

// MaxTimelineEvents bounds the events of one timeline; narrow the dates beyond it.
const MaxTimelineEvents = 2000

// TimelineQuery asks for the events involving an entity between two dates (either may be empty).
type TimelineQuery struct {
	ID       string
	From, To Date
}

// TimelineEntry is one event of a timeline with where it happened, who took part and in which cases
// it is recorded, as far as the viewer may see them.
type TimelineEntry struct {
	Event   *Event
	Places  []*Place
	Parties []*EventParty
	Cases   []*Case
}

// EventParty is an entity involved in an event, with its part (the role of INVOLVED_IN).
type EventParty struct {
	Entity Entity
	Role   string
}

// Timeline returns the visible events involving the entity q.ID that occurred between q.From and
// q.To, in order of date then id: for a person or vehicle the events it was involved in, for an
// organisation those it or its members and leaders were involved in, for a case the events recorded
// in it, for a place those that occurred there, for a route those along it. NOT_FOUND when the
// entity is missing or hidden, BAD_USER_INPUT for another kind or dates out of order,
// COMPLEXITY_LIMIT_EXCEEDED beyond MaxTimelineEvents events.
func (s *Service) Timeline(ctx context.Context, q TimelineQuery) ([]*TimelineEntry, error) {
	if _, err := s.viewer(ctx, false); err != nil {
		return nil, err
	}
	if _, err := dateRange("occurredOn", q.From, q.To); err != nil {
		return nil, err
	}
	anchor, err := s.entity(ctx, "id", q.ID)
	if err != nil {
		return nil, err
	}
	anchors := []string{q.ID}
	var dir Direction
	var typ RelationType
	switch KindOf(anchor) {
	case KindPerson, KindVehicle:
		dir, typ = DirOut, RelInvolvedIn
	case KindOrganization:
		dir, typ = DirOut, RelInvolvedIn
		members, err := s.relatedEnds(ctx, anchors, DirIn, RelMemberOf, RelLeads)
		if err != nil {
			return nil, err
		}
		for _, r := range members {
			anchors = append(anchors, r.From)
		}
		slices.Sort(anchors)
		anchors = slices.Compact(anchors)
	case KindCase:
		dir, typ = DirIn, RelRecordedIn
	case KindPlace:
		dir, typ = DirIn, RelOccurredAt
	case KindRoute:
		dir, typ = DirIn, RelAlongRoute
	default:
		return nil, Invalid("id", "a timeline is for a person, organisation, vehicle, case, place or route, not a %s", KindOf(anchor).Label())
	}
	rels, err := s.relatedEnds(ctx, anchors, dir, typ)
	if err != nil {
		return nil, err
	}
	var eventIDs []string
	for _, r := range rels {
		id := r.From
		if dir == DirOut {
			id = r.To
		}
		if isKind(id, KindEvent) {
			eventIDs = append(eventIDs, id)
		}
	}
	found, err := s.load(ctx, eventIDs)
	if err != nil {
		return nil, err
	}
	var events []*Event
	for _, e := range found {
		if ev := e.(*Event); inRange(ev.OccurredOn, q.From, q.To) {
			events = append(events, ev)
		}
	}
	if len(events) > MaxTimelineEvents {
		return nil, Errorf(ECOMPLEXITY, "more than %d events; narrow the dates", MaxTimelineEvents)
	}
	slices.SortFunc(events, func(a, b *Event) int { return cmp.Or(cmp.Compare(a.OccurredOn, b.OccurredOn), cmp.Compare(a.ID, b.ID)) })

	ties, err := s.related(ctx, idsOf(events), DirBoth, RelInvolvedIn, RelOccurredAt, RelRecordedIn)
	if err != nil {
		return nil, err
	}
	var ends []string
	for _, r := range ties {
		ends = append(ends, r.From, r.To)
	}
	linked, err := s.load(ctx, ends)
	if err != nil {
		return nil, err
	}
	entries := make(map[string]*TimelineEntry, len(events))
	out := make([]*TimelineEntry, len(events))
	for i, e := range events {
		out[i] = &TimelineEntry{Event: e, Places: []*Place{}, Parties: []*EventParty{}, Cases: []*Case{}}
		entries[e.ID] = out[i]
	}
	for _, r := range ties {
		switch r.Type {
		case RelInvolvedIn:
			if t, ok := entries[r.To]; ok && linked[r.From] != nil {
				t.Parties = append(t.Parties, &EventParty{Entity: linked[r.From], Role: r.Role})
			}
		case RelOccurredAt:
			if t, ok := entries[r.From]; ok && linked[r.To] != nil {
				t.Places = append(t.Places, linked[r.To].(*Place))
			}
		case RelRecordedIn:
			if t, ok := entries[r.From]; ok && linked[r.To] != nil {
				t.Cases = append(t.Cases, linked[r.To].(*Case))
			}
		}
	}
	for _, t := range out {
		slices.SortFunc(t.Parties, func(a, b *EventParty) int {
			return cmp.Or(cmp.Compare(a.Entity.EntityMeta().ID, b.Entity.EntityMeta().ID), cmp.Compare(a.Role, b.Role))
		})
		slices.SortFunc(t.Places, func(a, b *Place) int { return cmp.Compare(a.ID, b.ID) })
		slices.SortFunc(t.Cases, func(a, b *Case) int { return cmp.Compare(a.ID, b.ID) })
	}
	return out, nil
}
