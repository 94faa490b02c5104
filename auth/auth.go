// Package auth turns bearer JWTs into sarhad.Viewers: verification of HS256 tokens with a shared
// secret (github.com/golang-jwt/jwt/v5), the HTTP middleware that rejects requests without a valid
// token, and minting of tokens for demo mode and tests.
package auth

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/sarhad/sarhad"
)

// Claims are the claims Sarhad reads from a token.
type Claims struct {
	Name       string   `json:"name,omitempty"`
	Roles      []string `json:"roles"`
	Country    string   `json:"country,omitempty"`
	Org        string   `json:"org,omitempty"`
	Clearances []string `json:"clearances,omitempty"`
	jwt.RegisteredClaims
}

// Verifier checks tokens.
type Verifier struct {
	secret   []byte
	issuer   string
	audience string
	now      func() time.Time
}

// NewHS256 returns a verifier of HS256 tokens signed with secret. Issuer and audience are checked
// when not empty. now is the clock.
func NewHS256(secret []byte, issuer, audience string, now func() time.Time) *Verifier {
	return &Verifier{secret: secret, issuer: issuer, audience: audience, now: now}
}

// Verify checks a token's signature, algorithm, expiry (required), issuer and audience, and returns
// the viewer it names. Any failure is UNAUTHENTICATED; the reason is safe to show but never
// includes the token.
func (v *Verifier) Verify(token string) (*sarhad.Viewer, error) {
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
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
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return v.secret, nil }, opts...)
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, sarhad.Errorf(sarhad.EUNAUTHENTICATED, "the token has expired")
	case errors.Is(err, jwt.ErrTokenMalformed):
		return nil, sarhad.Errorf(sarhad.EUNAUTHENTICATED, "the token is malformed")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return nil, sarhad.Errorf(sarhad.EUNAUTHENTICATED, "the token's signature is not valid")
	case err != nil:
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
	for _, r := range c.Roles {
		role := sarhad.Role(strings.ToUpper(r))
		if !role.Valid() {
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
		viewer, err := v.Verify(strings.TrimSpace(token))
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
