package neo4j

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/sarhad/sarhad"
)

// Apply implements sarhad.Store in one managed write transaction, in three steps:
//
//  1. read, in two statements, the current state of every record the change set touches: the
//     relationships to link or unlink (by id, through the per-type indexes of the types that have
//     relationships at all), then the entities to put, the ends to link and the ends of those
//     relationships, with the holders of identifiers;
//  2. decide, in Go and in the change set's order, what each item does — created, updated,
//     unchanged, deleted, or the first error (NOT_FOUND, FORBIDDEN, CONFLICT, BAD_USER_INPUT) —
//     with the domain's rules (Handling.Visible, CanEdit, VictimIdentifierHidden,
//     Relationship.NamedVictim: see sarhad.ChangePlan) on that state as earlier items of the
//     change set leave it, exactly as the embedded store's statement-per-item transaction sees it;
//  3. write the outcome in UNWIND batches: per entity kind one CREATE statement for the new
//     entities and one for the changed ones, then per relationship type one DELETE, one CREATE and
//     one update statement. Large batches are sent as lists of values rather than maps, with the
//     values every row shares sent once (see table).
//
// The change set is encoded (prepare) while the first statement runs. Nothing is written before
// every item has been decided, so a failing change set writes nothing. The driver may run the
// callback more than once (it retries transient failures): each attempt starts from a fresh plan
// and fresh counters and reads the database anew, so an attempt never applies twice. The write
// statements are checked against the plan: a record planned as new is created with CREATE, which
// the uniqueness constraints refuse when a concurrent writer created the same id in between, and
// a record planned as existing must be found by id; when either fails, Apply plans again (a few
// times, then CONFLICT): never a silent overwrite.
func (s *Store) Apply(ctx context.Context, cs *sarhad.ChangeSet) (*sarhad.ApplyResult, error) {
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("neo4j: apply: %w", err)
	}
	enc := startPrepare(cs)
	var res *sarhad.ApplyResult
	for attempt := 1; ; attempt++ {
		err = s.write(ctx, func(tx neo4j.ManagedTransaction) error {
			res = nil // every attempt starts afresh
			p := &plan{ChangePlan: sarhad.NewChangePlan(v), tableFrom: s.tableFrom}
			if err := p.load(ctx, tx, cs); err != nil {
				return err
			}
			in, err := enc.wait()
			if err != nil {
				return err
			}
			p.in = in
			r, err := p.Decide(cs, in.puts.items(), in.links.items())
			if err != nil {
				return err
			}
			if err := p.write(ctx, tx); err != nil {
				return err
			}
			res = r
			return nil
		})
		if !isRace(err) || attempt == maxRaceAttempts {
			break
		}
	}
	if _, perr := enc.wait(); perr != nil {
		return nil, perr // the change set cannot be encoded: nothing was written
	}
	if isRace(err) {
		return nil, fmt.Errorf("neo4j: apply: %w: %w", err,
			sarhad.Errorf(sarhad.ECONFLICT, "the records changed while the change was applied; retry"))
	}
	if err != nil {
		return nil, wrap(ctx, "apply", err)
	}
	return res, nil
}

// isRace reports whether a write found the database changed since the plan read it: errRace from
// a statement whose counters disagree with the plan, or a uniqueness constraint that refused a
// record planned as new (when Neo4j reports it at commit rather than in the statement).
func isRace(err error) bool {
	return errors.Is(err, errRace) || isConstraintViolation(err)
}

func isConstraintViolation(err error) bool {
	var dbErr *neo4j.Neo4jError
	return errors.As(err, &dbErr) && dbErr.Code == codeConstraintViolation
}

// maxRaceAttempts bounds how often Apply plans again after a concurrent writer got in between.
const maxRaceAttempts = 3

// preparedEntity is an entity of a change set encoded for the store, once, outside the transaction.
type preparedEntity struct {
	e         sarhad.Entity
	attrs     string
	flattened map[string]any // a_ and p_ properties
	victim    bool
	terms     string
}

type preparedRel struct {
	r     *sarhad.Relationship
	props string
	flat  map[string]any
}

type prepared struct {
	puts  preparedEntities
	links preparedRels
}

type (
	preparedEntities []preparedEntity
	preparedRels     []preparedRel
)

// items returns the stored form of each entity for the plan.
func (ps preparedEntities) items() []sarhad.PlannedItem {
	out := make([]sarhad.PlannedItem, len(ps))
	for i := range ps {
		out[i].Content = ps[i].attrs
	}
	return out
}

// items returns the stored form of each relationship for the plan.
func (ps preparedRels) items() []sarhad.PlannedItem {
	out := make([]sarhad.PlannedItem, len(ps))
	for i := range ps {
		out[i].Content = ps[i].props
	}
	return out
}

// preparing is the encoding of a change set, done in the background for a large one so that
// Go's work overlaps the database's first reads (which need only the ids).
type preparing struct {
	done     chan struct{}
	in       *prepared
	err      error
	panicked any // a panic of the encoding, raised again in the caller's goroutine by wait
}

// prepareInBackground is the number of items from which a change set is encoded in the
// background, in parallel; a smaller one is encoded at once.
const prepareInBackground = 256

func startPrepare(cs *sarhad.ChangeSet) *preparing {
	p := &preparing{done: make(chan struct{})}
	if len(cs.Put)+len(cs.Link) < prepareInBackground {
		p.in, p.err = prepare(cs)
		close(p.done)
		return p
	}
	go func() {
		defer close(p.done)
		p.panicked = catch(func() { p.in, p.err = prepare(cs) })
	}()
	return p
}

// wait returns the encoded change set, or the error that keeps it from being encoded.
func (p *preparing) wait() (*prepared, error) {
	<-p.done
	if p.panicked != nil {
		panic(p.panicked)
	}
	return p.in, p.err
}

// catch runs f and returns what it panicked with, if it did: a panic in a goroutine of Apply's
// would end the process, beyond the reach of the caller's recover.
func catch(f func()) (panicked any) {
	defer func() { panicked = recover() }()
	f()
	return nil
}

// prepare encodes the change set, a large one on every processor. Errors found here are reported
// in the change set's order with the rest, so they are kept per item rather than returned at once;
// only an item that cannot be encoded at all fails the whole change set (the first one in order).
func prepare(cs *sarhad.ChangeSet) (*prepared, error) {
	in := &prepared{puts: make([]preparedEntity, len(cs.Put)), links: make([]preparedRel, len(cs.Link))}
	n := len(cs.Put) + len(cs.Link)
	errs := make([]error, n)
	encode := func(i int) {
		if i < len(cs.Put) {
			in.puts[i], errs[i] = prepareEntity(cs.Put[i])
		} else {
			in.links[i-len(cs.Put)], errs[i] = prepareRel(cs.Link[i-len(cs.Put)])
		}
	}
	const chunk = 128
	workers := min(runtime.GOMAXPROCS(0), (n+chunk-1)/chunk)
	if workers <= 1 {
		for i := range n {
			encode(i)
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		panics := make([]any, workers)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				panics[w] = catch(func() {
					for {
						start := int(next.Add(chunk)) - chunk
						if start >= n {
							return
						}
						for i := start; i < min(start+chunk, n); i++ {
							encode(i)
						}
					}
				})
			}()
		}
		wg.Wait()
		for _, x := range panics {
			if x != nil {
				panic(x)
			}
		}
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return in, nil
}

func prepareEntity(e sarhad.Entity) (preparedEntity, error) {
	pe := preparedEntity{e: e}
	m := e.EntityMeta()
	if m.Redacted {
		return pe, nil // refused by the plan
	}
	b, err := json.Marshal(e)
	if err != nil {
		return pe, fmt.Errorf("neo4j: apply: %s: %w", m.ID, err)
	}
	pe.attrs = string(b)
	pe.flattened = map[string]any{}
	if err := flattenJSON(b, attrPrefix, pe.flattened); err != nil {
		return pe, fmt.Errorf("neo4j: apply: %s: %w", m.ID, err)
	}
	if p, ok := e.(*sarhad.Person); ok && p.IsVictim() {
		pe.victim = true
		redacted := *p
		redacted.Redact() // replaces, never mutates, what it withholds
		rb, err := json.Marshal(&redacted)
		if err != nil {
			return pe, fmt.Errorf("neo4j: apply: %s: %w", m.ID, err)
		}
		if err := flattenJSON(rb, publicPrefix, pe.flattened); err != nil {
			return pe, fmt.Errorf("neo4j: apply: %s: %w", m.ID, err)
		}
	}
	pe.terms = strings.Join(sarhad.SearchTerms(e.SearchNames()), " ")
	return pe, nil
}

func prepareRel(r *sarhad.Relationship) (preparedRel, error) {
	pr := preparedRel{r: r}
	if !sarhad.ValidRelationshipID(r.ID) {
		return pr, nil // refused by the plan
	}
	b, err := json.Marshal(r.RelationProps)
	if err != nil {
		return pr, fmt.Errorf("neo4j: apply: %s: %w", r.ID, err)
	}
	pr.props = string(b)
	pr.flat = map[string]any{}
	if err := flattenJSON(b, "", pr.flat); err != nil {
		return pr, fmt.Errorf("neo4j: apply: %s: %w", r.ID, err)
	}
	return pr, nil
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

// plan is one attempt of Apply: the domain's decisions over the state read, and the writes.
type plan struct {
	*sarhad.ChangePlan
	// tableFrom is the number of rows from which a write is sent as a table (see writeRows).
	tableFrom int
	in        *prepared
}

// load reads the state of everything the change set touches, in two statements: relationships by
// id first, because their ends must be read with the entities. Each returns one record with a
// list of lists: a record per relationship or entity costs more to stream than to find. load needs
// only the ids of the change set, not its encoding.
func (p *plan) load(ctx context.Context, tx neo4j.ManagedTransaction, cs *sarhad.ChangeSet) error {
	var relIDs []string
	for _, r := range cs.Link {
		if sarhad.ValidRelationshipID(r.ID) { // prepare refuses the others
			relIDs = append(relIDs, r.ID)
		}
	}
	relIDs = append(relIDs, cs.Unlink...)
	// Entities to put are read whole; link ends only for the policy and their kind.
	full := map[string]bool{}
	var entityIDs []string
	for _, e := range cs.Put {
		id := e.EntityMeta().ID
		entityIDs = append(entityIDs, id)
		full[id] = true
	}
	for _, r := range cs.Link {
		entityIDs = append(entityIDs, r.From, r.To)
	}
	if len(relIDs) > 0 {
		records, err := collect(ctx, tx, byID+`
			RETURN collect([r.id, r.props, r.originOrg, r.originCountry, r.tlp, r.releasableTo, r.sourceIds,
				r.sourceKey, r.createdAt, r.createdBy, type(r), startNode(r).id, endNode(r).id])`,
			map[string]any{"ids": distinct(relIDs)})
		if err != nil {
			return err
		}
		rels, err := single(records)
		if err != nil {
			return err
		}
		for _, x := range rels {
			f, _ := x.([]any)
			if len(f) != 13 {
				return fmt.Errorf("relationship: unexpected value %v", x)
			}
			rs := &sarhad.PlannedRelationship{Exists: true, InStore: true, Type: sarhad.RelationType(asStr(f[10])),
				From: asStr(f[11]), To: asStr(f[12]), CreatedBy: asStr(f[9]),
				Form: sarhad.StoredForm{Content: asStr(f[1]), SourceKey: asStr(f[7]), SourceIDs: asStrs(f[6]),
					Handling: sarhad.Handling{OriginatorOrg: asStr(f[2]), OriginatorCountry: asStr(f[3]),
						TLP: sarhad.TLP(asStr(f[4])), ReleasableTo: asStrs(f[5])}}}
			if rs.CreatedAt, err = asStamp(f[8], "createdAt"); err != nil {
				return err
			}
			p.Relationships[asStr(f[0])] = rs
			entityIDs = append(entityIDs, rs.From, rs.To)
		}
	}
	if len(entityIDs) == 0 {
		return nil
	}
	// The persons that links name victims or tie by SAME_AS, and those put as records other than
	// victims', are locked (written) before they are read, in id order: Neo4j reads without locks,
	// and otherwise a change set could name a person a victim (or tie them to one) while a
	// concurrent one removed the person's victim details, each deciding on the records as they were
	// before the other (sarhad.Relationship.NamedVictim, SameAsVictim).
	lock := map[string]bool{}
	for _, e := range cs.Put {
		if p, ok := e.(*sarhad.Person); ok && !p.IsVictim() {
			lock[p.ID] = true
		}
	}
	for _, r := range cs.Link {
		if id := r.NamedVictim(); id != "" {
			lock[id] = true
		}
		if r.Type == sarhad.RelSameAs {
			lock[r.From], lock[r.To] = true, true
		}
	}
	ids := slices.Compact(slices.Sorted(slices.Values(entityIDs)))
	rows := make([][]any, len(ids))
	for i, id := range ids {
		rows[i] = []any{id, full[id], lock[id]}
	}
	records, err := collect(ctx, tx, `UNWIND $rows AS row
		MATCH (e:`+entityLabel+` {id: row[0]})
		CALL (e, row) {
			WITH e WHERE row[2]
			SET e._lock = true
			REMOVE e._lock
		}
		RETURN collect([row[0], e.kind, e.originOrg, e.originCountry, e.tlp, e.releasableTo, e.victim,
			CASE WHEN row[1] THEN e.attrs END,
			CASE WHEN row[1] THEN e.sourceIds END,
			CASE WHEN row[1] THEN e.sourceKey END,
			CASE WHEN row[1] THEN e.createdAt END,
			CASE WHEN row[1] THEN e.createdBy END,
			CASE WHEN e.kind IN `+identifierKinds+`
				THEN [(h:`+entityLabel+`)-[hr:`+holderTypes+`]->(e) | [hr.id, h.id, h.victim, h.originOrg]]
				ELSE [] END,
			CASE WHEN row[1] AND e.victim THEN `+namedVictim("e")+` ELSE false END])`, map[string]any{"rows": rows})
	if err != nil {
		return err
	}
	entities, err := single(records)
	if err != nil {
		return err
	}
	for _, x := range entities {
		f, _ := x.([]any)
		if len(f) != 14 {
			return fmt.Errorf("entity: unexpected value %v", x)
		}
		victim, _ := f[6].(bool)
		named, _ := f[13].(bool) // read for the victims' records to put only (sarhad.PlannedEntity.NamedVictim)
		st := &sarhad.PlannedEntity{Exists: true, InStore: true, Kind: sarhad.EntityKind(asStr(f[1])), Victim: victim, NamedVictim: named,
			CreatedBy: asStr(f[11]),
			Form: sarhad.StoredForm{Content: asStr(f[7]), SourceIDs: asStrs(f[8]), SourceKey: asStr(f[9]),
				Handling: sarhad.Handling{OriginatorOrg: asStr(f[2]), OriginatorCountry: asStr(f[3]),
					TLP: sarhad.TLP(asStr(f[4])), ReleasableTo: asStrs(f[5])}}}
		if st.Kind.IsIdentifier() {
			st.Holders = map[string]string{}
		}
		if st.CreatedAt, err = asStamp(f[10], "createdAt"); err != nil {
			return err
		}
		hs, _ := f[12].([]any)
		for _, h := range hs {
			hf, _ := h.([]any)
			if len(hf) != 4 {
				return fmt.Errorf("holder: unexpected value %v", h)
			}
			hv, _ := hf[2].(bool)
			st.Holders[asStr(hf[0])] = asStr(hf[1])
			p.Holders[asStr(hf[1])] = sarhad.PlannedHolder{Victim: hv, OriginOrg: asStr(hf[3])}
		}
		p.Entities[asStr(f[0])] = st
	}
	return nil
}

// namedVictim is the predicate that a stored relationship names entity x a victim
// (sarhad.Relationship.NamedVictim), or ties it by SAME_AS to a victim's record
// (sarhad.Relationship.SameAsVictim), whoever may see the relationship.
func namedVictim(x string) string {
	return expand(`(EXISTS { (x)-[nv:`+string(sarhad.RelPartyTo)+`]->() WHERE nv.role = '`+string(sarhad.PartyVictim)+`' }
		OR EXISTS { (x)<-[:`+string(sarhad.RelTrafficked)+`]-() }
		OR EXISTS { (x)-[:`+string(sarhad.RelSameAs)+`]-(x_same) WHERE x_same.victim })`, x)
}

// UnrecordedVictims implements sarhad.Store: the persons in id order (the label's id index), each
// checked for a naming relationship.
func (s *Store) UnrecordedVictims(ctx context.Context, p sarhad.Page) ([]string, error) {
	if _, err := sarhad.SystemViewerFrom(ctx); err != nil {
		return nil, err
	}
	records, err := s.read(ctx, `MATCH (e:`+sarhad.KindPerson.Label()+`) WHERE e.id > $after
			AND NOT coalesce(e.victim, false) AND `+namedVictim("e")+`
		RETURN e.id ORDER BY e.id LIMIT $first`, map[string]any{"after": p.After, "first": p.First})
	if err != nil {
		return nil, wrap(ctx, "unrecorded victims", err)
	}
	ids := make([]string, 0, len(records))
	for _, r := range records {
		id, ok := r.Values[0].(string)
		if !ok {
			return nil, fmt.Errorf("neo4j: unrecorded victims: unexpected id %v", r.Values[0])
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// single returns the list that a statement returning one collect() returned.
func single(records []*neo4j.Record) ([]any, error) {
	if len(records) != 1 || len(records[0].Values) != 1 {
		return nil, fmt.Errorf("%d records, want one", len(records))
	}
	xs, _ := records[0].Values[0].([]any)
	return xs, nil
}

// asStr reads a string value as str reads a map entry.
func asStr(x any) string {
	s, _ := x.(string)
	return s
}

// setEnvelope adds the handling and provenance properties; empty lists are left out (a missing
// list matches no filter, as an empty one would).
func setEnvelope(props map[string]any, h sarhad.Handling, sources []string, sourceKey, sourceRef string) {
	props["originOrg"], props["originCountry"], props["tlp"] = h.OriginatorOrg, h.OriginatorCountry, string(h.TLP)
	props["sourceKey"], props["sourceRef"] = sourceKey, sourceRef
	if len(h.ReleasableTo) > 0 {
		props["releasableTo"] = slices.Clone(h.ReleasableTo)
	}
	if len(sources) > 0 {
		props["sourceIds"] = slices.Clone(sources)
	}
}

// errRace is a write that found the database changed since the plan read it: a concurrent
// transaction created or deleted one of the same records. Apply plans again.
var errRace = errors.New("a concurrent write changed the records of the change set")

// raced turns a uniqueness constraint's refusal of a record planned as new into errRace: a
// concurrent writer created the same id since the plan read it.
func raced(err error) error {
	if isConstraintViolation(err) {
		return fmt.Errorf("%w: %v", errRace, err)
	}
	return err
}

// write sends the plan's outcome in batches: entities by kind, then relationship deletions,
// creations and updates by type, each in the change set's order. New records are created with
// CREATE (the uniqueness constraints refuse an id a concurrent writer took in between), existing
// ones are found by id and replaced; a count that disagrees with the plan is errRace.
func (p *plan) write(ctx context.Context, tx neo4j.ManagedTransaction) error {
	// Entities; an id put twice is written once, as the change set leaves it.
	creates := map[sarhad.EntityKind][]map[string]any{}
	updates := map[sarhad.EntityKind][]map[string]any{}
	for _, id := range p.EntityWrites {
		st := p.Entities[id]
		props := p.entityProperties(st)
		if st.InStore {
			updates[st.Kind] = append(updates[st.Kind], props)
		} else {
			creates[st.Kind] = append(creates[st.Kind], props)
		}
	}
	for _, k := range sarhad.EntityKinds() {
		node := entityLabel + ":" + k.Label()
		if rows := creates[k]; len(rows) > 0 {
			if err := createRows(ctx, tx, p.tableFrom, false, func(fields string) string {
				return "CREATE (e:" + node + " " + fields + ")"
			}, "CREATE (e:"+node+") SET e = row.props", nil, rows); err != nil {
				return err
			}
		}
		if rows := updates[k]; len(rows) > 0 {
			ids := make([][]any, len(rows))
			for i, row := range rows {
				ids[i] = []any{row["id"]}
			}
			match := func(id string) string { return "MATCH (e:" + entityLabel + " {id: " + id + "})\n\t" }
			if err := updateRows(ctx, tx, p.tableFrom, func(fields string) string {
				return match("row[0]") + p.replace("e", "SET e = "+fields+", e:"+k.Label()) + "RETURN count(e)"
			}, match("row.lead[0]")+p.replace("e", "SET e = row.props, e:"+k.Label())+"RETURN count(e)", ids, rows); err != nil {
				return err
			}
		}
	}

	// Relationships: deletions first, then creations and updates by type, in the change set's
	// order.
	deletes := map[sarhad.RelationType][]string{}
	for _, id := range p.Deleted {
		t := p.Relationships[id].Type
		deletes[t] = append(deletes[t], id)
	}
	creating := map[sarhad.RelationType][]*sarhad.PlannedRelationship{}
	updating := map[sarhad.RelationType][]*sarhad.PlannedRelationship{}
	for _, id := range p.RelationshipWrites {
		if rs := p.Relationships[id]; !rs.Exists {
			continue // linked, then unlinked
		} else if rs.InStore {
			updating[rs.Type] = append(updating[rs.Type], rs)
		} else {
			creating[rs.Type] = append(creating[rs.Type], rs)
		}
	}
	for _, t := range sarhad.RelationTypes() {
		ids := deletes[t]
		if len(ids) == 0 {
			continue
		}
		slices.Sort(ids)
		sum, err := run(ctx, tx, `UNWIND $ids AS id
			MATCH ()-[r:`+string(t)+` {id: id}]->() USING INDEX SEEK r:`+string(t)+`(id)
			DELETE r`, map[string]any{"ids": ids})
		if err != nil {
			return err
		}
		if sum.Counters().RelationshipsDeleted() != len(ids) {
			return errRace
		}
	}
	for _, t := range sarhad.RelationTypes() {
		rel := string(t)
		if states := creating[t]; len(states) > 0 {
			ends := make([][]any, len(states))
			props := make([]map[string]any, len(states))
			for i, rs := range states {
				ends[i], props[i] = []any{rs.From, rs.To}, p.relationshipProperties(rs)
			}
			match := func(from, to string) string {
				return "MATCH (f:" + entityLabel + " {id: " + from + "})\n\tMATCH (t:" + entityLabel + " {id: " + to + "})\n\t"
			}
			if err := createRows(ctx, tx, p.tableFrom, true, func(fields string) string {
				return match("row[0]", "row[1]") + "CREATE (f)-[r:" + rel + " " + fields + "]->(t)"
			}, match("row.lead[0]", "row.lead[1]")+"CREATE (f)-[r:"+rel+"]->(t) SET r = row.props", ends, props); err != nil {
				return err
			}
		}
		if states := updating[t]; len(states) > 0 {
			keys := make([][]any, len(states))
			props := make([]map[string]any, len(states))
			for i, rs := range states {
				props[i] = p.relationshipProperties(rs)
				keys[i] = []any{props[i]["id"], rs.From, rs.To}
			}
			match := func(id, from, to string) string {
				return "MATCH ()-[r:" + rel + " {id: " + id + "}]->() USING INDEX SEEK r:" + rel + "(id)\n\t" +
					"WHERE startNode(r).id = " + from + " AND endNode(r).id = " + to + "\n\t"
			}
			if err := updateRows(ctx, tx, p.tableFrom, func(fields string) string {
				return match("row[0]", "row[1]", "row[2]") + p.replace("r", "SET r = "+fields) + "RETURN count(r)"
			}, match("row.lead[0]", "row.lead[1]", "row.lead[2]")+p.replace("r", "SET r = row.props")+"RETURN count(r)", keys, props); err != nil {
				return err
			}
		}
	}
	return nil
}

// entityProperties returns the properties of an entity to write, as the change set leaves it.
func (p *plan) entityProperties(st *sarhad.PlannedEntity) map[string]any {
	pe := &p.in.puts[st.Put]
	m, f := pe.e.EntityMeta(), &st.Form
	props := make(map[string]any, len(pe.flattened)+16)
	maps.Copy(props, pe.flattened)
	props["id"], props["kind"], props["attrs"], props["victim"] = m.ID, string(m.Kind), f.Content, pe.victim
	props["createdAt"], props["createdBy"] = stamp(st.CreatedAt), st.CreatedBy
	props["updatedAt"], props["updatedBy"] = stamp(m.UpdatedAt), m.UpdatedBy
	setEnvelope(props, f.Handling, f.SourceIDs, f.SourceKey, m.SourceRef)
	if pe.terms != "" {
		props["terms"] = pe.terms
	}
	return props
}

// relationshipProperties returns the properties of a relationship to write, as the change set
// leaves it.
func (p *plan) relationshipProperties(rs *sarhad.PlannedRelationship) map[string]any {
	pr := &p.in.links[rs.Link]
	r, f := pr.r, &rs.Form
	props := make(map[string]any, len(pr.flat)+16)
	maps.Copy(props, pr.flat)
	props["id"], props["props"] = r.ID, f.Content
	props["createdAt"], props["createdBy"] = stamp(rs.CreatedAt), rs.CreatedBy
	props["updatedAt"], props["updatedBy"] = stamp(r.UpdatedAt), r.UpdatedBy
	setEnvelope(props, f.Handling, f.SourceIDs, f.SourceKey, r.SourceRef)
	return props
}

// replace returns set, the clause that replaces the properties of record x with those of a row of
// an update. Under ChangeSet.KeepSources the plan merged the sources it read, but Neo4j reads
// without locks: a concurrent change set may have added sources since. So the record is locked
// (written) first, its sources as they stand are read, and they come first in the sources written,
// followed by those of the row they lack.
func (p *plan) replace(x, set string) string {
	if !p.KeepsSources() {
		return set + "\n\t"
	}
	return "SET " + x + "._lock = true\n\tWITH " + x + ", row, coalesce(" + x + ".sourceIds, []) AS had\n\t" + set + "\n\t" +
		"WITH " + x + ", had + [s IN coalesce(" + x + ".sourceIds, []) WHERE NOT s IN had] AS sources\n\t" +
		"SET " + x + ".sourceIds = CASE WHEN size(sources) > 0 THEN sources END\n\t"
}

// updateRows replaces existing records, found by the lead values of each row (see writeRows),
// and checks that the statement found them all: fewer is errRace (a concurrent writer deleted one).
func updateRows(ctx context.Context, tx neo4j.ManagedTransaction, tableFrom int, large func(fields string) string, small string,
	lead [][]any, props []map[string]any) error {
	_, records, err := writeRows(ctx, tx, tableFrom, large, small, lead, props)
	if err != nil {
		return err
	}
	if len(records) != 1 || len(records[0].Values) != 1 {
		return fmt.Errorf("update: %d records", len(records))
	}
	if n, _ := records[0].Values[0].(int64); n != int64(len(props)) {
		return errRace
	}
	return nil
}

// createRows creates one node (or relationship, with rels) per row (see writeRows) and checks that
// it created them all: fewer, or a uniqueness constraint's refusal, is errRace (a concurrent
// writer deleted an end, or created the same id).
func createRows(ctx context.Context, tx neo4j.ManagedTransaction, tableFrom int, rels bool, large func(fields string) string,
	small string, lead [][]any, props []map[string]any) error {
	sum, _, err := writeRows(ctx, tx, tableFrom, large, small, lead, props)
	if err != nil {
		return raced(err)
	}
	created := sum.Counters().NodesCreated()
	if rels {
		created = sum.Counters().RelationshipsCreated()
	}
	if created != len(props) {
		return errRace
	}
	return nil
}

// defaultTableFrom is the number of rows from which writeRows sends a table (see table) rather
// than a map per row. A small batch keeps the map and the one statement text per kind or type,
// planned once; a table's statement text depends on the properties of its rows.
const defaultTableFrom = 64

// writeRows runs "UNWIND $rows AS row" and a statement over rows of lead values (ids, ends) and
// properties, and returns its summary and records. A large batch is sent as a table: the
// statement is large(fields), where fields is the properties of a row as a Cypher map literal
// (null where the row has none), and the lead values are row[0], row[1]…; a small batch as maps:
// the statement is small, the lead values are row.lead[0]… and the properties row.props.
func writeRows(ctx context.Context, tx neo4j.ManagedTransaction, tableFrom int, large func(fields string) string, small string,
	lead [][]any, props []map[string]any) (neo4j.ResultSummary, []*neo4j.Record, error) {
	var query string
	var params map[string]any
	if len(props) >= tableFrom {
		t := newTable(lead, props)
		query = "UNWIND $rows AS row\n\t" + large(t.fields)
		params = map[string]any{"rows": t.rows, "shared": t.shared}
	} else {
		rows := make([]map[string]any, len(props))
		for i, pr := range props {
			rows[i] = map[string]any{"props": pr}
			if lead != nil {
				rows[i]["lead"] = lead[i]
			}
		}
		query = "UNWIND $rows AS row\n\t" + small
		params = map[string]any{"rows": rows}
	}
	res, err := tx.Run(ctx, query, params)
	if err != nil {
		return nil, nil, err
	}
	records, err := res.Collect(ctx)
	if err != nil {
		return nil, nil, err
	}
	sum, err := res.Consume(ctx)
	if err != nil {
		return nil, nil, err
	}
	return sum, records, nil
}

// table is a batch of rows for an UNWIND statement laid out as lists rather than maps: Neo4j
// decodes a map per row, key by key, for a large part of the cost of a bulk write. Each row is a
// list of the lead values, then one value per property that varies (nil where the row has none,
// which sets nothing); a property that every row has with the same value (the handling, stamps
// and provenance of an import batch, say) is sent once, in $shared. fields is the properties as a
// Cypher map literal over row and $shared, in a fixed order.
type table struct {
	rows   [][]any
	shared map[string]any
	fields string
}

func newTable(lead [][]any, props []map[string]any) table {
	keySet := map[string]bool{}
	for _, pr := range props {
		for k := range pr {
			keySet[k] = true
		}
	}
	keys := slices.Sorted(maps.Keys(keySet))
	t := table{rows: make([][]any, len(props)), shared: map[string]any{}}
	width := 0
	if len(lead) > 0 {
		width = len(lead[0])
	}
	var fields []string
	var varying []string
	for _, k := range keys {
		if v, ok := sharedValue(props, k); ok {
			name := fmt.Sprintf("s%d", len(t.shared))
			t.shared[name] = v
			fields = append(fields, quote(k)+": $shared."+name)
			continue
		}
		fields = append(fields, fmt.Sprintf("%s: row[%d]", quote(k), width+len(varying)))
		varying = append(varying, k)
	}
	for i, pr := range props {
		row := make([]any, 0, width+len(varying))
		if lead != nil {
			row = append(row, lead[i]...)
		}
		for _, k := range varying {
			row = append(row, pr[k])
		}
		t.rows[i] = row
	}
	t.fields = "{" + strings.Join(fields, ", ") + "}"
	return t
}

// quote quotes a property name for Cypher.
func quote(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }

// sharedValue returns the value of property k when every row has it, and the same.
func sharedValue(props []map[string]any, k string) (any, bool) {
	first, ok := props[0][k]
	if !ok {
		return nil, false
	}
	for _, pr := range props[1:] {
		v, ok := pr[k]
		if !ok || !sameValue(first, v) {
			return nil, false
		}
	}
	return first, true
}

// sameValue reports whether two property values are the same, for the types properties have
// (anything else is never the same, and so sent per row).
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case int64:
		y, ok := b.(int64)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y) && x.Location() == y.Location()
	case []string:
		y, ok := b.([]string)
		return ok && slices.Equal(x, y)
	case []float64:
		y, ok := b.([]float64)
		return ok && slices.Equal(x, y)
	case []bool:
		y, ok := b.([]bool)
		return ok && slices.Equal(x, y)
	}
	return false
}
