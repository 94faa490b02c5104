package sarhad

import (
	"fmt"
	"slices"
)

// RelationType is the type of a relationship: a closed set, mapped one-to-one to Neo4j relationship
// types, each with the kinds it may join.
type RelationType string

// Relationship types.
const (
	RelMemberOf      RelationType = "MEMBER_OF"
	RelLeads         RelationType = "LEADS"
	RelAssociateOf   RelationType = "ASSOCIATE_OF"
	RelFamilyOf      RelationType = "FAMILY_OF"
	RelRecruited     RelationType = "RECRUITED"
	RelSmuggled      RelationType = "SMUGGLED"
	RelTrafficked    RelationType = "TRAFFICKED"
	RelPaid          RelationType = "PAID"
	RelOwns          RelationType = "OWNS"
	RelUses          RelationType = "USES"
	RelHoldsDocument RelationType = "HOLDS_DOCUMENT"
	RelLivesAt       RelationType = "LIVES_AT"
	RelNationalOf    RelationType = "NATIONAL_OF"
	RelLocatedIn     RelationType = "LOCATED_IN"
	RelOperatesRoute RelationType = "OPERATES_ROUTE"
	RelHasStop       RelationType = "HAS_STOP"
	RelPartyTo       RelationType = "PARTY_TO"
	RelInvolvedIn    RelationType = "INVOLVED_IN"
	RelOccurredAt    RelationType = "OCCURRED_AT"
	RelRecordedIn    RelationType = "RECORDED_IN"
	RelAlongRoute    RelationType = "ALONG_ROUTE"
	RelReferredTo    RelationType = "REFERRED_TO"
	RelConcerns      RelationType = "CONCERNS"
	RelSameAs        RelationType = "SAME_AS"
)

var (
	personOrOrg = []EntityKind{KindPerson, KindOrganization}
	anyKind     = EntityKinds()
)

// relationInfo is the closed table of relationship types and the kinds they join.
var relationInfo = []struct {
	typ      RelationType
	from, to []EntityKind
}{
	{RelMemberOf, []EntityKind{KindPerson}, []EntityKind{KindOrganization}},
	{RelLeads, []EntityKind{KindPerson}, []EntityKind{KindOrganization}},
	{RelAssociateOf, []EntityKind{KindPerson}, []EntityKind{KindPerson}},
	{RelFamilyOf, []EntityKind{KindPerson}, []EntityKind{KindPerson}},
	{RelRecruited, personOrOrg, []EntityKind{KindPerson}},
	{RelSmuggled, personOrOrg, []EntityKind{KindPerson}},
	{RelTrafficked, personOrOrg, []EntityKind{KindPerson}},
	{RelPaid, personOrOrg, personOrOrg},
	{RelOwns, personOrOrg, []EntityKind{KindOrganization, KindVehicle, KindBankAccount, KindPhone}},
	{RelUses, personOrOrg, []EntityKind{KindPhone, KindBankAccount, KindOnlineAccount, KindVehicle}},
	{RelHoldsDocument, []EntityKind{KindPerson}, []EntityKind{KindIdentityDocument}},
	{RelLivesAt, personOrOrg, []EntityKind{KindAddress}},
	{RelNationalOf, []EntityKind{KindPerson}, []EntityKind{KindCountry}},
	{RelLocatedIn, []EntityKind{KindPlace, KindAddress, KindOrganization}, []EntityKind{KindPlace, KindCountry}},
	{RelOperatesRoute, personOrOrg, []EntityKind{KindRoute}},
	{RelHasStop, []EntityKind{KindRoute}, []EntityKind{KindPlace}},
	{RelPartyTo, personOrOrg, []EntityKind{KindCase}},
	{RelInvolvedIn, []EntityKind{KindPerson, KindOrganization, KindVehicle}, []EntityKind{KindEvent}},
	{RelOccurredAt, []EntityKind{KindEvent}, []EntityKind{KindPlace}},
	{RelRecordedIn, []EntityKind{KindEvent}, []EntityKind{KindCase}},
	{RelAlongRoute, []EntityKind{KindCase, KindEvent}, []EntityKind{KindRoute}},
	{RelReferredTo, []EntityKind{KindPerson}, []EntityKind{KindOrganization}},
	{RelConcerns, []EntityKind{KindCooperationRequest}, []EntityKind{KindCase, KindPerson, KindOrganization}},
	{RelSameAs, anyKind, anyKind},
}

// RelationTypes lists every relationship type.
func RelationTypes() []RelationType {
	out := make([]RelationType, len(relationInfo))
	for i, r := range relationInfo {
		out[i] = r.typ
	}
	return out
}

// Valid reports whether t is a known relationship type.
func (t RelationType) Valid() bool {
	return slices.ContainsFunc(relationInfo, func(r struct {
		typ      RelationType
		from, to []EntityKind
	}) bool {
		return r.typ == t
	})
}

// Joins reports whether a relationship of type t may go from an entity of kind from to one of kind
// to. SAME_AS joins two entities of the same kind only.
func (t RelationType) Joins(from, to EntityKind) bool {
	if t == RelSameAs {
		return from == to
	}
	for _, r := range relationInfo {
		if r.typ == t {
			return slices.Contains(r.from, from) && slices.Contains(r.to, to)
		}
	}
	return false
}

// HolderTypes are the relationship types that tie a person or organisation to an identifier it
// uses, holds, owns or lives at. An identifier held by a victim is part of the victim's identifying
// details (see VictimIdentifierHidden).
var HolderTypes = []RelationType{RelUses, RelHoldsDocument, RelLivesAt, RelOwns}

// PartyRole is the role of a party to a case (the role of a PARTY_TO relationship).
type PartyRole string

// Party roles.
const (
	PartyAccused            PartyRole = "ACCUSED"
	PartyProclaimedOffender PartyRole = "PROCLAIMED_OFFENDER"
	PartyVictim             PartyRole = "VICTIM"
	PartyWitness            PartyRole = "WITNESS"
	PartyComplainant        PartyRole = "COMPLAINANT"
)

// PartyRoles lists every party role.
var PartyRoles = []PartyRole{PartyAccused, PartyProclaimedOffender, PartyVictim, PartyWitness, PartyComplainant}

// TravelMode is how a leg of a route is travelled.
type TravelMode string

// Travel modes.
const (
	ModeLand TravelMode = "LAND"
	ModeSea  TravelMode = "SEA"
	ModeAir  TravelMode = "AIR"
)

// Relationship is a typed, directed edge with properties and the same envelope as an entity.
type Relationship struct {
	Meta
	Type RelationType `json:"-"`
	From string       `json:"-"`
	To   string       `json:"-"`
	RelationProps
}

// NamedVictim returns the id of the person r names a victim — the party of a PARTY_TO relationship
// with role VICTIM, the person a TRAFFICKED relationship points to — or "" when it names none. Such
// a person must be recorded as a victim (Person.Victim), so that the protection of victims covers
// them: a store refuses the relationship otherwise (see ChangePlan). A SAME_AS between two persons
// names each a victim when the other is one (see SameAsVictim).
func (r *Relationship) NamedVictim() string {
	switch {
	case r.Type == RelPartyTo && r.Role == string(PartyVictim):
		return r.From
	case r.Type == RelTrafficked:
		return r.To
	}
	return ""
}

// SameAsVictim returns, for a SAME_AS between two persons of which one is a victim's record
// (fromVictim, toVictim), the id of the other, whose record must be a victim's too: the two are one
// person, and the other record's name beside the victim's pseudonym would tell who the victim is.
// It returns "" for any other relationship, or when both or neither are victims' records.
func (r *Relationship) SameAsVictim(fromVictim, toVictim bool) string {
	switch {
	case r.Type != RelSameAs || fromVictim == toVictim:
		return ""
	case fromVictim:
		return r.To
	}
	return r.From
}

// UnrecordedVictimReason is why a relationship of type t that names person id a victim is refused
// when the person's record is not a victim's.
func UnrecordedVictimReason(t RelationType, id string) string {
	return fmt.Sprintf("%s names %s a victim, and the person's record does not: record them as a victim first "+
		"(victim details, empty when none are known), so that their identity is protected", t, id)
}

// RelationProps are the properties a relationship may carry; which ones apply depends on its type.
type RelationProps struct {
	// Role: the party role for PARTY_TO (one of PartyRoles), the role in an organisation for
	// MEMBER_OF, the family tie for FAMILY_OF, the part played for INVOLVED_IN.
	Role   string     `json:"role,omitempty"`
	Since  Date       `json:"since,omitempty"`
	Until  Date       `json:"until,omitempty"`
	Date   Date       `json:"date,omitempty"`
	Amount *Money     `json:"amount,omitempty"`
	Order  int        `json:"order,omitempty"` // HAS_STOP: position of the stop, from 1
	Mode   TravelMode `json:"mode,omitempty"`  // HAS_STOP: how the leg into this stop is travelled
	Weight float64    `json:"weight,omitempty"`
	Note   string     `json:"note,omitempty"`
	// Merge: on a SAME_AS written by Service.Merge, what the merge moved (see MergeRecord).
	Merge *MergeRecord `json:"merge,omitempty"`
	// Withheld: the relationship was imported from a row of a redacted export (one that tied a
	// victim whose identifying details the exporter could not see), which withheld its note, source
	// key and source reference, so this store may lack them. Its exports are marked redacted in
	// turn (Incomplete), so that they never overwrite the relationship in the store it came from.
	Withheld bool `json:"withheld,omitempty"`
}

// withheldJSON is how the JSON of RelationProps (encoding/json, as both stores keep them) shows
// the Withheld mark; a string value cannot contain it unescaped.
const withheldJSON = `"withheld":true`

// Incomplete reports whether r comes without its note and keys: withheld from the viewer beside a
// victim (Redacted, see ProtectTie) or from the export it was imported from (Withheld). An export
// marks such a relationship redacted, and a redacted row never changes a stored relationship.
func (r *Relationship) Incomplete() bool { return r.Redacted || r.Withheld }
