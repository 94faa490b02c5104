package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/sarhad/sarhad"
)

// testProtectedVictimPuts: a put over a stored victim's record replaces the victim's details, so
// it is refused (FORBIDDEN) and changes nothing for a writer who may not see them — an
// investigator of the originating organisation without the clearance, whether the put would keep
// the record a victim's or not (a create by source key lands on the same id) — and applied for
// one who may.
func testProtectedVictimPuts(t *testing.T, h *harness) {
	s := h.store(t)
	cleared := as(context.Background(), fiaVictimOfficer())
	uncleared := as(context.Background(), fiaInvestigator())
	victim := func(name string, details bool) *sarhad.Person {
		p := person("protected victim", name, fia(sarhad.TLPAmber))
		if details {
			p.Victim = &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult}
		}
		return p
	}
	stored := func() *sarhad.Person {
		t.Helper()
		es, err := s.Entities(cleared, []string{victim("", false).ID})
		if err != nil || es[0] == nil {
			t.Fatalf("Entities: %v, %v", es, err)
		}
		return es[0].(*sarhad.Person)
	}
	mustApply(t, cleared, s, &sarhad.ChangeSet{Put: []sarhad.Entity{victim("Rokeya Begum", true)}})
	for _, details := range []bool{false, true} {
		_, err := s.Apply(uncleared, &sarhad.ChangeSet{Put: []sarhad.Entity{victim("Someone Else", details)}})
		wantCode(t, err, sarhad.EFORBIDDEN)
		if p := stored(); p.Name != "Rokeya Begum" || !p.IsVictim() {
			t.Fatalf("a refused put (victim details: %v) changed the victim's record: %q, victim %v", details, p.Name, p.IsVictim())
		}
	}
	if res := mustApply(t, cleared, s, &sarhad.ChangeSet{Put: []sarhad.Entity{victim("Rokeya Bibi", true)}}); res.Updated != 1 {
		t.Errorf("the cleared officer's put: %+v, want 1 updated", *res)
	}
	if p := stored(); p.Name != "Rokeya Bibi" {
		t.Errorf("after the cleared officer's put: %q", p.Name)
	}
}

// testSameAsVictims: a SAME_AS says two records are one person, so between a victim's record and
// one that is not, the other record's name would tell who the victim is. Such a link is refused
// (BAD_USER_INPUT) either way round; once both are victims' records it is applied, and then
// neither may lose its victim details while the link stands. Of records tied before either was a
// victim's, the other is listed for the start-up repair once one is recorded.
func testSameAsVictims(t *testing.T, h *harness) {
	s := h.store(t)
	ctx := as(context.Background(), fiaVictimOfficer())
	victim := victimRecord("same as")
	other := person("same as other", "Rokeya Begum", fia(sarhad.TLPAmber, "IRN"))
	mustApply(t, ctx, s, &sarhad.ChangeSet{Put: []sarhad.Entity{victim, other}})
	for _, r := range []*sarhad.Relationship{
		link("same as forward", sarhad.RelSameAs, other.ID, victim.ID, fia(sarhad.TLPAmber, "IRN")),
		link("same as backward", sarhad.RelSameAs, victim.ID, other.ID, fia(sarhad.TLPAmber, "IRN")),
	} {
		_, err := s.Apply(ctx, &sarhad.ChangeSet{Link: []*sarhad.Relationship{r}})
		wantCode(t, err, sarhad.EINVALID)
	}
	recorded := clone(t, other)
	recorded.Victim = &sarhad.VictimDetails{}
	sameAs := link("same as forward", sarhad.RelSameAs, other.ID, victim.ID, fia(sarhad.TLPAmber, "IRN"))
	mustApply(t, ctx, s, &sarhad.ChangeSet{Put: []sarhad.Entity{recorded}, Link: []*sarhad.Relationship{sameAs}})
	for _, p := range []*sarhad.Person{other, clone(t, victim)} {
		p.Victim = nil
		_, err := s.Apply(ctx, &sarhad.ChangeSet{Put: []sarhad.Entity{p}})
		wantCode(t, err, sarhad.EINVALID)
	}
	if got, err := s.Entities(ctx, []string{other.ID, victim.ID}); err != nil || !got[0].(*sarhad.Person).IsVictim() || !got[1].(*sarhad.Person).IsVictim() {
		t.Errorf("after the refused puts: %v, %v; want both victims' records", got, err)
	}

	// Two records of one person, tied while neither was a victim's: once one is recorded as a
	// victim, the other is an unrecorded victim, which the start-up repair records
	// (Service.RecordNamedVictims).
	a := person("same as later a", "Rokeya Bibi", fia(sarhad.TLPAmber, "IRN"))
	b := person("same as later b", "Rokeya Begum", fia(sarhad.TLPAmber, "IRN"))
	mustApply(t, ctx, s, &sarhad.ChangeSet{Put: []sarhad.Entity{a, b},
		Link: []*sarhad.Relationship{link("same as later", sarhad.RelSameAs, a.ID, b.ID, fia(sarhad.TLPAmber, "IRN"))}})
	va := clone(t, a)
	va.Victim = &sarhad.VictimDetails{}
	mustApply(t, ctx, s, &sarhad.ChangeSet{Put: []sarhad.Entity{va}})
	if got, err := s.UnrecordedVictims(asSystem(context.Background()), sarhad.Page{First: 10}); err != nil || !slices.Contains(got, b.ID) {
		t.Errorf("UnrecordedVictims = %v, %v; want %s, tied to a victim's record", got, err, b.ID)
	}
}
