package ingest_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/ingest"
	"github.com/sarhad/sarhad/store/sqlite"
)

const (
	org     = "FIA-AHTC-GRW"
	country = "PAK"
)

var (
	clock1 = time.Date(2025, time.March, 14, 9, 0, 0, 0, time.UTC)
	clock2 = time.Date(2025, time.April, 2, 16, 30, 0, 0, time.UTC)
)

func openStore(t testing.TB) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func systemContext(t testing.TB) context.Context {
	return sarhad.NewContext(t.Context(), sarhad.SystemViewer())
}

func options(now time.Time) ingest.Options {
	return ingest.Options{Handling: sarhad.Handling{OriginatorOrg: org, OriginatorCountry: country},
		Now: func() time.Time { return now }}
}

var exampleFiles = []string{"persons.csv", "organizations.csv", "phones.csv", "cases.csv", "relationships.csv"}

// examplePaths lists the example files in dir; relationships.csv comes first on purpose: Run reads
// it after the entity files.
func examplePaths(dir string) []string {
	var out []string
	for _, f := range append([]string{"relationships.csv"}, exampleFiles[:4]...) {
		out = append(out, filepath.Join(dir, f))
	}
	return out
}

func run(t *testing.T, ctx context.Context, st sarhad.Store, files []string, opts ingest.Options) *ingest.Report {
	t.Helper()
	rep, err := ingest.Run(ctx, st, files, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return rep
}

// keyedIDs returns the ids records keyed in org get in store st (sarhad.KeyedID under the
// store's secret): id for an entity of a kind, relID for a relationship.
func keyedIDs(t testing.TB, st sarhad.Store) (id func(sarhad.EntityKind, string) string, relID func(string) string) {
	t.Helper()
	secret, err := st.IDSecret(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return func(k sarhad.EntityKind, key string) string { return sarhad.KeyedID(secret, k, org, key) },
		func(key string) string { return sarhad.KeyedID(secret, "", org, key) }
}

// graph is what a store holds, read back through the Store interface.
type graph struct {
	entities map[string]sarhad.Entity
	rels     map[string]*sarhad.Relationship
}

func (g *graph) count(kind sarhad.EntityKind) int {
	n := 0
	for _, e := range g.entities {
		if e.EntityMeta().Kind == kind {
			n++
		}
	}
	return n
}

func (g *graph) relsOf(typ sarhad.RelationType) []*sarhad.Relationship {
	var out []*sarhad.Relationship
	for _, r := range g.rels {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

func (g *graph) entity(t *testing.T, id string) sarhad.Entity {
	t.Helper()
	e, ok := g.entities[id]
	if !ok {
		t.Fatalf("no entity %s", id)
	}
	return e
}

func readGraph(t *testing.T, ctx context.Context, st sarhad.Store) *graph {
	t.Helper()
	g := &graph{entities: map[string]sarhad.Entity{}, rels: map[string]*sarhad.Relationship{}}
	var ids []string
	for _, kind := range sarhad.EntityKinds() {
		after := ""
		for {
			page, err := st.ListEntities(ctx, sarhad.ListQuery{Kind: kind, Page: sarhad.Page{First: sarhad.MaxPageSize, After: after}})
			if err != nil {
				t.Fatalf("ListEntities(%s): %v", kind, err)
			}
			for _, e := range page.Entities {
				g.entities[e.EntityMeta().ID] = e
				ids = append(ids, e.EntityMeta().ID)
				after = e.EntityMeta().ID
			}
			if !page.HasNextPage {
				break
			}
		}
	}
	if len(ids) > 0 {
		rels, err := st.Relationships(ctx, sarhad.RelationshipQuery{Anchors: ids, Direction: sarhad.DirOut})
		if err != nil {
			t.Fatalf("Relationships: %v", err)
		}
		for _, r := range rels {
			g.rels[r.ID] = r
		}
	}
	return g
}

func TestImportCSVExample(t *testing.T) {
	st, ctx := openStore(t), systemContext(t)
	id, relID := keyedIDs(t, st)
	dir := filepath.Join("testdata", "example")
	rep := run(t, ctx, st, examplePaths(dir), options(clock1))
	if len(rep.Rejected) > 0 {
		t.Fatalf("rejected: %v", rep.Rejected)
	}
	// 10 entities, 5 sources (one per file), 14 relationships.
	if rep.Files != 5 || rep.Read != 24 || rep.Created != 29 || rep.Updated != 0 || rep.Unchanged != 0 {
		t.Fatalf("report = %+v, want 5 files, 24 read, 29 created", rep)
	}
	g := readGraph(t, ctx, st)
	for kind, want := range map[sarhad.EntityKind]int{sarhad.KindPerson: 4, sarhad.KindOrganization: 2,
		sarhad.KindPhone: 3, sarhad.KindCase: 1, sarhad.KindSource: 5} {
		if got := g.count(kind); got != want {
			t.Errorf("%d %s entities, want %d", got, kind, want)
		}
	}
	if len(g.rels) != 14 {
		t.Errorf("%d relationships, want 14", len(g.rels))
	}

	personsSource := id(sarhad.KindSource, "import:persons.csv")
	src := g.entity(t, personsSource).(*sarhad.Source)
	if src.Title != "persons.csv" || src.Category != sarhad.SourceImport || src.Originator != org {
		t.Errorf("source = %+v", src)
	}

	tariq := g.entity(t, id(sarhad.KindPerson, "P-001")).(*sarhad.Person)
	if tariq.Name != "Tariq Mehmood" || !slices.Equal(tariq.Aliases, []string{"Tariq Bhai", "T. Mehmood"}) ||
		tariq.Gender != sarhad.GenderMale || tariq.BirthDate != "1978-04-12" || tariq.SourceKey != "P-001" ||
		!slices.Equal(tariq.SourceIDs, []string{personsSource}) || !tariq.CreatedAt.Equal(clock1) {
		t.Errorf("P-001 = %+v", tariq)
	}
	if h := tariq.Handling; h.OriginatorOrg != org || h.OriginatorCountry != country || h.TLP != sarhad.TLPAmber ||
		len(h.ReleasableTo) != 0 {
		t.Errorf("P-001 handling = %+v, want the defaults", h)
	}
	ghulam := g.entity(t, id(sarhad.KindPerson, "P-002")).(*sarhad.Person)
	if !slices.Equal(ghulam.Nationalities, []string{"AFG", "PAK"}) || ghulam.Handling.TLP != sarhad.TLPGreen ||
		!slices.Equal(ghulam.Handling.ReleasableTo, []string{"IRN", "PAK"}) {
		t.Errorf("P-002 = %+v (row handling not applied?)", ghulam)
	}
	victim := g.entity(t, id(sarhad.KindPerson, "P-003")).(*sarhad.Person)
	if !victim.IsVictim() || victim.Victim.AgeGroup != sarhad.AgeGroupAdult ||
		!slices.Equal(victim.Victim.Exploitation, []sarhad.Exploitation{sarhad.ExploitationForcedLabour, sarhad.ExploitationBondedLabour}) ||
		victim.Victim.IdentifiedOn != "2023-02-10" || victim.Handling.TLP != sarhad.TLPAmberStrict {
		t.Errorf("P-003 = %+v, victim %+v", victim, victim.Victim)
	}
	if p := g.entity(t, id(sarhad.KindPhone, "PH-001")).(*sarhad.Phone); p.Number != "+923001234567" {
		t.Errorf("PH-001 number = %q", p.Number)
	}
	if c := g.entity(t, id(sarhad.KindCase, "C-001")).(*sarhad.Case); c.Stage != sarhad.StageUnderInvestigation ||
		len(c.Offences) != 2 || c.RegisteredOn != "2023-02-11" {
		t.Errorf("C-001 = %+v", c)
	}

	pay := g.rels[relID("PAY-001")]
	if pay == nil || pay.Type != sarhad.RelPaid || pay.From != victim.ID || pay.To != tariq.ID ||
		pay.Amount == nil || *pay.Amount != (sarhad.Money{Amount: 850000, Currency: "PKR"}) || pay.Date != "2022-11-03" {
		t.Fatalf("PAY-001 = %+v", pay)
	}
	roles := map[string]string{}
	for _, r := range g.relsOf(sarhad.RelPartyTo) {
		roles[r.From] = r.Role
	}
	if roles[tariq.ID] != "ACCUSED" || roles[victim.ID] != "VICTIM" || roles[ghulam.ID] != "PROCLAIMED_OFFENDER" {
		t.Errorf("party roles = %v", roles)
	}
	derived := relID("USES:" + tariq.ID + ":" + id(sarhad.KindPhone, "PH-001"))
	if r := g.rels[derived]; r == nil || r.SourceKey != "USES:"+tariq.ID+":"+id(sarhad.KindPhone, "PH-001") {
		t.Errorf("USES P-001 → PH-001 has not the derived key: %+v", r)
	}
}

func TestImportTwiceChangesNothing(t *testing.T) {
	st, ctx := openStore(t), systemContext(t)
	files := examplePaths(filepath.Join("testdata", "example"))
	run(t, ctx, st, files, options(clock1))
	rep := run(t, ctx, st, files, options(clock2))
	if rep.Created != 0 || rep.Updated != 0 || rep.Unchanged != 29 || len(rep.Rejected) != 0 {
		t.Fatalf("second import = %+v, want 29 unchanged", rep)
	}
}

func copyExample(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range exampleFiles {
		b, err := os.ReadFile(filepath.Join("testdata", "example", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func edit(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestImportChangedRowUpdatesOneRecord(t *testing.T) {
	st, ctx := openStore(t), systemContext(t)
	id, _ := keyedIDs(t, st)
	dir := copyExample(t)
	run(t, ctx, st, examplePaths(dir), options(clock1))
	edit(t, filepath.Join(dir, "persons.csv"), "travel agent", "hajj and umrah agent")
	rep := run(t, ctx, st, examplePaths(dir), options(clock2))
	if rep.Created != 0 || rep.Updated != 1 || rep.Unchanged != 28 {
		t.Fatalf("report = %+v, want exactly one updated", rep)
	}
	es, err := st.Entities(ctx, []string{id(sarhad.KindPerson, "P-001")})
	if err != nil {
		t.Fatal(err)
	}
	p := es[0].(*sarhad.Person)
	if p.Occupation != "hajj and umrah agent" || !p.CreatedAt.Equal(clock1) || !p.UpdatedAt.Equal(clock2) {
		t.Errorf("P-001 = %q created %v updated %v", p.Occupation, p.CreatedAt, p.UpdatedAt)
	}
}

func writeFiles(t *testing.T, files map[string]string) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	slices.Sort(paths)
	return dir, paths
}

var badFiles = map[string]string{
	"persons.csv": `key,name,gender,birthDate,nationalities
P-1,Good One,MALE,1990-01-01,PAK
P-2,,MALE,,PAK
P-3,Bad Date,MALE,1990-13-45,PAK
P-4,Bad Country,MALE,,PAK;XX
P-5,Bad Gender,WOMAN,,
P-1,Duplicate,MALE,,
,No Key,MALE,,
P-6,Good Two,FEMALE,,AFG
`,
	"phones.csv": `key,number
PH-1,12
`,
	"relationships.csv": `type,from.kind,from.key,to.kind,to.key,role,date
ASSOCIATE_OF,PERSON,P-1,PERSON,P-6,,
ASSOCIATE_OF,PERSON,P-1,PERSON,P-99,,
PARTY_TO,PERSON,P-1,PERSON,P-6,,
MEMBER_OF,PERSON,P-1,GANG,O-1,,
FAMILY_OF,PERSON,P-1,PERSON,P-6,brother,2020-02-30
KNOWS,PERSON,P-1,PERSON,P-6,,
ASSOCIATE_OF,PERSON,P-1,PERSON,P-6,,
`,
}

func TestImportRejectsBadRows(t *testing.T) {
	st, ctx := openStore(t), systemContext(t)
	id, _ := keyedIDs(t, st)
	dir, paths := writeFiles(t, badFiles)
	rep := run(t, ctx, st, paths, options(clock1))
	persons, rels := filepath.Join(dir, "persons.csv"), filepath.Join(dir, "relationships.csv")
	// A bad date or phone number is not quoted: it may be a victim's.
	want := []ingest.Rejection{
		{persons, 3, "name", "is required"},
		{persons, 4, "birthDate", `is not a date (YYYY-MM-DD)`},
		{persons, 5, "nationalities[1]", `"XX" is not an ISO 3166-1 alpha-2 or alpha-3 country code`},
		{persons, 6, "gender", `"WOMAN" is not one of MALE, FEMALE, OTHER, UNKNOWN`},
		{persons, 7, "key", `"P-1" repeats the Person of line 2`},
		{persons, 8, "key", "is required"},
		{filepath.Join(dir, "phones.csv"), 2, "number", "is not a phone number"},
		{rels, 3, "to.key", `no Person with key "P-99" of FIA-AHTC-GRW in the import or the store`},
		{rels, 4, "to", "a PARTY_TO relationship cannot go from Person to Person"},
		{rels, 5, "to.kind", `"GANG" is not an entity kind`},
		{rels, 6, "date", `is not a date (YYYY-MM-DD)`},
		{rels, 7, "type", `"KNOWS" is not a relationship type`},
		{rels, 8, "", "repeats the ASSOCIATE_OF relationship of line 2 (give each a key to import both)"},
	}
	if !slices.Equal(rep.Rejected, want) {
		t.Errorf("rejected:\n%s\nwant:\n%s", lines(rep.Rejected), lines(want))
	}
	g := readGraph(t, ctx, st)
	if g.count(sarhad.KindPerson) != 2 || len(g.rels) != 1 {
		t.Fatalf("%d persons, %d relationships landed; want the 2 good persons and 1 relationship",
			g.count(sarhad.KindPerson), len(g.rels))
	}
	for _, key := range []string{"P-1", "P-6"} {
		g.entity(t, id(sarhad.KindPerson, key))
	}
	if p := g.entity(t, id(sarhad.KindPerson, "P-1")).(*sarhad.Person); p.Name != "Good One" {
		t.Errorf("P-1 is %q: the duplicate row overwrote the first", p.Name)
	}
	// A file whose every row is refused leaves no Source behind; the others have theirs.
	for name, want := range map[string]bool{"persons.csv": true, "relationships.csv": true, "phones.csv": false} {
		if _, ok := g.entities[id(sarhad.KindSource, "import:"+name)]; ok != want {
			t.Errorf("the Source of %s is stored: %v, want %v", name, ok, want)
		}
	}
}

// A file whose relationships all name ends that are not found leaves no Source either, whether its
// rows were refused when read or when their ends were looked up; a file of relationships that
// link gets one.
func TestImportSourcesOfRefusedRelationships(t *testing.T) {
	st, ctx := openStore(t), systemContext(t)
	id, _ := keyedIDs(t, st)
	_, paths := writeFiles(t, map[string]string{
		"persons.csv":       "key,name,gender\nP-1,Good One,MALE\nP-2,Good Two,FEMALE\n",
		"links.csv":         "type,from.kind,from.key,to.kind,to.key\nASSOCIATE_OF,PERSON,P-1,PERSON,P-98\nASSOCIATE_OF,PERSON,P-99,PERSON,P-2\n",
		"relationships.csv": "type,from.kind,from.key,to.kind,to.key\nASSOCIATE_OF,PERSON,P-1,PERSON,P-2\n",
	})
	rep := run(t, ctx, st, paths, options(clock1))
	if len(rep.Rejected) != 2 {
		t.Errorf("rejected:\n%s\nwant the two rows of links.csv", lines(rep.Rejected))
	}
	g := readGraph(t, ctx, st)
	for name, want := range map[string]bool{"persons.csv": true, "relationships.csv": true, "links.csv": false} {
		if _, ok := g.entities[id(sarhad.KindSource, "import:"+name)]; ok != want {
			t.Errorf("the Source of %s is stored: %v, want %v", name, ok, want)
		}
	}
	if rels := g.relsOf(sarhad.RelAssociateOf); len(rels) != 1 || !slices.Contains(rels[0].SourceIDs, id(sarhad.KindSource, "import:relationships.csv")) {
		t.Errorf("the relationship imported: %+v; want one, citing the Source of relationships.csv", rels)
	}
}

func lines(rs []ingest.Rejection) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString("  " + r.String() + "\n")
	}
	return b.String()
}

func TestImportAtomic(t *testing.T) {
	t.Run("one bad row, nothing lands", func(t *testing.T) {
		st, ctx := openStore(t), systemContext(t)
		_, paths := writeFiles(t, map[string]string{"persons.csv": "key,name\nP-1,Good One\nP-2,\nP-3,Good Two\n"})
		opts := options(clock1)
		opts.Atomic = true
		rep := run(t, ctx, st, paths, opts)
		if len(rep.Rejected) != 1 || rep.Rejected[0].Line != 3 || rep.Rejected[0].Field != "name" || rep.Created != 0 {
			t.Fatalf("report = %+v", rep)
		}
		if g := readGraph(t, ctx, st); len(g.entities) != 0 {
			t.Fatalf("%d entities landed, want none", len(g.entities))
		}
	})
	t.Run("all good, all lands", func(t *testing.T) {
		st, ctx := openStore(t), systemContext(t)
		opts := options(clock1)
		opts.Atomic = true
		rep := run(t, ctx, st, examplePaths(filepath.Join("testdata", "example")), opts)
		if rep.Created != 29 || len(rep.Rejected) != 0 {
			t.Fatalf("report = %+v", rep)
		}
	})
}

// comparable returns the attributes, handling and ends of every record but the sources, which
// differ between formats (one Source per file), by kind and source key: two stores give the same
// keys different ids (sarhad.KeyedID under each store's secret).
func comparable(t *testing.T, g *graph) map[string]string {
	t.Helper()
	name := func(id string) string {
		if e := g.entities[id]; e != nil {
			return string(e.EntityMeta().Kind) + ":" + e.EntityMeta().SourceKey
		}
		return id // not imported: a country
	}
	out := map[string]string{}
	for id, e := range g.entities {
		if e.EntityMeta().Kind == sarhad.KindSource {
			continue
		}
		attrs, _ := json.Marshal(e)
		h, _ := json.Marshal(e.EntityMeta().Handling)
		out[name(id)] = string(attrs) + string(h)
	}
	for _, r := range g.rels {
		props, _ := json.Marshal(r.RelationProps)
		h, _ := json.Marshal(r.Handling)
		key := strings.NewReplacer(r.From, name(r.From), r.To, name(r.To)).Replace(r.SourceKey)
		out["rel:"+key] = string(r.Type) + name(r.From) + name(r.To) + string(props) + string(h)
	}
	return out
}

func TestImportJSONLEqualsCSV(t *testing.T) {
	ctx := systemContext(t)
	fromCSV, fromJSONL := openStore(t), openStore(t)
	run(t, ctx, fromCSV, examplePaths(filepath.Join("testdata", "example")), options(clock1))
	rep := run(t, ctx, fromJSONL, []string{filepath.Join("testdata", "jsonl", "example.jsonl")}, options(clock1))
	if len(rep.Rejected) != 0 || rep.Created != 25 {
		t.Fatalf("report = %+v, want 24 records and 1 source created", rep)
	}
	a, b := comparable(t, readGraph(t, ctx, fromCSV)), comparable(t, readGraph(t, ctx, fromJSONL))
	if len(a) != 24 {
		t.Fatalf("%d records from CSV, want 24", len(a))
	}
	for id, want := range a {
		if got := b[id]; got != want {
			t.Errorf("%s:\n JSONL %s\n   CSV %s", id, got, want)
		}
	}
	if len(b) != len(a) {
		t.Errorf("%d records from JSONL, %d from CSV", len(b), len(a))
	}
}

func TestImportJSONLRejections(t *testing.T) {
	st, ctx := openStore(t), systemContext(t)
	_, paths := writeFiles(t, map[string]string{"bad.jsonl": `{"kind":"PERSON","key":"P-1","name":"Good"}
{"kind":"PERSON","key":"P-2","name":"X","nickname":"Y"}
{"kind":"PERSON","key":"P-3","name":"X","victim":{"ageGroup":"TEEN"}}
{"kind":"PERSON","key":"P-4","name":"X","handling":{"tlp":"PURPLE"}}
{"kind":"PERSON","key":"P-5","name":7}
not json
{"kind":"ALIEN","key":"A"}
{"type":"USES","from":{"kind":"PERSON","key":"P-1"},"to":{"id":"nonsense"}}
{"name":"neither"}
`})
	rep := run(t, ctx, st, paths, options(clock1))
	got := map[int]string{}
	for _, r := range rep.Rejected {
		got[r.Line] = r.Field
	}
	want := map[int]string{2: "nickname", 3: "victim.ageGroup", 4: "handling.tlp", 5: "name", 6: "", 7: "kind", 8: "to.id", 9: ""}
	if len(got) != len(want) {
		t.Errorf("rejected:\n%s", lines(rep.Rejected))
	}
	for line, field := range want {
		if f, ok := got[line]; !ok || f != field {
			t.Errorf("line %d: field %q, want %q\n%s", line, f, field, lines(rep.Rejected))
		}
	}
}

func TestImportSameNodeAsGraphQLCreate(t *testing.T) {
	st := openStore(t)
	investigator := &sarhad.Viewer{Subject: "inv-1", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Org: org, Country: country}
	ctx := sarhad.NewContext(t.Context(), investigator)
	svc := &sarhad.Service{Store: st, Now: func() time.Time { return clock1 }, Rand: strings.NewReader(strings.Repeat("x", 64))}
	created, err := svc.Create(ctx, &sarhad.Person{Name: "Tariq Mehmood"}, sarhad.WriteOptions{SourceKey: "P-001"})
	if err != nil {
		t.Fatal(err)
	}
	// The investigator imports with the defaults: their own organisation and country.
	rep := run(t, ctx, st, examplePaths(filepath.Join("testdata", "example")), ingest.Options{Now: func() time.Time { return clock2 }})
	if len(rep.Rejected) != 0 || rep.Created != 28 || rep.Updated != 1 {
		t.Fatalf("report = %+v, want 28 created and the GraphQL record updated", rep)
	}
	g := readGraph(t, ctx, st)
	if g.count(sarhad.KindPerson) != 4 {
		t.Fatalf("%d persons, want 4", g.count(sarhad.KindPerson))
	}
	p := g.entity(t, created.EntityMeta().ID).(*sarhad.Person)
	if p.Occupation != "travel agent" || p.CreatedBy != "inv-1" || !p.CreatedAt.Equal(clock1) {
		t.Errorf("P-001 = %+v", p)
	}
}

func TestImportHandlingRules(t *testing.T) {
	st := openStore(t)
	_, paths := writeFiles(t, map[string]string{"persons.csv": "key,name,originatorOrg\nP-1,One,\nP-2,Two,FIA-AHTC-LHR\n"})
	t.Run("system viewer needs an originator", func(t *testing.T) {
		_, err := ingest.Run(systemContext(t), st, paths, ingest.Options{})
		if sarhad.ErrorCode(err) != sarhad.EINVALID {
			t.Fatalf("err = %v, want BAD_USER_INPUT", err)
		}
	})
	investigator := &sarhad.Viewer{Subject: "inv-1", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Org: org, Country: country}
	ctx := sarhad.NewContext(t.Context(), investigator)
	t.Run("investigators import as their own organisation", func(t *testing.T) {
		_, err := ingest.Run(ctx, st, paths, ingest.Options{Handling: sarhad.Handling{OriginatorOrg: "FIA-AHTC-LHR"}})
		if sarhad.ErrorCode(err) != sarhad.EINVALID {
			t.Fatalf("err = %v, want BAD_USER_INPUT", err)
		}
		rep := run(t, ctx, st, paths, ingest.Options{})
		if len(rep.Rejected) != 1 || rep.Rejected[0].Line != 3 || rep.Rejected[0].Field != "originatorOrg" {
			t.Fatalf("rejected = %v", rep.Rejected)
		}
		// ... and of its country.
		_, err = ingest.Run(ctx, st, paths, ingest.Options{Handling: sarhad.Handling{OriginatorCountry: "AFG"}})
		if sarhad.ErrorCode(err) != sarhad.EINVALID || !strings.Contains(err.Error(), "originatorCountry") {
			t.Fatalf("another country: err = %v, want BAD_USER_INPUT on originatorCountry", err)
		}
	})
	t.Run("analysts may not import", func(t *testing.T) {
		analyst := &sarhad.Viewer{Subject: "an-1", Roles: []sarhad.Role{sarhad.RoleAnalyst}, Org: org, Country: country}
		_, err := ingest.Run(sarhad.NewContext(t.Context(), analyst), st, paths, ingest.Options{})
		if sarhad.ErrorCode(err) != sarhad.EFORBIDDEN {
			t.Fatalf("err = %v, want FORBIDDEN", err)
		}
	})
}

// TestImportResumes kills an import after its first batch landed (by cancelling its context) and checks
// that running it again finishes the job.
func TestImportResumes(t *testing.T) {
	st, ctx := openStore(t), systemContext(t)
	files := examplePaths(filepath.Join("testdata", "example"))
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opts := options(clock1)
	opts.BatchSize = 4
	opts.Progress = func(p ingest.Progress) {
		if p.Created > 0 {
			cancel()
		}
	}
	rep, err := ingest.Run(cctx, st, files, opts)
	if err == nil {
		t.Fatal("Run did not stop")
	}
	first := rep.Created
	if first == 0 || first >= 29 {
		t.Fatalf("first run created %d records, want some", first)
	}
	opts.Progress = nil
	rep = run(t, ctx, st, files, opts)
	if rep.Created+first != 29 || rep.Updated != 0 {
		t.Fatalf("second run = %+v after %d created, want the rest created", rep, first)
	}
	if g := readGraph(t, ctx, st); len(g.entities) != 15 || len(g.rels) != 14 {
		t.Fatalf("%d entities, %d relationships", len(g.entities), len(g.rels))
	}
}

func TestImportProgress(t *testing.T) {
	st, ctx := openStore(t), systemContext(t)
	var seen []ingest.Progress
	opts := options(clock1)
	opts.BatchSize = 5
	opts.Progress = func(p ingest.Progress) { seen = append(seen, p) }
	run(t, ctx, st, examplePaths(filepath.Join("testdata", "example")), opts)
	if len(seen) < 5 {
		t.Fatalf("%d progress reports", len(seen))
	}
	last := seen[len(seen)-1]
	if last.Records != 24 || last.Bytes != last.TotalBytes || last.TotalBytes == 0 || last.Created != 29 {
		t.Errorf("last progress = %+v", last)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].Records < seen[i-1].Records || seen[i].Bytes < seen[i-1].Bytes {
			t.Fatalf("progress went back: %+v then %+v", seen[i-1], seen[i])
		}
	}
}

// Progress is reported while a batch is read, not only when it is written.
func TestImportProgressWithinABatch(t *testing.T) {
	const n = 3500
	var csv strings.Builder
	csv.WriteString("key,name\n")
	for i := range n {
		fmt.Fprintf(&csv, "R-%d,Reported Person %d\n", i, i)
	}
	_, paths := writeFiles(t, map[string]string{"persons.csv": csv.String()})
	var read []int
	opts := options(clock1)
	opts.Progress = func(p ingest.Progress) { read = append(read, p.Records) }
	rep := run(t, systemContext(t), openStore(t), paths, opts)
	if rep.Created != n+1 {
		t.Fatalf("created %d", rep.Created)
	}
	var during []int
	for _, r := range read {
		if r < n {
			during = append(during, r)
		}
	}
	if len(during) < 3 {
		t.Errorf("progress reported at %v records read; want reports while the one batch of %d was read", read, n)
	}
}

// refusingStore refuses, as a conflict, every change set that holds a person named in refuse, and
// counts the change sets it was given.
type refusingStore struct {
	sarhad.Store
	refuse map[string]bool
	calls  int
}

func (s *refusingStore) Apply(ctx context.Context, cs *sarhad.ChangeSet) (*sarhad.ApplyResult, error) {
	s.calls++
	for _, e := range cs.Put {
		if p, ok := e.(*sarhad.Person); ok && s.refuse[p.Name] {
			return nil, sarhad.Errorf(sarhad.ECONFLICT, "%s is refused", p.Name)
		}
	}
	return s.Store.Apply(ctx, cs)
}

// When the store refuses a batch for some of its records, the others land and each refused record
// is reported with its line, in a number of writes that grows with the refused records, not with
// the batch.
func TestImportBatchRefusedForSomeRecords(t *testing.T) {
	const n = 512
	refused := []int{37, 300, 301}
	var csv strings.Builder
	csv.WriteString("key,name\n")
	st := &refusingStore{Store: openStore(t), refuse: map[string]bool{}}
	for i := range n {
		name := fmt.Sprintf("Batch Person %d", i)
		if slices.Contains(refused, i) {
			st.refuse[name] = true
		}
		fmt.Fprintf(&csv, "B-%d,%s\n", i, name)
	}
	dir, paths := writeFiles(t, map[string]string{"persons.csv": csv.String()})
	ctx := systemContext(t)
	opts := options(clock1)
	opts.BatchSize = n + 1 // the persons and the file's Source in one batch
	rep := run(t, ctx, st, paths, opts)

	var want []ingest.Rejection
	for _, i := range refused {
		want = append(want, ingest.Rejection{File: filepath.Join(dir, "persons.csv"), Line: i + 2,
			Reason: fmt.Sprintf("Batch Person %d is refused", i)})
	}
	if !slices.Equal(rep.Rejected, want) {
		t.Errorf("rejected:\n%s\nwant:\n%s", lines(rep.Rejected), lines(want))
	}
	if rep.Created != n-len(refused)+1 {
		t.Errorf("created %d, want %d persons and the Source", rep.Created, n-len(refused))
	}
	if g := readGraph(t, ctx, st); g.count(sarhad.KindPerson) != n-len(refused) {
		t.Errorf("%d persons in the store, want %d", g.count(sarhad.KindPerson), n-len(refused))
	}
	// One write of the batch, then halves: at most two writes per level of halving for each
	// refused record (log2 of 513 rounds up to 10).
	if limit := 1 + 2*10*len(refused); st.calls > limit {
		t.Errorf("%d writes for a batch of %d with %d refused records, want at most %d", st.calls, n+1, len(refused), limit)
	}
}

// A file without the victim columns does not lift a victim's protection: the row that would turn
// the stored victim into an ordinary person is rejected, the rest of the file is imported, and the
// person stays a victim, for the import command and for a cleared investigator alike.
func TestImportKeepsVictimsVictims(t *testing.T) {
	cleared := &sarhad.Viewer{Subject: "inv-pii", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Org: org, Country: country,
		Clearances: []string{sarhad.ClearanceVictimPII}}
	for _, c := range []struct {
		name string
		ctx  func(t *testing.T) context.Context
	}{
		{"command", func(t *testing.T) context.Context { return systemContext(t) }},
		{"cleared investigator", func(t *testing.T) context.Context { return sarhad.NewContext(t.Context(), cleared) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, ctx := openStore(t), c.ctx(t)
			id, _ := keyedIDs(t, st)
			_, first := writeFiles(t, map[string]string{"persons.csv": "key,name,gender,victim.ageGroup\nV-1,Rokeya Begum,FEMALE,ADULT\n"})
			if rep := run(t, ctx, st, first, options(clock1)); len(rep.Rejected) > 0 || rep.Created != 2 { // the person and the file's source
				t.Fatalf("first import: %+v", rep)
			}
			_, later := writeFiles(t, map[string]string{"persons.csv": "key,name,gender\nV-1,Rokeya Begum,FEMALE\nP-2,Asif Iqbal,MALE\n"})
			rep := run(t, ctx, st, later, options(clock1))
			if len(rep.Rejected) != 1 || rep.Rejected[0].Line != 2 || !strings.Contains(rep.Rejected[0].Reason, "victim") {
				t.Errorf("the row without the victim columns: rejected %v, want line 2 rejected", rep.Rejected)
			}
			if p := readGraph(t, systemContext(t), st).entity(t, id(sarhad.KindPerson, "V-1")).(*sarhad.Person); !p.IsVictim() {
				t.Error("V-1 is no longer a victim")
			}
			readGraph(t, systemContext(t), st).entity(t, id(sarhad.KindPerson, "P-2"))
			// An atomic import lists the row too, and writes nothing.
			_, again := writeFiles(t, map[string]string{"persons.csv": "key,name,gender\nV-1,Rokeya Begum,FEMALE\nP-3,Zahid Mengal,MALE\n"})
			atomic := options(clock1)
			atomic.Atomic = true
			rep = run(t, ctx, st, again, atomic)
			if len(rep.Rejected) != 1 || rep.Rejected[0].Line != 2 || rep.Created != 0 {
				t.Errorf("atomic: %+v, want line 2 rejected and nothing written", rep)
			}
		})
	}
}

// A relationship that names a person a victim — a VICTIM party, a TRAFFICKED target — is rejected
// with its file and line unless the person is recorded as a victim: the person's name and phones
// would otherwise reach everyone who may see the record. The rest of the file is imported.
func TestImportRejectsVictimsNamedOnlyByARelationship(t *testing.T) {
	st, ctx := openStore(t), systemContext(t)
	id, _ := keyedIDs(t, st)
	dir, paths := writeFiles(t, map[string]string{
		"persons.csv": "key,name,gender,victim.ageGroup\nP-1,Asif Iqbal,MALE,\nV-1,Rokeya Begum,FEMALE,ADULT\nS-1,Tariq Mehmood,MALE,\n",
		"cases.csv":   "key,reference,agency,country,offences,stage,registeredOn\nC-1,FIR 1/2024,FIA AHTC Lahore,PAK,PTPA_2018_TRAFFICKING,REGISTERED,2024-01-02\n",
		"relationships.csv": "key,type,from.kind,from.key,to.kind,to.key,role\n" +
			"R-1,PARTY_TO,PERSON,P-1,CASE,C-1,VICTIM\n" + // line 2: P-1 is not recorded as a victim
			"R-2,TRAFFICKED,PERSON,S-1,PERSON,P-1,\n" + // line 3: nor here
			"R-3,PARTY_TO,PERSON,P-1,CASE,C-1,WITNESS\n" +
			"R-4,PARTY_TO,PERSON,V-1,CASE,C-1,VICTIM\n" +
			"R-5,TRAFFICKED,PERSON,S-1,PERSON,V-1,\n" +
			"R-6,SAME_AS,PERSON,V-1,PERSON,S-1,\n", // line 7: the victim's record the same as one that is not
	})
	rep := run(t, ctx, st, paths, options(clock1))
	var lines []int
	for _, r := range rep.Rejected {
		if r.File != filepath.Join(dir, "relationships.csv") || !strings.Contains(r.Reason, "victim") {
			t.Errorf("rejected %+v, want a relationship naming a victim", r)
		}
		lines = append(lines, r.Line)
	}
	if !slices.Equal(lines, []int{2, 3, 7}) {
		t.Errorf("rejected lines %v, want [2 3 7]", lines)
	}
	g := readGraph(t, ctx, st)
	if p := g.entity(t, id(sarhad.KindPerson, "P-1")).(*sarhad.Person); p.IsVictim() {
		t.Error("P-1 became a victim")
	}
	if got := g.count(sarhad.KindPerson); got != 3 {
		t.Errorf("%d persons, want 3", got)
	}
	if rep.Created != 3+1+3+3 { // persons, the case, the three valid relationships, a source per file
		t.Errorf("created %d, want 10", rep.Created)
	}
	// An atomic import lists the three rows, and writes nothing.
	atomic := options(clock1)
	atomic.Atomic = true
	empty := openStore(t)
	rep = run(t, ctx, empty, paths, atomic)
	lines = nil
	for _, r := range rep.Rejected {
		lines = append(lines, r.Line)
	}
	if !slices.Equal(lines, []int{2, 3, 7}) || rep.Created != 0 {
		t.Errorf("atomic: rejected lines %v, created %d; want [2 3 7] and nothing", lines, rep.Created)
	}
	if g := readGraph(t, ctx, empty); g.count(sarhad.KindPerson) != 0 {
		t.Errorf("atomic: %d persons written, want none", g.count(sarhad.KindPerson))
	}
}

// Two records tied by SAME_AS while neither was a victim's are one person; when an import records
// one as a victim, the others, under their names beside the victim's pseudonym, would tell who the
// victim is. With Options.VictimsWritten set to Service.ProtectSameAs, as the server sets it, the
// records SAME_AS ties to the victim's, directly or through another and of another organisation
// too, are recorded as victims after the batch, batched or atomic.
func TestImportProtectsTheOtherRecordsOfAVictim(t *testing.T) {
	for _, atomic := range []bool{false, true} {
		t.Run(fmt.Sprintf("atomic=%v", atomic), func(t *testing.T) {
			st, ctx := openStore(t), systemContext(t)
			svc := &sarhad.Service{Store: st, Now: func() time.Time { return clock2 }, Rand: rand.Reader}
			id, relID := keyedIDs(t, st)
			importSameAsPair(t, ctx, st)
			// A third record of the same person, in another organisation, tied to the second.
			other := options(clock1)
			other.Handling.OriginatorOrg = "FIA-AHTC-QTA"
			_, third := writeFiles(t, map[string]string{"persons.csv": "key,name,gender\nX-9,Shazia Parveen,FEMALE\n"})
			if rep := run(t, ctx, st, third, other); len(rep.Rejected) > 0 {
				t.Fatalf("the other organisation's import: %+v", rep)
			}
			secret := mustSecret(t, st)
			otherID := sarhad.KeyedID(secret, sarhad.KindPerson, other.Handling.OriginatorOrg, "X-9")
			link := &sarhad.Relationship{Type: sarhad.RelSameAs, From: otherID, To: id(sarhad.KindPerson, "P-2")}
			link.ID = relID("R-9")
			link.Handling = sarhad.Handling{OriginatorOrg: other.Handling.OriginatorOrg, OriginatorCountry: country, TLP: sarhad.TLPAmber}
			if _, err := st.Apply(ctx, &sarhad.ChangeSet{Link: []*sarhad.Relationship{link}}); err != nil {
				t.Fatal(err)
			}

			_, later := writeFiles(t, map[string]string{"persons.csv": "key,name,gender,victim.ageGroup\nP-1,Shazia Bibi,FEMALE,ADULT\n"})
			opts := options(clock2)
			opts.Atomic, opts.VictimsWritten = atomic, svc.ProtectSameAs
			if rep := run(t, ctx, st, later, opts); len(rep.Rejected) > 0 || rep.Updated != 1 {
				t.Fatalf("the import recording P-1 as a victim: %+v", rep)
			}
			g := readGraph(t, ctx, st)
			for _, pid := range []string{id(sarhad.KindPerson, "P-1"), id(sarhad.KindPerson, "P-2"), otherID} {
				if p := g.entity(t, pid).(*sarhad.Person); !p.IsVictim() {
					t.Errorf("%s (%s) is not recorded as a victim", pid, p.Name)
				}
			}
			left, err := st.UnrecordedVictims(ctx, sarhad.Page{First: 10})
			if err != nil || len(left) > 0 {
				t.Errorf("unrecorded victims after the import: %v, %v; want none", left, err)
			}
		})
	}
}

// importSameAsPair imports two persons, P-1 and P-2, neither a victim, tied by SAME_AS.
func importSameAsPair(t *testing.T, ctx context.Context, st sarhad.Store) {
	t.Helper()
	_, files := writeFiles(t, map[string]string{
		"persons.csv":       "key,name,gender\nP-1,Shazia Bibi,FEMALE\nP-2,Shazia Parveen,FEMALE\n",
		"relationships.csv": "key,type,from.kind,from.key,to.kind,to.key\nR-1,SAME_AS,PERSON,P-1,PERSON,P-2\n",
	})
	if rep := run(t, ctx, st, files, options(clock1)); len(rep.Rejected) > 0 {
		t.Fatalf("the import of two records tied by SAME_AS: %+v", rep)
	}
}

func mustSecret(t *testing.T, st sarhad.Store) []byte {
	t.Helper()
	secret, err := st.IDSecret(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// failingHalfStore refuses, as a conflict, the first two change sets that holds the person named bad
// (so that the importer writes the batch again in halves), and fails every later change set that
// holds that person as a store that has become unavailable (a deadline, a lost connection to
// Neo4j, a client that hung up on importRecords) would.
type failingHalfStore struct {
	sarhad.Store
	bad     string
	refused int
}

func (s *failingHalfStore) Apply(ctx context.Context, cs *sarhad.ChangeSet) (*sarhad.ApplyResult, error) {
	for _, e := range cs.Put {
		if p, ok := e.(*sarhad.Person); ok && p.Name == s.bad {
			if s.refused < 2 { // the batch, then the batch again as write() first tries it whole
				s.refused++
				return nil, sarhad.Errorf(sarhad.ECONFLICT, "%s is refused", p.Name)
			}
			return nil, sarhad.Errorf(sarhad.EUNAVAILABLE, "the store is unavailable")
		}
	}
	return s.Store.Apply(ctx, cs)
}

// A batch that the store refuses is written again in halves; when a half has written a victim's
// record and a later half fails, the import stops with the error, and VictimsWritten is still
// called for the victim already written: the record SAME_AS ties to it is protected.
func TestImportProtectsAVictimsOtherRecordsWhenALaterHalfFails(t *testing.T) {
	base := openStore(t)
	ctx := systemContext(t)
	svc := &sarhad.Service{Store: base, Now: func() time.Time { return clock2 }, Rand: rand.Reader}
	id, _ := keyedIDs(t, base)
	importSameAsPair(t, ctx, base)
	st := &failingHalfStore{Store: base, bad: "Broken Row"}
	// The batch: the file's Source, P-1 as a victim, X-1, and the row the store fails on. Halves:
	// [Source, P-1] is written, [X-1, Broken Row] fails.
	_, later := writeFiles(t, map[string]string{"persons.csv": "key,name,gender,victim.ageGroup\n" +
		"P-1,Shazia Bibi,FEMALE,ADULT\nX-1,Other Person,MALE,\nX-2,Broken Row,MALE,\n"})
	called := 0
	opts := options(clock2)
	opts.VictimsWritten = func(ctx context.Context, ids []string) error {
		called++
		return svc.ProtectSameAs(ctx, ids)
	}
	if _, err := ingest.Run(ctx, st, later, opts); sarhad.ErrorCode(err) != sarhad.EUNAVAILABLE {
		t.Fatalf("import: %v, want the store's UNAVAILABLE", err)
	}
	g := readGraph(t, ctx, base)
	if p := g.entity(t, id(sarhad.KindPerson, "P-1")).(*sarhad.Person); !p.IsVictim() {
		t.Fatalf("precondition: P-1 was not written as a victim")
	}
	if p := g.entity(t, id(sarhad.KindPerson, "P-2")).(*sarhad.Person); !p.IsVictim() {
		t.Errorf("P-1 was written as a victim (VictimsWritten called %d times) but P-2 %q, SAME_AS P-1, is not protected", called, p.Name)
	}
}
