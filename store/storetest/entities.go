package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
)

// fullEntities returns one entity of every kind (and a victim besides) with every attribute and
// every envelope field set, each under a different marking.
func fullEntities() []sarhad.Entity {
	src1, src2 := sarhad.StableID(sarhad.KindSource, "statement-1"), sarhad.StableID(sarhad.KindSource, "report-2")
	later := t0.Add(36 * time.Hour)
	full := func(k sarhad.EntityKind, key string, h sarhad.Handling) sarhad.Meta {
		m := envelope(k, key, h)
		m.CreatedBy, m.UpdatedAt, m.UpdatedBy = "creator-"+key, later, "editor-"+key
		m.SourceIDs = []string{src1, src2}
		m.SourceKey = "FIR-" + key
		return m
	}
	return []sarhad.Entity{
		&sarhad.Person{Meta: full(sarhad.KindPerson, "asif", fia(sarhad.TLPAmber, "IRN", "GRC")),
			Name: "Asif Mehmood", Aliases: []string{"Asif Bhatti", "Chacha"}, FatherName: "Mehmood Ahmed",
			Gender: sarhad.GenderMale, BirthDate: "1979-04-12", Nationalities: []string{"PAK", "AFG"},
			Occupation: "travel agent"},
		&sarhad.Person{Meta: full(sarhad.KindPerson, "nasreen", fia(sarhad.TLPRed)),
			Name: "Nasreen Akhtar", Aliases: []string{"Nasreen Bibi"}, FatherName: "Akhtar Ali",
			Gender: sarhad.GenderFemale, BirthDate: "2006-02-01", Nationalities: []string{"PAK"},
			Occupation: "domestic worker",
			Victim: &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupChild,
				Exploitation:    []sarhad.Exploitation{sarhad.ExploitationDomesticServitude, sarhad.ExploitationBondedLabour},
				Vulnerabilities: []string{"debt bondage", "no documents"}, IdentifiedOn: "2023-09-18",
				Assistance: []sarhad.AssistanceKind{sarhad.AssistanceShelter, sarhad.AssistanceLegal}}},
		&sarhad.Organization{Meta: full(sarhad.KindOrganization, "sky-travels", fia(sarhad.TLPGreen, "IRN")),
			Name: "Sky Travels", Aliases: []string{"Sky Tours Gujranwala"}, Category: sarhad.OrgTravelAgency,
			Country: "PAK", Description: "Front for visa fraud"},
		&sarhad.Country{Meta: full(sarhad.KindCountry, "PAK", handling("SARHAD", countryPAK, sarhad.TLPClear)),
			Name: "Pakistan", Alpha2: "PK", Alpha3: "PAK", Numeric: "586", Region: "Southern Asia"},
		&sarhad.Place{Meta: full(sarhad.KindPlace, "taftan", fia(sarhad.TLPClear)),
			Name: "Taftan", Aliases: []string{"Kuh-i-Taftan"}, Category: sarhad.PlaceBorderCrossing, Country: "PAK",
			Location: &sarhad.GeoPoint{Lat: 28.9641, Lon: 61.5896}, Approximate: true, Description: "Pakistan–Iran crossing"},
		&sarhad.Route{Meta: full(sarhad.KindRoute, "quetta-taftan", fia(sarhad.TLPAmberStrict)),
			Name: "Quetta–Taftan–Zahedan", Description: "Overland route into Iran",
			Fee: &sarhad.Money{Amount: 450000.5, Currency: "PKR"}, ActiveFrom: "2019-01-01", ActiveTo: "2024-06-30"},
		&sarhad.Case{Meta: full(sarhad.KindCase, "fir-123", fia(sarhad.TLPAmber, "GRC")),
			Reference: "FIR 123/2024 AHTC Quetta", Title: "Taftan smuggling ring", Agency: "FIA AHTC Quetta",
			Country: "PAK", Offences: []sarhad.Offence{sarhad.OffenceForgery, sarhad.OffenceSmuggling},
			Stage: sarhad.StageChargeSheeted, RegisteredOn: "2024-01-15", ChargeSheetedOn: "2024-05-02",
			DecidedOn: "2024-11-20", ClosedOn: "2024-12-01", Summary: "Forged visas for Iran and Turkey"},
		&sarhad.Event{Meta: full(sarhad.KindEvent, "interception", handling(orgIran, countryIRN, sarhad.TLPGreen, "PAK")),
			Category: sarhad.EventInterception, OccurredOn: "2024-03-09", Description: "Pickup stopped near Mirjaveh",
			PersonsCount: 14},
		&sarhad.Phone{Meta: full(sarhad.KindPhone, "phone", fia(sarhad.TLPAmber)),
			Number: "+923001234567", Country: "PAK"},
		&sarhad.BankAccount{Meta: full(sarhad.KindBankAccount, "account", fia(sarhad.TLPAmber)),
			Bank: "Meezan Bank", AccountNumber: "PK36MEZN0001234567890123", Country: "PAK", HolderName: "Asif Mehmood"},
		&sarhad.IdentityDocument{Meta: full(sarhad.KindIdentityDocument, "passport", fia(sarhad.TLPAmber, "GRC")),
			DocumentType: sarhad.DocumentPassport, Number: "AB1234567", IssuingCountry: "PAK",
			Authenticity: sarhad.AuthenticityForged, IssuedOn: "2020-07-01", ExpiresOn: "2030-06-30"},
		&sarhad.Vehicle{Meta: full(sarhad.KindVehicle, "boat", handling(orgGreece, countryGRC, sarhad.TLPAmber, "PAK")),
			Category: sarhad.VehicleBoat, Registration: "GWD-1234", Name: "Al-Noor", Description: "Fishing trawler"},
		&sarhad.Address{Meta: full(sarhad.KindAddress, "safe-house", fia(sarhad.TLPRed)),
			Line: "House 12, Street 4, Satellite Town", City: "Quetta", Country: "PAK",
			Location: &sarhad.GeoPoint{Lat: 30.2101, Lon: 67.0182}},
		&sarhad.OnlineAccount{Meta: full(sarhad.KindOnlineAccount, "whatsapp", fia(sarhad.TLPGreen, "IRN")),
			Platform: "WhatsApp", Handle: "+923001234567"},
		&sarhad.Source{Meta: full(sarhad.KindSource, "statement-1", fia(sarhad.TLPAmber)),
			Title: "Statement of a returnee", Category: sarhad.SourceStatement, Originator: "FIA AHTC Quetta",
			Date: "2024-02-11", Reliability: sarhad.ReliabilityB, Credibility: sarhad.CredibilityProbablyTrue},
		&sarhad.CooperationRequest{Meta: full(sarhad.KindCooperationRequest, "mla", fia(sarhad.TLPAmber, "GRC")),
			Reference: "MLA/PK-GR/2024/7", Category: sarhad.CoopMutualLegalAssistance, RequestingCountry: "PAK",
			RequestedCountry: "GRC", Status: sarhad.CoopSent, SentOn: "2024-04-02", RespondedOn: "2024-06-19",
			Summary: "Bank records of a Piraeus account"},
	}
}

func testRoundTrip(t *testing.T, h *harness) {
	s := h.store(t)
	ctx := asSystem(t.Context())
	es := fullEntities()

	covered := map[sarhad.EntityKind]bool{}
	for _, e := range es {
		covered[e.EntityMeta().Kind] = true
	}
	for _, k := range sarhad.EntityKinds() {
		if !covered[k] {
			t.Errorf("the round-trip fixture has no %s", k)
		}
	}

	originals := make([]sarhad.Entity, len(es))
	for i, e := range es {
		originals[i] = clone(t, e)
	}
	load(t, s, es, nil)

	t.Run("EveryKind", func(t *testing.T) {
		ids := entityIDs(originals)
		got, err := s.Entities(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(ids) {
			t.Fatalf("Entities returned %d entities for %d ids", len(got), len(ids))
		}
		for i, want := range originals {
			sameEntity(t, want, got[i])
		}
	})

	t.Run("OrderOfIDsAndMissing", func(t *testing.T) {
		missing := sarhad.StableID(sarhad.KindPerson, "never-written")
		ids := []string{missing}
		for i := len(originals) - 1; i >= 0; i-- {
			ids = append(ids, originals[i].EntityMeta().ID)
		}
		ids = append(ids, sarhad.StableID(sarhad.KindCase, "never-written"), ids[1])
		got, err := s.Entities(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]string, len(ids))
		copy(want, ids)
		want[0], want[len(want)-2] = "<nil>", "<nil>"
		equalIDs(t, "Entities(ids) ids", entityIDs(got), want)
	})

	t.Run("NoIDs", func(t *testing.T) {
		got, err := s.Entities(ctx, nil)
		if err != nil || len(got) != 0 {
			t.Errorf("Entities(nil) = %v, %v; want no entities and no error", got, err)
		}
	})

	t.Run("ListedAsStored", func(t *testing.T) {
		for _, want := range originals {
			page := allOfKind(t, ctx, s, want.EntityMeta().Kind)
			for _, got := range page.Entities {
				if got.EntityMeta().ID == want.EntityMeta().ID {
					sameEntity(t, want, got)
				}
			}
		}
	})
}

func testApply(t *testing.T, h *harness) {
	t1 := t0.Add(time.Hour)

	t.Run("SamePutTwiceIsUnchanged", func(t *testing.T) {
		s := h.store(t)
		ctx := asSystem(t.Context())
		p := person("retry", "Zafar Iqbal", fia(sarhad.TLPAmber, "IRN"))
		p.SourceIDs, p.SourceKey = []string{sarhad.StableID(sarhad.KindSource, "s")}, "FIR-9/2024"
		want := clone(t, p)
		if res := mustApply(t, ctx, s, &sarhad.ChangeSet{Put: []sarhad.Entity{p}}); *res != (sarhad.ApplyResult{Created: 1}) {
			t.Errorf("first put: %+v, want Created 1", *res)
		}
		// A client's retry carries a new update stamp; nothing else differs, so nothing changes.
		retry := clone(t, p)
		retry.UpdatedAt, retry.UpdatedBy = t1, "retry"
		if res := mustApply(t, ctx, s, &sarhad.ChangeSet{Put: []sarhad.Entity{retry}}); *res != (sarhad.ApplyResult{Unchanged: 1}) {
			t.Errorf("second put: %+v, want Unchanged 1", *res)
		}
		got, err := s.Entities(ctx, []string{p.ID})
		if err != nil {
			t.Fatal(err)
		}
		sameEntity(t, want, got[0])
	})

	t.Run("ChangeIsUpdated", func(t *testing.T) {
		s := h.store(t)
		ctx := asSystem(t.Context())
		changes := []struct {
			name   string
			change func(*sarhad.Person)
		}{
			{"Attribute", func(p *sarhad.Person) { p.Occupation = "hawala dealer" }},
			{"Alias", func(p *sarhad.Person) { p.Aliases = append(p.Aliases, "Bao") }},
			{"VictimDetails", func(p *sarhad.Person) { p.Victim = &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult} }},
			{"TLP", func(p *sarhad.Person) { p.Handling.TLP = sarhad.TLPGreen }},
			{"ReleasableTo", func(p *sarhad.Person) { p.Handling.ReleasableTo = []string{"GRC", "IRN"} }},
			{"Originator", func(p *sarhad.Person) { p.Handling = handling(orgPunjab, countryPAK, sarhad.TLPAmber, "IRN") }},
			{"SourceIDs", func(p *sarhad.Person) { p.SourceIDs = []string{sarhad.StableID(sarhad.KindSource, "new")} }},
			{"SourceKey", func(p *sarhad.Person) { p.SourceKey = "FIR-10/2024" }},
		}
		for _, tc := range changes {
			t.Run(tc.name, func(t *testing.T) {
				p := person("change-"+tc.name, "Sajid Mehmood", fia(sarhad.TLPAmber, "IRN"))
				p.Aliases = []string{"Saji"}
				mustApply(t, ctx, s, &sarhad.ChangeSet{Put: []sarhad.Entity{p}})

				changed := clone(t, p)
				tc.change(changed)
				// The writer's created stamp is ignored on update: a record keeps its creation.
				changed.CreatedAt, changed.CreatedBy = t1, "someone-else"
				changed.UpdatedAt, changed.UpdatedBy = t1, "editor"
				if res := mustApply(t, ctx, s, &sarhad.ChangeSet{Put: []sarhad.Entity{changed}}); *res != (sarhad.ApplyResult{Updated: 1}) {
					t.Errorf("ApplyResult = %+v, want Updated 1", *res)
				}
				want := clone(t, changed)
				want.CreatedAt, want.CreatedBy = t0, fixtureUser
				got, err := s.Entities(ctx, []string{p.ID})
				if err != nil {
					t.Fatal(err)
				}
				sameEntity(t, want, got[0])
			})
		}
	})

	t.Run("RenameReindexesNames", func(t *testing.T) {
		s := h.store(t)
		ctx := asSystem(t.Context())
		p := person("rename", "Zahid Mengal", fia(sarhad.TLPClear))
		mustApply(t, ctx, s, &sarhad.ChangeSet{Put: []sarhad.Entity{p}})
		renamed := clone(t, p)
		renamed.Name = "Farooq Baloch"
		mustApply(t, ctx, s, &sarhad.ChangeSet{Put: []sarhad.Entity{renamed}})
		for _, tc := range []struct {
			text string
			want []string
		}{{"Zahid Mengal", nil}, {"Mengal", nil}, {"Farooq Baloch", []string{p.ID}}} {
			got := matchNames(t, ctx, s, nameQuery(tc.text))
			if ids := entityIDs(got); len(ids) != len(tc.want) || len(ids) > 0 && ids[0] != tc.want[0] {
				t.Errorf("MatchNames(%q) = %v, want %v", tc.text, ids, tc.want)
			}
		}
	})

	t.Run("MatchNamesLimitAndCountNames", func(t *testing.T) {
		s := h.store(t)
		ctx := asSystem(t.Context())
		cs := &sarhad.ChangeSet{}
		var ids []string
		for i := range 5 {
			p := person(fmt.Sprint("limit ", i), "Karim Dad Lashari", fia(sarhad.TLPClear))
			cs.Put, ids = append(cs.Put, p), append(ids, p.ID)
		}
		cs.Put = append(cs.Put, person("limit other", "Karim Bux Lashari", fia(sarhad.TLPClear)))
		mustApply(t, ctx, s, cs)
		q := nameQuery("Karim Dad")
		q.Limit = 2
		got, err := s.MatchNames(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		equalIDs(t, "MatchNames(Karim Dad, limit 2)", entityIDs(got), sorted(ids)[:2])
		if n, err := s.CountNames(ctx, q); err != nil || n != len(ids) {
			t.Errorf("CountNames(Karim Dad) = %d, %v; want %d whatever the limit", n, err, len(ids))
		}
		if n, err := s.CountNames(ctx, sarhad.NameQuery{}); err != nil || n != 0 {
			t.Errorf("CountNames(no terms) = %d, %v; want 0", n, err)
		}
	})

	t.Run("IDOfAnotherKindIsConflict", func(t *testing.T) {
		s := h.store(t)
		ctx := asSystem(t.Context())
		p := person("taken", "Khalid Rind", fia(sarhad.TLPClear))
		mustApply(t, ctx, s, &sarhad.ChangeSet{Put: []sarhad.Entity{p}})
		o := &sarhad.Organization{Meta: envelope(sarhad.KindOrganization, "taken", fia(sarhad.TLPClear)),
			Name: "Rind Transport", Category: sarhad.OrgFrontCompany}
		o.ID = p.ID
		_, err := s.Apply(ctx, &sarhad.ChangeSet{Put: []sarhad.Entity{o}})
		wantCode(t, err, sarhad.ECONFLICT)
		got, err := s.Entities(ctx, []string{p.ID})
		if err != nil {
			t.Fatal(err)
		}
		sameEntity(t, p, got[0])
	})

	t.Run("AllOrNothing", testAtomicity(h))
}

// testAtomicity checks that a change set whose last item fails writes nothing, name index included.
func testAtomicity(h *harness) func(*testing.T) {
	return func(t *testing.T) {
		existing := person("existing", "Rashid Lashari", fia(sarhad.TLPClear))
		other := person("other", "Saeed Notezai", fia(sarhad.TLPClear))
		existingLink := link("existing-link", sarhad.RelAssociateOf, existing.ID, other.ID, fia(sarhad.TLPClear))
		newA := person("new-a", "Gulzar Kakar", fia(sarhad.TLPClear))
		newB := person("new-b", "Mumtaz Jamali", fia(sarhad.TLPClear))
		newLink := link("new-link", sarhad.RelAssociateOf, newA.ID, newB.ID, fia(sarhad.TLPClear))
		missing := sarhad.StableID(sarhad.KindPerson, "missing")
		renamed := clone(t, existing)
		renamed.Name, renamed.UpdatedAt = "Rashid Bugti", t0.Add(time.Hour)
		conflicting := &sarhad.Organization{Meta: envelope(sarhad.KindOrganization, "x", fia(sarhad.TLPClear)),
			Name: "Kakar Goods", Category: sarhad.OrgFrontCompany}
		conflicting.ID = other.ID

		cases := []struct {
			name string
			cs   *sarhad.ChangeSet
			code string
		}{
			{"LinkToMissingEntity", &sarhad.ChangeSet{
				Put:  []sarhad.Entity{newA, newB, renamed},
				Link: []*sarhad.Relationship{newLink, link("to-missing", sarhad.RelAssociateOf, newA.ID, missing, fia(sarhad.TLPClear))},
			}, sarhad.ENOTFOUND},
			{"PutOverAnotherKind", &sarhad.ChangeSet{
				Put: []sarhad.Entity{newA, newB, renamed, conflicting},
			}, sarhad.ECONFLICT},
			{"UnlinkMissing", &sarhad.ChangeSet{
				Put:    []sarhad.Entity{newA, newB, renamed},
				Link:   []*sarhad.Relationship{newLink},
				Unlink: []string{existingLink.ID, relID("never-linked")},
			}, sarhad.ENOTFOUND},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				s := h.store(t)
				ctx := asSystem(t.Context())
				load(t, s, []sarhad.Entity{clone(t, existing), clone(t, other)}, []*sarhad.Relationship{cloneRelationship(existingLink)})

				res, err := s.Apply(ctx, cloneChangeSet(t, tc.cs))
				wantCode(t, err, tc.code)
				if res != nil {
					t.Errorf("a failed Apply returned a result: %+v", *res)
				}
				got, err := s.Entities(ctx, []string{newA.ID, newB.ID, existing.ID, other.ID})
				if err != nil {
					t.Fatal(err)
				}
				if got[0] != nil || got[1] != nil {
					t.Errorf("entities of the failed change set were written: %v", entityIDs(got[:2]))
				}
				sameEntity(t, existing, got[2])
				sameEntity(t, other, got[3])
				rs, err := s.RelationshipsByID(ctx, []string{newLink.ID, existingLink.ID})
				if err != nil {
					t.Fatal(err)
				}
				if rs[0] != nil {
					t.Errorf("relationship %s of the failed change set was written", newLink.ID)
				}
				sameRelationship(t, existingLink, rs[1])
				for _, text := range []string{"Gulzar Kakar", "Rashid Bugti"} {
					if found, err := s.MatchNames(ctx, nameQuery(text)); err != nil || len(found) != 0 {
						t.Errorf("MatchNames(%q) = %v, %v; the failed change set reached the name index", text, entityIDs(found), err)
					}
				}
			})
		}
	}
}

// cloneChangeSet returns a deep copy of cs, so that table cases can share fixtures.
func cloneChangeSet(t *testing.T, cs *sarhad.ChangeSet) *sarhad.ChangeSet {
	t.Helper()
	c := &sarhad.ChangeSet{Unlink: slices.Clone(cs.Unlink)}
	for _, e := range cs.Put {
		c.Put = append(c.Put, clone(t, e))
	}
	for _, r := range cs.Link {
		c.Link = append(c.Link, cloneRelationship(r))
	}
	return c
}
