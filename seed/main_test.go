package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/sarhad/sarhad"
)

func TestRunReportsNeo4jUnavailable(t *testing.T) {
	// Port 1 on the loopback interface: nothing listens there.
	env := func(k string) string { return map[string]string{"NEO4J_URI": "bolt://127.0.0.1:1"}[k] }
	err := run(context.Background(), []string{"-data", t.TempDir()}, env, &bytes.Buffer{})
	if sarhad.ErrorCode(err) != sarhad.EUNAVAILABLE {
		t.Errorf("run with an unreachable NEO4J_URI: %v, want UNAVAILABLE", err)
	}
}
