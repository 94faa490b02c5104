package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/bench/gen"
	"github.com/sarhad/sarhad/graph"
	"github.com/sarhad/sarhad/spool"
	neo4jstore "github.com/sarhad/sarhad/store/neo4j"
	"github.com/sarhad/sarhad/store/sqlite"
)

// BenchmarkEmbeddedInProcess asks the workload's questions of Sarhad on the embedded store in
// process, one request at a time: the GraphQL handler and the store without the HTTP server, the
// token check and the other systems of the harness, for profiling a change to either. It loads the
// graph at SARHAD_BENCH_SF (skipped when unset) into a new store as the harness does, and reports
// each question's p50 besides the mean; SARHAD_BENCH_QUERIES (Q1,Q2,Q3,Q8 by default) selects the
// questions, SARHAD_BENCH_WAIT the loaders' batch window (graph.DefaultBatchWait when unset).
// SARHAD_BENCH_DIR keeps the store in that directory rather than a temporary one; with
// SARHAD_BENCH_LOADED set too, the directory holds the graph at SARHAD_BENCH_SF (seed 1) from an
// earlier run and is not loaded again (about two minutes at SF 1).
//
//	SARHAD_BENCH_SF=0.1 go test -run '^$' -bench EmbeddedInProcess -benchtime 1000x -cpuprofile cpu.out ./bench/
func BenchmarkEmbeddedInProcess(b *testing.B) {
	sf := benchScale(b)
	dir, loaded := os.Getenv("SARHAD_BENCH_DIR"), os.Getenv("SARHAD_BENCH_LOADED") != ""
	if dir == "" {
		dir, loaded = b.TempDir(), false
	}
	st, err := sqlite.Open(b.Context(), dir)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	benchInProcess(b, sf, st, loaded)
}

// BenchmarkNeo4jInProcess is BenchmarkEmbeddedInProcess on the Neo4j store of NEO4J_URI (skipped
// when unset). Like the harness it refuses a database that holds data, unless SARHAD_BENCH_RESET
// is set, and then deletes everything in it. With SARHAD_BENCH_LOADED set it neither checks nor
// loads: the database holds the graph at SARHAD_BENCH_SF (seed 1) from an earlier run, which saves
// the four minutes of loading SF 1 when profiling one change after another.
//
//	NEO4J_URI=bolt://127.0.0.1:7687 SARHAD_BENCH_SF=0.1 go test -run '^$' -bench Neo4jInProcess -benchtime 1000x ./bench/
func BenchmarkNeo4jInProcess(b *testing.B) {
	sf := benchScale(b)
	target := Neo4jConfig{URI: os.Getenv("NEO4J_URI")}
	if target.URI == "" {
		b.Skip("NEO4J_URI is not set")
	}
	loaded := os.Getenv("SARHAD_BENCH_LOADED") != ""
	if !loaded {
		if err := prepareDatabase(b.Context(), target, os.Getenv("SARHAD_BENCH_RESET") != "", io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	st, err := neo4jstore.Open(b.Context(), target.store(target.URI))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	benchInProcess(b, sf, st, loaded)
}

// benchScale is the scale factor of SARHAD_BENCH_SF; it skips the benchmark when unset.
func benchScale(b *testing.B) float64 {
	sf, _ := strconv.ParseFloat(os.Getenv("SARHAD_BENCH_SF"), 64)
	if sf <= 0 {
		b.Skip("SARHAD_BENCH_SF is not set")
	}
	return sf
}

// benchInProcess loads the graph at scale factor sf into st, unless it is loaded already, and asks
// the questions (see BenchmarkEmbeddedInProcess).
func benchInProcess(b *testing.B, sf float64, st sarhad.Store, loaded bool) {
	wait, _ := time.ParseDuration(os.Getenv("SARHAD_BENCH_WAIT"))
	queries := []string{"Q1", "Q2", "Q3", "Q8"}
	if q := os.Getenv("SARHAD_BENCH_QUERIES"); q != "" {
		queries = strings.Split(strings.ReplaceAll(q, " ", ""), ",")
	}
	ctx := context.Background()
	stores := []namedStore{{"store", st}}
	if loaded {
		stores = nil // the generator's change sets fill the catalog only
	}
	cat, _, err := load(ctx, gen.Config{Scale: sf, Seed: 1}, stores, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	params := drawParams(cat, 16, 1)
	// As the server runs it: audit entries through a spool (package spool).
	sp, err := spool.Open(b.TempDir(), st, spool.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer sp.Close()
	svc := &sarhad.Service{Store: sp, Now: time.Now, Rand: rand.Reader}
	h := graph.NewHandler(svc, sp, graph.Options{BatchWait: wait})
	viewer := benchViewer()
	for _, q := range Workload() {
		if !slices.Contains(queries, q.ID) {
			continue
		}
		b.Run(q.ID, func(b *testing.B) {
			var lat []time.Duration
			i := 0
			for b.Loop() {
				p := params[q.ID][i%len(params[q.ID])]
				i++
				body, err := json.Marshal(map[string]any{"query": q.GraphQL, "variables": p})
				if err != nil {
					b.Fatal(err)
				}
				req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body)).WithContext(sarhad.NewContext(ctx, viewer))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(rec, req)
				lat = append(lat, time.Since(start))
				if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
					b.Fatalf("%s: HTTP %d: %.500s", q.ID, rec.Code, rec.Body.String())
				}
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		})
	}
}
