package sarhad

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// RecordNamedVictimsOperation is the operation name of the audit entries RecordNamedVictims writes.
const RecordNamedVictimsOperation = "recordNamedVictims"

// recordAuditTimeout bounds each audit write of RecordNamedVictims, which is made even when ctx is
// done: the change set before it may have been written.
const recordAuditTimeout = 10 * time.Second

// protectTimeout bounds ProtectSameAs, which runs even when its caller's context is done.
const protectTimeout = 30 * time.Second

// RecordNamedVictims records as victims, with empty victim details, the persons that stored
// relationships name victims (Relationship.NamedVictim), or tie by SAME_AS to a victim's record,
// although their records are not victims' (Store.UnrecordedVictims): relationships stored before
// Apply refused them, or written into the database by other means, or a person recorded as a
// victim after a SAME_AS tied them to another record. Until then such a person's name, and the
// phones and documents they hold, reach everyone who may see the record; recorded, they are
// protected as every victim is. Only the system viewer may (FORBIDDEN otherwise); the server calls
// it at start-up, before it serves.
//
// Each person is put as read, with the sources added since kept (ChangeSet.KeepSources): another
// change to the same person between the read and the write, milliseconds apart, would be replaced.
// A person whose attributes say victim while the store's flag does not (data written by other means)
// is listed again at every call and left as it is. Each change set holds a page of MaxPageSize
// persons listed, with the persons that SAME_AS ties to them whose records are not victims' (the
// same person, which recording one would tie to a victim's record: a chain), each change set with
// an audit entry written before (STARTED) and after (OK, or the error's code) that lists them. It
// returns the ids recorded, with those of the change sets written before an error.
func (s *Service) RecordNamedVictims(ctx context.Context) ([]string, error) {
	v, err := SystemViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
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
		put, batch, err := s.withSameAs(ctx, v, found, nil)
		if err != nil {
			return recorded, err
		}
		if len(put) > 0 {
			if err := s.recordVictims(ctx, v, put, batch, "{}"); err != nil {
				return recorded, fmt.Errorf("recording %d persons as victims: %w", len(batch), err)
			}
			recorded = append(recorded, batch...)
		}
		if len(ids) < MaxPageSize {
			return recorded, nil
		}
	}
}

// withSameAs returns found's persons whose records are not victims', and the persons SAME_AS ties
// to them, or to recorded (ids of persons recorded as victims already), directly or through others,
// whose records are not victims' either — the same person — each made a victim's record with empty
// details for viewer v to put, and their ids. It reads past the access policy when ctx's viewer is
// the system. Persons whose attributes say victim are left out: removed, or recorded, since they
// were listed, or flagged apart from their attributes.
func (s *Service) withSameAs(ctx context.Context, v *Viewer, found []Entity, recorded []string) (put []Entity, ids []string, err error) {
	now := s.Now().UTC()
	known := map[string]bool{}
	for _, id := range recorded {
		known[id] = true
	}
	add := func(found []Entity) {
		for _, e := range found {
			p, ok := e.(*Person)
			if !ok || p.IsVictim() || known[p.ID] {
				continue
			}
			p.Victim = &VictimDetails{}
			p.UpdatedAt, p.UpdatedBy = now, v.Subject
			put = append(put, p)
			ids = append(ids, p.ID)
			known[p.ID] = true
		}
	}
	add(found)
	for frontier := append(slices.Clone(recorded), ids...); len(frontier) > 0; {
		ties, err := s.Store.Relationships(ctx, RelationshipQuery{Anchors: frontier, Direction: DirBoth,
			Types: []RelationType{RelSameAs}})
		if err != nil {
			return nil, nil, err
		}
		var others []string
		asked := map[string]bool{}
		for _, r := range ties {
			for _, id := range []string{r.From, r.To} {
				if !known[id] && !asked[id] {
					asked[id] = true
					others = append(others, id)
				}
			}
		}
		tied, err := s.Store.Entities(ctx, others)
		if err != nil {
			return nil, nil, err
		}
		before := len(ids)
		add(tied)
		frontier = ids[before:]
	}
	return put, ids, nil
}

// ProtectSameAs records as victims the persons that SAME_AS ties to the persons ids, whose records
// the caller has just written as victims', as RecordNamedVictims would at the next start: the same
// person under another record, whose name beside the victim's pseudonym would tell who the victim
// is. The writer may not see those records (another organisation's), so it reads and writes them
// as the system, audited as RecordNamedVictims's change sets are. Service.Create and Update call it
// for a victim's record they write, an import (ingest.Options.VictimsWritten) for each batch.
func (s *Service) ProtectSameAs(ctx context.Context, ids []string) error {
	// The victims' records are written already: their other records are protected even when the
	// request is cancelled now (its client gone, its deadline passed).
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), protectTimeout)
	defer cancel()
	// The entries name who wrote the victims' records, whose request this change set follows.
	requestedBy := map[string]string{"requestedBy": ""}
	if v, err := ViewerFrom(ctx); err == nil {
		requestedBy["requestedBy"] = v.Subject
	}
	variables, err := json.Marshal(requestedBy)
	if err != nil {
		return err
	}
	sys := SystemViewer()
	ctx = NewContext(ctx, sys)
	put, tied, err := s.withSameAs(ctx, sys, nil, ids)
	if err != nil || len(put) == 0 {
		return err
	}
	if err := s.recordVictims(ctx, sys, put, tied, string(variables)); err != nil {
		return fmt.Errorf("recording %d persons tied by SAME_AS to victims' records as victims: %w", len(tied), err)
	}
	return nil
}

// recordVictims writes one change set of RecordNamedVictims between its two audit entries, whose
// variables are given (JSON).
func (s *Service) recordVictims(ctx context.Context, v *Viewer, put []Entity, ids []string, variables string) error {
	audit := func(outcome string) error {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordAuditTimeout)
		defer cancel()
		return s.Audit(actx, &AuditEntry{Subject: v.Subject, Roles: v.Roles, OperationName: RecordNamedVictimsOperation,
			OperationType: "mutation", Variables: variables, SensitiveIDs: ids, Outcome: outcome})
	}
	if err := audit(AuditStarted); err != nil {
		return err
	}
	_, err := s.Store.Apply(ctx, &ChangeSet{Put: put, KeepSources: true})
	outcome := AuditOK
	if err != nil {
		outcome = ErrorCode(err)
	}
	if auditErr := audit(outcome); err == nil {
		err = auditErr
	}
	return err
}
