// Package storetest is the contract suite every sarhad.Store must pass: the embedded SQLite store
// always, the Neo4j store whenever a database is available. It checks behaviour, not SQL or Cypher:
// the same data must give the same answers, the access policy included.
//
// A store's own test calls Run with a function that opens a new, empty store:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) sarhad.Store {
//			s, err := sqlite.Open(t.Context(), t.TempDir())
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		})
//	}
//
// Run closes every store it opens (with t.Cleanup of the subtest that opened it), so open must not
// close it. Subtests run one after another, never in parallel, so a store backed by one shared
// database may empty that database in open.
//
// The suite is deterministic: a fixed clock, ids from sarhad.StableID, and expectations computed
// from the domain's reference rules (sarhad.Handling.Visible, sarhad.CanEdit, sarhad.Protect)
// wherever the policy decides the answer.
package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
)

// Run runs the contract suite against the stores that open returns. open must return a new, empty
// store each time it is called; Run closes it when the subtest that asked for it ends.
func Run(t *testing.T, open func(t *testing.T) sarhad.Store) {
	t.Helper()
	h := &harness{open: open}
	tests := []struct {
		name string
		run  func(*testing.T, *harness)
	}{
		{"RoundTrip", testRoundTrip},
		{"Apply", testApply},
		{"Access", testAccess},
		{"Victims", testVictims},
		{"NamedVictims", testNamedVictims},
		{"VictimIdentifiers", testVictimIdentifiers},
		{"ListEntities", testListEntities},
		{"NameSearch", testNameSearch},
		{"Relationships", testRelationships},
		{"CaseFacts", testCaseFacts},
		{"CaseTally", testCaseTally},
		{"RouteCases", testRouteCases},
		{"BoundedNeighbours", testBoundedNeighbours},
		{"NeighboursThen", testNeighboursThen},
		{"Neighbourhood", testNeighbourhood},
		{"Meet", testMeet},
		{"Context", testContext},
		{"Concurrency", testConcurrency},
		{"Audit", testAudit},
		{"SourceRef", testSourceRef},
		{"KeepSources", testKeepSources},
		{"KeepSourcesConcurrently", testKeepSourcesConcurrently},
		{"KeepVictims", testKeepVictims},
		{"ProtectedVictimPuts", testProtectedVictimPuts},
		{"SameAsVictims", testSameAsVictims},
		{"SameAsEditors", testSameAsEditors},
		{"HolderLinksThatWouldHide", testHolderLinksThatWouldHide},
		{"ProtectedVictimTies", testProtectedVictimTies},
		{"WithheldTies", testWithheldTies},
		{"ReleaseByOriginator", testReleaseByOriginator},
		{"IDSecret", testIDSecret},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, h) })
	}
}

// harness opens stores for subtests.
type harness struct {
	open func(t *testing.T) sarhad.Store
}

// store opens a new empty store, closed when t ends.
func (h *harness) store(t *testing.T) sarhad.Store {
	t.Helper()
	s := h.open(t)
	if s == nil {
		t.Fatal("open returned a nil store")
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// t0 is the suite's clock: every record is created at t0 unless a test says otherwise. It has
// nanoseconds so that stores are seen to keep them.
var t0 = time.Date(2025, time.March, 14, 9, 26, 53, 123456789, time.UTC)

// Organisations and countries of the suite's viewers.
const (
	orgFIA      = "FIA" // Pakistan's Federal Investigation Agency
	orgIran     = "IRN-POLICE"
	orgGreece   = "HELLENIC-POLICE"
	orgPunjab   = "PUNJAB-POLICE" // another Pakistani agency
	countryPAK  = "PAK"
	countryIRN  = "IRN"
	countryGRC  = "GRC"
	fixtureUser = "fixture"
)

// namedViewer is a viewer with a name for subtest names.
type namedViewer struct {
	name string
	v    *sarhad.Viewer
}

func fiaInvestigator() *sarhad.Viewer {
	return &sarhad.Viewer{Subject: "fia-investigator", Roles: []sarhad.Role{sarhad.RoleInvestigator},
		Country: countryPAK, Org: orgFIA}
}

func fiaVictimOfficer() *sarhad.Viewer {
	return &sarhad.Viewer{Subject: "fia-victim-officer", Roles: []sarhad.Role{sarhad.RoleInvestigator},
		Country: countryPAK, Org: orgFIA, Clearances: []string{sarhad.ClearanceVictimPII}}
}

func iranLiaison() *sarhad.Viewer {
	return &sarhad.Viewer{Subject: "irn-liaison", Roles: []sarhad.Role{sarhad.RoleLiaisonOfficer},
		Country: countryIRN, Org: orgIran}
}

func iranAdmin() *sarhad.Viewer {
	return &sarhad.Viewer{Subject: "irn-admin", Roles: []sarhad.Role{sarhad.RoleAdmin}, Country: countryIRN, Org: orgIran}
}

func greekLiaison() *sarhad.Viewer {
	return &sarhad.Viewer{Subject: "grc-liaison", Roles: []sarhad.Role{sarhad.RoleLiaisonOfficer},
		Country: countryGRC, Org: orgGreece}
}

func punjabAnalyst() *sarhad.Viewer {
	return &sarhad.Viewer{Subject: "punjab-analyst", Roles: []sarhad.Role{sarhad.RoleAnalyst},
		Country: countryPAK, Org: orgPunjab}
}

// policyViewers are the viewers the access policy is checked for.
func policyViewers() []namedViewer {
	return []namedViewer{
		{"FIAInvestigator", fiaInvestigator()},
		{"IranLiaison", iranLiaison()},
		{"IranAdmin", iranAdmin()},
		{"GreekLiaison", greekLiaison()},
		{"PunjabAnalyst", punjabAnalyst()},
	}
}

// as returns ctx carrying viewer v.
func as(ctx context.Context, v *sarhad.Viewer) context.Context { return sarhad.NewContext(ctx, v) }

// asSystem returns ctx carrying the loaders' system viewer, used to set fixtures up.
func asSystem(ctx context.Context) context.Context { return as(ctx, sarhad.SystemViewer()) }

// handling returns a marking originated by org of country, released to the given countries.
func handling(org, country string, tlp sarhad.TLP, releasableTo ...string) sarhad.Handling {
	return sarhad.Handling{OriginatorOrg: org, OriginatorCountry: country, TLP: tlp, ReleasableTo: releasableTo}
}

// fia returns a marking originated by the FIA.
func fia(tlp sarhad.TLP, releasableTo ...string) sarhad.Handling {
	return handling(orgFIA, countryPAK, tlp, releasableTo...)
}

// envelope returns the envelope of a fixture entity of kind k whose id derives from key.
func envelope(k sarhad.EntityKind, key string, h sarhad.Handling) sarhad.Meta {
	return sarhad.Meta{ID: sarhad.StableID(k, key), Kind: k, CreatedAt: t0, CreatedBy: fixtureUser,
		UpdatedAt: t0, UpdatedBy: fixtureUser, Handling: h}
}

// relID returns the id of the fixture relationship named key.
func relID(key string) string { return sarhad.StableID("", key) }

// person returns a fixture person.
func person(key, name string, h sarhad.Handling) *sarhad.Person {
	return &sarhad.Person{Meta: envelope(sarhad.KindPerson, key, h), Name: name, Gender: sarhad.GenderMale}
}

// link returns a fixture relationship.
func link(key string, typ sarhad.RelationType, from, to string, h sarhad.Handling) *sarhad.Relationship {
	return &sarhad.Relationship{
		Meta: sarhad.Meta{ID: relID(key), CreatedAt: t0, CreatedBy: fixtureUser, UpdatedAt: t0,
			UpdatedBy: fixtureUser, Handling: h},
		Type: typ, From: from, To: to,
	}
}

// mustApply applies cs as the viewer in ctx and fails the test on error.
func mustApply(t *testing.T, ctx context.Context, s sarhad.Store, cs *sarhad.ChangeSet) *sarhad.ApplyResult {
	t.Helper()
	res, err := s.Apply(ctx, cs)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if res == nil {
		t.Fatal("Apply returned a nil result and no error")
	}
	return res
}

// load writes entities and relationships as the system viewer.
func load(t *testing.T, s sarhad.Store, es []sarhad.Entity, rs []*sarhad.Relationship) {
	t.Helper()
	res := mustApply(t, asSystem(t.Context()), s, &sarhad.ChangeSet{Put: es, Link: rs})
	if want := (sarhad.ApplyResult{Created: len(es) + len(rs)}); *res != want {
		t.Fatalf("loading fixtures: ApplyResult = %+v, want %+v", *res, want)
	}
}

// wantCode fails the test unless err carries the error code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := sarhad.ErrorCode(err); got != code {
		t.Errorf("error = %v (code %q), want code %s", err, got, code)
	}
}

// entityIDs returns the ids of es, "<nil>" for nil entries.
func entityIDs(es []sarhad.Entity) []string {
	out := make([]string, len(es))
	for i, e := range es {
		if e == nil {
			out[i] = "<nil>"
			continue
		}
		out[i] = e.EntityMeta().ID
	}
	return out
}

// relationshipIDs returns the ids of rs, "<nil>" for nil entries.
func relationshipIDs(rs []*sarhad.Relationship) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		if r == nil {
			out[i] = "<nil>"
			continue
		}
		out[i] = r.ID
	}
	return out
}

// sorted returns a sorted copy of ids.
func sorted(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// equalIDs fails the test unless got and want are the same ids in the same order.
func equalIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %v\n want %v", what, got, want)
	}
}

// attrs returns the kind-specific attributes of an entity as JSON (the envelope is not marshalled).
func attrs(e sarhad.Entity) string {
	b, err := json.Marshal(e)
	if err != nil {
		return "marshal: " + err.Error()
	}
	return string(b)
}

// metaDiff lists the differences between two envelopes. A nil and an empty list are the same.
func metaDiff(want, got *sarhad.Meta) []string {
	var d []string
	add := func(field string, w, g any) { d = append(d, fmt.Sprintf("%s: got %v, want %v", field, g, w)) }
	if got.ID != want.ID {
		add("ID", want.ID, got.ID)
	}
	if got.Kind != want.Kind {
		add("Kind", want.Kind, got.Kind)
	}
	if !got.CreatedAt.Equal(want.CreatedAt) {
		add("CreatedAt", want.CreatedAt, got.CreatedAt)
	}
	if got.CreatedBy != want.CreatedBy {
		add("CreatedBy", want.CreatedBy, got.CreatedBy)
	}
	if !got.UpdatedAt.Equal(want.UpdatedAt) {
		add("UpdatedAt", want.UpdatedAt, got.UpdatedAt)
	}
	if got.UpdatedBy != want.UpdatedBy {
		add("UpdatedBy", want.UpdatedBy, got.UpdatedBy)
	}
	wh, gh := want.Handling, got.Handling
	if gh.OriginatorOrg != wh.OriginatorOrg || gh.OriginatorCountry != wh.OriginatorCountry || gh.TLP != wh.TLP ||
		!slices.Equal(gh.ReleasableTo, wh.ReleasableTo) {
		add("Handling", wh, gh)
	}
	if !slices.Equal(got.SourceIDs, want.SourceIDs) {
		add("SourceIDs", want.SourceIDs, got.SourceIDs)
	}
	if got.SourceKey != want.SourceKey {
		add("SourceKey", want.SourceKey, got.SourceKey)
	}
	if got.SourceRef != want.SourceRef {
		add("SourceRef", want.SourceRef, got.SourceRef)
	}
	if got.Redacted != want.Redacted {
		add("Redacted", want.Redacted, got.Redacted)
	}
	return d
}

// sameEntity fails the test unless got is want as stored: same type, envelope and attributes.
func sameEntity(t *testing.T, want, got sarhad.Entity) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: got nil, want %T", want.EntityMeta().ID, want)
		return
	}
	if fmt.Sprintf("%T", got) != fmt.Sprintf("%T", want) {
		t.Errorf("%s: got a %T, want a %T", want.EntityMeta().ID, got, want)
		return
	}
	d := metaDiff(want.EntityMeta(), got.EntityMeta())
	if ga, wa := attrs(got), attrs(want); ga != wa {
		d = append(d, fmt.Sprintf("attributes:\n   got  %s\n   want %s", ga, wa))
	}
	if len(d) > 0 {
		t.Errorf("%s (%T) differs:\n  %s", want.EntityMeta().ID, want, strings.Join(d, "\n  "))
	}
}

// sameRelationship fails the test unless got is want as stored.
func sameRelationship(t *testing.T, want, got *sarhad.Relationship) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: got nil relationship", want.ID)
		return
	}
	d := metaDiff(&want.Meta, &got.Meta)
	if got.Type != want.Type || got.From != want.From || got.To != want.To {
		d = append(d, fmt.Sprintf("ends: got %s %s→%s, want %s %s→%s", got.Type, got.From, got.To, want.Type, want.From, want.To))
	}
	gp, _ := json.Marshal(got.RelationProps)
	wp, _ := json.Marshal(want.RelationProps)
	if string(gp) != string(wp) {
		d = append(d, fmt.Sprintf("props: got %s, want %s", gp, wp))
	}
	if len(d) > 0 {
		t.Errorf("relationship %s differs:\n  %s", want.ID, strings.Join(d, "\n  "))
	}
}

// clone returns a deep copy of e, so that a test can change a fixture without touching the
// original.
func clone[E sarhad.Entity](t *testing.T, e E) E {
	t.Helper()
	m := e.EntityMeta()
	c := sarhad.NewEntity(m.Kind)
	if c == nil {
		t.Fatalf("clone: unknown kind %q", m.Kind)
	}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, c); err != nil {
		t.Fatal(err)
	}
	cm := *m
	cm.Handling.ReleasableTo = slices.Clone(m.Handling.ReleasableTo)
	cm.SourceIDs = slices.Clone(m.SourceIDs)
	*c.EntityMeta() = cm
	out, ok := c.(E)
	if !ok {
		t.Fatalf("clone: %T is not a %T", c, e)
	}
	return out
}

// cloneRelationship returns a deep copy of r.
func cloneRelationship(r *sarhad.Relationship) *sarhad.Relationship {
	c := *r
	c.Handling.ReleasableTo = slices.Clone(r.Handling.ReleasableTo)
	c.SourceIDs = slices.Clone(r.SourceIDs)
	if r.RelationProps.Amount != nil {
		a := *r.RelationProps.Amount
		c.RelationProps.Amount = &a
	}
	return &c
}

// nameQuery is the store query the domain makes for a search text.
func nameQuery(text string, kinds ...sarhad.EntityKind) sarhad.NameQuery {
	return sarhad.NameQuery{Groups: sarhad.QueryTerms(text), Kinds: kinds, Limit: 1000}
}

// matchNames returns what MatchNames finds for q, and checks that CountNames counts exactly that
// (q's limit is above what any fixture matches).
func matchNames(t *testing.T, ctx context.Context, s sarhad.Store, q sarhad.NameQuery) []sarhad.Entity {
	t.Helper()
	got, err := s.MatchNames(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.CountNames(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(got) {
		t.Errorf("CountNames(%v) = %d, but MatchNames found %d", q.Groups, n, len(got))
	}
	return got
}

// allOfKind lists every entity of kind k the viewer in ctx sees, in one page.
func allOfKind(t *testing.T, ctx context.Context, s sarhad.Store, k sarhad.EntityKind, conds ...sarhad.Condition) *sarhad.EntityPage {
	t.Helper()
	page, err := s.ListEntities(ctx, sarhad.ListQuery{Kind: k, Conditions: conds, Page: sarhad.Page{First: sarhad.MaxPageSize}})
	if err != nil {
		t.Fatalf("ListEntities(%s, %+v): %v", k, conds, err)
	}
	return page
}
