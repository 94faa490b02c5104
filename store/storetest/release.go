package storetest

import (
	"context"
	"testing"

	"github.com/sarhad/sarhad"
)

// testReleaseByOriginator: to whom a record is released is its originator's decision. An
// administrator of another organisation, who may edit a record released to them, is refused
// (FORBIDDEN) a put or link that changes its marking, release list or originator, and nothing
// changes; with the handling as it is, their edit is applied. The originating organisation's
// investigator may change it.
func testReleaseByOriginator(t *testing.T, h *harness) {
	s := h.store(t)
	fixture := asSystem(context.Background())
	admin := as(context.Background(), iranAdmin())
	released := fia(sarhad.TLPAmber, countryIRN)
	p := person("release", "Imran Baloch", released)
	other := person("release other", "Saeed Baloch", released)
	r := link("release tie", sarhad.RelAssociateOf, p.ID, other.ID, released)
	mustApply(t, fixture, s, &sarhad.ChangeSet{Put: []sarhad.Entity{p, other}, Link: []*sarhad.Relationship{r}})

	for _, h := range []sarhad.Handling{
		fia(sarhad.TLPClear),                         // released to all
		fia(sarhad.TLPAmber, countryIRN, countryGRC), // to one more country
		handling(orgIran, countryIRN, sarhad.TLPRed), // taken over
	} {
		widened := clone(t, p)
		widened.Handling = h
		_, err := s.Apply(admin, &sarhad.ChangeSet{Put: []sarhad.Entity{widened}})
		wantCode(t, err, sarhad.EFORBIDDEN)
		tie := cloneRelationship(r)
		tie.Handling = h
		_, err = s.Apply(admin, &sarhad.ChangeSet{Link: []*sarhad.Relationship{tie}})
		wantCode(t, err, sarhad.EFORBIDDEN)
	}
	if got, err := s.Entities(as(context.Background(), greekLiaison()), []string{p.ID}); err != nil || got[0] != nil {
		t.Fatalf("after the refused puts the Greek liaison officer reads %v, %v", got, err)
	}
	edited := clone(t, p)
	edited.Name = "Imran Khan Baloch"
	if res := mustApply(t, admin, s, &sarhad.ChangeSet{Put: []sarhad.Entity{edited}}); res.Updated != 1 {
		t.Errorf("the administrator's edit under the same handling: %+v, want 1 updated", *res)
	}
	cleared := clone(t, edited)
	cleared.Handling = fia(sarhad.TLPClear)
	if res := mustApply(t, as(context.Background(), fiaInvestigator()), s, &sarhad.ChangeSet{Put: []sarhad.Entity{cleared}}); res.Updated != 1 {
		t.Errorf("the originator's change of handling: %+v, want 1 updated", *res)
	}
	if got, err := s.Entities(as(context.Background(), greekLiaison()), []string{p.ID}); err != nil || got[0] == nil {
		t.Errorf("after the originator cleared it the Greek liaison officer reads %v, %v", got, err)
	}
}
