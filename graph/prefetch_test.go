package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/graph"
)

// overlapStore tells whether the relationships of an entity are read while the entity is: its
// Entities waits (up to a while) for a Neighbours or NeighboursThen call to start, and reports
// whether one did. It counts those calls and those under way; with failFirst or explodeFirst set the first
// call fails or panics, and with hold set every call lasts until its context is done.
type overlapStore struct {
	sarhad.Store
	mu                      sync.Mutex
	started                 chan struct{} // closed by the first Neighbours call
	overlapped              bool          // a Neighbours call started while Entities waited
	calls, underway         int           // relationship calls: Neighbours and NeighboursThen
	thenCalls               int           // NeighboursThen calls
	failFirst, explodeFirst bool
	hold                    bool
}

func (s *overlapStore) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.started, s.overlapped, s.calls, s.thenCalls = make(chan struct{}), false, 0, 0
}

func (s *overlapStore) Entities(ctx context.Context, ids []string) ([]sarhad.Entity, error) {
	s.mu.Lock()
	started := s.started
	s.mu.Unlock()
	select {
	case <-started:
		s.mu.Lock()
		s.overlapped = true
		s.mu.Unlock()
	case <-time.After(5 * time.Second):
	}
	return s.Store.Entities(ctx, ids)
}

func (s *overlapStore) Neighbours(ctx context.Context, q sarhad.RelationshipQuery) ([]*sarhad.Relationship, []sarhad.Entity, error) {
	defer s.begin()()
	if err := s.behave(ctx); err != nil {
		return nil, nil, err
	}
	return s.Store.Neighbours(ctx, q)
}

func (s *overlapStore) NeighboursThen(ctx context.Context, q sarhad.ThenQuery) (*sarhad.Hops, error) {
	defer s.begin()()
	s.mu.Lock()
	s.thenCalls++
	s.mu.Unlock()
	if err := s.behave(ctx); err != nil {
		return nil, err
	}
	return s.Store.NeighboursThen(ctx, q)
}

// begin counts a relationship call as started and under way, and returns its end.
func (s *overlapStore) begin() (end func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.started:
	default:
		close(s.started)
	}
	s.calls++
	s.underway++
	return func() {
		s.mu.Lock()
		s.underway--
		s.mu.Unlock()
	}
}

// behave holds, fails or panics as the store is set to, for the call begin counted.
func (s *overlapStore) behave(ctx context.Context) error {
	s.mu.Lock()
	first, hold := s.calls == 1, s.hold
	fail, explode := first && s.failFirst, first && s.explodeFirst
	s.mu.Unlock()
	if hold {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Minute):
		}
	}
	if explode {
		panic("neighbours exploded")
	}
	if fail {
		return errors.New("neighbours failed")
	}
	return nil
}

// counts returns the Neighbours calls since reset and those under way.
func (s *overlapStore) counts() (calls, underway int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls, s.underway
}

// network is a case of seedCases with one more accused, Waqas Butt, who is a member of a network
// operating the route the case concerns, and uses a phone; the route stops at Taftan.
type network struct{ caseID, person, org, phone, place, route string }

func seedNetwork(e *env) network {
	n := network{caseID: e.seedCases(1)[0]}
	n.person = e.create(&sarhad.Person{Name: "Waqas Butt", Gender: sarhad.GenderMale, Nationalities: []string{"PAK"}}, nil)
	n.org = e.create(&sarhad.Organization{Name: "Butt Network", Category: sarhad.OrgCriminalNetwork, Country: "PAK"}, nil)
	e.link(sarhad.RelMemberOf, n.person, n.org, sarhad.RelationProps{})
	e.link(sarhad.RelPartyTo, n.person, n.caseID, sarhad.RelationProps{Role: "ACCUSED"})
	n.phone = e.create(&sarhad.Phone{Number: "+923331112223"}, nil)
	e.link(sarhad.RelUses, n.person, n.phone, sarhad.RelationProps{})
	n.place = e.create(&sarhad.Place{Name: "Taftan", Category: sarhad.PlaceBorderCrossing, Country: "PAK"}, nil)
	n.route = e.create(&sarhad.Route{Name: "Quetta–Taftan"}, nil)
	e.link(sarhad.RelHasStop, n.route, n.place, sarhad.RelationProps{Order: 1})
	e.link(sarhad.RelOperatesRoute, n.org, n.route, sarhad.RelationProps{})
	e.link(sarhad.RelAlongRoute, n.caseID, n.route, sarhad.RelationProps{})
	return n
}

// TestNodeReadsItsRelationshipFieldsMeanwhile: the relationship fields selected on the entity of
// the node field are read while the entity is, each with the store call its resolver would make
// (a different call would be a third store call), and their answers are the fields' own.
func TestNodeReadsItsRelationshipFieldsMeanwhile(t *testing.T) {
	e := newEnv(t)
	n := seedNetwork(e)
	caseID, person, org, phone, place, route := n.caseID, n.person, n.org, n.phone, n.place, n.route
	event := e.create(&sarhad.Event{Category: sarhad.EventInterception, OccurredOn: "2024-03-09"}, nil)
	e.link(sarhad.RelOccurredAt, event, place, sarhad.RelationProps{})
	e.link(sarhad.RelInvolvedIn, person, event, sarhad.RelationProps{})
	e.link(sarhad.RelRecordedIn, event, caseID, sarhad.RelationProps{})
	request := e.create(&sarhad.CooperationRequest{Reference: "MLA/PK-IR/2024/1", Category: sarhad.CoopMutualLegalAssistance,
		RequestingCountry: "PAK", RequestedCountry: "IRN", Status: sarhad.CoopSent}, nil)
	e.link(sarhad.RelConcerns, request, person, sarhad.RelationProps{})
	holders := map[string]sarhad.Entity{
		"BankAccount":      &sarhad.BankAccount{Bank: "Meezan Bank", AccountNumber: "PK36MEZN0001234567890123", Country: "PAK"},
		"IdentityDocument": &sarhad.IdentityDocument{DocumentType: sarhad.DocumentPassport, Number: "AB7654321", Authenticity: sarhad.AuthenticityGenuine},
		"Vehicle":          &sarhad.Vehicle{Category: sarhad.VehicleBoat, Registration: "GWD-77"},
		"Address":          &sarhad.Address{Line: "House 12, Street 4", City: "Quetta", Country: "PAK"},
		"OnlineAccount":    &sarhad.OnlineAccount{Platform: "WhatsApp", Handle: "+923331112223"},
	}
	ids := map[string]string{"Case": caseID, "Person": person, "Organization": org, "Phone": phone, "Place": place,
		"Route": route, "Event": event, "CooperationRequest": request}
	for typ, ent := range holders {
		ids[typ] = e.create(ent, nil)
	}
	holds := map[string]sarhad.RelationType{"BankAccount": sarhad.RelOwns, "IdentityDocument": sarhad.RelHoldsDocument,
		"Vehicle": sarhad.RelUses, "Address": sarhad.RelLivesAt, "OnlineAccount": sarhad.RelUses}
	for typ, rel := range holds {
		e.link(rel, person, ids[typ], sarhad.RelationProps{})
	}

	// Each field, with an id its answer must hold: it has at least that one, so an answer read
	// for another field or another entity shows.
	fields := []struct{ typ, field, selection, want string }{
		{"Case", "parties", "parties { party { id } }", person},
		{"Case", "events", "events { id }", event},
		{"Case", "routes", "routes { id }", route},
		{"Person", "cases", "cases { case { id } }", caseID},
		{"Person", "identifiers", "identifiers { id }", phone},
		{"Person", "organizations", "organizations { id }", org},
		{"Organization", "members", "members { id }", person},
		{"Organization", "routes", "routes { id }", route},
		{"Route", "stops", "stops { place { id } }", place},
		{"Route", "operators", "operators { id }", org},
		{"Place", "routes", "routes { id }", route},
		{"Event", "place", "place { id }", place},
		{"Event", "participants", "participants { id }", person},
		{"Event", "cases", "cases { id }", caseID},
		{"CooperationRequest", "concerns", "concerns { id }", person},
		{"Phone", "holders", "holders { id }", person},
	}
	for typ := range holders {
		fields = append(fields, struct{ typ, field, selection, want string }{typ, "holders", "holders { id }", person})
	}
	st := &overlapStore{Store: e.store}
	e.useStore(st)
	for _, f := range fields {
		node, calls := askNode(e, st, ids[f.typ], `... on `+f.typ+` { `+f.selection+` }`)
		if !st.overlapped {
			t.Errorf("%s.%s: not read while the %s was", f.typ, f.field, f.typ)
		}
		if calls != 2 {
			t.Errorf("%s.%s: %d store calls, want 2 (the entity, the field)", f.typ, f.field, calls)
		}
		if node == nil || node[f.field] == nil {
			t.Errorf("%s.%s: no answer: %+v", f.typ, f.field, node)
			continue
		}
		if !containsID(node[f.field], f.want) {
			t.Errorf("%s.%s: %v does not hold %s", f.typ, f.field, node[f.field], f.want)
		}
	}
}

// TestNodeReadsTwoLevelsInOneCall: a relationship field selected on the entities that a field of
// the node's entity reaches (the phones of the parties of a case) is read with that field, in one
// store call (Store.NeighboursThen), while the entity is read; each answer is the field's own.
func TestNodeReadsTwoLevelsInOneCall(t *testing.T) {
	e := newEnv(t)
	n := seedNetwork(e)
	caseID, person, phone, route := n.caseID, n.person, n.phone, n.route
	accomplice := e.create(&sarhad.Person{Name: "Imran Butt", Gender: sarhad.GenderMale, Nationalities: []string{"PAK"}}, nil)
	e.link(sarhad.RelLeads, accomplice, n.org, sarhad.RelationProps{})
	other := e.create(&sarhad.Route{Name: "Taftan–Zahedan"}, nil)
	e.link(sarhad.RelHasStop, other, n.place, sarhad.RelationProps{Order: 1})

	levels := []struct{ name, id, selection, want string }{
		{"Case.parties.party.identifiers", caseID,
			"... on Case { parties { role party { ... on Person { name identifiers(kinds: [PHONE]) { id } } } } }", phone},
		{"Person.cases.case.routes", person, "... on Person { cases { case { routes { id } } } }", route},
		{"Person.organizations.members", person, "... on Person { organizations { members { id } } }", accomplice},
		{"Route.stops.place.routes", route, "... on Route { stops { place { routes { id } } } }", other},
	}
	st := &overlapStore{Store: e.store}
	e.useStore(st)
	for _, l := range levels {
		node, calls := askNode(e, st, l.id, l.selection)
		if !st.overlapped {
			t.Errorf("%s: not read while the entity was", l.name)
		}
		if calls != 2 || st.thenCalls != 1 {
			t.Errorf("%s: %d store calls (%d NeighboursThen), want 2 (the entity; both levels in one)", l.name, calls, st.thenCalls)
		}
		if !containsID(node, l.want) {
			t.Errorf("%s: %v does not hold %s", l.name, node, l.want)
		}
	}

	// The second level's answer is the field's own: the phones of each party, and only phones.
	var one struct {
		Node struct {
			Parties []struct {
				Party struct {
					Name        string
					Identifiers []struct{ ID string }
				}
			}
		}
	}
	e.mustDo(investigator, `query($id: ID!) { node(id: $id) { ... on Case { parties { party { ... on Person { name
		identifiers(kinds: [PHONE]) { id } } } } } } }`, map[string]any{"id": caseID}, &one)
	for _, p := range one.Node.Parties {
		want := 1 // each suspect of seedCases uses a phone and holds a passport; Waqas Butt uses a phone
		if len(p.Party.Identifiers) != want {
			t.Errorf("%s: identifiers %+v, want %d phone", p.Party.Name, p.Party.Identifiers, want)
		}
	}
	if len(one.Node.Parties) != 3 {
		t.Errorf("parties %+v, want 3", one.Node.Parties)
	}
}

// askNode asks an investigator's node(id:) with selection on it, st and the env's counting store
// reset first, and returns the node and the store calls the request made.
func askNode(e *env, st *overlapStore, id, selection string) (node map[string]any, calls int) {
	st.reset()
	e.store.reset()
	var out struct{ Node map[string]any }
	e.mustDo(investigator, `query($id: ID!) { node(id: $id) { id `+selection+` } }`, map[string]any{"id": id}, &out)
	return out.Node, e.store.reset()
}

// containsID reports whether a decoded JSON value holds the string id anywhere.
func containsID(v any, id string) bool {
	switch v := v.(type) {
	case string:
		return v == id
	case []any:
		for _, x := range v {
			if containsID(x, id) {
				return true
			}
		}
	case map[string]any:
		for _, x := range v {
			if containsID(x, id) {
				return true
			}
		}
	}
	return false
}

// TestNodeFieldReadFailing: when the store call that the node field started for a field fails,
// or panics, the field asks the store itself, and the answer is complete. (Without the node
// field's call, the field's own call is the first, and fails.)
func TestNodeFieldReadFailing(t *testing.T) {
	e := newEnv(t)
	caseID := e.seedCases(1)[0]
	st := &overlapStore{Store: e.store}
	e.useStore(st)
	const q = `query($id: ID!) { node(id: $id) { id ... on Case { reference parties { role } } } }`
	// With the phones of the parties, the call ahead reads both levels (NeighboursThen); when it
	// fails, the parties and then their phones are read by the fields.
	const nested = `query($id: ID!) { node(id: $id) { id ... on Case { reference
		parties { role party { ... on Person { identifiers(kinds: [PHONE]) { id } } } } } } }`
	for _, c := range []struct {
		name          string
		query         string
		fail, explode bool
		calls         int
	}{{"fails", q, true, false, 2}, {"panics", q, false, true, 2},
		{"fails (two levels)", nested, true, false, 3}, {"panics (two levels)", nested, false, true, 3}} {
		st.reset()
		st.failFirst, st.explodeFirst = c.fail, c.explode
		var out struct {
			Node struct {
				Parties []struct {
					Role  string
					Party struct{ Identifiers []struct{ ID string } }
				}
			}
		}
		if r := e.do(investigator, c.query, map[string]any{"id": caseID}, &out); len(r.Errors) > 0 {
			t.Errorf("the first store call %s: errors %+v", c.name, r.Errors)
		}
		if len(out.Node.Parties) != 2 {
			t.Errorf("the first store call %s: %d parties, want 2", c.name, len(out.Node.Parties))
		}
		for _, p := range out.Node.Parties {
			if c.query == nested && len(p.Party.Identifiers) != 1 {
				t.Errorf("the first store call %s: phones %+v, want one", c.name, p.Party.Identifiers)
			}
		}
		if calls, _ := st.counts(); calls != c.calls {
			t.Errorf("the first store call %s: %d relationship calls, want %d", c.name, calls, c.calls)
		}
	}
}

// TestNodeReadsNothingForNoAnswer: the node field starts no store call for a viewer whose role
// may not read the graph, and for a node it does not return (hidden from the viewer) it ends the
// calls it started before the response leaves.
func TestNodeReadsNothingForNoAnswer(t *testing.T) {
	e := newEnv(t)
	caseID := e.seedCases(1)[0] // AMBER, released to no one: hidden from a liaison officer of Iran
	st := &overlapStore{Store: e.store}
	e.useStore(st)
	const q = `query($id: ID!) { node(id: $id) { id ... on Case { parties { role } events { id } } } }`

	st.reset()
	if r := e.do(auditor, q, map[string]any{"id": caseID}, nil); r.code() != "FORBIDDEN" {
		t.Errorf("auditor: code %q, want FORBIDDEN", r.code())
	}
	if calls, _ := st.counts(); calls != 0 {
		t.Errorf("auditor: %d relationship calls, want none", calls)
	}

	// In process, with a request context that does not end with the response (the HTTP server's
	// would, and end the calls itself): each call lasts until the node field ends it.
	st.reset()
	st.hold = true
	h := graph.NewHandler(&sarhad.Service{Store: st, Now: e.svc.Now, Rand: e.svc.Rand}, st, e.opts)
	body, _ := json.Marshal(map[string]any{"query": q, "variables": map[string]any{"id": caseID}})
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body)).WithContext(sarhad.NewContext(context.Background(), iranOfficer))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	calls, underway := st.counts()
	if !strings.Contains(rec.Body.String(), `"node":null`) || strings.Contains(rec.Body.String(), `"errors"`) {
		t.Fatalf("hidden node: %s; want a null node", rec.Body.String())
	}
	if calls != 2 || underway != 0 {
		t.Errorf("hidden node: %d relationship calls, %d under way when the response came; want 2, none", calls, underway)
	}
}
