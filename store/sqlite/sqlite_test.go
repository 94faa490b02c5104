package sqlite_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/store/sqlite"
	"github.com/sarhad/sarhad/store/storetest"
)

func open(t *testing.T, dir string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), dir)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) sarhad.Store { return open(t, t.TempDir()) })
}

// TestUnrecordedVictims rewrites relationships in the database file as a version before the
// named-victim rule could have written them.
func TestUnrecordedVictims(t *testing.T) {
	dir := t.TempDir()
	storetest.RunUnrecordedVictims(t, func(t *testing.T) sarhad.Store { return open(t, dir) },
		func(t *testing.T, _ sarhad.Store, id string, typ sarhad.RelationType, role string) {
			db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlite.FileName))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			props := `json_remove(props, '$.role')`
			if role != "" {
				props = `json_set(props, '$.role', ?2)`
			}
			res, err := db.ExecContext(t.Context(), `UPDATE relationships SET type = ?1, props = `+props+` WHERE id = ?3`,
				string(typ), role, id)
			if n, _ := res.RowsAffected(); err != nil || n != 1 {
				t.Fatalf("rewriting %s: %v rows, %v", id, n, err)
			}
		})
}

var clock = time.Date(2025, time.March, 14, 9, 0, 0, 0, time.UTC)

func writerPerson(i int) *sarhad.Person {
	return &sarhad.Person{
		Meta: sarhad.Meta{ID: sarhad.StableID(sarhad.KindPerson, fmt.Sprint("durable ", i)), Kind: sarhad.KindPerson,
			CreatedAt: clock, CreatedBy: "writer", UpdatedAt: clock, UpdatedBy: "writer",
			Handling: sarhad.Handling{OriginatorOrg: "FIA", OriginatorCountry: "PAK", TLP: sarhad.TLPAmber}},
		Name: fmt.Sprintf("Durable Person %d", i), Gender: sarhad.GenderUnknown,
	}
}

// TestReopen checks that migrations are applied once: a store reopened, twice, keeps its data and
// its name index.
func TestReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := sarhad.NewContext(t.Context(), sarhad.SystemViewer())
	a, b := writerPerson(1), writerPerson(2)
	r := &sarhad.Relationship{Meta: sarhad.Meta{ID: sarhad.StableID("", "reopen"), CreatedAt: clock, UpdatedAt: clock,
		Handling: a.Handling}, Type: sarhad.RelAssociateOf, From: a.ID, To: b.ID}

	s := open(t, dir)
	if _, err := s.Apply(ctx, &sarhad.ChangeSet{Put: []sarhad.Entity{a, b}, Link: []*sarhad.Relationship{r}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		s := open(t, dir)
		es, err := s.Entities(ctx, []string{a.ID, b.ID})
		if err != nil || es[0] == nil || es[1] == nil {
			t.Fatalf("round %d: Entities = %v, %v", round, es, err)
		}
		rs, err := s.RelationshipsByID(ctx, []string{r.ID})
		if err != nil || rs[0] == nil {
			t.Fatalf("round %d: RelationshipsByID = %v, %v", round, rs, err)
		}
		found, err := s.MatchNames(ctx, sarhad.NameQuery{Groups: sarhad.QueryTerms("Durable Person 2"), Limit: 10})
		if err != nil || len(found) != 1 || found[0].EntityMeta().ID != b.ID {
			t.Fatalf("round %d: MatchNames = %v, %v", round, found, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	checkIntegrity(t, dir)
}

// checkIntegrity runs SQLite's own consistency checks on the database file in dir, the FTS5 index
// included.
func checkIntegrity(t *testing.T, dir string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var result string
	if err := db.QueryRowContext(t.Context(), "PRAGMA integrity_check").Scan(&result); err != nil {
		t.Fatal(err)
	}
	if result != "ok" {
		t.Errorf("PRAGMA integrity_check: %s", result)
	}
	if _, err := db.ExecContext(t.Context(), "INSERT INTO entity_terms (entity_terms) VALUES ('integrity-check')"); err != nil {
		t.Errorf("FTS5 integrity-check: %v", err)
	}
	var orphans int
	if err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM relationships r
		WHERE NOT EXISTS (SELECT 1 FROM entities WHERE id = r.from_id) OR NOT EXISTS (SELECT 1 FROM entities WHERE id = r.to_id)`).
		Scan(&orphans); err != nil || orphans != 0 {
		t.Errorf("relationships with a missing end: %d, %v", orphans, err)
	}
}

// writerDirEnv tells the test binary, re-run as a child, to be the writer of TestKill9 in that
// directory.
const writerDirEnv = "SARHAD_SQLITE_TEST_WRITER_DIR"

// TestHelperWriter is not a test: run by TestKill9 as a child process, it writes one person per
// Apply, without end, and prints the id of each after Apply has returned, until it is killed.
func TestHelperWriter(t *testing.T) {
	dir := os.Getenv(writerDirEnv)
	if dir == "" {
		t.Skip("the child process of TestKill9")
	}
	ctx := sarhad.NewContext(context.Background(), sarhad.SystemViewer())
	s, err := sqlite.Open(ctx, dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(2)
	}
	for i := 0; ; i++ {
		p := writerPerson(i)
		// A relationship too, so that a torn write would also show as a dangling end.
		cs := &sarhad.ChangeSet{Put: []sarhad.Entity{p}}
		if i > 0 {
			cs.Link = []*sarhad.Relationship{{Meta: sarhad.Meta{ID: sarhad.StableID("", fmt.Sprint("durable ", i)),
				CreatedAt: clock, UpdatedAt: clock, Handling: p.Handling},
				Type: sarhad.RelAssociateOf, From: p.ID, To: writerPerson(i - 1).ID}}
		}
		if _, err := s.Apply(ctx, cs); err != nil {
			fmt.Fprintln(os.Stderr, "apply:", err)
			os.Exit(2)
		}
		// One write(2) per line: a line is in the pipe whole or not at all.
		if _, err := fmt.Fprintln(os.Stdout, p.ID); err != nil {
			os.Exit(3) // the parent is gone
		}
	}
}

// TestKill9 proves that a write acknowledged to the client survives kill -9 of the server: a child
// process writes a stream of change sets, acknowledging each on stdout once Apply has returned; the
// parent kills it with SIGKILL mid-stream, reopens the store and finds every acknowledged write.
func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	const ackBeforeKill = 200
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriter$")
	cmd.Env = append(os.Environ(), writerDirEnv+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() }) // in case the test fails before the kill

	var acked []string
	killed := false
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		id := lines.Text()
		if _, err := sarhad.KindOfID(id); err != nil {
			t.Fatalf("child wrote %q, not an id", id)
		}
		acked = append(acked, id)
		if len(acked) == ackBeforeKill && !killed {
			// The child is in the middle of its next write: it never stops by itself.
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	// Lines still in the pipe after the kill were acknowledged before it: they count too.
	err = cmd.Wait()
	if !killed {
		t.Fatalf("child stopped after %d writes (%v): %s", len(acked), err, stderr.String())
	}
	if cmd.ProcessState.ExitCode() != -1 {
		t.Fatalf("child was not killed by the signal: %v; stderr: %s", err, stderr.String())
	}
	t.Logf("%d writes acknowledged before the child died", len(acked))

	s := open(t, dir)
	ctx := sarhad.NewContext(t.Context(), sarhad.SystemViewer())
	es, err := s.Entities(ctx, acked)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range es {
		if e == nil {
			t.Errorf("acknowledged write %d (%s) lost", i, acked[i])
		}
	}
	page, err := s.ListEntities(ctx, sarhad.ListQuery{Kind: sarhad.KindPerson, Page: sarhad.Page{First: sarhad.MaxPageSize}})
	if err != nil {
		t.Fatal(err)
	}
	// At most one write was committed but not yet acknowledged when the child died.
	if page.TotalCount < len(acked) || page.TotalCount > len(acked)+1 {
		t.Errorf("%d persons stored after %d acknowledged writes", page.TotalCount, len(acked))
	}
	for _, e := range page.Entities {
		if !slices.Contains(acked, e.EntityMeta().ID) && e.EntityMeta().ID != writerPerson(len(acked)).ID {
			t.Errorf("unexpected person %s stored", e.EntityMeta().ID)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	checkIntegrity(t, dir)
}

func TestAuditTrailIsAppendOnly(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	ctx := sarhad.NewContext(t.Context(), sarhad.SystemViewer())
	e := &sarhad.AuditEntry{ID: sarhad.StableID("", "entry"), Time: time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC),
		Subject: "a", Roles: []sarhad.Role{sarhad.RoleAnalyst}, OperationType: "query", QueryHash: "h",
		Variables: "{}", Outcome: sarhad.AuditOK}
	if err := s.AppendAudit(ctx, e); err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, stmt := range []string{`UPDATE audit_log SET subject = 'x'`, `DELETE FROM audit_log`} {
		if _, err := db.Exec(stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", stmt, err)
		}
	}
}

// TestAuditAppendOfManyEntries: an append of more entries than one statement's parameters allow is
// split into statements of one transaction, in order.
func TestAuditAppendOfManyEntries(t *testing.T) {
	s := open(t, t.TempDir())
	defer s.Close()
	ctx := sarhad.NewContext(t.Context(), sarhad.SystemViewer())
	const n = 3000 // 36,000 parameters in one statement would be refused
	entries := make([]*sarhad.AuditEntry, n)
	for i := range entries {
		entries[i] = &sarhad.AuditEntry{ID: sarhad.StableID("", fmt.Sprint("entry ", i)), Time: time.Now(), Subject: "a",
			OperationType: "query", QueryHash: "h", Variables: "{}", Outcome: sarhad.AuditOK}
	}
	if err := s.AppendAudit(ctx, entries...); err != nil {
		t.Fatal(err)
	}
	page, err := s.AuditLog(ctx, sarhad.AuditQuery{Page: sarhad.Page{First: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if page.TotalCount != n || page.Entries[0].ID != entries[n-1].ID {
		t.Fatalf("%d entries, newest %s; want %d, newest %s", page.TotalCount, page.Entries[0].ID, n, entries[n-1].ID)
	}
}

// TestManyConcurrentReads runs more concurrent reads than the store has reader connections, each
// with query texts not prepared yet (the statement cache prepares them after its transaction; a
// cache that prepared on the pool inside one would wait for ever once every connection is held),
// and checks their answers.
func TestManyConcurrentReads(t *testing.T) {
	s := open(t, t.TempDir())
	defer s.Close()
	ctx := sarhad.NewContext(t.Context(), sarhad.SystemViewer())
	a, b := writerPerson(1), writerPerson(2)
	r := &sarhad.Relationship{Meta: sarhad.Meta{ID: sarhad.StableID("", "concurrent"), CreatedAt: clock, UpdatedAt: clock,
		Handling: a.Handling}, Type: sarhad.RelAssociateOf, From: a.ID, To: b.ID}
	if _, err := s.Apply(ctx, &sarhad.ChangeSet{Put: []sarhad.Entity{a, b}, Link: []*sarhad.Relationship{r}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	const readers = 64
	errs := make(chan error, readers)
	for i := range readers {
		go func() {
			// Distinct texts: i%20+1 conditions (each its own parameter), the same answer.
			conds := make([]sarhad.Condition, i%20+1)
			for j := range conds {
				conds[j] = sarhad.Condition{Attr: "name", Op: sarhad.OpIn, Values: []string{"Durable Person 1", "Durable Person 2", "Nobody"}}
			}
			page, err := s.ListEntities(ctx, sarhad.ListQuery{Kind: sarhad.KindPerson, Conditions: conds, Page: sarhad.Page{First: 10}})
			if err == nil && len(page.Entities) != 2 {
				err = fmt.Errorf("reader %d: %d persons, want 2", i, len(page.Entities))
			}
			if err == nil {
				var rels []*sarhad.Relationship
				rels, _, err = s.Neighbours(ctx, sarhad.RelationshipQuery{Anchors: []string{a.ID}, Direction: sarhad.DirOut})
				if err == nil && (len(rels) != 1 || rels[0].ID != r.ID) {
					err = fmt.Errorf("reader %d: relationships %v", i, rels)
				}
			}
			errs <- err
		}()
	}
	for range readers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// TestOptimizeKeepsSearchAndWrites loads persons in many change sets (many segments of the name
// index), optimizes, and checks that the index is then one segment, that name search finds the
// same persons, and that writes after it are searched too.
func TestOptimizeKeepsSearchAndWrites(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	defer s.Close()
	// segments counts the segments of the name index: FTS5 keeps one row per leaf page of each
	// segment in its %_idx table.
	segments := func() int {
		t.Helper()
		db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlite.FileName))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRowContext(t.Context(), "SELECT count(DISTINCT segid) FROM entity_terms_idx").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	ctx := sarhad.NewContext(t.Context(), sarhad.SystemViewer())
	for batch := range 20 {
		var cs sarhad.ChangeSet
		for i := range 10 {
			cs.Put = append(cs.Put, writerPerson(batch*10+i))
		}
		if _, err := s.Apply(ctx, &cs); err != nil {
			t.Fatal(err)
		}
	}
	search := func(text string) []string {
		t.Helper()
		found, err := s.MatchNames(ctx, sarhad.NameQuery{Groups: sarhad.QueryTerms(text), Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, e := range found {
			ids = append(ids, e.EntityMeta().ID)
		}
		slices.Sort(ids)
		return ids
	}
	before := search("durable person")
	if len(before) != 200 {
		t.Fatalf("before: %d persons found, want 200", len(before))
	}
	if n := segments(); n < 2 {
		t.Fatalf("before Optimize: %d segment(s); the test needs a fragmented index", n)
	}
	if err := s.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	if n := segments(); n != 1 {
		t.Fatalf("after Optimize: %d segments, want 1", n)
	}
	if after := search("durable person"); !slices.Equal(after, before) {
		t.Fatalf("after Optimize: %d persons found, want the 200 found before", len(after))
	}
	// The index still takes changes: one renamed, one new.
	renamed := writerPerson(7)
	renamed.Name = "Optimized Renamed"
	if _, err := s.Apply(ctx, &sarhad.ChangeSet{Put: []sarhad.Entity{renamed, writerPerson(500)}}); err != nil {
		t.Fatal(err)
	}
	if got := search("durable person"); len(got) != 200 || slices.Contains(got, renamed.ID) {
		t.Fatalf("after the writes: %d persons found (renamed one included: %v), want 200 without it", len(got), slices.Contains(got, renamed.ID))
	}
	if got := search("optimized renamed"); !slices.Equal(got, []string{renamed.ID}) {
		t.Fatalf("renamed person: found %v", got)
	}
}

// TestIDSecretSurvivesReopening: the secret of keyed ids is the store's, kept in the file: the
// same after the store is opened again (the import command and the server open it in turn).
func TestIDSecretSurvivesReopening(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	secret, err := s.IDSecret(t.Context())
	if err != nil || len(secret) != 32 {
		t.Fatalf("IDSecret: %d bytes, %v", len(secret), err)
	}
	s.Close()
	s = open(t, dir)
	defer s.Close()
	if again, err := s.IDSecret(t.Context()); err != nil || !bytes.Equal(again, secret) {
		t.Errorf("after reopening: %v; want the same secret", err)
	}
}
