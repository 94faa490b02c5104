package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"
)

// The refresh policy of a JWKS URL.
const (
	// jwksHTTPTimeout bounds the start-up fetch, each background refresh, and the wait and fetch of a
	// refresh caused by an unknown kid.
	jwksHTTPTimeout = 10 * time.Second
	// jwksRefreshInterval is how often the set is fetched again in the background, so that keys the
	// provider removes stop being accepted. A failed refresh keeps the keys the set had.
	jwksRefreshInterval = 15 * time.Minute
	// jwksUnknownKIDInterval is the least time between two refreshes caused by a token whose kid the
	// set lacks (the provider rotated its keys). The first is immediate; tokens with unknown kids
	// that arrive sooner than this after it are rejected at once rather than hitting the provider.
	jwksUnknownKIDInterval = time.Minute
	// minRSABits is the smallest RSA key accepted for RS256 (RFC 7518, section 3.3).
	minRSABits = 2048
)

var (
	errAlgorithm  = errors.New("signing algorithm not accepted")
	errNoKeyID    = errors.New("no kid header")
	errUnknownKey = errors.New("unknown kid")
	errKeyType    = errors.New("the key does not fit the algorithm")
)

// Options configure NewVerifier.
type Options struct {
	// Secret is the HS256 shared secret. It may be empty when JWKS is set; HS256 tokens are then
	// rejected.
	Secret []byte
	// JWKS is the path of a JSON Web Key Set (RFC 7517) file, or the http or https URL of one, such as
	// Keycloak's https://HOST/realms/REALM/protocol/openid-connect/certs. Its RSA (2048 bits or more)
	// and P-256 EC keys verify RS256 and ES256 tokens, chosen by the token's kid; other keys are
	// ignored. Empty: HS256 only. A file is read once. A URL is fetched at start-up, again every 15
	// minutes, and, at most once a minute, when a token names a kid that the set lacks (key rotation).
	JWKS string
	// Issuer is the required iss claim, if not empty.
	Issuer string
	// Audience is the audience the aud claim must contain, if not empty. Set it when the identity
	// provider issues tokens for other applications too (with Keycloak, add an audience mapper to
	// Sarhad's client), or their tokens will be accepted as well.
	Audience string
	// Now is the clock; nil: time.Now.
	Now func() time.Time
	// HTTPClient fetches a JWKS URL; nil: http.DefaultClient.
	HTTPClient *http.Client
	// Logger receives failures of background JWKS refreshes; nil: slog.Default().
	Logger *slog.Logger
}

// NewVerifier returns a verifier of HS256 tokens signed with o.Secret, if set, and of RS256 and ES256
// tokens signed with the keys of o.JWKS, if set. It fails when neither is set, when the JWKS file
// cannot be read or is not a JWK Set, when the JWKS URL cannot be fetched (ctx and a 10-second
// timeout bound the attempt), or when the set has no RSA or P-256 EC signing key.
//
// With a JWKS URL, the verifier refreshes the set in the background until Close is called; ctx only
// bounds start-up.
func NewVerifier(ctx context.Context, o Options) (*Verifier, error) {
	if len(o.Secret) == 0 && o.JWKS == "" {
		return nil, errors.New("auth: no token keys: set an HS256 secret, a JWKS file or a JWKS URL")
	}
	v := NewHS256(o.Secret, o.Issuer, o.Audience, o.Now)
	if o.JWKS == "" {
		return v, nil
	}
	u, err := jwksURL(o.JWKS)
	if err != nil {
		return nil, err
	}
	var storage jwkset.Storage
	if u != nil {
		storage, v.stop, err = fetchJWKS(ctx, u, o)
	} else {
		storage, err = readJWKS(ctx, o.JWKS)
	}
	if err != nil {
		return nil, err
	}
	if err := hasSigningKey(ctx, storage); err != nil {
		v.Close()
		if u != nil {
			return nil, fmt.Errorf("auth: the JWKS at %s %w (is it the JWKS URL, such as Keycloak's …/protocol/openid-connect/certs?)", u.Redacted(), err)
		}
		return nil, fmt.Errorf("auth: the JWKS file %s %w", o.JWKS, err)
	}
	// keyfunc checks that the key's alg, if the JWK has one, is the token's, and that the key is not
	// for encryption only (Keycloak publishes an RSA-OAEP key with use "enc" next to its signing keys).
	v.keys, err = keyfunc.New(keyfunc.Options{Storage: storage, UseWhitelist: []jwkset.USE{jwkset.UseSig, ""}})
	if err != nil {
		v.Close()
		return nil, fmt.Errorf("auth: %w", err)
	}
	v.methods = append(v.methods, jwt.SigningMethodRS256.Alg(), jwt.SigningMethodES256.Alg())
	return v, nil
}

// Close stops the background refresh of a JWKS URL, if any. Call it when the verifier is no longer
// used. It may be called more than once.
func (v *Verifier) Close() {
	if v != nil && v.stop != nil {
		v.stop()
	}
}

// jwksURL returns the URL that s is, or nil when s is a file path.
func jwksURL(s string) (*url.URL, error) {
	if !strings.Contains(s, "://") {
		return nil, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("auth: the JWKS URL is not valid: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("auth: the JWKS %s is neither a file path nor an http or https URL", u.Redacted())
	}
	return u, nil
}

// readJWKS reads a JWK Set file into memory. Keys of types jwkset does not support are skipped, as
// they are for a URL.
func readJWKS(ctx context.Context, path string) (jwkset.Storage, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("auth: cannot read the JWKS file: %w", err)
	}
	var set jwkset.JWKSMarshal
	if err := json.Unmarshal(b, &set); err != nil {
		return nil, fmt.Errorf("auth: the JWKS file %s is not a JWK Set: %w", path, err)
	}
	storage := jwkset.NewMemoryStorage()
	for i, m := range set.Keys {
		k, err := jwkset.NewJWKFromMarshal(m, jwkset.JWKMarshalOptions{Private: true}, jwkset.JWKValidateOptions{})
		switch {
		case errors.Is(err, jwkset.ErrUnsupportedKey):
			continue
		case err != nil:
			return nil, fmt.Errorf("auth: the JWKS file %s: key %d: %w", path, i, err)
		}
		if err := storage.KeyWrite(ctx, k); err != nil {
			return nil, fmt.Errorf("auth: %w", err)
		}
	}
	return storage, nil
}

// fetchJWKS fetches a JWK Set URL and starts refreshing it in the background until stop is called.
func fetchJWKS(ctx context.Context, u *url.URL, o Options) (_ jwkset.Storage, stop context.CancelFunc, _ error) {
	// The refresh outlives ctx, which only bounds start-up: cancelling ctx during start-up aborts it.
	bg, stop := context.WithCancel(context.WithoutCancel(ctx))
	abort := context.AfterFunc(ctx, stop)
	logger := o.Logger
	if logger == nil {
		logger = slog.Default()
	}
	name := u.Redacted()
	remote, err := jwkset.NewStorageFromHTTP(u.String(), jwkset.HTTPClientStorageOptions{
		Client:          o.HTTPClient,
		Ctx:             bg,
		HTTPTimeout:     jwksHTTPTimeout,
		RefreshInterval: jwksRefreshInterval,
		RefreshErrorHandler: func(ctx context.Context, err error) {
			logger.ErrorContext(ctx, "auth: refreshing the JWKS failed; its keys stay as they were", "jwks", name, "error", err)
		},
	})
	if !abort() && err == nil {
		err = ctx.Err()
	}
	if err != nil {
		stop()
		return nil, nil, fmt.Errorf("auth: cannot fetch the JWKS at %s: %w", name, err)
	}
	storage, err := jwkset.NewHTTPClient(jwkset.HTTPClientOptions{
		HTTPURLs:          map[string]jwkset.Storage{u.String(): remote},
		RateLimitWaitMax:  jwksHTTPTimeout,
		RefreshUnknownKID: rate.NewLimiter(rate.Every(jwksUnknownKIDInterval), 1),
	})
	if err != nil {
		stop()
		return nil, nil, fmt.Errorf("auth: %w", err)
	}
	return storage, stop, nil
}

// hasSigningKey checks that the set has a key for RS256 or ES256.
func hasSigningKey(ctx context.Context, storage jwkset.Storage) error {
	keys, err := storage.KeyReadAll(ctx)
	if err != nil {
		return fmt.Errorf("cannot be read: %w", err)
	}
	for _, k := range keys {
		if use := k.Marshal().USE; use != jwkset.UseSig && use != "" {
			continue
		}
		if fitKey(jwt.SigningMethodRS256.Alg(), publicKey(k.Key())) == nil || fitKey(jwt.SigningMethodES256.Alg(), publicKey(k.Key())) == nil {
			return nil
		}
	}
	return fmt.Errorf("has no RSA (%d bits or more) or P-256 EC signing key", minRSABits)
}

// keyfunc returns the jwt.Keyfunc of a token: the secret for HS256, and for RS256 and ES256 the
// JWKS key the token's kid names, which must be of the algorithm's type. Any other algorithm, and
// any algorithm the verifier was not configured for, is refused.
func (v *Verifier) keyfunc(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		alg := t.Method.Alg()
		if !slices.Contains(v.methods, alg) {
			return nil, errAlgorithm
		}
		switch alg {
		case jwt.SigningMethodHS256.Alg():
			if len(v.secret) == 0 {
				return nil, errAlgorithm
			}
			return v.secret, nil // never a JWKS key: no algorithm confusion
		case jwt.SigningMethodRS256.Alg(), jwt.SigningMethodES256.Alg():
			if v.keys == nil {
				return nil, errAlgorithm
			}
			kid := headerString(t, "kid")
			if kid == "" {
				return nil, errNoKeyID // keyfunc would try every key of the set
			}
			// Looked up first to tell an unknown kid (also when a refresh for it is rate-limited or
			// fails) from a key that does not fit; the second lookup, in keyfunc, finds it in memory.
			if _, err := v.keys.Storage().KeyRead(ctx, kid); err != nil {
				return nil, fmt.Errorf("%w: %w", errUnknownKey, err)
			}
			key, err := v.keys.KeyfuncCtx(ctx)(t)
			if err != nil {
				return nil, err
			}
			if err := fitKey(alg, key); err != nil {
				return nil, err
			}
			return key, nil
		}
		return nil, errAlgorithm
	}
}

// fitKey checks that key is a public key for alg: RSA of minRSABits or more for RS256, EC P-256 for
// ES256.
func fitKey(alg string, key any) error {
	switch alg {
	case jwt.SigningMethodRS256.Alg():
		if k, ok := key.(*rsa.PublicKey); ok && k.N != nil && k.N.BitLen() >= minRSABits {
			return nil
		}
	case jwt.SigningMethodES256.Alg():
		if k, ok := key.(*ecdsa.PublicKey); ok && k.Curve == elliptic.P256() {
			return nil
		}
	}
	return errKeyType
}

// publicKey returns the public key of a private key, and any other key as it is.
func publicKey(key any) any {
	if k, ok := key.(interface{ Public() crypto.PublicKey }); ok {
		return k.Public()
	}
	return key
}

// headerString returns a string header of a token, or "" when it is absent or not a string.
func headerString(t *jwt.Token, name string) string {
	s, _ := t.Header[name].(string)
	return s
}
