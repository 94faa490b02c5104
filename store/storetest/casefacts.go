package storetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sarhad/sarhad"
)

// caseFactsFixture: cases, the routes they concern, their parties, arrests and the persons
// referred or moved, some of each released to Iran (irn: FIA AMBER released to IRN) and some not
// (pak: FIA AMBER released to nobody, so seen by the FIA only).
//
//	c1 (irn, 2023-02-01, REGISTERED, smuggling) ─ALONG_ROUTE→ rt1 (irn); ─ALONG_ROUTE→ rt2 (route pak)
//	c2 (irn, 2023-05-01, CONVICTED, smuggling and trafficking) ─ALONG_ROUTE(pak)→ rt1
//	c3 (pak, 2023-07-01, CHARGE_SHEETED, trafficking)
//	parties of c1: v1 VICTIM and WITNESS, a1 ACCUSED, v2 (pak) VICTIM, o1 (an organisation) ACCUSED;
//	v1, v2 and a1 are recorded as victims (a relationship names each one)
//	v1 ─REFERRED_TO→ shelter (irn); a1 ─REFERRED_TO→ hidden (pak)
//	s1 ─SMUGGLED→ v1; x1 (pak) ─TRAFFICKED→ a1
//	ev1 ARREST ─RECORDED_IN→ c1, involving a1 and s1 (involvement pak);
//	ev2 INTERCEPTION ─RECORDED_IN→ c1, involving v1;  ev3 ARREST (pak) ─RECORDED_IN→ c2, involving a1
type caseFactsFixture struct {
	entities map[string]sarhad.Entity
	rels     []*sarhad.Relationship
}

func newCaseFactsFixture() *caseFactsFixture {
	irn, pak := fia(sarhad.TLPAmber, countryIRN), fia(sarhad.TLPAmber)
	f := &caseFactsFixture{entities: map[string]sarhad.Entity{}}
	put := func(key string, e sarhad.Entity) { f.entities[key] = e }
	kase := func(key string, h sarhad.Handling, on sarhad.Date, stage sarhad.CaseStage, offences ...sarhad.Offence) {
		put(key, &sarhad.Case{Meta: envelope(sarhad.KindCase, "facts "+key, h), Reference: "FIR " + key, Agency: orgFIA,
			Country: countryPAK, Offences: offences, Stage: stage, RegisteredOn: on})
	}
	kase("c1", irn, "2023-02-01", sarhad.StageRegistered, sarhad.OffenceSmuggling)
	kase("c2", irn, "2023-05-01", sarhad.StageConvicted, sarhad.OffenceSmuggling, sarhad.OffenceTrafficking)
	kase("c3", pak, "2023-07-01", sarhad.StageChargeSheeted, sarhad.OffenceTrafficking)
	put("rt1", &sarhad.Route{Meta: envelope(sarhad.KindRoute, "facts rt1", irn), Name: "Quetta to Taftan"})
	put("rt2", &sarhad.Route{Meta: envelope(sarhad.KindRoute, "facts rt2", pak), Name: "Gwadar by sea"})
	for key, h := range map[string]sarhad.Handling{"v1": irn, "a1": irn, "s1": irn, "v2": pak, "x1": pak} {
		p := person("facts "+key, "Person "+key, h)
		if key == "v1" || key == "v2" || key == "a1" { // named victims (Relationship.NamedVictim): VICTIM parties, a1 trafficked
			p.Victim = &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult}
		}
		put(key, p)
	}
	put("o1", &sarhad.Organization{Meta: envelope(sarhad.KindOrganization, "facts o1", irn), Name: "Network", Category: sarhad.OrgCriminalNetwork})
	put("shelter", &sarhad.Organization{Meta: envelope(sarhad.KindOrganization, "facts shelter", irn), Name: "Shelter", Category: sarhad.OrgNGO})
	put("hidden", &sarhad.Organization{Meta: envelope(sarhad.KindOrganization, "facts hidden", pak), Name: "Hidden", Category: sarhad.OrgNGO})
	event := func(key string, h sarhad.Handling, c sarhad.EventCategory) {
		put(key, &sarhad.Event{Meta: envelope(sarhad.KindEvent, "facts "+key, h), Category: c, OccurredOn: "2023-03-01"})
	}
	event("ev1", irn, sarhad.EventArrest)
	event("ev2", irn, sarhad.EventInterception)
	event("ev3", pak, sarhad.EventArrest)
	add := f.link
	add("r1", sarhad.RelAlongRoute, "c1", "rt1", "", irn)
	add("r2", sarhad.RelAlongRoute, "c1", "rt2", "", irn)
	add("r3", sarhad.RelAlongRoute, "c2", "rt1", "", pak)
	add("p1", sarhad.RelPartyTo, "v1", "c1", "VICTIM", irn)
	add("p2", sarhad.RelPartyTo, "v1", "c1", "WITNESS", irn)
	add("p3", sarhad.RelPartyTo, "a1", "c1", "ACCUSED", irn)
	add("p4", sarhad.RelPartyTo, "v2", "c1", "VICTIM", irn)
	add("p5", sarhad.RelPartyTo, "o1", "c1", "ACCUSED", irn)
	add("f1", sarhad.RelReferredTo, "v1", "shelter", "", irn)
	add("f2", sarhad.RelReferredTo, "a1", "hidden", "", irn)
	add("m1", sarhad.RelSmuggled, "s1", "v1", "", irn)
	add("m2", sarhad.RelTrafficked, "x1", "a1", "", irn)
	add("e1", sarhad.RelRecordedIn, "ev1", "c1", "", irn)
	add("e2", sarhad.RelInvolvedIn, "a1", "ev1", "", irn)
	add("e3", sarhad.RelInvolvedIn, "s1", "ev1", "", pak)
	add("e4", sarhad.RelRecordedIn, "ev2", "c1", "", irn)
	add("e5", sarhad.RelInvolvedIn, "v1", "ev2", "", irn)
	add("e6", sarhad.RelRecordedIn, "ev3", "c2", "", irn)
	add("e7", sarhad.RelInvolvedIn, "a1", "ev3", "", irn)
	return f
}

// link adds the relationship named key, of type typ, between the entities named from and to.
func (f *caseFactsFixture) link(key string, typ sarhad.RelationType, from, to, role string, h sarhad.Handling) {
	r := link("facts "+key, typ, f.entities[from].EntityMeta().ID, f.entities[to].EntityMeta().ID, h)
	r.Role = role
	f.rels = append(f.rels, r)
}

// keys returns the fixture's keys by entity id.
func (f *caseFactsFixture) keys() map[string]string {
	key := map[string]string{}
	for k, e := range f.entities {
		key[e.EntityMeta().ID] = k
	}
	return key
}

func (f *caseFactsFixture) load(t *testing.T, s sarhad.Store) {
	t.Helper()
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range f.entities {
			if !yield(k) {
				return
			}
		}
	})
	var es []sarhad.Entity
	for _, k := range keys {
		es = append(es, clone(t, f.entities[k]))
	}
	var rs []*sarhad.Relationship
	for _, r := range f.rels {
		rs = append(rs, cloneRelationship(r))
	}
	load(t, s, es, rs)
}

// text renders facts with the fixture's keys for ids: one line per case.
func (f *caseFactsFixture) text(facts []*sarhad.CaseFacts) string {
	key := f.keys()
	name := func(id string) string { return key[id] }
	var lines []string
	for _, c := range facts {
		var parties []string
		for _, p := range c.Parties {
			parties = append(parties, fmt.Sprintf("%s %s referred=%t moved=%t", name(p.Person), p.Role, p.Referred, p.Moved))
		}
		routes, arrested := make([]string, len(c.Routes)), make([]string, len(c.Arrested))
		for i, id := range c.Routes {
			routes[i] = name(id)
		}
		for i, id := range c.Arrested {
			arrested[i] = name(id)
		}
		lines = append(lines, fmt.Sprintf("%s routes=[%s] parties=[%s] arrested=[%s]", name(c.Case.ID),
			strings.Join(routes, " "), strings.Join(parties, ", "), strings.Join(arrested, " ")))
	}
	return strings.Join(lines, "\n")
}

// factsGatherer is a store that gathers CaseFacts to tally them in process (the embedded store).
type factsGatherer interface {
	CaseFacts(ctx context.Context, q sarhad.CaseFactsQuery) ([]*sarhad.CaseFacts, error)
}

func testCaseFacts(t *testing.T, h *harness) {
	f := newCaseFactsFixture()
	s := h.store(t)
	f.load(t, s)
	all := sarhad.CaseFactsQuery{Limit: 10, Arrests: true, Referred: true, Moved: true}

	// The facts as the policy gives them, written out for two viewers: this checks the
	// reference below as much as the store.
	written := []struct {
		name string
		v    *sarhad.Viewer
		want string
	}{
		{"FIAInvestigator", fiaInvestigator(), strings.Join([]string{
			"c1 routes=[rt1 rt2] parties=[a1 ACCUSED referred=true moved=true, v1 VICTIM referred=true moved=true, " +
				"v1 WITNESS referred=true moved=true, v2 VICTIM referred=false moved=false] arrested=[a1 s1]",
			"c2 routes=[rt1] parties=[] arrested=[a1]",
			"c3 routes=[] parties=[] arrested=[]"}, "\n")},
		{"IranLiaison", iranLiaison(), strings.Join([]string{
			"c1 routes=[rt1] parties=[a1 ACCUSED referred=false moved=false, v1 VICTIM referred=true moved=true, " +
				"v1 WITNESS referred=true moved=true] arrested=[a1]",
			"c2 routes=[] parties=[] arrested=[]"}, "\n")},
	}
	// The reference the tallies are compared with, on every store.
	for _, tc := range written {
		t.Run("Reference/Written/"+tc.name, func(t *testing.T) {
			got := referenceCaseFacts(t, as(t.Context(), tc.v), s, all)
			if text := f.text(got); text != f.text(referenceOrder(f, tc.want)) {
				t.Errorf("reference:\n%s\nwant\n%s", text, tc.want)
			}
		})
	}
	g, ok := s.(factsGatherer)
	if !ok {
		return // the store counts in the database (CaseTally and RouteCases are tested on their own)
	}
	for _, tc := range written {
		t.Run("Policy/"+tc.name, func(t *testing.T) {
			got, err := g.CaseFacts(as(t.Context(), tc.v), all)
			if err != nil {
				t.Fatal(err)
			}
			// Parties are ordered by person id, then role: sort the written lines' parties the same way.
			if text := f.text(got); text != f.text(referenceOrder(f, tc.want)) {
				t.Errorf("CaseFacts:\n%s\nwant\n%s", text, tc.want)
			}
		})
	}

	// Every policy viewer gets what reading through ListEntities, Relationships and Entities gives.
	for _, nv := range policyViewers() {
		t.Run("Reference/"+nv.name, func(t *testing.T) {
			ctx := as(t.Context(), nv.v)
			got, err := g.CaseFacts(ctx, all)
			if err != nil {
				t.Fatal(err)
			}
			want := referenceCaseFacts(t, ctx, s, all)
			if f.text(got) != f.text(want) {
				t.Errorf("CaseFacts:\n%s\nwant\n%s", f.text(got), f.text(want))
			}
			for i := range min(len(got), len(want)) {
				sameEntity(t, want[i].Case, got[i].Case)
			}
			// sameFacts reads the facts with one option set, checks that they are the facts read
			// without it, and returns them.
			sameFacts := func(option string, set func(*sarhad.CaseFactsQuery)) []*sarhad.CaseFacts {
				q := all
				set(&q)
				facts, err := g.CaseFacts(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if f.text(facts) != f.text(want) {
					t.Errorf("CaseFacts with %s:\n%s\nwant\n%s", option, f.text(facts), f.text(want))
				}
				return facts
			}
			// With the ids alone, the same facts of the same cases, each case bare.
			for _, c := range sameFacts("IDsOnly", func(q *sarhad.CaseFactsQuery) { q.IDsOnly = true }) {
				if want := (&sarhad.Case{Meta: sarhad.Meta{ID: c.Case.ID, Kind: sarhad.KindCase}}); !reflect.DeepEqual(c.Case, want) {
					t.Errorf("IDsOnly: case %+v, want its id and kind alone", c.Case)
				}
			}
		})
	}

	t.Run("WithoutArrestsReferralsAndMoves", func(t *testing.T) {
		got, err := g.CaseFacts(as(t.Context(), fiaInvestigator()), sarhad.CaseFactsQuery{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		want := "c1 routes=[rt1 rt2] parties=[a1 ACCUSED referred=false moved=false, v1 VICTIM referred=false moved=false, " +
			"v1 WITNESS referred=false moved=false, v2 VICTIM referred=false moved=false] arrested=[]\n" +
			"c2 routes=[rt1] parties=[] arrested=[]\nc3 routes=[] parties=[] arrested=[]"
		if text := f.text(got); text != f.text(referenceOrder(f, want)) {
			t.Errorf("CaseFacts:\n%s\nwant\n%s", text, want)
		}
	})

	t.Run("Roles", func(t *testing.T) {
		got, err := g.CaseFacts(as(t.Context(), fiaInvestigator()), sarhad.CaseFactsQuery{Limit: 10, Referred: true,
			Roles: []sarhad.PartyRole{sarhad.PartyVictim}})
		if err != nil {
			t.Fatal(err)
		}
		want := "c1 routes=[rt1 rt2] parties=[v1 VICTIM referred=true moved=false, v2 VICTIM referred=false moved=false] arrested=[]\n" +
			"c2 routes=[rt1] parties=[] arrested=[]\nc3 routes=[] parties=[] arrested=[]"
		if text := f.text(got); text != f.text(referenceOrder(f, want)) {
			t.Errorf("CaseFacts:\n%s\nwant\n%s", text, want)
		}
	})

	t.Run("ConditionsAndLimit", func(t *testing.T) {
		ctx := as(t.Context(), fiaInvestigator())
		got, err := g.CaseFacts(ctx, sarhad.CaseFactsQuery{Limit: 10,
			Conditions: []sarhad.Condition{{Attr: "registeredOn", Op: sarhad.OpGTE, Values: []string{"2023-03-01"}}}})
		if err != nil {
			t.Fatal(err)
		}
		want := "c2 routes=[rt1] parties=[] arrested=[]\nc3 routes=[] parties=[] arrested=[]"
		if text := f.text(got); text != f.text(referenceOrder(f, want)) {
			t.Errorf("registered on or after 2023-03-01:\n%s\nwant\n%s", text, want)
		}
		// Limit+1 cases: one more than the limit tells the caller there are more.
		got, err = g.CaseFacts(ctx, sarhad.CaseFactsQuery{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		ids := sorted([]string{f.entities["c1"].EntityMeta().ID, f.entities["c2"].EntityMeta().ID, f.entities["c3"].EntityMeta().ID})
		if len(got) != 2 || got[0].Case.ID != ids[0] || got[1].Case.ID != ids[1] {
			t.Errorf("Limit 1: got %d cases (%s), want the first two by id", len(got), f.text(got))
		}
	})
}

// referenceOrder parses written facts (the fixture's keys for ids) into CaseFacts with the parties
// in the store's order: cases by id, parties by person id, then role.
func referenceOrder(f *caseFactsFixture, written string) []*sarhad.CaseFacts {
	id := func(key string) string { return f.entities[key].EntityMeta().ID }
	var out []*sarhad.CaseFacts
	for line := range strings.Lines(written) {
		var c sarhad.CaseFacts
		head, rest, _ := strings.Cut(strings.TrimSpace(line), " routes=[")
		c.Case = f.entities[head].(*sarhad.Case)
		routes, rest, _ := strings.Cut(rest, "] parties=[")
		parties, arrested, _ := strings.Cut(rest, "] arrested=[")
		for _, k := range strings.Fields(routes) {
			c.Routes = append(c.Routes, id(k))
		}
		for _, k := range strings.Fields(strings.TrimSuffix(arrested, "]")) {
			c.Arrested = append(c.Arrested, id(k))
		}
		if parties != "" {
			for _, p := range strings.Split(parties, ", ") {
				var key, role string
				var referred, moved bool
				fmt.Sscanf(p, "%s %s referred=%t moved=%t", &key, &role, &referred, &moved)
				c.Parties = append(c.Parties, sarhad.PartyFact{Person: id(key), Role: role, Referred: referred, Moved: moved})
			}
		}
		slices.SortFunc(c.Parties, func(a, b sarhad.PartyFact) int {
			return strings.Compare(a.Person+"\x00"+a.Role, b.Person+"\x00"+b.Role)
		})
		slices.Sort(c.Routes)
		slices.Sort(c.Arrested)
		out = append(out, &c)
	}
	slices.SortFunc(out, func(a, b *sarhad.CaseFacts) int { return strings.Compare(a.Case.ID, b.Case.ID) })
	return out
}

// referenceCaseFacts computes CaseFacts from the store's other reads, for the viewer of ctx.
func referenceCaseFacts(t *testing.T, ctx context.Context, s sarhad.Store, q sarhad.CaseFactsQuery) []*sarhad.CaseFacts {
	t.Helper()
	page, err := s.ListEntities(ctx, sarhad.ListQuery{Kind: sarhad.KindCase, Conditions: q.Conditions, NoTotal: true,
		Page: sarhad.Page{First: q.Limit + 1}})
	if err != nil {
		t.Fatal(err)
	}
	related := func(anchors []string, dir sarhad.Direction, types ...sarhad.RelationType) []*sarhad.Relationship {
		if len(anchors) == 0 {
			return nil
		}
		rels, err := s.Relationships(ctx, sarhad.RelationshipQuery{Anchors: anchors, Direction: dir, Types: types})
		if err != nil {
			t.Fatal(err)
		}
		return rels
	}
	is := func(id string, k sarhad.EntityKind) bool {
		kind, err := sarhad.KindOfID(id)
		return err == nil && kind == k
	}
	var out []*sarhad.CaseFacts
	for _, e := range page.Entities {
		c := &sarhad.CaseFacts{Case: e.(*sarhad.Case)}
		var events []string
		for _, r := range related([]string{c.Case.ID}, sarhad.DirBoth, sarhad.RelAlongRoute, sarhad.RelPartyTo, sarhad.RelRecordedIn) {
			switch {
			case r.Type == sarhad.RelAlongRoute && r.From == c.Case.ID && is(r.To, sarhad.KindRoute):
				c.Routes = append(c.Routes, r.To)
			case r.Type == sarhad.RelPartyTo && r.To == c.Case.ID && is(r.From, sarhad.KindPerson):
				p := sarhad.PartyFact{Person: r.From, Role: r.Role}
				if q.Referred {
					p.Referred = len(related([]string{r.From}, sarhad.DirOut, sarhad.RelReferredTo)) > 0
				}
				if q.Moved {
					p.Moved = len(related([]string{r.From}, sarhad.DirIn, sarhad.RelSmuggled, sarhad.RelTrafficked)) > 0
				}
				c.Parties = append(c.Parties, p)
			case r.Type == sarhad.RelRecordedIn && r.To == c.Case.ID:
				events = append(events, r.From)
			}
		}
		if q.Arrests && len(events) > 0 {
			found, err := s.Entities(ctx, events)
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range found {
				if ev, ok := ev.(*sarhad.Event); ok && ev.Category == sarhad.EventArrest {
					for _, r := range related([]string{ev.ID}, sarhad.DirIn, sarhad.RelInvolvedIn) {
						if is(r.From, sarhad.KindPerson) && !slices.Contains(c.Arrested, r.From) {
							c.Arrested = append(c.Arrested, r.From)
						}
					}
				}
			}
		}
		slices.SortFunc(c.Parties, func(a, b sarhad.PartyFact) int {
			return strings.Compare(a.Person+"\x00"+a.Role, b.Person+"\x00"+b.Role)
		})
		slices.Sort(c.Routes)
		slices.Sort(c.Arrested)
		out = append(out, c)
	}
	return out
}
