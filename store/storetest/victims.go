package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/sarhad/sarhad"
)

// victimFixture is a victim, released to Iran, and a suspect sharing her family name.
func victimFixture() (victim, suspect *sarhad.Person) {
	victim = person("victim", "Shazia Parveen", fia(sarhad.TLPAmber, "IRN"))
	victim.Aliases = []string{"Shazia Bibi"}
	victim.FatherName = "Ghulam Rasool"
	victim.Gender = sarhad.GenderFemale
	victim.BirthDate = "2004-05-06"
	victim.Nationalities = []string{"PAK"}
	victim.Occupation = "seamstress"
	victim.Victim = &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult,
		Exploitation:    []sarhad.Exploitation{sarhad.ExploitationDomesticServitude},
		Vulnerabilities: []string{"debt bondage"}, IdentifiedOn: "2024-11-02",
		Assistance: []sarhad.AssistanceKind{sarhad.AssistanceShelter, sarhad.AssistanceMedical}}
	suspect = person("suspect", "Rukhsana Parveen", fia(sarhad.TLPAmber, "IRN"))
	suspect.Gender = sarhad.GenderFemale
	suspect.BirthDate = "1980-01-01"
	suspect.Nationalities = []string{"PAK"}
	return victim, suspect
}

func victimViewers() []namedViewer {
	irnCleared := iranLiaison()
	irnCleared.Clearances = []string{sarhad.ClearanceVictimPII} // a clearance counts in the originating org only
	return []namedViewer{
		{"FIAUncleared", fiaInvestigator()},
		{"FIACleared", fiaVictimOfficer()},
		{"IranClearedElsewhere", irnCleared},
		{"Greek", greekLiaison()},
		{"System", sarhad.SystemViewer()},
	}
}

func testVictims(t *testing.T, h *harness) {
	victim, suspect := victimFixture()
	s := h.store(t)
	load(t, s, []sarhad.Entity{clone(t, victim), clone(t, suspect)}, []*sarhad.Relationship{
		link("trafficked", sarhad.RelTrafficked, suspect.ID, victim.ID, fia(sarhad.TLPAmber, "IRN")),
	})

	t.Run("ReferencePolicy", func(t *testing.T) {
		want := map[string]bool{"FIAUncleared": false, "FIACleared": true, "IranClearedElsewhere": false, "Greek": false, "System": true}
		for _, nv := range victimViewers() {
			if got := victim.Handling.SeesVictimPII(nv.v); got != want[nv.name] {
				t.Errorf("SeesVictimPII(%s) = %v, want %v", nv.name, got, want[nv.name])
			}
		}
	})

	for _, nv := range victimViewers() {
		v := nv.v
		ctx := as(t.Context(), v)
		visible, pii := victim.Handling.Visible(v), victim.Handling.SeesVictimPII(v)
		want := sarhad.Protect(v, clone(t, victim))

		t.Run(nv.name+"/Entities", func(t *testing.T) {
			got, err := s.Entities(ctx, []string{victim.ID})
			if err != nil {
				t.Fatal(err)
			}
			if !visible {
				if got[0] != nil {
					t.Errorf("a hidden victim was returned")
				}
				return
			}
			sameEntity(t, want, got[0])
			checkRedaction(t, victim, got[0], pii)
		})

		t.Run(nv.name+"/ListEntities", func(t *testing.T) {
			page := allOfKind(t, ctx, s, sarhad.KindPerson)
			i := slices.Index(entityIDs(page.Entities), victim.ID)
			if (i >= 0) != visible {
				t.Fatalf("victim listed = %v, want %v", i >= 0, visible)
			}
			if i >= 0 {
				sameEntity(t, want, page.Entities[i])
				checkRedaction(t, victim, page.Entities[i], pii)
			}
		})

		t.Run(nv.name+"/MatchNames", func(t *testing.T) {
			for _, text := range []string{"Shazia Parveen", "Shazia Bibi", "Parveen", "shazia"} {
				got := matchNames(t, ctx, s, nameQuery(text))
				if found := slices.Contains(entityIDs(got), victim.ID); found != (visible && pii) {
					t.Errorf("MatchNames(%q) found the victim = %v, want %v", text, found, visible && pii)
				}
				for _, e := range got {
					if p, ok := e.(*sarhad.Person); ok && p.IsVictim() {
						checkRedaction(t, victim, p, pii)
					}
				}
			}
			wantSuspect := []string{}
			if suspect.Handling.Visible(v) {
				wantSuspect = []string{suspect.ID}
			}
			got := matchNames(t, ctx, s, nameQuery("Rukhsana Parveen"))
			equalIDs(t, "MatchNames(Rukhsana Parveen)", entityIDs(got), wantSuspect)
		})

		t.Run(nv.name+"/FiltersOnWithheldAttributes", func(t *testing.T) {
			for _, c := range victimConditions(t, victim) {
				page := allOfKind(t, ctx, s, sarhad.KindPerson, c.cond)
				found := slices.Contains(entityIDs(page.Entities), victim.ID)
				if wantFound := visible && (pii || !c.withheld); found != wantFound {
					t.Errorf("ListEntities(%s %s %v): victim listed = %v, want %v (a filter must not reveal what is withheld)",
						c.cond.Attr, c.cond.Op, c.cond.Values, found, wantFound)
				}
				if page.TotalCount != len(page.Entities) {
					t.Errorf("ListEntities(%s %s %v): TotalCount %d for %d items", c.cond.Attr, c.cond.Op, c.cond.Values,
						page.TotalCount, len(page.Entities))
				}
			}
		})
	}

	t.Run("RedactedCopyCannotBeWrittenBack", func(t *testing.T) {
		v := fiaInvestigator() // may edit FIA records, may not see the victim's details
		ctx := as(t.Context(), v)
		got, err := s.Entities(ctx, []string{victim.ID})
		if err != nil || got[0] == nil {
			t.Fatalf("Entities: %v, %v", got, err)
		}
		_, err = s.Apply(ctx, &sarhad.ChangeSet{Put: []sarhad.Entity{got[0]}})
		wantCode(t, err, sarhad.EFORBIDDEN)
		stored, err := s.Entities(asSystem(t.Context()), []string{victim.ID})
		if err != nil {
			t.Fatal(err)
		}
		sameEntity(t, victim, stored[0])
	})
}

// testNamedVictims checks that a relationship naming a person a victim (Relationship.NamedVictim)
// is refused, and nothing written, unless the person's record is a victim's as the store holds it,
// whoever writes it (the system viewer's writes read less of their ends): a victim recorded only
// through a relationship would show their name and phones to everyone who may see the record.
func testNamedVictims(t *testing.T, h *harness) {
	victim, suspect := victimFixture()
	released := fia(sarhad.TLPAmber, "IRN")
	kase := &sarhad.Case{Meta: envelope(sarhad.KindCase, "named victims", released), Reference: "FIR 7/2024", Agency: orgFIA,
		Country: countryPAK, Offences: []sarhad.Offence{sarhad.OffenceTrafficking}, Stage: sarhad.StageRegistered,
		RegisteredOn: "2024-11-01"}
	// Victims' records named each by one relationship (so that each half of the stores' check of
	// what names a record stands alone), and one a WITNESS party only: it names no victim.
	byParty, byTrafficking, byWitness := victimRecord("by party"), victimRecord("by trafficking"), victimRecord("by witness")
	s := h.store(t)
	load(t, s, []sarhad.Entity{clone(t, victim), clone(t, suspect), kase, byParty, byTrafficking, byWitness}, nil)
	party := func(key, from string, role sarhad.PartyRole) *sarhad.Relationship {
		r := link(key, sarhad.RelPartyTo, from, kase.ID, released)
		r.Role = string(role)
		return r
	}
	load(t, s, nil, []*sarhad.Relationship{
		party("named by party", byParty.ID, sarhad.PartyVictim),
		link("named by trafficking", sarhad.RelTrafficked, suspect.ID, byTrafficking.ID, released),
		party("named by witness", byWitness.ID, sarhad.PartyWitness),
	})
	for _, nv := range []namedViewer{{"FIAUncleared", fiaInvestigator()}, {"System", sarhad.SystemViewer()}} {
		t.Run("Links/"+nv.name, func(t *testing.T) {
			ctx := as(t.Context(), nv.v)
			witness := party(nv.name+" suspect as witness", suspect.ID, sarhad.PartyWitness)
			if _, err := s.Apply(ctx, &sarhad.ChangeSet{Link: []*sarhad.Relationship{witness}}); err != nil {
				t.Fatalf("the suspect as a witness: %v", err)
			}
			asVictim := *witness // the same relationship, its role changed
			asVictim.Role = string(sarhad.PartyVictim)
			for _, r := range []*sarhad.Relationship{
				party(nv.name+" suspect as victim", suspect.ID, sarhad.PartyVictim),
				link(nv.name+" suspect trafficked", sarhad.RelTrafficked, victim.ID, suspect.ID, released),
				&asVictim,
			} {
				_, err := s.Apply(ctx, &sarhad.ChangeSet{Link: []*sarhad.Relationship{r}})
				wantCode(t, err, sarhad.EINVALID)
				got, err := s.RelationshipsByID(asSystem(t.Context()), []string{r.ID})
				if err != nil || (got[0] != nil && got[0].Role != string(sarhad.PartyWitness)) {
					t.Errorf("%s %s after the refusal: %v, %v; want none, or the witness", r.Type, r.Role, got, err)
				}
			}
			// Other roles name no victim, and a victim's record may be named one.
			res, err := s.Apply(ctx, &sarhad.ChangeSet{Link: []*sarhad.Relationship{
				party(nv.name+" suspect accused", suspect.ID, sarhad.PartyAccused),
				party(nv.name+" victim", victim.ID, sarhad.PartyVictim),
				link(nv.name+" victim trafficked", sarhad.RelTrafficked, suspect.ID, victim.ID, released),
			}})
			if err != nil || res.Created != 3 {
				t.Errorf("Apply = %+v, %v; want three created", res, err)
			}
		})
	}
	// A victim's record that a relationship names stays one; one that none names may stop being one
	// (updatePerson may remove victim details).
	for _, nv := range []namedViewer{{"FIACleared", fiaVictimOfficer()}, {"System", sarhad.SystemViewer()}} {
		t.Run("VictimDetailsStay/"+nv.name, func(t *testing.T) {
			ctx := as(t.Context(), nv.v)
			for _, p := range []*sarhad.Person{byParty, byTrafficking} {
				dropped := clone(t, p)
				dropped.Victim = nil
				_, err := s.Apply(ctx, &sarhad.ChangeSet{Put: []sarhad.Entity{dropped}})
				wantCode(t, err, sarhad.EINVALID)
				if got, err := s.Entities(asSystem(t.Context()), []string{p.ID}); err != nil || !sarhad.IsVictim(got[0]) {
					t.Errorf("%s after the refusal: %v, %v; want a victim's record", p.Name, got, err)
				}
			}
			put := clone(t, byWitness)
			put.Victim = nil
			put.Name += " " + nv.name // a change each time
			if res, err := s.Apply(ctx, &sarhad.ChangeSet{Put: []sarhad.Entity{put}}); err != nil || res.Updated != 1 {
				t.Errorf("a victim's record only a WITNESS party names: Apply = %+v, %v; want one updated", res, err)
			}
			put.Victim = byWitness.Victim // a victim's record again, for the next viewer
			mustApply(t, asSystem(t.Context()), s, &sarhad.ChangeSet{Put: []sarhad.Entity{put}})
		})
	}
}

// victimRecord returns a victim's record of the FIA, released to Iran.
func victimRecord(key string) *sarhad.Person {
	p := person("victim "+key, "Victim "+key, fia(sarhad.TLPAmber, "IRN"))
	p.Victim = &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult}
	return p
}

// checkRedaction checks got against the victim's real details: withheld for a viewer without the
// clearance, whole for one with it.
func checkRedaction(t *testing.T, victim *sarhad.Person, e sarhad.Entity, pii bool) {
	t.Helper()
	got, ok := e.(*sarhad.Person)
	if !ok {
		t.Fatalf("got a %T, want a person", e)
	}
	if pii {
		if got.Redacted || got.Name != victim.Name || got.BirthDate != victim.BirthDate || got.FatherName != victim.FatherName {
			t.Errorf("a cleared viewer got a redacted victim: %+v", got)
		}
		return
	}
	if !got.Redacted || got.Name != sarhad.Pseudonym(victim.ID) {
		t.Errorf("name %q, Redacted %v; want the pseudonym %q and Redacted", got.Name, got.Redacted, sarhad.Pseudonym(victim.ID))
	}
	if got.SourceKey != "" || got.SourceRef != "" {
		t.Errorf("the source key %q or reference %q reached an uncleared viewer", got.SourceKey, got.SourceRef)
	}
	if len(got.Aliases) > 0 || got.BirthDate != "" || got.FatherName != "" || got.Occupation != "" {
		t.Errorf("identifying details leaked: aliases %v, birth date %q, father %q, occupation %q",
			got.Aliases, got.BirthDate, got.FatherName, got.Occupation)
	}
	if got.Victim == nil || len(got.Victim.Vulnerabilities) > 0 || got.Victim.IdentifiedOn != "" {
		t.Errorf("victim details leaked: %+v", got.Victim)
	}
	if got.Gender != victim.Gender || !slices.Equal(got.Nationalities, victim.Nationalities) ||
		got.Victim == nil || got.Victim.AgeGroup != victim.Victim.AgeGroup {
		t.Errorf("coarse attributes lost: gender %q, nationalities %v, victim %+v", got.Gender, got.Nationalities, got.Victim)
	}
}

// victimCondition is a list filter on one of the victim's attributes that her real value matches.
type victimCondition struct {
	cond     sarhad.Condition
	withheld bool // the attribute is withheld from viewers without the clearance
}

// victimConditions derives, from the difference between the victim and what sarhad.Protect leaves
// of her for an uncleared viewer, a filter for every attribute: withheld ones must not match for
// such viewers, kept ones must. Deriving them keeps the test in step with Person.Redact.
func victimConditions(t *testing.T, victim *sarhad.Person) []victimCondition {
	t.Helper()
	full := flatten(t, victim)
	redacted := flatten(t, sarhad.Protect(fiaInvestigator(), clone(t, victim)))
	paths := make([]string, 0, len(full))
	for p := range full {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	var out []victimCondition
	for _, path := range paths {
		withheld := fmt.Sprint(full[path]) != fmt.Sprint(redacted[path])
		switch val := full[path].(type) {
		case string:
			out = append(out, victimCondition{sarhad.Condition{Attr: path, Op: sarhad.OpIn, Values: []string{val}}, withheld})
			if _, err := sarhad.ParseDate(val); err == nil {
				out = append(out,
					victimCondition{sarhad.Condition{Attr: path, Op: sarhad.OpGTE, Values: []string{val}}, withheld},
					victimCondition{sarhad.Condition{Attr: path, Op: sarhad.OpLTE, Values: []string{val}}, withheld})
			}
		case []any:
			if len(val) > 0 {
				if s, ok := val[0].(string); ok {
					out = append(out, victimCondition{sarhad.Condition{Attr: path, Op: sarhad.OpOverlaps, Values: []string{s}}, withheld})
				}
			}
		}
	}
	if !slices.ContainsFunc(out, func(c victimCondition) bool { return c.withheld }) {
		t.Fatal("no withheld attribute found: Protect redacts nothing?")
	}
	return out
}

// flatten returns the attributes of e as JSON paths ("victim.ageGroup") to decoded values.
func flatten(t *testing.T, e sarhad.Entity) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(attrs(e)), &m); err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, val := range m {
			if sub, ok := val.(map[string]any); ok {
				walk(prefix+k+".", sub)
				continue
			}
			out[prefix+k] = val
		}
	}
	walk("", m)
	return out
}
