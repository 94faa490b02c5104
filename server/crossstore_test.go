package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/auth"
	"github.com/sarhad/sarhad/graph"
	"github.com/sarhad/sarhad/seed/demo"
	"github.com/sarhad/sarhad/store/sqlite"
)

// The cross-store test loads the demo dataset into every available store and runs a fixed set of
// GraphQL operations — every root field, as several viewers — through the real handler, requiring
// identical JSON from each store.

type namedStore struct {
	name string
	open func(t *testing.T) sarhad.Store
}

func openSQLite(t *testing.T) sarhad.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// crossViewers are the viewers every operation runs as.
func crossViewers() map[string]*sarhad.Viewer {
	return map[string]*sarhad.Viewer{
		"iran-liaison":   {Subject: "x-irn", Roles: []sarhad.Role{sarhad.RoleLiaisonOfficer}, Country: "IRN", Org: demo.OrgIranPolice},
		"greek-liaison":  {Subject: "x-grc", Roles: []sarhad.Role{sarhad.RoleLiaisonOfficer}, Country: "GRC", Org: demo.OrgHellenicPolice},
		"grw-analyst":    {Subject: "x-an", Roles: []sarhad.Role{sarhad.RoleAnalyst}, Country: "PAK", Org: demo.OrgFIAGujranwala},
		"khi-cleared":    {Subject: "x-khi", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: "PAK", Org: demo.OrgFIAKarachi, Clearances: []string{sarhad.ClearanceVictimPII}},
		"lahore-admin":   {Subject: "x-adm", Roles: []sarhad.Role{sarhad.RoleAdmin}, Country: "PAK", Org: demo.OrgFIALahore},
		"sarhad-auditor": {Subject: "x-aud", Roles: []sarhad.Role{sarhad.RoleAuditor}, Country: "PAK", Org: demo.OrgSarhad},
	}
}

type crossOp struct {
	name, query string
	vars        map[string]any
}

// crossOps is the fixed set of operations: every root field.
func crossOps() []crossOp {
	entity := `id kind displayName handling { originatorOrg originatorCountry tlp releasableTo } sources { id sourceTitle: title grading }
		createdAt createdBy updatedAt updatedBy`
	person := `name aliases fatherName gender birthDate nationalities { alpha3 } occupation isVictim redacted
		victim { ageGroup exploitation vulnerabilities identifiedOn assistance }
		identifiers { id displayName } organizations { id name } cases { role case { id reference } }`
	all := `... on Entity { ` + entity + ` relationships(first: 100) { id type role since until date amount { amount currency } order mode weight note from { id } to { id } handling { tlp } } }
		... on Person { ` + person + ` }
		... on Organization { name aliases orgCategory: category orgCountry: country { alpha3 } description members { id } routes { id } }
		... on Case { reference title agency caseCountry: country { alpha3 } offences stage registeredOn chargeSheetedOn decidedOn closedOn summary
			parties { role party { id displayName } relationship { id } } events { id occurredOn } routes { id } }
		... on Route { name description fee { amount currency } activeFrom activeTo stops { order mode place { id name } } operators { id } }
		... on Place { name aliases placeCategory: category placeCountry: country { alpha3 } location { lat lon } approximate description routes { id } }
		... on Event { eventCategory: category occurredOn description personsCount place { id } participants { id } cases { id } }
		... on Phone { number phoneCountry: country { alpha3 } holders { id } }
		... on IdentityDocument { documentType number issuingCountry { alpha3 } authenticity issuedOn expiresOn holders { id } }
		... on BankAccount { bank accountNumber holderName holders { id } }
		... on CooperationRequest { reference coopCategory: category requestingCountry { alpha3 } requestedCountry { alpha3 } status sentOn respondedOn concerns { id } }
		... on Source { sourceTitle: title sourceCategory: category originator date reliability credibility grading }`
	page := func(field, filter string) crossOp {
		return crossOp{name: field + filter, query: `query($after: String) { ` + field + `(first: 25, after: $after` + filter + `) {
			totalCount pageInfo { hasNextPage endCursor startCursor } edges { cursor node { ... on Entity { ` + all + ` } } } } }`}
	}
	ids := []string{demo.KingpinID(), demo.BrokerID(), demo.VictimID(), demo.ChaudhryGroupID(), demo.FIALahoreID(),
		demo.TaftanRouteID(), demo.PylosCaseID(), demo.PylosWreckID(), demo.SharedPhoneID(), demo.PlaceID("Taftan"), sarhad.CountryID("PAK")}
	ops := []crossOp{
		{name: "me", query: `{ me { subject name roles country organization clearances } }`},
		{name: "countries", query: `{ countries { id name alpha2 alpha3 numeric region } }`},
		{name: "country", query: `{ a: country(code: "pk") { id name } b: country(code: "GRC") { id } }`},
		{name: "nodes", query: `query($ids: [ID!]!) { nodes(ids: $ids) { id ` + all + ` } }`, vars: map[string]any{"ids": ids}},
		page("persons", ""),
		page("persons", `, filter: {nationalities: ["AF", "BGD"], caseRoles: [VICTIM, ACCUSED]}`),
		page("organizations", ""),
		page("cases", ""),
		page("cases", `, filter: {stages: [CONVICTED, ON_TRIAL, CHARGE_SHEETED], offences: [PSMA_2018_SMUGGLING], registeredFrom: "2022-01-01", registeredTo: "2023-06-30"}`),
		page("routes", ""),
		page("places", `, filter: {categories: [BORDER_CROSSING, SEAPORT]}`),
		{name: "neighbourhood", query: `query($id: ID!) { neighbourhood(id: $id, depth: 2, limit: 300) { truncated
			nodes { id displayName } edges { id type from { id } to { id } } } }`, vars: map[string]any{"id": demo.KingpinID()}},
		{name: "shortestPaths", query: `query($a: ID!, $b: ID!) { shortestPaths(from: $a, to: $b, all: true) { length
			nodes { id } edges { id type } } }`, vars: map[string]any{"a": demo.KingpinID(), "b": demo.BrokerID()}},
		{name: "keyPlayers", query: `query($org: ID!) { a: keyPlayers(scope: $org, measure: BETWEENNESS, first: 20) { rank score entity { id } }
			b: keyPlayers(measure: DEGREE, first: 20) { rank score entity { id } }
			c: keyPlayers(measure: CLOSENESS, first: 10) { rank score entity { id } } }`, vars: map[string]any{"org": demo.ChaudhryGroupID()}},
		{name: "communities", query: `query($org: ID!) { communities(scope: $org) { id size modularity members { id } } }`,
			vars: map[string]any{"org": demo.ChaudhryGroupID()}},
		{name: "sharedIdentifiers", query: `{ sharedIdentifiers(first: 100) { kind value holderCount records { id displayName }
			holders { holder { id displayName } identifier { id } relationship { id type } } } }`},
		{name: "crossBorderFlows", query: `{ a: crossBorderFlows { origin { alpha3 } destination { alpha3 } transit { alpha3 } routes { id }
			cases persons crossings { from { id } to { id } mode cases persons } }
			b: crossBorderFlows(from: "2022-01-01", to: "2023-06-30", origin: "PK", via: "IRN") { origin { alpha3 } destination { alpha3 } cases persons } }`},
		{name: "borderCrossings", query: `{ a: borderCrossings { place { id name } crossings interceptions personsCrossed personsIntercepted cases routes { id } }
			b: borderCrossings(from: "2022-01-01", country: "PK") { place { id } crossings interceptions cases } }`},
		{name: "caseStatistics", query: `{ a: caseStatistics(groupBy: [YEAR, STAGE]) { groupBy suppressionThreshold cells { key { dimension value label }
			casesRegistered underInvestigation chargeSheeted convicted acquitted personsArrested victimsIdentified victimsReferred suppressed } }
			b: caseStatistics(groupBy: [ROUTE, OFFENCE], from: "2022-01-01", filter: {agencies: ["FIA AHTC Gujranwala"]}) { cells { key { value label }
			casesRegistered convicted personsArrested victimsIdentified victimsReferred suppressed } }
			c: caseStatistics(groupBy: []) { cells { casesRegistered underInvestigation chargeSheeted convicted acquitted personsArrested victimsIdentified victimsReferred } } }`},
		{name: "timeline", query: `query($a: ID!, $b: ID!, $c: ID!) { a: timeline(id: $a) { event { id occurredOn } places { id } parties { entity { id displayName } role } cases { id } }
			b: timeline(id: $b) { event { id } parties { entity { id } role } }
			c: timeline(id: $c, from: "2022-01-01", to: "2023-12-31") { event { id } } }`,
			vars: map[string]any{"a": demo.TaftanRouteID(), "b": demo.ChaudhryGroupID(), "c": demo.PlaceID("Taftan")}},
		{name: "auditLog", query: `{ auditLog(first: 5) { totalCount nodes { subject operationName operationType outcome } } }`},
	}
	for i, id := range ids {
		ops = append(ops, crossOp{name: "node" + string(rune('A'+i)), query: `query($id: ID!) { node(id: $id) { id ` + all + ` } }`, vars: map[string]any{"id": id}})
	}
	for _, text := range []string{"Mohammed Husain Choudhry", "Achakzai", "Rahman", "Taftan", "+923004561230", demo.VictimName} {
		ops = append(ops, crossOp{name: "search " + text, query: `query($t: String!) { search(text: $t, first: 30) { totalCount
			pageInfo { hasNextPage endCursor } edges { cursor score node { id kind displayName } } } }`, vars: map[string]any{"t": text}})
	}
	return ops
}

// crossAnswers loads the demo data into a store and returns every operation's answer per viewer,
// following pagination to the end.
func crossAnswers(t *testing.T, st sarhad.Store) map[string]string {
	t.Helper()
	if _, err := demo.Load(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	svc := &sarhad.Service{Store: st, Now: time.Now, Rand: rand.Reader}
	secret := []byte("cross-store-secret-cross-store-secret")
	srv := httptest.NewServer(auth.Middleware(auth.NewHS256(secret, "", "", time.Now), graph.NewHandler(svc, st, graph.Options{})))
	defer srv.Close()
	out := map[string]string{}
	viewers := crossViewers()
	for _, vname := range slices.Sorted(maps.Keys(viewers)) {
		v := viewers[vname]
		tok, err := auth.Mint(secret, v, "", time.Now(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		for _, op := range crossOps() {
			vars := map[string]any{}
			for k, val := range op.vars {
				vars[k] = val
			}
			for pageNo := 0; ; pageNo++ {
				body, _ := json.Marshal(map[string]any{"query": op.query, "variables": vars})
				req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+tok)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				buf.ReadFrom(res.Body)
				res.Body.Close()
				key := vname + " / " + op.name + " / page " + string(rune('0'+pageNo))
				out[key] = normalizeErrors(buf.Bytes())
				next := nextCursor(buf.Bytes())
				if next == "" || pageNo > 20 {
					break
				}
				vars["after"] = next
			}
		}
	}
	return out
}

// nextCursor finds pageInfo.endCursor of a list answer that has a next page.
func nextCursor(body []byte) string {
	var r struct {
		Data map[string]struct {
			PageInfo *struct {
				HasNextPage bool
				EndCursor   string
			}
		}
	}
	if json.Unmarshal(body, &r) != nil {
		return ""
	}
	for _, f := range r.Data {
		if f.PageInfo != nil && f.PageInfo.HasNextPage {
			return f.PageInfo.EndCursor
		}
	}
	return ""
}

func TestSameAnswersOnEveryStore(t *testing.T) {
	stores := append([]namedStore{{"sqlite", openSQLite}}, neo4jStores(t)...)
	if len(stores) == 1 {
		// Without a second adapter, a second embedded store still proves the answers are
		// deterministic, which the comparison relies on.
		stores = append(stores, namedStore{"sqlite (second file)", openSQLite})
	}
	base := crossAnswers(t, stores[0].open(t))
	if len(base) < 100 {
		t.Fatalf("only %d answers", len(base))
	}
	// Errors compare equal too easily: only the auditor, who may not read the graph, and the
	// readers of the audit trail may get them.
	for key, answer := range base {
		if strings.Contains(answer, `"errors"`) && !strings.HasPrefix(key, "sarhad-auditor") && !strings.Contains(key, "auditLog") {
			t.Errorf("%s: %.300s", key, answer)
		}
	}
	for _, s := range stores[1:] {
		t.Run(s.name, func(t *testing.T) {
			got := crossAnswers(t, s.open(t))
			diffs := 0
			for key, want := range base {
				if got[key] != want {
					diffs++
					if diffs <= 5 {
						t.Errorf("%s differs:\n%s: %.600s\nsqlite: %.600s", key, s.name, got[key], want)
					}
				}
			}
			if diffs > 0 {
				t.Errorf("%d of %d answers differ", diffs, len(base))
			}
		})
	}
}

// normalizeErrors sorts a response's errors by path: root fields resolve concurrently, so the order
// of their errors is unspecified.
func normalizeErrors(body []byte) string {
	var r map[string]any
	if json.Unmarshal(body, &r) != nil {
		return string(body)
	}
	if errs, ok := r["errors"].([]any); ok {
		slices.SortStableFunc(errs, func(a, b any) int {
			pa, _ := json.Marshal(a.(map[string]any)["path"])
			pb, _ := json.Marshal(b.(map[string]any)["path"])
			return bytes.Compare(pa, pb)
		})
	}
	out, _ := json.Marshal(r)
	return string(out)
}
