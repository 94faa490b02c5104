package graph

import (
	"context"

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
	// Every entity type implements Node and Entity: fields may be selected through either.
	var keys []relKey
	for _, f := range graphql.CollectFieldsCtx(ctx, []string{typ, "Node", "Entity"}) {
		if dir, types, ok := idField(typ, f.Name); ok {
			keys = append(keys, newRelKey(id, dir, types))
		}
	}
	if len(keys) == 0 {
		return stop
	}
	return loadersFrom(ctx).prefetch(ctx, keys)
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
