package sarhad

import (
	"context"
	"slices"
)

// Role is what a viewer may do.
type Role string

// Roles, as carried in the token's roles claim.
const (
	RoleAdmin          Role = "ADMIN"
	RoleInvestigator   Role = "INVESTIGATOR"
	RoleAnalyst        Role = "ANALYST"
	RoleLiaisonOfficer Role = "LIAISON_OFFICER"
	RoleAuditor        Role = "AUDITOR"
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleInvestigator, RoleAnalyst, RoleLiaisonOfficer, RoleAuditor}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// ClearanceVictimPII lets a viewer of the originating organisation see victims' identifying details.
const ClearanceVictimPII = "VICTIM_PII"

// Viewer is the authenticated user a request acts for. It travels in the context from the
// authentication middleware into every store call.
type Viewer struct {
	Subject    string
	Name       string
	Roles      []Role
	Country    string // ISO 3166-1 alpha-3 of the viewer's agency
	Org        string // the viewer's organisation (agency) code
	Clearances []string
	// System marks the in-process loaders (seed, import) that write on behalf of every originating
	// organisation. No token can produce a system viewer; the policy does not apply to it.
	System bool
}

// SystemViewer returns the viewer of in-process loaders.
func SystemViewer() *Viewer {
	return &Viewer{Subject: "system", Name: "Sarhad loader", Roles: []Role{RoleAdmin}, System: true}
}

// HasRole reports whether the viewer holds any of roles.
func (v *Viewer) HasRole(roles ...Role) bool {
	for _, r := range roles {
		if slices.Contains(v.Roles, r) {
			return true
		}
	}
	return false
}

// HasClearance reports whether the viewer holds clearance c.
func (v *Viewer) HasClearance(c string) bool { return slices.Contains(v.Clearances, c) }

type viewerKey struct{}

// NewContext returns a context carrying v.
func NewContext(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// ViewerFrom returns the viewer carried by ctx, or an UNAUTHENTICATED error when there is none.
func ViewerFrom(ctx context.Context) (*Viewer, error) {
	v, ok := ctx.Value(viewerKey{}).(*Viewer)
	if !ok || v == nil {
		return nil, Errorf(EUNAUTHENTICATED, "no authenticated viewer")
	}
	return v, nil
}

// SystemViewerFrom returns the viewer of ctx when it is the system viewer, for calls that read past
// the access policy (Store.UnrecordedVictims); UNAUTHENTICATED without a viewer, FORBIDDEN for any
// other.
func SystemViewerFrom(ctx context.Context) (*Viewer, error) {
	v, err := ViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
	if !v.System {
		return nil, Errorf(EFORBIDDEN, "only the system reads past the access policy")
	}
	return v, nil
}
