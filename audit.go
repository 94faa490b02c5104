package sarhad

import (
	"context"
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

// Audit outcomes besides error codes.
const (
	AuditOK      = "OK"
	AuditStarted = "STARTED"
)

// AuditQuery selects audit entries, newest first.
type AuditQuery struct {
	Subject       string
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
	// AppendAudit appends an entry; appending an entry whose id is already there changes nothing (a
	// retry). Entries are never changed or deleted.
	AppendAudit(ctx context.Context, e *AuditEntry) error
	// AuditLog returns entries matching q, newest (last appended) first. It applies no handling policy: access is
	// decided by the caller (Service.AuditLog).
	AuditLog(ctx context.Context, q AuditQuery) (*AuditPage, error)
}

// Audit appends an entry, stamping its id and time.
func (s *Service) Audit(ctx context.Context, e *AuditEntry) error {
	now := s.Now().UTC()
	id, err := NewAuditID(now, s.Rand)
	if err != nil {
		return err
	}
	e.ID, e.Time = id, now
	return s.Store.AppendAudit(ctx, e)
}

// AuditLog returns the audit trail to administrators and auditors; FORBIDDEN for anyone else.
func (s *Service) AuditLog(ctx context.Context, q AuditQuery) (*AuditPage, error) {
	v, err := ViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
	if !v.HasRole(RoleAdmin, RoleAuditor) {
		return nil, Errorf(EFORBIDDEN, "only administrators and auditors read the audit trail")
	}
	return s.Store.AuditLog(ctx, q)
}
