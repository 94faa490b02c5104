package sarhad

// Protect withholds what the viewer may not see of a visible entity: a victim's identifying details
// become a pseudonym unless the viewer may see them. Stores call it on every entity they return.
func Protect(v *Viewer, e Entity) Entity {
	if p, ok := e.(*Person); ok && p.IsVictim() && !p.Handling.SeesVictimPII(v) {
		p.Redact()
	}
	return e
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
