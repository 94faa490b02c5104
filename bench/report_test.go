package bench_test

import (
	"strings"
	"testing"

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
