package storetest

import (
	"slices"
	"testing"

	"github.com/sarhad/sarhad"
)

// testVictimIdentifiers checks the second half of victim protection: identifiers a victim holds are
// hidden, as whole records, from viewers who may not see the victim's identifying details — even
// when the identifier itself is CLEAR and shared with a suspect.
func testVictimIdentifiers(t *testing.T, h *harness) {
	victim, suspect := victimFixture()
	own := &sarhad.Phone{Meta: envelope(sarhad.KindPhone, "victim-phone", fia(sarhad.TLPClear)), Number: "+923001112223"}
	shared := &sarhad.Phone{Meta: envelope(sarhad.KindPhone, "shared-phone", fia(sarhad.TLPClear)), Number: "+923004445556"}
	doc := &sarhad.IdentityDocument{Meta: envelope(sarhad.KindIdentityDocument, "victim-cnic", fia(sarhad.TLPAmber, "IRN")),
		DocumentType: sarhad.DocumentCNIC, Number: "35202-1234567-1", Authenticity: sarhad.AuthenticityGenuine}
	suspectOnly := &sarhad.Phone{Meta: envelope(sarhad.KindPhone, "suspect-phone", fia(sarhad.TLPClear)), Number: "+923007778889"}
	s := h.store(t)
	load(t, s, []sarhad.Entity{clone(t, victim), clone(t, suspect), own, shared, doc, suspectOnly}, []*sarhad.Relationship{
		link("v-own", sarhad.RelUses, victim.ID, own.ID, fia(sarhad.TLPClear)),
		link("v-shared", sarhad.RelUses, victim.ID, shared.ID, fia(sarhad.TLPClear)),
		link("s-shared", sarhad.RelUses, suspect.ID, shared.ID, fia(sarhad.TLPClear)),
		link("v-doc", sarhad.RelHoldsDocument, victim.ID, doc.ID, fia(sarhad.TLPAmber, "IRN")),
		link("s-only", sarhad.RelUses, suspect.ID, suspectOnly.ID, fia(sarhad.TLPClear)),
	})
	held := []sarhad.Entity{own, shared, doc}
	for _, nv := range victimViewers() {
		v := nv.v
		ctx := as(t.Context(), v)
		hidden := sarhad.VictimIdentifierHidden(v, []sarhad.Handling{victim.Handling})
		var want []string
		for _, e := range append(held, suspectOnly) {
			m := e.EntityMeta()
			if m.Handling.Visible(v) && (m.ID == suspectOnly.ID || !hidden) {
				want = append(want, m.ID)
			}
		}
		t.Run(nv.name, func(t *testing.T) {
			ids := []string{own.ID, shared.ID, doc.ID, suspectOnly.ID}
			got, err := s.Entities(ctx, ids)
			if err != nil {
				t.Fatal(err)
			}
			equalIDs(t, "Entities", sorted(entityIDs(slices.DeleteFunc(got, func(e sarhad.Entity) bool { return e == nil }))), sorted(want))

			var listed []string
			for _, k := range []sarhad.EntityKind{sarhad.KindPhone, sarhad.KindIdentityDocument} {
				listed = append(listed, entityIDs(allOfKind(t, ctx, s, k).Entities)...)
			}
			equalIDs(t, "ListEntities", sorted(listed), sorted(want))

			for _, e := range held {
				found := matchNames(t, ctx, s, nameQuery(e.SearchNames()[0]))
				if slices.Contains(entityIDs(found), e.EntityMeta().ID) != slices.Contains(want, e.EntityMeta().ID) {
					t.Errorf("MatchNames(%s) disagrees with visibility", e.SearchNames()[0])
				}
			}

			rels, err := s.Relationships(ctx, sarhad.RelationshipQuery{Anchors: []string{suspect.ID}, Direction: sarhad.DirOut,
				Types: []sarhad.RelationType{sarhad.RelUses}})
			if err != nil {
				t.Fatal(err)
			}
			var wantRels []string
			if suspect.Handling.Visible(v) {
				wantRels = append(wantRels, relID("s-only"))
				if !hidden {
					wantRels = append(wantRels, relID("s-shared"))
				}
			}
			equalIDs(t, "Relationships of the suspect", sorted(relationshipIDs(rels)), sorted(wantRels))

			// An identifier hidden this way cannot be written to or linked either.
			if hidden && v.HasRole(sarhad.RoleInvestigator) {
				_, err := s.Apply(ctx, &sarhad.ChangeSet{Link: []*sarhad.Relationship{link("new", sarhad.RelUses, suspect.ID, own.ID, fia(sarhad.TLPClear))}})
				wantCode(t, err, sarhad.ENOTFOUND)
			}
		})
	}
}
