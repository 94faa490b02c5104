package main

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// metricValue returns the value of the sample named by series (name and labels, as exposed), or -1.
func metricValue(t *testing.T, base, series string) float64 {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindSubmatch(body)
	if m == nil {
		return -1
	}
	v, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMetricsCountOperationsStoreCallsAndErrors(t *testing.T) {
	base, tokens := demoServer(t, nil)
	inv := tokens["investigator (FIA AHTC Lahore, victim PII cleared)"]
	gql := base + "/graphql"
	query := `{"query":"{ cases(first: 20) { nodes { reference parties { party { displayName } } } } }"}`
	for range 3 {
		if code, _, r := send(t, http.MethodPost, gql, "application/json", inv, query); code != http.StatusOK || len(r.Errors) > 0 {
			t.Fatalf("query: %d %+v", code, r.Errors)
		}
	}
	send(t, http.MethodPost, gql, "application/json", inv, `{"query":"{ node(id: \"per_nope\") { id } }"}`)
	send(t, http.MethodPost, gql, "application/json", inv, `{"query":"{ nosuchfield }"}`)

	if got := metricValue(t, base, `sarhad_graphql_operations_total{operation="cases",outcome="OK",type="query"}`); got != 3 {
		t.Errorf("cases operations: %v", got)
	}
	if got := metricValue(t, base, `sarhad_graphql_operation_duration_seconds_count{operation="cases",type="query"}`); got != 3 {
		t.Errorf("cases latency samples: %v", got)
	}
	if got := metricValue(t, base, `sarhad_graphql_errors_total{code="BAD_USER_INPUT"}`); got < 1 {
		t.Errorf("BAD_USER_INPUT errors: %v", got)
	}
	if got := metricValue(t, base, `sarhad_graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED"}`); got != 1 {
		t.Errorf("validation errors: %v", got)
	}
	// Three operations, each a page of cases, their parties and the parties' names: a few store calls
	// each, however many cases the page holds (one call per case would be 20). Not always the same
	// few: the loaders gather keys for a time window, and on a loaded machine a level's keys can
	// fall into two windows.
	calls := metricValue(t, base, `sarhad_graphql_store_calls_per_operation_sum{operation="cases"}`)
	if calls < 3*2 || calls > 3*6 {
		t.Errorf("store calls of three identical operations: %v", calls)
	}
	if got := metricValue(t, base, `sarhad_store_calls_total{method="ListEntities"}`); got < 3 {
		t.Errorf("ListEntities calls: %v", got)
	}
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "process_resident_memory_bytes") || !strings.Contains(string(body), "go_goroutines") {
		t.Error("the process and runtime collectors are missing")
	}
}
