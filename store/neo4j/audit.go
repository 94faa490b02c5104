package neo4j

import (
	"context"
	"fmt"
	"strings"

	"github.com/sarhad/sarhad"
)

// AppendAudit implements sarhad.AuditTrail. Entries are ordered by a sequence number drawn, in the
// same transaction, from a counter node locked for the increment, so newest-first is insertion
// order as in the embedded store. It is one auto-commit statement (one round trip), idempotent by
// entry id: a retried statement appends nothing twice. (Neo4j has no triggers: append-only is kept
// by the store, which never updates or deletes an entry.)
func (s *Store) AppendAudit(ctx context.Context, entries ...*sarhad.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	rows := make([]any, len(entries))
	for i, e := range entries {
		props := map[string]any{
			"id": e.ID, "time": stamp(e.Time), "subject": e.Subject, "country": e.Country, "org": e.Org,
			"operationName": e.OperationName, "operationType": e.OperationType, "queryHash": e.QueryHash,
			"variables": e.Variables, "outcome": e.Outcome,
		}
		if len(e.Roles) > 0 {
			roles := make([]string, len(e.Roles))
			for i, r := range e.Roles {
				roles[i] = string(r)
			}
			props["roles"] = roles
		}
		if len(e.SensitiveIDs) > 0 {
			props["sensitiveIds"] = e.SensitiveIDs
		}
		rows[i] = props
	}
	// The counter is locked (SET _lock) before it is read, so that concurrent appends take
	// consecutive numbers.
	err := s.autoWrite(ctx, `UNWIND $rows AS row
			OPTIONAL MATCH (x:`+auditLabel+` {id: row.id})
			WITH row WHERE x IS NULL
			WITH collect(row) AS fresh WHERE size(fresh) > 0
			MERGE (c:`+auditSeqLabel+` {name: 'audit'}) ON CREATE SET c.value = 0
			SET c._lock = true
			WITH c, fresh, c.value AS base
			SET c.value = base + size(fresh)
			REMOVE c._lock
			WITH base, fresh
			UNWIND range(0, size(fresh) - 1) AS i
			CREATE (a:`+auditLabel+`)
			SET a = fresh[i], a.seq = base + i + 1`, map[string]any{"rows": rows})
	return wrap(ctx, "append audit", err)
}

// auditMap projects an audit entry.
const auditMap = `a {.id, .time, .subject, .roles, .country, .org, .operationName, .operationType, .queryHash,
	.variables, .sensitiveIds, .outcome}`

// AuditLog implements sarhad.AuditTrail: the count and the page in one statement, newest first.
func (s *Store) AuditLog(ctx context.Context, q sarhad.AuditQuery) (*sarhad.AuditPage, error) {
	if _, err := sarhad.ViewerFrom(ctx); err != nil {
		return nil, err
	}
	where := []string{"true"}
	params := map[string]any{"after": q.Page.After, "limit": q.Page.First + 1}
	add := func(cond, name string, value any) {
		where = append(where, cond)
		params[name] = value
	}
	if q.Subject != "" {
		add("a.subject = $subject", "subject", q.Subject)
	}
	if q.Org != "" {
		add("a.org = $org", "org", q.Org)
	}
	if q.OperationName != "" {
		add("a.operationName = $op", "op", q.OperationName)
	}
	if !q.From.IsZero() {
		add("a.time >= $from", "from", stamp(q.From))
	}
	if !q.To.IsZero() {
		add("a.time <= $to", "to", stamp(q.To))
	}
	if q.RecordID != "" {
		add("$rec IN a.sensitiveIds", "rec", q.RecordID)
	}
	filter := strings.Join(where, " AND ")
	records, err := s.read(ctx, `CALL () { MATCH (a:`+auditLabel+`) WHERE `+filter+` RETURN count(a) AS total }
		CALL () {
			OPTIONAL MATCH (p:`+auditLabel+` {id: $after})
			MATCH (a:`+auditLabel+`) WHERE `+filter+` AND ($after = '' OR a.seq < p.seq)
			WITH a ORDER BY a.seq DESC LIMIT $limit
			RETURN collect(`+auditMap+`) AS entries }
		RETURN total, entries`, params)
	if err != nil {
		return nil, wrap(ctx, "audit log", err)
	}
	if len(records) != 1 {
		return nil, fmt.Errorf("neo4j: audit log: %d records", len(records))
	}
	total, _ := records[0].Values[0].(int64)
	page := &sarhad.AuditPage{TotalCount: int(total)}
	raw, _ := records[0].Values[1].([]any)
	for _, x := range raw {
		m, _ := x.(map[string]any)
		e := &sarhad.AuditEntry{ID: str(m, "id"), Subject: str(m, "subject"), Country: str(m, "country"),
			Org: str(m, "org"), OperationName: str(m, "operationName"), OperationType: str(m, "operationType"),
			QueryHash: str(m, "queryHash"), Variables: str(m, "variables"), SensitiveIDs: strs(m, "sensitiveIds"),
			Outcome: str(m, "outcome")}
		for _, r := range strs(m, "roles") {
			e.Roles = append(e.Roles, sarhad.Role(r))
		}
		if e.Time, err = stampOf(m, "time"); err != nil {
			return nil, wrap(ctx, "audit log", err)
		}
		page.Entries = append(page.Entries, e)
	}
	if len(page.Entries) > q.Page.First {
		page.Entries, page.HasNextPage = page.Entries[:q.Page.First], true
	}
	return page, nil
}
