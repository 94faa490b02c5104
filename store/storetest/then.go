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
		// A first level whose ends hold no second: the statement's second level is empty.
		{"NoSecondLevel", sarhad.ThenQuery{
			First:     sarhad.RelationshipQuery{Anchors: []string{kase.ID}, Direction: sarhad.DirIn, Types: []sarhad.RelationType{sarhad.RelPartyTo}},
			ThenKinds: []sarhad.EntityKind{sarhad.KindRoute},
			Then:      sarhad.RelationshipQuery{Direction: sarhad.DirOut}}},
		{"NoSecondRelationships", sarhad.ThenQuery{
			First: sarhad.RelationshipQuery{Anchors: []string{kase.ID}, Direction: sarhad.DirIn, Types: []sarhad.RelationType{sarhad.RelPartyTo}},
			Then:  sarhad.RelationshipQuery{Direction: sarhad.DirOut, Types: []sarhad.RelationType{sarhad.RelOperatesRoute}}}},
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

	// Written out, so that the reference is not all that is checked: the system viewer sees every
	// party and every identifier; a cleared FIA officer the victim's too, but not the party of
	// another agency; an uncleared one none of the victim's, the shared phone included; an Iranian
	// liaison officer what is released to Iran.
	ids := func(es ...sarhad.Entity) []string { return sorted(entityIDs(es)) }
	for _, c := range []struct {
		v                  *sarhad.Viewer
		first, then        []string
		ends               []string
		victimIdentifiable bool
	}{
		{sarhad.SystemViewer(), []string{"then-p-victim", "then-p-suspect", "then-p-punjab", "then-p-network"},
			[]string{"then-v-own", "then-v-shared", "then-s-shared", "then-s-only", "then-v-doc", "then-punjab-phone"},
			ids(victim, suspect, punjab, network, own, shared, suspectOnly, punjabPhone, doc), true},
		{fiaVictimOfficer(), []string{"then-p-victim", "then-p-suspect", "then-p-network"},
			[]string{"then-v-own", "then-v-shared", "then-s-shared", "then-s-only", "then-v-doc"},
			ids(victim, suspect, network, own, shared, suspectOnly, doc), true},
		{fiaInvestigator(), []string{"then-p-victim", "then-p-suspect", "then-p-network"}, []string{"then-s-only"},
			ids(victim, suspect, network, suspectOnly), false},
		{iranLiaison(), []string{"then-p-victim", "then-p-suspect"}, []string{"then-s-only"},
			ids(victim, suspect, suspectOnly), false},
	} {
		got, err := s.NeighboursThen(as(t.Context(), c.v), queries[0].q)
		if err != nil {
			t.Fatal(err)
		}
		rels := func(keys []string) []string {
			out := make([]string, len(keys))
			for i, key := range keys {
				out[i] = relID(key)
			}
			return sorted(out)
		}
		equalIDs(t, fmt.Sprintf("parties for %s", c.v.Subject), relationshipIDs(got.First), rels(c.first))
		equalIDs(t, fmt.Sprintf("identifiers of the parties for %s", c.v.Subject), relationshipIDs(got.Then), rels(c.then))
		equalIDs(t, fmt.Sprintf("ends for %s", c.v.Subject), sorted(entityIDs(got.Ends)), c.ends)
		for _, e := range got.Ends {
			if p, ok := e.(*sarhad.Person); ok && p.ID == victim.ID && p.Name == victim.Name != c.victimIdentifiable {
				t.Errorf("%s: the victim's name is %q", c.v.Subject, p.Name)
			}
		}
	}
}
