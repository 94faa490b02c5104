package spool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/store/sqlite"
)

// flaky is a store whose audit appends fail while down is set.
type flaky struct {
	*sqlite.Store
	down atomic.Bool
}

func (f *flaky) AppendAudit(ctx context.Context, entries ...*sarhad.AuditEntry) error {
	if f.down.Load() {
		return &sarhad.Error{Code: sarhad.EUNAVAILABLE, Message: "down"}
	}
	return f.Store.AppendAudit(ctx, entries...)
}

func newStore(t *testing.T) *flaky {
	t.Helper()
	st, err := sqlite.Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &flaky{Store: st}
}

func open(t *testing.T, dir string, st sarhad.Store, opts Options) *Spool {
	t.Helper()
	sp, err := Open(dir, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sp.Close() })
	return sp
}

func entry(id string) *sarhad.AuditEntry {
	return &sarhad.AuditEntry{ID: id, Time: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), Subject: "inv-1",
		Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: "PAK", Org: "FIA", OperationName: "Q", OperationType: "query",
		QueryHash: "abc", Variables: `{"id":"[redacted]"}`, SensitiveIDs: []string{"per_1"}, Outcome: sarhad.AuditOK}
}

var system = func(ctx context.Context) context.Context { return sarhad.NewContext(ctx, sarhad.SystemViewer()) }

// trail returns the ids of the trail as a (reader of the spool or the store) sees it, oldest first.
func trail(t *testing.T, ctx context.Context, a sarhad.AuditTrail) ([]string, error) {
	t.Helper()
	page, err := a.AuditLog(system(ctx), sarhad.AuditQuery{Page: sarhad.Page{First: 100}})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range page.Entries {
		ids = append(ids, e.ID)
	}
	slices.Reverse(ids)
	return ids, nil
}

// TestEntriesReachTheStoreInOrder: what the spool takes, the store holds, in the order appended and
// whole, and a reader of the spool's trail sees every entry appended before it read.
func TestEntriesReachTheStoreInOrder(t *testing.T) {
	st := newStore(t)
	sp := open(t, t.TempDir(), st, Options{})
	var want []string
	for i := range 20 {
		id := fmt.Sprintf("aud-%02d", i)
		if err := sp.AppendAudit(t.Context(), entry(id)); err != nil {
			t.Fatal(err)
		}
		want = append(want, id)
	}
	if err := sp.AppendAudit(t.Context(), entry("aud-20"), entry("aud-21")); err != nil {
		t.Fatal(err)
	}
	want = append(want, "aud-20", "aud-21")
	got, err := trail(t, t.Context(), sp)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("trail %v, want %v", got, want)
	}
	page, err := st.AuditLog(system(t.Context()), sarhad.AuditQuery{RecordID: "per_1", Page: sarhad.Page{First: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if e := page.Entries[0]; e.ID != "aud-21" || e.Subject != "inv-1" || e.Variables != `{"id":"[redacted]"}` ||
		!e.Time.Equal(entry("").Time) || page.TotalCount != 22 {
		t.Fatalf("stored entry %+v of %d", e, page.TotalCount)
	}
}

// TestAnOutageDelaysEntriesAndLosesNone: while the store refuses entries, appends still succeed
// (the entries are on disk), a reader of the trail is told UNAVAILABLE rather than shown a trail
// without them, and past MaxPending appends are refused; once the store is back, every entry is in.
func TestAnOutageDelaysEntriesAndLosesNone(t *testing.T) {
	st := newStore(t)
	st.down.Store(true)
	sp := open(t, t.TempDir(), st, Options{MaxPending: 3})
	for _, id := range []string{"aud-1", "aud-2", "aud-3"} {
		if err := sp.AppendAudit(t.Context(), entry(id)); err != nil {
			t.Fatal(err)
		}
	}
	if err := sp.AppendAudit(t.Context(), entry("aud-4")); sarhad.ErrorCode(err) != sarhad.EUNAVAILABLE {
		t.Fatalf("append beyond MaxPending: %v, want UNAVAILABLE", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	if _, err := trail(t, ctx, sp); sarhad.ErrorCode(err) != sarhad.EUNAVAILABLE {
		t.Fatalf("trail during the outage: %v, want UNAVAILABLE", err)
	}
	st.down.Store(false)
	got, err := trail(t, t.Context(), sp)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"aud-1", "aud-2", "aud-3"}; !slices.Equal(got, want) {
		t.Fatalf("trail after the outage %v, want %v", got, want)
	}
}

// TestEntriesLeftByAStoppedProcessAreWrittenByTheNext: a spool stopped while the store refused its
// entries leaves them in its file; the next spool on the directory writes them into the store,
// skips the torn line of an append that never returned, and removes the file.
func TestEntriesLeftByAStoppedProcessAreWrittenByTheNext(t *testing.T) {
	st := newStore(t)
	dir := t.TempDir()
	st.down.Store(true)
	first, err := Open(dir, st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"aud-1", "aud-2"} {
		if err := first.AppendAudit(t.Context(), entry(id)); err != nil {
			t.Fatal(err)
		}
	}
	left := first.file.Name()
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(left, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatalf("the stopped spool left no file: %v", err)
	}
	if _, err := f.WriteString(`{"ID":"aud-3","Subj`); err != nil {
		t.Fatal(err)
	}
	f.Close()

	st.down.Store(false)
	next := open(t, dir, st, Options{})
	got, err := trail(t, t.Context(), next)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"aud-1", "aud-2"}; !slices.Equal(got, want) {
		t.Fatalf("trail %v, want %v", got, want)
	}
	if _, err := os.Stat(left); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the stopped spool's file is still there: %v", err)
	}
	// Written once more (a crash after the store took them but before the file was emptied), they
	// are kept once.
	again := open(t, t.TempDir(), st, Options{})
	if err := again.AppendAudit(t.Context(), entry("aud-1"), entry("aud-2")); err != nil {
		t.Fatal(err)
	}
	if got, err := trail(t, t.Context(), again); err != nil || len(got) != 2 {
		t.Fatalf("trail after writing the entries again: %v, %v", got, err)
	}
}

// TestARunningProcessKeepsItsFile: a spool does not take over the file of one still running, and a
// spool that wrote every entry removes its file when closed.
func TestARunningProcessKeepsItsFile(t *testing.T) {
	st := newStore(t)
	dir := t.TempDir()
	st.down.Store(true)
	running := open(t, dir, st, Options{})
	if err := running.AppendAudit(t.Context(), entry("aud-1")); err != nil {
		t.Fatal(err)
	}
	other := open(t, dir, st.Store, Options{}) // the same store, taking entries
	if got, err := trail(t, t.Context(), other); err != nil || len(got) != 0 {
		t.Fatalf("the other spool wrote the running one's entries: %v, %v", got, err)
	}
	if _, err := os.Stat(running.file.Name()); err != nil {
		t.Fatal(err)
	}
	st.down.Store(false)
	if got, err := trail(t, t.Context(), running); err != nil || !slices.Equal(got, []string{"aud-1"}) {
		t.Fatalf("trail %v, %v", got, err)
	}
	if err := running.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 1 || !strings.Contains(files[0], fmt.Sprint(os.Getpid())) || files[0] == running.file.Name() {
		t.Fatalf("files left: %v", files) // the other spool's own, still open
	}
}
