package sarhad

import "context"

// RecordNamedVictimsOperation is the operation name of the audit entries RecordNamedVictims writes.
const RecordNamedVictimsOperation = "recordNamedVictims"

// RecordNamedVictims records as victims, with empty victim details, the persons that stored
// relationships name victims (Relationship.NamedVictim) although their records are not victims'
// (Store.UnrecordedVictims): relationships stored before Apply refused them, or written into the
// database by other means. Until then such a person's name, and the phones and documents they hold,
// reach everyone who may see the record; recorded, they are protected as every victim is. The
// server calls it at start-up, before it serves requests: it puts each person as read, so a
// concurrent change to the same record would be lost.
//
// It writes as the system, MaxPageSize persons per change set, each with an audit entry written
// before (STARTED) and after (OK, or the error's code) that lists them. It returns the ids recorded.
func (s *Service) RecordNamedVictims(ctx context.Context) ([]string, error) {
	v := SystemViewer()
	ctx = NewContext(ctx, v)
	var recorded []string
	for after := ""; ; {
		ids, err := s.Store.UnrecordedVictims(ctx, Page{First: MaxPageSize, After: after})
		if err != nil || len(ids) == 0 {
			return recorded, err
		}
		after = ids[len(ids)-1]
		found, err := s.Store.Entities(ctx, ids)
		if err != nil {
			return recorded, err
		}
		now := s.Now().UTC()
		var put []Entity
		var batch []string
		for _, e := range found {
			p, ok := e.(*Person)
			if !ok || p.IsVictim() {
				continue // removed, or recorded, since it was listed
			}
			p.Victim = &VictimDetails{}
			p.UpdatedAt, p.UpdatedBy = now, v.Subject
			put = append(put, p)
			batch = append(batch, p.ID)
		}
		if len(put) == 0 {
			continue
		}
		entry := AuditEntry{Subject: v.Subject, Roles: v.Roles, OperationName: RecordNamedVictimsOperation,
			OperationType: "mutation", Variables: "{}", SensitiveIDs: batch}
		started := entry
		started.Outcome = AuditStarted
		if err := s.Audit(ctx, &started); err != nil {
			return recorded, err
		}
		_, err = s.Store.Apply(ctx, &ChangeSet{Put: put})
		entry.Outcome = AuditOK
		if err != nil {
			entry.Outcome = ErrorCode(err)
		}
		if auditErr := s.Audit(ctx, &entry); err == nil {
			err = auditErr
		}
		if err != nil {
			return recorded, err
		}
		recorded = append(recorded, batch...)
	}
}
