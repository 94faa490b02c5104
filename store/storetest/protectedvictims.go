package storetest

import (
	"context"
	"slices"
	"strings"
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

// testSameAsEditors: a SAME_AS says two records are one person, and recording one as a victim
// later records the other too, so only a writer who may edit both records may tie them. A
// partner's liaison officer, who may read an FIA record released to Iran but not edit it, is
// refused (FORBIDDEN) a SAME_AS between a record of their own and the FIA record, either way
// round; the FIA investigator, who may edit both FIA records, is not.
func testSameAsEditors(t *testing.T, h *harness) {
	s := h.store(t)
	fiaRecord := person("same as editors fia", "Rehman Yousaf", fia(sarhad.TLPGreen, "IRN"))
	other := person("same as editors fia other", "Rehman Yusuf", fia(sarhad.TLPGreen, "IRN"))
	own := person("same as editors irn", "Throwaway", handling(orgIran, countryIRN, sarhad.TLPGreen, countryPAK))
	mustApply(t, asSystem(context.Background()), s, &sarhad.ChangeSet{Put: []sarhad.Entity{fiaRecord, other, own}})
	officer := as(context.Background(), iranLiaison())
	for _, r := range []*sarhad.Relationship{
		link("same as editors forward", sarhad.RelSameAs, own.ID, fiaRecord.ID, handling(orgIran, countryIRN, sarhad.TLPGreen, countryPAK)),
		link("same as editors backward", sarhad.RelSameAs, fiaRecord.ID, own.ID, handling(orgIran, countryIRN, sarhad.TLPGreen, countryPAK)),
	} {
		_, err := s.Apply(officer, &sarhad.ChangeSet{Link: []*sarhad.Relationship{r}})
		wantCode(t, err, sarhad.EFORBIDDEN)
	}
	mustApply(t, as(context.Background(), fiaInvestigator()), s, &sarhad.ChangeSet{Link: []*sarhad.Relationship{
		link("same as editors fia", sarhad.RelSameAs, other.ID, fiaRecord.ID, fia(sarhad.TLPGreen, "IRN"))}})
}

// testHolderLinksThatWouldHide: an identifier a victim holds is hidden from those who may not see
// the victim's details, so a writer who may not see them would write a tie they cannot read back,
// and hide the identifier from themselves: the link is refused (FORBIDDEN) and nothing is written.
// A writer cleared for the victim's details links it.
func testHolderLinksThatWouldHide(t *testing.T, h *harness) {
	s := h.store(t)
	victim := victimRecord("holder hide")
	phone := &sarhad.Phone{Meta: envelope(sarhad.KindPhone, "holder hide phone", fia(sarhad.TLPAmber)), Number: "+923001234567"}
	mustApply(t, asSystem(context.Background()), s, &sarhad.ChangeSet{Put: []sarhad.Entity{victim, phone}})
	uses := link("holder hide uses", sarhad.RelUses, victim.ID, phone.ID, fia(sarhad.TLPAmber))
	uncleared := as(context.Background(), fiaInvestigator())
	_, err := s.Apply(uncleared, &sarhad.ChangeSet{Link: []*sarhad.Relationship{uses}})
	wantCode(t, err, sarhad.EFORBIDDEN)
	if got, err := s.Entities(uncleared, []string{phone.ID}); err != nil || got[0] == nil {
		t.Fatalf("after the refused link the uncleared investigator reads the phone as %v, %v; want it", got, err)
	}
	mustApply(t, as(context.Background(), fiaVictimOfficer()), s, &sarhad.ChangeSet{Link: []*sarhad.Relationship{uses}})
	if got, err := s.Entities(uncleared, []string{phone.ID}); err != nil || got[0] != nil {
		t.Errorf("once the cleared officer tied the victim to it, the uncleared investigator reads the phone: %v, %v", got, err)
	}
}

// testProtectedVictimTies: a relationship that ties a victim shows those who may not see the
// victim's details no note, source key or source reference (sarhad.ProtectTie), so only a writer
// who may see them may rewrite it: a link over it by an uncleared investigator of the originating
// organisation is refused (FORBIDDEN) and changes nothing, whether it would change the note or
// not, either end the victim. A new tie to the victim is theirs to write, and the cleared officer
// changes the note.
func testProtectedVictimTies(t *testing.T, h *harness) {
	s := h.store(t)
	victim := victimRecord("protected tie")
	suspect := person("protected tie suspect", "Tariq Mehmood", fia(sarhad.TLPAmber))
	system := asSystem(context.Background())
	mustApply(t, system, s, &sarhad.ChangeSet{Put: []sarhad.Entity{victim, suspect}})
	recruited := link("protected tie recruited", sarhad.RelRecruited, suspect.ID, victim.ID, fia(sarhad.TLPAmber))
	recruited.Note = "met her brother at the bus stand"
	family := link("protected tie family", sarhad.RelFamilyOf, victim.ID, suspect.ID, fia(sarhad.TLPAmber))
	family.Note = "her uncle"
	mustApply(t, system, s, &sarhad.ChangeSet{Link: []*sarhad.Relationship{recruited, family}})

	uncleared := as(context.Background(), fiaInvestigator())
	for _, r := range []*sarhad.Relationship{recruited, family} {
		for _, note := range []string{r.Note, ""} {
			again := *r
			again.Note = note
			_, err := s.Apply(uncleared, &sarhad.ChangeSet{Link: []*sarhad.Relationship{&again}})
			wantCode(t, err, sarhad.EFORBIDDEN)
		}
	}
	stored, err := s.RelationshipsByID(system, []string{recruited.ID, family.ID})
	if err != nil || stored[0] == nil || stored[1] == nil {
		t.Fatalf("RelationshipsByID: %v, %v", stored, err)
	}
	if stored[0].Note != recruited.Note || stored[1].Note != family.Note {
		t.Errorf("after the refused links the notes are %q and %q", stored[0].Note, stored[1].Note)
	}
	mustApply(t, uncleared, s, &sarhad.ChangeSet{Link: []*sarhad.Relationship{
		link("protected tie new", sarhad.RelAssociateOf, suspect.ID, victim.ID, fia(sarhad.TLPAmber))}})
	changed := *recruited
	changed.Note = "met at the bus stand"
	if res := mustApply(t, as(context.Background(), fiaVictimOfficer()), s, &sarhad.ChangeSet{Link: []*sarhad.Relationship{&changed}}); res.Updated != 1 {
		t.Errorf("the cleared officer's link: %+v, want 1 updated", *res)
	}
}

// testWithheldTies: a relationship stored with the Withheld mark (imported from a redacted export)
// keeps it through a write without its note, which is refused (sarhad.WithheldTieReason), and
// loses it to a write that gives the note; the store keeps the mark with the properties.
func testWithheldTies(t *testing.T, h *harness) {
	s := h.store(t)
	a := person("withheld tie a", "Tariq Mehmood", fia(sarhad.TLPAmber))
	b := person("withheld tie b", "Asif Iqbal", fia(sarhad.TLPAmber))
	system := asSystem(context.Background())
	mustApply(t, system, s, &sarhad.ChangeSet{Put: []sarhad.Entity{a, b}})
	tie := link("withheld tie", sarhad.RelAssociateOf, a.ID, b.ID, fia(sarhad.TLPAmber))
	tie.Withheld = true
	mustApply(t, system, s, &sarhad.ChangeSet{Link: []*sarhad.Relationship{tie}})
	read := func() *sarhad.Relationship {
		t.Helper()
		stored, err := s.RelationshipsByID(system, []string{tie.ID})
		if err != nil || stored[0] == nil {
			t.Fatalf("RelationshipsByID: %v, %v", stored, err)
		}
		return stored[0]
	}
	if !read().Withheld {
		t.Fatal("the store lost the Withheld mark")
	}

	plain := *tie
	plain.Withheld, plain.Weight = false, 3
	_, err := s.Apply(system, &sarhad.ChangeSet{Link: []*sarhad.Relationship{&plain}})
	wantCode(t, err, sarhad.EFORBIDDEN)
	if err == nil || !strings.Contains(err.Error(), sarhad.WithheldTieReason) {
		t.Errorf("the link without the note: %v, want %q", err, sarhad.WithheldTieReason)
	}
	if got := read(); !got.Withheld || got.Weight != 0 {
		t.Errorf("after the refused link: withheld %v, weight %v", got.Withheld, got.Weight)
	}
	plain.Note = "intercepted calls"
	if res := mustApply(t, system, s, &sarhad.ChangeSet{Link: []*sarhad.Relationship{&plain}}); res.Updated != 1 {
		t.Errorf("the link with the note: %+v, want 1 updated", *res)
	}
	if got := read(); got.Withheld || got.Note != plain.Note {
		t.Errorf("after the link with the note: withheld %v, note %q", got.Withheld, got.Note)
	}
}
