package sarhad

import (
	"context"
	"errors"
	"slices"
)

// Store is where the graph lives. Its methods are the questions investigators ask, not generic graph
// primitives; each adapter answers them its own best way. Every method reads the viewer from ctx
// (UNAUTHENTICATED without one) and applies the access policy inside its query: a record the viewer
// may not see is never returned, counted, or used as a hop.
type Store interface {
	// Entities returns the entities with the given ids, in the order of ids, with nil where an id does
	// not exist or is hidden from the viewer. Victims' identifying details are withheld (see
	// Person.Redact) from viewers who may not see them.
	Entities(ctx context.Context, ids []string) ([]Entity, error)

	// ListEntities returns a page of the visible entities of one kind that match every condition,
	// ordered by id, with the total count of matches.
	ListEntities(ctx context.Context, q ListQuery) (*EntityPage, error)

	// MatchNames returns up to q.Limit visible entities whose search terms match every group of q (a
	// group matches when the entity has any of its terms). Victims are matched only for viewers who
	// may see their identifying details. Ranking is the caller's.
	MatchNames(ctx context.Context, q NameQuery) ([]Entity, error)

	// CountNames returns how many entities MatchNames returns for q without its limit.
	CountNames(ctx context.Context, q NameQuery) (int, error)

	// Relationships returns the visible relationships touching the anchor entities in the given
	// direction whose both ends are visible, ordered by id.
	Relationships(ctx context.Context, q RelationshipQuery) ([]*Relationship, error)

	// Neighbours returns what Relationships returns for q, with the entities reached through those
	// relationships from the anchors along q.Direction (each once, as Entities returns them), in
	// one call: one round trip to a database server, so that a nested query costs one call per level.
	Neighbours(ctx context.Context, q RelationshipQuery) ([]*Relationship, []Entity, error)

	// NeighboursThen returns what Neighbours returns for q.First, and what Neighbours returns for
	// q.Then from the far ends reached of q.ThenKinds, in one call: one round trip for two levels
	// of a nested query when the second depends on the first alone (the phones of the parties of
	// a case). NeighboursTwice answers it with two calls.
	NeighboursThen(ctx context.Context, q ThenQuery) (*Hops, error)

	// Neighbourhood returns what NeighbourhoodByLevels returns for q (its arguments in range), in
	// one call: one round trip to a database server for the whole walk, whatever its depth. nil
	// when the centre is missing or hidden.
	Neighbourhood(ctx context.Context, q NeighbourhoodQuery) (*Subgraph, error)

	// RelationshipsByID returns the relationships with the given ids, in order, nil where missing or
	// hidden (a relationship is hidden when it or either end is hidden).
	RelationshipsByID(ctx context.Context, ids []string) ([]*Relationship, error)

	// CaseTally counts the visible cases that match q's conditions, grouped by q.GroupBy: the tally
	// (TallyCaseFacts) of the cases' CaseFacts, with their arrests, their parties in the role
	// VICTIM and whether those were referred. It counts at most q.Limit+1 cases, so that the caller
	// can tell there are more. One round trip to a database server, which returns the cells rather
	// than every case.
	CaseTally(ctx context.Context, q CaseTallyQuery) (*CaseTallies, error)

	// RouteCases returns the visible routes that the visible cases matching q's conditions concern,
	// each with those cases and the persons moved in them: the cases' CaseFacts, with their parties
	// in every role and whether those were moved, gathered by route (RouteCasesOf). It reads at most
	// q.Limit+1 cases, so that the caller can tell there are more. One round trip to a database
	// server, which returns a row per route rather than per case.
	RouteCases(ctx context.Context, q RouteCasesQuery) (*RouteCases, error)

	// UnrecordedVictims returns the ids of the persons that a stored relationship names victims
	// (Relationship.NamedVictim), or ties by SAME_AS to a victim's record (SameAsVictim), although
	// their records are not victims': relationships stored before Apply refused them, or written
	// into the database by other means. At most p.First, in
	// id order, after p.After. It reads past the access policy, so it answers the system viewer only
	// (FORBIDDEN otherwise), for Service.RecordNamedVictims.
	UnrecordedVictims(ctx context.Context, p Page) ([]string, error)

	// Apply writes a change set atomically: all of it or none of it. Entities in Put are created, or
	// replaced when they exist and differ; relationships in Link likewise. Returns NOT_FOUND when an
	// entity to update, an endpoint to link or a relationship to unlink is missing or hidden,
	// FORBIDDEN when the viewer may see but not edit it, CONFLICT when an id is taken by another kind,
	// BAD_USER_INPUT when a relationship names a person a victim whose record is not a victim's
	// (Relationship.NamedVictim, SameAsVictim). The rules are ChangePlan's.
	Apply(ctx context.Context, cs *ChangeSet) (*ApplyResult, error)

	// AuditTrail: the append-only audit trail lives with the data.
	AuditTrail

	// IDSecret returns the secret of the ids of keyed records (KeyedID), made when first asked for,
	// in one atomic write: 32 random bytes, or none in a store that already holds a keyed record
	// (a source key on an entity or relationship), whose id was derived without one and must stay
	// the same for its imports to stay idempotent. It is never shown to a viewer.
	IDSecret(ctx context.Context) ([]byte, error)

	// Ping reports whether the store can serve requests (UNAVAILABLE if not).
	Ping(ctx context.Context) error

	// Close releases the store's resources.
	Close() error
}

// Optimizer is a Store that reorganises its indexes after a bulk load, so that the reads after it
// are fast; the import command calls it when an import wrote records. The embedded store merges its
// name index, which a load of many change sets leaves in many segments that every search reads.
type Optimizer interface {
	Optimize(ctx context.Context) error
}

// Page asks for the first items after a cursor. Stores receive a validated First: 1…MaxPageSize
// from clients, more from the domain's own scans.
type Page struct {
	First int
	After string // the id of the last item of the previous page, or ""
}

// Default and maximum page sizes.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// ListQuery selects entities of one kind.
type ListQuery struct {
	Kind       EntityKind
	Conditions []Condition
	Page       Page
	// NoTotal leaves the matches uncounted (EntityPage.TotalCount 0): counting reads every match,
	// which a client that does not ask for the count, or a scan, need not pay for.
	NoTotal bool
}

// Op is how a condition compares an attribute.
type Op string

// Operators.
const (
	// OpIn: a scalar attribute equals one of the values.
	OpIn Op = "IN"
	// OpOverlaps: a list attribute contains at least one of the values.
	OpOverlaps Op = "OVERLAPS"
	// OpGTE and OpLTE compare a scalar attribute (dates compare as strings) with Values[0].
	OpGTE Op = "GTE"
	OpLTE Op = "LTE"
	// OpRelated: the entity has a visible relationship of type Rel (direction Dir) to a visible
	// entity, with a role in Values when Values is not empty, and to one of Others when Others is
	// not empty.
	OpRelated Op = "RELATED"
)

// Condition is one criterion of a list filter. Attr is an attribute name from the closed set the
// domain's filters produce, never raw user input.
type Condition struct {
	Attr   string
	Op     Op
	Values []string
	Rel    RelationType
	Dir    Direction
	Others []string
}

// EntityPage is a page of entities with the total count of matches.
type EntityPage struct {
	Entities    []Entity
	TotalCount  int
	HasNextPage bool
}

// Direction of relationships seen from an anchor entity.
type Direction string

// Directions.
const (
	DirOut  Direction = "OUT"
	DirIn   Direction = "IN"
	DirBoth Direction = "BOTH"
)

// RelationshipQuery selects the relationships of a set of anchor entities.
type RelationshipQuery struct {
	Anchors   []string
	Direction Direction
	Types     []RelationType // empty: every type
	// Among keeps only the relationships whose both ends are anchors: the ties within a set.
	Among bool
	// Ends, when above 0, bounds a step of a walk: of the relationships whose far end is neither
	// an anchor nor in Known, only those reaching the first Ends such ends of Kinds (every kind
	// when empty) are kept, the ends taken in the order of the first relationship (by id) that
	// reaches each. Around a hub a walk thus reads what it can include, not every tie. Not with
	// Among.
	Ends  int
	Known []string
	Kinds []EntityKind
	// Meet, when not empty, asks for the step of a two-sided search at which the sides may meet:
	// if any relationship's far end (the end that is not the anchor it was found from) is in
	// Meet, only those relationships are returned; else all of them. Around a hub, the step that
	// meets the other side reads the few ties that meet it rather than thousands. Not with Among
	// or Ends.
	Meet []string
	// Bare tells the store that the caller reads of each relationship its id, type, ends and
	// handling only: it may leave the rest (properties, sources, provenance, stamps) unset, and
	// so read and send less. The relationships and far ends are the same as without it.
	Bare bool
}

// Check returns an error when q asks for Meet with Among or Ends.
func (q RelationshipQuery) Check() error {
	if len(q.Meet) > 0 && (q.Among || q.Ends > 0) {
		return errors.New("relationships: Meet with Among or Ends")
	}
	return nil
}

// ThenQuery asks NeighboursThen for two levels of relationships: First from its anchors, then
// Then from the far ends that First reaches (along First.Direction) of ThenKinds, every kind when
// empty; those ends are Then's anchors, whatever Then.Anchors holds. Neither level is Among or
// bounded (Ends).
type ThenQuery struct {
	First     RelationshipQuery
	ThenKinds []EntityKind
	Then      RelationshipQuery
}

// Check returns an error when a level of q is Among or bounded.
func (q ThenQuery) Check() error {
	if q.First.Among || q.Then.Among || q.First.Ends > 0 || q.Then.Ends > 0 {
		return errors.New("NeighboursThen: a level is Among or bounded")
	}
	return nil
}

// Hops is the answer to a ThenQuery: the relationships of each level as Neighbours returns them,
// and the entities both levels reach, each once.
type Hops struct {
	First, Then []*Relationship
	Ends        []Entity
}

// NeighboursTwice answers q with two Neighbours calls of s, the second from the ends of the first:
// for a store to which a round trip costs nothing, and as the reference of what NeighboursThen
// returns.
func NeighboursTwice(ctx context.Context, s Store, q ThenQuery) (*Hops, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	first, ends, err := s.Neighbours(ctx, q.First)
	if err != nil {
		return nil, err
	}
	next := q.Then
	next.Anchors = nil
	for _, e := range ends {
		if len(q.ThenKinds) == 0 || slices.Contains(q.ThenKinds, KindOf(e)) {
			next.Anchors = append(next.Anchors, e.EntityMeta().ID)
		}
	}
	then, more, err := s.Neighbours(ctx, next)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(ends))
	for _, e := range ends {
		seen[e.EntityMeta().ID] = true
	}
	for _, e := range more {
		if !seen[e.EntityMeta().ID] {
			seen[e.EntityMeta().ID] = true
			ends = append(ends, e)
		}
	}
	return &Hops{First: first, Then: then, Ends: ends}, nil
}

// NameQuery is a name search prepared by the domain (see SearchTerms and QueryTerms).
type NameQuery struct {
	Groups [][]string
	Kinds  []EntityKind // empty: every kind
	Limit  int
}

// CaseFactsQuery selects cases and the facts to gather about them beyond their routes and parties,
// for a store that gathers CaseFacts to tally them in process (the embedded store).
type CaseFactsQuery struct {
	Conditions []Condition // on the cases, as in ListQuery
	Limit      int         // at most Limit+1 cases are returned, so that the caller can tell there are more
	Roles      []PartyRole // the parties in these roles only; empty: in every role
	Arrests    bool        // gather CaseFacts.Arrested
	Referred   bool        // gather PartyFact.Referred
	Moved      bool        // gather PartyFact.Moved
	// IDsOnly: the caller reads only the cases' ids, so each CaseFacts.Case holds its id and kind
	// alone. Flows count cases without reading them: at SF 1 the whole cases were a quarter of
	// the memory of a question.
	IDsOnly bool
}

// CaseTallyQuery selects the cases of a statistic and how they are grouped.
type CaseTallyQuery struct {
	Conditions []Condition     // on the cases, as in ListQuery
	GroupBy    []StatDimension // distinct dimensions; none: one cell of every case counted
	Limit      int             // at most Limit+1 cases are counted
}

// CaseTallies are the cells of a CaseTallyQuery, in no particular order (none when no case
// matches), and the number of cases counted.
type CaseTallies struct {
	Cases int // the cases counted, each once whatever the cells it counts in
	Cells []*CaseTally
}

// CaseTally holds the counts of one cell of case statistics before any is withheld (see StatCell).
type CaseTally struct {
	// Key: the value of each dimension of the query's GroupBy, in its order, as StatKey.Value
	// (ROUTE: a route's id, or NoRoute).
	Key []string
	// Cases, Open, Charged, Convicted, Acquitted: cases, as StatCell's CasesRegistered,
	// UnderInvestigation, ChargeSheeted, Convicted and Acquitted count them.
	Cases, Open, Charged, Convicted, Acquitted int
	// Arrested, Victims, Referred: distinct persons, as StatCell's PersonsArrested,
	// VictimsIdentified and VictimsReferred count them.
	Arrested, Victims, Referred int
	// Own: the viewer has an organisation, and it originated every case of the cell.
	Own bool
}

// RouteCasesQuery selects the cases whose routes RouteCases returns.
type RouteCasesQuery struct {
	Conditions []Condition // on the cases, as in ListQuery
	Limit      int         // at most Limit+1 cases are read
}

// RouteCases are the routes of the cases a RouteCasesQuery selects, and the number of cases read.
type RouteCases struct {
	Cases  int          // the cases read, each once, whether or not they concern a route
	Routes []*RouteCase // by route id
}

// RouteCase is a visible route with the visible cases that concern it (ALONG_ROUTE).
type RouteCase struct {
	Route string
	Cases []string // by id
	// Moved: the distinct persons moved in those cases, by id: the visible persons party to one of
	// them as VICTIM, or party to one of them and SMUGGLED or TRAFFICKED by a visible entity
	// (PartyFact.Moved).
	Moved []string
}

// CaseFacts is a visible case with what statistics and flows count about it.
type CaseFacts struct {
	Case *Case
	// Routes: the visible routes the case concerns (ALONG_ROUTE), by id.
	Routes []string
	// Parties: the visible persons party to the case (PARTY_TO) in the roles of
	// CaseFactsQuery.Roles, by person then role.
	Parties []PartyFact
	// Arrested: the visible persons involved (INVOLVED_IN) in the visible ARREST events recorded in
	// the case (RECORDED_IN), by id, each once; only when CaseFactsQuery.Arrests.
	Arrested []string
}

// PartyFact is a person party to a case in a role.
type PartyFact struct {
	Person string
	Role   string
	// Referred: the person is referred to a visible entity (REFERRED_TO); only when
	// CaseFactsQuery.Referred.
	Referred bool
	// Moved: a visible entity SMUGGLED or TRAFFICKED the person; only when CaseFactsQuery.Moved.
	Moved bool
}

// ChangeSet is a set of writes applied atomically.
type ChangeSet struct {
	Put    []Entity
	Link   []*Relationship
	Unlink []string
	// KeepSources keeps the sources of the records that exist: a put or link of one adds those of
	// its SourceIDs the record lacks, after the record's own, rather than replacing them (a new
	// record takes its SourceIDs as given). Imports set it, so that a record read from several
	// files keeps each as a source. Change sets that add sources to the same record at the same
	// time lose none: the embedded store runs one writer at a time, and Neo4j, whose reads take no
	// locks, merges the sources again as they stand when it writes the record.
	KeepSources bool
	// KeepVictims refuses (FORBIDDEN) a put that would turn a victim's record into one that is not
	// a victim's. Imports set it: a file without the victim columns must not lift a victim's
	// protection, which only a deliberate update through the API (updatePerson) may.
	KeepVictims bool
}

// KeepVictimsReason is why a put is refused under ChangeSet.KeepVictims, after the record's id.
const KeepVictimsReason = "is a victim's record: an import may not remove its victim details (updatePerson may)"

// ApplyResult says which records a change set actually changed.
type ApplyResult struct {
	Created, Updated, Unchanged, Deleted int
}
