package storetest

import (
	"context"
	"crypto/rand"
	"slices"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
)

// Rewrite changes the type and role of the stored relationship id in place, bypassing Apply: as a
// version of Sarhad before Apply refused relationships naming unrecorded victims, or a user of the
// database itself, could have stored it.
type Rewrite func(t *testing.T, s sarhad.Store, id string, typ sarhad.RelationType, role string)

// RunUnrecordedVictims checks Store.UnrecordedVictims, and Service.RecordNamedVictims over the
// store, on persons that stored relationships name victims, or tie by SAME_AS to a victim's
// record, although their records are not victims' (made so with rewrite, as no change set can):
// they are listed to the system alone, in id order, whoever may see them; once recorded they are
// protected as every victim is, and the change is audited. open must return a new, empty store; the test closes it.
func RunUnrecordedVictims(t *testing.T, open func(t *testing.T) sarhad.Store, rewrite Rewrite) {
	h := &harness{open: open}
	s := h.store(t)
	victim, suspect := victimFixture()
	named := clone(t, victim) // a person with identifying details, not recorded as a victim
	named.Victim = nil
	source := &sarhad.Source{Meta: envelope(sarhad.KindSource, "legacy source", fia(sarhad.TLPAmber, "IRN")),
		Title: "FIR register, 2023", Category: sarhad.SourceReport}
	named.SourceIDs, named.SourceKey, named.SourceRef = []string{source.ID}, "P-17", "persons.csv:18"
	trafficked := person("legacy trafficked", "Nasreen Akhtar", handling(orgIran, countryIRN, sarhad.TLPRed))
	witness := person("legacy witness", "Tariq Mehmood", fia(sarhad.TLPAmber, "IRN"))
	recorded := victimRecord("legacy recorded")
	alias := person("legacy alias", "Rokeya Begum", fia(sarhad.TLPAmber, "IRN"))   // the same person as recorded
	alias2 := person("legacy alias 2", "Rokeya Bibi", fia(sarhad.TLPAmber, "IRN")) // and as alias
	released := fia(sarhad.TLPAmber, "IRN")
	kase := &sarhad.Case{Meta: envelope(sarhad.KindCase, "legacy case", released), Reference: "FIR 9/2023", Agency: orgFIA,
		Country: countryPAK, Offences: []sarhad.Offence{sarhad.OffenceTrafficking}, Stage: sarhad.StageRegistered,
		RegisteredOn: "2023-05-01"}
	phone := &sarhad.Phone{Meta: envelope(sarhad.KindPhone, "legacy phone", released), Number: "+923001112233"}
	party := func(key string, p *sarhad.Person, role sarhad.PartyRole) *sarhad.Relationship {
		r := link(key, sarhad.RelPartyTo, p.ID, kase.ID, released)
		r.Role = string(role)
		return r
	}
	asParty := party("legacy named party", named, sarhad.PartyWitness)
	asTrafficked := link("legacy trafficked tie", sarhad.RelAssociateOf, suspect.ID, trafficked.ID, released)
	asSame := link("legacy same as", sarhad.RelAssociateOf, recorded.ID, alias.ID, released)
	asSame2 := link("legacy same as 2", sarhad.RelAssociateOf, alias2.ID, alias.ID, released)
	load(t, s, []sarhad.Entity{source, named, suspect, trafficked, witness, recorded, alias, alias2, kase, phone}, []*sarhad.Relationship{
		asParty, asTrafficked, asSame, asSame2,
		party("legacy witness party", witness, sarhad.PartyWitness),
		party("legacy recorded party", recorded, sarhad.PartyVictim),
		party("legacy suspect party", suspect, sarhad.PartyAccused),
		link("legacy phone use", sarhad.RelUses, named.ID, phone.ID, released),
	})
	rewrite(t, s, asParty.ID, sarhad.RelPartyTo, string(sarhad.PartyVictim))
	rewrite(t, s, asTrafficked.ID, sarhad.RelTrafficked, "") // suspect TRAFFICKED trafficked
	rewrite(t, s, asSame.ID, sarhad.RelSameAs, "")           // recorded SAME_AS alias
	rewrite(t, s, asSame2.ID, sarhad.RelSameAs, "")          // alias2 SAME_AS alias: listed once alias is recorded
	want := slices.Sorted(slices.Values([]string{named.ID, trafficked.ID, alias.ID}))
	// alias2 is recorded with alias, in the same change set, being the same person.
	wantRecorded := append(slices.Clone(want), alias2.ID)

	sys := asSystem(t.Context())
	_, err := s.UnrecordedVictims(as(t.Context(), fiaVictimOfficer()), sarhad.Page{First: 10})
	wantCode(t, err, sarhad.EFORBIDDEN)
	if got, err := s.UnrecordedVictims(sys, sarhad.Page{First: 10}); err != nil || !slices.Equal(got, want) {
		t.Fatalf("UnrecordedVictims = %v, %v; want %v", got, err, want)
	}
	for i, id := range want {
		after := ""
		if i > 0 {
			after = want[i-1]
		}
		if got, err := s.UnrecordedVictims(sys, sarhad.Page{First: 1, After: after}); err != nil || !slices.Equal(got, []string{id}) {
			t.Errorf("UnrecordedVictims(first 1 after %q) = %v, %v; want %v", after, got, err, []string{id})
		}
	}
	if got, err := s.UnrecordedVictims(sys, sarhad.Page{First: 10, After: want[len(want)-1]}); err != nil || len(got) != 0 {
		t.Errorf("UnrecordedVictims after the last = %v, %v; want none", got, err)
	}

	// Before: the uncleared investigator sees the person's name and phone, and finds them by name.
	svc := &sarhad.Service{Store: s, Now: func() time.Time { return t0.Add(time.Hour) }, Rand: rand.Reader}
	uncleared := as(t.Context(), fiaInvestigator())
	if got, err := s.Entities(uncleared, []string{named.ID, phone.ID}); err != nil || got[0] == nil || got[0].EntityMeta().Redacted || got[1] == nil {
		t.Fatalf("before: Entities = %v, %v; want the person whole and the phone", got, err)
	}
	if found := searchIDs(t, svc, uncleared, named.Name); !slices.Contains(found, named.ID) {
		t.Fatalf("before: search for %q found %v; want %s", named.Name, found, named.ID)
	}

	_, err = svc.RecordNamedVictims(as(t.Context(), iranAdmin()))
	wantCode(t, err, sarhad.EFORBIDDEN)
	got, err := svc.RecordNamedVictims(sys)
	if err != nil || !slices.Equal(got, wantRecorded) {
		t.Fatalf("RecordNamedVictims = %v, %v; want %v", got, err, wantRecorded)
	}
	if got, err := s.UnrecordedVictims(sys, sarhad.Page{First: 10}); err != nil || len(got) != 0 {
		t.Errorf("UnrecordedVictims after recording = %v, %v; want none", got, err)
	}

	// After: a victim's record, protected; everything else as it was.
	wantNamed := clone(t, named)
	wantNamed.Victim = &sarhad.VictimDetails{}
	wantNamed.UpdatedAt, wantNamed.UpdatedBy = t0.Add(time.Hour), sarhad.SystemViewer().Subject
	found, err := s.Entities(uncleared, []string{named.ID, phone.ID})
	if err != nil {
		t.Fatal(err)
	}
	checkRedaction(t, wantNamed, found[0], false)
	if found[1] != nil {
		t.Errorf("the phone of a recorded victim reached an uncleared viewer: %+v", found[1])
	}
	if found := searchIDs(t, svc, uncleared, named.Name); slices.Contains(found, named.ID) {
		t.Errorf("after: search for %q found the victim for an uncleared viewer", named.Name)
	}
	cleared, err := s.Entities(as(t.Context(), fiaVictimOfficer()), []string{named.ID})
	if err != nil {
		t.Fatal(err)
	}
	sameEntity(t, wantNamed, cleared[0])
	all, err := s.Entities(sys, []string{trafficked.ID, witness.ID, suspect.ID, recorded.ID, alias.ID, alias2.ID})
	if err != nil {
		t.Fatal(err)
	}
	for i, wantVictim := range []bool{true, false, false, true, true, true} {
		if all[i] == nil || sarhad.IsVictim(all[i]) != wantVictim {
			t.Errorf("%v: a victim's record %v, want %v", all[i], all[i] != nil && sarhad.IsVictim(all[i]), wantVictim)
		}
	}
	if p, _ := all[3].(*sarhad.Person); p == nil || p.Victim == nil || p.Victim.AgeGroup != recorded.Victim.AgeGroup {
		t.Errorf("a victim's record already was rewritten: %+v", all[3])
	}

	// Audited before and after, the persons listed; nothing more to do the second time.
	check := func(label string) {
		t.Helper()
		page, err := s.AuditLog(sys, sarhad.AuditQuery{OperationName: sarhad.RecordNamedVictimsOperation, Page: sarhad.Page{First: 10}})
		if err != nil {
			t.Fatal(err)
		}
		var outcomes []string
		for _, e := range page.Entries {
			outcomes = append(outcomes, e.Outcome)
			if e.Subject != sarhad.SystemViewer().Subject || !slices.Equal(e.SensitiveIDs, wantRecorded) {
				t.Errorf("%s: audit entry by %q listing %v; want the system, listing %v", label, e.Subject, e.SensitiveIDs, wantRecorded)
			}
		}
		if !slices.Equal(outcomes, []string{sarhad.AuditOK, sarhad.AuditStarted}) {
			t.Errorf("%s: audit outcomes, newest first: %v; want OK, STARTED", label, outcomes)
		}
	}
	check("first")
	if again, err := svc.RecordNamedVictims(sys); err != nil || len(again) != 0 {
		t.Errorf("RecordNamedVictims again = %v, %v; want none", again, err)
	}
	check("again")
}

// searchIDs returns the ids of the persons a name search as the viewer of ctx finds.
func searchIDs(t *testing.T, svc *sarhad.Service, ctx context.Context, text string) []string {
	t.Helper()
	res, err := svc.Search(ctx, text, []sarhad.EntityKind{sarhad.KindPerson}, 10, 0)
	if err != nil {
		t.Fatalf("Search(%q): %v", text, err)
	}
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.Entity.EntityMeta().ID)
	}
	return ids
}
