package auth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/auth"
)

// testKeys are generated once: RSA 2048 is slow to generate.
type testKeys struct {
	rsa, rsa2, other, small *rsa.PrivateKey
	ec, ecOther             *ecdsa.PrivateKey
	oct                     []byte
}

var keys = sync.OnceValue(func() *testKeys {
	rsaKey := func(bits int) *rsa.PrivateKey {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			panic(err)
		}
		return k
	}
	ecKey := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		return k
	}
	return &testKeys{rsa: rsaKey(2048), rsa2: rsaKey(2048), other: rsaKey(2048), small: rsaKey(1024),
		ec: ecKey(), ecOther: ecKey(), oct: []byte("a-symmetric-key-in-the-jwks-0123")}
})

// jwk is one key of a test JWKS.
type jwk struct {
	kid string
	key any // a public key, or []byte for a symmetric one
	alg jwkset.ALG
	use jwkset.USE
}

// jwksJSON marshals a JWK Set with jwkset.
func jwksJSON(t *testing.T, ks ...jwk) []byte {
	t.Helper()
	var set jwkset.JWKSMarshal
	for _, k := range ks {
		_, symmetric := k.key.([]byte)
		j, err := jwkset.NewJWKFromKey(k.key, jwkset.JWKOptions{
			Marshal:  jwkset.JWKMarshalOptions{Private: symmetric},
			Metadata: jwkset.JWKMetadataOptions{KID: k.kid, ALG: k.alg, USE: k.use},
		})
		if err != nil {
			t.Fatal(err)
		}
		set.Keys = append(set.Keys, j.Marshal())
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// standardJWKS has the RSA and EC signing keys, an RSA encryption key, a symmetric key and a small
// RSA key, as an identity provider might publish (Keycloak publishes "enc" keys next to "sig" ones).
func standardJWKS(t *testing.T) []byte {
	k := keys()
	return jwksJSON(t,
		jwk{kid: "rsa-1", key: &k.rsa.PublicKey, alg: jwkset.AlgRS256, use: jwkset.UseSig},
		jwk{kid: "ec-1", key: &k.ec.PublicKey, alg: jwkset.AlgES256, use: jwkset.UseSig},
		jwk{kid: "ec-noalg", key: &k.ecOther.PublicKey}, // no alg, no use: still a signing key
		jwk{kid: "enc-1", key: &k.other.PublicKey, alg: jwkset.AlgRSAOAEP, use: jwkset.UseEnc},
		jwk{kid: "enc-noalg", key: &k.other.PublicKey, use: jwkset.UseEnc},
		jwk{kid: "oct-1", key: k.oct},
		jwk{kid: "rsa-small", key: &k.small.PublicKey, alg: jwkset.AlgRS256, use: jwkset.UseSig},
	)
}

// signKID signs claims with a kid header ("" for none).
func signKID(t *testing.T, method jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func writeFile(t *testing.T, content []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(p, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// jwksServer serves a JWKS that the test may change, and counts the requests.
type jwksServer struct {
	*httptest.Server
	body atomic.Pointer[[]byte]
	hits atomic.Int32
}

func serveJWKS(t *testing.T, body []byte) *jwksServer {
	t.Helper()
	s := &jwksServer{}
	s.set(body)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write(*s.body.Load())
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) set(body []byte) { s.body.Store(&body) }

func newVerifier(t *testing.T, o auth.Options) *auth.Verifier {
	t.Helper()
	if o.Now == nil {
		o.Now = func() time.Time { return now }
	}
	v, err := auth.NewVerifier(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.Close)
	return v
}

// rejects checks that v rejects token as UNAUTHENTICATED with a message containing want, without
// quoting the token.
func rejects(t *testing.T, v *auth.Verifier, token, want string) {
	t.Helper()
	_, err := v.Verify(token)
	switch {
	case sarhad.ErrorCode(err) != sarhad.EUNAUTHENTICATED:
		t.Errorf("got %v; want UNAUTHENTICATED", err)
	case !strings.Contains(sarhad.ErrorMessage(err), want):
		t.Errorf("got %q; want a message containing %q", sarhad.ErrorMessage(err), want)
	case strings.Contains(err.Error(), token):
		t.Errorf("error quotes the token")
	}
}

func TestVerifyJWKS(t *testing.T) {
	k := keys()
	jwks := standardJWKS(t)
	srv := serveJWKS(t, jwks)
	sources := []struct {
		name string
		jwks string
	}{
		{"file", writeFile(t, jwks)},
		{"URL", srv.URL + "/realms/sarhad/protocol/openid-connect/certs"},
	}
	pub, err := x509.MarshalPKIXPublicKey(&k.rsa.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})
	pubJWK := jwksJSON(t, jwk{kid: "rsa-1", key: &k.rsa.PublicKey, alg: jwkset.AlgRS256, use: jwkset.UseSig})

	for _, src := range sources {
		t.Run(src.name, func(t *testing.T) {
			v := newVerifier(t, auth.Options{JWKS: src.jwks, Issuer: "https://idp.example", Audience: "sarhad", HTTPClient: srv.Client()})
			accepted := []struct {
				name  string
				token string
			}{
				{"RS256", signKID(t, jwt.SigningMethodRS256, k.rsa, "rsa-1", valid())},
				{"ES256", signKID(t, jwt.SigningMethodES256, k.ec, "ec-1", valid())},
				{"ES256, JWK without alg and use", signKID(t, jwt.SigningMethodES256, k.ecOther, "ec-noalg", valid())},
				{"audience in a list", signKID(t, jwt.SigningMethodRS256, k.rsa, "rsa-1", with(valid(), "aud", []string{"account", "sarhad"}))},
			}
			for _, tt := range accepted {
				t.Run(tt.name, func(t *testing.T) {
					got, err := v.Verify(tt.token)
					if err != nil {
						t.Fatal(err)
					}
					if got.Subject != "u1" || got.Country != "IRN" || got.Org != "IRN-POLICE" || !got.HasRole(sarhad.RoleLiaisonOfficer) ||
						!got.HasClearance(sarhad.ClearanceVictimPII) {
						t.Errorf("viewer: %+v", got)
					}
				})
			}
			rejected := []struct {
				name  string
				token string
				want  string
			}{
				{"another RSA key with a known kid", signKID(t, jwt.SigningMethodRS256, k.other, "rsa-1", valid()), "signature"},
				{"another EC key with a known kid", signKID(t, jwt.SigningMethodES256, k.ecOther, "ec-1", valid()), "signature"},
				{"HS256 keyed with the public key's PEM", signKID(t, jwt.SigningMethodHS256, pubPEM, "rsa-1", valid()), "algorithm"},
				{"HS256 keyed with the public JWK", signKID(t, jwt.SigningMethodHS256, pubJWK, "rsa-1", valid()), "algorithm"},
				{"HS256 keyed with a symmetric JWK of the set", signKID(t, jwt.SigningMethodHS256, k.oct, "oct-1", valid()), "algorithm"},
				{"HS256 with the shared secret, none configured", signKID(t, jwt.SigningMethodHS256, secret, "", valid()), "algorithm"},
				{"RS256 naming a symmetric JWK", signKID(t, jwt.SigningMethodRS256, k.rsa, "oct-1", valid()), "signature"},
				{"ES256 naming an RSA JWK", signKID(t, jwt.SigningMethodES256, k.ec, "rsa-1", valid()), "signature"},
				{"RS256 naming an EC JWK", signKID(t, jwt.SigningMethodRS256, k.rsa, "ec-1", valid()), "signature"},
				{"RS256 naming an encryption JWK", signKID(t, jwt.SigningMethodRS256, k.other, "enc-1", valid()), "signature"},
				{"RS256 naming an encryption JWK without alg", signKID(t, jwt.SigningMethodRS256, k.other, "enc-noalg", valid()), "signature"},
				{"RS256 with a 1024-bit key", signKID(t, jwt.SigningMethodRS256, k.small, "rsa-small", valid()), "signature"},
				{"RS384", signKID(t, jwt.SigningMethodRS384, k.rsa, "rsa-1", valid()), "algorithm"},
				{"PS256", signKID(t, jwt.SigningMethodPS256, k.rsa, "rsa-1", valid()), "algorithm"},
				{"alg none", signKID(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "rsa-1", valid()), "algorithm"},
				{"unknown kid", signKID(t, jwt.SigningMethodRS256, k.rsa, "rsa-unknown", valid()), "kid"},
				{"no kid", signKID(t, jwt.SigningMethodRS256, k.rsa, "", valid()), "kid"},
				{"wrong issuer", signKID(t, jwt.SigningMethodRS256, k.rsa, "rsa-1", with(valid(), "iss", "https://evil.example")), "issuer"},
				{"no issuer", signKID(t, jwt.SigningMethodRS256, k.rsa, "rsa-1", with(valid(), "iss", nil)), "issuer"},
				{"wrong audience", signKID(t, jwt.SigningMethodES256, k.ec, "ec-1", with(valid(), "aud", "account")), "audience"},
				{"no audience", signKID(t, jwt.SigningMethodES256, k.ec, "ec-1", with(valid(), "aud", nil)), "audience"},
				{"expired", signKID(t, jwt.SigningMethodRS256, k.rsa, "rsa-1", with(valid(), "exp", now.Add(-time.Hour).Unix())), "expired"},
				{"no expiry", signKID(t, jwt.SigningMethodES256, k.ec, "ec-1", with(valid(), "exp", nil)), "no expiry"},
				{"unknown role", signKID(t, jwt.SigningMethodRS256, k.rsa, "rsa-1", with(valid(), "roles", []string{"GOD"})), "unknown role"},
			}
			for _, tt := range rejected {
				t.Run(tt.name, func(t *testing.T) { rejects(t, v, tt.token, tt.want) })
			}
		})
	}
}

func TestVerifySecretAndJWKS(t *testing.T) {
	k := keys()
	v := newVerifier(t, auth.Options{Secret: secret, JWKS: writeFile(t, standardJWKS(t))})
	for _, tok := range []string{
		sign(t, jwt.SigningMethodHS256, secret, valid()),
		signKID(t, jwt.SigningMethodHS256, secret, "rsa-1", valid()), // the kid does not matter to HS256
		signKID(t, jwt.SigningMethodRS256, k.rsa, "rsa-1", valid()),
		signKID(t, jwt.SigningMethodES256, k.ec, "ec-1", valid()),
	} {
		if _, err := v.Verify(tok); err != nil {
			t.Error(err)
		}
	}
	pub, _ := x509.MarshalPKIXPublicKey(&k.rsa.PublicKey)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})
	rejects(t, v, signKID(t, jwt.SigningMethodHS256, pubPEM, "rsa-1", valid()), "signature")
	rejects(t, v, signKID(t, jwt.SigningMethodHS256, k.oct, "oct-1", valid()), "signature")
}

func TestVerifySecretOnly(t *testing.T) {
	k := keys()
	clock := func() time.Time { return now }
	rs256 := signKID(t, jwt.SigningMethodRS256, k.rsa, "rsa-1", valid())
	es256 := signKID(t, jwt.SigningMethodES256, k.ec, "ec-1", valid())
	for name, v := range map[string]*auth.Verifier{
		"NewVerifier": newVerifier(t, auth.Options{Secret: secret}),
		"NewHS256":    auth.NewHS256(secret, "", "", clock),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := v.Verify(sign(t, jwt.SigningMethodHS256, secret, valid())); err != nil {
				t.Error(err)
			}
			rejects(t, v, rs256, "algorithm")
			rejects(t, v, es256, "algorithm")
		})
	}
	// A verifier without a secret accepts no HS256 token, not even one keyed with the empty secret.
	empty := auth.NewHS256(nil, "", "", clock)
	empty.Close()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, valid()).SignedString([]byte{})
	if err == nil {
		rejects(t, empty, tok, "algorithm")
	}
	rejects(t, empty, sign(t, jwt.SigningMethodHS256, secret, valid()), "algorithm")
}

func TestJWKSKeyRotation(t *testing.T) {
	k := keys()
	srv := serveJWKS(t, jwksJSON(t, jwk{kid: "rsa-1", key: &k.rsa.PublicKey, alg: jwkset.AlgRS256, use: jwkset.UseSig}))
	v := newVerifier(t, auth.Options{JWKS: srv.URL, HTTPClient: srv.Client()})
	old := signKID(t, jwt.SigningMethodRS256, k.rsa, "rsa-1", valid())
	if _, err := v.Verify(old); err != nil {
		t.Fatal(err)
	}
	if n := srv.hits.Load(); n != 1 {
		t.Fatalf("%d fetches at start-up, want 1", n)
	}

	// The provider rotates: rsa-1 is withdrawn, rsa-2 and ec-2 are published.
	srv.set(jwksJSON(t,
		jwk{kid: "rsa-2", key: &k.rsa2.PublicKey, alg: jwkset.AlgRS256, use: jwkset.UseSig},
		jwk{kid: "ec-2", key: &k.ec.PublicKey, alg: jwkset.AlgES256, use: jwkset.UseSig}))
	if _, err := v.Verify(signKID(t, jwt.SigningMethodRS256, k.rsa2, "rsa-2", valid())); err != nil {
		t.Fatalf("token of the new key: %v", err)
	}
	if n := srv.hits.Load(); n != 2 {
		t.Fatalf("%d fetches after an unknown kid, want 2", n)
	}
	rejects(t, v, old, "kid") // the refresh dropped the withdrawn key
	if _, err := v.Verify(signKID(t, jwt.SigningMethodES256, k.ec, "ec-2", valid())); err != nil {
		t.Errorf("other new key: %v", err)
	}

	// Refreshes for unknown kids are rate-limited (one a minute): the next unknown kid is rejected
	// at once, without fetching the set again or waiting for the limiter.
	srv.set(jwksJSON(t, jwk{kid: "rsa-3", key: &k.rsa.PublicKey, alg: jwkset.AlgRS256, use: jwkset.UseSig}))
	start := time.Now()
	for range 5 {
		rejects(t, v, signKID(t, jwt.SigningMethodRS256, k.rsa, "rsa-3", valid()), "kid")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("rejecting unknown kids took %v", d)
	}
	if n := srv.hits.Load(); n != 2 {
		t.Errorf("%d fetches, want 2: the unknown-kid refresh is not rate-limited", n)
	}
}

func TestKeycloakToken(t *testing.T) {
	k := keys()
	srv := serveJWKS(t, standardJWKS(t))
	const issuer = "https://kc.example/realms/sarhad"
	v := newVerifier(t, auth.Options{JWKS: srv.URL + "/realms/sarhad/protocol/openid-connect/certs", Issuer: issuer,
		Audience: "sarhad-api", HTTPClient: srv.Client()})
	keycloak := func() jwt.MapClaims {
		return jwt.MapClaims{
			"exp": now.Add(5 * time.Minute).Unix(), "iat": now.Unix(), "jti": "0b9e3c1e", "iss": issuer,
			"aud": []string{"sarhad-api", "account"}, "sub": "f3a1c2d4-5e6f", "typ": "Bearer", "azp": "sarhad-web",
			"sid": "7c1d", "scope": "openid profile email", "preferred_username": "a.khan", "name": "Ayesha Khan",
			"realm_access":    map[string]any{"roles": []string{"INVESTIGATOR", "offline_access", "uma_authorization"}},
			"resource_access": map[string]any{"account": map[string]any{"roles": []string{"manage-account", "view-profile"}}},
			"country":         "PK", "org": "FIA",
		}
	}
	got, err := v.Verify(signKID(t, jwt.SigningMethodRS256, k.rsa, "rsa-1", keycloak()))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Roles, []sarhad.Role{sarhad.RoleInvestigator}) || got.Subject != "f3a1c2d4-5e6f" ||
		got.Name != "Ayesha Khan" || got.Country != "PAK" || got.Org != "FIA" {
		t.Errorf("viewer: %+v", got)
	}

	// An explicit roles claim is the contract: it wins over realm_access, and must be valid.
	got, err = v.Verify(signKID(t, jwt.SigningMethodES256, k.ec, "ec-1", with(keycloak(), "roles", []string{"ANALYST"})))
	if err != nil || !slices.Equal(got.Roles, []sarhad.Role{sarhad.RoleAnalyst}) {
		t.Errorf("explicit roles: %+v, %v", got, err)
	}
	rejects(t, v, signKID(t, jwt.SigningMethodRS256, k.rsa, "rsa-1", with(keycloak(), "roles", []string{"ANALYST", "offline_access"})), "unknown role")
	rejects(t, v, signKID(t, jwt.SigningMethodRS256, k.rsa, "rsa-1", with(keycloak(), "roles", []string{})), "no role")
	rejects(t, v, signKID(t, jwt.SigningMethodRS256, k.rsa, "rsa-1",
		with(keycloak(), "realm_access", map[string]any{"roles": []string{"offline_access", "default-roles-sarhad"}})), "no role")
	rejects(t, v, signKID(t, jwt.SigningMethodRS256, k.rsa, "rsa-1", with(keycloak(), "realm_access", nil)), "no role")
	rejects(t, v, signKID(t, jwt.SigningMethodRS256, k.rsa, "rsa-1", with(keycloak(), "aud", "account")), "audience")
}

func TestMiddlewareJWKS(t *testing.T) {
	k := keys()
	srv := serveJWKS(t, standardJWKS(t))
	v := newVerifier(t, auth.Options{JWKS: srv.URL, HTTPClient: srv.Client()})
	var seen *sarhad.Viewer
	h := auth.Middleware(v, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen, _ = sarhad.ViewerFrom(r.Context()) }))
	for _, tt := range []struct {
		token  string
		status int
	}{
		{signKID(t, jwt.SigningMethodES256, k.ec, "ec-1", valid()), 200},
		{signKID(t, jwt.SigningMethodRS256, k.other, "rsa-1", valid()), 401},
	} {
		seen = nil
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		req.Header.Set("Authorization", "Bearer "+tt.token)
		h.ServeHTTP(rec, req)
		if rec.Code != tt.status || (tt.status == 200) != (seen != nil) {
			t.Errorf("status %d, viewer %+v; want %d", rec.Code, seen, tt.status)
		}
	}
}

func TestNewVerifierErrors(t *testing.T) {
	k := keys()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	notFound := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(notFound.Close)
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>Keycloak</html>")) }))
	t.Cleanup(html.Close)
	realm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"realm":"sarhad","public_key":"MIIBIjANBg","token-service":"https://kc.example/realms/sarhad/protocol/openid-connect"}`))
	}))
	t.Cleanup(realm.Close)
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(hang.Close)

	for _, tt := range []struct {
		name    string
		o       auth.Options
		timeout time.Duration
		want    string
	}{
		{"no secret and no JWKS", auth.Options{Issuer: "https://idp.example"}, 0, "no token keys"},
		{"missing file", auth.Options{JWKS: filepath.Join(t.TempDir(), "missing.json")}, 0, "no such file"},
		{"directory", auth.Options{JWKS: t.TempDir()}, 0, "cannot read the JWKS file"},
		{"malformed JSON", auth.Options{JWKS: writeFile(t, []byte(`{"keys": [`))}, 0, "not a JWK Set"},
		{"JSON array", auth.Options{JWKS: writeFile(t, []byte(`[]`))}, 0, "not a JWK Set"},
		{"JSON without keys", auth.Options{JWKS: writeFile(t, []byte(`{"issuer": "x"}`))}, 0, "no RSA"},
		{"empty set", auth.Options{JWKS: writeFile(t, []byte(`{"keys": []}`))}, 0, "no RSA"},
		{"only unusable keys", auth.Options{JWKS: writeFile(t, jwksJSON(t,
			jwk{kid: "oct-1", key: k.oct},
			jwk{kid: "enc-1", key: &k.other.PublicKey, alg: jwkset.AlgRSAOAEP, use: jwkset.UseEnc},
			jwk{kid: "small", key: &k.small.PublicKey}))}, 0, "no RSA"},
		{"invalid key", auth.Options{JWKS: writeFile(t, []byte(`{"keys": [{"kty": "RSA", "kid": "x", "n": "!!", "e": "AQAB"}]}`))}, 0, "key 0"},
		{"unsupported scheme", auth.Options{JWKS: "ftp://127.0.0.1/jwks.json"}, 0, "neither a file path nor an http or https URL"},
		{"unreachable URL", auth.Options{JWKS: "http://" + closed + "/certs"}, 0, "cannot fetch the JWKS"},
		{"URL with credentials", auth.Options{JWKS: "http://user:hunter2@" + closed + "/certs"}, 0, "cannot fetch the JWKS"},
		{"URL not found", auth.Options{JWKS: notFound.URL, HTTPClient: notFound.Client()}, 0, "404"},
		{"URL serves HTML", auth.Options{JWKS: html.URL, HTTPClient: html.Client()}, 0, "cannot fetch the JWKS"},
		{"URL of the realm, not its JWKS", auth.Options{JWKS: realm.URL, HTTPClient: realm.Client()}, 0, "openid-connect/certs"},
		{"URL that does not answer", auth.Options{JWKS: hang.URL, HTTPClient: hang.Client()}, 200 * time.Millisecond, "cannot fetch the JWKS"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			start := time.Now()
			v, err := auth.NewVerifier(ctx, tt.o)
			if err == nil {
				v.Close()
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q; want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error quotes the URL's password: %v", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}
