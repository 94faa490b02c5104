package auth_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/auth"
)

var (
	secret = []byte("0123456789abcdef0123456789abcdef")
	now    = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
)

func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func valid() jwt.MapClaims {
	return jwt.MapClaims{"sub": "u1", "name": "Officer", "roles": []string{"LIAISON_OFFICER"}, "country": "IR",
		"org": "IRN-POLICE", "clearances": []string{"VICTIM_PII"}, "exp": now.Add(time.Hour).Unix(),
		"iss": "https://idp.example", "aud": "sarhad"}
}

func with(c jwt.MapClaims, k string, v any) jwt.MapClaims {
	c[k] = v
	if v == nil {
		delete(c, k)
	}
	return c
}

func TestVerify(t *testing.T) {
	v := auth.NewHS256(secret, "https://idp.example", "sarhad", func() time.Time { return now })
	got, err := v.Verify(sign(t, jwt.SigningMethodHS256, secret, valid()))
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "u1" || got.Country != "IRN" || got.Org != "IRN-POLICE" || !got.HasRole(sarhad.RoleLiaisonOfficer) ||
		!got.HasClearance(sarhad.ClearanceVictimPII) || got.System {
		t.Errorf("viewer: %+v", got)
	}
	rejected := []struct {
		name  string
		token string
	}{
		{"expired", sign(t, jwt.SigningMethodHS256, secret, with(valid(), "exp", now.Add(-time.Hour).Unix()))},
		{"no expiry", sign(t, jwt.SigningMethodHS256, secret, with(valid(), "exp", nil))},
		{"other secret", sign(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-xx"), valid())},
		{"HS512 instead of HS256", sign(t, jwt.SigningMethodHS512, secret, valid())},
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid())},
		{"wrong issuer", sign(t, jwt.SigningMethodHS256, secret, with(valid(), "iss", "https://evil.example"))},
		{"wrong audience", sign(t, jwt.SigningMethodHS256, secret, with(valid(), "aud", "other"))},
		{"no subject", sign(t, jwt.SigningMethodHS256, secret, with(valid(), "sub", nil))},
		{"no roles", sign(t, jwt.SigningMethodHS256, secret, with(valid(), "roles", []string{}))},
		{"unknown role", sign(t, jwt.SigningMethodHS256, secret, with(valid(), "roles", []string{"GOD"}))},
		{"bad country", sign(t, jwt.SigningMethodHS256, secret, with(valid(), "country", "Atlantis"))},
		{"malformed", "abc.def"},
	}
	for _, tt := range rejected {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := v.Verify(tt.token); sarhad.ErrorCode(err) != sarhad.EUNAUTHENTICATED {
				t.Errorf("got %v; want UNAUTHENTICATED", err)
			} else if strings.Contains(err.Error(), tt.token) {
				t.Errorf("error quotes the token")
			}
		})
	}
}

func TestMintRoundTrip(t *testing.T) {
	viewer := &sarhad.Viewer{Subject: "s", Name: "n", Roles: []sarhad.Role{sarhad.RoleAnalyst}, Country: "PAK", Org: "FIA"}
	tok, err := auth.Mint(secret, viewer, "", now, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	got, err := auth.NewHS256(secret, "", "", func() time.Time { return now }).Verify(tok)
	if err != nil || got.Subject != "s" || got.Org != "FIA" || got.Country != "PAK" || !got.HasRole(sarhad.RoleAnalyst) {
		t.Errorf("round trip: %+v %v", got, err)
	}
	if _, err := auth.NewHS256(secret, "", "", func() time.Time { return now.Add(2 * time.Minute) }).Verify(tok); err == nil {
		t.Errorf("token valid after its ttl")
	}
}

func TestMiddleware(t *testing.T) {
	v := auth.NewHS256(secret, "", "", func() time.Time { return now })
	var seen *sarhad.Viewer
	h := auth.Middleware(v, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen, _ = sarhad.ViewerFrom(r.Context())
	}))
	good := sign(t, jwt.SigningMethodHS256, secret, with(valid(), "iss", nil))
	for _, tt := range []struct {
		header string
		status int
	}{
		{"", 401}, {"Basic dTpw", 401}, {"Bearer ", 401}, {"Bearer " + good + "x", 401}, {"Bearer " + good, 200}, {"bearer " + good, 200},
	} {
		seen = nil
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		if tt.header != "" {
			req.Header.Set("Authorization", tt.header)
		}
		h.ServeHTTP(rec, req)
		if rec.Code != tt.status {
			t.Errorf("%.20q: status %d, want %d", tt.header, rec.Code, tt.status)
		}
		if tt.status == 401 && (seen != nil || !strings.Contains(rec.Body.String(), `"UNAUTHENTICATED"`) || rec.Header().Get("WWW-Authenticate") == "") {
			t.Errorf("%.20q: rejected badly: %s", tt.header, rec.Body)
		}
		if tt.status == 200 && (seen == nil || seen.Subject != "u1") {
			t.Errorf("viewer not in context")
		}
	}
}
