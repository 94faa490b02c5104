package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sarhad/sarhad"
)

// Apply implements sarhad.Store: one immediate transaction for the whole change set.
func (s *Store) Apply(ctx context.Context, cs *sarhad.ChangeSet) (*sarhad.ApplyResult, error) {
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, wrap(ctx, err)
	}
	defer tx.Rollback()
	res := &sarhad.ApplyResult{}
	for _, e := range cs.Put {
		if err := putEntity(ctx, tx, v, e, res); err != nil {
			return nil, wrap(ctx, err)
		}
	}
	for _, r := range cs.Link {
		if err := putRelationship(ctx, tx, v, r, res); err != nil {
			return nil, wrap(ctx, err)
		}
	}
	for _, id := range cs.Unlink {
		if err := deleteRelationship(ctx, tx, v, id, res); err != nil {
			return nil, wrap(ctx, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, wrap(ctx, err)
	}
	return res, nil
}

// handlingRow is the envelope of an existing record, read to check the viewer may change it.
type handlingRow struct {
	kind     string
	handling sarhad.Handling
	released string
}

func (h *handlingRow) decode() error {
	return json.Unmarshal([]byte(h.released), &h.handling.ReleasableTo)
}

// mayChange returns NOT_FOUND for a record the viewer cannot see and FORBIDDEN for one they cannot
// edit.
func mayChange(v *sarhad.Viewer, id string, h sarhad.Handling) error {
	if !h.Visible(v) {
		return sarhad.Errorf(sarhad.ENOTFOUND, "no record %s", id)
	}
	if !v.System && !sarhad.CanEdit(v, h) {
		return sarhad.Errorf(sarhad.EFORBIDDEN, "you may not edit %s", id)
	}
	return nil
}

// stampFormat is RFC 3339 with a fixed nine-digit fraction, so that stamps compare as strings.
const stampFormat = "2006-01-02T15:04:05.000000000Z07:00"

func stamp(t time.Time) string { return t.UTC().Format(stampFormat) }

func putEntity(ctx context.Context, tx *sql.Tx, v *sarhad.Viewer, e sarhad.Entity, res *sarhad.ApplyResult) error {
	m := e.EntityMeta()
	if m.Redacted {
		return sarhad.Errorf(sarhad.EFORBIDDEN, "a redacted record cannot be written back")
	}
	attrs, err := json.Marshal(e)
	if err != nil {
		return err
	}
	victim, public, err := publicAttrs(e)
	if err != nil {
		return err
	}
	h := m.Handling
	released, sources := jsonList(h.ReleasableTo), jsonList(m.SourceIDs)

	var (
		rowid                           int64
		old                             handlingRow
		oldAttrs, oldSources, oldSrcKey string
	)
	err = tx.QueryRowContext(ctx, `SELECT rowid, kind, attrs, origin_org, origin_country, tlp, releasable_to, source_ids, source_key
		FROM entities WHERE id = ?`, m.ID).Scan(&rowid, &old.kind, &oldAttrs, &old.handling.OriginatorOrg,
		&old.handling.OriginatorCountry, &old.handling.TLP, &old.released, &oldSources, &oldSrcKey)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// The id is checked against the kind only for a new record: an id already taken by another
		// kind is a CONFLICT (below), not malformed input.
		if kind, err := sarhad.KindOfID(m.ID); err != nil || kind != m.Kind {
			return sarhad.Errorf(sarhad.EINVALID, "id %q does not name a %s", m.ID, m.Kind.Label())
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO entities (id, kind, attrs, public_attrs, origin_org, origin_country,
			tlp, releasable_to, victim, source_ids, source_key, created_at, created_by, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.ID, string(m.Kind), string(attrs), public, h.OriginatorOrg, h.OriginatorCountry, string(h.TLP), released,
			victim, sources, m.SourceKey, stamp(m.CreatedAt), m.CreatedBy, stamp(m.UpdatedAt), m.UpdatedBy)
		if err != nil {
			return err
		}
		if rowid, err = r.LastInsertId(); err != nil {
			return err
		}
		res.Created++
		return indexTerms(ctx, tx, rowid, e)
	case err != nil:
		return err
	}
	if err := old.decode(); err != nil {
		return err
	}
	if _, err := visibleKind(ctx, tx, v, m.ID); err != nil {
		return err
	}
	if old.kind != string(m.Kind) {
		return sarhad.Errorf(sarhad.ECONFLICT, "id %s belongs to a %s", m.ID, old.kind)
	}
	if err := mayChange(v, m.ID, old.handling); err != nil {
		return err
	}
	if oldAttrs == string(attrs) && oldSources == sources && oldSrcKey == m.SourceKey &&
		old.handling.OriginatorOrg == h.OriginatorOrg && old.handling.OriginatorCountry == h.OriginatorCountry &&
		old.handling.TLP == h.TLP && old.released == released {
		res.Unchanged++
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE entities SET attrs = ?, public_attrs = ?, origin_org = ?, origin_country = ?,
		tlp = ?, releasable_to = ?, victim = ?, source_ids = ?, source_key = ?, updated_at = ?, updated_by = ? WHERE rowid = ?`,
		string(attrs), public, h.OriginatorOrg, h.OriginatorCountry, string(h.TLP), released, victim, sources, m.SourceKey,
		stamp(m.UpdatedAt), m.UpdatedBy, rowid); err != nil {
		return err
	}
	res.Updated++
	if _, err := tx.ExecContext(ctx, `DELETE FROM entity_terms WHERE rowid = ?`, rowid); err != nil {
		return err
	}
	return indexTerms(ctx, tx, rowid, e)
}

// publicAttrs returns whether e is a protected victim and, if so, the attributes of the victim as
// a viewer without the clearance sees them (Person.Redact), which list filters match for that viewer.
func publicAttrs(e sarhad.Entity) (victim int, public sql.NullString, err error) {
	p, ok := e.(*sarhad.Person)
	if !ok || !p.IsVictim() {
		return 0, sql.NullString{}, nil
	}
	redacted := *p
	redacted.Redact() // replaces, never mutates, the slices and victim details it withholds
	b, err := json.Marshal(&redacted)
	if err != nil {
		return 0, sql.NullString{}, err
	}
	return 1, sql.NullString{String: string(b), Valid: true}, nil
}

func indexTerms(ctx context.Context, tx *sql.Tx, rowid int64, e sarhad.Entity) error {
	terms := sarhad.SearchTerms(e.SearchNames())
	if len(terms) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO entity_terms (rowid, terms) VALUES (?, ?)`, rowid, strings.Join(terms, " "))
	return err
}

func putRelationship(ctx context.Context, tx *sql.Tx, v *sarhad.Viewer, r *sarhad.Relationship, res *sarhad.ApplyResult) error {
	if !sarhad.ValidRelationshipID(r.ID) {
		return sarhad.Errorf(sarhad.EINVALID, "%q is not a relationship id", r.ID)
	}
	// Both ends must exist, be visible, and be of kinds the type joins.
	kinds := map[string]sarhad.EntityKind{}
	for _, end := range []string{r.From, r.To} {
		kind, err := visibleKind(ctx, tx, v, end)
		if err != nil {
			return err
		}
		kinds[end] = kind
	}
	if !r.Type.Joins(kinds[r.From], kinds[r.To]) {
		return sarhad.Errorf(sarhad.EINVALID, "a %s relationship cannot go from %s to %s", r.Type, kinds[r.From], kinds[r.To])
	}
	props, err := json.Marshal(r.RelationProps)
	if err != nil {
		return err
	}
	h := r.Handling
	released, sources := jsonList(h.ReleasableTo), jsonList(r.SourceIDs)
	var (
		old                                        handlingRow
		oldType, oldFrom, oldTo, oldProps, oldSrcs string
		oldKey                                     string
	)
	err = tx.QueryRowContext(ctx, `SELECT type, from_id, to_id, props, origin_org, origin_country, tlp, releasable_to, source_ids, source_key
		FROM relationships WHERE id = ?`, r.ID).Scan(&oldType, &oldFrom, &oldTo, &oldProps, &old.handling.OriginatorOrg,
		&old.handling.OriginatorCountry, &old.handling.TLP, &old.released, &oldSrcs, &oldKey)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err := tx.ExecContext(ctx, `INSERT INTO relationships (id, type, from_id, to_id, props, origin_org, origin_country,
			tlp, releasable_to, source_ids, source_key, created_at, created_by, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, string(r.Type), r.From, r.To, string(props), h.OriginatorOrg, h.OriginatorCountry, string(h.TLP),
			released, sources, r.SourceKey, stamp(r.CreatedAt), r.CreatedBy, stamp(r.UpdatedAt), r.UpdatedBy)
		if err == nil {
			res.Created++
		}
		return err
	case err != nil:
		return err
	}
	if err := old.decode(); err != nil {
		return err
	}
	if err := mayChange(v, r.ID, old.handling); err != nil {
		return err
	}
	if oldType != string(r.Type) || oldFrom != r.From || oldTo != r.To {
		return sarhad.Errorf(sarhad.ECONFLICT, "relationship %s already joins other entities", r.ID)
	}
	if oldProps == string(props) && oldSrcs == sources && oldKey == r.SourceKey && old.handling.OriginatorOrg == h.OriginatorOrg &&
		old.handling.OriginatorCountry == h.OriginatorCountry && old.handling.TLP == h.TLP && old.released == released {
		res.Unchanged++
		return nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE relationships SET props = ?, origin_org = ?, origin_country = ?, tlp = ?,
		releasable_to = ?, source_ids = ?, source_key = ?, updated_at = ?, updated_by = ? WHERE id = ?`,
		string(props), h.OriginatorOrg, h.OriginatorCountry, string(h.TLP), released, sources, r.SourceKey,
		stamp(r.UpdatedAt), r.UpdatedBy, r.ID)
	if err == nil {
		res.Updated++
	}
	return err
}

func deleteRelationship(ctx context.Context, tx *sql.Tx, v *sarhad.Viewer, id string, res *sarhad.ApplyResult) error {
	var (
		h           handlingRow
		endsVisible bool
	)
	// A relationship is hidden when either end is hidden, whatever its own marking.
	err := tx.QueryRowContext(ctx, `SELECT r.origin_org, r.origin_country, r.tlp, r.releasable_to, `+
		visibleEntity("f")+` AND `+visibleEntity("t")+` FROM relationships r
		JOIN entities f ON f.id = r.from_id JOIN entities t ON t.id = r.to_id WHERE r.id = :id`,
		append(policyArgs(v), sql.Named("id", id))...).
		Scan(&h.handling.OriginatorOrg, &h.handling.OriginatorCountry, &h.handling.TLP, &h.released, &endsVisible)
	if errors.Is(err, sql.ErrNoRows) {
		return sarhad.Errorf(sarhad.ENOTFOUND, "no relationship %s", id)
	}
	if err != nil {
		return err
	}
	if err := h.decode(); err != nil {
		return err
	}
	if !endsVisible {
		return sarhad.Errorf(sarhad.ENOTFOUND, "no relationship %s", id)
	}
	if err := mayChange(v, id, h.handling); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM relationships WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete relationship: %w", err)
	}
	res.Deleted++
	return nil
}

// visibleKind returns the kind of entity id when the viewer may see it, NOT_FOUND otherwise.
func visibleKind(ctx context.Context, tx *sql.Tx, v *sarhad.Viewer, id string) (sarhad.EntityKind, error) {
	var kind string
	err := tx.QueryRowContext(ctx, `SELECT e.kind FROM entities e WHERE e.id = :id AND `+visibleEntity("e"),
		append(policyArgs(v), sql.Named("id", id))...).Scan(&kind)
	if errors.Is(err, sql.ErrNoRows) {
		return "", sarhad.Errorf(sarhad.ENOTFOUND, "no entity %s", id)
	}
	return sarhad.EntityKind(kind), err
}
