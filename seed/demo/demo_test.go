package demo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/seed/demo"
	"github.com/sarhad/sarhad/store/sqlite"
)

// index is the dataset with its entities by id.
type index struct {
	cs   *sarhad.ChangeSet
	byID map[string]sarhad.Entity
}

func load(t *testing.T) index {
	t.Helper()
	cs := demo.Dataset()
	ix := index{cs: cs, byID: make(map[string]sarhad.Entity, len(cs.Put))}
	for _, e := range cs.Put {
		ix.byID[e.EntityMeta().ID] = e
	}
	return ix
}

func ofKind[T sarhad.Entity](ix index) []T {
	var out []T
	for _, e := range ix.cs.Put {
		if x, ok := e.(T); ok {
			out = append(out, x)
		}
	}
	return out
}

func TestEntitiesAreValid(t *testing.T) {
	ix := load(t)
	seen := map[string]bool{}
	for _, e := range ix.cs.Put {
		m := e.EntityMeta()
		if seen[m.ID] {
			t.Errorf("duplicate id %s", m.ID)
		}
		seen[m.ID] = true
		if k, err := sarhad.KindOfID(m.ID); err != nil || k != m.Kind || k != sarhad.KindOf(e) {
			t.Errorf("%s: id does not name a %s (%v)", m.ID, sarhad.KindOf(e), err)
		}
		before, _ := json.Marshal(e)
		if err := sarhad.Normalize(e, ""); err != nil {
			t.Errorf("%s %q: %v", m.Kind, e.DisplayName(), err)
		}
		if after, _ := json.Marshal(e); !bytes.Equal(before, after) {
			t.Errorf("%s %q is not in normal form:\n%s\n%s", m.Kind, e.DisplayName(), before, after)
		}
		h := m.Handling
		if err := sarhad.NormalizeHandling(&h, ""); err != nil {
			t.Errorf("%s %q: handling: %v", m.Kind, e.DisplayName(), err)
		}
		if m.CreatedBy != "seed" || m.CreatedAt.IsZero() || !m.UpdatedAt.Equal(m.CreatedAt) {
			t.Errorf("%s: envelope %q %v %v", m.ID, m.CreatedBy, m.CreatedAt, m.UpdatedAt)
		}
		for _, s := range m.SourceIDs {
			if src, ok := ix.byID[s].(*sarhad.Source); !ok || src == nil {
				t.Errorf("%s: source %s is not a source of the dataset", m.ID, s)
			}
		}
	}
}

func TestRelationshipsAreValid(t *testing.T) {
	ix := load(t)
	seen := map[string]bool{}
	for _, r := range ix.cs.Link {
		if seen[r.ID] {
			t.Errorf("duplicate relationship id %s", r.ID)
		}
		seen[r.ID] = true
		if !sarhad.ValidRelationshipID(r.ID) {
			t.Errorf("%s is not a relationship id", r.ID)
		}
		from, to := ix.byID[r.From], ix.byID[r.To]
		if from == nil || to == nil {
			t.Errorf("%s %s: end missing (%s -> %s)", r.Type, r.ID, r.From, r.To)
			continue
		}
		fk, tk := from.EntityMeta().Kind, to.EntityMeta().Kind
		if !r.Type.Joins(fk, tk) {
			t.Errorf("%s cannot join %s to %s", r.Type, fk, tk)
		}
		if err := sarhad.NormalizeRelationship(r, fk, tk, ""); err != nil {
			t.Errorf("%s %s -> %s: %v", r.Type, from.DisplayName(), to.DisplayName(), err)
		}
		h := r.Handling
		if err := sarhad.NormalizeHandling(&h, ""); err != nil {
			t.Errorf("%s %s: handling: %v", r.Type, r.ID, err)
		}
		// Its originator sees both ends.
		v := &sarhad.Viewer{Org: r.Handling.OriginatorOrg, Country: r.Handling.OriginatorCountry, Roles: []sarhad.Role{sarhad.RoleInvestigator}}
		if !from.EntityMeta().Handling.Visible(v) || !to.EntityMeta().Handling.Visible(v) {
			t.Errorf("%s %s -> %s: originator %s cannot see both ends", r.Type, from.DisplayName(), to.DisplayName(), v.Org)
		}
		if r.Type == sarhad.RelHasStop && (r.Order < 1 || r.Order > 1 && r.Mode == "") {
			t.Errorf("HAS_STOP %s: order %d mode %q", r.ID, r.Order, r.Mode)
		}
		if r.Type == sarhad.RelPaid && (r.Amount == nil || r.Date == "") {
			t.Errorf("PAID %s without amount or date", r.ID)
		}
	}
}

// viewers are the organisations of the dataset and liaison officers of partner countries.
func viewers() []*sarhad.Viewer {
	var out []*sarhad.Viewer
	for _, org := range []string{demo.OrgFIALahore, demo.OrgFIAGujranwala, demo.OrgFIAQuetta, demo.OrgFIAKarachi, demo.OrgFIAPeshawar} {
		out = append(out, &sarhad.Viewer{Subject: org, Org: org, Country: "PAK", Roles: []sarhad.Role{sarhad.RoleInvestigator}})
	}
	for _, c := range []string{"IRN", "GRC", "TUR", "AFG", "OMN", "ARE", "ITA", "LBY", "BGD"} {
		out = append(out, &sarhad.Viewer{Subject: "liaison-" + c, Org: c + "-LIAISON", Country: c, Roles: []sarhad.Role{sarhad.RoleLiaisonOfficer}})
	}
	return out
}

func TestRelationshipsRevealNoHiddenEnd(t *testing.T) {
	ix := load(t)
	for _, v := range viewers() {
		for _, r := range ix.cs.Link {
			if !r.Handling.Visible(v) {
				continue
			}
			if !ix.byID[r.From].EntityMeta().Handling.Visible(v) || !ix.byID[r.To].EntityMeta().Handling.Visible(v) {
				t.Errorf("%s sees %s %s but not both its ends", v.Subject, r.Type, r.ID)
			}
		}
	}
}

func TestLiaisonOfficersSeeDifferentSubsets(t *testing.T) {
	ix := load(t)
	visible := func(country string) map[string]bool {
		v := &sarhad.Viewer{Org: country + "-LIAISON", Country: country, Roles: []sarhad.Role{sarhad.RoleLiaisonOfficer}}
		out := map[string]bool{}
		for _, e := range ix.cs.Put {
			if m := e.EntityMeta(); m.Kind == sarhad.KindPerson && m.Handling.Visible(v) {
				out[m.ID] = true
			}
		}
		return out
	}
	irn, grc := visible("IRN"), visible("GRC")
	onlyIRN, onlyGRC := 0, 0
	for id := range irn {
		if !grc[id] {
			onlyIRN++
		}
	}
	for id := range grc {
		if !irn[id] {
			onlyGRC++
		}
	}
	if onlyIRN == 0 || onlyGRC == 0 {
		t.Errorf("persons visible only to Iran: %d, only to Greece: %d; want both > 0", onlyIRN, onlyGRC)
	}
	t.Logf("persons visible to IRN %d (only IRN %d), to GRC %d (only GRC %d)", len(irn), onlyIRN, len(grc), onlyGRC)
}

func TestCounts(t *testing.T) {
	ix := load(t)
	persons := ofKind[*sarhad.Person](ix)
	orgs := ofKind[*sarhad.Organization](ix)
	cases := ofKind[*sarhad.Case](ix)
	if len(persons) < 300 {
		t.Errorf("%d persons, want ≥ 300", len(persons))
	}
	if len(orgs) != 20 {
		t.Errorf("%d organisations, want 20", len(orgs))
	}
	if len(cases) != 120 {
		t.Errorf("%d cases, want 120", len(cases))
	}
	if n := len(ofKind[*sarhad.Place](ix)); n != 54 {
		t.Errorf("%d places, want 54", n)
	}
	if n := len(ofKind[*sarhad.Country](ix)); n != 249 {
		t.Errorf("%d countries, want 249", n)
	}
	victims := 0
	for _, p := range persons {
		if p.IsVictim() {
			victims++
		}
	}
	if victims < 50 {
		t.Errorf("%d victims, want ≥ 50", victims)
	}
	categories := map[sarhad.OrganizationCategory]int{}
	for _, o := range orgs {
		categories[o.Category]++
	}
	for _, c := range []sarhad.OrganizationCategory{sarhad.OrgCriminalNetwork, sarhad.OrgTravelAgency, sarhad.OrgRecruitmentAgency,
		sarhad.OrgLawEnforcement, sarhad.OrgShelter, sarhad.OrgNGO} {
		if categories[c] == 0 {
			t.Errorf("no organisation of category %s", c)
		}
	}
	events := map[sarhad.EventCategory]int{}
	for _, e := range ofKind[*sarhad.Event](ix) {
		events[e.Category]++
		if y := e.OccurredOn.Year(); y < 2021 || y > 2023 {
			t.Errorf("event %s on %s, outside 2021–2023", e.ID, e.OccurredOn)
		}
	}
	for _, c := range []sarhad.EventCategory{sarhad.EventArrest, sarhad.EventInterception, sarhad.EventBorderCrossing,
		sarhad.EventRecruitment, sarhad.EventPayment, sarhad.EventRescue, sarhad.EventDeath, sarhad.EventDeportation, sarhad.EventMeeting} {
		if events[c] == 0 {
			t.Errorf("no event of category %s", c)
		}
	}
	coop := map[sarhad.CooperationCategory]int{}
	for _, c := range ofKind[*sarhad.CooperationRequest](ix) {
		coop[c.Category]++
	}
	for _, c := range []sarhad.CooperationCategory{sarhad.CoopMutualLegalAssistance, sarhad.CoopExtradition, sarhad.CoopInterpolNotice,
		sarhad.CoopJointInvestigation} {
		if coop[c] == 0 {
			t.Errorf("no cooperation request of category %s", c)
		}
	}
	tlps := map[sarhad.TLP]int{}
	for _, e := range ix.cs.Put {
		tlps[e.EntityMeta().Handling.TLP]++
	}
	for _, tlp := range sarhad.TLPs {
		if tlps[tlp] == 0 {
			t.Errorf("no record marked %s", tlp)
		}
	}
	grades := map[sarhad.Reliability]bool{}
	for _, s := range ofKind[*sarhad.Source](ix) {
		grades[s.Reliability] = true
	}
	if len(grades) < 5 {
		t.Errorf("sources use %d reliability grades, want mixed", len(grades))
	}
	t.Logf("%d entities, %d relationships, %d persons (%d victims), events %v, TLP %v", len(ix.cs.Put), len(ix.cs.Link),
		len(persons), victims, events, tlps)
}

func TestCasesCoverStagesOffencesAndYears(t *testing.T) {
	ix := load(t)
	stages := map[sarhad.CaseStage]int{}
	offences := map[sarhad.Offence]int{}
	quarters := map[string]int{}
	partner := 0
	for _, c := range ofKind[*sarhad.Case](ix) {
		stages[c.Stage]++
		for _, o := range c.Offences {
			offences[o]++
		}
		reg, _ := time.Parse(time.DateOnly, string(c.RegisteredOn))
		quarters[fmt.Sprintf("%d-Q%d", reg.Year(), (int(reg.Month())-1)/3+1)]++
		if c.Country != "PAK" {
			partner++
		}
		if !strings.HasPrefix(c.Summary, "[SYNTHETIC] ") {
			t.Errorf("case %s: summary %q is not marked synthetic", c.Reference, c.Summary)
		}
		// Dates follow the stage.
		decided := c.Stage == sarhad.StageConvicted || c.Stage == sarhad.StageAcquitted
		charged := decided || c.Stage == sarhad.StageChargeSheeted || c.Stage == sarhad.StageOnTrial
		if charged != (c.ChargeSheetedOn != "") || decided != (c.DecidedOn != "") || (c.Stage == sarhad.StageClosed) != (c.ClosedOn != "") {
			t.Errorf("case %s (%s): dates %q %q %q do not fit the stage", c.Reference, c.Stage, c.ChargeSheetedOn, c.DecidedOn, c.ClosedOn)
		}
		for _, d := range []sarhad.Date{c.ChargeSheetedOn, c.DecidedOn, c.ClosedOn} {
			if d != "" && (d < c.RegisteredOn || d > "2024-06-30") {
				t.Errorf("case %s: date %s out of order", c.Reference, d)
			}
		}
		if c.DecidedOn != "" && c.DecidedOn < c.ChargeSheetedOn {
			t.Errorf("case %s decided before charge sheet", c.Reference)
		}
	}
	for _, s := range []sarhad.CaseStage{sarhad.StageRegistered, sarhad.StageUnderInvestigation, sarhad.StageChargeSheeted,
		sarhad.StageOnTrial, sarhad.StageConvicted, sarhad.StageAcquitted, sarhad.StageClosed} {
		if stages[s] == 0 {
			t.Errorf("no case at stage %s", s)
		}
	}
	for _, o := range []sarhad.Offence{sarhad.OffenceTrafficking, sarhad.OffenceSmuggling} {
		if offences[o] == 0 {
			t.Errorf("no case under %s", o)
		}
	}
	for y := 2021; y <= 2023; y++ {
		for q := 1; q <= 4; q++ {
			if quarters[fmt.Sprintf("%d-Q%d", y, q)] == 0 {
				t.Errorf("no case registered in %d-Q%d", y, q)
			}
		}
	}
	if partner == 0 {
		t.Error("no case registered by a partner country")
	}
	t.Logf("stages %v, offences %v, partner cases %d", stages, offences, partner)
}

func TestSharedIdentifiers(t *testing.T) {
	ix := load(t)
	holders := map[string]map[string]bool{}
	for _, r := range ix.cs.Link {
		switch r.Type {
		case sarhad.RelUses, sarhad.RelHoldsDocument, sarhad.RelLivesAt, sarhad.RelOwns:
		default:
			continue
		}
		if !ix.byID[r.To].EntityMeta().Kind.IsIdentifier() {
			continue
		}
		if holders[r.To] == nil {
			holders[r.To] = map[string]bool{}
		}
		holders[r.To][r.From] = true
	}
	shared := map[sarhad.EntityKind]int{}
	total := 0
	for id, hs := range holders {
		if len(hs) >= 2 {
			shared[ix.byID[id].EntityMeta().Kind]++
			total++
		}
	}
	if total < 5 {
		t.Errorf("%d identifiers with 2+ holders, want ≥ 5", total)
	}
	for _, k := range []sarhad.EntityKind{sarhad.KindPhone, sarhad.KindBankAccount, sarhad.KindIdentityDocument, sarhad.KindAddress,
		sarhad.KindVehicle, sarhad.KindOnlineAccount} {
		if shared[k] == 0 {
			t.Errorf("no shared %s", k)
		}
	}
	if n := len(holders[demo.SharedPhoneID()]); n < 3 {
		t.Errorf("%s has %d holders, want ≥ 3", demo.SharedPhoneNumber, n)
	}
	t.Logf("shared identifiers: %v", shared)
}

func TestSyntheticMarking(t *testing.T) {
	ix := load(t)
	for _, o := range ofKind[*sarhad.Organization](ix) {
		if o.Category != sarhad.OrgLawEnforcement && !strings.Contains(o.Description, "synthetic demo data") {
			t.Errorf("organisation %q is not marked synthetic", o.Name)
		}
	}
	for _, s := range ofKind[*sarhad.Source](ix) {
		if s.Category != sarhad.SourceOpen && !strings.Contains(s.Title, "synthetic demo data") {
			t.Errorf("source %q is not marked synthetic", s.Title)
		}
	}
	for _, c := range ofKind[*sarhad.CooperationRequest](ix) {
		if !strings.HasPrefix(c.Summary, "[SYNTHETIC] ") {
			t.Errorf("cooperation request %s is not marked synthetic", c.Reference)
		}
	}
}

func TestKnownRecords(t *testing.T) {
	ix := load(t)
	name := func(id string) string {
		t.Helper()
		e := ix.byID[id]
		if e == nil {
			t.Fatalf("no record %s", id)
		}
		return e.DisplayName()
	}
	tests := []struct {
		id, want string
	}{
		{demo.FIALahoreID(), demo.FIALahoreName},
		{demo.KingpinID(), demo.KingpinName},
		{demo.ChaudhryGroupID(), demo.ChaudhryGroupName},
		{demo.BrokerID(), demo.BrokerName},
		{demo.TaftanRouteID(), demo.TaftanRouteName},
		{demo.VictimID(), demo.VictimName},
		{demo.PylosCaseID(), demo.PylosCaseReference},
		{demo.SharedPhoneID(), demo.SharedPhoneNumber},
		{demo.PlaceID("Taftan"), "Taftan"},
	}
	for _, tt := range tests {
		if got := name(tt.id); got != tt.want {
			t.Errorf("%s is %q, want %q", tt.id, got, tt.want)
		}
	}
	if e, ok := ix.byID[demo.PylosWreckID()].(*sarhad.Event); !ok || e.OccurredOn != "2023-06-14" || e.Category != sarhad.EventDeath {
		t.Errorf("Pylos wreck: %+v", ix.byID[demo.PylosWreckID()])
	}
	kingpin := ix.byID[demo.KingpinID()].(*sarhad.Person)
	if !slices.Contains(kingpin.Aliases, demo.KingpinAlias) {
		t.Errorf("kingpin aliases %v lack %q", kingpin.Aliases, demo.KingpinAlias)
	}
	if v := ix.byID[demo.VictimID()].(*sarhad.Person); !v.IsVictim() || v.Handling.TLP != sarhad.TLPAmberStrict {
		t.Errorf("victim %+v is not a protected victim", v)
	}
	// The broker is a member of two networks, the kingpin leads his; the Taftan route is operated.
	count := func(typ sarhad.RelationType, from, to string) int {
		n := 0
		for _, r := range ix.cs.Link {
			if r.Type == typ && (from == "" || r.From == from) && (to == "" || r.To == to) {
				n++
			}
		}
		return n
	}
	if n := count(sarhad.RelMemberOf, demo.BrokerID(), ""); n != 2 {
		t.Errorf("broker is a member of %d networks, want 2", n)
	}
	if count(sarhad.RelLeads, demo.KingpinID(), demo.ChaudhryGroupID()) != 1 {
		t.Error("kingpin does not lead the Chaudhry Group")
	}
	if count(sarhad.RelOperatesRoute, demo.ChaudhryGroupID(), demo.TaftanRouteID()) != 1 {
		t.Error("the Chaudhry Group does not operate the Taftan route")
	}
	if count(sarhad.RelPartyTo, demo.KingpinID(), "") < 5 {
		t.Error("the kingpin is party to fewer than 5 cases")
	}
}

// fullJSON renders a change set with envelopes, which the entities' own JSON leaves out.
func fullJSON(t *testing.T, cs *sarhad.ChangeSet) []byte {
	t.Helper()
	type rec struct {
		Meta  sarhad.Meta
		Attrs any
	}
	type rel struct {
		Meta     sarhad.Meta
		Type     sarhad.RelationType
		From, To string
		Props    sarhad.RelationProps
	}
	var out struct {
		Put  []rec
		Link []rel
	}
	for _, e := range cs.Put {
		m := *e.EntityMeta()
		out.Put = append(out.Put, rec{Meta: m, Attrs: e})
	}
	for _, r := range cs.Link {
		out.Link = append(out.Link, rel{Meta: r.Meta, Type: r.Type, From: r.From, To: r.To, Props: r.RelationProps})
	}
	// Meta's fields are hidden from JSON; render them with %#v.
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	var metas bytes.Buffer
	for _, p := range out.Put {
		fmt.Fprintf(&metas, "%#v\n", p.Meta)
	}
	for _, r := range out.Link {
		fmt.Fprintf(&metas, "%#v\n", r.Meta)
	}
	return append(b, metas.Bytes()...)
}

func TestDatasetIsDeterministic(t *testing.T) {
	a, b := fullJSON(t, demo.Dataset()), fullJSON(t, demo.Dataset())
	if !bytes.Equal(a, b) {
		t.Fatal("two calls of Dataset differ")
	}
}

func TestLoadIsIdempotent(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cs := demo.Dataset()
	total := len(cs.Put) + len(cs.Link)

	first, err := demo.Load(ctx, st)
	if err != nil {
		t.Fatalf("first load: %v", err)
	}
	if first.Created != total || first.Updated != 0 || first.Unchanged != 0 {
		t.Errorf("first load: %+v, want Created=%d", first, total)
	}
	second, err := demo.Load(ctx, st)
	if err != nil {
		t.Fatalf("second load: %v", err)
	}
	if second.Created != 0 || second.Updated != 0 || second.Unchanged != total {
		t.Errorf("second load: %+v, want Unchanged=%d only", second, total)
	}

	// The loaded data answers as the policy says: FIA Lahore sees the victim redacted, FIA
	// Karachi with the clearance sees her name.
	lhr := sarhad.NewContext(ctx, &sarhad.Viewer{Subject: "t", Org: demo.OrgFIALahore, Country: "PAK", Roles: []sarhad.Role{sarhad.RoleInvestigator}})
	es, err := st.Entities(lhr, []string{demo.KingpinID(), demo.VictimID()})
	if err != nil {
		t.Fatal(err)
	}
	if es[0] == nil || es[0].DisplayName() != demo.KingpinName {
		t.Errorf("FIA Lahore sees the kingpin as %v", es[0])
	}
	if es[1] != nil {
		t.Errorf("FIA Lahore sees the AMBER+STRICT victim of FIA Karachi: %v", es[1].DisplayName())
	}
	khi := sarhad.NewContext(ctx, &sarhad.Viewer{Subject: "t", Org: demo.OrgFIAKarachi, Country: "PAK",
		Roles: []sarhad.Role{sarhad.RoleInvestigator}, Clearances: []string{sarhad.ClearanceVictimPII}})
	es, err = st.Entities(khi, []string{demo.VictimID()})
	if err != nil {
		t.Fatal(err)
	}
	if es[0] == nil || es[0].DisplayName() != demo.VictimName {
		t.Errorf("FIA Karachi with clearance sees the victim as %v", es[0])
	}
}
