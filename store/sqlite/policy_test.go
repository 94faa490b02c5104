package sqlite

import (
	"database/sql"
	"encoding/json"
	"slices"
	"testing"

	"github.com/sarhad/sarhad"
)

// TestReleaseMatchesTheReleaseList: the policy finds the viewer's country in releasable_to by its
// text. Whatever the list holds — the country among others, a code that contains it, an element
// that is the code with a quote or a bracket before or after it — a record is released to the
// viewer exactly when sarhad.Handling.Visible says so, and a viewer whose country is not an ISO
// alpha-3 code is released nothing.
func TestReleaseMatchesTheReleaseList(t *testing.T) {
	s, err := Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	lists := [][]string{nil, {}, {"PAK"}, {"IRN", "PAK"}, {"PAK", "IRN"}, {"IRN", "GRC"}, {"PAKI"}, {"XPAK"},
		{"PA"}, {`"PAK`}, {`PAK"`}, {`"PAK"`}, {`x","PAK`}, {"[PAK"}, {",PAK"}, {`\`, "PAK"}, {`PAK\`}, {"pak"}}
	viewers := []*sarhad.Viewer{
		{Subject: "p", Roles: []sarhad.Role{sarhad.RoleLiaisonOfficer}, Country: "PAK", Org: "FIA"},
		{Subject: "g", Roles: []sarhad.Role{sarhad.RoleLiaisonOfficer}, Country: "GRC", Org: "HP"},
		{Subject: "x", Roles: []sarhad.Role{sarhad.RoleLiaisonOfficer}, Country: `PAK"`, Org: "X"},
		{Subject: "n", Roles: []sarhad.Role{sarhad.RoleLiaisonOfficer}, Org: "N"},
	}
	for _, v := range viewers {
		for _, list := range lists {
			for _, tlp := range []sarhad.TLP{sarhad.TLPAmber, sarhad.TLPGreen, sarhad.TLPRed, sarhad.TLPAmberStrict} {
				h := sarhad.Handling{OriginatorOrg: "OTHER", OriginatorCountry: "ARE", TLP: tlp, ReleasableTo: list}
				want := h.Visible(v)
				if _, err := sarhad.CountryCode("country", v.Country); err != nil {
					want = false // the store releases nothing to a country that is not one
				}
				var got bool
				err := s.read(t.Context(), func(q querier) error {
					return q.QueryRowContext(t.Context(), `SELECT `+visible("a")+` FROM (SELECT :o AS origin_org, :t AS tlp, :r AS releasable_to) a`,
						append(policyArgs(v), sql.Named("o", h.OriginatorOrg), sql.Named("t", string(tlp)),
							sql.Named("r", jsonList(list)))...).Scan(&got)
				})
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					raw, _ := json.Marshal(list)
					t.Errorf("viewer of %q, %s released to %s: visible %v, want %v", v.Country, tlp, raw, got, want)
				}
			}
		}
	}
	if !slices.ContainsFunc(lists, func(l []string) bool { return slices.Contains(l, "PAK") }) {
		t.Fatal("no list releases to PAK: the test shows nothing")
	}
}
