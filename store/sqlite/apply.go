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
//  3. decide what each item does with the domain's sarhad.ChangePlan, the rules every store
//     shares (the SQL predicates of policy.go are the same rules);
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

// envelope is a record's handling and sources as the columns hold them.
type envelope struct {
	released string // releasable_to
	sources  string // source_ids
}

// sourcesOf returns the sources column of a record as the plan leaves it (f): as encoded from the
// change set (m), unless the plan added the sources the record had (ChangeSet.KeepSources).
func sourcesOf(env envelope, m *sarhad.Meta, f *sarhad.StoredForm) string {
	if slices.Equal(f.SourceIDs, m.SourceIDs) {
		return env.sources
	}
	return jsonList(f.SourceIDs)
}

func newEnvelope(m *sarhad.Meta) envelope {
	return envelope{released: jsonList(m.Handling.ReleasableTo), sources: jsonList(m.SourceIDs)}
}

// encodedEntity is an entity of the change set in its stored form.
type encodedEntity struct {
	e      sarhad.Entity
	item   sarhad.PlannedItem // the attributes as JSON, or why they cannot be encoded
	env    envelope
	public sql.NullString
	victim int
	terms  string   // the name index's terms, space-separated
	tokens []string // the name tokens name_terms lists
}

func (ee *encodedEntity) encode() {
	m := ee.e.EntityMeta()
	if m.Redacted {
		return // refused by the plan
	}
	attrs, err := json.Marshal(ee.e)
	if err != nil {
		ee.item.Err = err
		return
	}
	if ee.victim, ee.public, err = publicAttrs(ee.e); err != nil {
		ee.item.Err = err
		return
	}
	ee.item.Content, ee.env = string(attrs), newEnvelope(m)
	all, listed := nameTokens(ee.e.SearchNames())
	ee.terms, ee.tokens = strings.Join(sarhad.SearchTerms(all), " "), listed
}

// encodedRel is a relationship of the change set in its stored form.
type encodedRel struct {
	r      *sarhad.Relationship
	item   sarhad.PlannedItem // the properties as JSON, or why they cannot be encoded
	env    envelope
	stamps [2]string // created, updated
}

func (er *encodedRel) encode() {
	r := er.r
	props, err := json.Marshal(r.RelationProps)
	if err != nil {
		er.item.Err = err
		return
	}
	er.item.Content, er.env = string(props), newEnvelope(&r.Meta)
	er.stamps = [2]string{stamp(r.CreatedAt), stamp(r.UpdatedAt)}
}

// plan is the set-wise execution of one change set: the domain's decisions over what it reads,
// and the encoded change set it writes.
type plan struct {
	*sarhad.ChangePlan
	cs     *sarhad.ChangeSet
	puts   []encodedEntity
	links  []encodedRel
	rowids map[string]int64    // of the entities read whole or for the policy, and those inserted
	lists  map[string][]string // decoded JSON lists, by their encoding
	// stored are the attributes of the entities read whole, as read: the names the index holds
	// for them until the change set writes them (Decide replaces their forms' content).
	stored map[string]string
}

func newPlan(v *sarhad.Viewer, cs *sarhad.ChangeSet) *plan {
	p := &plan{ChangePlan: sarhad.NewChangePlan(v), cs: cs,
		puts: make([]encodedEntity, len(cs.Put)), links: make([]encodedRel, len(cs.Link)),
		rowids: make(map[string]int64, len(cs.Put)), lists: map[string][]string{},
		stored: map[string]string{}}
	for i, e := range cs.Put {
		p.puts[i].e = e
	}
	for i, r := range cs.Link {
		p.links[i].r = r
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
func (p *plan) load(ctx context.Context, tx querier) error {
	// Only the ids of the change set are read here: the encoders may be writing the rest.
	// Relationships first: the ends of those to unlink are read with the entities.
	relIDs := make([]string, 0, len(p.cs.Link)+len(p.cs.Unlink))
	for _, r := range p.cs.Link {
		if sarhad.ValidRelationshipID(r.ID) {
			relIDs = append(relIDs, r.ID)
		}
	}
	relIDs = append(relIDs, p.cs.Unlink...)
	if len(relIDs) > 0 {
		if err := p.loadRelationships(ctx, tx, relIDs); err != nil {
			return err
		}
	}

	// The entities to put, whole.
	whole := make(map[string]bool, len(p.cs.Put))
	ids := make([]string, 0, len(p.cs.Put))
	for _, e := range p.cs.Put {
		if id := e.EntityMeta().ID; !whole[id] {
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
	seen := make(map[string]bool, 2*len(p.cs.Link))
	ids = ids[:0]
	add := func(id string) {
		if !whole[id] && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, r := range p.cs.Link {
		add(r.From)
		add(r.To)
	}
	for _, id := range p.cs.Unlink {
		if rs := p.Relationships[id]; rs != nil {
			add(rs.From)
			add(rs.To)
		}
	}
	if len(ids) > 0 {
		if err := p.loadEntities(ctx, tx, ids, false); err != nil {
			return err
		}
	}
	if p.PolicyApplies() {
		return p.loadHolders(ctx, tx)
	}
	return nil
}

func (p *plan) loadRelationships(ctx context.Context, tx querier, ids []string) error {
	rows, err := tx.QueryContext(ctx, `SELECT r.id, r.type, r.from_id, r.to_id, r.props, r.origin_org, r.origin_country,
		r.tlp, r.releasable_to, r.source_ids, r.source_key
		FROM json_each(?) j JOIN relationships r ON r.id = j.value`, jsonList(ids))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, typ string
		var env envelope
		rs := &sarhad.PlannedRelationship{Exists: true, InStore: true}
		f := &rs.Form
		if err := rows.Scan(&id, &typ, &rs.From, &rs.To, &f.Content, &f.Handling.OriginatorOrg,
			&f.Handling.OriginatorCountry, &f.Handling.TLP, &env.released, &env.sources, &f.SourceKey); err != nil {
			return err
		}
		rs.Type = sarhad.RelationType(typ)
		if err := p.decodeEnvelope(f, env); err != nil {
			return fmt.Errorf("relationship %s: %w", id, err)
		}
		p.Relationships[id] = rs
	}
	return rows.Err()
}

// loadEntities reads entities: whole (for the entities to put), or only what the policy and the
// relationship types and the naming of victims need (for link ends: only the kind and whether it
// is a victim's record, for the system viewer).
func (p *plan) loadEntities(ctx context.Context, tx querier, ids []string, whole bool) error {
	policy := p.PolicyApplies()
	cols := `e.id, e.kind, e.rowid, e.origin_org, e.origin_country, e.tlp, e.releasable_to, e.victim, e.attrs,
		e.source_ids, e.source_key, e.victim = 1 AND ` + namedVictim("e")
	switch {
	case !whole && policy:
		cols = `e.id, e.kind, e.rowid, e.origin_org, e.origin_country, e.tlp, e.releasable_to, e.victim`
	case !whole:
		cols = `e.id, e.kind, e.victim`
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+cols+` FROM json_each(?) j JOIN entities e ON e.id = j.value`, jsonList(ids))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, kind string
		var rowid int64
		var env envelope
		st := &sarhad.PlannedEntity{Exists: true, InStore: true}
		f := &st.Form
		dest := []any{&id, &kind}
		if whole || policy {
			dest = append(dest, &rowid, &f.Handling.OriginatorOrg, &f.Handling.OriginatorCountry, &f.Handling.TLP,
				&env.released, &st.Victim)
		} else {
			dest = append(dest, &st.Victim)
		}
		if whole {
			dest = append(dest, &f.Content, &env.sources, &f.SourceKey, &st.NamedVictim)
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		st.Kind = sarhad.EntityKind(kind)
		if whole {
			p.stored[id] = f.Content
		}
		if whole || policy {
			p.rowids[id] = rowid
			if err := p.decodeEnvelope(f, env); err != nil {
				return fmt.Errorf("entity %s: %w", id, err)
			}
			if policy && st.Kind.IsIdentifier() {
				st.Holders = map[string]string{}
			}
		}
		p.Entities[id] = st
	}
	return rows.Err()
}

// namedVictim returns an SQL expression that is true when a relationship names the entity of alias
// a victim (sarhad.Relationship.NamedVictim), or ties it by SAME_AS to a victim's record
// (sarhad.Relationship.SameAsVictim), whoever may see the relationship.
func namedVictim(alias string) string {
	return `(EXISTS (SELECT 1 FROM relationships nv WHERE nv.from_id = ` + alias + `.id AND nv.type = '` +
		string(sarhad.RelPartyTo) + `' AND json_extract(nv.props, '$.role') = '` + string(sarhad.PartyVictim) + `')
	OR EXISTS (SELECT 1 FROM relationships nv WHERE nv.to_id = ` + alias + `.id AND nv.type = '` +
		string(sarhad.RelTrafficked) + `')
	OR EXISTS (SELECT 1 FROM relationships nv JOIN entities nve ON nve.id = nv.to_id
		WHERE nv.from_id = ` + alias + `.id AND nv.type = '` + string(sarhad.RelSameAs) + `' AND nve.victim = 1)
	OR EXISTS (SELECT 1 FROM relationships nv JOIN entities nve ON nve.id = nv.from_id
		WHERE nv.to_id = ` + alias + `.id AND nv.type = '` + string(sarhad.RelSameAs) + `' AND nve.victim = 1))`
}

// UnrecordedVictims implements sarhad.Store: the persons in id order, each checked for a naming
// relationship by the indexes on the relationships' ends.
func (s *Store) UnrecordedVictims(ctx context.Context, p sarhad.Page) ([]string, error) {
	if _, err := sarhad.SystemViewerFrom(ctx); err != nil {
		return nil, err
	}
	var ids []string
	err := s.read(ctx, func(tx querier) error {
		return each(ctx, tx, `SELECT e.id FROM entities e WHERE e.kind = :kind AND e.id > :after AND e.victim = 0
			AND `+namedVictim("e")+` ORDER BY e.id LIMIT :first`,
			[]any{sql.Named("kind", string(sarhad.KindPerson)), sql.Named("after", p.After), sql.Named("first", p.First)},
			func(rows *sql.Rows) error {
				var id string
				if err := rows.Scan(&id); err != nil {
					return err
				}
				ids = append(ids, id)
				return nil
			})
	})
	return ids, wrap(ctx, err)
}

// decodeEnvelope decodes the lists of a record read into its form, once per distinct list (the
// records of an import share theirs); the lists are shared, never modified.
func (p *plan) decodeEnvelope(f *sarhad.StoredForm, env envelope) error {
	var err error
	if f.Handling.ReleasableTo, err = p.list(env.released); err != nil {
		return err
	}
	f.SourceIDs, err = p.list(env.sources)
	return err
}

func (p *plan) list(encoded string) ([]string, error) {
	if encoded == "" {
		return nil, nil
	}
	if list, ok := p.lists[encoded]; ok {
		return list, nil
	}
	var list []string
	if err := json.Unmarshal([]byte(encoded), &list); err != nil {
		return nil, err
	}
	p.lists[encoded] = list
	return list, nil
}

// loadHolders reads the holder relationships of the identifiers read, with what the policy needs
// of each holder.
func (p *plan) loadHolders(ctx context.Context, tx querier) error {
	var ids []string
	for id, st := range p.Entities {
		if st.Holders != nil {
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
		var h sarhad.PlannedHolder
		if err := rows.Scan(&rel, &to, &holder, &h.Victim, &h.OriginOrg); err != nil {
			return err
		}
		p.Entities[to].Holders[rel] = holder
		p.Holders[holder] = h
	}
	return rows.Err()
}

// decide decides the change set with the domain's plan.
func (p *plan) decide() (*sarhad.ApplyResult, error) {
	puts := make([]sarhad.PlannedItem, len(p.puts))
	for i := range p.puts {
		puts[i] = p.puts[i].item
	}
	links := make([]sarhad.PlannedItem, len(p.links))
	for i := range p.links {
		links[i] = p.links[i].item
	}
	return p.Decide(p.cs, puts, links)
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

	var tokens []string  // of the names indexed, for name_terms
	var dropped []string // of the names the entities written were indexed under before
	for _, id := range p.EntityWrites {
		st := p.Entities[id]
		pe := &p.puts[st.Put]
		m, f := pe.e.EntityMeta(), &st.Form
		h := f.Handling
		if !st.InStore {
			r, err := exec(`INSERT INTO entities (id, kind, attrs, public_attrs, origin_org, origin_country, tlp,
				releasable_to, victim, source_ids, source_key, source_ref, created_at, created_by, updated_at, updated_by)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				id, string(st.Kind), f.Content, pe.public, h.OriginatorOrg, h.OriginatorCountry, string(h.TLP),
				pe.env.released, pe.victim, sourcesOf(pe.env, m, f), f.SourceKey, m.SourceRef, stamp(st.CreatedAt), st.CreatedBy,
				stamp(m.UpdatedAt), m.UpdatedBy)
			if err != nil {
				return err
			}
			if p.rowids[id], err = r.LastInsertId(); err != nil {
				return err
			}
		} else {
			// The names the index holds for it, unless they are the names written: a record that
			// cannot be read keeps its words (dropNameTerms errs only towards keeping).
			if old, ok := p.stored[id]; ok && old != f.Content {
				if names, err := searchNames(id, string(st.Kind), old); err == nil {
					_, listed := nameTokens(names)
					dropped = append(dropped, listed...)
				}
			}
			if _, err := exec(`UPDATE entities SET attrs = ?, public_attrs = ?, origin_org = ?, origin_country = ?,
				tlp = ?, releasable_to = ?, victim = ?, source_ids = ?, source_key = ?, source_ref = ?, updated_at = ?,
				updated_by = ? WHERE rowid = ?`,
				f.Content, pe.public, h.OriginatorOrg, h.OriginatorCountry, string(h.TLP), pe.env.released, pe.victim,
				sourcesOf(pe.env, m, f), f.SourceKey, m.SourceRef, stamp(m.UpdatedAt), m.UpdatedBy, p.rowids[id]); err != nil {
				return err
			}
			if _, err := exec(`DELETE FROM entity_terms WHERE rowid = ?`, p.rowids[id]); err != nil {
				return err
			}
		}
		if pe.terms != "" {
			if _, err := exec(`INSERT INTO entity_terms (rowid, terms) VALUES (?, ?)`, p.rowids[id], pe.terms); err != nil {
				return err
			}
			tokens = append(tokens, pe.tokens...)
		}
	}
	slices.Sort(tokens)
	tokens = slices.Compact(tokens)
	if err := addNameTerms(bg, tx, tokens); err != nil {
		return err
	}
	if err := dropNameTerms(bg, tx, dropped, tokens); err != nil {
		return err
	}

	for _, id := range p.Deleted {
		if _, err := exec(`DELETE FROM relationships WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete relationship: %w", err)
		}
	}
	for _, id := range p.RelationshipWrites {
		rs := p.Relationships[id]
		if !rs.Exists {
			continue // linked, then unlinked
		}
		l := &p.links[rs.Link]
		r, f := l.r, &rs.Form
		h := f.Handling
		if !rs.InStore {
			if _, err := exec(`INSERT INTO relationships (id, type, from_id, to_id, props, origin_org, origin_country,
				tlp, releasable_to, source_ids, source_key, source_ref, created_at, created_by, updated_at, updated_by)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				id, string(rs.Type), rs.From, rs.To, f.Content, h.OriginatorOrg, h.OriginatorCountry, string(h.TLP),
				l.env.released, sourcesOf(l.env, &r.Meta, f), f.SourceKey, r.SourceRef, l.stamps[0], r.CreatedBy, l.stamps[1],
				r.UpdatedBy); err != nil {
				return err
			}
		} else if _, err := exec(`UPDATE relationships SET props = ?, origin_org = ?, origin_country = ?, tlp = ?,
			releasable_to = ?, source_ids = ?, source_key = ?, source_ref = ?, updated_at = ?, updated_by = ? WHERE id = ?`,
			f.Content, h.OriginatorOrg, h.OriginatorCountry, string(h.TLP), l.env.released, sourcesOf(l.env, &r.Meta, f), f.SourceKey,
			r.SourceRef, l.stamps[1], r.UpdatedBy, id); err != nil {
			return err
		}
	}
	return nil
}
