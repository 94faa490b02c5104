package sarhad

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// Limits on the size of values, so that one record cannot carry megabytes of text.
const (
	maxNameLen  = 300
	maxTextLen  = 20000
	maxListLen  = 100
	maxSourceID = 100
)

// validator collects the first problem found, naming the field as the client sent it.
type validator struct {
	prefix string
	err    error
}

func (v *validator) fail(field, format string, args ...any) {
	if v.err == nil {
		v.err = Invalid(v.prefix+field, format, args...)
	}
}

func (v *validator) text(field, s string, required bool, limit int) string {
	s = strings.TrimSpace(s)
	switch {
	case required && s == "":
		v.fail(field, "is required")
	case !utf8.ValidString(s):
		v.fail(field, "is not valid UTF-8")
	case len(s) > limit:
		v.fail(field, "is longer than %d bytes", limit)
	}
	return s
}

func (v *validator) texts(field string, ss []string) []string {
	if len(ss) > maxListLen {
		v.fail(field, "has more than %d items", maxListLen)
		return ss
	}
	out := make([]string, 0, len(ss))
	for i, s := range ss {
		if s = v.text(fmt.Sprintf("%s[%d]", field, i), s, true, maxNameLen); !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func (v *validator) country(field, code string, required bool) string {
	if code == "" {
		if required {
			v.fail(field, "is required")
		}
		return ""
	}
	c, err := CountryCode(v.prefix+field, code)
	if err != nil && v.err == nil {
		v.err = err
	}
	return c
}

func (v *validator) countries(field string, codes []string) []string {
	out := make([]string, 0, len(codes))
	for i, c := range codes {
		if c = v.country(fmt.Sprintf("%s[%d]", field, i), c, true); !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

func (v *validator) date(field string, d Date, required bool) Date {
	if d == "" && required {
		v.fail(field, "is required")
	}
	if _, err := ParseDate(string(d)); err != nil {
		v.fail(field, "is not a date (YYYY-MM-DD)") // the value may be a victim's birth date: not echoed
	}
	return d
}

func (v *validator) enum(field string, value string, allowed ...string) {
	if !slices.Contains(allowed, value) {
		v.fail(field, "must be one of %s", strings.Join(allowed, ", "))
	}
}

func (v *validator) point(field string, p *GeoPoint) {
	if p == nil {
		return
	}
	if math.IsNaN(p.Lat) || p.Lat < -90 || p.Lat > 90 {
		v.fail(field+".lat", "must be between -90 and 90")
	}
	if math.IsNaN(p.Lon) || p.Lon < -180 || p.Lon > 180 {
		v.fail(field+".lon", "must be between -180 and 180")
	}
}

func (v *validator) money(field string, m *Money) {
	if m == nil {
		return
	}
	if math.IsNaN(m.Amount) || math.IsInf(m.Amount, 0) || m.Amount < 0 {
		v.fail(field+".amount", "must be a non-negative number")
	}
	if len(m.Currency) != 3 || strings.ToUpper(m.Currency) != m.Currency {
		v.fail(field+".currency", "must be an ISO 4217 code such as PKR or EUR")
	}
}

// NormalizePhone returns a phone number in E.164, reading national numbers as numbers of the
// country given (alpha-3, default Pakistan).
func NormalizePhone(number, country string) (string, error) {
	region := "PK"
	if c, ok := LookupCountry(country); ok {
		region = c.Alpha2
	}
	num, err := phonenumbers.Parse(number, region)
	if err != nil || !phonenumbers.IsPossibleNumber(num) {
		return "", Errorf(EINVALID, "is not a phone number") // the value may be a victim's: not echoed
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// Normalize checks an entity's attributes and brings them to canonical form: trimmed text, alpha-3
// country codes, E.164 phone numbers. It returns BAD_USER_INPUT naming the first offending field,
// prefixed with prefix (for example "input.person.").
func Normalize(e Entity, prefix string) error {
	v := &validator{prefix: prefix}
	switch e := e.(type) {
	case *Person:
		e.Name = v.text("name", e.Name, true, maxNameLen)
		e.Aliases = v.texts("aliases", e.Aliases)
		e.FatherName = v.text("fatherName", e.FatherName, false, maxNameLen)
		e.Occupation = v.text("occupation", e.Occupation, false, maxNameLen)
		if e.Gender == "" {
			e.Gender = GenderUnknown
		}
		v.enum("gender", string(e.Gender), "MALE", "FEMALE", "OTHER", "UNKNOWN")
		e.BirthDate = v.date("birthDate", e.BirthDate, false)
		e.Nationalities = v.countries("nationalities", e.Nationalities)
		if e.Victim != nil {
			if e.Victim.AgeGroup == "" {
				e.Victim.AgeGroup = AgeGroupUnknown
			}
			e.Victim.IdentifiedOn = v.date("victim.identifiedOn", e.Victim.IdentifiedOn, false)
			e.Victim.Vulnerabilities = v.texts("victim.vulnerabilities", e.Victim.Vulnerabilities)
		}
	case *Organization:
		e.Name = v.text("name", e.Name, true, maxNameLen)
		e.Aliases = v.texts("aliases", e.Aliases)
		e.Country = v.country("country", e.Country, false)
		e.Description = v.text("description", e.Description, false, maxTextLen)
	case *Country:
		e.Name = v.text("name", e.Name, true, maxNameLen)
		if c, ok := LookupCountry(e.Alpha3); !ok || c.Alpha3 != strings.ToUpper(e.Alpha3) {
			v.fail("alpha3", "%q is not an ISO 3166-1 alpha-3 code", truncate(e.Alpha3, 8))
		} else if e.Alpha2 = strings.ToUpper(e.Alpha2); e.Alpha2 != c.Alpha2 {
			v.fail("alpha2", "must be %s for %s", c.Alpha2, c.Alpha3)
		} else {
			e.Alpha3, e.Numeric = c.Alpha3, c.Numeric
		}
		e.Region = v.text("region", e.Region, false, maxNameLen)
	case *Place:
		e.Name = v.text("name", e.Name, true, maxNameLen)
		e.Aliases = v.texts("aliases", e.Aliases)
		e.Country = v.country("country", e.Country, true)
		v.point("location", e.Location)
		e.Description = v.text("description", e.Description, false, maxTextLen)
	case *Route:
		e.Name = v.text("name", e.Name, true, maxNameLen)
		e.Description = v.text("description", e.Description, false, maxTextLen)
		v.money("fee", e.Fee)
		e.ActiveFrom = v.date("activeFrom", e.ActiveFrom, false)
		e.ActiveTo = v.date("activeTo", e.ActiveTo, false)
	case *Case:
		e.Reference = v.text("reference", e.Reference, true, maxNameLen)
		e.Title = v.text("title", e.Title, false, maxNameLen)
		e.Agency = v.text("agency", e.Agency, true, maxNameLen)
		e.Country = v.country("country", e.Country, true)
		if len(e.Offences) == 0 {
			v.fail("offences", "needs at least one offence")
		}
		slices.Sort(e.Offences)
		e.Offences = slices.Compact(e.Offences)
		e.RegisteredOn = v.date("registeredOn", e.RegisteredOn, true)
		e.ChargeSheetedOn = v.date("chargeSheetedOn", e.ChargeSheetedOn, false)
		e.DecidedOn = v.date("decidedOn", e.DecidedOn, false)
		e.ClosedOn = v.date("closedOn", e.ClosedOn, false)
		e.Summary = v.text("summary", e.Summary, false, maxTextLen)
	case *Event:
		e.OccurredOn = v.date("occurredOn", e.OccurredOn, true)
		e.Description = v.text("description", e.Description, false, maxTextLen)
		if e.PersonsCount < 0 {
			v.fail("personsCount", "must not be negative")
		}
	case *Phone:
		e.Country = v.country("country", e.Country, false)
		if n, err := NormalizePhone(e.Number, e.Country); err != nil {
			v.fail("number", "%s", ErrorMessage(err))
		} else {
			e.Number = n
		}
	case *BankAccount:
		e.Bank = v.text("bank", e.Bank, true, maxNameLen)
		e.AccountNumber = strings.ToUpper(strings.ReplaceAll(v.text("accountNumber", e.AccountNumber, true, 64), " ", ""))
		e.Country = v.country("country", e.Country, false)
		e.HolderName = v.text("holderName", e.HolderName, false, maxNameLen)
	case *IdentityDocument:
		e.Number = strings.ToUpper(v.text("number", e.Number, true, 64))
		e.IssuingCountry = v.country("issuingCountry", e.IssuingCountry, false)
		if e.Authenticity == "" {
			e.Authenticity = AuthenticityUnknown
		}
		e.IssuedOn = v.date("issuedOn", e.IssuedOn, false)
		e.ExpiresOn = v.date("expiresOn", e.ExpiresOn, false)
	case *Vehicle:
		e.Registration = strings.ToUpper(v.text("registration", e.Registration, false, 64))
		e.Name = v.text("name", e.Name, false, maxNameLen)
		if e.Registration == "" && e.Name == "" {
			v.fail("registration", "a vehicle needs a registration or a name")
		}
		e.Description = v.text("description", e.Description, false, maxTextLen)
	case *Address:
		e.Line = v.text("line", e.Line, true, maxNameLen)
		e.City = v.text("city", e.City, false, maxNameLen)
		e.Country = v.country("country", e.Country, false)
		v.point("location", e.Location)
	case *OnlineAccount:
		e.Platform = v.text("platform", e.Platform, true, maxNameLen)
		e.Handle = v.text("handle", e.Handle, true, maxNameLen)
	case *Source:
		e.Title = v.text("title", e.Title, true, maxNameLen)
		e.Originator = v.text("originator", e.Originator, true, maxNameLen)
		e.Date = v.date("date", e.Date, false)
		v.enum("reliability", string(e.Reliability), "A", "B", "C", "D", "E", "F")
		if e.Credibility.Number() == 0 {
			v.fail("credibility", "is not an Admiralty credibility grade")
		}
	case *CooperationRequest:
		e.Reference = v.text("reference", e.Reference, true, maxNameLen)
		e.RequestingCountry = v.country("requestingCountry", e.RequestingCountry, true)
		e.RequestedCountry = v.country("requestedCountry", e.RequestedCountry, true)
		e.SentOn = v.date("sentOn", e.SentOn, false)
		e.RespondedOn = v.date("respondedOn", e.RespondedOn, false)
		e.Summary = v.text("summary", e.Summary, false, maxTextLen)
	default:
		return Errorf(EINVALID, "unknown entity type %T", e)
	}
	return v.err
}

// NormalizeHandling checks a handling marking and brings its country codes to alpha-3.
func NormalizeHandling(h *Handling, prefix string) error {
	v := &validator{prefix: prefix}
	h.OriginatorOrg = v.text("originatorOrg", h.OriginatorOrg, true, maxNameLen)
	h.OriginatorCountry = v.country("originatorCountry", h.OriginatorCountry, true)
	if !h.TLP.Valid() {
		v.fail("tlp", "is not a TLP 2.0 marking")
	}
	h.ReleasableTo = v.countries("releasableTo", h.ReleasableTo)
	return v.err
}

// NormalizeRelationship checks a relationship's type, ends and properties, given the kinds of its
// ends.
func NormalizeRelationship(r *Relationship, fromKind, toKind EntityKind, prefix string) error {
	v := &validator{prefix: prefix}
	if !r.Type.Valid() {
		v.fail("type", "is not a relationship type")
	} else if !r.Type.Joins(fromKind, toKind) {
		v.fail("to", "a %s relationship cannot go from %s to %s", r.Type, fromKind.Label(), toKind.Label())
	}
	if r.From == r.To {
		v.fail("to", "a relationship cannot join an entity to itself")
	}
	p := &r.RelationProps
	p.Role = v.text("role", p.Role, false, maxNameLen)
	if r.Type == RelPartyTo {
		p.Role = strings.ToUpper(p.Role)
		roles := make([]string, len(PartyRoles))
		for i, pr := range PartyRoles {
			roles[i] = string(pr)
		}
		v.enum("role", p.Role, roles...)
	}
	p.Since = v.date("since", p.Since, false)
	p.Until = v.date("until", p.Until, false)
	p.Date = v.date("date", p.Date, false)
	v.money("amount", p.Amount)
	if r.Type == RelHasStop && p.Order < 1 {
		v.fail("order", "a route stop needs an order of 1 or more")
	}
	if math.IsNaN(p.Weight) || math.IsInf(p.Weight, 0) {
		v.fail("weight", "must be a number")
	}
	p.Note = v.text("note", p.Note, false, maxTextLen)
	return v.err
}
