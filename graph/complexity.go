package graph

import (
	"math"

	"github.com/sarhad/sarhad"
)

// The cost of an operation, checked against Limits.MaxComplexity before it runs: a field costs one
// plus the cost of its selections, and a list field costs one plus its selections times the number of
// items it may return. Pages return `first` items (their default page size when absent, at most
// sarhad.MaxPageSize); the other lists have no `first` and are assumed to return these many:
const (
	// FanOut is the assumed length of a nested list without `first`: the parties of a case, the
	// identifiers, cases and organisations of a person, members, stops, operators, participants,
	// holders, sources and the like.
	FanOut = 10
	// countryCount is the length of `countries` (every ISO 3166-1 country).
	countryCount = 250
	// searchPageSize and relationshipsPageSize are the default `first` of search and of
	// relationships, as in the resolvers and the schema.
	searchPageSize        = 20
	relationshipsPageSize = 100
	// aggregateRows is the assumed length of an analytics answer without `first`: the flows between
	// countries, the crossing points, the cells of case statistics and the entries of a timeline.
	aggregateRows = 100
)

// Complexity returns the cost functions of the fields that return lists; every other field has
// gqlgen's default cost (one plus its selections).
func Complexity() ComplexityRoot {
	var c ComplexityRoot

	c.Query.Persons = func(child int, _ *PersonFilter, first *int, _ *string) int {
		return pageCost(first, sarhad.DefaultPageSize, child)
	}
	c.Query.Organizations = func(child int, _ *OrganizationFilter, first *int, _ *string) int {
		return pageCost(first, sarhad.DefaultPageSize, child)
	}
	c.Query.Cases = func(child int, _ *CaseFilter, first *int, _ *string) int {
		return pageCost(first, sarhad.DefaultPageSize, child)
	}
	c.Query.Routes = func(child int, _ *RouteFilter, first *int, _ *string) int {
		return pageCost(first, sarhad.DefaultPageSize, child)
	}
	c.Query.Places = func(child int, _ *PlaceFilter, first *int, _ *string) int {
		return pageCost(first, sarhad.DefaultPageSize, child)
	}
	c.Query.AuditLog = func(child int, _ *AuditFilter, first *int, _ *string) int {
		return pageCost(first, sarhad.DefaultPageSize, child)
	}
	c.Query.DuplicateCandidates = func(child int, _ sarhad.EntityKind, _ *float64, first *int, _ *string) int {
		return pageCost(first, sarhad.DefaultPageSize, child)
	}
	c.Query.Search = func(child int, _ string, _ []sarhad.EntityKind, first *int, _ *string) int {
		return pageCost(first, searchPageSize, child)
	}
	c.Query.Nodes = func(child int, ids []string) int { return listCost(len(ids), child) }

	// Analytics. A neighbourhood returns at most `limit` entities and is costed as that many entities
	// and as many relationships: its nodes and edges are each costed FanOut items, scaled by
	// limit/FanOut here. A path has at most MaxPathLength+1 ≤ FanOut entities. The communities of a
	// network hold at most MaxNetworkEntities members in all: each community's members are costed
	// FanOut items, so the list counts MaxNetworkEntities/FanOut communities.
	c.Query.Neighbourhood = func(child int, _ string, _ *int, _ []sarhad.RelationType, _ []sarhad.EntityKind, limit *int) int {
		n := sarhad.DefaultNeighbourhoodLimit
		if limit != nil {
			n = min(max(*limit, 1), sarhad.MaxNeighbourhoodLimit)
		}
		return listCost((n+FanOut-1)/FanOut, child)
	}
	c.Subgraph.Nodes = func(child int) int { return listCost(FanOut, child) }
	c.Subgraph.Edges = func(child int) int { return listCost(FanOut, child) }
	// shortestPaths returns one path unless `all` is true; the executor always passes `all` (its
	// default is false), and an unknown `all` is costed as true.
	c.Query.ShortestPaths = func(child int, _, _ string, _ *int, _ []sarhad.RelationType, all *bool) int {
		if all != nil && !*all {
			return listCost(1, child)
		}
		return listCost(sarhad.MaxShortestPaths, child)
	}
	c.Path.Nodes = func(child int) int { return listCost(FanOut, child) }
	c.Path.Edges = func(child int) int { return listCost(FanOut, child) }
	c.Query.KeyPlayers = func(child int, _ *string, _ sarhad.CentralityMeasure, _ []sarhad.RelationType, first *int) int {
		return pageCost(first, sarhad.DefaultKeyPlayers, child)
	}
	c.Query.Communities = func(child int, _ *string, _ []sarhad.RelationType, _ *float64) int {
		return listCost(sarhad.MaxNetworkEntities/FanOut, child)
	}
	c.Community.Members = func(child int) int { return listCost(FanOut, child) }
	c.Query.SharedIdentifiers = func(child int, _ []sarhad.EntityKind, _ *int, first *int) int {
		return pageCost(first, sarhad.DefaultSharedIdentifiers, child)
	}
	c.Query.CrossBorderFlows = func(child int, _, _ *sarhad.Date, _, _, _ *string) int { return listCost(aggregateRows, child) }
	c.Query.BorderCrossings = func(child int, _, _ *sarhad.Date, _ *string) int { return listCost(aggregateRows, child) }
	c.Query.Timeline = func(child int, _ string, _, _ *sarhad.Date) int { return listCost(aggregateRows, child) }
	c.CaseStatistics.Cells = func(child int) int { return listCost(aggregateRows, child) }
	c.Query.Countries = func(child int) int { return listCost(countryCount, child) }

	// relationships(first) of every entity type.
	rels := func(child int, _ []sarhad.RelationType, _ *sarhad.Direction, first *int) int {
		return pageCost(first, relationshipsPageSize, child)
	}
	c.Address.Relationships = rels
	c.BankAccount.Relationships = rels
	c.Case.Relationships = rels
	c.CooperationRequest.Relationships = rels
	c.Country.Relationships = rels
	c.Event.Relationships = rels
	c.IdentityDocument.Relationships = rels
	c.OnlineAccount.Relationships = rels
	c.Organization.Relationships = rels
	c.Person.Relationships = rels
	c.Phone.Relationships = rels
	c.Place.Relationships = rels
	c.Route.Relationships = rels
	c.Source.Relationships = rels
	c.Vehicle.Relationships = rels

	// Nested lists without `first`.
	nested := func(child int) int { return listCost(FanOut, child) }
	c.Address.Sources = nested
	c.BankAccount.Sources = nested
	c.Case.Sources = nested
	c.CooperationRequest.Sources = nested
	c.Country.Sources = nested
	c.Event.Sources = nested
	c.IdentityDocument.Sources = nested
	c.OnlineAccount.Sources = nested
	c.Organization.Sources = nested
	c.Person.Sources = nested
	c.Phone.Sources = nested
	c.Place.Sources = nested
	c.Route.Sources = nested
	c.Source.Sources = nested
	c.Vehicle.Sources = nested
	c.Relationship.Sources = nested

	c.Address.Holders = nested
	c.BankAccount.Holders = nested
	c.IdentityDocument.Holders = nested
	c.OnlineAccount.Holders = nested
	c.Phone.Holders = nested
	c.Vehicle.Holders = nested

	c.Person.Cases = func(child int, _ []sarhad.PartyRole) int { return listCost(FanOut, child) }
	c.Person.Identifiers = func(child int, _ []sarhad.EntityKind) int { return listCost(FanOut, child) }
	c.Person.Organizations = nested
	c.Person.Nationalities = nested
	c.Organization.Members = nested
	c.Organization.Routes = nested
	c.Place.Routes = nested
	c.Route.Stops = nested
	c.Route.Operators = nested
	c.Case.Parties = func(child int, _ []sarhad.PartyRole) int { return listCost(FanOut, child) }
	c.Case.Events = nested
	c.Case.Routes = nested
	c.Event.Participants = nested
	c.Event.Cases = nested
	c.CooperationRequest.Concerns = nested
	c.DuplicateCandidate.Reasons = nested
	c.ImportRecordsPayload.Rejected = nested
	c.SharedIdentifier.Records = nested
	c.SharedIdentifier.Holders = nested
	c.CrossBorderFlow.Transit = nested
	c.CrossBorderFlow.Routes = nested
	c.CrossBorderFlow.Crossings = nested
	c.CrossingPoint.Routes = nested
	c.StatCell.Key = nested
	c.TimelineEntry.Places = nested
	c.TimelineEntry.Parties = nested
	c.TimelineEntry.Cases = nested
	return c
}

// pageCost is the cost of a page of `first` items (def when absent). An out-of-range `first` is costed
// at the nearest valid size: the resolver rejects it with a clearer message than a cost would.
func pageCost(first *int, def, child int) int {
	n := def
	if first != nil {
		n = min(max(*first, 1), sarhad.MaxPageSize)
	}
	return listCost(n, child)
}

// listCost is the cost of a list of n items: one, plus n times the cost of an item's selections. Like
// gqlgen's sums, it saturates at math.MaxInt instead of overflowing.
func listCost(n, child int) int {
	child = max(child, 1)
	if n > 0 && child > (math.MaxInt-1)/n {
		return math.MaxInt
	}
	return 1 + n*child
}
