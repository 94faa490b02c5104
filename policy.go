package sarhad

// Protect withholds what the viewer may not see of a visible entity: a victim's identifying details
// become a pseudonym unless the viewer may see them. Stores call it on every entity they return.
func Protect(v *Viewer, e Entity) Entity {
	if p, ok := e.(*Person); ok && p.IsVictim() && !p.Handling.SeesVictimPII(v) {
		p.Redact()
	}
	return e
}

// ProtectTie withholds what the viewer may not see of a visible relationship, given its ends as
// the viewer sees them (Protect; nil for an end not read, which counts as a victim's when it is a
// person's): beside a victim whose identifying details are withheld from the viewer, its note,
// source key and source reference, which a writer or a source system may have made of the
// victim's name, identity number or story. It returns r when nothing is withheld, and otherwise a
// copy without them, marked Redacted.
func ProtectTie(r *Relationship, from, to Entity) *Relationship {
	if !redactedVictim(r.From, from) && !redactedVictim(r.To, to) {
		return r
	}
	c := *r
	c.Note, c.SourceKey, c.SourceRef, c.Redacted = "", "", "", true
	return &c
}

// redactedVictim reports whether e, the entity of id as the viewer sees it, is a victim's record
// whose identifying details were withheld, or a person's record that was not read.
func redactedVictim(id string, e Entity) bool {
	if e == nil {
		kind, err := KindOfID(id)
		return err != nil || kind == KindPerson
	}
	p, ok := e.(*Person)
	return ok && p.Redacted
}

// TieEnds returns the ids of the ends of rels that ProtectTie needs to see: those of persons, each
// once, leaving out those known already.
func TieEnds(rels []*Relationship, known func(id string) bool) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range rels {
		for _, id := range []string{r.From, r.To} {
			if seen[id] || known(id) {
				continue
			}
			seen[id] = true
			if kind, err := KindOfID(id); err == nil && kind == KindPerson {
				out = append(out, id)
			}
		}
	}
	return out
}

// CanRead reports whether the viewer may read the graph at all: every role but the auditor's, which
// reads only the audit trail and statistics.
func CanRead(v *Viewer) bool {
	return v.HasRole(RoleAdmin, RoleInvestigator, RoleAnalyst, RoleLiaisonOfficer)
}

// CanWrite reports whether the viewer may create records and relationships.
func CanWrite(v *Viewer) bool {
	return v.HasRole(RoleAdmin, RoleInvestigator, RoleLiaisonOfficer)
}

// CanEdit reports whether the viewer may change or delete a record with handling h that they can
// see: administrators may edit any, investigators and liaison officers only their organisation's.
func CanEdit(v *Viewer, h Handling) bool {
	if !h.Visible(v) {
		return false
	}
	if v.HasRole(RoleAdmin) {
		return true
	}
	return v.HasRole(RoleInvestigator, RoleLiaisonOfficer) && h.OriginatorOrg == v.Org
}

// VictimIdentifierHidden is the second half of victim protection: an identifier (phone, account,
// document, vehicle, address, online account) that a victim holds — by any HolderTypes relationship,
// whoever recorded it — is hidden, as a whole record, from viewers who may not see that victim's
// identifying details, even when the identifier's own handling would admit them. victimHolders are
// the handlings of the victims holding it.
func VictimIdentifierHidden(v *Viewer, victimHolders []Handling) bool {
	for _, h := range victimHolders {
		if !h.SeesVictimPII(v) {
			return true
		}
	}
	return false
}
