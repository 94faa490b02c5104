package graph

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/sarhad/sarhad"
)

// The relationship fields of the entity that the node field returns (the parties of a case, the
// identifiers of a person) would ask the store only once the entity is read: two round trips, one
// after the other. But what they ask depends on the entity's id alone, which the request gives.
// So the node field starts their store calls (Loaders.prefetch) and reads the entity meanwhile;
// each field then takes what its call read, or waits for it (or, when it failed, asks again). The
// calls go through the loaders, as the fields' own would: the store applies the same policy to
// what they read. What they read for an entity that is missing or hidden is never returned: the
// node is null, so no field of it is resolved, and the node field stops the calls and waits for
// them before it returns.
//
// A field selected on the entities that such a field reaches (the phones of the parties) depends
// on what that field reads. The call ahead reads it too, in the same store call
// (Store.NeighboursThen): for the parties of a case and their phones, one round trip instead of
// two, one after the other.

// prefetchFields starts the store calls of the relationship fields selected on the entity with
// id, before the node field reads it (see idField), for a viewer who may read the graph. The node
// field calls stop when it returns no entity: no field will take what they read.
func prefetchFields(ctx context.Context, id string) (stop func()) {
	stop = func() {}
	kind, err := sarhad.KindOfID(id)
	if err != nil {
		return stop // the entity read reports it
	}
	if v, err := sarhad.ViewerFrom(ctx); err != nil || !sarhad.CanRead(v) {
		return stop // refused by the entity read, before any store call
	}
	typ := kind.Label()
	op := graphql.GetOperationContext(ctx)
	var keys []ahead
	for _, f := range graphql.CollectFieldsCtx(ctx, satisfies(typ)) {
		if dir, types, ok := idField(typ, f.Name); ok {
			keys = append(keys, ahead{key: newRelKey(id, dir, types), then: nextHop(op, typ, f)})
		}
	}
	if len(keys) == 0 {
		return stop
	}
	return loadersFrom(ctx).prefetch(ctx, keys)
}

// satisfies are the GraphQL types whose fields an entity of type typ resolves: every entity type
// implements Node and Entity, and fields may be selected through either.
func satisfies(typ string) []string { return []string{typ, "Node", "Entity"} }

// nextHop returns the second level that a read ahead of the relationship field f of typ can read
// in the same store call (see Loaders.loadHops): the first relationship field of idField selected
// on the entities f reaches, with the kinds it is selected on; nil when there is none. The
// phones of the parties of a case are read with the parties.
func nextHop(op *graphql.OperationContext, typ string, f graphql.CollectedField) *hop {
	sel, end := f.Selections, f.Definition
	if via, ok := endField(typ, f.Name); ok {
		sel, end = nil, nil
		for _, g := range graphql.CollectFields(op, f.Selections, []string{via.typ}) {
			if g.Name == via.field {
				sel, end = append(sel, g.Selections...), g.Definition
			}
		}
	}
	if len(sel) == 0 || end == nil {
		return nil
	}
	// The kinds the entities reached may be of: the one the field's type names, or, for an
	// interface (Entity), every kind, whose own fields only a fragment selects.
	kinds := sarhad.EntityKinds()
	for _, k := range kinds {
		if k.Label() == end.Type.Name() {
			kinds = []sarhad.EntityKind{k}
			break
		}
	}
	var next *hop
	for _, k := range kinds {
		for _, g := range graphql.CollectFields(op, sel, satisfies(k.Label())) {
			dir, types, ok := idField(k.Label(), g.Name)
			if !ok {
				continue
			}
			key := newRelKey("", dir, types)
			switch {
			case next == nil:
				next = &hop{kinds: []sarhad.EntityKind{k}, dir: key.dir, types: key.types}
			case next.dir == key.dir && next.types == key.types && !slices.Contains(next.kinds, k):
				next.kinds = append(next.kinds, k)
			}
		}
	}
	return next
}

// elementField is a field of the elements of a list field: its GraphQL type and the field's name.
type elementField struct{ typ, field string }

// endField names, for a relationship field whose elements are not the entities it reaches, the
// field of its elements that holds the entity.
func endField(typ, field string) (via elementField, ok bool) {
	switch typ + "." + field {
	case "Case.parties":
		return elementField{"CaseParty", "party"}, true
	case "Person.cases":
		return elementField{"CaseParty", "case"}, true
	case "Route.stops":
		return elementField{"RouteStop", "place"}, true
	}
	return via, false
}

// idField returns the relationships that field of the GraphQL type typ reads for an entity: their
// direction from the entity and their types, as the field's resolver asks for them. ok is false
// for a field that reads none, or whose store call depends on more than the entity's id (the
// arguments of `relationships`). A pair that differs from what the resolver asks costs a store
// call that is not used, never a wrong answer: the resolver asks for its own key.
func idField(typ, field string) (dir sarhad.Direction, types []sarhad.RelationType, ok bool) {
	switch typ + "." + field {
	case "Case.parties":
		return sarhad.DirIn, []sarhad.RelationType{sarhad.RelPartyTo}, true
	case "Case.events":
		return sarhad.DirIn, []sarhad.RelationType{sarhad.RelRecordedIn}, true
	case "Case.routes":
		return sarhad.DirOut, []sarhad.RelationType{sarhad.RelAlongRoute}, true
	case "Person.cases":
		return sarhad.DirOut, []sarhad.RelationType{sarhad.RelPartyTo}, true
	case "Person.identifiers":
		return sarhad.DirOut, sarhad.HolderTypes, true
	case "Person.organizations":
		return sarhad.DirOut, []sarhad.RelationType{sarhad.RelMemberOf, sarhad.RelLeads}, true
	case "Organization.members":
		return sarhad.DirIn, []sarhad.RelationType{sarhad.RelMemberOf, sarhad.RelLeads}, true
	case "Organization.routes":
		return sarhad.DirOut, []sarhad.RelationType{sarhad.RelOperatesRoute}, true
	case "Route.stops":
		return sarhad.DirOut, []sarhad.RelationType{sarhad.RelHasStop}, true
	case "Route.operators":
		return sarhad.DirIn, []sarhad.RelationType{sarhad.RelOperatesRoute}, true
	case "Place.routes":
		return sarhad.DirIn, []sarhad.RelationType{sarhad.RelHasStop}, true
	case "Event.place":
		return sarhad.DirOut, []sarhad.RelationType{sarhad.RelOccurredAt}, true
	case "Event.participants":
		return sarhad.DirIn, []sarhad.RelationType{sarhad.RelInvolvedIn}, true
	case "Event.cases":
		return sarhad.DirOut, []sarhad.RelationType{sarhad.RelRecordedIn}, true
	case "CooperationRequest.concerns":
		return sarhad.DirOut, []sarhad.RelationType{sarhad.RelConcerns}, true
	case "Phone.holders", "BankAccount.holders", "IdentityDocument.holders", "Vehicle.holders",
		"Address.holders", "OnlineAccount.holders":
		return sarhad.DirIn, sarhad.HolderTypes, true
	}
	return "", nil, false
}
