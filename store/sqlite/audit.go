package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/sarhad/sarhad"
)

// auditRowsPerStatement keeps an append's statement under SQLite's limit of 32,766 parameters.
const auditRowsPerStatement = 1000

// AppendAudit implements sarhad.AuditTrail: the entries in one statement of the writer, or in one
// transaction of several statements when they are many.
func (s *Store) AppendAudit(ctx context.Context, entries ...*sarhad.AuditEntry) error {
	if len(entries) <= auditRowsPerStatement {
		return wrap(ctx, appendAudit(ctx, s.writer, entries))
	}
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return wrap(ctx, err)
	}
	defer tx.Rollback()
	for chunk := range slices.Chunk(entries, auditRowsPerStatement) {
		if err := appendAudit(ctx, tx, chunk); err != nil {
			return wrap(ctx, err)
		}
	}
	return wrap(ctx, tx.Commit())
}

func appendAudit(ctx context.Context, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, entries []*sarhad.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	const row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	args := make([]any, 0, 12*len(entries))
	for _, e := range entries {
		args = append(args, e.ID, stamp(e.Time), e.Subject, jsonList(e.Roles), e.Country, e.Org, e.OperationName,
			e.OperationType, e.QueryHash, e.Variables, jsonList(e.SensitiveIDs), e.Outcome)
	}
	// A retried append of the same entry (same id) adds nothing, as in every store.
	_, err := db.ExecContext(ctx, `INSERT INTO audit_log (id, time, subject, roles, country, org, operation_name,
		operation_type, query_hash, variables, sensitive_ids, outcome) VALUES `+
		strings.Repeat(row+", ", len(entries)-1)+row+` ON CONFLICT (id) DO NOTHING`, args...)
	return err
}

// AuditLog implements sarhad.AuditTrail.
func (s *Store) AuditLog(ctx context.Context, q sarhad.AuditQuery) (*sarhad.AuditPage, error) {
	if _, err := sarhad.ViewerFrom(ctx); err != nil {
		return nil, err
	}
	var where []string
	var args []any
	add := func(cond string, arg sql.NamedArg) {
		where = append(where, cond)
		args = append(args, arg)
	}
	if q.Subject != "" {
		add("subject = :subject", sql.Named("subject", q.Subject))
	}
	if q.Org != "" {
		add("org = :org", sql.Named("org", q.Org))
	}
	if q.OperationName != "" {
		add("operation_name = :op", sql.Named("op", q.OperationName))
	}
	if !q.From.IsZero() {
		add("time >= :from", sql.Named("from", stamp(q.From)))
	}
	if !q.To.IsZero() {
		add("time <= :to", sql.Named("to", stamp(q.To)))
	}
	if q.RecordID != "" {
		add("EXISTS (SELECT 1 FROM json_each(sensitive_ids) WHERE value = :rec)", sql.Named("rec", q.RecordID))
	}
	filter := "1 = 1"
	if len(where) > 0 {
		filter = strings.Join(where, " AND ")
	}
	page := &sarhad.AuditPage{}
	err := s.read(ctx, func(tx querier) error {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE `+filter, args...).Scan(&page.TotalCount); err != nil {
			return err
		}
		after := ""
		if q.Page.After != "" {
			after = " AND seq < (SELECT seq FROM audit_log WHERE id = :after)"
			args = append(args, sql.Named("after", q.Page.After))
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, time, subject, roles, country, org, operation_name, operation_type,
			query_hash, variables, sensitive_ids, outcome FROM audit_log WHERE `+filter+after+` ORDER BY seq DESC LIMIT :limit`,
			append(args, sql.Named("limit", q.Page.First+1))...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e := &sarhad.AuditEntry{}
			var t, roles, ids string
			if err := rows.Scan(&e.ID, &t, &e.Subject, &roles, &e.Country, &e.Org, &e.OperationName, &e.OperationType,
				&e.QueryHash, &e.Variables, &ids, &e.Outcome); err != nil {
				return err
			}
			if e.Time, err = time.Parse(time.RFC3339Nano, t); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(roles), &e.Roles); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(ids), &e.SensitiveIDs); err != nil {
				return err
			}
			page.Entries = append(page.Entries, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	if len(page.Entries) > q.Page.First {
		page.Entries, page.HasNextPage = page.Entries[:q.Page.First], true
	}
	return page, nil
}
