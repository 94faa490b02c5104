package graph_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/auth"
	"github.com/sarhad/sarhad/graph"
	"github.com/sarhad/sarhad/store/sqlite"
)

var secret = []byte("test-secret-test-secret-test-secret")

// env is a GraphQL server over a fresh embedded store, reached through the real HTTP handler with
// real tokens.
type env struct {
	t      *testing.T
	store  *countingStore
	svc    *sarhad.Service
	server *httptest.Server
	opts   graph.Options
}

var (
	investigator = &sarhad.Viewer{Subject: "inv-1", Name: "Investigator", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: "PAK", Org: "FIA-AHTC-LHR"}
	analyst      = &sarhad.Viewer{Subject: "an-1", Roles: []sarhad.Role{sarhad.RoleAnalyst}, Country: "PAK", Org: "FIA-AHTC-LHR"}
	iranOfficer  = &sarhad.Viewer{Subject: "irn-1", Roles: []sarhad.Role{sarhad.RoleLiaisonOfficer}, Country: "IRN", Org: "IRN-POLICE"}
	auditor      = &sarhad.Viewer{Subject: "aud-1", Roles: []sarhad.Role{sarhad.RoleAuditor}, Country: "PAK", Org: "SARHAD"}
)

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cs := &countingStore{Store: st}
	clock := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	svc := &sarhad.Service{Store: cs, Now: func() time.Time { return clock }, Rand: rand.Reader}
	e := &env{t: t, store: cs, svc: svc,
		// A generous batch window keeps the batching assertions independent of scheduling (-race).
		opts: graph.Options{Introspection: true, BatchWait: 50 * time.Millisecond}}
	e.useStore(cs)
	return e
}

// useStore serves the API over st from now on.
func (e *env) useStore(st sarhad.Store) {
	e.t.Helper()
	svc := &sarhad.Service{Store: st, Now: e.svc.Now, Rand: e.svc.Rand, Aggregates: e.svc.Aggregates}
	verifier := auth.NewHS256(secret, "", "", time.Now)
	srv := httptest.NewServer(auth.Middleware(verifier, graph.NewHandler(svc, st, e.opts)))
	e.t.Cleanup(srv.Close)
	e.server = srv
}

// response is a GraphQL response.
type response struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (r *response) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// do posts a query as viewer and decodes the response into out (when not nil).
func (e *env) do(v *sarhad.Viewer, query string, vars map[string]any, out any) *response {
	e.t.Helper()
	tok, err := auth.Mint(secret, v, "", time.Now(), time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, e.server.URL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var r response
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		e.t.Fatalf("decode: %v", err)
	}
	if out != nil && len(r.Data) > 0 && string(r.Data) != "null" {
		if err := json.Unmarshal(r.Data, out); err != nil {
			e.t.Fatalf("decode data %s: %v", r.Data, err)
		}
	}
	return &r
}

// mustDo is do that fails the test on any GraphQL error.
func (e *env) mustDo(v *sarhad.Viewer, query string, vars map[string]any, out any) {
	e.t.Helper()
	if r := e.do(v, query, vars, out); len(r.Errors) > 0 {
		e.t.Fatalf("unexpected errors: %+v", r.Errors)
	}
}

// create writes an entity as the investigator through the service.
func (e *env) create(ent sarhad.Entity, h *sarhad.Handling) string {
	e.t.Helper()
	ctx := sarhad.NewContext(context.Background(), investigator)
	got, err := e.svc.Create(ctx, ent, sarhad.WriteOptions{Handling: h})
	if err != nil {
		e.t.Fatalf("create %T: %v", ent, err)
	}
	return got.EntityMeta().ID
}

func (e *env) link(t sarhad.RelationType, from, to string, p sarhad.RelationProps) string {
	e.t.Helper()
	ctx := sarhad.NewContext(context.Background(), investigator)
	r, err := e.svc.Link(ctx, &sarhad.Relationship{Type: t, From: from, To: to, RelationProps: p}, sarhad.WriteOptions{})
	if err != nil {
		e.t.Fatalf("link %s: %v", t, err)
	}
	return r.ID
}

// countingStore counts store calls, to show that nested fields are batched.
type countingStore struct {
	sarhad.Store
	mu    sync.Mutex
	calls int
}

func (c *countingStore) count() {
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
}

func (c *countingStore) reset() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.calls
	c.calls = 0
	return n
}

func (c *countingStore) Entities(ctx context.Context, ids []string) ([]sarhad.Entity, error) {
	c.count()
	return c.Store.Entities(ctx, ids)
}

func (c *countingStore) ListEntities(ctx context.Context, q sarhad.ListQuery) (*sarhad.EntityPage, error) {
	c.count()
	return c.Store.ListEntities(ctx, q)
}

func (c *countingStore) Relationships(ctx context.Context, q sarhad.RelationshipQuery) ([]*sarhad.Relationship, error) {
	c.count()
	return c.Store.Relationships(ctx, q)
}

func (c *countingStore) Neighbours(ctx context.Context, q sarhad.RelationshipQuery) ([]*sarhad.Relationship, []sarhad.Entity, error) {
	c.count()
	return c.Store.Neighbours(ctx, q)
}

func (c *countingStore) NeighboursThen(ctx context.Context, q sarhad.ThenQuery) (*sarhad.Hops, error) {
	c.count()
	return c.Store.NeighboursThen(ctx, q)
}

// Neighbourhood walks as the embedded store does, through c, so that each level's call counts.
func (c *countingStore) Neighbourhood(ctx context.Context, q sarhad.NeighbourhoodQuery) (*sarhad.Subgraph, error) {
	return sarhad.NeighbourhoodByLevels(ctx, c, q)
}

func (c *countingStore) RelationshipsByID(ctx context.Context, ids []string) ([]*sarhad.Relationship, error) {
	c.count()
	return c.Store.RelationshipsByID(ctx, ids)
}

func (c *countingStore) MatchNames(ctx context.Context, q sarhad.NameQuery) ([]sarhad.Entity, error) {
	c.count()
	return c.Store.MatchNames(ctx, q)
}

// seedCases creates n cases, each with two accused persons who each use a phone and hold a
// passport, and returns the case ids.
func (e *env) seedCases(n int) []string {
	e.t.Helper()
	var ids []string
	for i := range n {
		c := e.create(&sarhad.Case{Reference: fmt.Sprintf("FIR %d/2022", i+1), Agency: "FIA AHTC Lahore", Country: "PAK",
			Offences: []sarhad.Offence{sarhad.OffenceSmuggling}, Stage: sarhad.StageUnderInvestigation, RegisteredOn: "2022-03-01"}, nil)
		for j := range 2 {
			p := e.create(&sarhad.Person{Name: fmt.Sprintf("Suspect %d-%d", i, j), Gender: sarhad.GenderMale, Nationalities: []string{"PAK"}}, nil)
			e.link(sarhad.RelPartyTo, p, c, sarhad.RelationProps{Role: "ACCUSED"})
			ph := e.create(&sarhad.Phone{Number: fmt.Sprintf("+9230012%05d", i*10+j)}, nil)
			e.link(sarhad.RelUses, p, ph, sarhad.RelationProps{})
			doc := e.create(&sarhad.IdentityDocument{DocumentType: sarhad.DocumentPassport, Number: fmt.Sprintf("AB%07d", i*10+j), Authenticity: sarhad.AuthenticityGenuine}, nil)
			e.link(sarhad.RelHoldsDocument, p, doc, sarhad.RelationProps{})
		}
		ids = append(ids, c)
	}
	return ids
}

func TestNestedFieldsAreBatched(t *testing.T) {
	e := newEnv(t)
	e.seedCases(12)
	const q = `query($n: Int) { cases(first: $n) { nodes { reference
		parties { role party { ... on Person { name identifiers { id displayName } } } } } } }`
	calls := map[int]int{}
	for _, n := range []int{2, 12} {
		var out struct {
			Cases struct {
				Nodes []struct {
					Parties []struct {
						Party struct {
							Identifiers []struct{ ID string }
						}
					}
				}
			}
		}
		e.store.reset()
		e.mustDo(investigator, q, map[string]any{"n": n}, &out)
		calls[n] = e.store.reset()
		if len(out.Cases.Nodes) != n {
			t.Fatalf("first %d: got %d cases", n, len(out.Cases.Nodes))
		}
		for _, c := range out.Cases.Nodes {
			if len(c.Parties) != 2 || len(c.Parties[0].Party.Identifiers) != 2 {
				t.Fatalf("case parties/identifiers not resolved: %+v", c)
			}
		}
	}
	if calls[2] != calls[12] {
		t.Errorf("store calls grow with items: %d for 2 cases, %d for 12", calls[2], calls[12])
	}
	// One per level: the list, the parties (with the party entities), the identifiers (with theirs).
	if calls[12] > 3 {
		t.Errorf("%d store calls for a three-level query; want at most one per level, 3", calls[12])
	}
}

// TestFieldsOutsideListsDoNotWait: a field with no list above it (the one case asked for, its
// parties) has no siblings to gather, so it asks the store at once rather than wait for the batch
// window; the party entities, in a list, come with the parties' call and need no wait either. With
// a window of an hour, the query is answered only if no level waits.
func TestFieldsOutsideListsDoNotWait(t *testing.T) {
	e := newEnv(t)
	ids := e.seedCases(1)
	e.opts.BatchWait = time.Hour
	e.useStore(e.store)
	const q = `query($id: ID!) { node(id: $id) { ... on Case { reference
		parties { role party { id ... on Person { name } } } } } }`
	var out struct {
		Node struct {
			Reference string
			Parties   []struct {
				Role  string
				Party struct{ ID, Name string }
			}
		}
	}
	done := make(chan struct{})
	e.store.reset()
	go func() {
		defer close(done)
		e.mustDo(investigator, q, map[string]any{"id": ids[0]}, &out)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("no answer after a minute: a field outside any list waited for the batch window (an hour)")
	}
	if out.Node.Reference != "FIR 1/2022" || len(out.Node.Parties) != 2 || out.Node.Parties[0].Party.Name == "" {
		t.Fatalf("case not resolved: %+v", out.Node)
	}
	// The case, then its parties with the party entities.
	if calls := e.store.reset(); calls != 2 {
		t.Errorf("%d store calls, want 2", calls)
	}
}

// TestFieldsInOneListDoNotWait: inside exactly one list, the first element to ask for a
// relationship field asks the store for every element of the list at once, so no element waits
// for the batch window: the phones of a case's parties (an organisation among them, which has no
// such field), and the parties of every case of a page. With a window of 30 s, the queries are
// answered within 10 s only if no level waits (and a failure ends once the window has passed);
// each element must get its own relationships.
func TestFieldsInOneListDoNotWait(t *testing.T) {
	e := newEnv(t)
	ids := e.seedCases(3)
	org := e.create(&sarhad.Organization{Name: "Chaudhry Travels", Category: sarhad.OrgTravelAgency, Country: "PAK"}, nil)
	e.link(sarhad.RelPartyTo, org, ids[0], sarhad.RelationProps{Role: "ACCUSED"})
	e.opts.BatchWait = 30 * time.Second
	e.useStore(e.store)
	answer := func(query string, vars map[string]any, out any) int {
		t.Helper()
		done := make(chan struct{})
		e.store.reset()
		go func() {
			defer close(done)
			e.mustDo(investigator, query, vars, out)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("no answer after 10 s: a field inside one list waited for the batch window (30 s)")
		}
		return e.store.reset()
	}

	var one struct {
		Node struct {
			Parties []struct {
				Party struct {
					Kind, Name  string
					Identifiers []struct{ Number string }
				}
			}
		}
	}
	calls := answer(`query($id: ID!) { node(id: $id) { ... on Case { parties { party { kind
		... on Organization { name } ... on Person { name identifiers(kinds: [PHONE]) { ... on Phone { number } } } } } } } }`,
		map[string]any{"id": ids[0]}, &one)
	var persons, orgs int
	for _, p := range one.Node.Parties {
		switch p.Party.Kind {
		case "PERSON":
			persons++
			// Suspect 0-j uses +9230012 0000j.
			want := "+92300120000" + strings.TrimPrefix(p.Party.Name, "Suspect 0-")
			if len(p.Party.Identifiers) != 1 || p.Party.Identifiers[0].Number != want {
				t.Errorf("%s: phones %+v, want %s", p.Party.Name, p.Party.Identifiers, want)
			}
		case "ORGANIZATION":
			orgs++
		}
	}
	if persons != 2 || orgs != 1 {
		t.Fatalf("parties %+v, want two persons and the organisation", one.Node.Parties)
	}
	// The case, and meanwhile its parties with the party entities and the phones of every person
	// party (Store.NeighboursThen: the node field reads them ahead, see prefetch.go).
	if calls != 2 {
		t.Errorf("%d store calls for the phones of a case's parties, want 2", calls)
	}

	var page struct {
		Cases struct {
			Nodes []struct {
				Reference string
				Parties   []struct{ Party struct{ Name string } }
			}
		}
	}
	calls = answer(`{ cases(first: 10) { nodes { reference parties { party { ... on Person { name } } } } } }`, nil, &page)
	if len(page.Cases.Nodes) != 3 {
		t.Fatalf("%d cases, want 3", len(page.Cases.Nodes))
	}
	for _, c := range page.Cases.Nodes {
		// FIR i/2022 has the suspects i-0 and i-1 (and the first case the organisation).
		n := strings.TrimSuffix(strings.TrimPrefix(c.Reference, "FIR "), "/2022")
		i, _ := strconv.Atoi(n)
		var names []string
		for _, p := range c.Parties {
			if p.Party.Name != "" {
				names = append(names, p.Party.Name)
			}
		}
		slices.Sort(names)
		if want := []string{fmt.Sprintf("Suspect %d-0", i-1), fmt.Sprintf("Suspect %d-1", i-1)}; !slices.Equal(names, want) {
			t.Errorf("%s: parties %v, want %v", c.Reference, names, want)
		}
	}
	// The page, then the parties of every case on it.
	if calls != 2 {
		t.Errorf("%d store calls for the parties of a page of cases, want 2", calls)
	}
}

func TestCreateRecordsWriterAndRejectsInvalidInputWhole(t *testing.T) {
	e := newEnv(t)
	const create = `mutation($in: CreatePersonInput!) { createPerson(input: $in) {
		person { id name createdBy updatedBy createdAt nationalities { alpha3 } handling { originatorOrg tlp releasableTo } }
		clientMutationId } }`
	var out struct {
		CreatePerson struct {
			Person struct {
				ID, Name, CreatedBy, UpdatedBy, CreatedAt string
				Nationalities                             []struct{ Alpha3 string }
				Handling                                  struct {
					OriginatorOrg, Tlp string
					ReleasableTo       []string
				}
			}
			ClientMutationID string
		}
	}
	// Countries are reference data; the nationality resolves only once the country exists.
	admin := &sarhad.Viewer{Subject: "adm", Roles: []sarhad.Role{sarhad.RoleAdmin}, Country: "PAK", Org: "FIA-AHTC-LHR"}
	e.mustDo(admin, `mutation { createCountry(input: {country: {name: "Pakistan", alpha2: "PK", alpha3: "PAK"}, handling: {tlp: CLEAR}}) { country { id } } }`, nil, nil)
	e.mustDo(investigator, create, map[string]any{"in": map[string]any{
		"person":           map[string]any{"name": "  Muhammad Hussain Chaudhry ", "nationalities": []string{"pk"}},
		"handling":         map[string]any{"tlp": "AMBER", "releasableTo": []string{"IR", "GRC"}},
		"clientMutationId": "m1",
	}}, &out)
	p := out.CreatePerson.Person
	if p.Name != "Muhammad Hussain Chaudhry" || p.CreatedBy != "inv-1" || p.UpdatedBy != "inv-1" || p.CreatedAt != "2024-01-02T03:04:05Z" {
		t.Errorf("person not stamped as written: %+v", p)
	}
	if len(p.Nationalities) != 1 || p.Nationalities[0].Alpha3 != "PAK" {
		t.Errorf("nationality not normalised to alpha-3: %+v", p.Nationalities)
	}
	if p.Handling.OriginatorOrg != "FIA-AHTC-LHR" || p.Handling.Tlp != "AMBER" || strings.Join(p.Handling.ReleasableTo, ",") != "GRC,IRN" {
		t.Errorf("handling: %+v", p.Handling)
	}
	if out.CreatePerson.ClientMutationID != "m1" {
		t.Errorf("clientMutationId not echoed")
	}

	tests := []struct {
		name  string
		input map[string]any
		field string
	}{
		{"bad nationality", map[string]any{"person": map[string]any{"name": "X", "nationalities": []string{"PAK", "ZZZ"}}}, "input.person.nationalities[1]"},
		{"empty name", map[string]any{"person": map[string]any{"name": "  "}}, "input.person.name"},
		{"bad birth date", map[string]any{"person": map[string]any{"name": "X", "birthDate": "2023-02-30"}}, ""},
		{"bad release country", map[string]any{"person": map[string]any{"name": "X"}, "handling": map[string]any{"tlp": "GREEN", "releasableTo": []string{"XX"}}}, "input.handling.releasableTo[0]"},
		{"foreign originator", map[string]any{"person": map[string]any{"name": "X"}, "handling": map[string]any{"tlp": "GREEN", "originatorOrg": "IRN-POLICE"}}, "input.handling.originatorOrg"},
		{"source that is not a source", map[string]any{"person": map[string]any{"name": "X"}, "sourceIds": []string{p.ID}}, "input.sourceIds[0]"},
		{"huge name", map[string]any{"person": map[string]any{"name": strings.Repeat("x", 5000)}}, "input.person.name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(investigator, create, map[string]any{"in": tt.input}, nil)
			if r.code() != sarhad.EINVALID {
				t.Fatalf("code %q, errors %+v; want BAD_USER_INPUT", r.code(), r.Errors)
			}
			if tt.field != "" && r.Errors[0].Extensions["field"] != tt.field {
				t.Errorf("field %v, want %s", r.Errors[0].Extensions["field"], tt.field)
			}
		})
	}
	var count struct{ Persons struct{ TotalCount int } }
	e.mustDo(investigator, `{ persons { totalCount } }`, nil, &count)
	if count.Persons.TotalCount != 1 {
		t.Errorf("rejected writes left records: %d persons", count.Persons.TotalCount)
	}
}

func TestCreateWithSourceKeyIsIdempotent(t *testing.T) {
	e := newEnv(t)
	const q = `mutation { createOrganization(input: {organization: {name: "Chaudhry Group", category: CRIMINAL_NETWORK}, sourceKey: "net-7"}) { organization { id } } }`
	var a, b struct {
		CreateOrganization struct{ Organization struct{ ID string } }
	}
	e.mustDo(investigator, q, nil, &a)
	e.mustDo(investigator, q, nil, &b)
	if a.CreateOrganization.Organization.ID != b.CreateOrganization.Organization.ID {
		t.Errorf("retry created a second record: %s, %s", a.CreateOrganization.Organization.ID, b.CreateOrganization.Organization.ID)
	}
	var n struct{ Organizations struct{ TotalCount int } }
	e.mustDo(investigator, `{ organizations { totalCount } }`, nil, &n)
	if n.Organizations.TotalCount != 1 {
		t.Errorf("%d organisations after a retried create", n.Organizations.TotalCount)
	}
}

func TestLinkUpdateUnlinkAndSources(t *testing.T) {
	e := newEnv(t)
	p := e.create(&sarhad.Person{Name: "Rehman Yousaf"}, nil)
	o := e.create(&sarhad.Organization{Name: "Makran Boatmen", Category: sarhad.OrgCriminalNetwork}, nil)
	src := e.create(&sarhad.Source{Title: "FIA report 12", Category: sarhad.SourceReport, Originator: "FIA", Reliability: "B", Credibility: sarhad.CredibilityProbablyTrue}, nil)

	var linked struct {
		Link struct {
			Relationship struct {
				ID, Type, Role string
				From, To       struct{ ID string }
			}
		}
	}
	e.mustDo(investigator, `mutation($p: ID!, $o: ID!) { link(input: {type: MEMBER_OF, from: $p, to: $o, role: "boatman", since: "2021-05-01"}) {
		relationship { id type role from { id } to { id } } } }`, map[string]any{"p": p, "o": o}, &linked)
	rel := linked.Link.Relationship
	if rel.Type != "MEMBER_OF" || rel.Role != "boatman" || rel.From.ID != p || rel.To.ID != o {
		t.Fatalf("link: %+v", rel)
	}
	// The wrong kinds for a type are rejected, naming the field.
	r := e.do(investigator, `mutation($p: ID!, $o: ID!) { link(input: {type: HOLDS_DOCUMENT, from: $p, to: $o}) { relationship { id } } }`, map[string]any{"p": p, "o": o}, nil)
	if r.code() != sarhad.EINVALID || r.Errors[0].Extensions["field"] != "input.to" {
		t.Errorf("link of wrong kinds: %+v", r.Errors)
	}
	// A party role outside the enum is rejected.
	c := e.create(&sarhad.Case{Reference: "FIR 1/2021", Agency: "FIA", Country: "PAK", Offences: []sarhad.Offence{sarhad.OffenceTrafficking}, Stage: sarhad.StageRegistered, RegisteredOn: "2021-01-01"}, nil)
	r = e.do(investigator, `mutation($p: ID!, $c: ID!) { link(input: {type: PARTY_TO, from: $p, to: $c, role: "bystander"}) { relationship { id } } }`, map[string]any{"p": p, "c": c}, nil)
	if r.code() != sarhad.EINVALID || r.Errors[0].Extensions["field"] != "input.role" {
		t.Errorf("bad party role: %+v", r.Errors)
	}

	var members struct {
		Node struct{ Members []struct{ ID string } }
	}
	e.mustDo(investigator, `query($o: ID!) { node(id: $o) { ... on Organization { members { id } } } }`, map[string]any{"o": o}, &members)
	if len(members.Node.Members) != 1 || members.Node.Members[0].ID != p {
		t.Errorf("members: %+v", members.Node.Members)
	}

	var attached struct {
		AttachSources struct {
			Relationship struct {
				Sources []struct{ ID, Grading string }
			}
		}
	}
	e.mustDo(investigator, `mutation($r: ID!, $s: ID!) { attachSources(input: {targetId: $r, sourceIds: [$s]}) { relationship { sources { id grading } } } }`,
		map[string]any{"r": rel.ID, "s": src}, &attached)
	if s := attached.AttachSources.Relationship.Sources; len(s) != 1 || s[0].ID != src || s[0].Grading != "B2" {
		t.Errorf("sources after attach: %+v", s)
	}

	var updated struct {
		UpdatePerson struct {
			Person struct {
				Name    string
				Aliases []string
			}
		}
	}
	e.mustDo(investigator, `mutation($p: ID!) { updatePerson(input: {id: $p, person: {name: "Rahman Yusuf", aliases: ["Rehman Yousaf"]}}) { person { name aliases } } }`,
		map[string]any{"p": p}, &updated)
	if updated.UpdatePerson.Person.Name != "Rahman Yusuf" || len(updated.UpdatePerson.Person.Aliases) != 1 {
		t.Errorf("update: %+v", updated)
	}
	r = e.do(investigator, `mutation($o: ID!) { updatePerson(input: {id: $o, person: {name: "x"}}) { person { id } } }`, map[string]any{"o": o}, nil)
	if r.code() != sarhad.EINVALID {
		t.Errorf("updating an organisation as a person: %+v", r.Errors)
	}

	e.mustDo(investigator, `mutation($r: ID!) { unlink(input: {id: $r}) { relationship { id } } }`, map[string]any{"r": rel.ID}, nil)
	e.mustDo(investigator, `query($o: ID!) { node(id: $o) { ... on Organization { members { id } } } }`, map[string]any{"o": o}, &members)
	if len(members.Node.Members) != 0 {
		t.Errorf("members after unlink: %+v", members.Node.Members)
	}
	if r := e.do(investigator, `mutation($r: ID!) { unlink(input: {id: $r}) { relationship { id } } }`, map[string]any{"r": rel.ID}, nil); r.code() != sarhad.ENOTFOUND {
		t.Errorf("second unlink: %+v", r.Errors)
	}
}

func TestRolesAndHandlingOnReads(t *testing.T) {
	e := newEnv(t)
	amber := &sarhad.Handling{TLP: sarhad.TLPAmber, ReleasableTo: []string{"IRN"}}
	red := &sarhad.Handling{TLP: sarhad.TLPRed}
	shared := e.create(&sarhad.Person{Name: "Shared Suspect"}, amber)
	secret := e.create(&sarhad.Person{Name: "Red Suspect"}, red)

	var out struct {
		Persons struct {
			TotalCount int
			Nodes      []struct{ ID string }
		}
	}
	e.mustDo(iranOfficer, `{ persons { totalCount nodes { id } } }`, nil, &out)
	if out.Persons.TotalCount != 1 || out.Persons.Nodes[0].ID != shared {
		t.Errorf("liaison officer of Iran sees %+v; want only the AMBER record released to IRN", out.Persons)
	}
	var node struct{ Node *struct{ ID string } }
	if r := e.do(iranOfficer, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": secret}, &node); len(r.Errors) > 0 || node.Node != nil {
		t.Errorf("RED record leaked to Iran: %+v %+v", node, r.Errors)
	}
	if r := e.do(auditor, `{ persons { totalCount } }`, nil, nil); r.code() != sarhad.EFORBIDDEN {
		t.Errorf("auditor reading persons: %+v", r.Errors)
	}
	if r := e.do(analyst, `mutation { createPerson(input: {person: {name: "X"}}) { person { id } } }`, nil, nil); r.code() != sarhad.EFORBIDDEN {
		t.Errorf("analyst writing: %+v", r.Errors)
	}
	var me struct {
		Me struct {
			Subject, Country, Organization string
			Roles                          []string
		}
	}
	e.mustDo(iranOfficer, `{ me { subject country organization roles } }`, nil, &me)
	if me.Me.Subject != "irn-1" || me.Me.Country != "IRN" || me.Me.Organization != "IRN-POLICE" || me.Me.Roles[0] != "LIAISON_OFFICER" {
		t.Errorf("me: %+v", me.Me)
	}
}

// When more entities match a search than one search ranks, the exact matches are ranked whatever
// their ids, and totalCount counts every match.
func TestSearchBeyondTheRankedMatches(t *testing.T) {
	e := newEnv(t)
	// 1,100 transliteration variants of the name asked for and two exact matches, whose ids sort
	// after every variant's: the first thousand matches by id are all variants.
	const variants = 1100
	ids := make([]string, variants+2)
	for i := range ids {
		ids[i] = sarhad.StableID(sarhad.KindPerson, fmt.Sprint("beyond ", i))
	}
	slices.Sort(ids)
	cs := &sarhad.ChangeSet{}
	for i, id := range ids {
		name := "Muhammad Iqbal Zafar"
		if i >= variants {
			name = "Mohammed Iqbal Zafar"
		}
		cs.Put = append(cs.Put, &sarhad.Person{Meta: sarhad.Meta{ID: id, Kind: sarhad.KindPerson, CreatedAt: time.Now(), UpdatedAt: time.Now(),
			Handling: sarhad.Handling{OriginatorOrg: investigator.Org, OriginatorCountry: "PAK", TLP: sarhad.TLPAmber}}, Name: name})
	}
	if _, err := e.store.Apply(sarhad.NewContext(context.Background(), sarhad.SystemViewer()), cs); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Search struct {
			TotalCount int
			Edges      []struct {
				Score float64
				Node  struct{ ID string }
			}
		}
	}
	e.mustDo(investigator, `{ search(text: "Mohammed Zafar", kinds: [PERSON], first: 3) { totalCount edges { score node { id } } } }`, nil, &out)
	if out.Search.TotalCount != len(ids) {
		t.Errorf("totalCount = %d, want every match: %d", out.Search.TotalCount, len(ids))
	}
	var got []string
	for _, edge := range out.Search.Edges {
		got = append(got, edge.Node.ID)
	}
	if len(got) != 3 || !slices.Equal(slices.Sorted(slices.Values(got[:2])), ids[variants:]) || out.Search.Edges[2].Score >= out.Search.Edges[1].Score {
		t.Errorf("hits %v with scores %+v; want the two exact matches %v first, then a variant", got, out.Search.Edges, ids[variants:])
	}
}

func TestSearchAndFilters(t *testing.T) {
	e := newEnv(t)
	want := e.create(&sarhad.Person{Name: "Muhammad Hussain Chaudhry", Aliases: []string{"Haji Sahib"}, Nationalities: []string{"PAK"}}, nil)
	e.create(&sarhad.Person{Name: "Bilal Ahmed", Nationalities: []string{"AFG"}}, nil)
	e.create(&sarhad.Organization{Name: "Mohammed Travels", Category: sarhad.OrgTravelAgency}, nil)
	var out struct {
		Search struct {
			TotalCount int
			Edges      []struct {
				Score float64
				Node  struct{ ID, Kind, DisplayName string }
			}
		}
	}
	for _, text := range []string{"Mohammed Husain", "muhammed chaudhary", "Hussian Choudhry", "MUHAMMAD HÜSSAIN", "haji sahib"} {
		e.mustDo(investigator, `query($t: String!) { search(text: $t, kinds: [PERSON]) { totalCount edges { score node { id kind displayName } } } }`, map[string]any{"t": text}, &out)
		if out.Search.TotalCount != 1 || out.Search.Edges[0].Node.ID != want {
			t.Errorf("search %q: %+v", text, out.Search)
		}
	}
	e.mustDo(investigator, `{ search(text: "Mohammed") { totalCount edges { score node { kind displayName } } } }`, nil, &out)
	if out.Search.TotalCount != 2 || out.Search.Edges[0].Node.DisplayName != "Mohammed Travels" || out.Search.Edges[0].Score <= out.Search.Edges[1].Score {
		t.Errorf("exact match should rank first: %+v", out.Search)
	}
	var afg struct {
		Persons struct {
			TotalCount int
			Nodes      []struct{ Name string }
		}
	}
	e.mustDo(investigator, `{ persons(filter: {nationalities: ["AF"]}) { totalCount nodes { name } } }`, nil, &afg)
	if afg.Persons.TotalCount != 1 || afg.Persons.Nodes[0].Name != "Bilal Ahmed" {
		t.Errorf("nationality filter: %+v", afg.Persons)
	}
	if r := e.do(investigator, `{ persons(filter: {nationalities: ["Narnia"]}) { totalCount } }`, nil, nil); r.code() != sarhad.EINVALID {
		t.Errorf("bad country in filter: %+v", r.Errors)
	}
}

func TestCaseFiltersAndPaging(t *testing.T) {
	e := newEnv(t)
	ids := e.seedCases(7)
	var page struct {
		Cases struct {
			TotalCount int
			PageInfo   struct {
				HasNextPage bool
				EndCursor   string
			}
			Edges []struct {
				Cursor string
				Node   struct{ ID string }
			}
		}
	}
	seen := map[string]bool{}
	after := ""
	for range 10 {
		vars := map[string]any{"after": after}
		if after == "" {
			vars["after"] = nil
		}
		e.mustDo(investigator, `query($after: String) { cases(first: 3, after: $after, filter: {stages: [UNDER_INVESTIGATION], registeredFrom: "2022-01-01"}) {
			totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }`, vars, &page)
		if page.Cases.TotalCount != 7 {
			t.Fatalf("totalCount %d", page.Cases.TotalCount)
		}
		for _, ed := range page.Cases.Edges {
			if seen[ed.Node.ID] {
				t.Fatalf("case %s on two pages", ed.Node.ID)
			}
			seen[ed.Node.ID] = true
		}
		if !page.Cases.PageInfo.HasNextPage {
			break
		}
		after = page.Cases.PageInfo.EndCursor
	}
	if len(seen) != len(ids) {
		t.Errorf("paged through %d of %d cases", len(seen), len(ids))
	}
	var none struct{ Cases struct{ TotalCount int } }
	e.mustDo(investigator, `{ cases(filter: {registeredTo: "2021-12-31"}) { totalCount } }`, nil, &none)
	if none.Cases.TotalCount != 0 {
		t.Errorf("date filter: %d", none.Cases.TotalCount)
	}
	for _, q := range []string{`{ cases(first: 0) { totalCount } }`, `{ cases(first: 501) { totalCount } }`, `{ cases(after: "bm9wZQ") { totalCount } }`} {
		if r := e.do(investigator, q, nil, nil); r.code() != sarhad.EINVALID {
			t.Errorf("%s: %+v", q, r.Errors)
		}
	}
}

func TestInvalidIDsAreBadInput(t *testing.T) {
	e := newEnv(t)
	for _, id := range []string{"42", "per_!!", strings.Repeat("a", 10000)} {
		if r := e.do(investigator, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}, nil); r.code() != sarhad.EINVALID {
			t.Errorf("node(%.20q): %+v", id, r.Errors)
		}
	}
	var nodes struct{ Nodes []*struct{ ID string } }
	e.mustDo(investigator, `{ nodes(ids: ["nope", "per_00000000000000000000000000"]) { id } }`, nil, &nodes)
	if len(nodes.Nodes) != 2 || nodes.Nodes[0] != nil || nodes.Nodes[1] != nil {
		t.Errorf("nodes of unknown ids: %+v", nodes.Nodes)
	}
}

func TestWritePermissionsByRole(t *testing.T) {
	e := newEnv(t)
	// Records of FIA Lahore released to Iran (AMBER), so an Iranian officer can see but not edit them.
	released := &sarhad.Handling{TLP: sarhad.TLPAmber, ReleasableTo: []string{"IRN"}}
	person := e.create(&sarhad.Person{Name: "Lahore Suspect"}, released)
	org := e.create(&sarhad.Organization{Name: "Lahore Network", Category: sarhad.OrgCriminalNetwork}, released)
	src := e.create(&sarhad.Source{Title: "Report", Category: sarhad.SourceReport, Originator: "FIA", Reliability: "B", Credibility: sarhad.CredibilityPossiblyTrue}, released)

	admin := &sarhad.Viewer{Subject: "adm", Roles: []sarhad.Role{sarhad.RoleAdmin}, Country: "PAK", Org: "SARHAD"}
	otherInvestigator := &sarhad.Viewer{Subject: "inv-2", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: "PAK", Org: "FIA-AHTC-KHI"}
	viewers := []struct {
		name string
		v    *sarhad.Viewer
		// expected codes for: create, update own-org record, link, attach source, create country
		create, update, link, attach, country string
	}{
		// Roles do not widen handling: an administrator of another organisation cannot see these records.
		{"admin", admin, "", sarhad.ENOTFOUND, sarhad.ENOTFOUND, sarhad.EINVALID, ""},
		{"investigator of the originating organisation", investigator, "", "", "", "", sarhad.EFORBIDDEN},
		{"investigator of another organisation", otherInvestigator, "", sarhad.ENOTFOUND, sarhad.ENOTFOUND, sarhad.EINVALID, sarhad.EFORBIDDEN},
		{"analyst", analyst, sarhad.EFORBIDDEN, sarhad.EFORBIDDEN, sarhad.EFORBIDDEN, sarhad.EFORBIDDEN, sarhad.EFORBIDDEN},
		{"liaison officer of Iran", iranOfficer, "", sarhad.EFORBIDDEN, "", sarhad.EFORBIDDEN, sarhad.EFORBIDDEN},
		{"auditor", auditor, sarhad.EFORBIDDEN, sarhad.EFORBIDDEN, sarhad.EFORBIDDEN, sarhad.EFORBIDDEN, sarhad.EFORBIDDEN},
	}
	for _, tt := range viewers {
		t.Run(tt.name, func(t *testing.T) {
			e.t = t
			check := func(op, want string, r *response) {
				t.Helper()
				if got := r.code(); got != want {
					t.Errorf("%s: code %q, want %q (%+v)", op, r.code(), want, r.Errors)
				}
			}
			check("create", tt.create, e.do(tt.v, `mutation { createPerson(input: {person: {name: "New"}}) { person { handling { originatorOrg } } } }`, nil, nil))
			check("update", tt.update, e.do(tt.v, `mutation($id: ID!) { updatePerson(input: {id: $id, person: {name: "Renamed"}}) { person { id } } }`, map[string]any{"id": person}, nil))
			check("link", tt.link, e.do(tt.v, `mutation($p: ID!, $o: ID!) { link(input: {type: MEMBER_OF, from: $p, to: $o}) { relationship { id } } }`, map[string]any{"p": person, "o": org}, nil))
			check("attach", tt.attach, e.do(tt.v, `mutation($id: ID!, $s: ID!) { attachSources(input: {targetId: $id, sourceIds: [$s]}) { node { id } } }`, map[string]any{"id": person, "s": src}, nil))
			check("country", tt.country, e.do(tt.v, `mutation { createCountry(input: {country: {name: "Pakistan", alpha2: "PK", alpha3: "PAK"}}) { country { id } } }`, nil, nil))
		})
	}
	e.t = t
	// A liaison officer's records are originated by their own organisation, whatever they ask for.
	var out struct {
		CreatePerson struct {
			Person struct {
				Handling struct{ OriginatorOrg string }
			}
		}
	}
	e.mustDo(iranOfficer, `mutation { createPerson(input: {person: {name: "Iranian record"}, handling: {tlp: AMBER, releasableTo: ["PAK"]}}) { person { handling { originatorOrg } } } }`, nil, &out)
	if out.CreatePerson.Person.Handling.OriginatorOrg != "IRN-POLICE" {
		t.Errorf("liaison officer's record originated by %q", out.CreatePerson.Person.Handling.OriginatorOrg)
	}
	// Nor may they name another country as its originator: only administrators write for others.
	r := e.do(iranOfficer, `mutation { createPerson(input: {person: {name: "Iranian record"}, handling: {tlp: AMBER, originatorCountry: "PAK"}}) { person { id } } }`, nil, nil)
	if r.code() != sarhad.EINVALID {
		t.Errorf("a liaison officer's record originated in Pakistan: %+v, want BAD_USER_INPUT", r.Errors)
	}
}

func TestNeighbourhoodCallsDoNotGrowWithItsSize(t *testing.T) {
	e := newEnv(t)
	cases := e.seedCases(12)
	const q = `query($id: ID!) { neighbourhood(id: $id, depth: 2) {
		nodes { id displayName } edges { id type from { id } to { id } } } }`
	var out struct {
		Neighbourhood struct {
			Nodes []struct{ ID string }
			Edges []struct {
				From, To struct{ ID string }
			}
		}
	}
	e.store.reset()
	e.mustDo(investigator, q, map[string]any{"id": cases[0]}, &out)
	calls := e.store.reset()
	// The case, its parties, and their phones and passports: 1 + 2 + 4 entities.
	if n := len(out.Neighbourhood.Nodes); n != 7 || len(out.Neighbourhood.Edges) != 6 {
		t.Fatalf("%d nodes and %d edges, want 7 and 6", n, len(out.Neighbourhood.Edges))
	}
	// The centre, one call per level with the entities it reaches, the ties within the last level.
	if calls > 4 {
		t.Errorf("%d store calls for a neighbourhood of depth 2; want at most 4", calls)
	}
}

// Through GraphQL: a VICTIM party or a TRAFFICKED target must be recorded as a victim (the link is
// BAD_USER_INPUT otherwise, and nothing is written); once named, the record keeps its victim details,
// and an uncleared investigator sees the victim under a pseudonym.
func TestVictimsNamedByRelationshipsAreRecorded(t *testing.T) {
	e := newEnv(t)
	p := e.create(&sarhad.Person{Name: "Naveed Akhtar"}, nil)
	trafficker := e.create(&sarhad.Person{Name: "Tariq Mehmood"}, nil)
	c := e.create(&sarhad.Case{Reference: "FIR 2/2024", Agency: "FIA", Country: "PAK", Offences: []sarhad.Offence{sarhad.OffenceTrafficking},
		Stage: sarhad.StageRegistered, RegisteredOn: "2024-01-02"}, nil)
	link := `mutation($f: ID!, $t: ID!, $type: RelationType!, $role: String) { link(input: {type: $type, from: $f, to: $t, role: $role}) { relationship { id } } }`
	for _, v := range []map[string]any{
		{"f": p, "t": c, "type": "PARTY_TO", "role": "VICTIM"},
		{"f": trafficker, "t": p, "type": "TRAFFICKED"},
	} {
		if r := e.do(investigator, link, v, nil); r.code() != sarhad.EINVALID {
			t.Errorf("%s naming a person not recorded as a victim: %+v, want BAD_USER_INPUT", v["type"], r.Errors)
		}
	}
	var parties struct {
		Node struct{ Parties []struct{ Role string } }
	}
	e.mustDo(investigator, `query($c: ID!) { node(id: $c) { ... on Case { parties { role } } } }`, map[string]any{"c": c}, &parties)
	if len(parties.Node.Parties) != 0 {
		t.Errorf("parties after the refusals: %+v, want none", parties.Node.Parties)
	}

	// Recorded as a victim (no details known yet), the person may be named one, and stays one.
	e.mustDo(investigator, `mutation($p: ID!) { updatePerson(input: {id: $p, person: {name: "Naveed Akhtar", victim: {}}}) { person { id } } }`,
		map[string]any{"p": p}, nil)
	e.mustDo(investigator, link, map[string]any{"f": p, "t": c, "type": "PARTY_TO", "role": "VICTIM"}, nil)
	var seen struct{ Node struct{ DisplayName string } }
	e.mustDo(investigator, `query($p: ID!) { node(id: $p) { ... on Person { displayName } } }`, map[string]any{"p": p}, &seen)
	if seen.Node.DisplayName != sarhad.Pseudonym(p) {
		t.Errorf("an uncleared investigator sees %q, want the pseudonym", seen.Node.DisplayName)
	}
	cleared := &sarhad.Viewer{Subject: "inv-2", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: "PAK", Org: investigator.Org,
		Clearances: []string{sarhad.ClearanceVictimPII}}
	r := e.do(cleared, `mutation($p: ID!) { updatePerson(input: {id: $p, person: {name: "Naveed Akhtar"}}) { person { id } } }`,
		map[string]any{"p": p}, nil)
	if r.code() != sarhad.EINVALID {
		t.Errorf("removing a named victim's details: %+v, want BAD_USER_INPUT", r.Errors)
	}
}
