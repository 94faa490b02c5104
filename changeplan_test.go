package sarhad

import (
	"errors"
	"testing"
	"time"
)

// planFixture is the state a store would read: a phone (CLEAR, recorded by FIA) held by a victim
// recorded by FIA, a suspect recorded by FIA released to Iran, and the USES tie between victim and
// phone.
func planFixture(v *Viewer) (*ChangePlan, map[string]string) {
	fia := Handling{OriginatorOrg: "FIA", OriginatorCountry: "PAK", TLP: TLPAmber, ReleasableTo: []string{"IRN"}}
	ids := map[string]string{
		"victim":  StableID(KindPerson, "victim"),
		"suspect": StableID(KindPerson, "suspect"),
		"phone":   StableID(KindPhone, "phone"),
		"uses":    StableID("", "uses"),
	}
	p := NewChangePlan(v)
	p.Entities[ids["victim"]] = &PlannedEntity{Exists: true, InStore: true, Kind: KindPerson, Victim: true,
		Form: StoredForm{Handling: Handling{OriginatorOrg: "FIA", OriginatorCountry: "PAK", TLP: TLPClear}}}
	p.Entities[ids["suspect"]] = &PlannedEntity{Exists: true, InStore: true, Kind: KindPerson,
		Form: StoredForm{Content: `{"name":"Suspect"}`, Handling: fia, SourceKey: "S-1"}}
	p.Entities[ids["phone"]] = &PlannedEntity{Exists: true, InStore: true, Kind: KindPhone,
		Form:    StoredForm{Handling: Handling{OriginatorOrg: "FIA", OriginatorCountry: "PAK", TLP: TLPClear}},
		Holders: map[string]string{ids["uses"]: ids["victim"]}}
	p.Relationships[ids["uses"]] = &PlannedRelationship{Exists: true, InStore: true, Type: RelUses,
		From: ids["victim"], To: ids["phone"], Form: StoredForm{Handling: Handling{OriginatorOrg: "FIA", TLP: TLPClear}}}
	return p, ids
}

func TestChangePlanDecides(t *testing.T) {
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	fiaInvestigator := &Viewer{Subject: "a", Roles: []Role{RoleInvestigator}, Org: "FIA", Country: "PAK"}
	fiaCleared := &Viewer{Subject: "b", Roles: []Role{RoleInvestigator}, Org: "FIA", Country: "PAK",
		Clearances: []string{ClearanceVictimPII}}
	iranLiaison := &Viewer{Subject: "c", Roles: []Role{RoleLiaisonOfficer}, Org: "FIA-IR", Country: "IRN"}
	greekLiaison := &Viewer{Subject: "d", Roles: []Role{RoleLiaisonOfficer}, Org: "HP", Country: "GRC"}

	suspect := func(ids map[string]string, name, sourceRef string) *Person {
		return &Person{Meta: Meta{ID: ids["suspect"], Kind: KindPerson, SourceKey: "S-1", SourceRef: sourceRef,
			Handling: Handling{OriginatorOrg: "FIA", OriginatorCountry: "PAK", TLP: TLPAmber, ReleasableTo: []string{"IRN"}}},
			Name: name}
	}
	link := func(ids map[string]string, key, from, to string, typ RelationType) *Relationship {
		return &Relationship{Meta: Meta{ID: StableID("", key), CreatedAt: at, CreatedBy: "t",
			Handling: Handling{OriginatorOrg: "FIA", OriginatorCountry: "PAK", TLP: TLPClear}},
			Type: typ, From: ids[from], To: ids[to]}
	}

	t.Run("a record read again from another line is unchanged", func(t *testing.T) {
		p, ids := planFixture(fiaInvestigator)
		cs := &ChangeSet{Put: []Entity{suspect(ids, "Suspect", "b.csv:9")}}
		res, err := p.Decide(cs, []PlannedItem{{Content: `{"name":"Suspect"}`}}, nil)
		if err != nil || res.Unchanged != 1 || len(p.EntityWrites) != 0 {
			t.Fatalf("got %+v, %v, writes %v; want one unchanged, no write", res, err, p.EntityWrites)
		}
	})
	t.Run("a changed record is written once, as the last put leaves it", func(t *testing.T) {
		p, ids := planFixture(fiaInvestigator)
		cs := &ChangeSet{Put: []Entity{suspect(ids, "Suspect A", ""), suspect(ids, "Suspect B", "")}}
		res, err := p.Decide(cs, []PlannedItem{{Content: "A"}, {Content: "B"}}, nil)
		if err != nil || res.Updated != 2 || len(p.EntityWrites) != 1 {
			t.Fatalf("got %+v, %v, writes %v", res, err, p.EntityWrites)
		}
		if st := p.Entities[ids["suspect"]]; st.Put != 1 || st.Form.Content != "B" {
			t.Fatalf("writes put %d with %q, want the second", st.Put, st.Form.Content)
		}
	})
	t.Run("another organisation may see but not edit", func(t *testing.T) {
		p, ids := planFixture(iranLiaison)
		_, err := p.Decide(&ChangeSet{Put: []Entity{suspect(ids, "X", "")}}, []PlannedItem{{Content: "X"}}, nil)
		if ErrorCode(err) != EFORBIDDEN {
			t.Fatalf("got %v, want FORBIDDEN", err)
		}
	})
	t.Run("a record not released to the viewer is not found", func(t *testing.T) {
		p, ids := planFixture(greekLiaison)
		_, err := p.Decide(&ChangeSet{Put: []Entity{suspect(ids, "X", "")}}, []PlannedItem{{Content: "X"}}, nil)
		if ErrorCode(err) != ENOTFOUND {
			t.Fatalf("got %v, want NOT_FOUND", err)
		}
	})
	t.Run("a victim's phone is hidden from those who may not see the victim", func(t *testing.T) {
		for _, tc := range []struct {
			v    *Viewer
			want string
		}{{fiaInvestigator, ENOTFOUND}, {iranLiaison, ENOTFOUND}, {fiaCleared, ""}} {
			p, ids := planFixture(tc.v)
			cs := &ChangeSet{Link: []*Relationship{link(ids, "suspect uses", "suspect", "phone", RelUses)}}
			_, err := p.Decide(cs, nil, []PlannedItem{{Content: "{}"}})
			if got := ErrorCode(err); got != tc.want && !(tc.want == "" && err == nil) {
				t.Errorf("%s: got %v, want %q", tc.v.Subject, err, tc.want)
			}
		}
	})
	t.Run("unlinking a holder's tie deletes it and forgets the holder", func(t *testing.T) {
		p, ids := planFixture(fiaCleared) // only the cleared may see the victim, hence unlink the tie
		cs := &ChangeSet{Unlink: []string{ids["uses"]}}
		res, err := p.Decide(cs, nil, nil)
		if err != nil || res.Deleted != 1 || len(p.Deleted) != 1 || len(p.Entities[ids["phone"]].Holders) != 0 {
			t.Fatalf("got %+v, %v, deleted %v", res, err, p.Deleted)
		}
	})
	t.Run("a relationship linked and unlinked in one change set is neither written nor deleted", func(t *testing.T) {
		p, ids := planFixture(fiaInvestigator)
		l := link(ids, "suspect knows suspect", "suspect", "suspect", RelAssociateOf)
		cs := &ChangeSet{Link: []*Relationship{l}, Unlink: []string{l.ID}}
		res, err := p.Decide(cs, nil, []PlannedItem{{Content: "{}"}})
		if err != nil || res.Created != 1 || res.Deleted != 1 || len(p.Deleted) != 0 || p.Relationships[l.ID].Exists {
			t.Fatalf("got %+v, %v, deleted %v", res, err, p.Deleted)
		}
	})
	t.Run("a relationship must join kinds its type joins", func(t *testing.T) {
		p, ids := planFixture(fiaCleared)
		cs := &ChangeSet{Link: []*Relationship{link(ids, "bad", "phone", "suspect", RelMemberOf)}}
		if _, err := p.Decide(cs, nil, []PlannedItem{{Content: "{}"}}); ErrorCode(err) != EINVALID {
			t.Fatalf("got %v, want BAD_USER_INPUT", err)
		}
	})
	t.Run("a relationship may name a person a victim only when the record says so", func(t *testing.T) {
		party := func(ids map[string]string, key, from string, role PartyRole) *Relationship {
			ids["case"] = StableID(KindCase, "case")
			r := link(ids, key, from, "case", RelPartyTo)
			r.Role = string(role)
			return r
		}
		withCase := func(v *Viewer) (*ChangePlan, map[string]string) {
			p, ids := planFixture(v)
			p.Entities[StableID(KindCase, "case")] = &PlannedEntity{Exists: true, InStore: true, Kind: KindCase,
				Form: StoredForm{Handling: Handling{OriginatorOrg: "FIA", OriginatorCountry: "PAK", TLP: TLPClear}}}
			return p, ids
		}
		for _, v := range []*Viewer{fiaInvestigator, SystemViewer()} {
			p, ids := withCase(v)
			for _, r := range []*Relationship{party(ids, "v1", "suspect", PartyVictim), link(ids, "t1", "victim", "suspect", RelTrafficked)} {
				if _, err := p.Decide(&ChangeSet{Link: []*Relationship{r}}, nil, []PlannedItem{{Content: "{}"}}); ErrorCode(err) != EINVALID {
					t.Errorf("%s %s of the suspect: %v, want BAD_USER_INPUT", r.Type, r.Role, err)
				}
			}
			p, ids = withCase(v)
			cs := &ChangeSet{Link: []*Relationship{party(ids, "v2", "victim", PartyVictim), party(ids, "w1", "suspect", PartyWitness),
				link(ids, "t2", "suspect", "victim", RelTrafficked)}}
			if res, err := p.Decide(cs, nil, []PlannedItem{{Content: "{}"}, {Content: "{}"}, {Content: "{}"}}); err != nil || res.Created != 3 {
				t.Errorf("naming the victim: %+v, %v; want three created", res, err)
			}
		}
		// A record that a relationship names a victim's keeps its victim details.
		for _, c := range []struct {
			named bool
			want  string // error code
		}{{true, EINVALID}, {false, ""}} {
			p, ids := planFixture(fiaCleared)
			p.Entities[ids["victim"]].NamedVictim = c.named
			e := &Person{Meta: Meta{ID: ids["victim"], Kind: KindPerson,
				Handling: Handling{OriginatorOrg: "FIA", OriginatorCountry: "PAK", TLP: TLPClear}}, Name: "Victim"}
			_, err := p.Decide(&ChangeSet{Put: []Entity{e}}, []PlannedItem{{Content: `{"name":"Victim"}`}}, nil)
			if ErrorCode(err) != c.want {
				t.Errorf("victim details removed, named a victim %t: %v, want code %q", c.named, err, c.want)
			}
		}
		// The record as the change set's puts leave it counts: recorded a victim, then named one.
		p, ids := withCase(fiaInvestigator)
		s := suspect(ids, "Suspect", "")
		s.Victim = &VictimDetails{AgeGroup: AgeGroupUnknown}
		cs := &ChangeSet{Put: []Entity{s}, Link: []*Relationship{party(ids, "v3", "suspect", PartyVictim)}}
		if res, err := p.Decide(cs, []PlannedItem{{Content: "{}"}}, []PlannedItem{{Content: "{}"}}); err != nil || res.Created != 1 {
			t.Errorf("recorded a victim, then named one: %+v, %v", res, err)
		}
	})
	t.Run("a redacted record cannot be written back", func(t *testing.T) {
		p, ids := planFixture(fiaCleared)
		e := suspect(ids, "X", "")
		e.Redacted = true
		if _, err := p.Decide(&ChangeSet{Put: []Entity{e}}, []PlannedItem{{Content: "X"}}, nil); ErrorCode(err) != EFORBIDDEN {
			t.Fatalf("got %v, want FORBIDDEN", err)
		}
	})
	t.Run("an item that cannot be encoded fails with its own error", func(t *testing.T) {
		p, ids := planFixture(fiaInvestigator)
		bad := errors.New("cannot encode")
		if _, err := p.Decide(&ChangeSet{Put: []Entity{suspect(ids, "X", "")}}, []PlannedItem{{Err: bad}}, nil); !errors.Is(err, bad) {
			t.Fatalf("got %v, want the item's error", err)
		}
	})
}
