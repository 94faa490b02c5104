package storetest

import (
	"context"
	"testing"

	"github.com/sarhad/sarhad"
)

// testKeepVictims: under ChangeSet.KeepVictims a put that would turn a victim's record into one
// that is not a victim's is refused (FORBIDDEN) and changes nothing; a put that keeps it a victim's
// is applied, and without the flag the victim details may go (a deliberate update). For the system
// viewer (the import command) and for a cleared investigator of the originating organisation.
func testKeepVictims(t *testing.T, h *harness) {
	for _, nv := range []namedViewer{{"System", sarhad.SystemViewer()}, {"FIAVictimOfficer", fiaVictimOfficer()}} {
		t.Run(nv.name, func(t *testing.T) {
			s := h.store(t)
			ctx := as(context.Background(), nv.v)
			victim := func(name string, details bool) *sarhad.Person {
				p := person("keep victims", name, fia(sarhad.TLPAmber))
				if details {
					p.Victim = &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult}
				}
				return p
			}
			isVictim := func() bool {
				t.Helper()
				es, err := s.Entities(ctx, []string{victim("", false).ID})
				if err != nil || es[0] == nil {
					t.Fatalf("Entities: %v, %v", es, err)
				}
				return es[0].(*sarhad.Person).IsVictim()
			}
			mustApply(t, ctx, s, &sarhad.ChangeSet{Put: []sarhad.Entity{victim("Rokeya Begum", true)}, KeepVictims: true})
			_, err := s.Apply(ctx, &sarhad.ChangeSet{Put: []sarhad.Entity{victim("Rokeya Begum", false)}, KeepVictims: true})
			wantCode(t, err, sarhad.EFORBIDDEN)
			if !isVictim() {
				t.Fatal("the refused put lifted the victim details")
			}
			if res := mustApply(t, ctx, s, &sarhad.ChangeSet{Put: []sarhad.Entity{victim("Rokeya Bibi", true)}, KeepVictims: true}); res.Updated != 1 {
				t.Errorf("a put that keeps the victim details: %+v, want 1 updated", *res)
			}
			mustApply(t, ctx, s, &sarhad.ChangeSet{Put: []sarhad.Entity{victim("Rokeya Bibi", false)}})
			if isVictim() {
				t.Error("without KeepVictims the put did not remove the victim details")
			}
		})
	}
}
