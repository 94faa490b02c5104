package bench_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sarhad/sarhad/bench"
	neo4jstore "github.com/sarhad/sarhad/store/neo4j"
	"github.com/sarhad/sarhad/store/neo4j/neo4jtest"
)

// logWriter passes the harness's progress to the test log.
type logWriter struct{ t *testing.T }

func (w logWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// TestSmoke runs the whole benchmark at scale factor 0.01, concurrency 1 and a few requests per
// cell against NEO4J_URI, whose database it empties, loads and empties again. It asserts
// behaviour, not speed: every system answers every question it expresses without errors, and the
// systems that answer in Sarhad's terms give the same answers.
func TestSmoke(t *testing.T) {
	uri := os.Getenv("NEO4J_URI")
	if uri == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but NEO4J_URI is not set: the benchmark smoke test needs a Neo4j")
		}
		t.Skip("benchmark smoke test skipped: set NEO4J_URI (its database is emptied)")
	}
	target := bench.Neo4jConfig{URI: uri, Username: os.Getenv("NEO4J_USERNAME"), Password: os.Getenv("NEO4J_PASSWORD"),
		Database: os.Getenv("NEO4J_DATABASE")}
	t.Cleanup(func() {
		// Leave the shared database empty, as the store tests expect to find it or make it.
		err := neo4jtest.Empty(context.Background(), neo4jstore.Config{URI: target.URI, Username: target.Username,
			Password: target.Password, Database: target.Database})
		if err != nil {
			t.Errorf("emptying Neo4j after the smoke test: %v", err)
		}
	})

	systems := []string{bench.SystemSarhadNeo4j, bench.SystemSarhadSQLite, bench.SystemCypher}
	_, nodeErr := exec.LookPath("node")
	_, modulesErr := os.Stat(filepath.Join("neo4jgraphql", "node_modules"))
	if nodeErr == nil && modulesErr == nil {
		systems = append(systems, bench.SystemNeo4jGraphQL)
	} else {
		t.Logf("%s not run: node or bench/neo4jgraphql/node_modules is missing (npm ci --prefix bench/neo4jgraphql)", bench.SystemNeo4jGraphQL)
	}
	const requests = 3
	out := t.TempDir()
	res, err := bench.Run(context.Background(), bench.Config{Scale: 0.01, Seed: 1, Concurrency: []int{1}, Requests: requests,
		Warmup: 1, ParamSets: 3, Systems: systems, Neo4j: target, Reset: true, RequestTimeout: time.Minute,
		Out: out, Log: logWriter{t}})
	if err != nil {
		t.Fatal(err)
	}

	// Every system ran, and answered every question it expresses, every request without error.
	questions := len(bench.Workload())
	for _, s := range res.Systems {
		if s.Skipped != "" {
			t.Errorf("%s did not run: %s", s.Name, s.Skipped)
			continue
		}
		if s.Name != bench.SystemNeo4jGraphQL && len(s.Queries) != questions {
			t.Errorf("%s expresses %v, want all %d questions", s.Name, s.Queries, questions)
		}
		if s.Name == bench.SystemNeo4jGraphQL && !slices.Contains(s.Queries, "Q1") {
			t.Errorf("%s expresses %v, want at least Q1", s.Name, s.Queries)
		}
		for _, q := range s.Queries {
			i := slices.IndexFunc(res.Cells, func(c bench.Cell) bool { return c.System == s.Name && c.Query == q })
			if i < 0 {
				t.Errorf("%s %s: no measurement", s.Name, q)
				continue
			}
			c := res.Cells[i]
			if c.Requests != requests || c.Errors != 0 || c.P50 <= 0 {
				t.Errorf("%s %s: %d requests, %d errors (%s), p50 %s", s.Name, q, c.Requests, c.Errors, c.FirstError, c.P50)
			}
			// Bolt traffic is counted for the systems that use Neo4j, and only for them.
			if uses := s.Name != bench.SystemSarhadSQLite; uses != (c.Bolt != nil && c.Bolt.RoundTrips > 0) {
				t.Errorf("%s %s: Bolt counts %+v", s.Name, q, c.Bolt)
			}
			// The lower bound is one statement per question.
			if s.Name == bench.SystemCypher && c.StatementsPer != 1 {
				t.Errorf("cypher %s: %.2f statements per request, want 1", q, c.StatementsPer)
			}
		}
	}

	// The answers agree: the same canonical answer from each of Sarhad's stores, from Cypher and,
	// where its documents select the whole answer, from @neo4j/graphql, for every parameter set,
	// and none is empty. (Run fails on a disagreement too; this says which.)
	answers := map[string]map[string]string{} // question and parameters → system → answer
	for _, c := range res.Checks {
		if c.Error != "" || c.Answer == "" && c.System != bench.SystemNeo4jGraphQL {
			t.Errorf("%s %s %v: answer %q, error %q", c.System, c.Query, c.Params, c.Answer, c.Error)
			continue
		}
		if c.Answer == "" {
			continue
		}
		key := c.Query + " " + fmt.Sprint(c.Params) // maps print in key order
		if answers[key] == nil {
			answers[key] = map[string]string{}
		}
		answers[key][c.System] = c.Answer
	}
	for key, bySystem := range answers {
		want := bySystem[bench.SystemCypher]
		for s, got := range bySystem {
			if got != want {
				t.Errorf("%s: %s answered\n%.500s\ncypher answered\n%.500s", key, s, got, want)
			}
		}
		if len(bySystem) < 3 {
			t.Errorf("%s: answers of %d systems only", key, len(bySystem))
		}
		if strings.HasPrefix(key, "Q1 ") && !strings.Contains(want, `"parties":[{`) {
			t.Errorf("%s: a case without parties: %.300s", key, want)
		}
		if strings.HasPrefix(key, "Q8 ") && strings.Count(want, `"id":"cas_`) != 50 {
			t.Errorf("%s: not a page of 50 cases: %.300s", key, want)
		}
	}
	if len(answers) < questions {
		t.Errorf("answers to %d question-parameter pairs, want at least %d", len(answers), questions)
	}

	for _, f := range []string{"results.md", "results.json", "answers.json", "latency-p50.png", "throughput.png"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("report file %s: %v", f, err)
		}
	}
}
