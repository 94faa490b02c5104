package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/auth"
	"github.com/sarhad/sarhad/metrics"
	"github.com/sarhad/sarhad/store/sqlite"
)

// attackSecret signs the tokens of the production-mode servers of these tests.
const attackSecret = "attack-test-secret-attack-test-secret"

// attack is a hostile request to /graphql and how the server must refuse it.
type attack struct {
	name        string
	method      string // POST unless set
	query       string // URL query of a GET
	contentType string // application/json unless set
	body        string
	chunked     bool // sent without Content-Length
	status      int
	code, limit string
}

// jsonQuery is the JSON body of a GraphQL query.
func jsonQuery(query string) string {
	return fmt.Sprintf(`{"query":%q}`, query)
}

// attacks is the battery: every kind of hostile request the server refuses before running it.
func attacks() []attack {
	var deep strings.Builder // 200 levels of relationships and their ends
	deep.WriteString(`{ node(id: "x") { ... on Person { `)
	for range 200 {
		deep.WriteString("relationships { to { ... on Person { ")
	}
	deep.WriteString("id" + strings.Repeat(" } } }", 200) + " } } }")

	var aliases strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&aliases, "a%d: me { subject } ", i)
	}

	var fanOut strings.Builder // ten fragments each spreading the next ten times: 10^10 selections inlined
	fanOut.WriteString("{ me { ...F0 } } ")
	for i := range 10 {
		fmt.Fprintf(&fanOut, "fragment F%d on Viewer { %s} ", i, strings.Repeat(fmt.Sprintf("...F%d ", i+1), 10))
	}
	fanOut.WriteString("fragment F10 on Viewer { subject }")

	var fragments strings.Builder // 1000 fragments spread together, each with its own field
	fragments.WriteString("{ me { ")
	for i := range 1000 {
		fmt.Fprintf(&fragments, "...F%d ", i)
	}
	fragments.WriteString("} } ")
	for i := range 1000 {
		fmt.Fprintf(&fragments, "fragment F%d on Viewer { f%d: subject } ", i, i)
	}

	var batch strings.Builder
	batch.WriteString("[")
	for i := range 100 {
		if i > 0 {
			batch.WriteString(",")
		}
		batch.WriteString(jsonQuery("{ me { subject } }"))
	}
	batch.WriteString("]")

	huge := `{"query":"{ me { subject } }","variables":{"x":"` + strings.Repeat("a", 2<<20) + `"}}`
	const (
		unprocessable = http.StatusUnprocessableEntity
		invalid       = sarhad.EINVALID
		complexity    = sarhad.ECOMPLEXITY
		validation    = "GRAPHQL_VALIDATION_FAILED"
	)
	return []attack{
		{name: "deep nesting, 200 levels", body: jsonQuery(deep.String()), status: unprocessable, code: complexity, limit: "depth"},
		{name: "cost bomb", body: jsonQuery(`{ cases(first: 500) { nodes { parties { party { ... on Person { relationships(first: 500) {
			to { ... on Person { relationships(first: 500) { id } } } } } } } } } }`), status: unprocessable, code: complexity, limit: "complexity"},
		{name: "1000 aliases", body: jsonQuery("{ " + aliases.String() + "}"), status: unprocessable, code: complexity, limit: "aliases"},
		{name: "50,000 repeated fields", body: jsonQuery("{ me { " + strings.Repeat("subject ", 50000) + "} }"), status: unprocessable, code: complexity, limit: "tokens"},
		{name: "14,000 repeated fields, under the token limit", body: jsonQuery("{ me { " + strings.Repeat("subject ", 14000) + "} }"), status: unprocessable, code: complexity, limit: "repeats"},
		{name: "10,000 directives", body: jsonQuery("{ me { subject " + strings.Repeat("@include(if: true) ", 10000) + "} }"), status: unprocessable, code: complexity, limit: "tokens"},
		{name: "2,000 directives, under the token limit", body: jsonQuery("{ me { subject " + strings.Repeat("@skip(if: false) ", 2000) + "} }"), status: unprocessable, code: complexity, limit: "directives"},
		{name: "circular fragments", body: jsonQuery(`{ node(id: "x") { ...A } } fragment A on Person { ...B } fragment B on Person { ...A }`), status: unprocessable, code: validation},
		{name: "fragment fan-out", body: jsonQuery(fanOut.String()), status: unprocessable, code: complexity, limit: "repeats"},
		{name: "1000 fragments spread together", body: jsonQuery(fragments.String()), status: unprocessable, code: complexity, limit: "fragments"},
		{name: "2 MiB body", body: huge, status: http.StatusRequestEntityTooLarge, code: invalid},
		{name: "2 MiB body without Content-Length", body: huge, chunked: true, status: http.StatusRequestEntityTooLarge, code: invalid},
		{name: "batch of 100 operations", body: batch.String(), status: http.StatusBadRequest, code: invalid},
		{name: "mutation over GET", method: http.MethodGet, query: "query=" + url.QueryEscape(`mutation { createPerson(input: {person: {name: "X"}}) { person { id } } }`), status: unprocessable, code: invalid},
		{name: "form post", contentType: "application/x-www-form-urlencoded", body: "query=" + url.QueryEscape("{ me { subject } }"), status: http.StatusUnsupportedMediaType, code: invalid},
		{name: "multipart form post", contentType: "multipart/form-data; boundary=X", body: "--X\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n" + jsonQuery("{ me { subject } }") + "\r\n--X--\r\n", status: http.StatusUnsupportedMediaType, code: invalid},
		{name: "text/plain post", contentType: "text/plain", body: jsonQuery("{ me { subject } }"), status: http.StatusUnsupportedMediaType, code: invalid},
		{name: "introspection", body: jsonQuery(`{ __schema { types { name fields { name } } } }`), status: unprocessable, code: sarhad.EFORBIDDEN},
		{name: "field suggestions", body: jsonQuery(`{ me { subjet } }`), status: unprocessable, code: validation},
	}
}

// request returns the attack's request to the /graphql endpoint at base, with a bearer token.
func (a attack) request(base, token string) *http.Request {
	method := a.method
	if method == "" {
		method = http.MethodPost
	}
	var body io.Reader = strings.NewReader(a.body)
	if a.chunked {
		body = struct{ io.Reader }{body} // hides the length
	}
	req, err := http.NewRequest(method, base+"/graphql?"+a.query, body)
	if err != nil {
		panic(err)
	}
	if a.chunked {
		req.ContentLength = -1
	}
	if method == http.MethodPost {
		ct := a.contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}

// productionServer runs the server with a token secret (production mode: no demo data, no
// introspection, no suggestions) and returns its base URL and an investigator's token.
func productionServer(t *testing.T, env map[string]string) (string, string) {
	t.Helper()
	env["SARHAD_JWT_SECRET"] = attackSecret
	base, _ := demoServer(t, env)
	return base, mintToken(t)
}

func mintToken(tb testing.TB) string {
	tb.Helper()
	v := &sarhad.Viewer{Subject: "attack-tester", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: "PAK", Org: "FIA-AHTC-LHR"}
	tok, err := auth.Mint([]byte(attackSecret), v, "", time.Now(), time.Hour)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// TestAttacksAreRefused sends every attack to a server in production mode and checks the HTTP status,
// extensions.code and extensions.limit of the refusal, and that the server answers a normal query
// right after.
func TestAttacksAreRefused(t *testing.T) {
	base, tok := productionServer(t, map[string]string{})
	for _, a := range attacks() {
		t.Run(a.name, func(t *testing.T) {
			res, err := http.DefaultClient.Do(a.request(base, tok))
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(res.Body)
			res.Body.Close()
			var r gqlResponse
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatalf("status %d, body %.300s: %v", res.StatusCode, raw, err)
			}
			if res.StatusCode != a.status || r.code() != a.code {
				t.Fatalf("status %d, code %q (%+v); want %d, %q", res.StatusCode, r.code(), r.Errors, a.status, a.code)
			}
			if limit := r.Errors[0].Extensions["limit"]; a.limit == "" && limit != nil || a.limit != "" && limit != a.limit {
				t.Errorf("extensions.limit %v, want %q", limit, a.limit)
			}
			if len(r.Data) > 0 {
				t.Errorf("data of a refused request: %v", r.Data)
			}
			if strings.Contains(string(raw), "Did you mean") || strings.Contains(string(raw), `"Person"`) {
				t.Errorf("the refusal reveals the schema: %.300s", raw)
			}
			status, _, ok := send(t, http.MethodPost, base+"/graphql", "application/json", tok, `{"query":"{ me { subject } persons(first: 1) { totalCount } }"}`)
			if status != http.StatusOK || len(ok.Errors) > 0 || ok.Data["me"] == nil {
				t.Errorf("a normal query after the attack: %d %+v", status, ok.Errors)
			}
		})
	}
}

// TestGraphQLContentType: application/graphql bodies are accepted, as the README says.
func TestGraphQLContentType(t *testing.T) {
	base, tok := productionServer(t, map[string]string{})
	status, _, r := send(t, http.MethodPost, base+"/graphql", "application/graphql", tok, `{ me { subject } }`)
	if status != http.StatusOK || len(r.Errors) > 0 || r.Data["me"] == nil {
		t.Errorf("application/graphql: %d %+v", status, r.Errors)
	}
}

// TestLimitsFromEnvironment: the limits are configurable by environment variables (and flags).
func TestLimitsFromEnvironment(t *testing.T) {
	env := map[string]string{"SARHAD_MAX_DEPTH": "3", "SARHAD_MAX_COMPLEXITY": "10", "SARHAD_MAX_ALIASES": "1",
		"SARHAD_MAX_DIRECTIVES": "1", "SARHAD_MAX_TOKENS": "40", "SARHAD_MAX_REPEATS": "1", "SARHAD_MAX_FRAGMENTS": "1",
		"SARHAD_MAX_BODY_BYTES": "300"}
	c, err := parseConfig([]string{"-max-aliases", "2"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	l := c.Limits
	if l.MaxDepth != 3 || l.MaxComplexity != 10 || l.MaxAliases != 2 || l.MaxDirectives != 1 || l.MaxTokens != 40 ||
		l.MaxRepeats != 1 || l.MaxFragments != 1 || c.MaxBodyBytes != 300 {
		t.Errorf("limits %+v, body %d", l, c.MaxBodyBytes)
	}
	for _, bad := range []string{"0", "-1", "many", "99999999999"} {
		if _, err := parseConfig(nil, func(k string) string { return map[string]string{"SARHAD_MAX_DEPTH": bad}[k] }, io.Discard); err == nil {
			t.Errorf("SARHAD_MAX_DEPTH=%s accepted", bad)
		}
	}
	c, _ = parseConfig(nil, func(string) string { return "" }, io.Discard)
	if c.MaxBodyBytes != 1<<20 || c.Limits.MaxDepth != 12 {
		t.Errorf("defaults: %+v, body %d", c.Limits, c.MaxBodyBytes)
	}

	base, tok := productionServer(t, env)
	for _, tt := range []struct {
		body        string
		status      int
		code, limit string
	}{
		{jsonQuery(`{ node(id: "x") { ... on Person { relationships { to { id } } } } }`), 422, sarhad.ECOMPLEXITY, "depth"},
		{jsonQuery(`{ persons(first: 20) { totalCount } }`), 422, sarhad.ECOMPLEXITY, "complexity"},
		{jsonQuery(`{ me { subject subject } }`), 422, sarhad.ECOMPLEXITY, "repeats"},
		{jsonQuery("{ me { subject " + strings.Repeat("name ", 40) + "} }"), 422, sarhad.ECOMPLEXITY, "tokens"},
		{jsonQuery("{ me { subject } }") + strings.Repeat(" ", 300), 413, sarhad.EINVALID, ""},
		{jsonQuery("{ me { subject } }"), 200, "", ""},
	} {
		status, _, r := send(t, http.MethodPost, base+"/graphql", "application/json", tok, tt.body)
		if status != tt.status || r.code() != tt.code || tt.limit != "" && r.Errors[0].Extensions["limit"] != tt.limit {
			t.Errorf("%.80s: %d %+v; want %d %s %s", tt.body, status, r.Errors, tt.status, tt.code, tt.limit)
		}
	}
}

// blockingStore is a store whose entity reads wait for the request's context to end, and report
// what ended it.
type blockingStore struct {
	sarhad.Store
	ended chan error
}

func (s *blockingStore) block(ctx context.Context) error {
	<-ctx.Done()
	select {
	case s.ended <- ctx.Err():
	default:
	}
	return ctx.Err()
}

func (s *blockingStore) ListEntities(ctx context.Context, q sarhad.ListQuery) (*sarhad.EntityPage, error) {
	return nil, s.block(ctx)
}

func (s *blockingStore) Entities(ctx context.Context, ids []string) ([]sarhad.Entity, error) {
	return nil, s.block(ctx)
}

// TestDeadlineReachesTheStore: a request that outlives SARHAD_REQUEST_TIMEOUT is cancelled down to
// the store, and the client gets UNAVAILABLE.
func TestDeadlineReachesTheStore(t *testing.T) {
	env := map[string]string{"SARHAD_JWT_SECRET": attackSecret, "SARHAD_REQUEST_TIMEOUT": "200ms"}
	cfg, err := parseConfig(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	store := &blockingStore{Store: st, ended: make(chan error, 1)}
	svc := &sarhad.Service{Store: store, Now: time.Now, Rand: rand.Reader}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(routes(cfg, logger, store, svc, auth.NewHS256([]byte(attackSecret), "", "", time.Now), metrics.New()))
	defer srv.Close()

	// Without the deadline the store would block until this client gives up.
	client := &http.Client{Timeout: time.Minute}
	req := attack{body: jsonQuery(`{ persons { totalCount } }`)}.request(srv.URL, mintToken(t))
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var r gqlResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	if r.code() != sarhad.EUNAVAILABLE {
		t.Errorf("code %q, want %s: %s", r.code(), sarhad.EUNAVAILABLE, raw)
	}
	select {
	case err := <-store.ended:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("the store saw %v, want the deadline", err)
		}
	default:
		t.Error("the store never saw the request end")
	}
}

// attackRoutes returns the server's whole HTTP handler, in production mode over a new embedded
// store, and the store.
func attackRoutes(tb testing.TB) (http.Handler, *sqlite.Store) {
	tb.Helper()
	env := map[string]string{"SARHAD_JWT_SECRET": attackSecret}
	cfg, err := parseConfig(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		tb.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	svc := &sarhad.Service{Store: st, Now: time.Now, Rand: rand.Reader}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	return routes(cfg, logger, st, svc, auth.NewHS256([]byte(attackSecret), "", "", time.Now), metrics.New()), st
}

// BenchmarkRejectAttack measures what refusing each attack costs, through the whole HTTP handler of
// the server (CORS, access log, content type, deadline, authentication, body limit, GraphQL).
//
//	go test -run '^$' -bench RejectAttack -benchtime 20x ./server/
func BenchmarkRejectAttack(b *testing.B) {
	h, _ := attackRoutes(b)
	tok := mintToken(b)
	for _, a := range attacks() {
		b.Run(strings.ReplaceAll(a.name, " ", "_"), func(b *testing.B) {
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, a.request("", tok))
				if rec.Code != a.status {
					b.Fatalf("status %d, want %d: %.300s", rec.Code, a.status, rec.Body)
				}
			}
		})
	}
}

// TestRefusedRequestsAreAudited: every attack of an authenticated viewer leaves one audit entry,
// under the viewer and with the code it was refused with — those the HTTP layer refuses before
// GraphQL sees them (a body too large) as much as those GraphQL refuses. Requests refused before
// authentication (a wrong content type) have no viewer to record.
func TestRefusedRequestsAreAudited(t *testing.T) {
	h, st := attackRoutes(t)
	srv := httptest.NewServer(h)
	defer srv.Close()
	tok := mintToken(t)
	sys := sarhad.NewContext(context.Background(), sarhad.SystemViewer())
	for _, a := range attacks() {
		if a.status == http.StatusUnsupportedMediaType {
			continue
		}
		before, err := st.AuditLog(sys, sarhad.AuditQuery{Page: sarhad.Page{First: 1}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := http.DefaultClient.Do(a.request(srv.URL, tok))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		after, err := st.AuditLog(sys, sarhad.AuditQuery{Page: sarhad.Page{First: 1}})
		if err != nil {
			t.Fatal(err)
		}
		if after.TotalCount != before.TotalCount+1 || after.Entries[0].Subject != "attack-tester" || after.Entries[0].Outcome != a.code {
			t.Errorf("%s: refused with %d; %d new entries, the last %+v; want one by attack-tester with outcome %s",
				a.name, res.StatusCode, after.TotalCount-before.TotalCount, after.Entries, a.code)
		}
	}
}
