package ingest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/sarhad/sarhad"
)

// ftmEntity is a FollowTheMoney entity: every property is a list of values; entity-typed values
// are ids (or, in nested exports, entity objects with an id).
type ftmEntity struct {
	ID         string           `json:"id"`
	Schema     string           `json:"schema"`
	Properties map[string][]any `json:"properties"`
}

// all returns the text values of the given properties, in order, without blanks.
func (e *ftmEntity) all(props ...string) []string {
	var out []string
	for _, p := range props {
		for _, v := range e.Properties[p] {
			var s string
			switch v := v.(type) {
			case string:
				s = v
			case float64:
				s = strconv.FormatFloat(v, 'f', -1, 64)
			case map[string]any:
				s, _ = v["id"].(string)
			}
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// first returns the first text value of the given properties, or "".
func (e *ftmEntity) first(props ...string) string {
	if v := e.all(props...); len(v) > 0 {
		return v[0]
	}
	return ""
}

var (
	personKinds      = []sarhad.EntityKind{sarhad.KindPerson}
	orgKinds         = []sarhad.EntityKind{sarhad.KindOrganization}
	legalEntityKinds = []sarhad.EntityKind{sarhad.KindPerson, sarhad.KindOrganization}
	assetKinds       = []sarhad.EntityKind{sarhad.KindOrganization, sarhad.KindBankAccount, sarhad.KindVehicle, sarhad.KindPhone}
)

// ftmEdge maps an FtM interval schema to a relationship: the property naming each end and the
// kinds it may be.
type ftmEdge struct {
	typ          sarhad.RelationType
	from, to     string
	fromK, toK   []sarhad.EntityKind
	role         []string // properties read as the role
	defaultRole  string
	withAmount   bool
	withInterval bool
}

var ftmEdges = map[string]ftmEdge{
	"Payment": {typ: sarhad.RelPaid, from: "payer", to: "beneficiary", fromK: legalEntityKinds, toK: legalEntityKinds,
		withAmount: true},
	"Membership": {typ: sarhad.RelMemberOf, from: "member", to: "organization", fromK: personKinds, toK: orgKinds,
		role: []string{"role"}, withInterval: true},
	"Directorship": {typ: sarhad.RelMemberOf, from: "director", to: "organization", fromK: personKinds, toK: orgKinds,
		role: []string{"role"}, defaultRole: "director", withInterval: true},
	"Employment": {typ: sarhad.RelMemberOf, from: "employee", to: "employer", fromK: personKinds, toK: orgKinds,
		role: []string{"role"}, defaultRole: "employee", withInterval: true},
	"Associate": {typ: sarhad.RelAssociateOf, from: "person", to: "associate", fromK: personKinds, toK: personKinds,
		role: []string{"relationship"}, withInterval: true},
	"Family": {typ: sarhad.RelFamilyOf, from: "person", to: "relative", fromK: personKinds, toK: personKinds,
		role: []string{"relationship"}, withInterval: true},
	"Ownership": {typ: sarhad.RelOwns, from: "owner", to: "asset", fromK: legalEntityKinds, toK: assetKinds,
		role: []string{"role"}, withInterval: true},
}

// readFtM reads FollowTheMoney entities, one JSON object per line, as README.md maps them.
func (l *loader) readFtM(r io.Reader) error {
	l.fields = recordFields{key: "id"}
	return l.readLines(r, func(line int, b []byte) error {
		var fe ftmEntity
		if err := json.Unmarshal(b, &fe); err != nil {
			l.rejectLine(line, "", "not a FollowTheMoney entity: "+jsonReason(err))
			return nil
		}
		rec := l.newRecord(line)
		rec.key = strings.TrimSpace(fe.ID)
		if rec.key == "" {
			l.reject(rec, "id", "is required")
			return nil
		}
		if edge, ok := ftmEdges[fe.Schema]; ok {
			return l.ftmRelationship(rec, &fe, edge)
		}
		switch fe.Schema {
		case "Person":
			return l.ftmPerson(rec, &fe)
		case "Organization", "Company", "LegalEntity", "PublicBody":
			return l.ftmOrganization(rec, &fe)
		case "Passport", "Identification":
			return l.ftmDocument(rec, &fe)
		case "BankAccount":
			rec.entity = &sarhad.BankAccount{Bank: cmp.Or(fe.first("bankName", "bic"), "UNKNOWN"),
				AccountNumber: fe.first("accountNumber", "iban"), Country: ftmCountry(&fe, "country")}
			return l.addEntity(rec)
		case "Address":
			a := &sarhad.Address{Line: fe.first("full"), City: fe.first("city"), Country: ftmCountry(&fe, "country")}
			if a.Line == "" {
				a.Line = strings.Join(fe.all("street", "street2", "postalCode", "city", "region"), ", ")
			}
			lat, errLat := strconv.ParseFloat(fe.first("latitude"), 64)
			lon, errLon := strconv.ParseFloat(fe.first("longitude"), 64)
			if errLat == nil && errLon == nil {
				a.Location = &sarhad.GeoPoint{Lat: lat, Lon: lon}
			}
			rec.entity = a
			return l.addEntity(rec)
		}
		l.rep.Skipped++
		return nil
	})
}

func (l *loader) ftmPerson(rec *record, fe *ftmEntity) error {
	names := fe.all("name")
	if len(names) == 0 {
		if n := strings.Join(fe.all("firstName", "middleName", "lastName"), " "); n != "" {
			names = []string{n}
		}
	}
	p := &sarhad.Person{FatherName: fe.first("fatherName"), BirthDate: ftmDate(fe.first("birthDate")),
		Nationalities: ftmCountries(fe, "nationality", "citizenship"), Occupation: fe.first("position")}
	if len(names) > 0 {
		p.Name = names[0]
		p.Aliases = ftmList(append(names[1:], fe.all("alias", "previousName", "weakAlias")...))
	}
	switch strings.ToLower(fe.first("gender")) {
	case "male":
		p.Gender = sarhad.GenderMale
	case "female":
		p.Gender = sarhad.GenderFemale
	case "other":
		p.Gender = sarhad.GenderOther
	}
	rec.entity = p
	if err := l.addEntity(rec); err != nil || !accepted(rec) {
		return err
	}
	return l.ftmContacts(rec, fe, sarhad.KindPerson, cmp.Or(firstOf(p.Nationalities), ftmCountry(fe, "country")))
}

func (l *loader) ftmOrganization(rec *record, fe *ftmEntity) error {
	names := fe.all("name")
	o := &sarhad.Organization{Category: sarhad.OrgOther, Country: ftmCountry(fe, "jurisdiction", "country", "mainCountry"),
		Description: fe.first("description", "summary", "notes")}
	if fe.Schema == "PublicBody" {
		o.Category = sarhad.OrgGovernment
	}
	if len(names) > 0 {
		o.Name = names[0]
		o.Aliases = ftmList(append(names[1:], fe.all("alias", "previousName", "weakAlias")...))
	}
	rec.entity = o
	if err := l.addEntity(rec); err != nil || !accepted(rec) {
		return err
	}
	return l.ftmContacts(rec, fe, sarhad.KindOrganization, o.Country)
}

func (l *loader) ftmDocument(rec *record, fe *ftmEntity) error {
	d := &sarhad.IdentityDocument{DocumentType: sarhad.DocumentPassport, Number: fe.first("number", "passportNumber"),
		IssuingCountry: ftmCountry(fe, "country"), IssuedOn: ftmDate(fe.first("startDate")),
		ExpiresOn: ftmDate(fe.first("endDate"))}
	if fe.Schema == "Identification" {
		switch t := strings.ToLower(fe.first("type")); {
		case strings.Contains(t, "passport"):
		case strings.Contains(t, "cnic"):
			d.DocumentType = sarhad.DocumentCNIC
		case strings.Contains(t, "visa"):
			d.DocumentType = sarhad.DocumentVisa
		default:
			d.DocumentType = sarhad.DocumentNationalID
		}
	}
	rec.entity = d
	if err := l.addEntity(rec); err != nil || !accepted(rec) {
		return err
	}
	holder := fe.first("holder")
	if holder == "" {
		return nil
	}
	return l.ftmLink(rec, rec.key+":holder", sarhad.RelHoldsDocument,
		ref{field: "properties.holder", kinds: personKinds, key: holder},
		ref{field: "id", kinds: []sarhad.EntityKind{sarhad.KindIdentityDocument}, key: rec.key}, sarhad.RelationProps{})
}

// accepted reports whether addEntity accepted the entity of rec (it then has an id).
func accepted(rec *record) bool { return rec.entity.EntityMeta().ID != "" }

// ftmContacts turns the phone, address and addressEntity properties of a legal entity into Phone
// and Address entities it USES and LIVES_AT. Phones and addresses are keyed by their value, so two
// persons with the same number share one Phone.
func (l *loader) ftmContacts(rec *record, fe *ftmEntity, kind sarhad.EntityKind, country string) error {
	self := ref{field: "id", kinds: []sarhad.EntityKind{kind}, key: rec.key}
	for _, raw := range fe.all("phone") {
		number, err := sarhad.NormalizePhone(raw, country)
		if err != nil {
			l.reject(rec, "properties.phone", sarhad.ErrorMessage(err))
			continue
		}
		key := "phone:" + number
		if err := l.addEntity(&record{f: rec.f, line: rec.line, key: key, entity: &sarhad.Phone{Number: number},
			implicit: true, fields: rec.fields}); err != nil {
			return err
		}
		if err := l.ftmLink(rec, rec.key+":"+key, sarhad.RelUses, self,
			ref{field: "properties.phone", kinds: []sarhad.EntityKind{sarhad.KindPhone}, key: key}, sarhad.RelationProps{}); err != nil {
			return err
		}
	}
	for _, line := range fe.all("address") {
		key := "address:" + line
		if err := l.addEntity(&record{f: rec.f, line: rec.line, key: key, entity: &sarhad.Address{Line: line, Country: country},
			implicit: true, fields: rec.fields}); err != nil {
			return err
		}
		if err := l.ftmLink(rec, rec.key+":"+key, sarhad.RelLivesAt, self,
			ref{field: "properties.address", kinds: []sarhad.EntityKind{sarhad.KindAddress}, key: key}, sarhad.RelationProps{}); err != nil {
			return err
		}
	}
	for _, id := range fe.all("addressEntity") {
		if err := l.ftmLink(rec, rec.key+":addressEntity:"+id, sarhad.RelLivesAt, self,
			ref{field: "properties.addressEntity", kinds: []sarhad.EntityKind{sarhad.KindAddress}, key: id}, sarhad.RelationProps{}); err != nil {
			return err
		}
	}
	return nil
}

// ftmRelationship maps an interval schema (Payment, Membership, …) to a relationship.
func (l *loader) ftmRelationship(rec *record, fe *ftmEntity, edge ftmEdge) error {
	from, to := fe.first(edge.from), fe.first(edge.to)
	for _, end := range []struct{ prop, id string }{{edge.from, from}, {edge.to, to}} {
		if end.id == "" {
			l.reject(rec, "properties."+end.prop, "is required")
			return nil
		}
	}
	var p sarhad.RelationProps
	p.Role = cmp.Or(fe.first(edge.role...), edge.defaultRole)
	if edge.withInterval {
		p.Since, p.Until = ftmDate(fe.first("startDate")), ftmDate(fe.first("endDate"))
	}
	if edge.withAmount {
		p.Date = ftmDate(fe.first("date", "startDate"))
		p.Note = fe.first("purpose")
		if s := fe.first("amount", "amountEur", "amountUsd"); s != "" {
			amount, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
			if err != nil {
				l.reject(rec, "properties.amount", fmt.Sprintf("%q is not a number", truncate(s, 32)))
				return nil
			}
			currency := strings.ToUpper(fe.first("currency"))
			switch {
			case fe.first("amount") == "" && fe.first("amountEur") != "":
				currency = "EUR"
			case fe.first("amount") == "" && fe.first("amountUsd") != "":
				currency = "USD"
			}
			p.Amount = &sarhad.Money{Amount: amount, Currency: currency}
		}
	}
	if pct := fe.first("percentage"); pct != "" && edge.typ == sarhad.RelOwns {
		p.Note = strings.TrimSuffix(pct, "%") + "%"
	}
	return l.ftmLink(rec, rec.key, edge.typ,
		ref{field: "properties." + edge.from, kinds: edge.fromK, key: from},
		ref{field: "properties." + edge.to, kinds: edge.toK, key: to}, p)
}

func (l *loader) ftmLink(rec *record, key string, typ sarhad.RelationType, from, to ref, p sarhad.RelationProps) error {
	return l.addRelationship(&record{f: rec.f, line: rec.line, key: key, fields: rec.fields,
		rel: &sarhad.Relationship{Type: typ, RelationProps: p}, from: from, to: to})
}

// ftmDate keeps full dates and the date of a timestamp; FtM's partial dates ("1975", "1975-04")
// are dropped, since a Sarhad date is a calendar day.
func ftmDate(s string) sarhad.Date {
	if len(s) < 10 {
		return ""
	}
	d, err := sarhad.ParseDate(s[:10])
	if err != nil {
		return ""
	}
	return d
}

// ftmCountries returns the ISO countries among the values of props as alpha-3 codes; FtM's
// non-ISO codes (such as "suhh" for the Soviet Union or "zz") are dropped.
func ftmCountries(fe *ftmEntity, props ...string) []string {
	var out []string
	for _, v := range fe.all(props...) {
		if c, ok := sarhad.LookupCountry(v); ok && !slices.Contains(out, c.Alpha3) {
			out = append(out, c.Alpha3)
		}
	}
	return out
}

func ftmCountry(fe *ftmEntity, props ...string) string { return firstOf(ftmCountries(fe, props...)) }

func firstOf(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	return ss[0]
}

// ftmList keeps the first 100 distinct values, as many as an attribute list may hold.
func ftmList(ss []string) []string {
	var out []string
	for _, s := range ss {
		if !slices.Contains(out, s) && len(out) < 100 {
			out = append(out, s)
		}
	}
	return out
}
