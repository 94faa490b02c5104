package export

import (
	"cmp"
	"context"
	"encoding/json"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/sarhad/sarhad"
)

// FtM writes the graph the viewer in ctx may see as FollowTheMoney entities, one JSON object per
// line ({"id","schema","properties"}), for OCCRP Aleph and the ftm tools. It is the inverse of the
// importer's FtM mapping (ingest/README.md): importing its output gives back the same persons,
// organisations, documents, accounts, addresses, phones and ties, keyed by their Sarhad ids.
//
// Every FtM id is the Sarhad id of the entity or relationship. Phones are the phone property of
// the persons and organisations that use or own them (FtM has no Phone schema), addresses lived
// at are addressEntity references, a document's holders its holder property. Kinds and
// relationships FtM has no schema for are skipped: countries (nationalities and countries are
// properties), places, routes, sources, cooperation requests; NATIONAL_OF, LOCATED_IN,
// OPERATES_ROUTE, HAS_STOP, OCCURRED_AT, ALONG_ROUTE, CONCERNS and SAME_AS. FtM has no handling
// markings either: the lines carry none, and whoever passes the file on must mark it.
//
// Nor can FtM mark a person as a victim: a victim written under their name would come back from
// an import (or reach Aleph) as an ordinary, unprotected person. So the export is what the viewer
// would see without the VICTIM_PII clearance: every victim under their pseudonym with no details,
// and the phones, documents, accounts and addresses that victims hold left out.
func FtM(ctx context.Context, svc *sarhad.Service, w io.Writer) error {
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return err
	}
	if v.System {
		// The policy does not apply to the system viewer: it would see every victim in full.
		return sarhad.Errorf(sarhad.EFORBIDDEN, "a FollowTheMoney export is made for a viewer of an organisation")
	}
	uncleared := *v
	uncleared.Clearances = slices.DeleteFunc(slices.Clone(v.Clearances), func(c string) bool { return c == sarhad.ClearanceVictimPII })
	ctx = sarhad.NewContext(ctx, &uncleared)
	x := &ftmWriter{enc: json.NewEncoder(w), phones: map[string]string{}, carried: map[string]*ftmEntity{},
		pendingByID: map[string]*ftmEntity{}}
	x.enc.SetEscapeHTML(false)
	err = svc.Walk(ctx, ftmKinds, sarhad.Visitor{Entity: x.entity, Relationship: x.relationship})
	if err != nil {
		return err
	}
	return x.flush()
}

// ftmKinds are the kinds exported, in the order they are walked: phones first (they become
// properties of their users), the legal entities next, then the kinds whose FtM entities carry
// references to them (a document's holder, an event's involved, a vehicle's operator, an account's
// owner), which are collected from the relationships of the legal entities before.
var ftmKinds = []sarhad.EntityKind{sarhad.KindPhone, sarhad.KindPerson, sarhad.KindOrganization, sarhad.KindVehicle,
	sarhad.KindCase, sarhad.KindEvent, sarhad.KindBankAccount, sarhad.KindIdentityDocument, sarhad.KindAddress,
	sarhad.KindOnlineAccount}

// ftmEntity is one FtM entity; every property is a list of values.
type ftmEntity struct {
	ID         string              `json:"id"`
	Schema     string              `json:"schema"`
	Properties map[string][]string `json:"properties"`
}

// set adds the non-empty values to a property, each once.
func (f *ftmEntity) set(prop string, values ...string) {
	for _, v := range values {
		if v == "" || slices.Contains(f.Properties[prop], v) {
			continue
		}
		if f.Properties == nil {
			f.Properties = map[string][]string{}
		}
		f.Properties[prop] = append(f.Properties[prop], v)
	}
}

// ftmWriter holds what a walk has yet to write: Walk visits a page of entities, then the
// relationships that start at them, so persons and organisations wait (pending) until their
// phones and addresses have been seen.
type ftmWriter struct {
	enc         *json.Encoder
	phones      map[string]string     // phone id → number
	carried     map[string]*ftmEntity // properties waiting for the entity they belong to
	pending     []*ftmEntity
	pendingByID map[string]*ftmEntity
	pendingKind sarhad.EntityKind
	afterRels   bool // the last visit was a relationship
}

func (x *ftmWriter) write(f *ftmEntity) error {
	if f.Properties == nil {
		f.Properties = map[string][]string{}
	}
	return x.enc.Encode(f)
}

// flush writes the pending entities.
func (x *ftmWriter) flush() error {
	for _, f := range x.pending {
		if err := x.write(f); err != nil {
			return err
		}
	}
	x.pending = x.pending[:0]
	clear(x.pendingByID)
	return nil
}

func (x *ftmWriter) entity(e sarhad.Entity) error {
	m := e.EntityMeta()
	if x.afterRels || m.Kind != x.pendingKind {
		// The relationships of the pending entities' pages have all been visited.
		if err := x.flush(); err != nil {
			return err
		}
	}
	x.afterRels = false
	if p, ok := e.(*sarhad.Phone); ok {
		x.phones[p.ID] = p.Number
		return nil
	}
	f := ftmOf(e)
	if c := x.carried[m.ID]; c != nil {
		for prop, vs := range c.Properties {
			f.set(prop, vs...)
		}
		delete(x.carried, m.ID)
	}
	if m.Kind == sarhad.KindPerson || m.Kind == sarhad.KindOrganization {
		x.pending = append(x.pending, f)
		x.pendingByID[m.ID] = f
		x.pendingKind = m.Kind
		return nil
	}
	return x.write(f)
}

// carry sets a property of an entity not visited yet.
func (x *ftmWriter) carry(id, prop, value string) {
	c := x.carried[id]
	if c == nil {
		c = &ftmEntity{}
		x.carried[id] = c
	}
	c.set(prop, value)
}

func (x *ftmWriter) relationship(r *sarhad.Relationship) error {
	x.afterRels = true
	fromKind, _ := sarhad.KindOfID(r.From)
	toKind, _ := sarhad.KindOfID(r.To)
	legal := fromKind == sarhad.KindPerson || fromKind == sarhad.KindOrganization
	p := r.RelationProps
	link := func(schema, from, to string) *ftmEntity {
		f := &ftmEntity{ID: r.ID, Schema: schema}
		f.set(from, r.From)
		f.set(to, r.To)
		f.set("startDate", string(p.Since))
		f.set("endDate", string(p.Until))
		f.set("date", string(p.Date))
		return f
	}
	var f *ftmEntity
	switch {
	case toKind == sarhad.KindPhone && legal && (r.Type == sarhad.RelUses || r.Type == sarhad.RelOwns):
		if owner := x.pendingByID[r.From]; owner != nil {
			owner.set("phone", x.phones[r.To])
		}
		return nil
	case r.Type == sarhad.RelLivesAt && legal:
		if owner := x.pendingByID[r.From]; owner != nil {
			owner.set("addressEntity", r.To)
		}
		return nil
	case r.Type == sarhad.RelHoldsDocument:
		x.carry(r.To, "holder", r.From)
		return nil
	case r.Type == sarhad.RelInvolvedIn && legal:
		x.carry(r.To, "involved", r.From)
		return nil
	case r.Type == sarhad.RelUses && toKind == sarhad.KindVehicle:
		x.carry(r.To, "operator", r.From)
		return nil
	case r.Type == sarhad.RelUses && toKind == sarhad.KindOnlineAccount:
		x.carry(r.To, "owner", r.From)
		return nil
	case r.Type == sarhad.RelMemberOf, r.Type == sarhad.RelLeads:
		f = link("Membership", "member", "organization")
		role := p.Role
		if r.Type == sarhad.RelLeads {
			role = cmp.Or(role, "leader")
		}
		f.set("role", role)
	case r.Type == sarhad.RelAssociateOf:
		f = link("Associate", "person", "associate")
		f.set("relationship", p.Role)
	case r.Type == sarhad.RelFamilyOf:
		f = link("Family", "person", "relative")
		f.set("relationship", p.Role)
	case r.Type == sarhad.RelPaid:
		f = link("Payment", "payer", "beneficiary")
		if p.Amount != nil {
			f.set("amount", strconv.FormatFloat(p.Amount.Amount, 'f', -1, 64))
			f.set("currency", p.Amount.Currency)
		}
		f.set("purpose", p.Note)
		p.Note = ""
	case r.Type == sarhad.RelOwns:
		f = link("Ownership", "owner", "asset")
		f.set("role", p.Role)
		if m := percentage.FindStringSubmatch(p.Note); m != nil {
			f.set("percentage", m[1])
			p.Note = ""
		}
	case r.Type == sarhad.RelPartyTo:
		f = link("CourtCaseParty", "party", "case")
		f.set("role", strings.ToLower(p.Role))
	case r.Type == sarhad.RelNationalOf, r.Type == sarhad.RelSameAs:
		return nil
	default:
		// USES of an account, RECRUITED, SMUGGLED, TRAFFICKED, REFERRED_TO, RECORDED_IN, a vehicle
		// INVOLVED_IN an event: a link of the type's name.
		f = link("UnknownLink", "subject", "object")
		f.set("role", cmp.Or(p.Role, strings.ToLower(strings.ReplaceAll(string(r.Type), "_", " "))))
	}
	f.set("summary", p.Note)
	return x.write(f)
}

// percentage is an ownership share as the importer writes it into a note ("50%").
var percentage = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)%$`)

// ftmOf maps an entity to its FtM schema and properties.
func ftmOf(e sarhad.Entity) *ftmEntity {
	f := &ftmEntity{ID: e.EntityMeta().ID}
	switch e := e.(type) {
	case *sarhad.Person:
		f.Schema = "Person"
		f.set("name", e.Name)
		f.set("alias", e.Aliases...)
		f.set("fatherName", e.FatherName)
		if e.Gender != sarhad.GenderUnknown {
			f.set("gender", strings.ToLower(string(e.Gender)))
		}
		f.set("birthDate", string(e.BirthDate))
		f.set("nationality", ftmCountries(e.Nationalities...)...)
		f.set("position", e.Occupation)
	case *sarhad.Organization:
		f.Schema = "Organization"
		if e.Category == sarhad.OrgGovernment || e.Category == sarhad.OrgLawEnforcement {
			f.Schema = "PublicBody"
		}
		f.set("name", e.Name)
		f.set("alias", e.Aliases...)
		f.set("country", ftmCountries(e.Country)...)
		f.set("description", e.Description)
	case *sarhad.Vehicle:
		f.Schema = "Vehicle"
		if e.Category == sarhad.VehicleBoat || e.Category == sarhad.VehicleShip {
			f.Schema = "Vessel"
		}
		f.set("name", e.DisplayName())
		f.set("registrationNumber", e.Registration)
		f.set("type", strings.ToLower(string(e.Category)))
		f.set("description", e.Description)
	case *sarhad.Case:
		f.Schema = "CourtCase"
		f.set("name", cmp.Or(e.Title, e.Reference))
		f.set("caseNumber", e.Reference)
		for _, o := range e.Offences {
			f.set("category", string(o))
		}
		f.set("status", strings.ToLower(strings.ReplaceAll(string(e.Stage), "_", " ")))
		f.set("fileDate", string(e.RegisteredOn))
		f.set("closeDate", string(e.ClosedOn))
		f.set("country", ftmCountries(e.Country)...)
		f.set("summary", e.Summary)
	case *sarhad.Event:
		f.Schema = "Event"
		f.set("name", e.DisplayName())
		f.set("date", string(e.OccurredOn))
		f.set("summary", e.Description)
	case *sarhad.BankAccount:
		f.Schema = "BankAccount"
		f.set("bankName", e.Bank)
		f.set("accountNumber", e.AccountNumber)
		f.set("country", ftmCountries(e.Country)...)
	case *sarhad.IdentityDocument:
		f.Schema = "Identification"
		if e.DocumentType == sarhad.DocumentPassport {
			f.Schema = "Passport"
		} else {
			f.set("type", strings.ToLower(strings.ReplaceAll(string(e.DocumentType), "_", " ")))
		}
		f.set("number", e.Number)
		f.set("country", ftmCountries(e.IssuingCountry)...)
		f.set("startDate", string(e.IssuedOn))
		f.set("endDate", string(e.ExpiresOn))
		if e.Authenticity != sarhad.AuthenticityUnknown && e.Authenticity != sarhad.AuthenticityGenuine {
			f.set("summary", "authenticity: "+strings.ToLower(strings.ReplaceAll(string(e.Authenticity), "_", " ")))
		}
	case *sarhad.Address:
		f.Schema = "Address"
		f.set("full", e.Line)
		f.set("city", e.City)
		f.set("country", ftmCountries(e.Country)...)
		if e.Location != nil {
			f.set("latitude", strconv.FormatFloat(e.Location.Lat, 'f', -1, 64))
			f.set("longitude", strconv.FormatFloat(e.Location.Lon, 'f', -1, 64))
		}
	case *sarhad.OnlineAccount:
		f.Schema = "UserAccount"
		f.set("username", e.Handle)
		f.set("service", e.Platform)
	}
	return f
}

// ftmCountries are FtM country codes: ISO alpha-2 in lower case.
func ftmCountries(alpha3 ...string) []string {
	var out []string
	for _, c := range alpha3 {
		if iso, ok := sarhad.LookupCountry(c); ok {
			out = append(out, strings.ToLower(iso.Alpha2))
		}
	}
	return out
}
