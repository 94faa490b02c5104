package main

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

func TestRunRefusesNeo4j(t *testing.T) {
	env := func(k string) string { return map[string]string{"NEO4J_URI": "neo4j://localhost:7687"}[k] }
	err := run(context.Background(), []string{"-data", t.TempDir()}, env, &bytes.Buffer{})
	if !errors.Is(err, errUnsupported) {
		t.Errorf("run with NEO4J_URI: %v, want errUnsupported", err)
	}
}
