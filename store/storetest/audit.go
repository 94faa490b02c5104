package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
)

// testAudit checks the audit trail: appends are idempotent by id (a retried append adds nothing),
// entries come back newest first with their fields, paging, and filters by subject, organisation,
// record and time.
func testAudit(t *testing.T, h *harness) {
	s := h.store(t)
	ctx := asSystem(t.Context())
	when := time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)
	for i, subject := range []string{"a", "b", "a"} {
		e := &sarhad.AuditEntry{ID: sarhad.StableID("", fmt.Sprint(subject, i)), Time: when.Add(time.Duration(i) * time.Second),
			Subject: subject, Roles: []sarhad.Role{sarhad.RoleAnalyst}, Org: "org-" + subject, OperationType: "query", QueryHash: "h",
			Variables: "{}", SensitiveIDs: []string{fmt.Sprint("per_", i)}, Outcome: sarhad.AuditOK}
		if err := s.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
		if err := s.AppendAudit(ctx, e); err != nil { // a retried append adds nothing
			t.Fatal(err)
		}
	}
	page, err := s.AuditLog(ctx, sarhad.AuditQuery{Subject: "a", Page: sarhad.Page{First: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if page.TotalCount != 2 || len(page.Entries) != 1 || !page.HasNextPage || page.Entries[0].SensitiveIDs[0] != "per_2" {
		t.Fatalf("newest entry of a first: %+v", page)
	}
	if got := page.Entries[0]; !got.Time.Equal(when.Add(2*time.Second)) || len(got.Roles) != 1 || got.Roles[0] != sarhad.RoleAnalyst {
		t.Errorf("entry as stored: %+v", got)
	}
	next, err := s.AuditLog(ctx, sarhad.AuditQuery{Subject: "a", Page: sarhad.Page{First: 5, After: page.Entries[0].ID}})
	if err != nil || len(next.Entries) != 1 || next.Entries[0].SensitiveIDs[0] != "per_0" || next.HasNextPage {
		t.Fatalf("second page: %+v %v", next, err)
	}
	if p, _ := s.AuditLog(ctx, sarhad.AuditQuery{RecordID: "per_1", Page: sarhad.Page{First: 5}}); p.TotalCount != 1 {
		t.Errorf("by record: %d", p.TotalCount)
	}
	if p, _ := s.AuditLog(ctx, sarhad.AuditQuery{From: when.Add(time.Second), To: when.Add(time.Second), Page: sarhad.Page{First: 5}}); p.TotalCount != 1 {
		t.Errorf("by time: %d", p.TotalCount)
	}
	if p, err := s.AuditLog(ctx, sarhad.AuditQuery{Org: "org-a", Page: sarhad.Page{First: 5}}); err != nil || p.TotalCount != 2 ||
		len(p.Entries) != 2 || p.Entries[0].Org != "org-a" || p.Entries[1].Org != "org-a" {
		t.Errorf("by organisation: %+v, %v; want the 2 entries of org-a", p, err)
	}
	// Several entries in one append (the group commit of concurrent requests) are kept in their
	// order; one already there (a retried append) is not added again.
	batch := []*sarhad.AuditEntry{page.Entries[0]}
	for i := range 3 {
		batch = append(batch, &sarhad.AuditEntry{ID: sarhad.StableID("", fmt.Sprint("batch", i)), Time: when.Add(time.Minute),
			Subject: "c", OperationType: "query", QueryHash: "h", Variables: "{}", Outcome: sarhad.AuditOK})
	}
	if err := s.AppendAudit(ctx, batch...); err != nil {
		t.Fatal(err)
	}
	all, err := s.AuditLog(ctx, sarhad.AuditQuery{Page: sarhad.Page{First: 10}})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, e := range all.Entries {
		order = append(order, e.ID)
	}
	if want := []string{batch[3].ID, batch[2].ID, batch[1].ID}; all.TotalCount != 6 || !slices.Equal(order[:3], want) {
		t.Errorf("after a batch: %d entries, newest %v, want 6 and %v", all.TotalCount, order, want)
	}
	if _, err := s.AuditLog(t.Context(), sarhad.AuditQuery{Page: sarhad.Page{First: 5}}); sarhad.ErrorCode(err) != sarhad.EUNAUTHENTICATED {
		t.Errorf("AuditLog without a viewer: %v", err)
	}
}
