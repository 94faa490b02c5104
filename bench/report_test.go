package bench_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sarhad/sarhad/bench"
)

// A cell whose every request failed makes the run unusable and shows no latency, so that failing
// fast never reads as answering fast.
func TestFailedCellsShowNoFiguresAndMakeTheRunUnusable(t *testing.T) {
	r := &bench.Results{
		Config:  bench.Config{Concurrency: []int{1}},
		Queries: bench.Workload()[:1],
		Systems: []bench.SystemStatus{{Name: bench.SystemCypher, NeedsNeo4j: true, Queries: []string{"Q1"}}},
		Cells: []bench.Cell{{System: bench.SystemCypher, Query: "Q1", Concurrency: 1, Requests: 5, Errors: 5,
			FirstError: "HTTP 401", AllRequestsErr: true}},
	}
	problems := r.Problems()
	if len(problems) != 1 || !strings.Contains(problems[0], "all 5 requests failed, first: HTTP 401") {
		t.Errorf("problems %q", problems)
	}
	if md := bench.Markdown(r); !strings.Contains(md, "| cypher | Q1 | 1 | 5 | **all** | — | — | — | 0.0 |") {
		t.Errorf("the failed cell is not marked as such:\n%s", md)
	}

	r.Cells[0].Errors, r.Cells[0].AllRequestsErr = 0, false
	r.Disagreements = []string{"Q1 with parameter set 0: the answers differ"}
	if problems := r.Problems(); len(problems) != 1 || problems[0] != r.Disagreements[0] {
		t.Errorf("a disagreement is not a problem: %q", problems)
	}
}

// The report sets each figure a target is about beside the target, computed from the cells: a
// ratio met, one missed, and none where a cell failed every request.
func TestReportShowsTheTargets(t *testing.T) {
	ms := func(x float64) time.Duration { return time.Duration(x * float64(time.Millisecond)) }
	r := &bench.Results{
		Scale:   1,
		Config:  bench.Config{Concurrency: []int{1, 8}},
		Queries: bench.Workload()[:3],
		Systems: []bench.SystemStatus{{Name: bench.SystemSarhadNeo4j, PeakRSSBytes: 250 << 20}},
		Cells: []bench.Cell{
			{System: bench.SystemSarhadNeo4j, Query: "Q1", Concurrency: 1, P50: ms(2.4), Throughput: 300},
			{System: bench.SystemCypher, Query: "Q1", Concurrency: 1, P50: ms(2), Throughput: 400},
			{System: bench.SystemNeo4jGraphQL, Query: "Q1", Concurrency: 1, P50: ms(9), Throughput: 100},
			{System: bench.SystemSarhadNeo4j, Query: "Q1", Concurrency: 8, P50: ms(8), Throughput: 500},
			{System: bench.SystemCypher, Query: "Q1", Concurrency: 8, P50: ms(4), Throughput: 900},
			{System: bench.SystemNeo4jGraphQL, Query: "Q1", Concurrency: 8, AllRequestsErr: true},
			{System: bench.SystemSarhadSQLite, Query: "Q1", Concurrency: 1, P50: ms(2.6)},
			{System: bench.SystemSarhadSQLite, Query: "Q3", Concurrency: 1, P50: ms(25.2)},
		},
	}
	md := bench.Markdown(r)
	for _, want := range []string{
		"| Q1 | 1.20 (met) | 2.00 (**missed**) |",    // p50 over the Cypher's
		"| Q1 | 3.00 (met) | — |",                    // throughput over @neo4j/graphql's; c=8 failed
		"Q1 2.60 ms (met), Q3 25.20 ms (**missed**)", // the embedded store
		"250 MB (**missed**)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md[strings.Index(md, "## Targets"):])
		}
	}
	if targets := md[strings.Index(md, "## Targets"):]; strings.Contains(targets, "| Q2 |") {
		t.Errorf("a question without figures has a row of targets:\n%s", targets)
	}
}
