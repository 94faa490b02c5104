package ingest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/sarhad/sarhad"
)

// lookupChunk bounds the ids of one store lookup.
const lookupChunk = 1000

// addRelationship checks a relationship as far as it can before its ends are resolved, and
// queues it. It returns an error only when applying a full batch fails.
func (l *loader) addRelationship(rec *record) error {
	r := rec.rel
	if !r.Type.Valid() {
		l.reject(rec, rec.fields.attrs+"type", fmt.Sprintf("%q is not a relationship type", r.Type))
		return nil
	}
	if rec.id != "" && !sarhad.ValidRelationshipID(rec.id) {
		l.reject(rec, colID, fmt.Sprintf("%q is not a relationship id", truncate(rec.id, 64)))
		return nil
	}
	if field, reason := checkMode(&r.RelationProps); reason != "" {
		l.reject(rec, rec.fields.attrs+field, reason)
		return nil
	}
	h, ok := l.handling(rec)
	if !ok {
		return nil
	}
	r.Handling = h
	rec.fromIDs, rec.toIDs = l.candidates(rec, &rec.from), l.candidates(rec, &rec.to)
	if len(rec.fromIDs) == 1 && len(rec.toIDs) == 1 {
		// Both kinds are known: check the type joins them now, so the reason is not "not found".
		if !l.normalize(rec, rec.fromIDs[0], rec.toIDs[0]) {
			return nil
		}
	}
	l.rels = append(l.rels, rec)
	return l.maybeFlush()
}

// candidates are the ids an end may have: one per kind it may be.
func (l *loader) candidates(rec *record, end *ref) []string {
	if end.id != "" {
		return []string{end.id}
	}
	org := cmp.Or(end.org, rec.rel.Handling.OriginatorOrg)
	out := make([]string, 0, len(end.kinds))
	for _, k := range end.kinds {
		if k == sarhad.KindCountry {
			if c, ok := sarhad.LookupCountry(end.key); ok {
				out = append(out, sarhad.CountryID(c.Alpha3))
			}
			continue
		}
		out = append(out, l.keyedID(k, org, end.key))
	}
	return out
}

// normalize sets the ends of a relationship and applies the domain's checks to it.
func (l *loader) normalize(rec *record, from, to string) bool {
	r := rec.rel
	r.From, r.To = from, to
	fromKind, _ := sarhad.KindOfID(from)
	toKind, _ := sarhad.KindOfID(to)
	if err := sarhad.NormalizeRelationship(r, fromKind, toKind, rec.fields.attrs); err != nil {
		l.rejectErr(rec, err)
		return false
	}
	rec.normalized = true
	return true
}

// pick returns the first candidate id of end known to exist, or "". An end named by key does not
// find a record the viewer reads under a pseudonym (l.pseudonymous): it is not found, exactly as a
// key that names nothing, since its key is withheld from the viewer.
func (l *loader) pick(end *ref, ids []string) string {
	for _, id := range ids {
		if _, ok := l.seen[id]; ok && (end.id != "" || !l.pseudonymous[id]) {
			return id
		}
	}
	return ""
}

// resolve finds the ends of relationships among the entities of the import and, failing that, in
// the store. A relationship with an end not found is deferred until every file has been read, and
// rejected then. It returns the relationships ready to link.
func (l *loader) resolve(recs []*record, final bool) ([]*record, error) {
	var unknown []string
	asked := map[string]bool{}
	for _, rec := range recs {
		for _, end := range [2]struct {
			ref *ref
			ids []string
		}{{&rec.from, rec.fromIDs}, {&rec.to, rec.toIDs}} {
			if l.pick(end.ref, end.ids) != "" {
				continue
			}
			for _, id := range end.ids {
				if !asked[id] {
					asked[id] = true
					unknown = append(unknown, id)
				}
			}
		}
	}
	for chunk := range slices.Chunk(unknown, lookupChunk) {
		found, err := l.st.Entities(l.ctx, chunk)
		if err != nil {
			return nil, fmt.Errorf("ingest: look up relationship ends: %w", err)
		}
		for _, e := range found {
			if e == nil {
				continue
			}
			m := e.EntityMeta()
			if _, ok := l.seen[m.ID]; !ok {
				l.seen[m.ID] = storePos
			}
			if m.Redacted {
				l.pseudonymous[m.ID] = true
			}
		}
	}
	links := make([]*record, 0, len(recs))
	for _, rec := range recs {
		from, to := l.pick(&rec.from, rec.fromIDs), l.pick(&rec.to, rec.toIDs)
		switch {
		case from != "" && to != "":
			if l.link(rec, from, to) {
				links = append(links, rec)
			}
		case !final:
			l.deferred = append(l.deferred, rec)
		case from == "":
			l.reject(rec, rec.from.field, l.notFound(rec, &rec.from))
		default:
			l.reject(rec, rec.to.field, l.notFound(rec, &rec.to))
		}
	}
	return links, nil
}

func (l *loader) notFound(rec *record, end *ref) string {
	if end.id != "" {
		return fmt.Sprintf("no entity %s in the import or the store", end.id)
	}
	labels := make([]string, len(end.kinds))
	for i, k := range end.kinds {
		labels[i] = k.Label()
	}
	return fmt.Sprintf("no %s with key %q of %s in the import or the store", strings.Join(labels, " or "), end.key,
		cmp.Or(end.org, rec.rel.Handling.OriginatorOrg))
}

// link gives a resolved relationship its id and envelope.
func (l *loader) link(rec *record, from, to string) bool {
	if !rec.normalized && !l.normalize(rec, from, to) {
		return false
	}
	r := rec.rel
	key := rec.key
	if key == "" {
		key = string(r.Type) + ":" + from + ":" + to
	}
	id := l.keyedID("", r.Handling.OriginatorOrg, key)
	if rec.id != "" {
		// An explicit id (an export's) wins; the key is then only what the row says.
		rec.chosenID = rec.id != id
		id, key = rec.id, rec.key
	}
	if p, dup := l.seenRels[id]; dup {
		if rec.key != "" {
			l.reject(rec, rec.fields.key, fmt.Sprintf("%q repeats the key of %s", rec.key, l.where(p)))
		} else {
			l.reject(rec, "", fmt.Sprintf("repeats the %s relationship of %s (give each a key to import both)", r.Type, l.where(p)))
		}
		return false
	}
	l.seenRels[id] = pos{int32(rec.f.index), int32(rec.line)}
	r.ID, r.Kind, r.SourceKey, r.SourceRef = id, "", key, rec.sourceRef()
	r.SourceIDs = []string{rec.f.sourceID}
	r.CreatedAt, r.CreatedBy, r.UpdatedAt, r.UpdatedBy = l.now, l.v.Subject, l.now, l.v.Subject
	return true
}
