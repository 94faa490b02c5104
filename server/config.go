package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sarhad/sarhad/graph"
)

// config is the server's configuration: flags, each with an environment fallback.
type config struct {
	Addr           string
	DataDir        string
	JWTSecret      string
	JWTIssuer      string
	JWTAudience    string
	JWKS           string
	CORSOrigins    []string
	Introspection  bool
	LogFormat      string
	RequestTimeout time.Duration
	Neo4jURI       string
	Neo4jUsername  string
	Neo4jPassword  string
	Neo4jDatabase  string
	Metrics        bool         // serve /metrics
	Limits         graph.Limits // what one GraphQL request may ask for
	MaxBodyBytes   int64        // largest request body
}

// parseConfig reads flags from args, falling back to the environment (getenv) and then defaults.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	c := &config{}
	fs := flag.NewFlagSet("sarhad", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Addr, "addr", env("SARHAD_ADDR", ":8080"), "listen address (SARHAD_ADDR)")
	fs.StringVar(&c.JWTSecret, "jwt-secret", env("SARHAD_JWT_SECRET", ""), "HS256 secret of bearer tokens; empty: demo mode (SARHAD_JWT_SECRET)")
	fs.StringVar(&c.JWTIssuer, "jwt-issuer", env("SARHAD_JWT_ISSUER", ""), "required token issuer, if set (SARHAD_JWT_ISSUER)")
	fs.StringVar(&c.JWTAudience, "jwt-audience", env("SARHAD_JWT_AUDIENCE", ""), "required token audience; required with a JWKS (SARHAD_JWT_AUDIENCE)")
	fs.StringVar(&c.JWKS, "jwks", env("SARHAD_JWKS", ""), "JWKS file or URL of an identity provider, for RS256/ES256 tokens (SARHAD_JWKS)")
	origins := fs.String("cors-origins", env("SARHAD_CORS_ORIGINS", ""), "comma-separated origins allowed by CORS (SARHAD_CORS_ORIGINS)")
	metricsOn := fs.String("metrics", env("SARHAD_METRICS", "true"), "serve Prometheus metrics at /metrics (SARHAD_METRICS)")
	introspection := fs.String("introspection", env("SARHAD_INTROSPECTION", ""), "true to allow schema introspection; on by default in demo mode (SARHAD_INTROSPECTION)")
	fs.StringVar(&c.LogFormat, "log-format", env("SARHAD_LOG_FORMAT", ""), "json or text; json unless in demo mode (SARHAD_LOG_FORMAT)")
	timeout := fs.String("request-timeout", env("SARHAD_REQUEST_TIMEOUT", "30s"), "deadline of one request (SARHAD_REQUEST_TIMEOUT)")
	storeFlags(fs, c, getenv)
	def := graph.DefaultLimits()
	sizes := []struct {
		flag, env, usage string
		def              int64
		set              func(int64)
	}{
		{"max-depth", "SARHAD_MAX_DEPTH", "deepest nesting of fields", int64(def.MaxDepth), func(n int64) { c.Limits.MaxDepth = int(n) }},
		{"max-complexity", "SARHAD_MAX_COMPLEXITY", "highest cost of an operation (lists count as many items as first asks for)", int64(def.MaxComplexity), func(n int64) { c.Limits.MaxComplexity = int(n) }},
		{"max-aliases", "SARHAD_MAX_ALIASES", "most aliases in a query", int64(def.MaxAliases), func(n int64) { c.Limits.MaxAliases = int(n) }},
		{"max-directives", "SARHAD_MAX_DIRECTIVES", "most directives in a query", int64(def.MaxDirectives), func(n int64) { c.Limits.MaxDirectives = int(n) }},
		{"max-tokens", "SARHAD_MAX_TOKENS", "most lexical tokens in a query", int64(def.MaxTokens), func(n int64) { c.Limits.MaxTokens = int(n) }},
		{"max-repeats", "SARHAD_MAX_REPEATS", "most selections of one field at one place of a query", int64(def.MaxRepeats), func(n int64) { c.Limits.MaxRepeats = int(n) }},
		{"max-fragments", "SARHAD_MAX_FRAGMENTS", "most fragment definitions in a query", int64(def.MaxFragments), func(n int64) { c.Limits.MaxFragments = int(n) }},
		{"max-body-bytes", "SARHAD_MAX_BODY_BYTES", "largest request body, in bytes", 1 << 20, func(n int64) { c.MaxBodyBytes = n }},
	}
	values := make([]*string, len(sizes))
	for i, s := range sizes {
		values[i] = fs.String(s.flag, env(s.env, strconv.FormatInt(s.def, 10)), s.usage+" ("+s.env+")")
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	for i, s := range sizes {
		n, err := strconv.ParseInt(*values[i], 10, 32)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%s: %q is not a positive integer", s.env, *values[i])
		}
		s.set(n)
	}
	for _, o := range strings.Split(*origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.CORSOrigins = append(c.CORSOrigins, o)
		}
	}
	if c.JWKS != "" && c.JWTAudience == "" {
		// Without an audience, tokens the identity provider issued for any other client would do.
		return nil, fmt.Errorf("SARHAD_JWKS is set: set SARHAD_JWT_AUDIENCE to the audience of Sarhad's tokens too")
	}
	on, err := strconv.ParseBool(*metricsOn)
	if err != nil {
		return nil, fmt.Errorf("SARHAD_METRICS: %q is not true or false", *metricsOn)
	}
	c.Metrics = on
	c.Introspection = c.Demo()
	if *introspection != "" {
		b, err := strconv.ParseBool(*introspection)
		if err != nil {
			return nil, fmt.Errorf("SARHAD_INTROSPECTION: %q is not true or false", *introspection)
		}
		c.Introspection = b
	}
	if c.LogFormat == "" {
		c.LogFormat = "json"
		if c.Demo() {
			c.LogFormat = "text"
		}
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		return nil, fmt.Errorf("SARHAD_LOG_FORMAT: %q is not json or text", c.LogFormat)
	}
	d, err := time.ParseDuration(*timeout)
	if err != nil || d <= 0 {
		return nil, fmt.Errorf("SARHAD_REQUEST_TIMEOUT: %q is not a positive duration", *timeout)
	}
	c.RequestTimeout = d
	return c, nil
}

// storeFlags adds the flags that choose and reach the store, shared by the server and its commands.
func storeFlags(fs *flag.FlagSet, c *config, getenv func(string) string) {
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&c.DataDir, "data", env("SARHAD_DATA", "./sarhad-data"), "directory of the embedded store (SARHAD_DATA)")
	fs.StringVar(&c.Neo4jURI, "neo4j-uri", env("NEO4J_URI", ""), "Neo4j URI (neo4j://, neo4j+s://, bolt://); empty: embedded store (NEO4J_URI)")
	fs.StringVar(&c.Neo4jUsername, "neo4j-username", env("NEO4J_USERNAME", ""), "Neo4j user (NEO4J_USERNAME)")
	fs.StringVar(&c.Neo4jDatabase, "neo4j-database", env("NEO4J_DATABASE", ""), "Neo4j database; default neo4j (NEO4J_DATABASE)")
	// The password has no flag: command lines are visible to every user of the machine.
	c.Neo4jPassword = getenv("NEO4J_PASSWORD")
}

// Demo reports whether the server runs in demo mode: no token secret and no JWKS configured.
func (c *config) Demo() bool { return c.JWTSecret == "" && c.JWKS == "" }
