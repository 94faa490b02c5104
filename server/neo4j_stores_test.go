package main

import "testing"

// neo4jStores returns the Neo4j store for the cross-store test once the Neo4j adapter exists.
func neo4jStores(t *testing.T) []namedStore { return nil }
