package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
	neo4jstore "github.com/sarhad/sarhad/store/neo4j"
	"github.com/sarhad/sarhad/store/neo4j/neo4jtest"
)

// Bounds of the outage test. None of them is a timing assertion on the server: the client timeout
// only turns a hang into a failure instead of a blocked test binary.
const (
	// The request deadline; roomy enough for the first statements of a cold Neo4j (a new JVM plans
	// and compiles every query afresh, seconds each on a small machine with the race detector on).
	outageRequestTimeout = 10 * time.Second
	// A request that fails on its deadline still writes its audit entry, within 5 more seconds
	// (graph.auditWriteTimeout): the client waits well above the sum.
	outageClientTimeout = 45 * time.Second
	outageStoreTimeout  = 3 * time.Second  // the deadline of direct store calls during the outage
	outageRecoveryWait  = 60 * time.Second // how long Neo4j may take to answer again after Start
)

// faultClient gives up on a request after outageClientTimeout, so that a hanging server fails the
// test rather than blocking it.
var faultClient = &http.Client{Timeout: outageClientTimeout}

// gqlPost sends one GraphQL request and returns the HTTP status and the decoded response, or the
// transport error (a timeout when the server hangs).
func gqlPost(base, token, query string, vars map[string]any) (int, gqlResponse, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return 0, gqlResponse{}, err
	}
	req, err := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(string(body)))
	if err != nil {
		return 0, gqlResponse{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := faultClient.Do(req)
	if err != nil {
		return 0, gqlResponse{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, gqlResponse{}, err
	}
	var r gqlResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		return res.StatusCode, r, fmt.Errorf("%w: %s", err, raw)
	}
	return res.StatusCode, r, nil
}

// probe returns the status of GET base+path and its JSON body's "status".
func probe(base, path string) (int, string, error) {
	res, err := faultClient.Get(base + path)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	var body struct {
		Status string `json:"status"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return res.StatusCode, "", err
	}
	return res.StatusCode, body.Status, nil
}

// neo4jServer runs the server with env until the test ends and returns its base URL and its log.
func neo4jServer(t *testing.T, env map[string]string) (string, *syncBuffer) {
	t.Helper()
	base, _, logs := startServer(t, env)
	return base, logs
}

// warmUp runs the store's statements that the requests of the outage test use, so that a cold
// Neo4j's query planning does not eat the request deadline. Its records are throwaway ones.
func warmUp(t *testing.T, st *neo4jstore.Store) {
	t.Helper()
	start := time.Now()
	p := &sarhad.Person{Meta: sarhad.Meta{ID: sarhad.StableID(sarhad.KindPerson, "warm up"), Kind: sarhad.KindPerson,
		CreatedAt: start, CreatedBy: "warm-up", UpdatedAt: start, UpdatedBy: "warm-up",
		Handling: sarhad.Handling{OriginatorOrg: "FIA", OriginatorCountry: "PAK", TLP: sarhad.TLPAmber}},
		Name: "Warm Up", Gender: sarhad.GenderUnknown}
	ctx, cancel := context.WithTimeout(sarhad.NewContext(context.Background(), sarhad.SystemViewer()), outageRecoveryWait)
	defer cancel()
	if _, err := st.Apply(ctx, &sarhad.ChangeSet{Put: []sarhad.Entity{p}}); err != nil {
		t.Fatalf("warm-up Apply: %v", err)
	}
	if _, err := st.Entities(ctx, []string{p.ID}); err != nil {
		t.Fatalf("warm-up Entities: %v", err)
	}
	if err := st.AppendAudit(ctx, &sarhad.AuditEntry{ID: "aud_warm_up_" + strconv.FormatInt(start.UnixNano(), 10),
		Time: start, Subject: "warm-up", OperationType: "query", Outcome: sarhad.AuditOK}); err != nil {
		t.Fatalf("warm-up AppendAudit: %v", err)
	}
	t.Logf("warm-up: %s", time.Since(start).Round(time.Millisecond))
}

// needLauncher skips the test when tools/neo4j cannot run here, except in CI, where it fails.
func needLauncher(t *testing.T) {
	t.Helper()
	if neo4jtest.CanLaunch() {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true but tools/neo4j cannot run here: install Java 17 and Maven")
	}
	t.Skip(neo4jtest.SkipMessage)
}

const (
	outageCreate = `mutation($name: String!) {
		createPerson(input: {person: {name: $name, nationalities: ["PK"]}, handling: {tlp: AMBER}}) {
			person { id name } } }`
	outageRead = `query($id: ID!) { node(id: $id) { id ... on Person { name } } }`
)

// TestNeo4jOutageAndRestart stops the Neo4j under a running server and starts it again, with the real
// launcher (tools/neo4j) on a Neo4j of its own — its own data directory and port, not the shared
// one of the other tests, which must not go away under them. It checks that
//
//   - during the outage, queries and mutations complete (no hang) with extensions.code = UNAVAILABLE,
//     /readyz answers 503 and /healthz 200;
//   - every store method maps the outage to UNAVAILABLE, within the caller's deadline, and even
//     without one the driver's own bounds end the call (no hang);
//   - when Neo4j is back the server recovers by itself: /readyz turns 200 and queries succeed;
//   - no acknowledged write is lost across the restart: the record created before the stop is there.
func TestNeo4jOutageAndRestart(t *testing.T) {
	needLauncher(t)
	l, err := neo4jtest.Launch(0)
	if err != nil {
		t.Fatalf("launching a dedicated Neo4j: %v", err)
	}
	// Registered before the server's cleanup, so it runs after the server has shut down.
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("closing the dedicated Neo4j: %v", err)
		}
	})
	uri := l.URI
	base, logs := neo4jServer(t, map[string]string{
		"NEO4J_URI":              uri,
		"SARHAD_JWT_SECRET":      attackSecret, // production mode: no demo data
		"SARHAD_REQUEST_TIMEOUT": outageRequestTimeout.String(),
	})
	tok := mintToken(t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	// The same database through the store directly, to check each method's error mapping (over HTTP
	// the audit trail refuses a request first when it cannot be written, which hides the store's own
	// error behind the audit's UNAVAILABLE).
	st, err := neo4jstore.Open(t.Context(), neo4jstore.Config{URI: uri})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	system := sarhad.NewContext(context.Background(), sarhad.SystemViewer())
	warmUp(t, st)

	// An acknowledged write before the outage.
	status, r, err := gqlPost(base, tok, outageCreate, map[string]any{"name": "Outage Witness"})
	if err != nil || status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("createPerson before the outage: %d %+v %v", status, r, err)
	}
	person := r.Data["createPerson"].(map[string]any)["person"].(map[string]any)
	id := person["id"].(string)
	if status, r, err := gqlPost(base, tok, outageRead, map[string]any{"id": id}); err != nil || len(r.Errors) > 0 || r.Data["node"] == nil {
		t.Fatalf("reading the record before the outage: %d %+v %v", status, r, err)
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		if code, _, err := probe(base, p); err != nil || code != http.StatusOK {
			t.Fatalf("%s before the outage: %d %v", p, code, err)
		}
	}

	if err := l.Stop(); err != nil {
		t.Fatalf("stopping Neo4j: %v", err)
	}
	t.Log("Neo4j stopped")

	// A store call without any deadline of its own: only the driver's bounds (connection
	// acquisition, retry time) end it. It runs while the other checks go on.
	type outcome struct {
		err   error
		after time.Duration
	}
	noDeadline := make(chan outcome, 1)
	go func() {
		start := time.Now()
		_, err := st.Entities(system, []string{id})
		noDeadline <- outcome{err, time.Since(start)}
	}()

	t.Run("requests fail with UNAVAILABLE during the outage", func(t *testing.T) {
		cases := []struct {
			name, query string
			vars        map[string]any
		}{
			{"query", outageRead, map[string]any{"id": id}},
			{"mutation", outageCreate, map[string]any{"name": "Written During Outage"}},
		}
		for _, c := range cases {
			start := time.Now()
			status, r, err := gqlPost(base, tok, c.query, c.vars)
			if err != nil {
				t.Fatalf("%s: no answer within %s (the request hangs?): %v", c.name, outageClientTimeout, err)
			}
			t.Logf("%s: %d in %s: %+v", c.name, status, time.Since(start).Round(time.Millisecond), r.Errors)
			if len(r.Errors) == 0 {
				t.Errorf("%s succeeded with Neo4j stopped: %+v", c.name, r.Data)
				continue
			}
			if code := r.code(); code != sarhad.EUNAVAILABLE {
				t.Errorf("%s: extensions.code %q, want UNAVAILABLE (%+v)", c.name, code, r.Errors)
			}
			if status >= 500 && status != http.StatusServiceUnavailable {
				t.Errorf("%s: HTTP %d", c.name, status)
			}
		}
	})

	t.Run("readyz is not ready, healthz alive", func(t *testing.T) {
		code, s, err := probe(base, "/readyz")
		if err != nil || code != http.StatusServiceUnavailable || s != "unavailable" {
			t.Errorf("/readyz during the outage: %d %q %v, want 503 unavailable", code, s, err)
		}
		code, s, err = probe(base, "/healthz")
		if err != nil || code != http.StatusOK || s != "ok" {
			t.Errorf("/healthz during the outage: %d %q %v, want 200 ok", code, s, err)
		}
	})

	t.Run("store methods are UNAVAILABLE within the caller's deadline", func(t *testing.T) {
		p := &sarhad.Person{Meta: sarhad.Meta{ID: sarhad.StableID(sarhad.KindPerson, "outage direct"), Kind: sarhad.KindPerson,
			CreatedAt: time.Now(), CreatedBy: "t", UpdatedAt: time.Now(), UpdatedBy: "t",
			Handling: sarhad.Handling{OriginatorOrg: "FIA", OriginatorCountry: "PAK", TLP: sarhad.TLPAmber}},
			Name: "Direct Outage Write", Gender: sarhad.GenderUnknown}
		calls := []struct {
			name string
			call func(ctx context.Context) error
		}{
			{"Ping", func(ctx context.Context) error { return st.Ping(ctx) }},
			{"Entities", func(ctx context.Context) error { _, err := st.Entities(ctx, []string{id}); return err }},
			{"ListEntities", func(ctx context.Context) error {
				_, err := st.ListEntities(ctx, sarhad.ListQuery{Kind: sarhad.KindPerson, Page: sarhad.Page{First: 5}})
				return err
			}},
			{"RelationshipsByID", func(ctx context.Context) error {
				_, err := st.RelationshipsByID(ctx, []string{sarhad.StableID("", "outage")})
				return err
			}},
			{"Apply", func(ctx context.Context) error {
				_, err := st.Apply(ctx, &sarhad.ChangeSet{Put: []sarhad.Entity{p}})
				return err
			}},
			{"AppendAudit", func(ctx context.Context) error {
				return st.AppendAudit(ctx, &sarhad.AuditEntry{ID: "aud_outage", Time: time.Now(), Subject: "t",
					OperationType: "query", Outcome: sarhad.AuditOK})
			}},
		}
		// All at once, as concurrent requests would call them.
		errs := make([]error, len(calls))
		var wg sync.WaitGroup
		for i, c := range calls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(system, outageStoreTimeout)
				defer cancel()
				errs[i] = c.call(ctx)
			}()
		}
		wg.Wait()
		for i, c := range calls {
			t.Logf("%s: %v", c.name, errs[i])
			if code := sarhad.ErrorCode(errs[i]); code != sarhad.EUNAVAILABLE {
				t.Errorf("%s with Neo4j stopped: %v (code %q), want UNAVAILABLE", c.name, errs[i], code)
			}
		}
	})

	t.Run("without a deadline the driver's bounds end the call", func(t *testing.T) {
		select {
		case o := <-noDeadline:
			t.Logf("Entities without a deadline returned after %s: %v", o.after.Round(time.Millisecond), o.err)
			if code := sarhad.ErrorCode(o.err); code != sarhad.EUNAVAILABLE {
				t.Errorf("Entities without a deadline: %v (code %q), want UNAVAILABLE", o.err, code)
			}
		case <-time.After(outageClientTimeout + outageRecoveryWait):
			t.Fatal("Entities without a deadline did not return with Neo4j stopped: it hangs")
		}
	})

	if err := l.Start(); err != nil {
		t.Fatalf("starting Neo4j again: %v", err)
	}
	if l.URI != uri {
		t.Fatalf("Neo4j came back at %s, not %s", l.URI, uri)
	}
	t.Log("Neo4j started again")

	// The server recovers by itself: no restart, no reconnect call. Polling an external process,
	// so a short pause between attempts.
	deadline := time.Now().Add(outageRecoveryWait)
	for {
		code, _, err := probe(base, "/readyz")
		if err == nil && code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d (%v) %s after Neo4j came back", code, err, outageRecoveryWait)
		}
		time.Sleep(250 * time.Millisecond)
	}
	if code, _, err := probe(base, "/healthz"); err != nil || code != http.StatusOK {
		t.Errorf("/healthz after the outage: %d %v", code, err)
	}
	// The restarted Neo4j is a new JVM with cold query caches: warm it through the direct store (its
	// own driver and pool, so the server's recovery is still its own).
	warmUp(t, st)

	// No acknowledged write is lost across the restart.
	status, r, err = gqlPost(base, tok, outageRead, map[string]any{"id": id})
	if err != nil || status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("query after recovery: %d %+v %v", status, r, err)
	}
	node, _ := r.Data["node"].(map[string]any)
	if node == nil || node["id"] != id || node["name"] != "Outage Witness" {
		t.Errorf("the record acknowledged before the outage, after the restart: %+v", r.Data)
	}
	// And the server writes again.
	status, r, err = gqlPost(base, tok, outageCreate, map[string]any{"name": "After Outage"})
	if err != nil || status != http.StatusOK || len(r.Errors) > 0 {
		t.Errorf("createPerson after recovery: %d %+v %v", status, r, err)
	}
	// The store used directly recovers too.
	es, err := st.Entities(system, []string{id})
	if err != nil || len(es) != 1 || es[0] == nil {
		t.Errorf("store Entities after recovery: %v %v", es, err)
	}
}
