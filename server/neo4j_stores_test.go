package main

import (
	"context"
	"os"
	"testing"

	"github.com/sarhad/sarhad"
	neo4jstore "github.com/sarhad/sarhad/store/neo4j"
	"github.com/sarhad/sarhad/store/neo4j/neo4jtest"
)

// neo4jEnv is the Neo4j of this package's tests (see neo4jtest): NEO4J_URI, or tools/neo4j.
var neo4jEnv neo4jtest.Env

func TestMain(m *testing.M) { os.Exit(neo4jtest.Main(m, &neo4jEnv)) }

// neo4jStores returns the Neo4j store for the cross-store test, emptied first; none when no Neo4j is
// available outside CI.
func neo4jStores(t *testing.T) []namedStore {
	if neo4jEnv.SkipReason != "" {
		t.Log(neo4jEnv.SkipReason)
		return nil
	}
	return []namedStore{{"neo4j", func(t *testing.T) sarhad.Store {
		t.Helper()
		neo4jEnv.Empty(t)
		st, err := neo4jstore.Open(context.Background(), neo4jEnv.Config)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}}}
}
