package sarhad

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
)

// TLP is a Traffic Light Protocol 2.0 marking.
type TLP string

// TLP markings, from most to least restrictive.
const (
	TLPRed         TLP = "RED"
	TLPAmberStrict TLP = "AMBER_STRICT"
	TLPAmber       TLP = "AMBER"
	TLPGreen       TLP = "GREEN"
	TLPClear       TLP = "CLEAR"
)

// TLPs lists every marking.
var TLPs = []TLP{TLPRed, TLPAmberStrict, TLPAmber, TLPGreen, TLPClear}

// Valid reports whether t is a known marking.
func (t TLP) Valid() bool { return slices.Contains(TLPs, t) }

// Handling says who originated a record and who it is released to.
type Handling struct {
	OriginatorOrg     string   `json:"originatorOrg"`
	OriginatorCountry string   `json:"originatorCountry"` // ISO alpha-3
	TLP               TLP      `json:"tlp"`
	ReleasableTo      []string `json:"releasableTo"` // ISO alpha-3 codes
}

// Visible is the access policy for one record, in Go. Stores enforce the same rule inside their
// queries; this function is the reference they are tested against.
//
// A record is visible to the viewer when the viewer's organisation originated it, or when it is
// CLEAR, or when it is AMBER or GREEN and released to the viewer's country. RED and AMBER+STRICT stay
// with the originating organisation. Roles do not widen this: an administrator sees by the same rule.
func (h Handling) Visible(v *Viewer) bool {
	if v == nil {
		return false
	}
	if v.System {
		return true
	}
	if h.OriginatorOrg != "" && h.OriginatorOrg == v.Org {
		return true
	}
	switch h.TLP {
	case TLPClear:
		return true
	case TLPGreen, TLPAmber:
		return v.Country != "" && slices.Contains(h.ReleasableTo, v.Country)
	}
	return false
}

// Sensitive reports whether returning a record with this handling must be noted in the audit trail.
func (h Handling) Sensitive() bool {
	return h.TLP == TLPRed || h.TLP == TLPAmberStrict || h.TLP == TLPAmber
}

// Equal reports whether h and o are the same handling (release lists in the same order, as
// NormalizeHandling leaves them).
func (h Handling) Equal(o Handling) bool {
	return h.OriginatorOrg == o.OriginatorOrg && h.OriginatorCountry == o.OriginatorCountry && h.TLP == o.TLP &&
		slices.Equal(h.ReleasableTo, o.ReleasableTo)
}

// SeesVictimPII reports whether the viewer may see the identifying details of a victim recorded
// under handling h: only viewers with the VICTIM_PII clearance in the originating organisation.
func (h Handling) SeesVictimPII(v *Viewer) bool {
	return v != nil && v.System || v != nil && v.Org != "" && v.Org == h.OriginatorOrg && v.HasClearance(ClearanceVictimPII)
}

// Reliability is the Admiralty source-reliability grade.
type Reliability string

// Source reliability grades A (completely reliable) to F (cannot be judged).
const (
	ReliabilityA Reliability = "A"
	ReliabilityB Reliability = "B"
	ReliabilityC Reliability = "C"
	ReliabilityD Reliability = "D"
	ReliabilityE Reliability = "E"
	ReliabilityF Reliability = "F"
)

// Credibility is the Admiralty information-credibility grade.
type Credibility string

// Information credibility grades 1 (confirmed) to 6 (cannot be judged).
const (
	CredibilityConfirmed      Credibility = "CONFIRMED"
	CredibilityProbablyTrue   Credibility = "PROBABLY_TRUE"
	CredibilityPossiblyTrue   Credibility = "POSSIBLY_TRUE"
	CredibilityDoubtful       Credibility = "DOUBTFUL"
	CredibilityImprobable     Credibility = "IMPROBABLE"
	CredibilityCannotBeJudged Credibility = "CANNOT_BE_JUDGED"
)

var credibilities = []Credibility{CredibilityConfirmed, CredibilityProbablyTrue, CredibilityPossiblyTrue,
	CredibilityDoubtful, CredibilityImprobable, CredibilityCannotBeJudged}

// Number returns the Admiralty digit of c (1–6), or 0 when c is unknown.
func (c Credibility) Number() int { return slices.Index(credibilities, c) + 1 }

// Pseudonym returns the stable pseudonym shown instead of a victim's name, derived from the record id
// so that it does not change between requests and reveals nothing of the name.
func Pseudonym(id string) string {
	sum := sha256.Sum256([]byte("sarhad-victim:" + id))
	return "Victim V-" + strings.ToUpper(hex.EncodeToString(sum[:3]))
}
