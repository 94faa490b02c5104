package neo4j

import (
	"testing"

	"github.com/sarhad/sarhad"
)

// visibleEnd must keep the victim-identifier rule for an end that an identifier can be at: the
// statements that use it (referrals, smugglers) never reach one, so only this test covers that side.
func TestVisibleEndKeepsTheIdentifierRuleWhereAnIdentifierCanBe(t *testing.T) {
	for _, tc := range []struct {
		name  string
		from  bool
		types []sarhad.RelationType
		rule  string
	}{
		{"the phone a person uses", false, []sarhad.RelationType{sarhad.RelUses}, visibleEntity("x")},
		{"the document a person holds", false, []sarhad.RelationType{sarhad.RelHoldsDocument}, visibleEntity("x")},
		{"the user of a phone", true, []sarhad.RelationType{sarhad.RelUses}, visible("x")},
		{"the target of a referral", false, []sarhad.RelationType{sarhad.RelReferredTo}, visible("x")},
		{"the smuggler of a person", true, []sarhad.RelationType{sarhad.RelSmuggled, sarhad.RelTrafficked}, visible("x")},
		{"a referral or a phone", false, []sarhad.RelationType{sarhad.RelReferredTo, sarhad.RelUses}, visibleEntity("x")},
	} {
		if got := visibleEnd("x", tc.from, tc.types...); got != tc.rule {
			t.Errorf("%s: visibleEnd = %s\nwant %s", tc.name, got, tc.rule)
		}
	}
	if visible("x") == visibleEntity("x") {
		t.Fatal("visible and visibleEntity are the same rule: the cases above tell nothing apart")
	}
}
