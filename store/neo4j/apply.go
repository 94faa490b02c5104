package neo4j

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/sarhad/sarhad"
)

// Apply implements sarhad.Store in one managed write transaction, in three steps:
//
//  1. read, in two statements, the current state of every record the change set touches: the
//     relationships to link or unlink (by id, through the per-type indexes), then the entities to
//     put, the ends to link and the ends of those relationships, with the holders of identifiers;
//  2. decide, in Go and in the change set's order, what each item does — created, updated,
//     unchanged, deleted, or the first error (NOT_FOUND, FORBIDDEN, CONFLICT, BAD_USER_INPUT) —
//     with the domain's reference policy (Handling.Visible, CanEdit, VictimIdentifierHidden) on
//     that state as earlier items of the change set leave it, exactly as the embedded store's
//     statement-per-item transaction sees it;
//  3. write the outcome in UNWIND batches: one MERGE statement per entity kind, one DELETE and one
//     MERGE statement per relationship type.
//
// Nothing is written before every item has been decided, so a failing change set writes nothing.
// The driver may run the callback more than once (it retries transient failures): each attempt
// starts from a fresh plan and fresh counters, reads the database anew, and writes with MERGE by id,
// so an attempt never applies twice. The write statements' counters are checked against the plan:
// when a concurrent writer created or deleted one of the same records in between, Apply plans again
// (a few times, then CONFLICT): never a silent overwrite.
func (s *Store) Apply(ctx context.Context, cs *sarhad.ChangeSet) (*sarhad.ApplyResult, error) {
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("neo4j: apply: %w", err)
	}
	in, err := prepare(cs)
	if err != nil {
		return nil, err
	}
	var res *sarhad.ApplyResult
	for attempt := 1; ; attempt++ {
		err = s.write(ctx, func(tx neo4j.ManagedTransaction) error {
			res = nil // every attempt starts afresh
			p := &plan{v: v, in: in, entities: map[string]*entityState{}, holders: map[string]holderInfo{},
				rels: map[string]*relState{}}
			if err := p.load(ctx, tx); err != nil {
				return err
			}
			r, err := p.decide()
			if err != nil {
				return err
			}
			if err := p.write(ctx, tx); err != nil {
				return err
			}
			res = r
			return nil
		})
		if !errors.Is(err, errRace) || attempt == maxRaceAttempts {
			break
		}
	}
	if errors.Is(err, errRace) {
		return nil, fmt.Errorf("neo4j: apply: %w: %w", errRace,
			sarhad.Errorf(sarhad.ECONFLICT, "the records changed while the change was applied; retry"))
	}
	if err != nil {
		return nil, wrap(ctx, "apply", err)
	}
	return res, nil
}

// maxRaceAttempts bounds how often Apply plans again after a concurrent writer got in between.
const maxRaceAttempts = 3

// preparedEntity is an entity of a change set encoded for the store, once, outside the transaction.
type preparedEntity struct {
	e         sarhad.Entity
	err       error // BAD_USER_INPUT or FORBIDDEN decided from the entity alone
	attrs     string
	flattened map[string]any // a_ and p_ properties
	victim    bool
	terms     string
}

type preparedRel struct {
	r     *sarhad.Relationship
	err   error
	props string
	flat  map[string]any
}

type prepared struct {
	puts    []preparedEntity
	links   []preparedRel
	unlinks []string
}

// prepare encodes the change set. Errors found here are reported in the change set's order with
// the rest, so they are kept per item rather than returned at once.
func prepare(cs *sarhad.ChangeSet) (*prepared, error) {
	in := &prepared{unlinks: cs.Unlink}
	for _, e := range cs.Put {
		pe := preparedEntity{e: e}
		m := e.EntityMeta()
		if m.Redacted {
			pe.err = sarhad.Errorf(sarhad.EFORBIDDEN, "a redacted record cannot be written back")
			in.puts = append(in.puts, pe)
			continue
		}
		b, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("neo4j: apply: %s: %w", m.ID, err)
		}
		pe.attrs = string(b)
		pe.flattened = map[string]any{}
		if err := flattenJSON(b, attrPrefix, pe.flattened); err != nil {
			return nil, fmt.Errorf("neo4j: apply: %s: %w", m.ID, err)
		}
		if p, ok := e.(*sarhad.Person); ok && p.IsVictim() {
			pe.victim = true
			redacted := *p
			redacted.Redact() // replaces, never mutates, what it withholds
			rb, err := json.Marshal(&redacted)
			if err != nil {
				return nil, fmt.Errorf("neo4j: apply: %s: %w", m.ID, err)
			}
			if err := flattenJSON(rb, publicPrefix, pe.flattened); err != nil {
				return nil, fmt.Errorf("neo4j: apply: %s: %w", m.ID, err)
			}
		}
		pe.terms = strings.Join(sarhad.SearchTerms(e.SearchNames()), " ")
		in.puts = append(in.puts, pe)
	}
	for _, r := range cs.Link {
		pr := preparedRel{r: r}
		if !sarhad.ValidRelationshipID(r.ID) {
			pr.err = sarhad.Errorf(sarhad.EINVALID, "%q is not a relationship id", r.ID)
			in.links = append(in.links, pr)
			continue
		}
		b, err := json.Marshal(r.RelationProps)
		if err != nil {
			return nil, fmt.Errorf("neo4j: apply: %s: %w", r.ID, err)
		}
		pr.props = string(b)
		pr.flat = map[string]any{}
		if err := flattenJSON(b, "", pr.flat); err != nil {
			return nil, fmt.Errorf("neo4j: apply: %s: %w", r.ID, err)
		}
		in.links = append(in.links, pr)
	}
	return in, nil
}

// flattenJSON adds the scalar and list-of-scalar attributes of a JSON object as properties
// prefix+path, nested paths joined by "_" (the same names attrProperty gives conditions).
func flattenJSON(b []byte, prefix string, out map[string]any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return err
	}
	flattenMap(prefix, m, out)
	return nil
}

func flattenMap(prefix string, m map[string]any, out map[string]any) {
	for k, v := range m {
		switch x := v.(type) {
		case map[string]any:
			flattenMap(prefix+k+"_", x, out)
		case []any:
			if list := scalarList(x); list != nil {
				out[prefix+k] = list
			}
		case nil:
		default:
			out[prefix+k] = scalar(x)
		}
	}
}

// scalar converts a decoded JSON scalar to a property value: numbers as integers when they are.
func scalar(v any) any {
	if n, ok := v.(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			return i
		}
		f, _ := n.Float64()
		return f
	}
	return v
}

// scalarList returns a homogeneous property list for a JSON array of scalars, or nil when the
// array is empty, holds objects or mixes types (Neo4j lists are homogeneous).
func scalarList(xs []any) any {
	if len(xs) == 0 {
		return nil
	}
	switch xs[0].(type) {
	case string:
		out := make([]string, len(xs))
		for i, x := range xs {
			s, ok := x.(string)
			if !ok {
				return nil
			}
			out[i] = s
		}
		return out
	case json.Number:
		out := make([]float64, len(xs))
		for i, x := range xs {
			n, ok := x.(json.Number)
			if !ok {
				return nil
			}
			out[i], _ = n.Float64()
		}
		return out
	case bool:
		out := make([]bool, len(xs))
		for i, x := range xs {
			b, ok := x.(bool)
			if !ok {
				return nil
			}
			out[i] = b
		}
		return out
	}
	return nil
}

// entityState is what the plan knows of an entity: as read, then as the change set leaves it.
type entityState struct {
	exists    bool
	inDB      bool // it existed when read
	kind      sarhad.EntityKind
	h         sarhad.Handling
	victim    bool
	attrs     string
	sources   []string
	sourceKey string
	createdAt time.Time
	createdBy string
	holders   map[string]string // holder relationship id → holder entity id (identifiers only)
	write     map[string]any    // the node's properties to write, nil when unchanged
}

// holderInfo is what the victim-identifier rule needs of a holder that the change set does not touch.
type holderInfo struct {
	victim    bool
	originOrg string
}

// relState is what the plan knows of a relationship.
type relState struct {
	exists     bool
	inDB       bool // it existed when read (a delete must reach the database)
	deleted    bool // it was unlinked at some point of the change set
	typ        sarhad.RelationType
	from, to   string
	h          sarhad.Handling
	props      string
	sources    []string
	sourceKey  string
	createdAt  time.Time
	createdBy  string
	write      map[string]any
	writeOrder int
}

// plan is one attempt of Apply: the state read, the decisions, the writes.
type plan struct {
	v        *sarhad.Viewer
	in       *prepared
	entities map[string]*entityState
	holders  map[string]holderInfo
	rels     map[string]*relState
	order    int
}

// load reads the state of everything the change set touches, in two statements: relationships by
// id first, because their ends must be read with the entities.
func (p *plan) load(ctx context.Context, tx neo4j.ManagedTransaction) error {
	var relIDs []string
	for _, l := range p.in.links {
		if l.err == nil {
			relIDs = append(relIDs, l.r.ID)
		}
	}
	relIDs = append(relIDs, p.in.unlinks...)
	// Entities to put are read whole; link ends only for the policy and their kind.
	full := map[string]bool{}
	var entityIDs []string
	for _, pe := range p.in.puts {
		entityIDs = append(entityIDs, pe.e.EntityMeta().ID)
		full[pe.e.EntityMeta().ID] = true
	}
	for _, l := range p.in.links {
		entityIDs = append(entityIDs, l.r.From, l.r.To)
	}
	if len(relIDs) > 0 {
		records, err := collect(ctx, tx, byID+`
			RETURN r {.id, .props, .originOrg, .originCountry, .tlp, .releasableTo, .sourceIds, .sourceKey,
				.createdAt, .createdBy, type: type(r), from: startNode(r).id, to: endNode(r).id} AS r`,
			map[string]any{"ids": distinct(relIDs)})
		if err != nil {
			return err
		}
		for _, rec := range records {
			m, _ := rec.Values[0].(map[string]any)
			rs := &relState{exists: true, inDB: true, typ: sarhad.RelationType(str(m, "type")),
				from: str(m, "from"), to: str(m, "to"), props: str(m, "props"), sourceKey: str(m, "sourceKey"),
				sources: strs(m, "sourceIds"), createdBy: str(m, "createdBy"),
				h: sarhad.Handling{OriginatorOrg: str(m, "originOrg"), OriginatorCountry: str(m, "originCountry"),
					TLP: sarhad.TLP(str(m, "tlp")), ReleasableTo: strs(m, "releasableTo")}}
			if rs.createdAt, err = stampOf(m, "createdAt"); err != nil {
				return err
			}
			p.rels[str(m, "id")] = rs
			entityIDs = append(entityIDs, rs.from, rs.to)
		}
	}
	if len(entityIDs) == 0 {
		return nil
	}
	rows := make([]map[string]any, 0, len(entityIDs))
	for _, id := range distinct(entityIDs) {
		rows = append(rows, map[string]any{"id": id, "full": full[id]})
	}
	records, err := collect(ctx, tx, `UNWIND $rows AS row
		MATCH (e:`+entityLabel+` {id: row.id})
		RETURN e {.id, .kind, .originOrg, .originCountry, .tlp, .releasableTo, .victim,
			attrs: CASE WHEN row.full THEN e.attrs END,
			sourceIds: CASE WHEN row.full THEN e.sourceIds END,
			sourceKey: CASE WHEN row.full THEN e.sourceKey END,
			createdAt: CASE WHEN row.full THEN e.createdAt END,
			createdBy: CASE WHEN row.full THEN e.createdBy END,
			holders: CASE WHEN e.kind IN `+identifierKinds+`
				THEN [(h:`+entityLabel+`)-[hr:`+holderTypes+`]->(e) | {rel: hr.id, id: h.id, victim: h.victim, originOrg: h.originOrg}]
				ELSE [] END} AS e`, map[string]any{"rows": rows})
	if err != nil {
		return err
	}
	for _, rec := range records {
		m, _ := rec.Values[0].(map[string]any)
		victim, _ := m["victim"].(bool)
		st := &entityState{exists: true, inDB: true, kind: sarhad.EntityKind(str(m, "kind")), victim: victim,
			attrs: str(m, "attrs"), sources: strs(m, "sourceIds"), sourceKey: str(m, "sourceKey"),
			createdBy: str(m, "createdBy"), holders: map[string]string{},
			h: sarhad.Handling{OriginatorOrg: str(m, "originOrg"), OriginatorCountry: str(m, "originCountry"),
				TLP: sarhad.TLP(str(m, "tlp")), ReleasableTo: strs(m, "releasableTo")}}
		if st.createdAt, err = stampOf(m, "createdAt"); err != nil {
			return err
		}
		hs, _ := m["holders"].([]any)
		for _, h := range hs {
			hm, _ := h.(map[string]any)
			hv, _ := hm["victim"].(bool)
			st.holders[str(hm, "rel")] = str(hm, "id")
			p.holders[str(hm, "id")] = holderInfo{victim: hv, originOrg: str(hm, "originOrg")}
		}
		p.entities[str(m, "id")] = st
	}
	return nil
}

// entityVisible is the reference policy of visibleEntity on the plan's state.
func (p *plan) entityVisible(st *entityState) bool {
	if !st.h.Visible(p.v) {
		return false
	}
	if p.v.System || !st.kind.IsIdentifier() {
		return true
	}
	var victims []sarhad.Handling
	for _, id := range st.holders {
		victim, org := p.holder(id)
		if victim {
			victims = append(victims, sarhad.Handling{OriginatorOrg: org})
		}
	}
	return !sarhad.VictimIdentifierHidden(p.v, victims)
}

// holder returns whether entity id is a victim and its originating organisation, as the change
// set leaves it.
func (p *plan) holder(id string) (victim bool, org string) {
	if st, ok := p.entities[id]; ok && st.exists {
		return st.victim, st.h.OriginatorOrg
	}
	h := p.holders[id]
	return h.victim, h.originOrg
}

// visibleEnd returns the state of entity id when it exists and the viewer sees it.
func (p *plan) visibleEnd(id string) (*entityState, error) {
	st, ok := p.entities[id]
	if !ok || !st.exists || !p.entityVisible(st) {
		return nil, sarhad.Errorf(sarhad.ENOTFOUND, "no entity %s", id)
	}
	return st, nil
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

func sameHandling(a, b sarhad.Handling) bool {
	return a.OriginatorOrg == b.OriginatorOrg && a.OriginatorCountry == b.OriginatorCountry && a.TLP == b.TLP &&
		slices.Equal(a.ReleasableTo, b.ReleasableTo)
}

// decide walks the change set in order on the plan's state and returns what it does, or the first
// error.
func (p *plan) decide() (*sarhad.ApplyResult, error) {
	res := &sarhad.ApplyResult{}
	for _, pe := range p.in.puts {
		if err := p.put(pe, res); err != nil {
			return nil, err
		}
	}
	for _, pr := range p.in.links {
		if err := p.link(pr, res); err != nil {
			return nil, err
		}
	}
	for _, id := range p.in.unlinks {
		if err := p.unlink(id, res); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func (p *plan) put(pe preparedEntity, res *sarhad.ApplyResult) error {
	if pe.err != nil {
		return pe.err
	}
	m := pe.e.EntityMeta()
	h := m.Handling
	st, ok := p.entities[m.ID]
	if !ok || !st.exists {
		// The id is checked against the kind only for a new record: an id already taken by another
		// kind is a CONFLICT (below), not malformed input.
		if kind, err := sarhad.KindOfID(m.ID); err != nil || kind != m.Kind {
			return sarhad.Errorf(sarhad.EINVALID, "id %q does not name a %s", m.ID, m.Kind.Label())
		}
		st = &entityState{exists: true, kind: m.Kind, createdAt: m.CreatedAt, createdBy: m.CreatedBy,
			holders: map[string]string{}}
		p.entities[m.ID] = st
		res.Created++
	} else {
		if !p.entityVisible(st) {
			return sarhad.Errorf(sarhad.ENOTFOUND, "no entity %s", m.ID)
		}
		if st.kind != m.Kind {
			return sarhad.Errorf(sarhad.ECONFLICT, "id %s belongs to a %s", m.ID, st.kind)
		}
		if err := mayChange(p.v, m.ID, st.h); err != nil {
			return err
		}
		if st.attrs == pe.attrs && slices.Equal(st.sources, m.SourceIDs) && st.sourceKey == m.SourceKey &&
			sameHandling(st.h, h) {
			res.Unchanged++
			return nil
		}
		res.Updated++
	}
	st.h = sarhad.Handling{OriginatorOrg: h.OriginatorOrg, OriginatorCountry: h.OriginatorCountry, TLP: h.TLP,
		ReleasableTo: slices.Clone(h.ReleasableTo)}
	st.victim, st.attrs = pe.victim, pe.attrs
	st.sources, st.sourceKey = slices.Clone(m.SourceIDs), m.SourceKey
	props := maps.Clone(pe.flattened)
	maps.Copy(props, map[string]any{
		"id": m.ID, "kind": string(m.Kind), "attrs": pe.attrs, "victim": pe.victim,
		"createdAt": stamp(st.createdAt), "createdBy": st.createdBy,
		"updatedAt": stamp(m.UpdatedAt), "updatedBy": m.UpdatedBy,
	})
	setEnvelope(props, h, m.SourceIDs, m.SourceKey)
	if pe.terms != "" {
		props["terms"] = pe.terms
	}
	st.write = props
	return nil
}

// setEnvelope adds the handling and provenance properties; empty lists are left out (a missing
// list matches no filter, as an empty one would).
func setEnvelope(props map[string]any, h sarhad.Handling, sources []string, sourceKey string) {
	props["originOrg"], props["originCountry"], props["tlp"] = h.OriginatorOrg, h.OriginatorCountry, string(h.TLP)
	props["sourceKey"] = sourceKey
	if len(h.ReleasableTo) > 0 {
		props["releasableTo"] = slices.Clone(h.ReleasableTo)
	}
	if len(sources) > 0 {
		props["sourceIds"] = slices.Clone(sources)
	}
}

func (p *plan) link(pr preparedRel, res *sarhad.ApplyResult) error {
	if pr.err != nil {
		return pr.err
	}
	r := pr.r
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
	rs, ok := p.rels[r.ID]
	if !ok || !rs.exists {
		if rs == nil {
			rs = &relState{}
			p.rels[r.ID] = rs
		}
		rs.exists, rs.typ, rs.from, rs.to = true, r.Type, r.From, r.To
		rs.createdAt, rs.createdBy = r.CreatedAt, r.CreatedBy
		if slices.Contains(sarhad.HolderTypes, r.Type) {
			to.holders[r.ID] = r.From
		}
		res.Created++
	} else {
		if err := mayChange(p.v, r.ID, rs.h); err != nil {
			return err
		}
		if rs.typ != r.Type || rs.from != r.From || rs.to != r.To {
			return sarhad.Errorf(sarhad.ECONFLICT, "relationship %s already joins other entities", r.ID)
		}
		if rs.props == pr.props && slices.Equal(rs.sources, r.SourceIDs) && rs.sourceKey == r.SourceKey &&
			sameHandling(rs.h, r.Handling) {
			res.Unchanged++
			return nil
		}
		res.Updated++
	}
	h := r.Handling
	rs.h = sarhad.Handling{OriginatorOrg: h.OriginatorOrg, OriginatorCountry: h.OriginatorCountry, TLP: h.TLP,
		ReleasableTo: slices.Clone(h.ReleasableTo)}
	rs.props, rs.sources, rs.sourceKey = pr.props, slices.Clone(r.SourceIDs), r.SourceKey
	props := maps.Clone(pr.flat)
	maps.Copy(props, map[string]any{
		"id": r.ID, "props": pr.props,
		"createdAt": stamp(rs.createdAt), "createdBy": rs.createdBy,
		"updatedAt": stamp(r.UpdatedAt), "updatedBy": r.UpdatedBy,
	})
	setEnvelope(props, h, r.SourceIDs, r.SourceKey)
	rs.write = props
	p.order++
	rs.writeOrder = p.order
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
	if err := mayChange(p.v, id, rs.h); err != nil {
		return err
	}
	if to, ok := p.entities[rs.to]; ok {
		delete(to.holders, id)
	}
	rs.exists, rs.deleted, rs.write = false, true, nil
	res.Deleted++
	return nil
}

// errRace is a write that found the database changed since the plan read it: a concurrent
// transaction created or deleted one of the same records. Apply plans again.
var errRace = errors.New("a concurrent write changed the records of the change set")

// write sends the plan's outcome in batches: entities by kind, then relationship deletions and
// upserts by type. Every statement is idempotent by id; the counters they report must match the
// plan, or a concurrent writer got in between (errRace).
func (p *plan) write(ctx context.Context, tx neo4j.ManagedTransaction) error {
	// Entities, in the change set's order within each kind; an id put twice is written once, as
	// the change set leaves it.
	byKind := map[sarhad.EntityKind][]map[string]any{}
	wantCreated := 0
	for _, pe := range p.in.puts {
		st := p.entities[pe.e.EntityMeta().ID]
		if st == nil || st.write == nil {
			continue
		}
		byKind[st.kind] = append(byKind[st.kind], st.write)
		st.write = nil
		if !st.inDB {
			wantCreated++
		}
	}
	created := 0
	for _, k := range sarhad.EntityKinds() {
		rows := byKind[k]
		if len(rows) == 0 {
			continue
		}
		sum, err := run(ctx, tx, `UNWIND $rows AS row
			MERGE (e:`+entityLabel+` {id: row.id})
			SET e = row, e:`+k.Label(), map[string]any{"rows": rows})
		if err != nil {
			return err
		}
		created += sum.Counters().NodesCreated()
	}
	if created != wantCreated {
		return errRace
	}

	// Relationships: deletions first (a relationship unlinked, then linked again, is new), then
	// upserts by type, in the change set's order.
	deletes := map[sarhad.RelationType][]string{}
	upserts := map[sarhad.RelationType][]*relState{}
	wantCreated = 0
	for id, rs := range p.rels {
		if rs.inDB && rs.deleted {
			deletes[rs.typ] = append(deletes[rs.typ], id)
		}
		if rs.exists && rs.write != nil {
			upserts[rs.typ] = append(upserts[rs.typ], rs)
			if !rs.inDB || rs.deleted {
				wantCreated++
			}
		}
	}
	created = 0
	for _, t := range sarhad.RelationTypes() {
		ids := deletes[t]
		if len(ids) == 0 {
			continue
		}
		slices.Sort(ids)
		sum, err := run(ctx, tx, `UNWIND $ids AS id
			MATCH ()-[r:`+string(t)+`]->() WHERE r.id = id DELETE r`, map[string]any{"ids": ids})
		if err != nil {
			return err
		}
		if sum.Counters().RelationshipsDeleted() != len(ids) {
			return errRace
		}
	}
	for _, t := range sarhad.RelationTypes() {
		states := upserts[t]
		if len(states) == 0 {
			continue
		}
		slices.SortFunc(states, func(a, b *relState) int { return a.writeOrder - b.writeOrder })
		rows := make([]map[string]any, len(states))
		for i, rs := range states {
			rows[i] = map[string]any{"from": rs.from, "to": rs.to, "props": rs.write}
		}
		sum, err := run(ctx, tx, `UNWIND $rows AS row
			MATCH (f:`+entityLabel+` {id: row.from})
			MATCH (t:`+entityLabel+` {id: row.to})
			MERGE (f)-[r:`+string(t)+` {id: row.props.id}]->(t)
			SET r = row.props`, map[string]any{"rows": rows})
		if err != nil {
			return err
		}
		created += sum.Counters().RelationshipsCreated()
	}
	if created != wantCreated {
		return errRace
	}
	return nil
}
