package graphiql_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/sarhad/sarhad/server/graphiql"
)

// newServer mounts the handler at "/" next to a fake /query endpoint, as
// the real server does.
func newServer(t *testing.T, title, endpoint string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/", graphiql.Handler(title, endpoint))
	mux.HandleFunc("/query", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"data":{}}`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// do sends a request without transparent gzip decoding, so the tests see
// exactly what the handler wrote.
func do(t *testing.T, method, rawURL string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "identity")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

var (
	absURLRe = regexp.MustCompile(`(?i)https?://[^\s"'<>)]+`)
	refRe    = regexp.MustCompile(`(?i)<(script|link)\b[^>]*?\b(src|href)="([^"]*)"`)
	scriptRe = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
)

// assetRefs returns the src/href URLs of the page's <script> and <link>
// tags, resolved against pageURL, with the tag name.
func assetRefs(t *testing.T, pageURL string, html []byte) map[string]string {
	t.Helper()
	base, err := url.Parse(pageURL)
	if err != nil {
		t.Fatal(err)
	}
	refs := map[string]string{}
	for _, m := range refRe.FindAllStringSubmatch(string(html), -1) {
		ref := strings.ReplaceAll(m[3], "&amp;", "&")
		if strings.HasPrefix(ref, "data:") {
			continue // the empty favicon
		}
		u, err := base.Parse(ref)
		if err != nil {
			t.Fatalf("bad URL %q in page: %v", ref, err)
		}
		refs[u.String()] = strings.ToLower(m[1])
	}
	return refs
}

func TestPage(t *testing.T) {
	srv := newServer(t, "Sarhad API", "/query")
	host := strings.TrimPrefix(srv.URL, "http://")

	resp, body := do(t, http.MethodGet, srv.URL+"/", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /: status %d, want 200", resp.StatusCode)
	}

	headers := []struct {
		name, want string
		contains   bool
	}{
		{"Content-Type", "text/html; charset=utf-8", false},
		{"X-Content-Type-Options", "nosniff", false},
		{"Cache-Control", "no-cache", false},
		{"Content-Security-Policy", "script-src 'self';", true},
		{"Content-Security-Policy", "default-src 'none'", true},
		{"Content-Security-Policy", "connect-src 'self';", true},
	}
	for _, h := range headers {
		got := resp.Header.Get(h.name)
		if h.contains && !strings.Contains(got, h.want) || !h.contains && got != h.want {
			t.Errorf("%s = %q, want %q", h.name, got, h.want)
		}
	}

	page := string(body)
	contents := []struct{ name, want string }{
		{"title", "<title>Sarhad API</title>"},
		{"endpoint", `data-endpoint="/query"`},
		{"mount point", `<div id="graphiql"`},
		{"graphiql script", "graphiql/graphiql.min.js"},
		{"bootstrap script", "graphiql/init.js"},
		{"graphiql css", "graphiql/graphiql.min.css"},
	}
	for _, c := range contents {
		if !strings.Contains(page, c.want) {
			t.Errorf("page lacks %s %q", c.name, c.want)
		}
	}

	// Only local assets: no absolute URL to another host.
	for _, u := range absURLRe.FindAllString(page, -1) {
		pu, err := url.Parse(u)
		if err != nil || pu.Host != host {
			t.Errorf("page references a URL on another host: %s", u)
		}
	}
	if strings.Contains(page, `src="//`) || strings.Contains(page, `href="//`) {
		t.Errorf("page has a scheme-relative (other host) URL")
	}
	// No inline script, so the CSP can stay script-src 'self'.
	for _, m := range scriptRe.FindAllStringSubmatch(page, -1) {
		if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
			t.Errorf("page has an inline script: %s", m[0])
		}
	}
	if n := len(assetRefs(t, srv.URL+"/", body)); n < 5 {
		t.Errorf("page references %d assets, want at least 5 (css + react, react-dom, graphiql, init)", n)
	}
}

func TestReferencedAssets(t *testing.T) {
	srv := newServer(t, "Sarhad", "/query")
	_, page := do(t, http.MethodGet, srv.URL+"/", nil)
	refs := assetRefs(t, srv.URL+"/", page)

	wantType := map[string]string{
		"script": "text/javascript; charset=utf-8",
		"link":   "text/css; charset=utf-8",
	}
	for ref, tag := range refs {
		t.Run(path.Base(ref), func(t *testing.T) {
			u, _ := url.Parse(ref)
			if !strings.HasPrefix(u.Path, "/graphiql/") {
				t.Errorf("asset %s not under /graphiql/", ref)
			}
			resp, body := do(t, http.MethodGet, ref, nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", resp.StatusCode)
			}
			if got := resp.Header.Get("Content-Type"); got != wantType[tag] {
				t.Errorf("Content-Type = %q, want %q", got, wantType[tag])
			}
			if len(body) == 0 {
				t.Errorf("empty body")
			}
			// Linked with ?v=<hash>, so cacheable for good.
			if got := resp.Header.Get("Cache-Control"); !strings.Contains(got, "immutable") {
				t.Errorf("Cache-Control = %q, want immutable", got)
			}
			if resp.Header.Get("ETag") == "" {
				t.Errorf("no ETag")
			}
			// The served bytes are exactly the committed file.
			onDisk, err := os.ReadFile("assets/" + path.Base(u.Path))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(body, onDisk) {
				t.Errorf("body (%d bytes) differs from assets/%s (%d bytes)", len(body), path.Base(u.Path), len(onDisk))
			}
		})
	}
}

func TestAssetsByPlainPath(t *testing.T) {
	srv := newServer(t, "Sarhad", "/query")
	tests := []struct {
		path, contentType string
	}{
		{"/graphiql/graphiql.min.js", "text/javascript; charset=utf-8"},
		{"/graphiql/graphiql.min.css", "text/css; charset=utf-8"},
		{"/graphiql/react.production.min.js", "text/javascript; charset=utf-8"},
		{"/graphiql/react-dom.production.min.js", "text/javascript; charset=utf-8"},
		{"/graphiql/init.js", "text/javascript; charset=utf-8"},
		{"/graphiql/init.css", "text/css; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := do(t, http.MethodGet, srv.URL+tt.path, nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", resp.StatusCode)
			}
			if got := resp.Header.Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type = %q, want %q", got, tt.contentType)
			}
			if len(body) == 0 {
				t.Errorf("empty body")
			}
			// Without the version query the URL may change content
			// on upgrade, so it must be revalidated.
			if got := resp.Header.Get("Cache-Control"); got != "no-cache" {
				t.Errorf("Cache-Control = %q, want no-cache", got)
			}

			etag := resp.Header.Get("ETag")
			resp, body = do(t, http.MethodGet, srv.URL+tt.path, map[string]string{"If-None-Match": etag})
			if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
				t.Errorf("If-None-Match: status %d, %d bytes; want 304, empty", resp.StatusCode, len(body))
			}
		})
	}
}

func TestGzip(t *testing.T) {
	srv := newServer(t, "Sarhad", "/query")
	_, plain := do(t, http.MethodGet, srv.URL+"/graphiql/graphiql.min.js", nil)
	resp, body := do(t, http.MethodGet, srv.URL+"/graphiql/graphiql.min.js",
		map[string]string{"Accept-Encoding": "br, gzip;q=0.8"})
	if got := resp.Header.Get("Content-Encoding"); got != "gzip" {
		t.Fatalf("Content-Encoding = %q, want gzip", got)
	}
	if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
		t.Errorf("Vary = %q, want Accept-Encoding", resp.Header.Get("Vary"))
	}
	if len(body) >= len(plain) {
		t.Errorf("gzip body %d bytes, not smaller than %d", len(body), len(plain))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(unzipped, plain) {
		t.Errorf("gunzipped body differs from the plain one")
	}

	resp, _ = do(t, http.MethodGet, srv.URL+"/graphiql/graphiql.min.js",
		map[string]string{"Accept-Encoding": "gzip;q=0"})
	if got := resp.Header.Get("Content-Encoding"); got != "" {
		t.Errorf("gzip;q=0: Content-Encoding = %q, want none", got)
	}
}

func TestNotFound(t *testing.T) {
	srv := newServer(t, "Sarhad", "/query")
	paths := []string{
		"/graphiql/unknown.js",
		"/graphiql/graphiql.js",
		"/graphiql/graphiql.min.js.map",
		"/graphiql/",
		"/graphiql",
		"/graphiql/VERSIONS.md",
		"/graphiql/update.sh",
		"/graphiql/LICENSE.react",
		"/graphiql/assets/init.js",
		"/graphiql/%2e%2e/graphiql.go",
		"/favicon.ico",
		"/index.html",
		"/graphiql.min.js",
	}
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			for _, method := range []string{http.MethodGet, http.MethodPost} {
				resp, _ := do(t, method, srv.URL+p, nil)
				if resp.StatusCode != http.StatusNotFound {
					t.Errorf("%s %s: status %d, want 404", method, p, resp.StatusCode)
				}
			}
		})
	}
}

func TestMethods(t *testing.T) {
	srv := newServer(t, "Sarhad", "/query")
	tests := []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/", http.StatusOK},
		{http.MethodHead, "/", http.StatusOK},
		{http.MethodHead, "/graphiql/graphiql.min.js", http.StatusOK},
		{http.MethodPost, "/", http.StatusMethodNotAllowed},
		{http.MethodPut, "/", http.StatusMethodNotAllowed},
		{http.MethodDelete, "/", http.StatusMethodNotAllowed},
		{http.MethodPatch, "/", http.StatusMethodNotAllowed},
		{http.MethodOptions, "/", http.StatusMethodNotAllowed},
		{http.MethodPost, "/graphiql/graphiql.min.js", http.StatusMethodNotAllowed},
		{http.MethodPost, "/query", http.StatusOK}, // the API is not shadowed
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			resp, body := do(t, tt.method, srv.URL+tt.path, nil)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			switch {
			case tt.status == http.StatusMethodNotAllowed:
				if got := resp.Header.Get("Allow"); got != "GET, HEAD" {
					t.Errorf("Allow = %q, want %q", got, "GET, HEAD")
				}
			case tt.method == http.MethodHead:
				if len(body) != 0 {
					t.Errorf("HEAD returned a body of %d bytes", len(body))
				}
				if resp.ContentLength <= 0 {
					t.Errorf("HEAD Content-Length = %d, want > 0", resp.ContentLength)
				}
			}
		})
	}
}

func TestEscaping(t *testing.T) {
	tests := []struct {
		name, title, endpoint string
		want, notWant         []string
	}{
		{
			name:     "defaults",
			want:     []string{"<title>GraphiQL</title>", `data-endpoint="/query"`},
			notWant:  nil,
			title:    "",
			endpoint: "",
		},
		{
			name:     "html in title and endpoint",
			title:    `</title><script>alert(1)</script>`,
			endpoint: `/q"><script>alert(2)</script>`,
			want:     []string{"&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"},
			notWant:  []string{"<script>alert", `"><script`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, tt.title, tt.endpoint)
			_, body := do(t, http.MethodGet, srv.URL+"/", nil)
			for _, w := range tt.want {
				if !bytes.Contains(body, []byte(w)) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, nw := range tt.notWant {
				if bytes.Contains(body, []byte(nw)) {
					t.Errorf("page contains %q", nw)
				}
			}
		})
	}
}

func TestConnectSrc(t *testing.T) {
	tests := []struct {
		endpoint, want string
	}{
		{"/query", "connect-src 'self';"},
		{"https://api.example.com:8443/graphql", "connect-src 'self' https://api.example.com:8443;"},
		{"http://10.0.0.1/query", "connect-src 'self' http://10.0.0.1;"},
		{"//api.example.com/query", "connect-src 'self' api.example.com;"},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint, func(t *testing.T) {
			rec := httptest.NewRecorder()
			graphiql.Handler("t", tt.endpoint).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
			if got := rec.Header().Get("Content-Security-Policy"); !strings.Contains(got, tt.want) {
				t.Errorf("CSP = %q, want it to contain %q", got, tt.want)
			}
		})
	}
}

// The page uses relative asset URLs, so it also works under a prefix.
func TestMountedUnderPrefix(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/ide/", http.StripPrefix("/ide", graphiql.Handler("Sarhad", "/query")))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, page := do(t, http.MethodGet, srv.URL+"/ide/", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /ide/: status %d", resp.StatusCode)
	}
	for ref := range assetRefs(t, srv.URL+"/ide/", page) {
		if resp, _ := do(t, http.MethodGet, ref, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: status %d, want 200", ref, resp.StatusCode)
		}
	}
}
