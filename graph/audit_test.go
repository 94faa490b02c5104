package graph_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/sarhad/sarhad"
)

type auditList struct {
	AuditLog struct {
		TotalCount int
		Nodes      []struct {
			Subject, OperationName, OperationType, QueryHash, Variables, Outcome string
			Roles                                                                []string
			SensitiveRecordIds                                                   []string
		}
	}
}

const auditQuery = `query($f: AuditFilter) { auditLog(filter: $f, first: 50) { totalCount nodes {
	subject operationName operationType queryHash variables outcome roles sensitiveRecordIds } } }`

func TestAuditTrailRecordsSensitiveRecordsAndRedactsVariables(t *testing.T) {
	e := newEnv(t)
	victim := e.create(&sarhad.Person{Name: "Shazia Parveen", BirthDate: "2004-05-06", Victim: &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult}},
		&sarhad.Handling{TLP: sarhad.TLPAmber, ReleasableTo: []string{"IRN"}})
	public := e.create(&sarhad.Person{Name: "Public Suspect"}, &sarhad.Handling{TLP: sarhad.TLPClear})

	e.mustDo(iranOfficer, `query Lookup($ids: [ID!]!, $name: String!) { nodes(ids: $ids) { id } search(text: $name) { totalCount } }`,
		map[string]any{"ids": []string{victim, public}, "name": "Shazia Parveen"}, nil)

	var log auditList
	e.mustDo(auditor, auditQuery, map[string]any{"f": map[string]any{"subject": "irn-1"}}, &log)
	if log.AuditLog.TotalCount != 1 {
		t.Fatalf("%d entries for the liaison officer", log.AuditLog.TotalCount)
	}
	got := log.AuditLog.Nodes[0]
	if got.OperationName != "Lookup" || got.OperationType != "query" || got.Outcome != "OK" || len(got.QueryHash) != 64 || got.Roles[0] != "LIAISON_OFFICER" {
		t.Errorf("entry: %+v", got)
	}
	if !slices.Equal(got.SensitiveRecordIds, []string{victim}) {
		t.Errorf("sensitive ids %v, want only the victim %s", got.SensitiveRecordIds, victim)
	}
	if strings.Contains(got.Variables, "Shazia") || !strings.Contains(got.Variables, victim) || !strings.Contains(got.Variables, "[redacted]") {
		t.Errorf("variables not redacted as they should be: %s", got.Variables)
	}

	// Searching by a record finds the operations that returned it.
	e.mustDo(auditor, auditQuery, map[string]any{"f": map[string]any{"recordId": victim}}, &log)
	if log.AuditLog.TotalCount != 1 {
		t.Errorf("entries that returned the victim: %d", log.AuditLog.TotalCount)
	}
	if r := e.do(investigator, auditQuery, nil, nil); r.code() != sarhad.EFORBIDDEN {
		t.Errorf("investigator reading the audit trail: %+v", r.Errors)
	}
}

// Only ids, values of the schema's enums and country codes are kept of the variables: a passport
// or account number, or a name in capitals, is redacted though it looks like an enum value.
func TestAuditTrailKeepsOnlyIdsEnumsAndCountries(t *testing.T) {
	e := newEnv(t)
	e.mustDo(investigator, `query Find($t: String!, $iban: String!, $who: String!, $kinds: [EntityKind!], $c: String!) {
		a: search(text: $t) { totalCount } b: search(text: $iban) { totalCount } c: search(text: $who, kinds: $kinds) { totalCount }
		d: search(text: $c) { totalCount } }`,
		map[string]any{"t": "AB1234567", "iban": "PK36SCBL0000001123456702", "who": "SHAZIA", "kinds": []string{"PERSON"}, "c": "IRN"}, nil)
	var log auditList
	e.mustDo(auditor, auditQuery, map[string]any{"f": map[string]any{"operationName": "Find"}}, &log)
	if len(log.AuditLog.Nodes) != 1 {
		t.Fatalf("%d entries", len(log.AuditLog.Nodes))
	}
	vars := log.AuditLog.Nodes[0].Variables
	for _, secret := range []string{"AB1234567", "PK36SCBL0000001123456702", "SHAZIA"} {
		if strings.Contains(vars, secret) {
			t.Errorf("the audit trail keeps %q: %s", secret, vars)
		}
	}
	for _, kept := range []string{`"PERSON"`, `"IRN"`} {
		if !strings.Contains(vars, kept) {
			t.Errorf("the audit trail lost %s: %s", kept, vars)
		}
	}
}

func TestMutationsAreAuditedBeforeAndAfter(t *testing.T) {
	e := newEnv(t)
	e.mustDo(investigator, `mutation Add { createPerson(input: {person: {name: "X"}}) { person { id } } }`, nil, nil)
	var log auditList
	e.mustDo(auditor, auditQuery, map[string]any{"f": map[string]any{"operationName": "Add"}}, &log)
	var outcomes []string
	for _, n := range log.AuditLog.Nodes {
		outcomes = append(outcomes, n.Outcome)
	}
	if !slices.Equal(outcomes, []string{"OK", "STARTED"}) {
		t.Errorf("outcomes newest first: %v; want [OK STARTED]", outcomes)
	}
	r := e.do(analyst, `mutation Denied { createPerson(input: {person: {name: "X"}}) { person { id } } }`, nil, nil)
	if r.code() != sarhad.EFORBIDDEN {
		t.Fatalf("analyst mutation: %+v", r.Errors)
	}
	e.mustDo(auditor, auditQuery, map[string]any{"f": map[string]any{"operationName": "Denied"}}, &log)
	if log.AuditLog.TotalCount != 2 || log.AuditLog.Nodes[0].Outcome != sarhad.EFORBIDDEN {
		t.Errorf("a refused mutation is audited with its code: %+v", log.AuditLog.Nodes)
	}
}

// failingAudit is a store whose audit trail cannot be written.
type failingAudit struct{ *countingStore }

func (failingAudit) AppendAudit(context.Context, ...*sarhad.AuditEntry) error {
	return errors.New("disk full")
}

func TestRequestsFailClosedWithoutAuditTrail(t *testing.T) {
	e := newEnv(t)
	p := e.create(&sarhad.Person{Name: "Secret Suspect"}, nil)
	e.useStore(failingAudit{e.store})
	var out struct{ Node *struct{ Name string } }
	r := e.do(investigator, `query($id: ID!) { node(id: $id) { ... on Person { name } } }`, map[string]any{"id": p}, &out)
	if r.code() != sarhad.EUNAVAILABLE || out.Node != nil || strings.Contains(string(r.Data), "Secret") {
		t.Errorf("answer left without its audit entry: %s %+v", r.Data, r.Errors)
	}
	r = e.do(investigator, `mutation { createPerson(input: {person: {name: "Not Written"}}) { person { id } } }`, nil, nil)
	if r.code() != sarhad.EUNAVAILABLE {
		t.Errorf("mutation without audit: %+v", r.Errors)
	}
	e.useStore(e.store)
	var n struct{ Persons struct{ TotalCount int } }
	e.mustDo(investigator, `{ persons { totalCount } }`, nil, &n)
	if n.Persons.TotalCount != 1 {
		t.Errorf("a mutation ran although its audit entry could not be written: %d persons", n.Persons.TotalCount)
	}
}

func TestRefusedRequestsAreAuditedToo(t *testing.T) {
	e := newEnv(t)
	if r := e.do(analyst, `{ nope }`, nil, nil); r.code() != "GRAPHQL_VALIDATION_FAILED" {
		t.Fatalf("invalid query: %+v", r.Errors)
	}
	var log auditList
	e.mustDo(auditor, auditQuery, map[string]any{"f": map[string]any{"subject": "an-1"}}, &log)
	if log.AuditLog.TotalCount != 1 || log.AuditLog.Nodes[0].Outcome != "GRAPHQL_VALIDATION_FAILED" {
		t.Errorf("refused request not audited: %+v", log.AuditLog)
	}
}

// A shared identifier's value is its records' own (a phone's number), returned as a plain string:
// the entry lists the sensitive records behind it.
func TestAuditTrailListsTheRecordsOfSharedIdentifiers(t *testing.T) {
	e := newEnv(t)
	amber := &sarhad.Handling{TLP: sarhad.TLPAmber, ReleasableTo: []string{"IRN"}}
	a := e.create(&sarhad.Person{Name: "Holder One"}, amber)
	b := e.create(&sarhad.Person{Name: "Holder Two"}, amber)
	phone := e.create(&sarhad.Phone{Number: "+989121234567"}, amber)
	e.linkWith(amber, sarhad.RelUses, a, phone, sarhad.RelationProps{})
	e.linkWith(amber, sarhad.RelUses, b, phone, sarhad.RelationProps{})

	var out struct{ SharedIdentifiers []struct{ Value string } }
	e.mustDo(iranOfficer, `query Shared { sharedIdentifiers(kinds: [PHONE]) { value } }`, nil, &out)
	if len(out.SharedIdentifiers) != 1 || out.SharedIdentifiers[0].Value != "+989121234567" {
		t.Fatalf("shared identifiers: %+v", out.SharedIdentifiers)
	}
	var log auditList
	e.mustDo(auditor, auditQuery, map[string]any{"f": map[string]any{"subject": "irn-1", "operationName": "Shared"}}, &log)
	if len(log.AuditLog.Nodes) != 1 || !slices.Equal(log.AuditLog.Nodes[0].SensitiveRecordIds, []string{phone}) {
		t.Errorf("audit entries %+v; want one listing the phone %s", log.AuditLog.Nodes, phone)
	}
}

// caseStatistics grouped by ROUTE returns the id and the name of every route the counted cases
// concern — here an AMBER route released to Iran — as key values and labels: the audit entry lists
// the route, as it lists a record returned.
func TestAuditTrailListsTheRoutesOfStatistics(t *testing.T) {
	e := newEnv(t)
	amber := &sarhad.Handling{TLP: sarhad.TLPAmber, ReleasableTo: []string{"IRN"}}
	route := e.create(&sarhad.Route{Name: "Quetta–Taftan–Zahedan (secret)"}, amber)
	cs := e.create(&sarhad.Case{Reference: "FIR 12/2023", Agency: "FIA-AHTC-LHR", Country: "PAK", Offences: []sarhad.Offence{"PSMA_2018_SMUGGLING"},
		Stage: sarhad.StageRegistered, RegisteredOn: "2023-03-01"}, &sarhad.Handling{TLP: sarhad.TLPGreen, ReleasableTo: []string{"IRN"}})
	if _, err := e.svc.Link(sarhad.NewContext(context.Background(), investigator), &sarhad.Relationship{Type: sarhad.RelAlongRoute, From: cs, To: route},
		sarhad.WriteOptions{Handling: &sarhad.Handling{TLP: sarhad.TLPGreen, ReleasableTo: []string{"IRN"}}}); err != nil {
		t.Fatal(err)
	}

	var out struct {
		CaseStatistics struct {
			Cells []struct {
				Key []struct{ Value, Label string }
			}
		}
	}
	e.mustDo(iranOfficer, `query Stats { caseStatistics(groupBy: [ROUTE]) { cells { key { value label } } } }`, nil, &out)
	returned := false
	for _, c := range out.CaseStatistics.Cells {
		if c.Key[0].Value == route {
			returned = true
		}
	}
	if !returned {
		t.Fatalf("the route is not in the cells: %+v", out)
	}
	var log auditList
	e.mustDo(auditor, auditQuery, map[string]any{"f": map[string]any{"subject": iranOfficer.Subject}}, &log)
	if len(log.AuditLog.Nodes) != 1 || !slices.Contains(log.AuditLog.Nodes[0].SensitiveRecordIds, route) {
		t.Errorf("caseStatistics returned the AMBER route %s (its id and name), but the audit entry lists %+v", route, log.AuditLog.Nodes)
	}
}

// An administrator oversees their own organisation's users: the entries of others' requests list
// the ids of records, a victim's here, that may be hidden from the administrator, and the recordId
// filter would tell that such a record exists and who read it. A Greek administrator, to whom an
// FIA victim's record released to Iran is hidden, reads no entry of the Iranian officer's request;
// an Iranian administrator and an auditor read it.
func TestAdministratorsReadTheirOwnOrganisationsAuditTrail(t *testing.T) {
	e := newEnv(t)
	victim := e.create(&sarhad.Person{Name: "Shazia Parveen", Victim: &sarhad.VictimDetails{}},
		&sarhad.Handling{TLP: sarhad.TLPAmber, ReleasableTo: []string{"IRN"}})
	e.mustDo(iranOfficer, `query Lookup($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": victim}, nil)
	grcAdmin := &sarhad.Viewer{Subject: "grc-adm", Roles: []sarhad.Role{sarhad.RoleAdmin}, Country: "GRC", Org: "HELLENIC-POLICE"}
	irnAdmin := &sarhad.Viewer{Subject: "irn-adm", Roles: []sarhad.Role{sarhad.RoleAdmin}, Country: "IRN", Org: iranOfficer.Org}
	for _, c := range []struct {
		v    *sarhad.Viewer
		want int
	}{{grcAdmin, 0}, {irnAdmin, 1}, {auditor, 1}} {
		var log auditList
		e.mustDo(c.v, auditQuery, map[string]any{"f": map[string]any{"recordId": victim}}, &log)
		if len(log.AuditLog.Nodes) != c.want || log.AuditLog.TotalCount != c.want {
			t.Errorf("%s reads %d entries listing the victim's record, want %d", c.v.Subject, len(log.AuditLog.Nodes), c.want)
		}
	}
	var log auditList
	e.mustDo(grcAdmin, auditQuery, nil, &log)
	for _, n := range log.AuditLog.Nodes {
		if n.Subject != grcAdmin.Subject {
			t.Errorf("the Greek administrator reads an entry of %s", n.Subject)
		}
	}
}

// The note of a relationship that ties a victim may tell of the victim: an answer that gives it to
// a viewer cleared for the victim's details lists the relationship and the victim in its audit
// entry, even when it does not return the victim's record (the tie itself is GREEN, not sensitive
// by its marking). An answer that gives only the tie's id lists neither.
func TestAuditTrailListsTheVictimOfATiesNote(t *testing.T) {
	e := newEnv(t)
	green := &sarhad.Handling{TLP: sarhad.TLPGreen}
	cleared := sarhad.NewContext(context.Background(), piiLHR)
	victim, err := e.svc.Create(cleared, &sarhad.Person{Name: "Shazia Bibi", Victim: &sarhad.VictimDetails{}}, sarhad.WriteOptions{Handling: green})
	if err != nil {
		t.Fatal(err)
	}
	suspect := e.create(&sarhad.Person{Name: "Tariq Mehmood"}, green)
	tie := e.linkWith(green, sarhad.RelRecruited, suspect, victim.EntityMeta().ID, sarhad.RelationProps{Note: "met her brother at the bus stand"})
	for _, c := range []struct {
		op, fields string
		want       []string
	}{
		{"TieIDs", "id", nil},
		{"TieNotes", "id note", []string{victim.EntityMeta().ID, tie}},
	} {
		e.mustDo(piiLHR, `query `+c.op+`($id: ID!) { node(id: $id) { ... on Person { relationships { `+c.fields+` } } } }`,
			map[string]any{"id": suspect}, nil)
		var log auditList
		e.mustDo(auditor, auditQuery, map[string]any{"f": map[string]any{"subject": piiLHR.Subject, "operationName": c.op}}, &log)
		want := slices.Sorted(slices.Values(c.want))
		if len(log.AuditLog.Nodes) != 1 || !slices.Equal(log.AuditLog.Nodes[0].SensitiveRecordIds, want) {
			t.Errorf("%s: audit entries %+v; want one listing %v", c.op, log.AuditLog.Nodes, want)
		}
	}
}
