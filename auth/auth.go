// Package auth turns bearer JWTs into sarhad.Viewers: verification of HS256 tokens with a shared
// secret and of RS256 and ES256 tokens with the keys of a JWKS file or URL (an OIDC provider such as
// Keycloak), the HTTP middleware that rejects requests without a valid token, and minting of tokens
// for demo mode and tests. Signatures are checked by github.com/golang-jwt/jwt/v5; key sets are
// read, refreshed and looked up by github.com/MicahParks/keyfunc/v3 and github.com/MicahParks/jwkset.
package auth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"github.com/sarhad/sarhad"
)

// Claims are the claims Sarhad reads from a token.
//
// Roles, Country, Org and Clearances are Sarhad's contract with the identity provider (with Keycloak:
// protocol mappers of the client or its scopes). An explicit roles claim must name only Sarhad roles.
// When a token has no roles claim at all, the roles come from realm_access.roles, where Keycloak puts
// the user's realm roles: there, roles that are not Sarhad's (Keycloak's default "offline_access",
// "uma_authorization", "default-roles-<realm>", …) are ignored rather than rejected.
type Claims struct {
	Name        string       `json:"name,omitempty"`
	Roles       []string     `json:"roles"`
	Country     string       `json:"country,omitempty"`
	Org         string       `json:"org,omitempty"`
	Clearances  []string     `json:"clearances,omitempty"`
	RealmAccess *RealmAccess `json:"realm_access,omitempty"`
	jwt.RegisteredClaims
}

// RealmAccess is Keycloak's realm_access claim.
type RealmAccess struct {
	Roles []string `json:"roles,omitempty"`
}

// Verifier checks tokens. It is safe for concurrent use.
type Verifier struct {
	secret   []byte          // HS256 key; empty: HS256 is not accepted
	keys     keyfunc.Keyfunc // RS256 and ES256 keys by kid; nil: no JWKS
	methods  []string        // the accepted algorithms; never nil (nil would mean any to jwt)
	issuer   string
	audience string
	now      func() time.Time
	stop     context.CancelFunc // ends the JWKS refresh; nil without one
}

// NewHS256 returns a verifier of HS256 tokens signed with secret, and of no other tokens. Issuer and
// audience are checked when not empty. now is the clock. NewVerifier also verifies RS256 and ES256
// tokens against a JWKS.
func NewHS256(secret []byte, issuer, audience string, now func() time.Time) *Verifier {
	v := &Verifier{secret: secret, methods: []string{}, issuer: issuer, audience: audience, now: now}
	if len(secret) > 0 {
		v.methods = append(v.methods, jwt.SigningMethodHS256.Alg())
	}
	if v.now == nil {
		v.now = time.Now
	}
	return v
}

// Verify is VerifyContext with a background context.
func (v *Verifier) Verify(token string) (*sarhad.Viewer, error) {
	return v.VerifyContext(context.Background(), token)
}

// VerifyContext checks a token's algorithm, signature, expiry (required), issuer and audience, and
// returns the viewer it names. HS256 tokens are checked with the secret only, RS256 and ES256 tokens
// only with the JWKS key their kid header names; no other algorithm is accepted. ctx bounds the JWKS
// refresh that an unknown kid may cause. Any failure is UNAUTHENTICATED; the reason is safe to show
// but never includes the token.
func (v *Verifier) VerifyContext(ctx context.Context, token string) (*sarhad.Viewer, error) {
	opts := []jwt.ParserOption{
		jwt.WithValidMethods(v.methods),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(v.now),
		jwt.WithLeeway(30 * time.Second),
	}
	if v.issuer != "" {
		opts = append(opts, jwt.WithIssuer(v.issuer))
	}
	if v.audience != "" {
		opts = append(opts, jwt.WithAudience(v.audience))
	}
	var c Claims
	t, err := jwt.ParseWithClaims(token, &c, v.keyfunc(ctx), opts...)
	switch {
	case err == nil:
	case errors.Is(err, jwt.ErrTokenMalformed):
		return nil, sarhad.Errorf(sarhad.EUNAUTHENTICATED, "the token is malformed")
	case t != nil && !slices.Contains(v.methods, headerString(t, "alg")), errors.Is(err, errAlgorithm):
		return nil, sarhad.Errorf(sarhad.EUNAUTHENTICATED, "the token's signing algorithm is not accepted")
	case errors.Is(err, errNoKeyID):
		return nil, sarhad.Errorf(sarhad.EUNAUTHENTICATED, "the token names no signing key (kid)")
	case errors.Is(err, errUnknownKey):
		return nil, sarhad.Errorf(sarhad.EUNAUTHENTICATED, "the token's signing key (kid) is not known")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return nil, sarhad.Errorf(sarhad.EUNAUTHENTICATED, "the token's signature is not valid")
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, sarhad.Errorf(sarhad.EUNAUTHENTICATED, "the token has expired")
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing): // only checked once the signature is valid
		switch {
		case c.ExpiresAt == nil:
			return nil, sarhad.Errorf(sarhad.EUNAUTHENTICATED, "the token has no expiry")
		case v.issuer != "" && c.Issuer == "":
			return nil, sarhad.Errorf(sarhad.EUNAUTHENTICATED, "the token names no issuer")
		case v.audience != "" && len(c.Audience) == 0:
			return nil, sarhad.Errorf(sarhad.EUNAUTHENTICATED, "the token names no audience")
		}
		return nil, sarhad.Errorf(sarhad.EUNAUTHENTICATED, "the token lacks a required claim")
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return nil, sarhad.Errorf(sarhad.EUNAUTHENTICATED, "the token's issuer is not accepted")
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return nil, sarhad.Errorf(sarhad.EUNAUTHENTICATED, "the token's audience is not accepted")
	default:
		return nil, sarhad.Errorf(sarhad.EUNAUTHENTICATED, "the token is not valid")
	}
	return viewerOf(&c)
}

// viewerOf checks the Sarhad claims and builds the viewer.
func viewerOf(c *Claims) (*sarhad.Viewer, error) {
	if c.Subject == "" {
		return nil, sarhad.Errorf(sarhad.EUNAUTHENTICATED, "the token has no subject")
	}
	v := &sarhad.Viewer{Subject: c.Subject, Name: c.Name, Org: c.Org, Clearances: c.Clearances}
	roles, realm := c.Roles, false
	if roles == nil && c.RealmAccess != nil {
		roles, realm = c.RealmAccess.Roles, true
	}
	for _, r := range roles {
		role := sarhad.Role(strings.ToUpper(r))
		if !role.Valid() {
			if realm {
				continue // a realm role of the identity provider, not one of Sarhad's
			}
			return nil, sarhad.Errorf(sarhad.EUNAUTHENTICATED, "the token names an unknown role")
		}
		if !slices.Contains(v.Roles, role) {
			v.Roles = append(v.Roles, role)
		}
	}
	if len(v.Roles) == 0 {
		return nil, sarhad.Errorf(sarhad.EUNAUTHENTICATED, "the token grants no role")
	}
	if c.Country != "" {
		code, err := sarhad.CountryCode("country", c.Country)
		if err != nil {
			return nil, sarhad.Errorf(sarhad.EUNAUTHENTICATED, "the token's country is not an ISO 3166-1 code")
		}
		v.Country = code
	}
	return v, nil
}

// Mint signs an HS256 token for the viewer, valid for ttl from now.
func Mint(secret []byte, v *sarhad.Viewer, issuer string, now time.Time, ttl time.Duration) (string, error) {
	roles := make([]string, len(v.Roles))
	for i, r := range v.Roles {
		roles[i] = string(r)
	}
	c := Claims{Name: v.Name, Roles: roles, Country: v.Country, Org: v.Org, Clearances: v.Clearances,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   v.Subject,
			Issuer:    issuer,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		}}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
}

// Middleware rejects requests without a valid bearer token with HTTP 401 and a GraphQL error whose
// extensions.code is UNAUTHENTICATED, and puts the viewer of valid ones in the request context.
func Middleware(v *Verifier, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			Unauthorized(w, "a bearer token is required: Authorization: Bearer <JWT>")
			return
		}
		viewer, err := v.VerifyContext(r.Context(), strings.TrimSpace(token))
		if err != nil {
			Unauthorized(w, sarhad.ErrorMessage(err))
			return
		}
		next.ServeHTTP(w, r.WithContext(sarhad.NewContext(r.Context(), viewer)))
	})
}

// Unauthorized writes a 401 response in the GraphQL response format.
func Unauthorized(w http.ResponseWriter, message string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="sarhad"`)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{
		"message": message, "extensions": map[string]any{"code": sarhad.EUNAUTHENTICATED},
	}}})
}
