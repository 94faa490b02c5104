package graph_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/auth"
	"github.com/sarhad/sarhad/graph"
	"github.com/sarhad/sarhad/store/sqlite"
	"github.com/vektah/gqlparser/v2/ast"
)

// limitsServer serves the GraphQL handler with opts over an empty embedded store and returns its URL
// and an investigator's token.
func limitsServer(t *testing.T, opts graph.Options) (string, string) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := &sarhad.Service{Store: st, Now: time.Now, Rand: rand.Reader}
	srv := httptest.NewServer(auth.Middleware(auth.NewHS256(secret, "", "", time.Now), graph.NewHandler(svc, st, opts)))
	t.Cleanup(srv.Close)
	tok, err := auth.Mint(secret, investigator, "", time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return srv.URL, tok
}

// postQuery posts a query and returns the HTTP status and the decoded response.
func postQuery(t *testing.T, url, token, query string, vars map[string]any) (int, *response) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var r response
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return res.StatusCode, &r
}

// nest returns levels of relationships and their ends (two fields each) around inner.
func nest(levels int, inner string) string {
	var b strings.Builder
	for range levels {
		b.WriteString("relationships(first: 2) { to { ")
	}
	b.WriteString(inner)
	for range levels {
		b.WriteString(" } }")
	}
	return b.String()
}

func TestLimitsRefuseBeforeExecution(t *testing.T) {
	url, tok := limitsServer(t, graph.Options{})
	repeat := func(s string, n int) string { return strings.Repeat(s, n) }
	aliases := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "a%d: me { subject } ", i)
		}
		return "{ " + b.String() + "}"
	}
	fragments := func(n int) string { // a chain: each fragment spreads the next one
		var b strings.Builder
		b.WriteString("{ me { ...F0 } }\n")
		for i := range n - 1 {
			fmt.Fprintf(&b, "fragment F%d on Viewer { ...F%d }\n", i, i+1)
		}
		fmt.Fprintf(&b, "fragment F%d on Viewer { subject }\n", n-1)
		return b.String()
	}
	// Ten fragments, each spreading the next one ten times: 10^10 selections once inlined.
	var fanOut strings.Builder
	fanOut.WriteString("{ me { ...F0 } }\n")
	for i := range 10 {
		fmt.Fprintf(&fanOut, "fragment F%d on Viewer { %s }\n", i, repeat(fmt.Sprintf("...F%d ", i+1), 10))
	}
	fanOut.WriteString("fragment F10 on Viewer { subject }\n")

	tests := []struct {
		name, query string
		vars        map[string]any
		limit       string // "" when the query must be accepted
	}{
		// depth: 12 levels of fields are allowed, 13 are not; fragments count as inlined
		{"depth 12", `{ node(id: "x") { ... on Person { ` + nest(5, "id") + ` } } }`, nil, ""},
		{"depth 13", `{ node(id: "x") { ... on Person { ` + nest(5, "relationships { id }") + ` } } }`, nil, "depth"},
		{"depth through fragments", `{ node(id: "x") { ...A } } fragment A on Person { relationships { to { ...B } } }
			fragment B on Person { ` + nest(4, "relationships { id }") + ` }`, nil, "depth"},
		{"deep nesting", `{ node(id: "x") { ... on Person { ` + nest(200, "id") + ` } } }`, nil, "depth"},
		// cost: lists count as many items as they may return
		{"a page of cases with their parties' identifiers", `{ cases(first: 50) { nodes { parties { party { ... on Person { identifiers { displayName } } } } } } }`, nil, ""},
		{"cost bomb", `{ cases(first: 500) { nodes { parties { party { ... on Person { relationships(first: 500) { to { ... on Person { relationships(first: 500) { id } } } } } } } } } }`, nil, "complexity"},
		{"cost bomb in variables", `query($n: Int) { persons(first: $n) { nodes { relationships(first: $n) { to { ... on Person { relationships(first: $n) { id } } } } } } }`, map[string]any{"n": 500}, "complexity"},
		{"same query, small pages", `query($n: Int) { persons(first: $n) { nodes { relationships(first: $n) { to { ... on Person { relationships(first: $n) { id } } } } } } }`, map[string]any{"n": 5}, ""},
		{"many ids", `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Person { relationships(first: 500) { id type } } } }`, map[string]any{"ids": strings.Split(strings.Repeat("x,", 499)+"x", ",")}, "complexity"},
		// aliases, directives, fragments, repeats, tokens
		{"30 aliases", aliases(30), nil, ""},
		{"31 aliases", aliases(31), nil, "aliases"},
		{"1000 aliases", aliases(1000), nil, "aliases"},
		{"50 directives", `{ me { subject ` + repeat("@include(if: true) ", 50) + `} }`, nil, ""},
		{"51 directives", `{ me { subject ` + repeat("@include(if: true) ", 51) + `} }`, nil, "directives"},
		{"directives on fragments and variables", `query($v: Boolean @deprecated) { me { ...F @skip(if: false) } } fragment F on Viewer { subject ` + repeat("@skip(if: $v) ", 50) + `}`, map[string]any{"v": false}, "directives"},
		{"10,000 directives", `{ me { subject ` + repeat("@include(if: true) ", 10000) + `} }`, nil, "tokens"},
		{"100 fragments", fragments(100), nil, ""},
		{"101 fragments", fragments(101), nil, "fragments"},
		{"20 repeats", `{ me { ` + repeat("subject ", 20) + `} }`, nil, ""},
		{"21 repeats", `{ me { ` + repeat("subject ", 21) + `} }`, nil, "repeats"},
		{"repeats through inline fragments", `{ me { ` + repeat("... on Viewer { subject } ", 21) + `} }`, nil, "repeats"},
		{"repeats of nested fields multiply", `{ ` + repeat(`me { ...M } `, 5) + `} fragment M on Viewer { subject subject subject subject subject }`, nil, "repeats"},
		{"repeats in an unused fragment", `{ me { subject } } fragment F on Viewer { ` + repeat("subject ", 5000) + `}`, nil, "repeats"},
		{"14,000 repeated fields", `{ me { ` + repeat("subject ", 14000) + `} }`, nil, "repeats"},
		{"50,000 repeated fields", `{ me { ` + repeat("subject ", 50000) + `} }`, nil, "tokens"},
		{"fragment fan-out", fanOut.String(), nil, "repeats"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, r := postQuery(t, url, tok, tt.query, tt.vars)
			if tt.limit == "" {
				if r.code() == sarhad.ECOMPLEXITY {
					t.Fatalf("refused: %+v", r.Errors)
				}
				return
			}
			if status != http.StatusUnprocessableEntity || r.code() != sarhad.ECOMPLEXITY || r.Errors[0].Extensions["limit"] != tt.limit {
				t.Fatalf("status %d, errors %+v; want 422, %s, limit %q", status, r.Errors, sarhad.ECOMPLEXITY, tt.limit)
			}
			if len(r.Data) > 0 && string(r.Data) != "null" {
				t.Errorf("data of a refused request: %s", r.Data)
			}
		})
	}
}

func TestLimitsAreConfigurable(t *testing.T) {
	url, tok := limitsServer(t, graph.Options{Limits: graph.Limits{MaxDepth: 3, MaxComplexity: 100, MaxAliases: 1,
		MaxDirectives: 1, MaxTokens: 30, MaxRepeats: 1, MaxFragments: 1}})
	for _, tt := range []struct{ query, limit string }{
		{`{ me { ` + strings.Repeat("subject ", 40) + `} }`, "tokens"},
		{`{ node(id: "x") { ... on Person { relationships { to { id } } } } }`, "depth"},
		{`{ persons(first: 100) { totalCount } }`, "complexity"},
		{`{ a: me { subject } b: me { subject } }`, "aliases"},
		{`{ me { subject @skip(if: false) name @skip(if: false) } }`, "directives"},
		{`{ me { subject subject } }`, "repeats"},
		{`{ me { ...A } } fragment A on Viewer { ...B } fragment B on Viewer { subject }`, "fragments"},
	} {
		if _, r := postQuery(t, url, tok, tt.query, nil); r.code() != sarhad.ECOMPLEXITY || r.Errors[0].Extensions["limit"] != tt.limit {
			t.Errorf("%s: %+v; want limit %q", tt.query, r.Errors, tt.limit)
		}
	}
	if _, r := postQuery(t, url, tok, `{ me { subject } }`, nil); len(r.Errors) > 0 {
		t.Errorf("a small query: %+v", r.Errors)
	}

	// With repeats allowed, fragments that fan out are stopped by the size of the query they inline to.
	url, tok = limitsServer(t, graph.Options{Limits: graph.Limits{MaxRepeats: 1 << 30}})
	var fanOut strings.Builder
	fanOut.WriteString("{ me { ...F0 } }\n")
	for i := range 10 {
		fmt.Fprintf(&fanOut, "fragment F%d on Viewer { %s }\n", i, strings.Repeat(fmt.Sprintf("...F%d ", i+1), 10))
	}
	fanOut.WriteString("fragment F10 on Viewer { subject }\n")
	if _, r := postQuery(t, url, tok, fanOut.String(), nil); r.code() != sarhad.ECOMPLEXITY || r.Errors[0].Extensions["limit"] != "tokens" {
		t.Errorf("fragment fan-out: %+v", r.Errors)
	}
}

// TestReadmeQueriesAreWithinLimits runs every GraphQL example of the README: none may be refused.
func TestReadmeQueriesAreWithinLimits(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	if len(blocks) < 5 {
		t.Fatalf("only %d GraphQL examples in the README", len(blocks))
	}
	url, tok := limitsServer(t, graph.Options{})
	for _, b := range blocks {
		if _, r := postQuery(t, url, tok, b[1], nil); r.code() == sarhad.ECOMPLEXITY {
			t.Errorf("README example refused: %+v\n%s", r.Errors, b[1])
		}
	}
}

// introspectionQuery is the query GraphiQL sends on start-up (graphql-js getIntrospectionQuery with
// descriptions, nine levels of ofType).
const introspectionQuery = `query IntrospectionQuery {
  __schema {
    description
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description isRepeatable locations args(includeDeprecated: true) { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description specifiedByURL
  fields(includeDeprecated: true) { name description args(includeDeprecated: true) { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue isDeprecated deprecationReason }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } } }`

func TestIntrospectionAndSuggestions(t *testing.T) {
	dev, devTok := limitsServer(t, graph.Options{Introspection: true})
	prod, prodTok := limitsServer(t, graph.Options{})

	t.Run("GraphiQL's introspection query in development", func(t *testing.T) {
		status, r := postQuery(t, dev, devTok, introspectionQuery, nil)
		if status != http.StatusOK || len(r.Errors) > 0 || !strings.Contains(string(r.Data), `"Person"`) {
			t.Fatalf("status %d, errors %+v", status, r.Errors)
		}
	})
	t.Run("introspection refused in production", func(t *testing.T) {
		for _, q := range []string{introspectionQuery, `{ __type(name: "Person") { name } }`,
			`{ me { subject } ...Q } fragment Q on Query { __schema { queryType { name } } }`} {
			status, r := postQuery(t, prod, prodTok, q, nil)
			if status != http.StatusUnprocessableEntity || r.code() != sarhad.EFORBIDDEN || strings.Contains(string(r.Data), "Person") {
				t.Errorf("status %d, %+v, data %s", status, r.Errors, r.Data)
			}
		}
		if _, r := postQuery(t, prod, prodTok, `{ __typename me { __typename subject } }`, nil); len(r.Errors) > 0 {
			t.Errorf("__typename: %+v", r.Errors)
		}
	})
	// Typos in a field, an argument, an enum value, an input field and a type name.
	typos := []string{
		`{ me { subjet } }`,
		`{ persons(frist: 1) { totalCount } }`,
		`{ cases(filter: {stages: [CONVICTD]}) { totalCount } }`,
		`{ cases(filter: {stage: [CONVICTED]}) { totalCount } }`,
		`query($f: CaseFiltr) { cases(filter: $f) { totalCount } }`,
		`{ me }`,
	}
	t.Run("suggestions in development", func(t *testing.T) {
		for _, q := range typos[:3] {
			if _, r := postQuery(t, dev, devTok, q, nil); len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, "Did you mean") {
				t.Errorf("%s: %+v", q, r.Errors)
			}
		}
	})
	t.Run("no suggestions in production", func(t *testing.T) {
		for _, q := range typos {
			_, r := postQuery(t, prod, prodTok, q, nil)
			if r.code() != "GRAPHQL_VALIDATION_FAILED" {
				t.Errorf("%s: %+v", q, r.Errors)
			}
			for _, e := range r.Errors {
				if strings.Contains(e.Message, "Did you mean") || strings.Contains(e.Message, "subject") {
					t.Errorf("%s: the error suggests: %s", q, e.Message)
				}
			}
		}
	})
}

// TestComplexityCoversEveryList checks that every field returning a list of objects, and every
// page, has a cost that grows with its length — a new list field without one fails here.
func TestComplexityCoversEveryList(t *testing.T) {
	es := graph.NewExecutableSchema(graph.Config{Complexity: graph.Complexity()})
	schema := es.Schema()
	const child = 10
	n := 0
	for _, def := range schema.Types {
		// The edges and nodes of a page are costed by the field that returns the page.
		if def.Kind != ast.Object || strings.HasPrefix(def.Name, "__") || def.Name == "Mutation" ||
			strings.HasSuffix(def.Name, "Connection") {
			continue
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			target := schema.Types[f.Type.Name()]
			isList := f.Type.Elem != nil && target.Kind != ast.Scalar && target.Kind != ast.Enum
			isPage := strings.HasSuffix(f.Type.Name(), "Connection")
			if !isList && !isPage {
				continue
			}
			args := map[string]any{}
			for _, a := range f.Arguments {
				if a.Type.NonNull && a.DefaultValue == nil {
					args[a.Name] = dummy(a.Type)
				}
			}
			n++
			cost, ok := es.Complexity(context.Background(), def.Name, f.Name, child, args)
			if !ok || cost < 2*child {
				t.Errorf("%s.%s costs %d (custom: %v) for selections costing %d: not a list cost", def.Name, f.Name, cost, ok, child)
			}
		}
	}
	if n < 50 {
		t.Errorf("only %d list fields found", n)
	}
	// The cost of a page follows `first`, within the page size limits.
	for first, want := range map[int]int{1: 1 + child, 50: 1 + 50*child, 500: 1 + 500*child, 100000: 1 + sarhad.MaxPageSize*child, -3: 1 + child} {
		if got, _ := es.Complexity(context.Background(), "Query", "persons", child, map[string]any{"first": first}); got != want {
			t.Errorf("persons(first: %d): %d, want %d", first, got, want)
		}
	}
	if got, _ := es.Complexity(context.Background(), "Query", "persons", child, map[string]any{}); got != 1+sarhad.DefaultPageSize*child {
		t.Errorf("persons without first: %d", got)
	}
}

// dummy is a value of type t for a required argument.
func dummy(t *ast.Type) any {
	if t.Elem != nil {
		return []any{dummy(t.Elem), dummy(t.Elem), dummy(t.Elem)}
	}
	switch t.Name() {
	case "Int":
		return 3
	case "Boolean":
		return true
	}
	return "x"
}

// TestCostOfAPage pins the cost the README gives as an example.
func TestCostOfAPage(t *testing.T) {
	const query = `{ cases(first: 50) { nodes { parties { party { ... on Person { identifiers { displayName } } } } } } }`
	for limit, refused := range map[int]bool{6100: true, 6101: false} {
		url, tok := limitsServer(t, graph.Options{Limits: graph.Limits{MaxComplexity: limit}})
		if _, r := postQuery(t, url, tok, query, nil); (r.code() == sarhad.ECOMPLEXITY) != refused {
			t.Errorf("limit %d: %+v", limit, r.Errors)
		}
	}
}
