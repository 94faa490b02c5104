package sarhad

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"golang.org/x/sync/semaphore"
)

// Service is the domain's front door: resolvers call one method each. It validates input, stamps
// who wrote what and when, and leaves the access policy to the store's queries.
type Service struct {
	Store Store
	Now   func() time.Time
	Rand  io.Reader
	// Aggregates bounds how many heavy questions — statistics, flows, crossings, shared
	// identifiers, networks (key players, communities), shortest paths, neighbourhoods deeper than
	// one hop — gather their data at once; the others wait their turn, within their deadline. Each holds its records in
	// memory, so the bound is the server's memory under load. nil: no bound.
	Aggregates *semaphore.Weighted

	audits auditQueue
}

// aggregate waits for a turn to run an aggregate question (see Aggregates) and returns its release.
func (s *Service) aggregate(ctx context.Context) (release func(), err error) {
	if s.Aggregates == nil {
		return func() {}, nil
	}
	if err := s.Aggregates.Acquire(ctx, 1); err != nil {
		return nil, err
	}
	return func() { s.Aggregates.Release(1) }, nil
}

// WriteOptions are the envelope a client gives with a write.
type WriteOptions struct {
	// Handling of the record; nil keeps the existing one on update, and on create defaults to AMBER
	// originated by the viewer's organisation and released to no one else.
	Handling *Handling
	// SourceIDs are sources the record comes from; on update they replace the existing list when
	// not nil.
	SourceIDs []string
	// SourceKey makes a create idempotent: the same key from the same organisation always names the
	// same record.
	SourceKey string
}

func (s *Service) viewer(ctx context.Context, write bool) (*Viewer, error) {
	v, err := ViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
	if write && !CanWrite(v) {
		return nil, Errorf(EFORBIDDEN, "your role may not change the graph")
	}
	if !write && !CanRead(v) {
		return nil, Errorf(EFORBIDDEN, "your role may not read the graph")
	}
	return v, nil
}

// Node returns the entity with id, or NOT_FOUND when it does not exist or is hidden from the viewer
// (the two are indistinguishable), or BAD_USER_INPUT when id is malformed.
func (s *Service) Node(ctx context.Context, id string) (Entity, error) {
	if _, err := s.viewer(ctx, false); err != nil {
		return nil, err
	}
	return s.entity(ctx, "id", id)
}

// Nodes returns the entities with ids, nil where missing, hidden or malformed.
func (s *Service) Nodes(ctx context.Context, ids []string) ([]Entity, error) {
	if _, err := s.viewer(ctx, false); err != nil {
		return nil, err
	}
	if len(ids) > MaxPageSize {
		return nil, Invalid("ids", "at most %d ids", MaxPageSize)
	}
	valid := make([]string, 0, len(ids))
	for _, id := range ids {
		if _, err := KindOfID(id); err == nil {
			valid = append(valid, id)
		}
	}
	found, err := s.Store.Entities(ctx, valid)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]Entity, len(found))
	for _, e := range found {
		if e != nil {
			byID[e.EntityMeta().ID] = e
		}
	}
	out := make([]Entity, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, nil
}

// List returns a page of visible entities of one kind matching every condition.
func (s *Service) List(ctx context.Context, q ListQuery) (*EntityPage, error) {
	if _, err := s.viewer(ctx, false); err != nil {
		return nil, err
	}
	return s.Store.ListEntities(ctx, q)
}

// SearchHit is one search result with its relevance in 0…1.
type SearchHit struct {
	Entity Entity
	Score  float64
}

// SearchResult is a page of hits with the total number of hits.
type SearchResult struct {
	Hits        []SearchHit
	TotalCount  int
	Offset      int
	HasNextPage bool
}

// maxSearchCandidates bounds how many matches one search ranks.
const maxSearchCandidates = 1000

// Search finds entities by name or alias, case- and diacritic-insensitively, tolerating one typo per
// word and common transliteration variants; hits are ranked by NameScore, then by name and id.
func (s *Service) Search(ctx context.Context, text string, kinds []EntityKind, first, offset int) (*SearchResult, error) {
	if _, err := s.viewer(ctx, false); err != nil {
		return nil, err
	}
	if len(text) > maxNameLen {
		return nil, Invalid("text", "is longer than %d bytes", maxNameLen)
	}
	groups := QueryTerms(text)
	if len(groups) == 0 {
		return nil, Invalid("text", "needs at least one letter or digit")
	}
	found, err := s.Store.MatchNames(ctx, NameQuery{Groups: groups, Kinds: kinds, Limit: maxSearchCandidates + 1})
	if err != nil {
		return nil, err
	}
	total := len(found)
	if len(found) > maxSearchCandidates {
		if found, total, err = s.closestCandidates(ctx, text, kinds, groups, found[:maxSearchCandidates]); err != nil {
			return nil, err
		}
	}
	hits := make([]SearchHit, 0, len(found))
	for _, e := range found {
		if score := NameScore(text, e.SearchNames()); score > 0 {
			hits = append(hits, SearchHit{Entity: e, Score: score})
		}
	}
	slices.SortFunc(hits, func(a, b SearchHit) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score),
			cmp.Compare(a.Entity.DisplayName(), b.Entity.DisplayName()),
			cmp.Compare(a.Entity.EntityMeta().ID, b.Entity.EntityMeta().ID))
	})
	// Every match counts, less those that ranked at 0 (a match of the index that the score
	// rejects); a match beyond the ranked ones is counted as the index found it.
	res := &SearchResult{TotalCount: total - (len(found) - len(hits)), Offset: offset}
	if offset < len(hits) {
		end := min(offset+first, len(hits))
		res.Hits = hits[offset:end]
		res.HasNextPage = end < len(hits)
	}
	return res, nil
}

// closestCandidates returns the matches of a search that one search ranks when more match than
// that, with the number of all matches: the matches of every word exactly first, then of every word
// exactly or as a transliteration variant, then the first matches by id (byID), up to
// maxSearchCandidates. So an exact match is ranked whatever its id, where the first matches by id
// alone could all be variants of the name that was asked for.
func (s *Service) closestCandidates(ctx context.Context, text string, kinds []EntityKind, groups [][]string,
	byID []Entity) ([]Entity, int, error) {
	total, err := s.Store.CountNames(ctx, NameQuery{Groups: groups, Kinds: kinds})
	if err != nil {
		return nil, 0, err
	}
	out := make([]Entity, 0, maxSearchCandidates)
	seen := make(map[string]bool, maxSearchCandidates)
	add := func(es []Entity) {
		for _, e := range es {
			if id := e.EntityMeta().ID; !seen[id] && len(out) < maxSearchCandidates {
				seen[id] = true
				out = append(out, e)
			}
		}
	}
	for _, closer := range CloserQueryTerms(text) {
		found, err := s.Store.MatchNames(ctx, NameQuery{Groups: closer, Kinds: kinds, Limit: maxSearchCandidates})
		if err != nil {
			return nil, 0, err
		}
		add(found)
		if len(out) == maxSearchCandidates {
			break
		}
	}
	add(byID)
	return out, max(total, len(out)), nil
}

// Create validates and writes a new entity, and returns it as stored. With a source key, a retry
// of the same create returns the same record instead of a second one. A person written as a victim
// has the records SAME_AS ties to them recorded as victims too (ProtectSameAs).
func (s *Service) Create(ctx context.Context, e Entity, opts WriteOptions) (Entity, error) {
	v, err := s.viewer(ctx, true)
	if err != nil {
		return nil, err
	}
	if e == nil || KindOf(e) == "" {
		return nil, Invalid("input", "missing attributes")
	}
	m := e.EntityMeta()
	m.Kind = KindOf(e)
	if m.Kind == KindCountry && !v.HasRole(RoleAdmin) {
		return nil, Errorf(EFORBIDDEN, "only administrators maintain reference data")
	}
	field := "input." + fieldName(m.Kind) + "."
	if err := Normalize(e, field); err != nil {
		return nil, err
	}
	h := Handling{OriginatorOrg: v.Org, OriginatorCountry: v.Country, TLP: TLPAmber}
	if opts.Handling != nil {
		h = *opts.Handling
		h.OriginatorOrg = cmp.Or(h.OriginatorOrg, v.Org)
		h.OriginatorCountry = cmp.Or(h.OriginatorCountry, v.Country)
	}
	if err := s.checkHandling(v, &h); err != nil {
		return nil, err
	}
	if err := s.checkSources(ctx, opts.SourceIDs); err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	switch {
	case m.Kind == KindCountry:
		m.ID = CountryID(e.(*Country).Alpha3)
	case opts.SourceKey != "":
		if m.ID, err = s.keyedID(ctx, m.Kind, h.OriginatorOrg, opts.SourceKey); err != nil {
			return nil, err
		}
	default:
		if m.ID, err = NewID(m.Kind, now, s.Rand); err != nil {
			return nil, fmt.Errorf("new id: %w", err)
		}
	}
	m.SourceKey = opts.SourceKey
	m.Handling = h
	m.SourceIDs = opts.SourceIDs
	m.CreatedAt, m.CreatedBy, m.UpdatedAt, m.UpdatedBy = now, v.Subject, now, v.Subject
	if _, err := s.Store.Apply(ctx, &ChangeSet{Put: []Entity{e}}); err != nil {
		return nil, err
	}
	if IsVictim(e) { // a create by source key may write over a record that SAME_AS ties to others
		if err := s.ProtectSameAs(ctx, []string{m.ID}); err != nil {
			return nil, err
		}
	}
	return s.Node(ctx, m.ID)
}

// keyedID is the id of the record of kind k (a relationship when "") that org keys by key.
func (s *Service) keyedID(ctx context.Context, k EntityKind, org, key string) (string, error) {
	secret, err := s.Store.IDSecret(ctx)
	if err != nil {
		return "", err
	}
	return KeyedID(secret, k, org, key), nil
}

// Update replaces the attributes of an existing entity (and its handling or sources when given).
// A person written as a victim has the records SAME_AS ties to them recorded as victims too
// (ProtectSameAs).
// NOT_FOUND when the entity does not exist or is hidden, FORBIDDEN when the viewer may not edit it.
func (s *Service) Update(ctx context.Context, id string, e Entity, opts WriteOptions) (Entity, error) {
	v, err := s.viewer(ctx, true)
	if err != nil {
		return nil, err
	}
	if e == nil || KindOf(e) == "" {
		return nil, Invalid("input", "missing attributes")
	}
	m := e.EntityMeta()
	m.Kind = KindOf(e)
	if kind, err := KindOfID(id); err != nil {
		return nil, Invalid("input.id", "%s", ErrorMessage(err))
	} else if kind != m.Kind {
		return nil, Invalid("input.id", "%s is not the id of a %s", id, m.Kind.Label())
	}
	if err := Normalize(e, "input."+fieldName(m.Kind)+"."); err != nil {
		return nil, err
	}
	old, err := s.Node(ctx, id)
	if err != nil {
		return nil, err
	}
	om := old.EntityMeta()
	if !CanEdit(v, om.Handling) {
		return nil, Errorf(EFORBIDDEN, "you may not edit %s", id)
	}
	if om.Redacted {
		return nil, ErrProtectedVictim()
	}
	h := om.Handling
	if opts.Handling != nil {
		h = *opts.Handling
		h.OriginatorOrg = cmp.Or(h.OriginatorOrg, om.Handling.OriginatorOrg)
		h.OriginatorCountry = cmp.Or(h.OriginatorCountry, om.Handling.OriginatorCountry)
		if err := s.checkHandling(v, &h); err != nil {
			return nil, err
		}
	}
	srcs := om.SourceIDs
	if opts.SourceIDs != nil {
		if err := s.checkSources(ctx, opts.SourceIDs); err != nil {
			return nil, err
		}
		srcs = opts.SourceIDs
	}
	*m = *om
	m.Handling, m.SourceIDs = h, srcs
	m.UpdatedAt, m.UpdatedBy = s.Now().UTC(), v.Subject
	if _, err := s.Store.Apply(ctx, &ChangeSet{Put: []Entity{e}}); err != nil {
		return nil, err
	}
	if IsVictim(e) {
		if err := s.ProtectSameAs(ctx, []string{id}); err != nil {
			return nil, err
		}
	}
	return s.Node(ctx, id)
}

// Link creates a typed relationship between two visible entities and returns it as stored; with a
// source key it is idempotent.
func (s *Service) Link(ctx context.Context, r *Relationship, opts WriteOptions) (*Relationship, error) {
	v, err := s.viewer(ctx, true)
	if err != nil {
		return nil, err
	}
	fromKind, err := KindOfID(r.From)
	if err != nil {
		return nil, Invalid("input.from", "%s", ErrorMessage(err))
	}
	toKind, err := KindOfID(r.To)
	if err != nil {
		return nil, Invalid("input.to", "%s", ErrorMessage(err))
	}
	if err := NormalizeRelationship(r, fromKind, toKind, "input."); err != nil {
		return nil, err
	}
	h := Handling{OriginatorOrg: v.Org, OriginatorCountry: v.Country, TLP: TLPAmber}
	if opts.Handling != nil {
		h = *opts.Handling
		h.OriginatorOrg = cmp.Or(h.OriginatorOrg, v.Org)
		h.OriginatorCountry = cmp.Or(h.OriginatorCountry, v.Country)
	}
	if err := s.checkHandling(v, &h); err != nil {
		return nil, err
	}
	if err := s.checkSources(ctx, opts.SourceIDs); err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	if opts.SourceKey != "" {
		if r.ID, err = s.keyedID(ctx, "", h.OriginatorOrg, opts.SourceKey); err != nil {
			return nil, err
		}
	} else if r.ID, err = NewID("", now, s.Rand); err != nil {
		return nil, fmt.Errorf("new id: %w", err)
	}
	r.Kind = ""
	r.Handling, r.SourceIDs, r.SourceKey = h, opts.SourceIDs, opts.SourceKey
	r.CreatedAt, r.CreatedBy, r.UpdatedAt, r.UpdatedBy = now, v.Subject, now, v.Subject
	if _, err := s.Store.Apply(ctx, &ChangeSet{Link: []*Relationship{r}}); err != nil {
		return nil, err
	}
	return s.Relationship(ctx, r.ID)
}

// Relationship returns the relationship with id, NOT_FOUND when missing or hidden.
func (s *Service) Relationship(ctx context.Context, id string) (*Relationship, error) {
	if _, err := s.viewer(ctx, false); err != nil {
		return nil, err
	}
	if !ValidRelationshipID(id) {
		return nil, Invalid("id", "%q is not a valid relationship id", truncate(id, 64))
	}
	rs, err := s.Store.RelationshipsByID(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	if rs[0] == nil {
		return nil, Errorf(ENOTFOUND, "no relationship %s", id)
	}
	return rs[0], nil
}

// Unlink deletes a relationship the viewer may edit and returns it as it was.
func (s *Service) Unlink(ctx context.Context, id string) (*Relationship, error) {
	v, err := s.viewer(ctx, true)
	if err != nil {
		return nil, err
	}
	r, err := s.Relationship(ctx, id)
	if err != nil {
		return nil, err
	}
	if !CanEdit(v, r.Handling) {
		return nil, Errorf(EFORBIDDEN, "you may not remove %s", id)
	}
	if _, err := s.Store.Apply(ctx, &ChangeSet{Unlink: []string{id}}); err != nil {
		return nil, err
	}
	return r, nil
}

// AttachSources adds sources to an entity or relationship the viewer may edit; attaching a source
// already attached changes nothing.
func (s *Service) AttachSources(ctx context.Context, targetID string, sourceIDs []string) (Entity, *Relationship, error) {
	v, err := s.viewer(ctx, true)
	if err != nil {
		return nil, nil, err
	}
	if len(sourceIDs) == 0 {
		return nil, nil, Invalid("input.sourceIds", "needs at least one source")
	}
	if err := s.checkSources(ctx, sourceIDs); err != nil {
		return nil, nil, err
	}
	var m *Meta
	cs := &ChangeSet{}
	var e Entity
	var r *Relationship
	if ValidRelationshipID(targetID) {
		if r, err = s.Relationship(ctx, targetID); err != nil {
			return nil, nil, err
		}
		m, cs.Link = &r.Meta, []*Relationship{r}
	} else {
		if e, err = s.Node(ctx, targetID); err != nil {
			return nil, nil, err
		}
		m, cs.Put = e.EntityMeta(), []Entity{e}
		if m.Redacted {
			return nil, nil, ErrProtectedVictim()
		}
	}
	if !CanEdit(v, m.Handling) {
		return nil, nil, Errorf(EFORBIDDEN, "you may not edit %s", targetID)
	}
	added := false
	for _, id := range sourceIDs {
		if !slices.Contains(m.SourceIDs, id) {
			m.SourceIDs, added = append(m.SourceIDs, id), true
		}
	}
	if added {
		m.UpdatedAt, m.UpdatedBy = s.Now().UTC(), v.Subject
		if _, err := s.Store.Apply(ctx, cs); err != nil {
			return nil, nil, err
		}
	}
	if r != nil {
		r, err = s.Relationship(ctx, targetID)
		return nil, r, err
	}
	e, err = s.Node(ctx, targetID)
	return e, nil, err
}

// checkHandling validates a marking and keeps non-administrators to their own organisation as
// originator.
func (s *Service) checkHandling(v *Viewer, h *Handling) error {
	return CheckHandling(v, h, "input.handling.")
}

// CheckHandling normalizes the handling h that viewer v gives a record it writes, and requires that
// a non-administrator originate it for their own organisation and country; field names in errors
// start with prefix. Administrators may write on behalf of others.
func CheckHandling(v *Viewer, h *Handling, prefix string) error {
	if err := NormalizeHandling(h, prefix); err != nil {
		return err
	}
	if v.HasRole(RoleAdmin) {
		return nil
	}
	if h.OriginatorOrg != v.Org {
		return Invalid(prefix+"originatorOrg", "must be your own organisation (%s)", v.Org)
	}
	if h.OriginatorCountry != v.Country {
		return Invalid(prefix+"originatorCountry", "must be your own organisation's country (%s)", v.Country)
	}
	return nil
}

// checkSources requires every id to name a Source the viewer can see.
func (s *Service) checkSources(ctx context.Context, ids []string) error {
	if len(ids) > maxSourceID {
		return Invalid("input.sourceIds", "at most %d sources", maxSourceID)
	}
	for i, id := range ids {
		if k, err := KindOfID(id); err != nil || k != KindSource {
			return Invalid(fmt.Sprintf("input.sourceIds[%d]", i), "%q is not the id of a source", truncate(id, 64))
		}
	}
	if len(ids) == 0 {
		return nil
	}
	found, err := s.Store.Entities(ctx, ids)
	if err != nil {
		return err
	}
	for i, e := range found {
		if e == nil {
			return Invalid(fmt.Sprintf("input.sourceIds[%d]", i), "no source %s", ids[i])
		}
	}
	return nil
}

// fieldName is the input field that carries an entity of kind k ("person", "bankAccount").
func fieldName(k EntityKind) string {
	l := k.Label()
	return string(l[0]+'a'-'A') + l[1:]
}
