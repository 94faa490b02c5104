// Package spool keeps a server's audit entries on its own disk until the store holds them.
//
// Every answer waits for its audit entry to be durable. A durable commit to Neo4j costs a round trip
// and a forced write of the transaction log: about a millisecond on the benchmark's machine, as
// much as the rest of a simple question. A Spool makes an entry durable with one append and sync of
// a local file (about 0.15 ms there), and writes the entries into the store (Store.AppendAudit) in
// the background, in order, in batches. The audit trail the store holds is the same as before, a
// few milliseconds later; AuditLog waits for the entries appended before it, so a reader of the
// trail sees every answer given before the read.
//
// Each process appends to a file of its own, locked while the process runs. A process that stops
// before its entries are in the store leaves its file, and the next Spool opened on the directory
// takes the entries over. Appending an entry the store holds already changes nothing
// (sarhad.AuditTrail), so an entry written twice, before and after a crash, is kept once.
package spool

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/sarhad/sarhad"
)

// Options tune a Spool; zero values take the defaults.
type Options struct {
	// MaxPending bounds the entries waiting for the store (default 10,000). Beyond it an append is
	// refused (UNAVAILABLE), as a direct append to an unreachable store would be, so a long outage
	// fails requests rather than growing the file without bound.
	MaxPending int
	// Batch is the most entries one store append writes (default 256).
	Batch int
	// Timeout bounds one store append (default 5 s).
	Timeout time.Duration
	// Logger receives a warning when the store refuses a batch (the error, never an entry).
	Logger *slog.Logger
}

// Spool is a sarhad.Store whose audit entries go through a local file (see the package comment).
// Its other methods are the store's.
type Spool struct {
	sarhad.Store
	opts Options
	file *os.File // this process's spool file, locked
	wake chan struct{}
	stop chan struct{}
	done chan struct{}

	mu       sync.Mutex
	pending  []*sarhad.AuditEntry // durable (or being synced), not yet in the store
	appended uint64               // entries appended since Open, taken-over ones included
	shipped  uint64               // of those, how many the store holds
	failure  error                // the last failed store append while entries wait, nil once one succeeds
	changed  chan struct{}        // closed and replaced whenever shipped grows
	closed   bool
}

// Open starts a Spool over st in directory dir (created if needed; it should hold the spool of
// this store only). Entries that stopped processes left in dir are taken over and written first.
func Open(dir string, st sarhad.Store, opts Options) (*Spool, error) {
	if opts.MaxPending <= 0 {
		opts.MaxPending = 10_000
	}
	if opts.Batch <= 0 {
		opts.Batch = 256
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("audit spool: %w", err)
	}
	file, err := create(dir)
	if err != nil {
		return nil, err
	}
	s := &Spool{Store: st, opts: opts, file: file, wake: make(chan struct{}, 1), stop: make(chan struct{}),
		done: make(chan struct{}), changed: make(chan struct{})}
	if err := s.takeOver(dir); err != nil {
		file.Close()
		os.Remove(file.Name())
		return nil, err
	}
	go s.ship()
	return s, nil
}

// create makes and locks this process's spool file.
func create(dir string) (*os.File, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	name := filepath.Join(dir, fmt.Sprintf("audit-%d-%s.jsonl", os.Getpid(), hex.EncodeToString(b[:])))
	f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit spool: %w", err)
	}
	if ok, err := tryLock(f); err != nil || !ok {
		f.Close()
		os.Remove(name)
		return nil, fmt.Errorf("audit spool: lock %s: %w", name, cmpErr(err, errors.New("held by another process")))
	}
	return f, nil
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// takeOver appends to this process's file the entries of every file in dir that no running process
// holds, then removes those files.
func (s *Spool) takeOver(dir string) error {
	names, err := filepath.Glob(filepath.Join(dir, "audit-*.jsonl"))
	if err != nil {
		return err
	}
	for _, name := range names {
		if name == s.file.Name() {
			continue
		}
		f, err := os.OpenFile(name, os.O_RDWR, 0)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue // taken over by another process meanwhile
			}
			return fmt.Errorf("audit spool: %w", err)
		}
		err = func() error {
			defer f.Close()
			if ok, err := tryLock(f); err != nil || !ok {
				return err // a running process's file: it writes its entries itself
			}
			entries, err := read(f)
			if err != nil {
				return fmt.Errorf("audit spool: %s: %w", name, err)
			}
			if err := s.append(entries); err != nil {
				return err
			}
			return os.Remove(name)
		}()
		if err != nil {
			return err
		}
	}
	return nil
}

// read decodes the entries of a spool file. A line that does not decode is empty, or the torn end
// of an append that never returned (its request got no answer), and is skipped.
func read(f *os.File) ([]*sarhad.AuditEntry, error) {
	var entries []*sarhad.AuditEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		e := &sarhad.AuditEntry{}
		if err := json.Unmarshal(sc.Bytes(), e); err == nil && e.ID != "" {
			entries = append(entries, e)
		}
	}
	return entries, sc.Err()
}

// AppendAudit implements sarhad.AuditTrail: the entries are durable in the spool file when it
// returns, and in the store soon after. UNAVAILABLE when more than Options.MaxPending entries would
// wait for the store.
func (s *Spool) AppendAudit(ctx context.Context, entries ...*sarhad.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	return s.append(entries)
}

func (s *Spool) append(entries []*sarhad.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	// A line break first: should an earlier write have failed halfway, its torn line ends here
	// rather than running into this batch's first entry.
	buf := bytes.NewBufferString("\n")
	enc := json.NewEncoder(buf)
	queued := make([]*sarhad.AuditEntry, len(entries))
	for i, e := range entries {
		if err := enc.Encode(e); err != nil {
			return err
		}
		c := *e // the caller's entry may change once this returns
		queued[i] = &c
	}
	s.mu.Lock()
	switch {
	case s.closed:
		s.mu.Unlock()
		return &sarhad.Error{Code: sarhad.EUNAVAILABLE, Message: "the audit trail is closed"}
	case len(s.pending)+len(entries) > s.opts.MaxPending:
		s.mu.Unlock()
		return &sarhad.Error{Code: sarhad.EUNAVAILABLE, Message: "the audit trail cannot be written; retry later"}
	}
	// Written and queued under the lock, so that the file is emptied only when every entry in it
	// is in the store; synced outside it, so that concurrent appends share the disk's time.
	_, err := s.file.Write(buf.Bytes())
	if err == nil {
		s.pending = append(s.pending, queued...)
		s.appended += uint64(len(entries))
	}
	s.mu.Unlock()
	if err == nil {
		err = s.file.Sync()
	}
	if err != nil {
		return fmt.Errorf("audit spool: %w", err)
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return nil
}

// ship writes the waiting entries into the store until Close, retrying a failed batch with a
// growing pause.
func (s *Spool) ship() {
	defer close(s.done)
	const minPause, maxPause = 50 * time.Millisecond, 5 * time.Second
	pause := minPause
	for {
		err := s.flush()
		var retry <-chan time.Time
		if err != nil {
			retry = time.After(pause)
			pause = min(2*pause, maxPause)
		} else {
			pause = minPause
		}
		select {
		case <-s.stop:
			if err == nil {
				s.flush() // once more; what is left stays in the file for the next Open
			}
			return
		case <-s.wake:
		case <-retry:
		}
	}
}

// flush writes the waiting entries into the store, a batch at a time, until none wait or a batch
// fails.
func (s *Spool) flush() error {
	for {
		s.mu.Lock()
		batch := s.pending[:min(len(s.pending), s.opts.Batch):min(len(s.pending), s.opts.Batch)]
		s.mu.Unlock()
		if len(batch) == 0 {
			return nil
		}
		ctx, cancel := context.WithTimeout(context.Background(), s.opts.Timeout)
		err := s.Store.AppendAudit(ctx, batch...)
		cancel()
		s.mu.Lock()
		if err != nil {
			if s.failure == nil {
				s.opts.Logger.Warn("audit spool: the store refused audit entries; retrying", "entries", len(s.pending), "error", err)
			}
			s.failure = err
			s.mu.Unlock()
			return err
		}
		if s.failure != nil {
			s.opts.Logger.Info("audit spool: the store takes audit entries again")
		}
		s.failure = nil
		s.pending = append([]*sarhad.AuditEntry(nil), s.pending[len(batch):]...)
		s.shipped += uint64(len(batch))
		if len(s.pending) == 0 {
			// Every entry in the file is in the store. Not synced: an emptying lost in a crash
			// only writes the entries again, which changes nothing.
			if err := s.file.Truncate(0); err != nil {
				s.opts.Logger.Warn("audit spool: emptying the spool file failed", "error", err)
			}
		}
		close(s.changed)
		s.changed = make(chan struct{})
		s.mu.Unlock()
	}
}

// AuditLog implements sarhad.AuditTrail: the store's trail once it holds every entry appended
// before the call. UNAVAILABLE when ctx ends first.
func (s *Spool) AuditLog(ctx context.Context, q sarhad.AuditQuery) (*sarhad.AuditPage, error) {
	if err := s.Sync(ctx); err != nil {
		return nil, err
	}
	return s.Store.AuditLog(ctx, q)
}

// Sync returns once the store holds the entries appended before the call; UNAVAILABLE when ctx
// ends first.
func (s *Spool) Sync(ctx context.Context) error {
	s.mu.Lock()
	target := s.appended
	s.mu.Unlock()
	for {
		s.mu.Lock()
		shipped, changed, failure := s.shipped, s.changed, s.failure
		s.mu.Unlock()
		if shipped >= target {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			msg := "audit entries are still being written to the store; retry"
			if failure != nil {
				msg = "the store does not take audit entries; retry later"
			}
			return &sarhad.Error{Code: sarhad.EUNAVAILABLE, Message: msg}
		}
	}
}

// Close stops the Spool after one more attempt to write the waiting entries into the store, unless
// the last one failed. Its
// file is removed when none wait; otherwise it is left, unlocked, for the next Open. It does not
// close the store.
func (s *Spool) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	close(s.stop)
	<-s.done
	s.mu.Lock()
	left := len(s.pending)
	s.mu.Unlock()
	name := s.file.Name()
	err := s.file.Close()
	if left == 0 {
		err = errors.Join(err, os.Remove(name))
	} else {
		s.opts.Logger.Warn("audit spool: audit entries left for the next start", "entries", left, "file", name)
	}
	return err
}
