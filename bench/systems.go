package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The systems compared.
const (
	SystemSarhadNeo4j  = "sarhad-neo4j"  // Sarhad's server on Neo4j
	SystemSarhadSQLite = "sarhad-sqlite" // Sarhad's server on the embedded store
	SystemCypher       = "cypher"        // hand-written Cypher through the Go driver, in process
	SystemNeo4jGraphQL = "neo4j-graphql" // @neo4j/graphql served by bench/neo4jgraphql
)

// Systems lists every system, in report order.
func Systems() []string {
	return []string{SystemSarhadNeo4j, SystemSarhadSQLite, SystemCypher, SystemNeo4jGraphQL}
}

// system answers the questions of the workload.
type system interface {
	name() string
	supports(q string) bool
	// do runs one request of question q. With answer it returns the logical answer (canonical,
	// "" when the system's responses cannot be reduced to one); an error is anything but a
	// complete, error-free response.
	do(ctx context.Context, q string, p Params, answer bool) (string, error)
	pid() int         // the server process, 0 when in process
	bolt() *BoltProxy // the proxy it reaches Neo4j through, nil when it does not use Neo4j
	close(ctx context.Context) error
}

// graphQLDoc is a GraphQL document and the names of the parameters it takes as variables.
type graphQLDoc struct {
	Query     string   `json:"query"`
	Variables []string `json:"variables"`
	Note      string   `json:"note"`
}

// graphQLSystem is a GraphQL server process answering over HTTP.
type graphQLSystem struct {
	system string
	url    string
	token  string
	client *http.Client
	docs   map[string]graphQLDoc
	// answer reduces the data of a response to its logical answer ("" when it cannot be)
	answer func(q string, data json.RawMessage) (string, error)
	proc   *process
	proxy  *BoltProxy
}

func (s *graphQLSystem) name() string           { return s.system }
func (s *graphQLSystem) supports(q string) bool { _, ok := s.docs[q]; return ok }
func (s *graphQLSystem) pid() int               { return s.proc.pid() }
func (s *graphQLSystem) bolt() *BoltProxy       { return s.proxy }

func (s *graphQLSystem) close(ctx context.Context) error {
	s.client.CloseIdleConnections()
	return s.proc.stop()
}

// gqlResponse is a GraphQL-over-HTTP response.
type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (s *graphQLSystem) do(ctx context.Context, q string, p Params, answer bool) (string, error) {
	doc, ok := s.docs[q]
	if !ok {
		return "", fmt.Errorf("%s does not express %s", s.system, q)
	}
	vars := map[string]any{}
	for _, v := range doc.Variables {
		val, ok := p[v]
		if !ok {
			return "", fmt.Errorf("%s: no parameter %q for %s", s.system, v, q)
		}
		vars[v] = val
	}
	body, err := json.Marshal(map[string]any{"query": doc.Query, "variables": vars})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json, application/json")
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	var r gqlResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		return "", fmt.Errorf("HTTP %d, not a GraphQL response: %.200s", resp.StatusCode, raw)
	}
	if len(r.Errors) > 0 {
		code, _ := r.Errors[0].Extensions["code"].(string)
		return "", fmt.Errorf("HTTP %d, %d GraphQL errors, first: %s %s", resp.StatusCode, len(r.Errors), code, r.Errors[0].Message)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, raw)
	}
	if len(r.Data) == 0 || string(r.Data) == "null" {
		return "", errors.New("a response without data")
	}
	if !answer {
		return "", nil
	}
	a, err := s.answer(q, r.Data)
	if err != nil {
		return "", fmt.Errorf("%s %s: the response does not have the expected shape: %w", s.system, q, err)
	}
	return a, nil
}

// newHTTPClient returns a client keeping enough idle connections for the highest concurrency, so
// that no request pays for a new connection after the warm-up.
func newHTTPClient(conns int, timeout time.Duration) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = conns
	t.MaxIdleConnsPerHost = conns
	return &http.Client{Transport: t, Timeout: timeout}
}

// sarhadDocs are Sarhad's documents of the questions.
func sarhadDocs(qs []Query) map[string]graphQLDoc {
	out := map[string]graphQLDoc{}
	for _, q := range qs {
		out[q.ID] = graphQLDoc{Query: q.GraphQL, Variables: q.Params}
	}
	return out
}

// neo4jGraphQLDocs reads bench/neo4jgraphql/queries.json: the documents of the questions the
// @neo4j/graphql server can express, keyed by question id.
func neo4jGraphQLDocs(dir string, qs []Query) (map[string]graphQLDoc, error) {
	b, err := os.ReadFile(filepath.Join(dir, "queries.json"))
	if err != nil {
		return nil, err
	}
	var all map[string]graphQLDoc
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "queries.json"), err)
	}
	out := map[string]graphQLDoc{}
	for _, q := range qs {
		doc, ok := all[q.ID]
		if !ok || strings.TrimSpace(doc.Query) == "" {
			continue
		}
		out[q.ID] = doc
	}
	return out, nil
}
