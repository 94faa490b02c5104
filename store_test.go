package sarhad_test

import (
	"testing"

	"github.com/sarhad/sarhad"
)

// TestThenQueryCheck: NeighboursThen reads two plain levels; a level that is a walk's bounded step
// or the ties among a set is refused rather than read as a plain one.
func TestThenQueryCheck(t *testing.T) {
	plain := sarhad.RelationshipQuery{Anchors: []string{"a"}, Direction: sarhad.DirOut}
	among, bounded := plain, plain
	among.Among, bounded.Ends = true, 10
	for _, c := range []struct {
		name string
		q    sarhad.ThenQuery
		ok   bool
	}{
		{"plain", sarhad.ThenQuery{First: plain, Then: plain}, true},
		{"first among", sarhad.ThenQuery{First: among, Then: plain}, false},
		{"then among", sarhad.ThenQuery{First: plain, Then: among}, false},
		{"first bounded", sarhad.ThenQuery{First: bounded, Then: plain}, false},
		{"then bounded", sarhad.ThenQuery{First: plain, Then: bounded}, false},
	} {
		if err := c.q.Check(); (err == nil) != c.ok {
			t.Errorf("%s: Check() = %v, want ok %v", c.name, err, c.ok)
		}
	}
}
