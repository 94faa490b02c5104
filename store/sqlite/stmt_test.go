package sqlite

import (
	"slices"
	"testing"
)

// TestReadsReusePreparedStatements: the first read of a query text runs it unprepared and then
// prepares it; every later read finds it prepared.
func TestReadsReusePreparedStatements(t *testing.T) {
	s, err := Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const query = `SELECT count(*) FROM entities WHERE kind = ?`
	read := func() []string {
		t.Helper()
		var unprepared []string
		err := s.read(t.Context(), func(q querier) error {
			var n int
			if err := q.QueryRowContext(t.Context(), query, "PERSON").Scan(&n); err != nil {
				return err
			}
			rows, err := q.QueryContext(t.Context(), query, "PHONE")
			if err != nil {
				return err
			}
			defer rows.Close()
			unprepared = slices.Clone(q.(*txn).unprepared)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return unprepared
	}
	if got := read(); !slices.Equal(got, []string{query}) {
		t.Fatalf("first read: unprepared %q, want the query once", got)
	}
	if !s.stmts.stmts.Contains(query) {
		t.Fatal("the query was not prepared after the first read")
	}
	for range 3 {
		if got := read(); len(got) != 0 {
			t.Fatalf("later read: unprepared %q, want none", got)
		}
	}
}
