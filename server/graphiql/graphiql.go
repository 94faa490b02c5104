// Package graphiql serves the GraphiQL IDE entirely from assets embedded in
// the binary, so it works on air-gapped networks: the page loads no script,
// stylesheet or font from a CDN.
//
// The embedded third-party files (GraphiQL's UMD build, React and ReactDOM)
// and how to update them are described in assets/VERSIONS.md. The page's
// bootstrap script is a separate embedded file (assets/init.js), so the
// Content-Security-Policy can be script-src 'self' with no inline script.
package graphiql

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// assetDir is the sub-path, relative to where the handler is mounted, under
// which the embedded assets are served (e.g. /graphiql/graphiql.min.js).
const assetDir = "graphiql/"

//go:embed assets/*.js assets/*.css
var assetFS embed.FS

// Assets in the order the page loads them. Scripts run in order: React,
// then ReactDOM, then GraphiQL (which needs both), then the bootstrap.
var (
	stylesheetNames = []string{"graphiql.min.css", "init.css"}
	scriptNames     = []string{"react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "init.js"}
)

type asset struct {
	contentType string
	body        []byte
	version     string // short content hash, used as ?v= for cache busting
	etag        string

	gzipOnce sync.Once
	gzBody   []byte // nil if gzip does not make it smaller
	gzETag   string
}

var assets = loadAssets()

func loadAssets() map[string]*asset {
	m := make(map[string]*asset)
	for _, name := range append(append([]string{}, stylesheetNames...), scriptNames...) {
		body, err := assetFS.ReadFile("assets/" + name)
		if err != nil {
			panic("graphiql: embedded asset missing: " + name)
		}
		sum := sha256.Sum256(body)
		h := hex.EncodeToString(sum[:])
		m[name] = &asset{
			contentType: contentTypeFor(name),
			body:        body,
			version:     h[:12],
			etag:        `"` + h[:32] + `"`,
		}
	}
	return m
}

func contentTypeFor(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	default:
		return "application/octet-stream"
	}
}

// gzipped returns the gzip-compressed body, compressing it on first use.
func (a *asset) gzipped() ([]byte, string) {
	a.gzipOnce.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if _, err := zw.Write(a.body); err != nil {
			return
		}
		if err := zw.Close(); err != nil {
			return
		}
		if buf.Len() < len(a.body) {
			a.gzBody = buf.Bytes()
			a.gzETag = strings.TrimSuffix(a.etag, `"`) + `-gzip"`
		}
	})
	return a.gzBody, a.gzETag
}

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}}</title>
<link rel="icon" href="data:,">
{{range .Stylesheets}}<link rel="stylesheet" href="{{.}}">
{{end -}}
</head>
<body>
<div id="graphiql" data-endpoint="{{.Endpoint}}">Loading GraphiQL…</div>
<noscript>GraphiQL needs JavaScript.</noscript>
{{range .Scripts}}<script src="{{.}}"></script>
{{end -}}
</body>
</html>
`))

// Handler returns an http.Handler serving the GraphiQL IDE, titled title,
// that sends GraphQL requests (POST, JSON body) to endpoint. An empty title
// defaults to "GraphiQL" and an empty endpoint to "/query".
//
// The handler serves the HTML page at "/" and the embedded assets under
// "/graphiql/" (e.g. /graphiql/graphiql.min.js); any other path is 404 and
// any method but GET and HEAD is 405. It is meant to be mounted at "/":
//
//	mux.Handle("/", graphiql.Handler("Sarhad", "/query"))
//
// The page refers to its assets by relative URLs, so it also works under
// a prefix, e.g. mux.Handle("/ide/", http.StripPrefix("/ide", h)).
//
// The page enables the headers editor, opens it by default with a
// {"Authorization": "Bearer <token>"} placeholder, and persists headers in
// the browser's localStorage.
func Handler(title, endpoint string) http.Handler {
	if title == "" {
		title = "GraphiQL"
	}
	if endpoint == "" {
		endpoint = "/query"
	}
	return &handler{
		page: renderPage(title, endpoint),
		csp:  contentSecurityPolicy(endpoint),
	}
}

func renderPage(title, endpoint string) []byte {
	ref := func(name string) string {
		return assetDir + name + "?v=" + assets[name].version
	}
	data := struct {
		Title, Endpoint      string
		Stylesheets, Scripts []string
	}{Title: title, Endpoint: endpoint}
	for _, n := range stylesheetNames {
		data.Stylesheets = append(data.Stylesheets, ref(n))
	}
	for _, n := range scriptNames {
		data.Scripts = append(data.Scripts, ref(n))
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, data); err != nil {
		panic("graphiql: rendering page: " + err.Error())
	}
	return buf.Bytes()
}

// contentSecurityPolicy allows scripts from the page's own origin only (no
// inline script, no eval). Styles also allow 'unsafe-inline' because
// graphiql.min.js injects <style> elements at run time (with style-src
// 'self' alone Chromium reports style-src-elem violations); fonts come as
// data: URIs from graphiql.min.css. Fetches may go to the
// page's origin and, if endpoint is an absolute URL, to its origin.
func contentSecurityPolicy(endpoint string) string {
	connect := "'self'"
	if u, err := url.Parse(endpoint); err == nil && u.Host != "" &&
		!strings.ContainsAny(u.Host, " \t\r\n;,'\"") {
		switch strings.ToLower(u.Scheme) {
		case "http", "https":
			connect += " " + strings.ToLower(u.Scheme) + "://" + u.Host
		case "":
			connect += " " + u.Host // scheme-relative //host/path
		}
	}
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data:",
		"font-src 'self' data:",
		"connect-src " + connect,
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")
}

type handler struct {
	page []byte
	csp  string
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := "/" + strings.TrimPrefix(r.URL.Path, "/")
	if p == "/" {
		if allowMethod(w, r) {
			h.servePage(w, r)
		}
		return
	}
	name, ok := strings.CutPrefix(p, "/"+assetDir)
	a := assets[name]
	if !ok || a == nil {
		http.NotFound(w, r)
		return
	}
	if allowMethod(w, r) {
		serveAsset(w, r, a)
	}
}

func allowMethod(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
	return false
}

func (h *handler) servePage(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("Content-Security-Policy", h.csp)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(h.page))
}

func serveAsset(w http.ResponseWriter, r *http.Request, a *asset) {
	hd := w.Header()
	hd.Set("Content-Type", a.contentType)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Add("Vary", "Accept-Encoding")
	// The page links each asset with ?v=<content hash>, so such a URL
	// never changes content and can be cached for good; any other URL is
	// revalidated with the ETag.
	if r.URL.Query().Get("v") == a.version {
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "no-cache")
	}
	body, etag := a.body, a.etag
	if acceptsGzip(r) {
		if gz, gzETag := a.gzipped(); gz != nil {
			body, etag = gz, gzETag
			hd.Set("Content-Encoding", "gzip")
		}
	}
	hd.Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reports whether the Accept-Encoding header allows gzip
// (listed, and not with q=0).
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "x-gzip" {
				continue
			}
			for _, param := range strings.Split(params, ";") {
				k, val, _ := strings.Cut(strings.TrimSpace(param), "=")
				if strings.EqualFold(strings.TrimSpace(k), "q") {
					if q, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil && q <= 0 {
						return false
					}
				}
			}
			return true
		}
	}
	return false
}
