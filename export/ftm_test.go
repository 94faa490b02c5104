package export_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/export"
	"github.com/sarhad/sarhad/ingest"
)

type ftmLine struct {
	ID         string              `json:"id"`
	Schema     string              `json:"schema"`
	Properties map[string][]string `json:"properties"`
}

// FtM's schemata as the export uses them, with the properties each has (its own and inherited,
// after followthemoney/schema/*.yaml), and which of those name other entities.
var (
	ftmThing    = []string{"name", "alias", "previousName", "weakAlias", "country", "summary", "description", "notes", "address", "addressEntity"}
	ftmLegal    = append(slices.Clone(ftmThing), "phone", "email", "website", "jurisdiction", "mainCountry", "registrationNumber")
	ftmInterval = []string{"startDate", "endDate", "date", "summary", "recordId", "sourceUrl"}
	ftmInterest = append(slices.Clone(ftmInterval), "role", "status")
	ftmSchemata = map[string][]string{
		"Person":         append(slices.Clone(ftmLegal), "fatherName", "gender", "birthDate", "nationality", "citizenship", "position", "firstName", "lastName"),
		"Organization":   ftmLegal,
		"PublicBody":     ftmLegal,
		"Address":        append(slices.Clone(ftmThing), "full", "city", "street", "postalCode", "region", "latitude", "longitude"),
		"BankAccount":    append(slices.Clone(ftmThing), "bankName", "accountNumber", "iban", "bic"),
		"Vehicle":        append(slices.Clone(ftmThing), "registrationNumber", "type", "owner", "operator"),
		"Vessel":         append(slices.Clone(ftmThing), "registrationNumber", "type", "owner", "operator"),
		"CourtCase":      append(slices.Clone(ftmThing), "caseNumber", "category", "type", "status", "court", "fileDate", "closeDate"),
		"Event":          append(slices.Concat(ftmThing, ftmInterval), "location", "involved", "organizer"),
		"UserAccount":    append(slices.Clone(ftmThing), "username", "service", "owner", "email", "number"),
		"Identification": append(slices.Clone(ftmInterval), "holder", "type", "country", "number", "authority"),
		"Passport":       append(slices.Clone(ftmInterval), "holder", "type", "country", "number", "passportNumber", "authority"),
		"Membership":     append(slices.Clone(ftmInterest), "member", "organization"),
		"Payment":        append(slices.Clone(ftmInterval), "payer", "beneficiary", "amount", "currency", "purpose"),
		"Associate":      append(slices.Clone(ftmInterval), "person", "associate", "relationship"),
		"Family":         append(slices.Clone(ftmInterval), "person", "relative", "relationship"),
		"Ownership":      append(slices.Clone(ftmInterest), "owner", "asset", "percentage"),
		"CourtCaseParty": append(slices.Clone(ftmInterest), "party", "case"),
		"UnknownLink":    append(slices.Clone(ftmInterest), "subject", "object"),
	}
	ftmRefs = []string{"addressEntity", "owner", "operator", "involved", "holder", "member", "organization", "payer",
		"beneficiary", "person", "associate", "relative", "asset", "party", "case", "subject", "object"}
)

// readFtM parses an FtM export and checks it: JSON lines of known schemata with their properties
// only, unique Sarhad ids, and references to entities of the export.
func readFtM(t *testing.T, b []byte) []ftmLine {
	t.Helper()
	var out []ftmLine
	ids := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		var l ftmLine
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		allowed, ok := ftmSchemata[l.Schema]
		if !ok {
			t.Fatalf("line %d: schema %q", n, l.Schema)
		}
		for prop, values := range l.Properties {
			if !slices.Contains(allowed, prop) || len(values) == 0 {
				t.Errorf("line %d: %s has property %s = %v", n, l.Schema, prop, values)
			}
		}
		if _, err := sarhad.KindOfID(l.ID); err != nil && !sarhad.ValidRelationshipID(l.ID) {
			t.Errorf("line %d: id %q is not a Sarhad id", n, l.ID)
		}
		if ids[l.ID] {
			t.Errorf("line %d: id %s repeats", n, l.ID)
		}
		ids[l.ID] = true
		out = append(out, l)
	}
	for _, l := range out {
		for _, prop := range ftmRefs {
			for _, id := range l.Properties[prop] {
				if !ids[id] {
					t.Errorf("%s %s: %s %s is not in the export", l.Schema, l.ID, prop, id)
				}
			}
		}
	}
	return out
}

// TestFtMDemoExport exports the demo graph as an investigator cleared to see victims: valid FtM
// lines, every mapped schema present, and, since FtM cannot mark a victim, every victim under
// their pseudonym (their own organisation's too) and nothing that victims hold.
func TestFtMDemoExport(t *testing.T) {
	svc := newService(t, true)
	var buf bytes.Buffer
	if err := export.FtM(as(t, investigator), svc, &buf); err != nil {
		t.Fatal(err)
	}
	lines := readFtM(t, buf.Bytes())
	schemata := map[string]int{}
	names := map[string]string{}
	for _, l := range lines {
		schemata[l.Schema]++
		if l.Schema == "Person" {
			names[l.ID] = l.Properties["name"][0]
		}
	}
	for _, s := range []string{"Person", "Organization", "PublicBody", "Address", "BankAccount", "Passport", "Identification",
		"CourtCase", "CourtCaseParty", "Event", "Membership", "Payment", "Associate", "Family", "Ownership", "UserAccount",
		"Vehicle", "UnknownLink"} {
		if schemata[s] == 0 {
			t.Errorf("no %s in the export", s)
		}
	}
	seen := see(t, svc, investigator)
	var victims []string
	inFull := 0
	for id, redacted := range seen.victims {
		victims = append(victims, id)
		if !redacted {
			inFull++
		}
		if name, ok := names[id]; !ok || name != sarhad.Pseudonym(id) {
			t.Errorf("victim %s exported as %q, want the pseudonym", id, name)
		}
	}
	if inFull == 0 {
		t.Fatal("the investigator sees no victim in full: the test shows nothing")
	}
	// What the victims hold, as the investigator sees it, appears nowhere in the export.
	ctx := as(t, investigator)
	rels, err := svc.Store.Relationships(ctx, sarhad.RelationshipQuery{Anchors: victims, Direction: sarhad.DirOut})
	if err != nil {
		t.Fatal(err)
	}
	var held []string
	for _, r := range rels {
		if k, _ := sarhad.KindOfID(r.To); k.IsIdentifier() {
			held = append(held, r.To)
		}
	}
	heldEntities, err := svc.Store.Entities(ctx, held)
	if err != nil {
		t.Fatal(err)
	}
	if len(held) == 0 {
		t.Fatal("the victims hold nothing the investigator sees: the test shows nothing")
	}
	out := buf.String()
	for _, e := range heldEntities {
		if e == nil {
			continue
		}
		if strings.Contains(out, e.EntityMeta().ID) {
			t.Errorf("the export names %s, held by a victim", e.EntityMeta().ID)
		}
		if ph, ok := e.(*sarhad.Phone); ok && strings.Contains(out, ph.Number) {
			t.Errorf("the export holds the phone number of a victim, %s", ph.ID)
		}
	}
	t.Logf("%d FtM entities: %v; %d victims, %d seen in full; %d identifiers held by victims", len(lines), schemata,
		len(victims), inFull, len(held))
}

// TestFtMRoundTripOfTheIngestSample imports the importer's FtM sample, exports it, and imports the
// export into a second store: the same entities and relationships come back. The second import
// keys each record by its id in the first store; phones are keyed by their number, so they are
// compared by it (each store derives its own ids from keys: sarhad.KeyedID).
func TestFtMRoundTripOfTheIngestSample(t *testing.T) {
	first, second := newService(t, false), newService(t, false)
	sys := as(t, sarhad.SystemViewer())
	rep, err := ingest.Run(sys, first.Store, []string{"../ingest/testdata/ftm/sample.ftm.json"}, importOptions)
	if err != nil || len(rep.Rejected) > 0 {
		t.Fatalf("import the sample: %+v, %v", rep, err)
	}
	var buf bytes.Buffer
	if err := export.FtM(as(t, investigator), first, &buf); err != nil { // of the organisation that imported it
		t.Fatal(err)
	}
	lines := readFtM(t, buf.Bytes())
	file := filepath.Join(t.TempDir(), "export.ftm.json")
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err = ingest.Run(sys, second.Store, []string{file}, importOptions)
	if err != nil || len(rep.Rejected) > 0 || rep.Skipped > 0 {
		t.Fatalf("import the export: %+v, %v", rep, err)
	}

	// Each store as text, entities named by their id in the first store; Sources (one per
	// imported file) left out.
	text := func(svc *sarhad.Service, mapped bool) (entities, rels []string) {
		firstID := map[string]string{}
		var all []*sarhad.Relationship
		err := svc.Walk(sys, nil, sarhad.Visitor{
			Entity: func(e sarhad.Entity) error {
				m := e.EntityMeta()
				firstID[m.ID] = m.ID
				if _, err := sarhad.KindOfID(m.SourceKey); mapped && err == nil {
					firstID[m.ID] = m.SourceKey
				}
				if ph, ok := e.(*sarhad.Phone); ok { // keyed by its number in both stores
					firstID[m.ID] = "phone " + ph.Number
				}
				if m.Kind != sarhad.KindSource {
					attrs, _ := json.Marshal(e)
					entities = append(entities, fmt.Sprintf("%s %s %s", firstID[m.ID], m.Kind, attrs))
				}
				return nil
			},
			Relationship: func(r *sarhad.Relationship) error {
				all = append(all, r)
				return nil
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range all {
			props, _ := json.Marshal(r.RelationProps)
			rels = append(rels, fmt.Sprintf("%s %s→%s %s", r.Type, firstID[r.From], firstID[r.To], props))
		}
		slices.Sort(entities)
		slices.Sort(rels)
		return entities, rels
	}
	wantE, wantR := text(first, false)
	gotE, gotR := text(second, true)
	if !slices.Equal(gotE, wantE) {
		t.Errorf("entities differ:\n got  %s\n want %s", strings.Join(gotE, "\n      "), strings.Join(wantE, "\n      "))
	}
	if !slices.Equal(gotR, wantR) {
		t.Errorf("relationships differ:\n got  %s\n want %s", strings.Join(gotR, "\n      "), strings.Join(wantR, "\n      "))
	}
	if len(wantE) != 12 || len(wantR) != 13 { // 3 persons, 2 organisations, 3 phones, 2 addresses, a passport, an account
		t.Errorf("%d entities, %d relationships: the sample did not import", len(wantE), len(wantR))
	}
	t.Logf("%d FtM lines; %d entities and %d relationships come back", len(lines), len(gotE), len(gotR))
}

// The policy does not apply to the system viewer, which sees every victim in full: FtM refuses it.
func TestFtMRefusesTheSystemViewer(t *testing.T) {
	svc := newService(t, false)
	err := export.FtM(as(t, sarhad.SystemViewer()), svc, &bytes.Buffer{})
	if sarhad.ErrorCode(err) != sarhad.EFORBIDDEN {
		t.Errorf("FtM as the system viewer: %v, want FORBIDDEN", err)
	}
}
