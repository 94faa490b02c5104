package graph_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"maps"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/auth"
	"github.com/sarhad/sarhad/graph"
	"github.com/sarhad/sarhad/seed/demo"
	"github.com/sarhad/sarhad/store/sqlite"
)

// The access tests run every read root field over the demo dataset as several viewers and compare
// what comes back with what the reference policy (sarhad.Handling.Visible, VictimIdentifierHidden,
// Protect) admits, computed here from the dataset itself.

// demoWorld is the demo dataset loaded once into an embedded store shared by the access tests
// (they only read).
type demoWorld struct {
	store    sarhad.Store
	entities map[string]sarhad.Entity
	rels     []*sarhad.Relationship
	holders  map[string][]sarhad.Handling // identifier id → handlings of the victims holding it
}

var loadDemo = sync.OnceValues(func() (*demoWorld, error) {
	dir, err := tempDir()
	if err != nil {
		return nil, err
	}
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		return nil, err
	}
	if _, err := demo.Load(context.Background(), st); err != nil {
		return nil, err
	}
	cs := demo.Dataset()
	w := &demoWorld{store: st, entities: map[string]sarhad.Entity{}, rels: cs.Link, holders: map[string][]sarhad.Handling{}}
	for _, e := range cs.Put {
		w.entities[e.EntityMeta().ID] = e
	}
	for _, r := range cs.Link {
		if p, ok := w.entities[r.From].(*sarhad.Person); ok && p.IsVictim() && slices.Contains(sarhad.HolderTypes, r.Type) {
			w.holders[r.To] = append(w.holders[r.To], p.Handling)
		}
	}
	return w, nil
})

func demoEnv(t *testing.T) (*env, *demoWorld) {
	t.Helper()
	w, err := loadDemo()
	if err != nil {
		t.Fatal(err)
	}
	svc := &sarhad.Service{Store: w.store, Now: time.Now, Rand: rand.Reader}
	e := &env{t: t, svc: svc, opts: graph.Options{}}
	srv := httptest.NewServer(auth.Middleware(auth.NewHS256(secret, "", "", time.Now), graph.NewHandler(svc, w.store, e.opts)))
	t.Cleanup(srv.Close)
	e.server = srv
	return e, w
}

// visible is the reference answer: may v see entity id?
func (w *demoWorld) visible(v *sarhad.Viewer, id string) bool {
	e := w.entities[id]
	if e == nil || !e.EntityMeta().Handling.Visible(v) {
		return false
	}
	return !sarhad.KindOf(e).IsIdentifier() || !sarhad.VictimIdentifierHidden(v, w.holders[id])
}

func (w *demoWorld) visibleRel(v *sarhad.Viewer, r *sarhad.Relationship) bool {
	return r.Handling.Visible(v) && w.visible(v, r.From) && w.visible(v, r.To)
}

func (w *demoWorld) expected(v *sarhad.Viewer, kind sarhad.EntityKind) []string {
	var out []string
	for id, e := range w.entities {
		if sarhad.KindOf(e) == kind && w.visible(v, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

var (
	grwInvestigator = &sarhad.Viewer{Subject: "grw-inv", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: "PAK", Org: demo.OrgFIAGujranwala}
	grwAnalyst      = &sarhad.Viewer{Subject: "grw-an", Roles: []sarhad.Role{sarhad.RoleAnalyst}, Country: "PAK", Org: demo.OrgFIAGujranwala}
	iranLiaison     = &sarhad.Viewer{Subject: "irn-lo", Roles: []sarhad.Role{sarhad.RoleLiaisonOfficer}, Country: "IRN", Org: demo.OrgIranPolice}
	greekLiaison    = &sarhad.Viewer{Subject: "grc-lo", Roles: []sarhad.Role{sarhad.RoleLiaisonOfficer}, Country: "GRC", Org: demo.OrgHellenicPolice}
	matrixViewers   = map[string]*sarhad.Viewer{"IranLiaison": iranLiaison, "GreekLiaison": greekLiaison, "GRWAnalyst": grwAnalyst, "GRWInvestigator": grwInvestigator}
)

// listAll pages through one list root field and returns the ids and the totalCount of the first page.
func listAll(e *env, v *sarhad.Viewer, field string) ([]string, int) {
	e.t.Helper()
	var ids []string
	total := -1
	after := any(nil)
	for {
		var out map[string]struct {
			TotalCount int
			PageInfo   struct {
				HasNextPage bool
				EndCursor   string
			}
			Nodes []struct{ ID string }
		}
		e.mustDo(v, fmt.Sprintf(`query($after: String) { %s(first: 200, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }`, field),
			map[string]any{"after": after}, &out)
		page := out[field]
		if total < 0 {
			total = page.TotalCount
		}
		for _, n := range page.Nodes {
			ids = append(ids, n.ID)
		}
		if !page.PageInfo.HasNextPage {
			break
		}
		after = page.PageInfo.EndCursor
	}
	slices.Sort(ids)
	return ids, total
}

func TestAuthorizationMatrixOnDemoData(t *testing.T) {
	e, w := demoEnv(t)
	lists := map[string]sarhad.EntityKind{"persons": sarhad.KindPerson, "organizations": sarhad.KindOrganization,
		"cases": sarhad.KindCase, "routes": sarhad.KindRoute, "places": sarhad.KindPlace}
	var allIDs []string
	for id := range w.entities {
		allIDs = append(allIDs, id)
	}
	slices.Sort(allIDs)
	seen := map[string][]string{}
	for name, v := range matrixViewers {
		t.Run(name, func(t *testing.T) {
			e.t = t
			for field, kind := range lists {
				got, total := listAll(e, v, field)
				want := w.expected(v, kind)
				if !slices.Equal(got, want) || total != len(want) {
					t.Errorf("%s: got %d ids (totalCount %d), want %d", field, len(got), total, len(want))
				}
				if kind == sarhad.KindPerson {
					seen[name] = got
				}
			}
			// node and nodes, for every record of the dataset.
			for chunk := range slices.Chunk(allIDs, 500) {
				var out struct{ Nodes []*struct{ ID string } }
				e.mustDo(v, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": chunk}, &out)
				for i, id := range chunk {
					if got := out.Nodes[i] != nil; got != w.visible(v, id) {
						t.Errorf("nodes: %s (%s) returned=%v, visible=%v", id, w.entities[id].EntityMeta().Handling.TLP, got, !got)
					}
				}
			}
			// Relationships, seen from every visible person and case.
			var anchors []string
			for _, id := range w.expected(v, sarhad.KindPerson) {
				anchors = append(anchors, id)
			}
			anchors = append(anchors, w.expected(v, sarhad.KindCase)...)
			for chunk := range slices.Chunk(anchors, 100) {
				var out struct {
					Nodes []struct {
						ID            string
						Relationships []struct{ ID string }
					}
				}
				e.mustDo(v, `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Entity { relationships(first: 500) { id } } } }`, map[string]any{"ids": chunk}, &out)
				for _, n := range out.Nodes {
					var got, want []string
					for _, r := range n.Relationships {
						got = append(got, r.ID)
					}
					for _, r := range w.rels {
						if (r.From == n.ID || r.To == n.ID) && w.visibleRel(v, r) {
							want = append(want, r.ID)
						}
					}
					slices.Sort(got)
					slices.Sort(want)
					if !slices.Equal(got, want) {
						t.Errorf("relationships of %s: got %d, want %d", n.ID, len(got), len(want))
					}
				}
			}
			// Search never finds a hidden record: look up every third person by name.
			for i, id := range slices.Sorted(maps.Keys(w.entities)) {
				p, ok := w.entities[id].(*sarhad.Person)
				if !ok || p.IsVictim() || i%3 != 0 {
					continue
				}
				var out struct {
					Search struct {
						Edges []struct{ Node struct{ ID string } }
					}
				}
				e.mustDo(v, `query($t: String!) { search(text: $t, kinds: [PERSON], first: 500) { edges { node { id } } } }`, map[string]any{"t": p.Name}, &out)
				found := false
				for _, ed := range out.Search.Edges {
					if !w.visible(v, ed.Node.ID) {
						t.Errorf("search %q returned hidden %s", p.Name, ed.Node.ID)
					}
					found = found || ed.Node.ID == id
				}
				if found != w.visible(v, id) {
					t.Errorf("search %q: found=%v, visible=%v", p.Name, found, w.visible(v, id))
				}
			}
			var countries struct{ Countries []struct{ ID string } }
			e.mustDo(v, `{ countries { id } }`, nil, &countries)
			if len(countries.Countries) != 249 {
				t.Errorf("%d countries", len(countries.Countries))
			}
			if r := e.do(v, `{ auditLog { totalCount } }`, nil, nil); r.code() != sarhad.EFORBIDDEN {
				t.Errorf("auditLog: %+v", r.Errors)
			}
		})
	}
	e.t = t
	// The two liaison officers see different subsets.
	if slices.Equal(seen["IranLiaison"], seen["GreekLiaison"]) || len(seen["IranLiaison"]) == 0 || len(seen["GreekLiaison"]) == 0 {
		t.Errorf("Iran and Greece see the same %d persons", len(seen["IranLiaison"]))
	}
}

// victimSecrets are the strings no viewer without the clearance may ever receive: victims' names
// and aliases, birth dates as birth dates, and the numbers of documents victims hold — except where
// a non-victim's own record carries the same value (a namesake, a father's name, a shared birthday).
func victimSecrets(w *demoWorld, v *sarhad.Viewer) []string {
	public := map[string]bool{}
	for _, e := range w.entities {
		if p, ok := e.(*sarhad.Person); ok && !p.IsVictim() {
			for _, n := range append(p.SearchNames(), p.FatherName) {
				public[`"`+n+`"`] = true
			}
			public[`"birthDate":"`+string(p.BirthDate)+`"`] = true
		}
	}
	var out []string
	for _, e := range w.entities {
		p, ok := e.(*sarhad.Person)
		if !ok || !p.IsVictim() || p.Handling.SeesVictimPII(v) {
			continue
		}
		for _, n := range p.SearchNames() {
			if !public[`"`+n+`"`] {
				out = append(out, `"`+n+`"`)
			}
		}
		if bd := `"birthDate":"` + string(p.BirthDate) + `"`; p.BirthDate != "" && !public[bd] {
			out = append(out, bd)
		}
	}
	for _, r := range w.rels {
		p, ok := w.entities[r.From].(*sarhad.Person)
		if doc, isDoc := w.entities[r.To].(*sarhad.IdentityDocument); ok && isDoc && p.IsVictim() && !p.Handling.SeesVictimPII(v) {
			out = append(out, doc.Number)
		}
	}
	return out
}

func TestNoVictimDetailsReachUnclearedViewers(t *testing.T) {
	e, w := demoEnv(t)
	lhrInvestigator := &sarhad.Viewer{Subject: "lhr-inv", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: "PAK", Org: demo.OrgFIALahore}
	viewers := map[string]*sarhad.Viewer{"IranLiaison": iranLiaison, "GreekLiaison": greekLiaison, "GRWAnalyst": grwAnalyst,
		"LahoreInvestigatorWithoutClearance": lhrInvestigator}
	var allIDs []string
	for id := range w.entities {
		allIDs = append(allIDs, id)
	}
	slices.Sort(allIDs)
	const personFields = `name aliases fatherName birthDate occupation victim { vulnerabilities identifiedOn }
		identifiers { displayName ... on IdentityDocument { number } ... on Phone { number } ... on Address { line } }
		relationships(first: 500) { from { displayName } to { displayName } }`
	const entityFields = `displayName ... on Person { ` + personFields + ` }
		... on Phone { holders { displayName } } ... on IdentityDocument { number holders { displayName } }
		... on Case { parties { party { displayName } } }
		... on Organization { members { name aliases } }
		... on Event { participants { displayName } }`
	const identifiers = `identifiers { displayName ... on IdentityDocument { number } ... on Phone { number } }`
	const twoLevels = `... on Case { parties { party { displayName ... on Person { name ` + identifiers + ` } } } }
		... on Organization { members { name ` + identifiers + ` } }
		... on Event { participants { displayName ... on Person { name ` + identifiers + ` } } }
		... on Phone { holders { displayName ... on Person { name organizations { name } } } }
		... on IdentityDocument { holders { displayName ... on Person { name ` + identifiers + ` } } }`
	for name, v := range viewers {
		t.Run(name, func(t *testing.T) {
			e.t = t
			secrets := victimSecrets(w, v)
			if len(secrets) == 0 {
				t.Fatal("no victim details to look for: the test would prove nothing")
			}
			var responses []string
			scan := func(what string, r *response) {
				if len(r.Errors) > 0 {
					t.Fatalf("%s: %+v", what, r.Errors)
				}
				responses = append(responses, string(r.Data))
			}
			for chunk := range slices.Chunk(allIDs, 100) {
				scan("nodes", e.do(v, `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Entity { `+entityFields+` } } }`, map[string]any{"ids": chunk}, nil))
			}
			// Through the node field, which reads two levels ahead in one store call (prefetch.go).
			for _, id := range allIDs {
				scan("node", e.do(v, `query($id: ID!) { node(id: $id) { id `+twoLevels+` } }`, map[string]any{"id": id}, nil))
			}
			for _, field := range []string{"persons", "organizations", "cases", "routes", "places"} {
				scan(field, e.do(v, `{ `+field+`(first: 100) { nodes { id ... on Entity { `+entityFields+` } } } }`, nil, nil))
			}
			for _, ent := range w.entities {
				if p, ok := ent.(*sarhad.Person); ok && p.IsVictim() {
					scan("search", e.do(v, `query($t: String!) { search(text: $t, first: 50) { totalCount edges { node { ... on Entity { `+entityFields+` } } } } }`,
						map[string]any{"t": p.Name}, nil))
				}
			}
			scan("me", e.do(v, `{ me { subject } countries { name } }`, nil, nil))
			all := strings.Join(responses, "\n")
			for _, s := range secrets {
				if i := strings.Index(all, s); i >= 0 {
					t.Errorf("a response contains victim detail %s: …%s…", s, all[max(0, i-300):min(len(all), i+100)])
				}
			}
			// And the pseudonyms are there instead.
			if !strings.Contains(all, "Victim V-") {
				t.Errorf("no pseudonym in any response")
			}
		})
	}
	e.t = t
	// A cleared investigator of the originating organisation does see the real names.
	cleared := &sarhad.Viewer{Subject: "khi-inv", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: "PAK", Org: demo.OrgFIAKarachi,
		Clearances: []string{sarhad.ClearanceVictimPII}}
	var out struct{ Node struct{ Name string } }
	e.mustDo(cleared, `query($id: ID!) { node(id: $id) { ... on Person { name } } }`, map[string]any{"id": demo.VictimID()}, &out)
	if out.Node.Name != demo.VictimName {
		t.Errorf("cleared investigator of the originating organisation sees %q, want %q", out.Node.Name, demo.VictimName)
	}
}

func tempDir() (string, error) { return os.MkdirTemp("", "sarhad-demo-") }

// TestCreateByKeyOverAProtectedVictim: a create with the source key of a victim's record lands on
// the victim's id. A colleague of the originating organisation without the clearance is refused
// (FORBIDDEN), as an update would be: the record stays a victim's, and the phone the victim uses
// stays hidden from them.
func TestCreateByKeyOverAProtectedVictim(t *testing.T) {
	e := newEnv(t)
	cleared := &sarhad.Viewer{Subject: "inv-pii", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: "PAK",
		Org: investigator.Org, Clearances: []string{sarhad.ClearanceVictimPII}}
	ctx := sarhad.NewContext(context.Background(), cleared)
	v, err := e.svc.Create(ctx, &sarhad.Person{Name: "Shazia Bibi", Victim: &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult}},
		sarhad.WriteOptions{SourceKey: "V-17"})
	if err != nil {
		t.Fatal(err)
	}
	victim := v.EntityMeta().ID
	phone := e.create(&sarhad.Phone{Number: "+923001234567"}, nil)
	if _, err := e.svc.Link(ctx, &sarhad.Relationship{Type: sarhad.RelUses, From: victim, To: phone}, sarhad.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, victimInput := range []string{"", `, victim: {ageGroup: ADULT}`} {
		r := e.do(investigator, `mutation { createPerson(input: {person: {name: "x"`+victimInput+`}, sourceKey: "V-17"}) { person { id name } } }`, nil, nil)
		if r.code() != sarhad.EFORBIDDEN || strings.Contains(string(r.Data), victim) {
			t.Errorf("createPerson over the victim's key%s: code %q, data %s; want FORBIDDEN and no id", victimInput, r.code(), r.Data)
		}
	}
	var after struct{ Node *struct{ Number string } }
	e.mustDo(investigator, `query($id: ID!) { node(id: $id) { ... on Phone { number } } }`, map[string]any{"id": phone}, &after)
	if after.Node != nil {
		t.Errorf("the uncleared colleague reads the victim's phone %q", after.Node.Number)
	}
	var rec struct {
		Node struct {
			Name   string
			Victim *struct{ AgeGroup string }
		}
	}
	e.mustDo(cleared, `query($id: ID!) { node(id: $id) { ... on Person { name victim { ageGroup } } } }`, map[string]any{"id": victim}, &rec)
	if rec.Node.Name != "Shazia Bibi" || rec.Node.Victim == nil {
		t.Errorf("the victim's record after the refused creates: %+v", rec.Node)
	}
}

// TestKeyedIDsHideTheirKeys: a record created with a source key gets an id derived from the key
// under the store's secret (sarhad.KeyedID), not from the key alone: a victim's record withholds
// its key, which may be an identity number, and trying candidate keys against the id must not find
// it. The same key still names the same record.
func TestKeyedIDsHideTheirKeys(t *testing.T) {
	e := newEnv(t)
	const key = "35202-1234567-2" // an identity number
	var first, again struct {
		CreatePerson struct{ Person struct{ ID string } }
	}
	const create = `mutation { createPerson(input: {person: {name: "Shazia Bibi"}, sourceKey: "` + key + `"}) { person { id } } }`
	e.mustDo(investigator, create, nil, &first)
	e.mustDo(investigator, create, nil, &again)
	id := first.CreatePerson.Person.ID
	if id == "" || again.CreatePerson.Person.ID != id {
		t.Fatalf("ids %q and %q, want one", id, again.CreatePerson.Person.ID)
	}
	if id == sarhad.StableID(sarhad.KindPerson, investigator.Org+"\x00"+key) {
		t.Error("the id is the hash of the organisation and the key alone: the key can be found by trying candidates")
	}
	secret, err := e.store.IDSecret(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if want := sarhad.KeyedID(secret, sarhad.KindPerson, investigator.Org, key); id != want {
		t.Errorf("id %s, want %s", id, want)
	}
}
