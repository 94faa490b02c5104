package sarhad

import (
	"slices"
	"strings"
	"time"
)

// ChangePlan decides what a change set does, item by item and in its order, over the state a
// store has read of the records it touches: each item is created, updated, unchanged or deleted,
// or the change set fails with the first error (NOT_FOUND, FORBIDDEN, CONFLICT, BAD_USER_INPUT).
// The rules are the reference policy's (Handling.Visible, CanEdit, VictimIdentifierHidden,
// Relationship.NamedVictim), applied to the state as the earlier items leave it, exactly as a
// statement per item would see it. Both stores apply a change set set-wise — read everything,
// decide here, write each changed record once — so that they decide alike by construction.
//
// A store fills Entities, Relationships and Holders with what it read, calls Decide, then writes
// the records of EntityWrites and RelationshipWrites as the plan leaves them and deletes
// Deleted. Nothing is written before Decide returns, so a failing change set writes nothing.
type ChangePlan struct {
	Viewer *Viewer
	// Entities are the entities the change set puts, links or unlinks (the ends of its
	// relationships, and those of the relationships it unlinks), by id, as read; those absent
	// do not exist.
	Entities map[string]*PlannedEntity
	// Relationships are the relationships the change set links or unlinks, by id, as read.
	Relationships map[string]*PlannedRelationship
	// Holders are what the victim-identifier rule needs of the holders of the identifiers read
	// (PlannedEntity.Holders) that are not in Entities. Read only for viewers the policy applies to.
	Holders map[string]PlannedHolder

	// Decide's outcome: the ids of the records to write, in the order the change set first wrote
	// them, and of the relationships to delete, in the change set's order.
	EntityWrites       []string
	RelationshipWrites []string
	Deleted            []string

	keepSources bool // ChangeSet.KeepSources of the change set decided
	keepVictims bool // ChangeSet.KeepVictims of the change set decided
}

// PlannedEntity is what a plan knows of an entity: as read, then as the change set leaves it.
type PlannedEntity struct {
	Exists  bool // as the change set leaves it so far
	InStore bool // it existed when read
	Kind    EntityKind
	Victim  bool
	// NamedVictim: a stored relationship names the entity a victim (Relationship.NamedVictim).
	// Read for the victims' records a change set puts: such a record may not stop being one.
	NamedVictim bool
	Form        StoredForm
	// Holders are the holder relationships of an identifier (relationship id → holder entity id);
	// nil when not tracked: entities other than identifiers, and identifiers read for the system
	// viewer, to whom the victim-identifier rule does not apply.
	Holders   map[string]string
	CreatedAt time.Time // as read (when the store needs it), or as the change set creates it
	CreatedBy string
	// Put is the index in ChangeSet.Put of the item to write, when Written.
	Put     int
	Written bool
}

// PlannedRelationship is what a plan knows of a relationship.
type PlannedRelationship struct {
	Exists   bool
	InStore  bool
	Type     RelationType
	From, To string
	Form     StoredForm
	// CreatedAt and CreatedBy are the relationship's first writing: as read (when the store
	// needs them), or as the change set creates it.
	CreatedAt time.Time
	CreatedBy string
	// Link is the index in ChangeSet.Link of the item to write, when Written.
	Link    int
	Written bool
}

// StoredForm is a record's envelope and content as a store holds them; two records with equal
// forms are the same record, so writing one over the other leaves it unchanged. The source
// reference does not count: a record read again from another line of an import is unchanged
// (see Meta.SourceRef).
type StoredForm struct {
	Content   string // the store's encoding of the entity's attributes or the relationship's properties
	Handling  Handling
	SourceIDs []string
	SourceKey string
}

func (f *StoredForm) same(o *StoredForm) bool {
	return f.Content == o.Content && f.SourceKey == o.SourceKey && slices.Equal(f.SourceIDs, o.SourceIDs) &&
		f.Handling.Equal(o.Handling)
}

// formOf returns the stored form of a record with the given content and envelope.
func formOf(content string, m *Meta) StoredForm {
	h := m.Handling
	return StoredForm{Content: content, SourceIDs: slices.Clone(m.SourceIDs), SourceKey: m.SourceKey,
		Handling: Handling{OriginatorOrg: h.OriginatorOrg, OriginatorCountry: h.OriginatorCountry, TLP: h.TLP,
			ReleasableTo: slices.Clone(h.ReleasableTo)}}
}

// KeepsSources reports whether the change set decided keeps the sources of the records that exist
// (ChangeSet.KeepSources).
func (p *ChangePlan) KeepsSources() bool { return p.keepSources }

// addSources, under ChangeSet.KeepSources, sets form's sources to those of the record as it was
// (was), followed by those of form it lacks.
func (p *ChangePlan) addSources(form, was *StoredForm) {
	if !p.keepSources {
		return
	}
	sources := slices.Clone(was.SourceIDs)
	for _, id := range form.SourceIDs {
		if !slices.Contains(sources, id) {
			sources = append(sources, id)
		}
	}
	form.SourceIDs = sources
}

// PlannedHolder is what the victim-identifier rule needs of a holder.
type PlannedHolder struct {
	Victim    bool
	OriginOrg string
}

// PlannedItem is an item of a change set as the store encodes it: its content (see StoredForm),
// or the error that keeps it from being encoded, which is the error of the item.
type PlannedItem struct {
	Content string
	Err     error
}

// NewChangePlan returns an empty plan for viewer v.
func NewChangePlan(v *Viewer) *ChangePlan {
	return &ChangePlan{Viewer: v, Entities: map[string]*PlannedEntity{},
		Relationships: map[string]*PlannedRelationship{}, Holders: map[string]PlannedHolder{}}
}

// PolicyApplies reports whether the access policy applies to the plan's viewer: for the system
// viewer (seed, importers) a store need not read the policy's inputs at all.
func (p *ChangePlan) PolicyApplies() bool { return !p.Viewer.System }

// Decide walks the change set in order — puts, then links, then unlinks — with the stored form of
// each put (puts[i] for cs.Put[i]) and link (links[i] for cs.Link[i]), and returns what it does,
// or the first error.
func (p *ChangePlan) Decide(cs *ChangeSet, puts, links []PlannedItem) (*ApplyResult, error) {
	res := &ApplyResult{}
	p.keepSources, p.keepVictims = cs.KeepSources, cs.KeepVictims
	for i, e := range cs.Put {
		if err := p.put(i, e, puts[i], res); err != nil {
			return nil, err
		}
	}
	for i, r := range cs.Link {
		if err := p.link(i, r, links[i], res); err != nil {
			return nil, err
		}
	}
	for _, id := range cs.Unlink {
		if err := p.unlink(id, res); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// visible is the reference policy's visibleEntity on the plan's state.
func (p *ChangePlan) visible(st *PlannedEntity) bool {
	if !p.PolicyApplies() {
		return true
	}
	if !st.Form.Handling.Visible(p.Viewer) {
		return false
	}
	if !st.Kind.IsIdentifier() {
		return true
	}
	var victims []Handling
	for _, id := range st.Holders {
		if victim, org := p.holder(id); victim {
			victims = append(victims, Handling{OriginatorOrg: org})
		}
	}
	return !VictimIdentifierHidden(p.Viewer, victims)
}

// holder returns whether entity id is a victim and its originating organisation, as the change
// set leaves it.
func (p *ChangePlan) holder(id string) (victim bool, org string) {
	if st, ok := p.Entities[id]; ok && st.Exists {
		return st.Victim, st.Form.Handling.OriginatorOrg
	}
	h := p.Holders[id]
	return h.Victim, h.OriginOrg
}

// visibleEnd returns the state of entity id when it exists and the viewer sees it.
func (p *ChangePlan) visibleEnd(id string) (*PlannedEntity, error) {
	st, ok := p.Entities[id]
	if !ok || !st.Exists || !p.visible(st) {
		return nil, Errorf(ENOTFOUND, "no entity %s", id)
	}
	return st, nil
}

// protectedVictim reports whether st is a victim's record whose identifying details the viewer may
// not see.
func (p *ChangePlan) protectedVictim(st *PlannedEntity) bool {
	return st.Victim && !st.Form.Handling.SeesVictimPII(p.Viewer)
}

// ProtectedTieReason is the refusal to rewrite relationship id, which ties a victim whose
// identifying details the writer may not see.
func ProtectedTieReason(id string) string {
	return "you may not edit " + id + ": it ties a protected victim, whose identifying details you may not see " +
		"(ask a colleague cleared for them)"
}

// RedactedTieReason is the refusal to write a relationship as a redacted export shows it (without
// the note, source key and source reference withheld beside a victim) over the stored one.
const RedactedTieReason = "is a relationship of a protected victim as a redacted export shows it (without its note and keys): " +
	"it may not overwrite the stored relationship"

// WithheldTieReason is the refusal to rewrite, without its note, a relationship imported from a
// redacted export (RelationProps.Withheld).
const WithheldTieReason = "was imported from a redacted export, without its note and keys: a write must give its note " +
	"(import it from an export that has it), or it would look whole and its exports overwrite the note where it came from"

// ErrProtectedVictim is the refusal to write a victim's record for a viewer who may not see the
// victim's identifying details.
func ErrProtectedVictim() error {
	return Errorf(EFORBIDDEN, "you may not edit a protected victim's record")
}

// mayRelease returns FORBIDDEN when the viewer would change the handling of stored record id — its
// marking, release list or originator — without being of the organisation that originated it: to
// whom a record is released is its originator's decision, which an administrator of another
// organisation, who may edit the record, may not take.
func (p *ChangePlan) mayRelease(id string, stored, h Handling) error {
	if !p.PolicyApplies() || stored.Equal(h) || p.Viewer.Org == stored.OriginatorOrg {
		return nil
	}
	return Errorf(EFORBIDDEN, "only %s, which originated %s, may change its handling", stored.OriginatorOrg, id)
}

// mayChange returns NOT_FOUND for a record the viewer cannot see and FORBIDDEN for one they cannot
// edit.
func (p *ChangePlan) mayChange(id string, h Handling) error {
	if !h.Visible(p.Viewer) {
		return Errorf(ENOTFOUND, "no record %s", id)
	}
	if p.PolicyApplies() && !CanEdit(p.Viewer, h) {
		return Errorf(EFORBIDDEN, "you may not edit %s", id)
	}
	return nil
}

func (p *ChangePlan) put(i int, e Entity, item PlannedItem, res *ApplyResult) error {
	m := e.EntityMeta()
	if m.Redacted {
		return Errorf(EFORBIDDEN, "a redacted record cannot be written back")
	}
	if item.Err != nil {
		return item.Err
	}
	form := formOf(item.Content, m)
	victim := IsVictim(e)
	st, ok := p.Entities[m.ID]
	if !ok || !st.Exists {
		// The id is checked against the kind only for a new record: an id already taken by another
		// kind is a CONFLICT (below), not malformed input.
		if kind, err := KindOfID(m.ID); err != nil || kind != m.Kind {
			return Errorf(EINVALID, "id %q does not name a %s", m.ID, m.Kind.Label())
		}
		st = &PlannedEntity{Exists: true, Kind: m.Kind, CreatedAt: m.CreatedAt, CreatedBy: m.CreatedBy}
		if m.Kind.IsIdentifier() {
			st.Holders = map[string]string{}
		}
		p.Entities[m.ID] = st
		res.Created++
	} else {
		if !p.visible(st) {
			return Errorf(ENOTFOUND, "no entity %s", m.ID)
		}
		if st.Kind != m.Kind {
			return Errorf(ECONFLICT, "id %s belongs to a %s", m.ID, st.Kind)
		}
		if err := p.mayChange(m.ID, st.Form.Handling); err != nil {
			return err
		}
		if err := p.mayRelease(m.ID, st.Form.Handling, form.Handling); err != nil {
			return err
		}
		// Whoever writes a stored victim's record replaces the victim's details, so only those who
		// may read them may: through a put by source key (a create with the key of the victim's
		// record) as much as through an update.
		if p.protectedVictim(st) {
			return ErrProtectedVictim()
		}
		if p.keepVictims && st.Victim && !victim {
			return Errorf(EFORBIDDEN, "%s %s", m.ID, KeepVictimsReason)
		}
		if st.NamedVictim && !victim {
			return Errorf(EINVALID, "%s is named a victim by a relationship, so its record must remain a victim's: "+
				"its victim details may not be removed", m.ID)
		}
		p.addSources(&form, &st.Form)
		if st.Form.same(&form) {
			res.Unchanged++
			return nil
		}
		res.Updated++
	}
	if !st.Written {
		p.EntityWrites = append(p.EntityWrites, m.ID)
	}
	st.Form, st.Victim, st.Put, st.Written = form, victim, i, true
	return nil
}

func (p *ChangePlan) link(i int, r *Relationship, item PlannedItem, res *ApplyResult) error {
	if !ValidRelationshipID(r.ID) {
		return Errorf(EINVALID, "%q is not a relationship id", r.ID)
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
	if !r.Type.Joins(from.Kind, to.Kind) {
		return Errorf(EINVALID, "a %s relationship cannot go from %s to %s", r.Type, from.Kind, to.Kind)
	}
	// A person named a victim only through a relationship would show their name, and the phones
	// and documents they hold, to everyone who may see the record: the protection of victims
	// rests on the victim's record (Person.Victim), so the record must say so first.
	if id := r.NamedVictim(); id != "" {
		if st := p.Entities[id]; st.Kind == KindPerson && !st.Victim {
			return Errorf(EINVALID, "%s", UnrecordedVictimReason(r.Type, id))
		}
	}
	if from.Kind == KindPerson {
		if id := r.SameAsVictim(from.Victim, to.Victim); id != "" {
			return Errorf(EINVALID, "%s", UnrecordedVictimReason(r.Type, id))
		}
	}
	// A SAME_AS says two records are one person: recording one as a victim later records the
	// other too (Service.ProtectSameAs), so only a writer who may edit both may tie them, as only
	// one who may edit both may merge them.
	if r.Type == RelSameAs && p.PolicyApplies() {
		for _, end := range []*PlannedEntity{from, to} {
			if !CanEdit(p.Viewer, end.Form.Handling) {
				return Errorf(EFORBIDDEN, "a SAME_AS ties records that are one person: you may link only records you may edit")
			}
		}
	}
	if item.Err != nil {
		return item.Err
	}
	form := formOf(item.Content, &r.Meta)
	rs, ok := p.Relationships[r.ID]
	if !ok || !rs.Exists {
		// Unlinks come after every link, so a relationship linked here was not unlinked before.
		rs = &PlannedRelationship{Exists: true, Type: r.Type, From: r.From, To: r.To, CreatedAt: r.CreatedAt,
			CreatedBy: r.CreatedBy}
		if to.Holders != nil && slices.Contains(HolderTypes, r.Type) {
			// An identifier a victim holds is hidden from those who may not see the victim's
			// details: a writer who may not would write a tie they cannot read back.
			to.Holders[r.ID] = r.From
			if !p.visible(to) {
				delete(to.Holders, r.ID)
				return Errorf(EFORBIDDEN, "%s would tie %s to a victim whose identifying details you may not see, "+
					"which would hide it from you: ask a colleague cleared for the victim's details", r.ID, r.To)
			}
		}
		p.Relationships[r.ID] = rs
		res.Created++
	} else {
		if err := p.mayChange(r.ID, rs.Form.Handling); err != nil {
			return err
		}
		if err := p.mayRelease(r.ID, rs.Form.Handling, form.Handling); err != nil {
			return err
		}
		if rs.Type != r.Type || rs.From != r.From || rs.To != r.To {
			return Errorf(ECONFLICT, "relationship %s already joins other entities", r.ID)
		}
		// Beside a victim whose identifying details the writer may not see, a relationship shows
		// them no note, source key or source reference (ProtectTie): rewriting it would replace
		// what they could not read, and an answer of unchanged would confirm a guess of it.
		if p.protectedVictim(from) || p.protectedVictim(to) {
			return Errorf(EFORBIDDEN, "%s", ProtectedTieReason(r.ID))
		}
		p.addSources(&form, &rs.Form)
		if rs.Form.same(&form) {
			res.Unchanged++
			return nil
		}
		// A relationship as a redacted export shows it lacks what was withheld: it may be
		// created (an export imported into another store) or found unchanged, but it may not
		// change the stored one.
		if r.Redacted {
			return Errorf(EFORBIDDEN, "%s %s", r.ID, RedactedTieReason)
		}
		// One imported so (Withheld) keeps its mark until a write gives its note: a write
		// without it would make the relationship look whole, and an export of it would then
		// overwrite the note in the store it came from.
		if !r.Withheld && r.Note == "" && strings.Contains(rs.Form.Content, withheldJSON) {
			return Errorf(EFORBIDDEN, "%s %s", r.ID, WithheldTieReason)
		}
		res.Updated++
	}
	if !rs.Written {
		p.RelationshipWrites = append(p.RelationshipWrites, r.ID)
	}
	rs.Form, rs.Link, rs.Written = form, i, true
	return nil
}

func (p *ChangePlan) unlink(id string, res *ApplyResult) error {
	rs, ok := p.Relationships[id]
	if !ok || !rs.Exists {
		return Errorf(ENOTFOUND, "no relationship %s", id)
	}
	// A relationship is hidden when either end is hidden, whatever its own marking.
	for _, end := range []string{rs.From, rs.To} {
		if _, err := p.visibleEnd(end); err != nil {
			return Errorf(ENOTFOUND, "no relationship %s", id)
		}
	}
	if err := p.mayChange(id, rs.Form.Handling); err != nil {
		return err
	}
	if to := p.Entities[rs.To]; to != nil && to.Holders != nil {
		delete(to.Holders, id)
	}
	rs.Exists, rs.Written = false, false
	if rs.InStore {
		p.Deleted = append(p.Deleted, id)
	}
	res.Deleted++
	return nil
}
