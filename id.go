package sarhad

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"
)

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// RelationshipIDPrefix starts every relationship id.
const RelationshipIDPrefix = "rel"

// NewID returns a new id for an entity of kind k (or a relationship, when k is ""): a kind prefix and
// a time-ordered UUIDv7 drawn from rnd, so ids sort by creation time. Clock and randomness are
// injected so tests are deterministic.
func NewID(k EntityKind, now time.Time, rnd io.Reader) (string, error) {
	return newID(idPrefix(k), now, rnd)
}

// AuditIDPrefix starts every audit entry id.
const AuditIDPrefix = "aud"

// NewAuditID returns a new, time-ordered id for an audit entry.
func NewAuditID(now time.Time, rnd io.Reader) (string, error) { return newID(AuditIDPrefix, now, rnd) }

func newID(prefix string, now time.Time, rnd io.Reader) (string, error) {
	u, err := uuid.NewV7FromReader(rnd)
	if err != nil {
		return "", err
	}
	// Overwrite the 48-bit timestamp with the injected clock.
	ms := uint64(now.UnixMilli())
	for i := range 6 {
		u[i] = byte(ms >> (8 * (5 - i)))
	}
	return prefix + "_" + idEncoding.EncodeToString(u[:]), nil
}

// StableID returns the id an entity of kind k derived from key always gets: seeds and imports use it
// so that loading the same record twice writes the same node.
func StableID(k EntityKind, key string) string {
	sum := sha256.Sum256([]byte(string(k) + "\x00" + key))
	return idPrefix(k) + "_" + idEncoding.EncodeToString(sum[:16])
}

// KeyedID returns the id of the record of kind k (or a relationship, when k is "") that
// organisation org keys by key (imports, a create or link with a source key): always the same for
// the same secret (Store.IDSecret), org and key, so that writing the record again writes the same
// one. It is an HMAC of the three under the secret, so that the key, which a source system may
// make of a name or an identity number and which a victim's record withholds, cannot be found from
// the id by trying candidate keys. With an empty secret — a store that held keyed records before
// it had one — it is StableID of org and key, as those records' ids were derived.
func KeyedID(secret []byte, k EntityKind, org, key string) string {
	if len(secret) == 0 {
		return StableID(k, org+"\x00"+key)
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(string(k) + "\x00" + org + "\x00" + key))
	return idPrefix(k) + "_" + idEncoding.EncodeToString(mac.Sum(nil)[:16])
}

func idPrefix(k EntityKind) string {
	for _, i := range kindInfo {
		if i.kind == k {
			return i.prefix
		}
	}
	return RelationshipIDPrefix
}

// KindOfID returns the kind an entity id belongs to, or an error with code BAD_USER_INPUT when id is
// not a well-formed entity id.
func KindOfID(id string) (EntityKind, error) {
	prefix, rest, ok := strings.Cut(id, "_")
	if ok && len(rest) == 26 && isIDBody(rest) {
		for _, i := range kindInfo {
			if i.prefix == prefix {
				return i.kind, nil
			}
		}
	}
	return "", Errorf(EINVALID, "%q is not a valid entity id", truncate(id, 64))
}

// ValidRelationshipID reports whether id is a well-formed relationship id.
func ValidRelationshipID(id string) bool {
	prefix, rest, ok := strings.Cut(id, "_")
	return ok && prefix == RelationshipIDPrefix && len(rest) == 26 && isIDBody(rest)
}

func isIDBody(s string) bool {
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefghjkmnpqrstvwxyz", c) {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
