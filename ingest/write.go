package ingest

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/sarhad/sarhad"
)

// Writing. While one batch is applied (in its own goroutine), the next is read and checked: the
// applying goroutine touches no state of the loader but the records of its batch, and hands its
// outcome back to the reading goroutine, which alone updates the report and calls Progress.

// outcome is what applying a batch did.
type outcome struct {
	res      sarhad.ApplyResult
	rejected []Rejection
	victims  []string // the persons written as victims' records
	err      error
}

func (o *outcome) reject(rec *record, field, reason string) {
	o.rejected = append(o.rejected, Rejection{File: rec.f.path, Line: rec.line, Field: field, Reason: reason})
}

// add counts what Apply did (res) with the records recs.
func (o *outcome) add(res *sarhad.ApplyResult, recs []*record) {
	o.res.Created += res.Created
	o.res.Updated += res.Updated
	o.res.Unchanged += res.Unchanged
	for _, rec := range recs {
		if p, ok := rec.entity.(*sarhad.Person); ok && p.IsVictim() {
			o.victims = append(o.victims, p.ID)
		}
	}
}

// protect calls Options.VictimsWritten with the victims' records the batch wrote, a chunk at a
// time: also when a later part of the batch failed, since the parts written before stay written.
func (l *loader) protect(o *outcome) {
	if l.opts.VictimsWritten == nil {
		return
	}
	for _, chunk := range chunks(o.victims) {
		if err := l.opts.VictimsWritten(l.ctx, chunk); err != nil {
			o.err = errors.Join(o.err, fmt.Errorf("ingest: protect the records SAME_AS ties to victims' records: %w", err))
			return
		}
	}
}

// flush resolves the queued relationships and applies the queued records, entities first, in
// batches; at the end of the import (final) it resolves the deferred relationships too and waits
// for the last batch.
func (l *loader) flush(final bool) error {
	rels := l.rels
	if final {
		rels = append(l.deferred, rels...)
		l.deferred = nil
	}
	links, err := l.resolve(rels, final)
	if err != nil {
		return err
	}
	for _, rec := range links {
		l.queueSource(rec.f)
	}
	puts := l.puts
	l.puts, l.rels = nil, nil
	if l.opts.Atomic {
		return l.applyAtomic(puts, links)
	}
	for len(puts)+len(links) > 0 {
		n := min(len(puts), l.batch)
		m := min(len(links), l.batch-n)
		if err := l.start(puts[:n], links[:m]); err != nil {
			return err
		}
		puts, links = puts[n:], links[m:]
	}
	if final {
		return l.wait()
	}
	return nil
}

// start waits for the batch being applied, then applies the next one in the background: its
// relationships may join entities of the batch before.
func (l *loader) start(puts, links []*record) error {
	if err := l.wait(); err != nil {
		return err
	}
	done := make(chan outcome, 1)
	l.inflight = done
	go func() { done <- l.applyBatch(puts, links) }()
	return nil
}

// wait waits for the batch being applied, if any, and adds its outcome to the report.
func (l *loader) wait() error {
	if l.inflight == nil {
		return nil
	}
	o := <-l.inflight
	l.inflight = nil
	return l.merge(o)
}

func (l *loader) merge(o outcome) error {
	l.rep.Created += o.res.Created
	l.rep.Updated += o.res.Updated
	l.rep.Unchanged += o.res.Unchanged
	l.rep.Rejected = append(l.rep.Rejected, o.rejected...)
	l.report()
	return o.err
}

// prepare checks, before a batch is written, what Store.Apply does not: it reads the entities of
// the batch that exist, to reject those the viewer may not edit (a protected victim's record among
// them) and a victim under the pseudonym of a redacted export over the stored one (for the system
// viewer, only the latter are read, unless every); and it rejects the creation of a record under
// an id of the viewer's choosing unless they are an administrator. A row that would turn a victim
// into a person who is not one is rejected here when the stored record was read; Apply refuses the
// others (KeepVictims). Relationships are read only where that rule needs them, or all of them
// (every, see prepareLinks). Apply keeps the creation stamp of the records that exist and, under
// KeepSources (changeSet), their sources. It returns the records still to write.
func (l *loader) prepare(o *outcome, puts, links []*record, every bool) ([]*record, []*record, error) {
	// The system viewer (the command-line import) may edit every record and choose ids: for it,
	// only a victim under a pseudonym needs the stored record, unless every record is checked
	// before anything is written (an atomic import, which lists every row it refuses).
	var asked []int // the puts read, by index
	var ids []string
	for i, rec := range puts {
		if !l.v.System || every || pseudonymous(rec.entity) {
			asked, ids = append(asked, i), append(ids, rec.entity.EntityMeta().ID)
		}
	}
	olds := make([]sarhad.Entity, len(puts))
	for i, chunk := range chunks(ids) {
		found, err := l.st.Entities(l.ctx, chunk)
		if err != nil {
			return nil, nil, fmt.Errorf("ingest: read existing entities: %w", err)
		}
		for j, old := range found {
			olds[asked[i*lookupChunk+j]] = old
		}
	}
	keepPuts := puts[:0:0]
	for i, rec := range puts {
		old := olds[i]
		if old == nil {
			if rec.chosenID && !l.v.HasRole(sarhad.RoleAdmin) {
				o.reject(rec, colID, chosenIDReason)
				continue
			}
			keepPuts = append(keepPuts, rec)
			continue
		}
		if reason := l.mayEdit(old.EntityMeta()); reason != "" {
			o.reject(rec, "", reason)
			continue
		}
		if pseudonymOver(rec.entity, old) {
			o.reject(rec, "", "is a protected victim under a pseudonym (a redacted export): it may not overwrite the victim's record")
			continue
		}
		if sarhad.IsVictim(old) && !sarhad.IsVictim(rec.entity) {
			o.reject(rec, "", sarhad.KeepVictimsReason)
			continue
		}
		keepPuts = append(keepPuts, rec)
	}
	keepLinks, err := l.prepareLinks(o, links, every)
	if err == nil && every {
		keepLinks, err = l.rejectUnrecordedVictims(o, keepPuts, keepLinks)
	}
	return keepPuts, keepLinks, err
}

// rejectUnrecordedVictims rejects the links that name a person a victim whose record, as puts leave
// it or as stored, is not a victim's (sarhad.Relationship.NamedVictim), and the SAME_AS links
// between a victim's record and one that is not (SameAsVictim). Apply refuses them too; an atomic
// import lists every record it refuses before it writes.
func (l *loader) rejectUnrecordedVictims(o *outcome, puts, links []*record) ([]*record, error) {
	victim := map[string]bool{} // person id → a victim's record, as puts leave it or as stored
	for _, rec := range puts {
		if _, ok := rec.entity.(*sarhad.Person); ok {
			victim[rec.entity.EntityMeta().ID] = sarhad.IsVictim(rec.entity)
		}
	}
	// persons are the persons a link's rule reads: the one it names a victim, or both ends of a
	// SAME_AS.
	persons := func(r *sarhad.Relationship) []string {
		if id := r.NamedVictim(); id != "" {
			return []string{id}
		}
		if r.Type == sarhad.RelSameAs {
			return []string{r.From, r.To}
		}
		return nil
	}
	var ids []string
	asked := map[string]bool{}
	for _, rec := range links {
		for _, id := range persons(rec.rel) {
			if _, known := victim[id]; !known && !asked[id] {
				asked[id] = true
				ids = append(ids, id)
			}
		}
	}
	for _, chunk := range chunks(ids) {
		found, err := l.st.Entities(l.ctx, chunk)
		if err != nil {
			return nil, fmt.Errorf("ingest: read the persons that relationships name victims: %w", err)
		}
		for _, e := range found {
			if _, ok := e.(*sarhad.Person); ok {
				victim[e.EntityMeta().ID] = sarhad.IsVictim(e)
			}
		}
	}
	keep := links[:0:0]
	for _, rec := range links {
		r := rec.rel
		if id := r.NamedVictim(); id != "" {
			if v, known := victim[id]; known && !v {
				o.reject(rec, "", sarhad.UnrecordedVictimReason(r.Type, id))
				continue
			}
		}
		if r.Type == sarhad.RelSameAs {
			fv, fromKnown := victim[r.From]
			tv, toKnown := victim[r.To]
			if id := r.SameAsVictim(fv, tv); fromKnown && toKnown && id != "" {
				o.reject(rec, "", sarhad.UnrecordedVictimReason(r.Type, id))
				continue
			}
		}
		keep = append(keep, rec)
	}
	return keep, nil
}

// prepareLinks reads the relationships of links that exist — those under an id of the viewer's
// choosing, or all of them (every) — and rejects those the viewer may not edit or whose key names
// a relationship of another type or between other entities. Apply refuses these too, but a
// refused change set is written again in halves (write): reading them all first is what an atomic
// import, which lists every record it refuses before it writes, and a batch Apply refused do. For
// the others a read of every relationship by id would cost more than the write (on Neo4j it seeks
// the index of every relationship type, since ids do not say their type).
func (l *loader) prepareLinks(o *outcome, links []*record, every bool) ([]*record, error) {
	admin := l.v.HasRole(sarhad.RoleAdmin)
	var asked []int // the links read, by index
	var ids []string
	for i, rec := range links {
		if every || rec.chosenID && !admin {
			asked, ids = append(asked, i), append(ids, rec.rel.ID)
		}
	}
	olds := make([]*sarhad.Relationship, len(links))
	for i, chunk := range chunks(ids) {
		found, err := l.st.RelationshipsByID(l.ctx, chunk)
		if err != nil {
			return nil, fmt.Errorf("ingest: read existing relationships: %w", err)
		}
		for j, old := range found {
			olds[asked[i*lookupChunk+j]] = old
		}
	}
	protected, err := l.protectedTies(olds)
	if err != nil {
		return nil, err
	}
	keep := links[:0:0]
	for i, rec := range links {
		old := olds[i]
		if old == nil {
			if rec.chosenID && !admin {
				o.reject(rec, colID, chosenIDReason)
				continue
			}
			keep = append(keep, rec)
			continue
		}
		if reason := l.mayEdit(&old.Meta); reason != "" {
			o.reject(rec, "", reason)
			continue
		}
		if r := rec.rel; old.Type != r.Type || old.From != r.From || old.To != r.To {
			o.reject(rec, rec.fields.key, fmt.Sprintf("%q already names a relationship that joins other entities", r.SourceKey))
			continue
		}
		if protected[old.ID] {
			o.reject(rec, "", sarhad.ProtectedTieReason(old.ID))
			continue
		}
		keep = append(keep, rec)
	}
	return keep, nil
}

// protectedTies returns which of the stored relationships olds (nil where none) tie a victim whose
// identifying details the viewer may not see (sarhad.ProtectTie), which only those who may see
// them may rewrite.
func (l *loader) protectedTies(olds []*sarhad.Relationship) (map[string]bool, error) {
	out := map[string]bool{}
	if l.v.System {
		return out, nil
	}
	rels := slices.DeleteFunc(slices.Clone(olds), func(r *sarhad.Relationship) bool { return r == nil })
	ties, err := sarhad.ProtectTies(l.ctx, l.st, rels, nil)
	if err != nil {
		return nil, fmt.Errorf("ingest: read the persons that relationships tie: %w", err)
	}
	for _, r := range ties {
		if r.Redacted {
			out[r.ID] = true
		}
	}
	return out, nil
}

func chunks(ids []string) [][]string {
	var out [][]string
	for c := range slices.Chunk(ids, lookupChunk) {
		out = append(out, c)
	}
	return out
}

// chosenIDReason rejects the creation of a record under an id other than the one its key derives:
// ids of another organisation's keys are not for others to take.
const chosenIDReason = "only administrators may create a record under an id of their choosing (leave id empty: the key derives it)"

// pseudonymOver reports whether e is a protected victim as a redacted export shows it (named by the
// pseudonym of its id) about to replace a stored record that is not: re-importing an export must not
// overwrite a victim's details with the pseudonym.
func pseudonymOver(e, old sarhad.Entity) bool {
	if !pseudonymous(e) {
		return false
	}
	op, ok := old.(*sarhad.Person)
	return !ok || op.Name != e.(*sarhad.Person).Name
}

// pseudonymous reports whether e is a protected victim named by the pseudonym of its id.
func pseudonymous(e sarhad.Entity) bool {
	p, ok := e.(*sarhad.Person)
	return ok && p.IsVictim() && p.Name == sarhad.Pseudonym(p.ID)
}

// mayEdit says why the viewer may not overwrite an existing record, or "".
func (l *loader) mayEdit(m *sarhad.Meta) string {
	if m.Redacted {
		return sarhad.ErrorMessage(sarhad.ErrProtectedVictim())
	}
	if !sarhad.CanEdit(l.v, m.Handling) {
		return fmt.Sprintf("you may not edit %s", m.ID)
	}
	return ""
}

func changeSet(puts, links []*record) *sarhad.ChangeSet {
	cs := &sarhad.ChangeSet{Put: make([]sarhad.Entity, len(puts)), Link: make([]*sarhad.Relationship, len(links)),
		KeepSources: true, KeepVictims: true}
	for i, rec := range puts {
		cs.Put[i] = rec.entity
	}
	for i, rec := range links {
		cs.Link[i] = rec.rel
	}
	return cs
}

// clientError reports whether err is about the records rather than the store.
func clientError(err error) bool {
	switch sarhad.ErrorCode(err) {
	case sarhad.EINVALID, sarhad.EFORBIDDEN, sarhad.ENOTFOUND, sarhad.ECONFLICT:
		return true
	}
	return false
}

// applyBatch writes one batch after prepare. When Apply refuses the batch, its relationships are
// read (prepareLinks) before it is written in halves (write), so that a file of many moved keys
// costs one read rather than many halvings, and each moved key is rejected as prepareLinks
// rejects it.
func (l *loader) applyBatch(puts, links []*record) (o outcome) {
	defer l.protect(&o)
	puts, links, o.err = l.prepare(&o, puts, links, false)
	if o.err != nil || len(puts)+len(links) == 0 {
		return o
	}
	res, err := l.st.Apply(l.ctx, changeSet(puts, links))
	switch {
	case err == nil:
		o.add(res, puts)
		return o
	case !clientError(err):
		o.err = fmt.Errorf("ingest: apply: %w", err)
		return o
	}
	if links, o.err = l.prepareLinks(&o, links, true); o.err == nil && len(puts)+len(links) > 0 {
		l.write(&o, slices.Concat(puts, links))
	}
	return o
}

// write applies recs, entities before relationships, in one Store.Apply. When the store refuses
// them for one of the records (or more), each half is written again, and a refused half again in
// halves, down to the single records it rejects: so that the others land and the culprits are
// reported. A batch of n records with k refused ones takes about 2k·log2(n) writes, where one by
// one took n. A relationship is still written with or after the entities of the batch it joins.
func (l *loader) write(o *outcome, recs []*record) {
	entities := 0
	for entities < len(recs) && recs[entities].entity != nil {
		entities++
	}
	res, err := l.st.Apply(l.ctx, changeSet(recs[:entities], recs[entities:]))
	switch {
	case err == nil:
		o.add(res, recs[:entities])
	case !clientError(err):
		o.err = fmt.Errorf("ingest: apply: %w", err)
	case len(recs) == 1:
		o.reject(recs[0], "", sarhad.ErrorMessage(err))
	default:
		mid := len(recs) / 2
		if l.write(o, recs[:mid]); o.err == nil {
			l.write(o, recs[mid:])
		}
	}
}

// applyAtomic writes the whole import in one change set, or nothing when a record was rejected.
func (l *loader) applyAtomic(puts, links []*record) error {
	var o outcome
	puts, links, o.err = l.prepare(&o, puts, links, true)
	if o.err == nil && len(l.rep.Rejected)+len(o.rejected) == 0 && len(puts)+len(links) > 0 {
		res, err := l.st.Apply(l.ctx, changeSet(puts, links))
		if err != nil {
			o.err = fmt.Errorf("ingest: atomic import failed, nothing was written: %w", err)
		} else {
			o.add(res, puts)
			l.protect(&o)
		}
	}
	return l.merge(o)
}

// finish applies what is left, deferred relationships included, and orders the rejections.
func (l *loader) finish() error {
	if err := l.flush(true); err != nil {
		return err
	}
	order := map[string]int{}
	for _, f := range l.files {
		if _, ok := order[f.path]; !ok {
			order[f.path] = f.index
		}
	}
	slices.SortStableFunc(l.rep.Rejected, func(a, b Rejection) int {
		return cmp.Or(cmp.Compare(order[a.File], order[b.File]), cmp.Compare(a.Line, b.Line))
	})
	l.report()
	return nil
}

// report calls the progress callback with the current counts.
func (l *loader) report() {
	if l.opts.Progress == nil {
		return
	}
	p := &l.progress
	p.Records = l.rep.Read
	p.Bytes = l.doneSize
	if l.reading != nil {
		p.Bytes += l.reading.n
	}
	p.Created, p.Updated, p.Unchanged, p.Rejected = l.rep.Created, l.rep.Updated, l.rep.Unchanged, len(l.rep.Rejected)
	l.opts.Progress(*p)
}
