// Command sarhad-bench runs Sarhad's performance benchmark (issue 7) and writes its report:
//
//	go run ./bench/cmd/sarhad-bench -sf 1 -out bench-out
//
// It generates the graph at the scale factor, loads it into Neo4j and into the embedded store,
// and measures Sarhad on Neo4j, Sarhad on the embedded store, hand-written Cypher and
// @neo4j/graphql on the eight questions of the workload at each concurrency. The report —
// results.md (the table), results.json (the raw figures), latency-p50.png and throughput.png, and
// the servers' logs — goes to the output directory.
//
// With NEO4J_URI set (and NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE as needed) it uses that
// Neo4j, whose database it EMPTIES and loads: it refuses a database that holds data unless -reset
// is given. With -loaded it uses the graph an earlier run left there (same -sf and -seed) as it
// is, for repeated measurements without a reload. Without NEO4J_URI it starts a Neo4j with
// tools/neo4j (Java 17, Maven) and stops it at the end. The exit status is 1 when the run failed or its figures are unusable (a system failed
// to start, the systems' answers disagree, or every request of a cell failed).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/sarhad/sarhad/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := bench.DefaultConfig()
	var conc, systems, queries string
	flag.Float64Var(&cfg.Scale, "sf", cfg.Scale, "scale factor of the generated graph (1: 100,000 persons, 20,000 cases, ~1M relationships)")
	flag.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed of the generator and of the parameters")
	flag.StringVar(&conc, "c", joinInts(cfg.Concurrency), "concurrencies, comma-separated")
	flag.IntVar(&cfg.Requests, "n", 0, "measured requests per cell; 0: measure for -d")
	flag.DurationVar(&cfg.Duration, "d", cfg.Duration, "measured time per cell, when -n is 0")
	flag.IntVar(&cfg.Warmup, "warmup", cfg.Warmup, "warm-up requests per cell (at least the concurrency)")
	flag.DurationVar(&cfg.WarmupFor, "warmup-for", cfg.WarmupFor, "least time of a cell's warm-up (more requests are sent until it has passed)")
	flag.IntVar(&cfg.ParamSets, "params", cfg.ParamSets, "parameter sets drawn per question")
	flag.StringVar(&systems, "systems", "", "systems to run, comma-separated (default all: "+strings.Join(bench.Systems(), ",")+")")
	flag.StringVar(&queries, "queries", "", "questions to run, comma-separated (default all: Q1,…,Q8)")
	flag.BoolVar(&cfg.Reset, "reset", false, "wipe the Neo4j database of NEO4J_URI even when it holds data")
	flag.BoolVar(&cfg.Loaded, "loaded", false, "the Neo4j of NEO4J_URI holds the graph of -sf and -seed from an earlier run: neither wipe nor load it")
	flag.IntVar(&cfg.Neo4jPort, "neo4j-port", 0, "Bolt port of the Neo4j started when NEO4J_URI is not set (0: a free one)")
	flag.StringVar(&cfg.Neo4jHeap, "neo4j-heap", cfg.Neo4jHeap, "JVM heap of the Neo4j started when NEO4J_URI is not set")
	flag.StringVar(&cfg.Neo4jPageCache, "neo4j-pagecache", cfg.Neo4jPageCache, "page cache of the Neo4j started when NEO4J_URI is not set")
	flag.DurationVar(&cfg.RequestTimeout, "timeout", cfg.RequestTimeout, "timeout of one request")
	flag.StringVar(&cfg.Out, "out", cfg.Out, "output directory")
	flag.Parse()

	var err error
	if cfg.Concurrency, err = ints(conc); err != nil {
		fatal(fmt.Errorf("-c: %w", err))
	}
	cfg.Systems, cfg.Queries = list(systems), list(queries)
	cfg.Neo4j = bench.Neo4jConfig{URI: os.Getenv("NEO4J_URI"), Username: os.Getenv("NEO4J_USERNAME"),
		Password: os.Getenv("NEO4J_PASSWORD"), Database: os.Getenv("NEO4J_DATABASE")}
	cfg.Log = os.Stderr

	res, err := bench.Run(ctx, cfg)
	if res != nil && len(res.Cells) > 0 {
		fmt.Print(bench.Markdown(res))
	}
	if err != nil {
		fatal(err)
	}
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range list(s) {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

func list(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "sarhad-bench:", err)
	os.Exit(1)
}
