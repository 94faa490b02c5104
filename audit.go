package sarhad

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"time"
)

// AuditEntry records one GraphQL operation: who asked, when, what, and which sensitive records the
// answer contained. The trail is append-only and lives in the same store as the data.
type AuditEntry struct {
	ID            string
	Time          time.Time
	Subject       string
	Roles         []Role
	Country       string
	Org           string
	OperationName string
	OperationType string // query or mutation
	// QueryHash is the SHA-256 of the query text; the text itself may hold names and is not kept.
	QueryHash string
	// Variables is the operation's variables as JSON, with every value that could identify a person
	// replaced by "[redacted]" (see the GraphQL layer's redaction rule).
	Variables string
	// SensitiveIDs are the ids of the victims and of the RED, AMBER+STRICT and AMBER records and
	// relationships the response contained.
	SensitiveIDs []string
	// Outcome is OK, STARTED (written before a mutation runs), or the code of the first error.
	Outcome string
}

// Sensitive reports whether the audit lists an entity that an answer holds: a victim, or a record
// marked RED, AMBER+STRICT or AMBER (Handling.Sensitive).
func Sensitive(e Entity) bool { return e.EntityMeta().Handling.Sensitive() || IsVictim(e) }

// SensitiveIDs gathers the ids of the sensitive records an answer holds, each once (an answer may
// meet a record many times), for its audit entry. It is safe for concurrent use.
type SensitiveIDs struct {
	mu  sync.Mutex
	ids map[string]struct{}
}

// Note adds id.
func (s *SensitiveIDs) Note(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ids == nil {
		s.ids = map[string]struct{}{}
	}
	s.ids[id] = struct{}{}
}

// List returns the ids noted, sorted.
func (s *SensitiveIDs) List() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.ids))
}

type sensitiveIDsKey struct{}

// WithSensitiveIDs returns a context in which what reads records for an answer (Walk, the GraphQL
// layer) notes the sensitive ones in s.
func WithSensitiveIDs(ctx context.Context, s *SensitiveIDs) context.Context {
	return context.WithValue(ctx, sensitiveIDsKey{}, s)
}

// SensitiveIDsFrom returns the SensitiveIDs of ctx, or nil.
func SensitiveIDsFrom(ctx context.Context) *SensitiveIDs {
	s, _ := ctx.Value(sensitiveIDsKey{}).(*SensitiveIDs)
	return s
}

// Audit outcomes besides error codes.
const (
	AuditOK      = "OK"
	AuditStarted = "STARTED"
)

// AuditQuery selects audit entries, newest first.
type AuditQuery struct {
	Subject string
	// Org, when not empty, keeps the entries of the requests of that organisation's users.
	Org           string
	OperationName string
	From, To      time.Time // zero: unbounded
	RecordID      string    // entries whose response contained this record
	Page          Page      // After is the id of the last entry of the previous page
}

// AuditPage is a page of audit entries with the total count of matches.
type AuditPage struct {
	Entries     []*AuditEntry
	TotalCount  int
	HasNextPage bool
}

// AuditTrail is where audit entries are kept: every Store is one.
type AuditTrail interface {
	// AppendAudit appends entries, in order, in one transaction: all or none. Appending an entry
	// whose id is already there changes nothing (a retry). Entries are never changed or deleted.
	AppendAudit(ctx context.Context, entries ...*AuditEntry) error
	// AuditLog returns entries matching q, newest (last appended) first. It applies no handling policy: access is
	// decided by the caller (Service.AuditLog).
	AuditLog(ctx context.Context, q AuditQuery) (*AuditPage, error)
}

// Audit appends an entry, stamping its id and time, and returns once it is stored. The entries of
// concurrent requests are appended together (see auditQueue).
func (s *Service) Audit(ctx context.Context, e *AuditEntry) error {
	now := s.Now().UTC()
	id, err := NewAuditID(now, s.Rand)
	if err != nil {
		return err
	}
	e.ID, e.Time = id, now
	return s.audits.append(ctx, s.Store, e)
}

// maxAuditBatch bounds how many entries one append writes.
const maxAuditBatch = 256

// auditQueue is a group commit of the audit trail. Every request writes its entry before its
// answer leaves, and each append is a durable commit (a disk sync) that would otherwise run one
// after another: on Neo4j the entries also take their sequence numbers from one locked counter.
// So while one append is being written, the entries of other requests queue; when it is done the
// first of them writes every queued entry (up to maxAuditBatch) in one append, and each request
// returns once the append holding its entry is done, with that append's error. A lone request
// writes at once, as before. There is no goroutine of its own: the request at the head of the
// queue writes.
//
// A queued request waits for the appends before its own without its context: each append is
// bounded by the context of the request that writes it (the audit writer gives each a timeout).
type auditQueue struct {
	mu      sync.Mutex
	writing bool           // an append is being written; the next is written by queue[0]
	queue   []*queuedAudit // entries waiting for the append under way
}

type queuedAudit struct {
	e *AuditEntry
	// turn receives nil when this request is to write the queue, or the outcome of the append
	// that held its entry.
	turn chan *auditOutcome
}

type auditOutcome struct{ err error }

func (q *auditQueue) append(ctx context.Context, store AuditTrail, e *AuditEntry) error {
	me := &queuedAudit{e: e, turn: make(chan *auditOutcome, 1)}
	q.mu.Lock()
	q.queue = append(q.queue, me)
	if q.writing {
		q.mu.Unlock()
		if out := <-me.turn; out != nil {
			return out.err // written by another request
		}
		q.mu.Lock() // this request's turn to write: it is at the head of the queue
	}
	q.writing = true
	batch := q.queue[:min(len(q.queue), maxAuditBatch)]
	q.queue = slices.Clone(q.queue[len(batch):])
	q.mu.Unlock()

	entries := make([]*AuditEntry, len(batch))
	for i, a := range batch {
		entries[i] = a.e
	}
	err := errAuditPanicked // what the others learn if AppendAudit panics
	defer func() {
		q.mu.Lock()
		if len(q.queue) > 0 {
			q.queue[0].turn <- nil
		} else {
			q.writing = false
		}
		q.mu.Unlock()
		for _, a := range batch[1:] {
			a.turn <- &auditOutcome{err: err}
		}
	}()
	err = store.AppendAudit(ctx, entries...)
	return err
}

var errAuditPanicked = errors.New("audit: the append holding this entry panicked")

// AuditLog returns the audit trail to auditors, and to administrators the entries of their own
// organisation's users; FORBIDDEN for anyone else.
func (s *Service) AuditLog(ctx context.Context, q AuditQuery) (*AuditPage, error) {
	v, err := ViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case v.HasRole(RoleAuditor):
	case v.HasRole(RoleAdmin) && v.Org != "":
		// An administrator oversees their own organisation's users: the entries of others list
		// the ids of records, victims' among them, that may be hidden from the administrator.
		q.Org = v.Org
	default:
		return nil, Errorf(EFORBIDDEN, "only auditors, and administrators for their own organisation, read the audit trail")
	}
	return s.Store.AuditLog(ctx, q)
}
