package storetest

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/sarhad/sarhad"
)

// testNeighboursThen checks that NeighboursThen returns, for every viewer, what two Neighbours calls
// return (sarhad.NeighboursTwice): the parties of a case, then the identifiers they hold. The case
// has a victim, a suspect, a party of another agency hidden from most viewers and an organisation;
// they hold phones of their own, a shared phone and a document released to Iran, so that the
// protection of a victim's identifiers and the release of records decide what the second level
// holds.
func testNeighboursThen(t *testing.T, h *harness) {
	victim, suspect := victimFixture()
	punjab := person("then-punjab", "Imran Butt", handling(orgPunjab, countryPAK, sarhad.TLPAmber))
	network := &sarhad.Organization{Meta: envelope(sarhad.KindOrganization, "then-network", fia(sarhad.TLPAmber, countryIRN)),
		Name: "Network", Category: sarhad.OrgCriminalNetwork}
	kase := &sarhad.Case{Meta: envelope(sarhad.KindCase, "then-case", fia(sarhad.TLPAmber, countryIRN)), Reference: "FIR then",
		Agency: orgFIA, Country: countryPAK, Offences: []sarhad.Offence{sarhad.OffenceTrafficking}, Stage: sarhad.StageRegistered,
		RegisteredOn: "2024-11-02"}
	phone := func(key, number string, h sarhad.Handling) *sarhad.Phone {
		return &sarhad.Phone{Meta: envelope(sarhad.KindPhone, key, h), Number: number}
	}
	own := phone("then-victim-phone", "+923001112223", fia(sarhad.TLPClear))
	shared := phone("then-shared-phone", "+923004445556", fia(sarhad.TLPClear))
	suspectOnly := phone("then-suspect-phone", "+923007778889", fia(sarhad.TLPAmber, countryIRN))
	punjabPhone := phone("then-punjab-phone", "+923211234567", handling(orgPunjab, countryPAK, sarhad.TLPClear))
	networkPhone := phone("then-network-phone", "+989121234567", fia(sarhad.TLPGreen, countryIRN))
	doc := &sarhad.IdentityDocument{Meta: envelope(sarhad.KindIdentityDocument, "then-victim-cnic", fia(sarhad.TLPAmber, countryIRN)),
		DocumentType: sarhad.DocumentCNIC, Number: "35202-1234567-1", Authenticity: sarhad.AuthenticityGenuine}
	party := func(key string, from sarhad.Entity, role sarhad.PartyRole, h sarhad.Handling) *sarhad.Relationship {
		r := link(key, sarhad.RelPartyTo, from.EntityMeta().ID, kase.ID, h)
		r.Role = string(role)
		return r
	}
	s := h.store(t)
	load(t, s, []sarhad.Entity{clone(t, victim), clone(t, suspect), punjab, network, kase, own, shared, suspectOnly, punjabPhone,
		networkPhone, doc}, []*sarhad.Relationship{
		party("then-p-victim", victim, sarhad.PartyVictim, fia(sarhad.TLPAmber, countryIRN)),
		party("then-p-suspect", suspect, sarhad.PartyAccused, fia(sarhad.TLPAmber, countryIRN)),
		party("then-p-punjab", punjab, sarhad.PartyAccused, handling(orgPunjab, countryPAK, sarhad.TLPAmber)),
		party("then-p-network", network, sarhad.PartyAccused, fia(sarhad.TLPAmber)),
		link("then-v-own", sarhad.RelUses, victim.ID, own.ID, fia(sarhad.TLPClear)),
		link("then-v-shared", sarhad.RelUses, victim.ID, shared.ID, fia(sarhad.TLPClear)),
		link("then-s-shared", sarhad.RelUses, suspect.ID, shared.ID, fia(sarhad.TLPClear)),
		link("then-s-only", sarhad.RelUses, suspect.ID, suspectOnly.ID, fia(sarhad.TLPAmber, countryIRN)),
		link("then-v-doc", sarhad.RelHoldsDocument, victim.ID, doc.ID, fia(sarhad.TLPAmber, countryIRN)),
		link("then-punjab-phone", sarhad.RelUses, punjab.ID, punjabPhone.ID, handling(orgPunjab, countryPAK, sarhad.TLPClear)),
		link("then-network-phone", sarhad.RelUses, network.ID, networkPhone.ID, fia(sarhad.TLPGreen, countryIRN)),
	})

	queries := []struct {
		name string
		q    sarhad.ThenQuery
	}{
		{"PartiesThenTheirIdentifiers", sarhad.ThenQuery{
			First:     sarhad.RelationshipQuery{Anchors: []string{kase.ID}, Direction: sarhad.DirIn, Types: []sarhad.RelationType{sarhad.RelPartyTo}},
			ThenKinds: []sarhad.EntityKind{sarhad.KindPerson},
			Then:      sarhad.RelationshipQuery{Direction: sarhad.DirOut, Types: sarhad.HolderTypes}}},
		// Every kind and type, both ways: the second level comes back to the case and to the
		// anchors of the first, and the shared phone ties two of its anchors.
		{"EverythingBothWays", sarhad.ThenQuery{
			First: sarhad.RelationshipQuery{Anchors: []string{kase.ID, victim.ID}, Direction: sarhad.DirBoth},
			Then:  sarhad.RelationshipQuery{Direction: sarhad.DirBoth}}},
		{"NoSuchType", sarhad.ThenQuery{
			First: sarhad.RelationshipQuery{Anchors: []string{kase.ID}, Direction: sarhad.DirIn},
			Then:  sarhad.RelationshipQuery{Direction: sarhad.DirOut, Types: []sarhad.RelationType{"NO_SUCH_TYPE"}}}},
		{"NoAnchors", sarhad.ThenQuery{First: sarhad.RelationshipQuery{Direction: sarhad.DirIn}}},
	}
	viewers := append(policyViewers(), victimViewers()...)
	for _, tc := range queries {
		for _, nv := range viewers {
			t.Run(tc.name+"/"+nv.name, func(t *testing.T) {
				ctx := as(t.Context(), nv.v)
				got, err := s.NeighboursThen(ctx, tc.q)
				if err != nil {
					t.Fatal(err)
				}
				want, err := sarhad.NeighboursTwice(ctx, s, tc.q)
				if err != nil {
					t.Fatal(err)
				}
				equalIDs(t, "first level", relationshipIDs(got.First), relationshipIDs(want.First))
				equalIDs(t, "second level", relationshipIDs(got.Then), relationshipIDs(want.Then))
				equalIDs(t, "ends", sorted(entityIDs(got.Ends)), sorted(entityIDs(want.Ends)))
				for _, e := range got.Ends {
					i := slices.IndexFunc(want.Ends, func(w sarhad.Entity) bool { return w.EntityMeta().ID == e.EntityMeta().ID })
					if i >= 0 && !reflect.DeepEqual(e, want.Ends[i]) {
						t.Errorf("end %s differs from what Neighbours returns", e.EntityMeta().ID)
					}
				}
			})
		}
	}

	// The reference is not empty where it should not be: the system viewer sees every party and
	// every identifier, a cleared FIA officer the victim's, an uncleared one not.
	for _, c := range []struct {
		v    *sarhad.Viewer
		want []string
	}{
		{sarhad.SystemViewer(), []string{"then-v-own", "then-v-shared", "then-s-shared", "then-s-only", "then-v-doc", "then-punjab-phone"}},
		{fiaVictimOfficer(), []string{"then-v-own", "then-v-shared", "then-s-shared", "then-s-only", "then-v-doc"}},
		{fiaInvestigator(), []string{"then-s-only"}},
	} {
		got, err := s.NeighboursThen(as(t.Context(), c.v), queries[0].q)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]string, len(c.want))
		for i, key := range c.want {
			want[i] = relID(key)
		}
		equalIDs(t, fmt.Sprintf("identifiers of the parties for %s", c.v.Subject), relationshipIDs(got.Then), sorted(want))
	}
}
