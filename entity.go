package sarhad

import (
	"fmt"
	"slices"
	"time"
)

// EntityKind names a kind of node in the graph. Each kind is a GraphQL type implementing Node and a
// Neo4j label; the value set is closed and never comes from user input into a query.
type EntityKind string

// Entity kinds.
const (
	KindPerson             EntityKind = "PERSON"
	KindOrganization       EntityKind = "ORGANIZATION"
	KindCountry            EntityKind = "COUNTRY"
	KindPlace              EntityKind = "PLACE"
	KindRoute              EntityKind = "ROUTE"
	KindCase               EntityKind = "CASE"
	KindEvent              EntityKind = "EVENT"
	KindPhone              EntityKind = "PHONE"
	KindBankAccount        EntityKind = "BANK_ACCOUNT"
	KindIdentityDocument   EntityKind = "IDENTITY_DOCUMENT"
	KindVehicle            EntityKind = "VEHICLE"
	KindAddress            EntityKind = "ADDRESS"
	KindOnlineAccount      EntityKind = "ONLINE_ACCOUNT"
	KindSource             EntityKind = "SOURCE"
	KindCooperationRequest EntityKind = "COOPERATION_REQUEST"
)

// kindInfo is the closed table of kinds: the id prefix and the Neo4j label of each.
var kindInfo = []struct {
	kind   EntityKind
	prefix string
	label  string
}{
	{KindPerson, "per", "Person"},
	{KindOrganization, "org", "Organization"},
	{KindCountry, "cty", "Country"},
	{KindPlace, "plc", "Place"},
	{KindRoute, "rte", "Route"},
	{KindCase, "cas", "Case"},
	{KindEvent, "evt", "Event"},
	{KindPhone, "phn", "Phone"},
	{KindBankAccount, "bnk", "BankAccount"},
	{KindIdentityDocument, "doc", "IdentityDocument"},
	{KindVehicle, "veh", "Vehicle"},
	{KindAddress, "adr", "Address"},
	{KindOnlineAccount, "onl", "OnlineAccount"},
	{KindSource, "src", "Source"},
	{KindCooperationRequest, "coo", "CooperationRequest"},
}

// EntityKinds lists every kind.
func EntityKinds() []EntityKind {
	out := make([]EntityKind, len(kindInfo))
	for i, k := range kindInfo {
		out[i] = k.kind
	}
	return out
}

// Valid reports whether k is a known kind.
func (k EntityKind) Valid() bool { return k.Label() != "" }

// Label returns the Neo4j label (and GraphQL type name) of k, or "" for an unknown kind.
func (k EntityKind) Label() string {
	for _, i := range kindInfo {
		if i.kind == k {
			return i.label
		}
	}
	return ""
}

// IsIdentifier reports whether k is one of the identifiers that tie persons together.
func (k EntityKind) IsIdentifier() bool {
	return slices.Contains(IdentifierKinds, k)
}

// IdentifierKinds are the kinds of identifiers: phones, accounts, documents, vehicles, addresses.
var IdentifierKinds = []EntityKind{KindPhone, KindBankAccount, KindIdentityDocument, KindVehicle, KindAddress, KindOnlineAccount}

// Meta is the envelope every entity carries. Its fields are stored as columns or node properties of
// their own; the kind-specific fields of an entity are stored as its attributes.
type Meta struct {
	ID        string     `json:"-"`
	Kind      EntityKind `json:"-"`
	CreatedAt time.Time  `json:"-"`
	CreatedBy string     `json:"-"`
	UpdatedAt time.Time  `json:"-"`
	UpdatedBy string     `json:"-"`
	Handling  Handling   `json:"-"`
	SourceIDs []string   `json:"-"`
	// SourceKey is the key of the record in the system it was imported from, unique per originating
	// organisation and kind; a create with a known key returns the existing record (idempotent writes).
	SourceKey string `json:"-"`
	// SourceRef says where in its source the record was read, for imported records: the file and
	// line ("persons.csv:12"); empty for records written through the API. It alone does not make a
	// write a change: a record read again from another line of an updated file is unchanged, and
	// keeps its reference until it changes.
	SourceRef string `json:"-"`
	// Redacted is true when identifying details of a victim were withheld from this viewer.
	Redacted bool `json:"-"`
}

// Entity is any node of the graph.
type Entity interface {
	EntityMeta() *Meta
	// DisplayName is a short human label: a name, number or reference.
	DisplayName() string
	// SearchNames are the texts that name search matches (names, aliases, numbers).
	SearchNames() []string
}

// EntityMeta returns the envelope.
func (m *Meta) EntityMeta() *Meta { return m }

// NewEntity returns an empty entity of kind k, or nil for an unknown kind.
func NewEntity(k EntityKind) Entity {
	var e Entity
	switch k {
	case KindPerson:
		e = &Person{}
	case KindOrganization:
		e = &Organization{}
	case KindCountry:
		e = &Country{}
	case KindPlace:
		e = &Place{}
	case KindRoute:
		e = &Route{}
	case KindCase:
		e = &Case{}
	case KindEvent:
		e = &Event{}
	case KindPhone:
		e = &Phone{}
	case KindBankAccount:
		e = &BankAccount{}
	case KindIdentityDocument:
		e = &IdentityDocument{}
	case KindVehicle:
		e = &Vehicle{}
	case KindAddress:
		e = &Address{}
	case KindOnlineAccount:
		e = &OnlineAccount{}
	case KindSource:
		e = &Source{}
	case KindCooperationRequest:
		e = &CooperationRequest{}
	default:
		return nil
	}
	e.EntityMeta().Kind = k
	return e
}

// GeoPoint is a WGS 84 coordinate.
type GeoPoint struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Money is an amount in a currency (ISO 4217).
type Money struct {
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"`
}

func nonEmpty(ss ...string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Gender of a person.
type Gender string

// Genders.
const (
	GenderMale    Gender = "MALE"
	GenderFemale  Gender = "FEMALE"
	GenderOther   Gender = "OTHER"
	GenderUnknown Gender = "UNKNOWN"
)

// AgeGroup is a coarse age band, safe to show for a protected victim.
type AgeGroup string

// Age groups.
const (
	AgeGroupChild   AgeGroup = "CHILD"
	AgeGroupAdult   AgeGroup = "ADULT"
	AgeGroupUnknown AgeGroup = "UNKNOWN"
)

// Person is a suspect, facilitator, victim, witness or any other individual.
type Person struct {
	Meta
	Name          string   `json:"name"`
	Aliases       []string `json:"aliases,omitempty"`
	FatherName    string   `json:"fatherName,omitempty"`
	Gender        Gender   `json:"gender"`
	BirthDate     Date     `json:"birthDate,omitempty"`
	Nationalities []string `json:"nationalities,omitempty"` // ISO alpha-3
	Occupation    string   `json:"occupation,omitempty"`
	// Victim is set when the person is a (presumed) victim; it makes the person protected.
	Victim *VictimDetails `json:"victim,omitempty"`
}

// VictimDetails are the sensitive facts about a victim.
type VictimDetails struct {
	AgeGroup        AgeGroup         `json:"ageGroup"`
	Exploitation    []Exploitation   `json:"exploitation,omitempty"`
	Vulnerabilities []string         `json:"vulnerabilities,omitempty"`
	IdentifiedOn    Date             `json:"identifiedOn,omitempty"`
	Assistance      []AssistanceKind `json:"assistance,omitempty"`
}

// Exploitation is the purpose a victim was trafficked for.
type Exploitation string

// Exploitation types, after UNODC's CTDC categories.
const (
	ExploitationForcedLabour      Exploitation = "FORCED_LABOUR"
	ExploitationSexual            Exploitation = "SEXUAL"
	ExploitationDomesticServitude Exploitation = "DOMESTIC_SERVITUDE"
	ExploitationForcedMarriage    Exploitation = "FORCED_MARRIAGE"
	ExploitationBondedLabour      Exploitation = "BONDED_LABOUR"
	ExploitationBegging           Exploitation = "FORCED_BEGGING"
	ExploitationOther             Exploitation = "OTHER"
)

// AssistanceKind is support given to a victim.
type AssistanceKind string

// Kinds of assistance.
const (
	AssistanceShelter      AssistanceKind = "SHELTER"
	AssistanceMedical      AssistanceKind = "MEDICAL"
	AssistanceLegal        AssistanceKind = "LEGAL"
	AssistanceRepatriation AssistanceKind = "REPATRIATION"
	AssistancePsychosocial AssistanceKind = "PSYCHOSOCIAL"
	AssistanceFinancial    AssistanceKind = "FINANCIAL"
)

// IsVictim reports whether p is protected as a victim.
func (p *Person) IsVictim() bool { return p.Victim != nil }

// IsVictim reports whether e is a victim's record.
func IsVictim(e Entity) bool {
	p, ok := e.(*Person)
	return ok && p.IsVictim()
}

// DisplayName implements Entity.
func (p *Person) DisplayName() string { return p.Name }

// SearchNames implements Entity.
func (p *Person) SearchNames() []string { return nonEmpty(append([]string{p.Name}, p.Aliases...)...) }

// Redact replaces a victim's identifying details with a stable pseudonym, keeping the coarse
// attributes (gender, age group, nationalities). The source key goes too: a source system's key
// may be made of the name, an identity number or the birth date; and so does the source reference,
// whose file name the importer chose.
func (p *Person) Redact() {
	p.Name = Pseudonym(p.ID)
	p.SourceKey, p.SourceRef = "", ""
	p.Aliases = nil
	p.FatherName = ""
	p.BirthDate = ""
	p.Occupation = ""
	if p.Victim != nil {
		p.Victim = &VictimDetails{AgeGroup: p.Victim.AgeGroup, Exploitation: p.Victim.Exploitation,
			Assistance: p.Victim.Assistance}
	}
	p.Redacted = true
}

// OrganizationCategory says what an organisation is.
type OrganizationCategory string

// Organisation categories.
const (
	OrgCriminalNetwork   OrganizationCategory = "CRIMINAL_NETWORK"
	OrgTravelAgency      OrganizationCategory = "TRAVEL_AGENCY"
	OrgRecruitmentAgency OrganizationCategory = "RECRUITMENT_AGENCY"
	OrgFrontCompany      OrganizationCategory = "FRONT_COMPANY"
	OrgLawEnforcement    OrganizationCategory = "LAW_ENFORCEMENT"
	OrgNGO               OrganizationCategory = "NGO"
	OrgShelter           OrganizationCategory = "SHELTER"
	OrgGovernment        OrganizationCategory = "GOVERNMENT"
	OrgOther             OrganizationCategory = "OTHER"
)

// Organization is a criminal network, agency, company, NGO or shelter.
type Organization struct {
	Meta
	Name        string               `json:"name"`
	Aliases     []string             `json:"aliases,omitempty"`
	Category    OrganizationCategory `json:"category"`
	Country     string               `json:"country,omitempty"` // ISO alpha-3 of its base
	Description string               `json:"description,omitempty"`
}

// DisplayName implements Entity.
func (o *Organization) DisplayName() string { return o.Name }

// SearchNames implements Entity.
func (o *Organization) SearchNames() []string {
	return nonEmpty(append([]string{o.Name}, o.Aliases...)...)
}

// Country is ISO 3166-1 reference data.
type Country struct {
	Meta
	Name    string `json:"name"`
	Alpha2  string `json:"alpha2"`
	Alpha3  string `json:"alpha3"`
	Numeric string `json:"numeric,omitempty"`
	Region  string `json:"region,omitempty"`
}

// DisplayName implements Entity.
func (c *Country) DisplayName() string { return c.Name }

// SearchNames implements Entity.
func (c *Country) SearchNames() []string { return nonEmpty(c.Name, c.Alpha2, c.Alpha3) }

// PlaceCategory says what a place is.
type PlaceCategory string

// Place categories.
const (
	PlaceCity           PlaceCategory = "CITY"
	PlaceBorderCrossing PlaceCategory = "BORDER_CROSSING"
	PlaceSeaport        PlaceCategory = "SEAPORT"
	PlaceAirport        PlaceCategory = "AIRPORT"
	PlaceLandingSite    PlaceCategory = "LANDING_SITE"
	PlaceSafeHouse      PlaceCategory = "SAFE_HOUSE"
	PlaceOther          PlaceCategory = "OTHER"
)

// Place is a city, border crossing, port, airport, landing site or safe house.
type Place struct {
	Meta
	Name        string        `json:"name"`
	Aliases     []string      `json:"aliases,omitempty"`
	Category    PlaceCategory `json:"category"`
	Country     string        `json:"country"` // ISO alpha-3
	Location    *GeoPoint     `json:"location,omitempty"`
	Approximate bool          `json:"approximate,omitempty"`
	Description string        `json:"description,omitempty"`
}

// DisplayName implements Entity.
func (p *Place) DisplayName() string { return p.Name }

// SearchNames implements Entity.
func (p *Place) SearchNames() []string { return nonEmpty(append([]string{p.Name}, p.Aliases...)...) }

// Route is a smuggling or trafficking route; its stops are HAS_STOP relationships in order.
type Route struct {
	Meta
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Fee         *Money `json:"fee,omitempty"`
	ActiveFrom  Date   `json:"activeFrom,omitempty"`
	ActiveTo    Date   `json:"activeTo,omitempty"`
}

// DisplayName implements Entity.
func (r *Route) DisplayName() string { return r.Name }

// SearchNames implements Entity.
func (r *Route) SearchNames() []string { return nonEmpty(r.Name) }

// Offence is a statutory offence a case is registered under.
type Offence string

// Offences.
const (
	OffenceTrafficking Offence = "PTPA_2018_TRAFFICKING"
	OffenceSmuggling   Offence = "PSMA_2018_SMUGGLING"
	OffenceForgery     Offence = "FORGERY"
	OffenceOther       Offence = "OTHER"
)

// CaseStage is where a case stands in the criminal process.
type CaseStage string

// Case stages, in the order a case moves through them.
const (
	StageRegistered         CaseStage = "REGISTERED"
	StageUnderInvestigation CaseStage = "UNDER_INVESTIGATION"
	StageChargeSheeted      CaseStage = "CHARGE_SHEETED"
	StageOnTrial            CaseStage = "ON_TRIAL"
	StageConvicted          CaseStage = "CONVICTED"
	StageAcquitted          CaseStage = "ACQUITTED"
	StageClosed             CaseStage = "CLOSED"
)

// CaseStages lists the stages in the order a case moves through them.
var CaseStages = []CaseStage{StageRegistered, StageUnderInvestigation, StageChargeSheeted, StageOnTrial, StageConvicted,
	StageAcquitted, StageClosed}

// Case is a criminal case: an FIR and what followed.
type Case struct {
	Meta
	Reference       string    `json:"reference"`
	Title           string    `json:"title,omitempty"`
	Agency          string    `json:"agency"`
	Country         string    `json:"country"` // ISO alpha-3 of the registering agency
	Offences        []Offence `json:"offences"`
	Stage           CaseStage `json:"stage"`
	RegisteredOn    Date      `json:"registeredOn"`
	ChargeSheetedOn Date      `json:"chargeSheetedOn,omitempty"`
	DecidedOn       Date      `json:"decidedOn,omitempty"`
	ClosedOn        Date      `json:"closedOn,omitempty"`
	Summary         string    `json:"summary,omitempty"`
}

// DisplayName implements Entity.
func (c *Case) DisplayName() string { return c.Reference }

// SearchNames implements Entity.
func (c *Case) SearchNames() []string { return nonEmpty(c.Reference, c.Title) }

// EventCategory says what happened.
type EventCategory string

// Event categories.
const (
	EventArrest         EventCategory = "ARREST"
	EventInterception   EventCategory = "INTERCEPTION"
	EventBorderCrossing EventCategory = "BORDER_CROSSING"
	EventRecruitment    EventCategory = "RECRUITMENT"
	EventPayment        EventCategory = "PAYMENT"
	EventRescue         EventCategory = "RESCUE"
	EventDeath          EventCategory = "DEATH"
	EventDeportation    EventCategory = "DEPORTATION"
	EventMeeting        EventCategory = "MEETING"
)

// Event is something that happened on a date, usually at a place.
type Event struct {
	Meta
	Category     EventCategory `json:"category"`
	OccurredOn   Date          `json:"occurredOn"`
	Description  string        `json:"description,omitempty"`
	PersonsCount int           `json:"personsCount,omitempty"`
}

// DisplayName implements Entity.
func (e *Event) DisplayName() string { return string(e.Category) + " " + string(e.OccurredOn) }

// SearchNames implements Entity.
func (e *Event) SearchNames() []string { return nil }

// Phone is a telephone number, stored in E.164.
type Phone struct {
	Meta
	Number  string `json:"number"`
	Country string `json:"country,omitempty"`
}

// DisplayName implements Entity.
func (p *Phone) DisplayName() string { return p.Number }

// SearchNames implements Entity.
func (p *Phone) SearchNames() []string { return nonEmpty(p.Number) }

// BankAccount is an account at a bank or a mobile-money or hawala ledger.
type BankAccount struct {
	Meta
	Bank          string `json:"bank"`
	AccountNumber string `json:"accountNumber"`
	Country       string `json:"country,omitempty"`
	HolderName    string `json:"holderName,omitempty"`
}

// DisplayName implements Entity.
func (b *BankAccount) DisplayName() string { return b.Bank + " " + b.AccountNumber }

// SearchNames implements Entity.
func (b *BankAccount) SearchNames() []string { return nonEmpty(b.AccountNumber, b.HolderName) }

// DocumentType says what an identity document is.
type DocumentType string

// Document types.
const (
	DocumentCNIC       DocumentType = "CNIC"
	DocumentPassport   DocumentType = "PASSPORT"
	DocumentVisa       DocumentType = "VISA"
	DocumentNationalID DocumentType = "NATIONAL_ID"
	DocumentOther      DocumentType = "OTHER"
)

// Authenticity says whether a document is genuine.
type Authenticity string

// Authenticity values.
const (
	AuthenticityGenuine    Authenticity = "GENUINE"
	AuthenticityForged     Authenticity = "FORGED"
	AuthenticityFraudulent Authenticity = "FRAUDULENTLY_OBTAINED"
	AuthenticityUnknown    Authenticity = "UNKNOWN"
)

// IdentityDocument is a CNIC, passport, visa or other document, genuine or forged.
type IdentityDocument struct {
	Meta
	DocumentType   DocumentType `json:"documentType"`
	Number         string       `json:"number"`
	IssuingCountry string       `json:"issuingCountry,omitempty"`
	Authenticity   Authenticity `json:"authenticity"`
	IssuedOn       Date         `json:"issuedOn,omitempty"`
	ExpiresOn      Date         `json:"expiresOn,omitempty"`
}

// DisplayName implements Entity.
func (d *IdentityDocument) DisplayName() string { return string(d.DocumentType) + " " + d.Number }

// SearchNames implements Entity.
func (d *IdentityDocument) SearchNames() []string { return nonEmpty(d.Number) }

// VehicleCategory says what a vehicle or vessel is.
type VehicleCategory string

// Vehicle categories.
const (
	VehicleCar   VehicleCategory = "CAR"
	VehicleTruck VehicleCategory = "TRUCK"
	VehicleBus   VehicleCategory = "BUS"
	VehicleBoat  VehicleCategory = "BOAT"
	VehicleShip  VehicleCategory = "SHIP"
	VehicleOther VehicleCategory = "OTHER"
)

// Vehicle is a vehicle or vessel.
type Vehicle struct {
	Meta
	Category     VehicleCategory `json:"category"`
	Registration string          `json:"registration,omitempty"`
	Name         string          `json:"name,omitempty"`
	Description  string          `json:"description,omitempty"`
}

// DisplayName implements Entity.
func (v *Vehicle) DisplayName() string {
	if v.Name != "" {
		return v.Name
	}
	return v.Registration
}

// SearchNames implements Entity.
func (v *Vehicle) SearchNames() []string { return nonEmpty(v.Registration, v.Name) }

// Address is a postal address or a described location.
type Address struct {
	Meta
	Line     string    `json:"line"`
	City     string    `json:"city,omitempty"`
	Country  string    `json:"country,omitempty"`
	Location *GeoPoint `json:"location,omitempty"`
}

// DisplayName implements Entity.
func (a *Address) DisplayName() string { return a.Line }

// SearchNames implements Entity.
func (a *Address) SearchNames() []string { return nonEmpty(a.Line) }

// OnlineAccount is an account on a messaging app, social network or e-mail service.
type OnlineAccount struct {
	Meta
	Platform string `json:"platform"`
	Handle   string `json:"handle"`
}

// DisplayName implements Entity.
func (o *OnlineAccount) DisplayName() string { return o.Platform + ":" + o.Handle }

// SearchNames implements Entity.
func (o *OnlineAccount) SearchNames() []string { return nonEmpty(o.Handle) }

// SourceCategory says what a source is.
type SourceCategory string

// Source categories.
const (
	SourceReport      SourceCategory = "REPORT"
	SourceStatement   SourceCategory = "STATEMENT"
	SourceIntercept   SourceCategory = "INTERCEPT"
	SourceOpen        SourceCategory = "OPEN_SOURCE"
	SourceCourtRecord SourceCategory = "COURT_RECORD"
	SourceImport      SourceCategory = "IMPORT"
	SourceOther       SourceCategory = "OTHER"
)

// Source is a report or record facts come from, with its Admiralty grading.
type Source struct {
	Meta
	Title       string         `json:"title"`
	Category    SourceCategory `json:"category"`
	Originator  string         `json:"originator"`
	Date        Date           `json:"date,omitempty"`
	Reliability Reliability    `json:"reliability"`
	Credibility Credibility    `json:"credibility"`
}

// DisplayName implements Entity.
func (s *Source) DisplayName() string { return s.Title }

// SearchNames implements Entity.
func (s *Source) SearchNames() []string { return nonEmpty(s.Title) }

// CooperationCategory says what a cooperation request asks for.
type CooperationCategory string

// Cooperation request categories.
const (
	CoopMutualLegalAssistance CooperationCategory = "MUTUAL_LEGAL_ASSISTANCE"
	CoopExtradition           CooperationCategory = "EXTRADITION"
	CoopInterpolNotice        CooperationCategory = "INTERPOL_NOTICE"
	CoopJointInvestigation    CooperationCategory = "JOINT_INVESTIGATION"
	CoopInformationExchange   CooperationCategory = "INFORMATION_EXCHANGE"
)

// CooperationStatus is where a cooperation request stands.
type CooperationStatus string

// Cooperation request statuses.
const (
	CoopDraft      CooperationStatus = "DRAFT"
	CoopSent       CooperationStatus = "SENT"
	CoopInProgress CooperationStatus = "IN_PROGRESS"
	CoopExecuted   CooperationStatus = "EXECUTED"
	CoopRefused    CooperationStatus = "REFUSED"
	CoopWithdrawn  CooperationStatus = "WITHDRAWN"
)

// CooperationRequest is a request for mutual legal assistance, extradition, an INTERPOL notice or a
// joint investigation between two countries; CONCERNS relationships tie it to cases and persons.
type CooperationRequest struct {
	Meta
	Reference         string              `json:"reference"`
	Category          CooperationCategory `json:"category"`
	RequestingCountry string              `json:"requestingCountry"`
	RequestedCountry  string              `json:"requestedCountry"`
	Status            CooperationStatus   `json:"status"`
	SentOn            Date                `json:"sentOn,omitempty"`
	RespondedOn       Date                `json:"respondedOn,omitempty"`
	Summary           string              `json:"summary,omitempty"`
}

// DisplayName implements Entity.
func (c *CooperationRequest) DisplayName() string { return c.Reference }

// SearchNames implements Entity.
func (c *CooperationRequest) SearchNames() []string { return nonEmpty(c.Reference) }

// Grading is the Admiralty grade in short form, for example "B2".
func (s *Source) Grading() string {
	return fmt.Sprintf("%s%d", s.Reliability, s.Credibility.Number())
}

// KindOf returns the kind of an entity from its Go type.
func KindOf(e Entity) EntityKind {
	switch e.(type) {
	case *Person:
		return KindPerson
	case *Organization:
		return KindOrganization
	case *Country:
		return KindCountry
	case *Place:
		return KindPlace
	case *Route:
		return KindRoute
	case *Case:
		return KindCase
	case *Event:
		return KindEvent
	case *Phone:
		return KindPhone
	case *BankAccount:
		return KindBankAccount
	case *IdentityDocument:
		return KindIdentityDocument
	case *Vehicle:
		return KindVehicle
	case *Address:
		return KindAddress
	case *OnlineAccount:
		return KindOnlineAccount
	case *Source:
		return KindSource
	case *CooperationRequest:
		return KindCooperationRequest
	}
	return ""
}
