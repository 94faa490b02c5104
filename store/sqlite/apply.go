package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sarhad/sarhad"
)

// Apply implements sarhad.Store in one immediate transaction, set-wise, in four steps:
//
//  1. encode the change set (attributes, properties, name terms, lists as JSON) before the
//     transaction begins, keeping what cannot be encoded as the error of its item;
//  2. read, in a few statements over JSON arrays of ids, the state of every record the change set
//     touches: the relationships to link or unlink, the entities to put (whole), the ends of the
//     links and of the relationships to unlink, and — for viewers the policy applies to — the
//     holders of the identifiers among them;
//  3. decide, in Go and in the change set's order, what each item does — created, updated,
//     unchanged, deleted, or the first error (NOT_FOUND, FORBIDDEN, CONFLICT, BAD_USER_INPUT) —
//     with the domain's reference policy (Handling.Visible, CanEdit, VictimIdentifierHidden) on
//     the state as the earlier items of the change set leave it, exactly as a statement per item
//     would see it (the SQL predicates of policy.go are the same rules);
//  4. write each changed record once, as the change set leaves it, with statements prepared once
//     per transaction: entities (and their name terms), then relationship deletions, creations
//     and updates.
//
// Nothing is written before every item has been decided, so a failing change set writes nothing
// (and the transaction is rolled back in any case). The transaction takes the write lock when it
// begins, so the state read in step 2 is the state step 4 writes over. The system viewer (seed,
// importers) sees and may edit every record: for it the policy's inputs are not read at all.
func (s *Store) Apply(ctx context.Context, cs *sarhad.ChangeSet) (*sarhad.ApplyResult, error) {
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
	p := newPlan(v, cs)
	encoded := p.encode()
	defer func() { <-encoded }() // the encoders read cs: they are done when Apply returns
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return nil, wrap(ctx, err)
	}
	defer tx.Rollback()
	if err := p.load(ctx, tx); err != nil {
		return nil, wrap(ctx, err)
	}
	<-encoded
	res, err := p.decide()
	if err != nil {
		return nil, wrap(ctx, err)
	}
	if err := p.write(ctx, tx); err != nil {
		return nil, wrap(ctx, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, wrap(ctx, err)
	}
	return res, nil
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

// record is the stored form of a record's envelope and content, as the columns hold it; two
// records with equal forms are the same record (an unchanged write). The source reference does not
// count: a record read again from another line of an import is unchanged (see Meta.SourceRef).
type record struct {
	content   string // entities.attrs or relationships.props
	h         sarhad.Handling
	released  string // h.ReleasableTo as stored
	sources   string
	sourceKey string
	sourceRef string
}

func (r *record) same(o *record) bool {
	return r.content == o.content && r.sources == o.sources && r.sourceKey == o.sourceKey &&
		r.h.OriginatorOrg == o.h.OriginatorOrg &&
		r.h.OriginatorCountry == o.h.OriginatorCountry && r.h.TLP == o.h.TLP && r.released == o.released
}

func newRecord(content string, m *sarhad.Meta) record {
	h := m.Handling
	return record{content: content, released: jsonList(h.ReleasableTo), sources: jsonList(m.SourceIDs),
		sourceKey: m.SourceKey, sourceRef: m.SourceRef,
		h: sarhad.Handling{OriginatorOrg: h.OriginatorOrg, OriginatorCountry: h.OriginatorCountry, TLP: h.TLP,
			ReleasableTo: slices.Clone(h.ReleasableTo)}}
}

// encodedEntity is an entity of the change set in its stored form.
type encodedEntity struct {
	e      sarhad.Entity
	err    error // FORBIDDEN, or why it cannot be encoded: the error of its item
	rec    record
	public sql.NullString
	victim int
	terms  string
}

func (ee *encodedEntity) encode() {
	m := ee.e.EntityMeta()
	if m.Redacted {
		ee.err = sarhad.Errorf(sarhad.EFORBIDDEN, "a redacted record cannot be written back")
		return
	}
	attrs, err := json.Marshal(ee.e)
	if err != nil {
		ee.err = err
		return
	}
	if ee.victim, ee.public, err = publicAttrs(ee.e); err != nil {
		ee.err = err
		return
	}
	ee.rec = newRecord(string(attrs), m)
	ee.terms = strings.Join(sarhad.SearchTerms(ee.e.SearchNames()), " ")
}

// encodedRel is a relationship of the change set in its stored form.
type encodedRel struct {
	r      *sarhad.Relationship
	badID  bool
	err    error // why its properties cannot be encoded
	rec    record
	stamps [2]string // created, updated
}

func (er *encodedRel) encode() {
	r := er.r
	props, err := json.Marshal(r.RelationProps)
	if err != nil {
		er.err = err
		return
	}
	er.rec = newRecord(string(props), &r.Meta)
	er.stamps = [2]string{stamp(r.CreatedAt), stamp(r.UpdatedAt)}
}

// entityState is what the plan knows of an entity: as read, then as the change set leaves it.
type entityState struct {
	exists bool
	inDB   bool  // it existed when read
	rowid  int64 // when inDB
	kind   sarhad.EntityKind
	victim bool
	rec    record // read whole for the entities to put; kind, handling and victim for the others
	// holders are the holder relationships of an identifier (id → holder entity id), tracked for
	// viewers the policy applies to.
	holders map[string]string
	// write is the encoded entity to write as the change set leaves it; nil when unchanged.
	write     *encodedEntity
	createdAt string
	createdBy string
}

// holderInfo is what the victim-identifier rule needs of a holder the change set does not touch.
type holderInfo struct {
	victim    bool
	originOrg string
}

// relState is what the plan knows of a relationship.
type relState struct {
	exists   bool
	inDB     bool
	typ      sarhad.RelationType
	from, to string
	rec      record
	write    *encodedRel
}

// plan is the set-wise execution of one change set.
type plan struct {
	v       *sarhad.Viewer
	policy  bool // the policy applies to v (not the system viewer)
	puts    []encodedEntity
	links   []encodedRel
	unlinks []string

	entities map[string]*entityState
	holders  map[string]holderInfo
	rels     map[string]*relState
	released map[string][]string // decoded releasable_to lists
	entOrder []string            // ids of the entities written, in the change set's order
	relOrder []string            // ids of the relationships linked, in the change set's order
}

func newPlan(v *sarhad.Viewer, cs *sarhad.ChangeSet) *plan {
	p := &plan{v: v, policy: !v.System, unlinks: cs.Unlink,
		puts: make([]encodedEntity, len(cs.Put)), links: make([]encodedRel, len(cs.Link)),
		entities: make(map[string]*entityState, len(cs.Put)+len(cs.Link)),
		rels:     make(map[string]*relState, len(cs.Link)+len(cs.Unlink)), holders: map[string]holderInfo{},
		released: map[string][]string{}}
	for i, e := range cs.Put {
		p.puts[i].e = e
	}
	for i, r := range cs.Link {
		p.links[i] = encodedRel{r: r, badID: !sarhad.ValidRelationshipID(r.ID)}
	}
	return p
}

// encodeInBackground is the number of records from which a change set is encoded in the
// background, on every processor, while its state is read; a smaller one is encoded at once.
const encodeInBackground = 256

// encode encodes the change set into the plan and closes the returned channel when done. Load may
// run meanwhile: it reads only the ids of the change set, and the encoders write only their own
// items.
func (p *plan) encode() <-chan struct{} {
	done := make(chan struct{})
	n := len(p.puts) + len(p.links)
	item := func(i int) {
		if i < len(p.puts) {
			p.puts[i].encode()
		} else {
			p.links[i-len(p.puts)].encode()
		}
	}
	if n < encodeInBackground {
		for i := range n {
			item(i)
		}
		close(done)
		return done
	}
	const chunk = 64
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), (n+chunk-1)/chunk) {
		wg.Go(func() {
			for {
				start := int(next.Add(chunk)) - chunk
				if start >= n {
					return
				}
				for i := start; i < min(start+chunk, n); i++ {
					item(i)
				}
			}
		})
	}
	go func() {
		wg.Wait()
		close(done)
	}()
	return done
}

// load reads the state of every record the change set touches.
func (p *plan) load(ctx context.Context, tx *sql.Tx) error {
	// Only the ids are read here, field by field: the encoders may be writing the other fields.
	// Relationships first: the ends of those to unlink are read with the entities.
	relIDs := make([]string, 0, len(p.links)+len(p.unlinks))
	for i := range p.links {
		if l := &p.links[i]; !l.badID {
			relIDs = append(relIDs, l.r.ID)
		}
	}
	relIDs = append(relIDs, p.unlinks...)
	if len(relIDs) > 0 {
		if err := p.loadRelationships(ctx, tx, relIDs); err != nil {
			return err
		}
	}

	// The entities to put, whole.
	whole := make(map[string]bool, len(p.puts))
	ids := make([]string, 0, len(p.puts))
	for i := range p.puts {
		if id := p.puts[i].e.EntityMeta().ID; !whole[id] {
			whole[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) > 0 {
		if err := p.loadEntities(ctx, tx, ids, true); err != nil {
			return err
		}
	}
	// The other ends: of the links, and of the relationships to unlink.
	seen := make(map[string]bool, 2*len(p.links))
	ids = ids[:0]
	add := func(id string) {
		if !whole[id] && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for i := range p.links {
		add(p.links[i].r.From)
		add(p.links[i].r.To)
	}
	for _, id := range p.unlinks {
		if rs := p.rels[id]; rs != nil {
			add(rs.from)
			add(rs.to)
		}
	}
	if len(ids) > 0 {
		if err := p.loadEntities(ctx, tx, ids, false); err != nil {
			return err
		}
	}
	if p.policy {
		return p.loadHolders(ctx, tx)
	}
	return nil
}

func (p *plan) loadRelationships(ctx context.Context, tx *sql.Tx, ids []string) error {
	rows, err := tx.QueryContext(ctx, `SELECT r.id, r.type, r.from_id, r.to_id, r.props, r.origin_org, r.origin_country,
		r.tlp, r.releasable_to, r.source_ids, r.source_key, r.source_ref
		FROM json_each(?) j JOIN relationships r ON r.id = j.value`, jsonList(ids))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, typ string
		rs := &relState{exists: true, inDB: true}
		if err := rows.Scan(&id, &typ, &rs.from, &rs.to, &rs.rec.content, &rs.rec.h.OriginatorOrg,
			&rs.rec.h.OriginatorCountry, &rs.rec.h.TLP, &rs.rec.released, &rs.rec.sources, &rs.rec.sourceKey,
			&rs.rec.sourceRef); err != nil {
			return err
		}
		rs.typ = sarhad.RelationType(typ)
		if err := p.decodeReleased(&rs.rec); err != nil {
			return fmt.Errorf("relationship %s: %w", id, err)
		}
		p.rels[id] = rs
	}
	return rows.Err()
}

// loadEntities reads entities: whole (for the entities to put), or only what the policy and the
// relationship types need (for link ends: only the kind for the system viewer).
func (p *plan) loadEntities(ctx context.Context, tx *sql.Tx, ids []string, whole bool) error {
	cols := `e.id, e.kind, e.rowid, e.origin_org, e.origin_country, e.tlp, e.releasable_to, e.victim, e.attrs,
		e.source_ids, e.source_key, e.source_ref`
	switch {
	case !whole && p.policy:
		cols = `e.id, e.kind, e.rowid, e.origin_org, e.origin_country, e.tlp, e.releasable_to, e.victim`
	case !whole:
		cols = `e.id, e.kind`
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+cols+` FROM json_each(?) j JOIN entities e ON e.id = j.value`, jsonList(ids))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, kind string
		st := &entityState{exists: true, inDB: true}
		dest := []any{&id, &kind}
		if whole || p.policy {
			dest = append(dest, &st.rowid, &st.rec.h.OriginatorOrg, &st.rec.h.OriginatorCountry, &st.rec.h.TLP,
				&st.rec.released, &st.victim)
		}
		if whole {
			dest = append(dest, &st.rec.content, &st.rec.sources, &st.rec.sourceKey, &st.rec.sourceRef)
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		st.kind = sarhad.EntityKind(kind)
		if p.policy {
			if err := p.decodeReleased(&st.rec); err != nil {
				return fmt.Errorf("entity %s: %w", id, err)
			}
			if st.kind.IsIdentifier() {
				st.holders = map[string]string{}
			}
		}
		p.entities[id] = st
	}
	return rows.Err()
}

// decodeReleased decodes the countries a record read is released to, once per distinct list (the
// records of an import share theirs); the lists are shared, never modified.
func (p *plan) decodeReleased(r *record) error {
	if list, ok := p.released[r.released]; ok {
		r.h.ReleasableTo = list
		return nil
	}
	if err := json.Unmarshal([]byte(r.released), &r.h.ReleasableTo); err != nil {
		return err
	}
	p.released[r.released] = r.h.ReleasableTo
	return nil
}

// loadHolders reads the holder relationships of the identifiers read, with what the policy needs
// of each holder.
func (p *plan) loadHolders(ctx context.Context, tx *sql.Tx) error {
	var ids []string
	for id, st := range p.entities {
		if st.holders != nil {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT hr.id, hr.to_id, hp.id, hp.victim, hp.origin_org
		FROM json_each(?) j JOIN relationships hr ON hr.to_id = j.value AND hr.type IN `+holderTypes+`
		JOIN entities hp ON hp.id = hr.from_id`, jsonList(ids))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var rel, to, holder string
		var h holderInfo
		if err := rows.Scan(&rel, &to, &holder, &h.victim, &h.originOrg); err != nil {
			return err
		}
		p.entities[to].holders[rel] = holder
		p.holders[holder] = h
	}
	return rows.Err()
}

// visible is visibleEntity on the plan's state.
func (p *plan) visible(st *entityState) bool {
	if !p.policy {
		return true
	}
	if !st.rec.h.Visible(p.v) {
		return false
	}
	if !st.kind.IsIdentifier() {
		return true
	}
	var victims []sarhad.Handling
	for _, id := range st.holders {
		if victim, org := p.holder(id); victim {
			victims = append(victims, sarhad.Handling{OriginatorOrg: org})
		}
	}
	return !sarhad.VictimIdentifierHidden(p.v, victims)
}

// holder returns whether entity id is a victim and its originating organisation, as the change
// set leaves it.
func (p *plan) holder(id string) (victim bool, org string) {
	if st, ok := p.entities[id]; ok && st.exists {
		return st.victim, st.rec.h.OriginatorOrg
	}
	h := p.holders[id]
	return h.victim, h.originOrg
}

// visibleEnd returns the state of entity id when it exists and the viewer sees it.
func (p *plan) visibleEnd(id string) (*entityState, error) {
	st, ok := p.entities[id]
	if !ok || !st.exists || !p.visible(st) {
		return nil, sarhad.Errorf(sarhad.ENOTFOUND, "no entity %s", id)
	}
	return st, nil
}

// decide walks the change set in order and returns what it does, or the first error.
func (p *plan) decide() (*sarhad.ApplyResult, error) {
	res := &sarhad.ApplyResult{}
	for i := range p.puts {
		if err := p.put(&p.puts[i], res); err != nil {
			return nil, err
		}
	}
	for i := range p.links {
		if err := p.link(&p.links[i], res); err != nil {
			return nil, err
		}
	}
	for _, id := range p.unlinks {
		if err := p.unlink(id, res); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func (p *plan) put(pe *encodedEntity, res *sarhad.ApplyResult) error {
	if pe.err != nil {
		return pe.err
	}
	m := pe.e.EntityMeta()
	st, ok := p.entities[m.ID]
	if !ok {
		// The id is checked against the kind only for a new record: an id already taken by another
		// kind is a CONFLICT (below), not malformed input.
		if kind, err := sarhad.KindOfID(m.ID); err != nil || kind != m.Kind {
			return sarhad.Errorf(sarhad.EINVALID, "id %q does not name a %s", m.ID, m.Kind.Label())
		}
		st = &entityState{exists: true, kind: m.Kind, createdAt: stamp(m.CreatedAt), createdBy: m.CreatedBy}
		if p.policy && m.Kind.IsIdentifier() {
			st.holders = map[string]string{}
		}
		p.entities[m.ID] = st
		res.Created++
	} else {
		if !p.visible(st) {
			return sarhad.Errorf(sarhad.ENOTFOUND, "no entity %s", m.ID)
		}
		if st.kind != m.Kind {
			return sarhad.Errorf(sarhad.ECONFLICT, "id %s belongs to a %s", m.ID, st.kind)
		}
		if err := mayChange(p.v, m.ID, st.rec.h); err != nil {
			return err
		}
		if st.rec.same(&pe.rec) {
			res.Unchanged++
			return nil
		}
		res.Updated++
	}
	if st.write == nil {
		p.entOrder = append(p.entOrder, m.ID)
	}
	st.rec, st.victim, st.write = pe.rec, pe.victim == 1, pe
	return nil
}

func (p *plan) link(l *encodedRel, res *sarhad.ApplyResult) error {
	r := l.r
	if l.badID {
		return sarhad.Errorf(sarhad.EINVALID, "%q is not a relationship id", r.ID)
	}
	// Both ends must exist, be visible, and be of kinds the type joins.
	from, err := p.visibleEnd(r.From)
	if err != nil {
		return err
	}
	to, err := p.visibleEnd(r.To)
	if err != nil {
		return err
	}
	if !r.Type.Joins(from.kind, to.kind) {
		return sarhad.Errorf(sarhad.EINVALID, "a %s relationship cannot go from %s to %s", r.Type, from.kind, to.kind)
	}
	if l.err != nil {
		return l.err
	}
	rs, ok := p.rels[r.ID]
	if !ok || !rs.exists {
		// Unlinks come after every link, so a relationship linked here was not unlinked before.
		rs = &relState{exists: true, typ: r.Type, from: r.From, to: r.To}
		p.rels[r.ID] = rs
		if to.holders != nil && slices.Contains(sarhad.HolderTypes, r.Type) {
			to.holders[r.ID] = r.From
		}
		res.Created++
	} else {
		if err := mayChange(p.v, r.ID, rs.rec.h); err != nil {
			return err
		}
		if rs.typ != r.Type || rs.from != r.From || rs.to != r.To {
			return sarhad.Errorf(sarhad.ECONFLICT, "relationship %s already joins other entities", r.ID)
		}
		if rs.rec.same(&l.rec) {
			res.Unchanged++
			return nil
		}
		res.Updated++
	}
	if rs.write == nil {
		p.relOrder = append(p.relOrder, r.ID)
	}
	rs.rec, rs.write = l.rec, l
	return nil
}

func (p *plan) unlink(id string, res *sarhad.ApplyResult) error {
	rs, ok := p.rels[id]
	if !ok || !rs.exists {
		return sarhad.Errorf(sarhad.ENOTFOUND, "no relationship %s", id)
	}
	// A relationship is hidden when either end is hidden, whatever its own marking.
	for _, end := range []string{rs.from, rs.to} {
		if _, err := p.visibleEnd(end); err != nil {
			return sarhad.Errorf(sarhad.ENOTFOUND, "no relationship %s", id)
		}
	}
	if err := mayChange(p.v, id, rs.rec.h); err != nil {
		return err
	}
	if to := p.entities[rs.to]; to != nil && to.holders != nil {
		delete(to.holders, id)
	}
	rs.exists = false
	res.Deleted++
	return nil
}

// checkEvery is how many rows write sends between two looks at the context: the statements run
// without it (a cancellable context costs every statement a goroutine in the driver), and the
// transaction's own context still ends the transaction once done.
const checkEvery = 256

// write sends the plan's outcome: each changed record once, as the change set leaves it.
func (p *plan) write(ctx context.Context, tx *sql.Tx) error {
	bg := context.WithoutCancel(ctx)
	stmts := map[string]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	n := 0
	exec := func(query string, args ...any) (sql.Result, error) {
		if n++; n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		st, ok := stmts[query]
		if !ok {
			var err error
			if st, err = tx.PrepareContext(bg, query); err != nil {
				return nil, err
			}
			stmts[query] = st
		}
		return st.ExecContext(bg, args...)
	}

	for _, id := range p.entOrder {
		st := p.entities[id]
		pe := st.write
		m, rec := pe.e.EntityMeta(), &pe.rec
		h := rec.h
		if !st.inDB {
			r, err := exec(`INSERT INTO entities (id, kind, attrs, public_attrs, origin_org, origin_country, tlp,
				releasable_to, victim, source_ids, source_key, source_ref, created_at, created_by, updated_at, updated_by)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				id, string(st.kind), rec.content, pe.public, h.OriginatorOrg, h.OriginatorCountry, string(h.TLP),
				rec.released, pe.victim, rec.sources, rec.sourceKey, rec.sourceRef, st.createdAt, st.createdBy,
				stamp(m.UpdatedAt), m.UpdatedBy)
			if err != nil {
				return err
			}
			if st.rowid, err = r.LastInsertId(); err != nil {
				return err
			}
		} else {
			if _, err := exec(`UPDATE entities SET attrs = ?, public_attrs = ?, origin_org = ?, origin_country = ?,
				tlp = ?, releasable_to = ?, victim = ?, source_ids = ?, source_key = ?, source_ref = ?, updated_at = ?,
				updated_by = ? WHERE rowid = ?`,
				rec.content, pe.public, h.OriginatorOrg, h.OriginatorCountry, string(h.TLP), rec.released, pe.victim,
				rec.sources, rec.sourceKey, rec.sourceRef, stamp(m.UpdatedAt), m.UpdatedBy, st.rowid); err != nil {
				return err
			}
			if _, err := exec(`DELETE FROM entity_terms WHERE rowid = ?`, st.rowid); err != nil {
				return err
			}
		}
		if pe.terms != "" {
			if _, err := exec(`INSERT INTO entity_terms (rowid, terms) VALUES (?, ?)`, st.rowid, pe.terms); err != nil {
				return err
			}
		}
	}

	for _, id := range p.unlinks {
		if rs := p.rels[id]; rs.inDB && !rs.exists {
			rs.inDB = false // an id unlinked twice fails in decide; this guards the statement all the same
			if _, err := exec(`DELETE FROM relationships WHERE id = ?`, id); err != nil {
				return fmt.Errorf("delete relationship: %w", err)
			}
		}
	}
	for _, id := range p.relOrder {
		rs := p.rels[id]
		if !rs.exists {
			continue // linked, then unlinked
		}
		l := rs.write
		r, rec := l.r, &l.rec
		h := rec.h
		if !rs.inDB {
			if _, err := exec(`INSERT INTO relationships (id, type, from_id, to_id, props, origin_org, origin_country,
				tlp, releasable_to, source_ids, source_key, source_ref, created_at, created_by, updated_at, updated_by)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				id, string(rs.typ), rs.from, rs.to, rec.content, h.OriginatorOrg, h.OriginatorCountry, string(h.TLP),
				rec.released, rec.sources, rec.sourceKey, rec.sourceRef, l.stamps[0], r.CreatedBy, l.stamps[1],
				r.UpdatedBy); err != nil {
				return err
			}
		} else if _, err := exec(`UPDATE relationships SET props = ?, origin_org = ?, origin_country = ?, tlp = ?,
			releasable_to = ?, source_ids = ?, source_key = ?, source_ref = ?, updated_at = ?, updated_by = ? WHERE id = ?`,
			rec.content, h.OriginatorOrg, h.OriginatorCountry, string(h.TLP), rec.released, rec.sources, rec.sourceKey,
			rec.sourceRef, l.stamps[1], r.UpdatedBy, id); err != nil {
			return err
		}
	}
	return nil
}
