package sarhad

import (
	"context"
	"crypto/rand"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// heldTrail is an audit trail whose appends wait until released, and which records what each
// append wrote.
type heldTrail struct {
	Store   // only the audit trail is used
	release chan error
	mu      sync.Mutex
	appends [][]string // ids of each append, in order
}

func (h *heldTrail) AppendAudit(_ context.Context, entries ...*AuditEntry) error {
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.ID
	}
	h.mu.Lock()
	h.appends = append(h.appends, ids)
	h.mu.Unlock()
	return <-h.release
}

func (h *heldTrail) calls() [][]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.appends)
}

// waitQueued waits until n entries wait behind the append under way.
func waitQueued(t *testing.T, s *Service, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		s.audits.mu.Lock()
		queued := len(s.audits.queue)
		s.audits.mu.Unlock()
		if queued == n {
			return
		}
	}
	t.Fatalf("never %d entries queued", n)
}

// TestAuditGroupCommit: entries that arrive while an append is under way are written together in
// the next append, in arrival order, and each request gets that append's outcome.
func TestAuditGroupCommit(t *testing.T) {
	trail := &heldTrail{release: make(chan error)}
	s := &Service{Store: trail, Now: time.Now, Rand: rand.Reader}
	ctx := t.Context()
	audit := func(subject string) (*AuditEntry, chan error) {
		e := &AuditEntry{Subject: subject}
		done := make(chan error, 1)
		go func() { done <- s.Audit(ctx, e) }()
		return e, done
	}

	first, firstDone := audit("first")
	for len(trail.calls()) == 0 {
		time.Sleep(time.Millisecond)
	}
	// Five requests arrive while the first append is written, one by one so that their order is known.
	var queued []*AuditEntry
	var queuedDone []chan error
	for i := range 5 {
		e, done := audit("queued")
		waitQueued(t, s, i+1)
		queued, queuedDone = append(queued, e), append(queuedDone, done)
	}
	trail.release <- nil
	if err := <-firstDone; err != nil {
		t.Fatalf("first: %v", err)
	}
	// The second append holds the five, in arrival order; it fails, and each of them learns it.
	for len(trail.calls()) < 2 {
		time.Sleep(time.Millisecond)
	}
	full := errors.New("disk full")
	trail.release <- full
	for i, done := range queuedDone {
		if err := <-done; !errors.Is(err, full) {
			t.Errorf("queued entry %d: %v, want the append's error", i, err)
		}
	}
	calls := trail.calls()
	want := [][]string{{first.ID}, {queued[0].ID, queued[1].ID, queued[2].ID, queued[3].ID, queued[4].ID}}
	if !slices.EqualFunc(calls, want, slices.Equal) {
		t.Fatalf("appends %v, want %v", calls, want)
	}
	// With nothing under way, an entry is written at once, alone.
	last, lastDone := audit("last")
	trail.release <- nil
	if err := <-lastDone; err != nil || !slices.Equal(trail.calls()[2], []string{last.ID}) {
		t.Fatalf("a lone entry: %v, appends %v", err, trail.calls())
	}
}

// panickingTrail panics on its first append and records the later ones.
type panickingTrail struct {
	heldTrail
	panicked bool
}

func (p *panickingTrail) AppendAudit(ctx context.Context, entries ...*AuditEntry) error {
	if !p.panicked {
		p.panicked = true
		panic("store bug")
	}
	return p.heldTrail.AppendAudit(ctx, entries...)
}

// TestAuditQueueSurvivesPanic: an append that panics does not leave the queue stuck.
func TestAuditQueueSurvivesPanic(t *testing.T) {
	trail := &panickingTrail{heldTrail: heldTrail{release: make(chan error, 1)}}
	s := &Service{Store: trail, Now: time.Now, Rand: rand.Reader}
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the append's panic did not reach its caller")
			}
		}()
		_ = s.Audit(t.Context(), &AuditEntry{})
	}()
	trail.release <- nil
	if err := s.Audit(t.Context(), &AuditEntry{}); err != nil || len(trail.calls()) != 1 {
		t.Fatalf("after a panic: %v, appends %v", err, trail.calls())
	}
}
