package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServer runs the server with env on a free loopback port and a fresh data directory until the
// test ends, and returns its base URL, its standard output and its log.
func startServer(t *testing.T, env map[string]string) (string, *syncBuffer, *syncBuffer) {
	t.Helper()
	return startServerIn(t, t.TempDir(), env)
}

// startServerIn is startServer on the data directory dir.
func startServerIn(t *testing.T, dir string, env map[string]string) (string, *syncBuffer, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	args := []string{"-addr", "127.0.0.1:0", "-data", dir}
	go func() {
		done <- run(ctx, args, func(k string) string { return env[k] }, stdout, stderr, ready)
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("server exited: %v\n%s", err, stderr.String())
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return "http://" + addr, stdout, stderr
}

// demoServer runs the server in demo mode on a fresh data directory and returns its base URL and
// the printed tokens by account label.
func demoServer(t *testing.T, env map[string]string) (string, map[string]string) {
	t.Helper()
	base, stdout, _ := startServer(t, env)
	tokens := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(stdout.String()))
	label := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasSuffix(line, ":") && !strings.Contains(line, " DEMO"):
			label = strings.TrimSuffix(line, ":")
		case label != "" && strings.Count(line, ".") == 2 && !strings.Contains(line, " "):
			tokens[label] = line
			label = ""
		}
	}
	return base, tokens
}

type gqlResponse struct {
	Data   map[string]any `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (r gqlResponse) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

func send(t *testing.T, method, u, contentType, token, body string) (int, http.Header, gqlResponse) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var r gqlResponse
	if strings.Contains(res.Header.Get("Content-Type"), "json") {
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatalf("%s %s: %v: %s", method, u, err, raw)
		}
	}
	return res.StatusCode, res.Header, r
}

func TestDemoServer(t *testing.T) {
	base, tokens := demoServer(t, map[string]string{"SARHAD_CORS_ORIGINS": "https://app.example.org"})
	for _, label := range []string{"admin", "investigator (FIA AHTC Lahore, victim PII cleared)", "analyst (FIA AHTC Lahore)", "liaison officer (Iran)", "auditor"} {
		if tokens[label] == "" {
			t.Fatalf("demo mode printed no token for %q; got %v", label, tokens)
		}
	}
	inv := tokens["investigator (FIA AHTC Lahore, victim PII cleared)"]
	gql := base + "/graphql"

	t.Run("health and readiness", func(t *testing.T) {
		for _, p := range []string{"/healthz", "/readyz"} {
			if code, _, _ := send(t, http.MethodGet, base+p, "", "", ""); code != http.StatusOK {
				t.Errorf("%s: %d", p, code)
			}
		}
	})

	t.Run("GraphiQL is served from the binary", func(t *testing.T) {
		res, err := http.Get(base + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "graphiql") || strings.Contains(string(body), "https://") {
			t.Errorf("GraphiQL page: %d %s", res.StatusCode, body[:min(200, len(body))])
		}
	})

	t.Run("demo data is loaded and queryable", func(t *testing.T) {
		_, _, r := send(t, http.MethodPost, gql, "application/json", inv,
			`{"query":"{ persons { totalCount } cases { totalCount } countries { alpha3 } me { subject } }"}`)
		if len(r.Errors) > 0 {
			t.Fatalf("errors: %+v", r.Errors)
		}
		if n := r.Data["persons"].(map[string]any)["totalCount"].(float64); n < 100 {
			t.Errorf("investigator sees %v persons of the demo data", n)
		}
		if n := len(r.Data["countries"].([]any)); n != 249 {
			t.Errorf("%d countries", n)
		}
	})

	t.Run("queries over GET, mutations never", func(t *testing.T) {
		q := url.QueryEscape(`{ me { subject } }`)
		code, _, r := send(t, http.MethodGet, gql+"?query="+q, "", inv, "")
		if code != http.StatusOK || r.Data["me"] == nil {
			t.Errorf("GET query: %d %+v", code, r)
		}
		m := url.QueryEscape(`mutation { createPerson(input: {person: {name: "X"}}) { person { id } } }`)
		code, _, r = send(t, http.MethodGet, gql+"?query="+m, "", inv, "")
		if code == http.StatusOK && len(r.Errors) == 0 {
			t.Errorf("mutation ran over GET: %d %+v", code, r)
		}
	})

	tests := []struct {
		name, method, contentType, token, body string
		status                                 int
		code                                   string
	}{
		{"no token", http.MethodPost, "application/json", "", `{"query":"{ me { subject } }"}`, 401, "UNAUTHENTICATED"},
		{"malformed token", http.MethodPost, "application/json", "not.a.jwt", `{"query":"{ me { subject } }"}`, 401, "UNAUTHENTICATED"},
		{"wrongly signed token", http.MethodPost, "application/json", inv[:len(inv)-4] + "AAAA", `{"query":"{ me { subject } }"}`, 401, "UNAUTHENTICATED"},
		{"malformed JSON", http.MethodPost, "application/json", inv, `{"query": "{ me { subject } }", "variables": {"name": "Secret Victim Name"`, 400, "BAD_USER_INPUT"},
		{"batched array", http.MethodPost, "application/json", inv, `[{"query":"{ me { subject } }"}]`, 400, "BAD_USER_INPUT"},
		{"form post", http.MethodPost, "application/x-www-form-urlencoded", inv, `query=%7Bme%7Bsubject%7D%7D`, 415, "BAD_USER_INPUT"},
		{"unknown operation", http.MethodPost, "application/json", inv, `{"query":"query A { me { subject } }","operationName":"B"}`, 422, "GRAPHQL_VALIDATION_FAILED"},
		{"syntax error", http.MethodPost, "application/json", inv, `{"query":"{ me { "}`, 0, "GRAPHQL_PARSE_FAILED"},
		{"unknown field", http.MethodPost, "application/json", inv, `{"query":"{ nope }"}`, 0, "GRAPHQL_VALIDATION_FAILED"},
		{"invalid country code", http.MethodPost, "application/json", inv, `{"query":"{ country(code: \"XYZ1\") { name } }"}`, 200, "BAD_USER_INPUT"},
		{"invalid id", http.MethodPost, "application/json", inv, `{"query":"{ node(id: \"robert'); drop table\") { id } }"}`, 200, "BAD_USER_INPUT"},
		{"huge body", http.MethodPost, "application/json", inv, `{"query":"{ me { subject } }","variables":{"x":"` + strings.Repeat("a", 2<<20) + `"}}`, 413, "BAD_USER_INPUT"},
		{"PUT", http.MethodPut, "application/json", inv, `{"query":"{ me { subject } }"}`, 405, "BAD_USER_INPUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, r := send(t, tt.method, gql, tt.contentType, tt.token, tt.body)
			if status >= 500 {
				t.Fatalf("status %d", status)
			}
			if tt.status != 0 && status != tt.status {
				t.Errorf("status %d, want %d", status, tt.status)
			}
			if len(r.Errors) == 0 {
				t.Fatalf("no GraphQL error (status %d)", status)
			}
			if tt.code != "" && r.code() != tt.code {
				t.Errorf("code %q, want %q (%+v)", r.code(), tt.code, r.Errors)
			}
			if strings.Contains(r.Errors[0].Message, "Secret Victim Name") {
				t.Errorf("the error echoes the request body: %s", r.Errors[0].Message)
			}
			// The server keeps serving.
			if _, _, ok := send(t, http.MethodPost, gql, "application/json", inv, `{"query":"{ me { subject } }"}`); len(ok.Errors) > 0 {
				t.Errorf("server unhealthy after %s: %+v", tt.name, ok.Errors)
			}
		})
	}

	t.Run("CORS allow-list", func(t *testing.T) {
		for origin, allowed := range map[string]bool{"https://app.example.org": true, "https://evil.example": false} {
			req, _ := http.NewRequest(http.MethodOptions, gql, nil)
			req.Header.Set("Origin", origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if got := res.Header.Get("Access-Control-Allow-Origin") == origin; got != allowed {
				t.Errorf("origin %s allowed=%v, want %v", origin, got, allowed)
			}
		}
	})
}

func TestConfigFromEnvironment(t *testing.T) {
	env := map[string]string{"SARHAD_ADDR": ":9999", "SARHAD_JWT_SECRET": "s3cret", "SARHAD_CORS_ORIGINS": "https://a, https://b", "SARHAD_REQUEST_TIMEOUT": "5s"}
	c, err := parseConfig(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9999" || c.Demo() || c.Introspection || c.LogFormat != "json" || len(c.CORSOrigins) != 2 || c.RequestTimeout != 5*time.Second {
		t.Errorf("config: %+v", c)
	}
	c, err = parseConfig([]string{"-addr", ":7000"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil || c.Addr != ":7000" {
		t.Errorf("flag should override environment: %+v %v", c, err)
	}
	env["SARHAD_INTROSPECTION"] = "true"
	if c, _ := parseConfig(nil, func(k string) string { return env[k] }, io.Discard); !c.Introspection {
		t.Errorf("SARHAD_INTROSPECTION=true did not enable introspection")
	}
	jwks := map[string]string{"SARHAD_JWKS": "/etc/sarhad/jwks.json"}
	if _, err := parseConfig(nil, func(k string) string { return jwks[k] }, io.Discard); err == nil {
		t.Errorf("a JWKS without an audience was accepted")
	}
	jwks["SARHAD_JWT_AUDIENCE"] = "sarhad"
	if c, err := parseConfig(nil, func(k string) string { return jwks[k] }, io.Discard); err != nil || c.Demo() {
		t.Errorf("a JWKS-only configuration must not be demo mode: %+v %v", c, err)
	}
	if c, _ := parseConfig(nil, func(string) string { return "" }, io.Discard); !c.Demo() || !c.Introspection || c.DataDir != "./sarhad-data" || c.Addr != ":8080" {
		t.Errorf("defaults: %+v", c)
	}
}
