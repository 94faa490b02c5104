package export_test

import (
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/export"
	"github.com/sarhad/sarhad/ingest"
	"github.com/sarhad/sarhad/seed/demo"
	"github.com/sarhad/sarhad/store/sqlite"
)

// investigator is an investigator of FIA Gujranwala cleared to see victims' details: they see
// their own organisation's victims in full and other organisations' visible victims redacted.
var investigator = &sarhad.Viewer{Subject: "grw", Roles: []sarhad.Role{sarhad.RoleInvestigator},
	Org: demo.OrgFIAGujranwala, Country: "PAK", Clearances: []string{sarhad.ClearanceVictimPII}}

// liaison is a liaison officer of the Hellenic Police.
var liaison = &sarhad.Viewer{Subject: "grc", Roles: []sarhad.Role{sarhad.RoleLiaisonOfficer}, Country: "GRC",
	Org: demo.OrgHellenicPolice}

// demoDir is a data directory holding the demo dataset, loaded once: tests that need the demo
// graph open a copy of it (loading takes a minute under the race detector).
var demoDir = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "sarhad-export-demo-")
	if err != nil {
		return "", err
	}
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		return dir, err
	}
	_, err = demo.Load(context.Background(), st)
	return dir, errors.Join(err, st.Close())
})

func TestMain(m *testing.M) {
	code := m.Run()
	if dir, _ := demoDir(); dir != "" {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// newService opens an empty store, or a copy of the demo dataset when withDemo.
func newService(t *testing.T, withDemo bool) *sarhad.Service {
	t.Helper()
	dir := t.TempDir()
	if withDemo {
		src, err := demoDir()
		if err != nil {
			t.Fatalf("load the demo dataset: %v", err)
		}
		if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
			t.Fatal(err)
		}
	}
	st, err := sqlite.Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &sarhad.Service{Store: st, Now: time.Now, Rand: rand.Reader}
}

func as(t *testing.T, v *sarhad.Viewer) context.Context { return sarhad.NewContext(t.Context(), v) }

// exportCSV exports as v into a new directory and returns the paths of the files written.
func exportCSV(t *testing.T, svc *sarhad.Service, v *sarhad.Viewer) []string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "export")
	if err := export.CSV(as(t, v), svc, dir); err != nil {
		t.Fatalf("export.CSV: %v", err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no files written (%v)", err)
	}
	return files
}

// importOptions import an export as the system viewer: every row names its own originator, the
// files' Source entities are FIA Gujranwala's.
var importOptions = ingest.Options{Handling: sarhad.Handling{OriginatorOrg: demo.OrgFIAGujranwala, OriginatorCountry: "PAK"}}

// snapshot is what a viewer sees of a graph, each record as one comparable text: "the same graph"
// is the same entity ids with the same kind, attributes (as the viewer sees them, victims redacted
// or not alike), handling and source key, and the same relationship ids with the same type, ends,
// properties, handling and source key. Stamps, sources and sourceRef are provenance that an import
// rewrites (every imported record lists the import file as its source) and are not compared.
type snapshot struct {
	entities, rels map[string]string
	victims        map[string]bool // person id → redacted
}

func handlingText(h sarhad.Handling) string {
	return fmt.Sprintf("%s/%s/%s/%v", h.TLP, h.OriginatorOrg, h.OriginatorCountry, slices.Sorted(slices.Values(h.ReleasableTo)))
}

func see(t *testing.T, svc *sarhad.Service, v *sarhad.Viewer) *snapshot {
	t.Helper()
	s := &snapshot{entities: map[string]string{}, rels: map[string]string{}, victims: map[string]bool{}}
	err := svc.Walk(as(t, v), nil, sarhad.Visitor{
		Entity: func(e sarhad.Entity) error {
			m := e.EntityMeta()
			attrs, err := json.Marshal(e)
			if err != nil {
				return err
			}
			s.entities[m.ID] = fmt.Sprintf("%s %s key=%q %s redacted=%v", m.Kind, attrs, m.SourceKey, handlingText(m.Handling), m.Redacted)
			if p, ok := e.(*sarhad.Person); ok && p.IsVictim() {
				s.victims[m.ID] = m.Redacted
			}
			return nil
		},
		Relationship: func(r *sarhad.Relationship) error {
			// Withheld is how a store that imported a redacted row remembers it: both show the
			// relationship incomplete.
			p := r.RelationProps
			p.Withheld = false
			props, err := json.Marshal(p)
			if err != nil {
				return err
			}
			s.rels[r.ID] = fmt.Sprintf("%s %s→%s %s key=%q %s incomplete=%v", r.Type, r.From, r.To, props, r.SourceKey,
				handlingText(r.Handling), r.Incomplete())
			return nil
		},
	})
	if err != nil {
		t.Fatalf("Walk: %v", err)
	}
	return s
}

// diff reports the records that differ between two maps, a few at most.
func diff(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	n := 0
	for id, w := range want {
		if g, ok := got[id]; !ok || g != w {
			if n++; n <= 5 {
				t.Errorf("%s %s:\n got  %s\n want %s", what, id, g, w)
			}
		}
	}
	for id, g := range got {
		if _, ok := want[id]; !ok {
			if n++; n <= 5 {
				t.Errorf("%s %s is extra: %s", what, id, g)
			}
		}
	}
	if n > 0 {
		t.Errorf("%d %s differ (%d got, %d want)", n, what, len(got), len(want))
	}
}

// TestCSVRoundTrip exports the demo graph as an investigator and imports the files into an empty
// store: the investigator sees the same graph in both, and importing the files again changes
// nothing.
func TestCSVRoundTrip(t *testing.T) {
	src, dst := newService(t, true), newService(t, false)
	files := exportCSV(t, src, investigator)
	rep, err := ingest.Run(as(t, sarhad.SystemViewer()), dst.Store, files, importOptions)
	if err != nil {
		t.Fatalf("ingest.Run: %v", err)
	}
	for i, r := range rep.Rejected {
		if i < 10 {
			t.Errorf("rejected: %s", r)
		}
	}
	if len(rep.Rejected) > 0 {
		t.Fatalf("%d rows rejected", len(rep.Rejected))
	}

	want, got := see(t, src, investigator), see(t, dst, investigator)
	// The import adds one Source entity per file; nothing else is new.
	secret, err := dst.Store.IDSecret(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		id := sarhad.KeyedID(secret, sarhad.KindSource, demo.OrgFIAGujranwala, "import:"+filepath.Base(f))
		if _, ok := got.entities[id]; !ok {
			t.Errorf("no Source entity for %s", filepath.Base(f))
		}
		delete(got.entities, id)
	}
	diff(t, "entities", got.entities, want.entities)
	diff(t, "relationships", got.rels, want.rels)

	// The comparison covers every kind, and victims both in full and redacted.
	kinds := map[string]bool{}
	for _, e := range want.entities {
		kinds[strings.Fields(e)[0]] = true
	}
	if len(kinds) != len(sarhad.EntityKinds()) {
		t.Errorf("the investigator sees %d kinds of %d: %v", len(kinds), len(sarhad.EntityKinds()), kinds)
	}
	full, redacted := 0, 0
	for _, r := range want.victims {
		if r {
			redacted++
		} else {
			full++
		}
	}
	if full == 0 || redacted == 0 {
		t.Errorf("victims seen in full: %d, redacted: %d; the test needs both", full, redacted)
	}
	t.Logf("%d entities (%d victims in full, %d redacted), %d relationships in %d files",
		len(want.entities), full, redacted, len(want.rels), len(files))

	again, err := ingest.Run(as(t, sarhad.SystemViewer()), dst.Store, files, importOptions)
	if err != nil || len(again.Rejected) > 0 || again.Created+again.Updated > 0 {
		t.Errorf("second import: %+v, %v", again, err)
	}
}

// TestCSVRedactedVictimsCannotOverwrite imports an export that shows victims under pseudonyms back
// into the store that holds their details, as the system viewer, who could edit anything: the
// pseudonym rows are rejected and the victims keep their details.
func TestCSVRedactedVictimsCannotOverwrite(t *testing.T) {
	svc := newService(t, true)
	files := exportCSV(t, svc, investigator)
	persons := filepath.Join(filepath.Dir(files[0]), export.CSVFileName(sarhad.KindPerson))
	rows := readCSV(t, persons)
	var pseudonyms []string
	for _, r := range rows {
		if r["name"] == sarhad.Pseudonym(r["id"]) {
			pseudonyms = append(pseudonyms, r["id"])
		}
	}
	if len(pseudonyms) == 0 {
		t.Fatal("no victim under a pseudonym in the export: the test proves nothing")
	}
	sys := as(t, sarhad.SystemViewer())
	rep, err := ingest.Run(sys, svc.Store, []string{persons}, importOptions)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rejected) != len(pseudonyms) {
		t.Errorf("%d rows rejected, want the %d pseudonyms: %v", len(rep.Rejected), len(pseudonyms), rep.Rejected)
	}
	for _, r := range rep.Rejected {
		if !strings.Contains(r.Reason, "pseudonym") {
			t.Errorf("rejected: %s", r)
		}
	}
	found, err := svc.Store.Entities(sys, pseudonyms)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range found {
		if p, ok := e.(*sarhad.Person); !ok || p.Name == sarhad.Pseudonym(pseudonyms[i]) || p.Name == "" {
			t.Errorf("victim %s overwritten: %+v", pseudonyms[i], e)
		}
	}

	// An investigator cannot create a record under another organisation's id of their choosing.
	dir := t.TempDir()
	file := filepath.Join(dir, "persons.csv")
	other := sarhad.StableID(sarhad.KindPerson, demo.OrgFIAKarachi+"\x00P-404")
	if err := os.WriteFile(file, []byte("id,name\n"+other+",Squatter\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err = ingest.Run(as(t, investigator), svc.Store, []string{file}, ingest.Options{})
	if err != nil || len(rep.Rejected) != 1 || rep.Rejected[0].Field != "id" {
		t.Errorf("chosen id: %+v, %v", rep, err)
	}
}

// readCSV reads a file of the export as rows keyed by column.
func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []map[string]string
	for _, rec := range records[1:] {
		row := map[string]string{}
		for i, col := range records[0] {
			row[col] = rec[i]
		}
		out = append(out, row)
	}
	return out
}

// reference is what the reference policy lets v see of the demo dataset: entity ids, and
// relationships as "id from to type".
func reference(v *sarhad.Viewer) (entities map[string]sarhad.Entity, nodes, edges []string) {
	cs := demo.Dataset()
	entities = map[string]sarhad.Entity{}
	victimHolders := map[string][]sarhad.Handling{}
	for _, e := range cs.Put {
		entities[e.EntityMeta().ID] = e
	}
	for _, r := range cs.Link {
		if p, ok := entities[r.From].(*sarhad.Person); ok && p.IsVictim() && slices.Contains(sarhad.HolderTypes, r.Type) {
			victimHolders[r.To] = append(victimHolders[r.To], p.Handling)
		}
	}
	visible := func(id string) bool {
		e := entities[id]
		return e != nil && e.EntityMeta().Handling.Visible(v) &&
			(!sarhad.KindOf(e).IsIdentifier() || !sarhad.VictimIdentifierHidden(v, victimHolders[id]))
	}
	for id := range entities {
		if visible(id) {
			nodes = append(nodes, id)
		}
	}
	for _, r := range cs.Link {
		if r.Handling.Visible(v) && visible(r.From) && visible(r.To) {
			edges = append(edges, r.ID+" "+r.From+" "+r.To+" "+string(r.Type))
		}
	}
	slices.Sort(nodes)
	slices.Sort(edges)
	return entities, nodes, edges
}

// TestCSVHoldsExactlyWhatTheViewerMaySee exports the demo graph as a liaison officer and checks
// the files against the reference policy applied to the seed's own records.
func TestCSVHoldsExactlyWhatTheViewerMaySee(t *testing.T) {
	svc := newService(t, true)
	files := exportCSV(t, svc, liaison)
	entities, wantNodes, wantEdges := reference(liaison)
	var gotNodes, gotEdges []string
	names := map[string]string{}
	var all strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
		for _, r := range readCSV(t, f) {
			if filepath.Base(f) == export.RelationshipsFileName {
				gotEdges = append(gotEdges, r["id"]+" "+r["from.id"]+" "+r["to.id"]+" "+r["type"])
				continue
			}
			gotNodes = append(gotNodes, r["id"])
			names[r["id"]] = r["name"]
			if kind, err := sarhad.KindOfID(r["id"]); err != nil || export.CSVFileName(kind) != filepath.Base(f) {
				t.Errorf("%s in %s", r["id"], filepath.Base(f))
			}
		}
	}
	slices.Sort(gotNodes)
	slices.Sort(gotEdges)
	if !slices.Equal(gotNodes, wantNodes) {
		t.Errorf("%d entities, want %d", len(gotNodes), len(wantNodes))
	}
	if !slices.Equal(gotEdges, wantEdges) {
		t.Errorf("%d relationships, want %d", len(gotEdges), len(wantEdges))
	}
	if len(wantNodes) == len(entities) {
		t.Fatal("the liaison officer sees everything: the test proves nothing")
	}
	victims := 0
	for _, id := range wantNodes {
		if p, ok := entities[id].(*sarhad.Person); ok && p.IsVictim() {
			victims++
			if names[id] != sarhad.Pseudonym(id) || strings.Contains(all.String(), p.Name) {
				t.Errorf("victim %s exported as %q", id, names[id])
			}
		}
	}
	if victims == 0 {
		t.Fatal("no victim is visible to the liaison officer: the test proves nothing")
	}

	// An export never overwrites another.
	if err := export.CSV(as(t, liaison), svc, filepath.Dir(files[0])); err == nil {
		t.Error("exported over an earlier export")
	}
}

// TestCSVRedactedTiesCannotOverwrite exports the demo graph as an investigator, who sees other
// organisations' victims under pseudonyms: the relationships that tie those victims come without
// their notes and keys, marked redacted. Imported back into the store that holds them, as the
// system viewer, who could edit anything, those rows are rejected and the notes stay.
func TestCSVRedactedTiesCannotOverwrite(t *testing.T) {
	svc := newService(t, true)
	files := exportCSV(t, svc, investigator)
	relsFile := filepath.Join(filepath.Dir(files[0]), export.RelationshipsFileName)
	importKeepsNotes(t, svc, relsFile, redactedRows(t, relsFile))
}

// TestCSVRedactedTiesStayRedactedInAnotherStore imports an investigator's redacted export into an
// empty store, exports that store as the system viewer, who sees everything in it, and imports
// that export back into the first store: the relationships that came without their notes are
// redacted in the second export too, and the import does not wipe the notes they lack.
func TestCSVRedactedTiesStayRedactedInAnotherStore(t *testing.T) {
	src, dst := newService(t, true), newService(t, false)
	files := exportCSV(t, src, investigator)
	firstRels := filepath.Join(filepath.Dir(files[0]), export.RelationshipsFileName)
	redacted := redactedRows(t, firstRels)
	sys := as(t, sarhad.SystemViewer())
	if rep, err := ingest.Run(sys, dst.Store, files, importOptions); err != nil || len(rep.Rejected) > 0 {
		t.Fatalf("import into the empty store: %v, %d rows rejected", err, len(rep.Rejected))
	}
	imported, err := dst.Store.RelationshipsByID(sys, redacted)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range imported {
		if r == nil || !r.Withheld {
			t.Errorf("relationship %s in the second store: %+v, want it marked withheld", redacted[i], r)
		}
	}
	// Neither a plain row without the note (in the second store) nor a JSON line marked withheld
	// (in the first) may drop the mark or wipe a note.
	original, err := src.Store.RelationshipsByID(sys, redacted)
	if err != nil {
		t.Fatal(err)
	}
	noted := ""
	for _, r := range original {
		if r != nil && r.Note != "" {
			noted = r.ID
			break
		}
	}
	var withNote map[string]string
	for _, r := range readCSV(t, firstRels) {
		if noted != "" && r["id"] == noted {
			withNote = r
		}
	}
	if withNote == nil {
		t.Fatal("no redacted relationship with a note in the first store")
	}
	dir := t.TempDir()
	plain := filepath.Join(dir, export.RelationshipsFileName)
	jsonl := filepath.Join(dir, "withheld.jsonl")
	for name, content := range map[string]string{
		plain: "id,type,from.id,to.id,weight\n" + strings.Join([]string{withNote["id"], withNote["type"], withNote["from.id"], withNote["to.id"], "3"}, ",") + "\n",
		jsonl: fmt.Sprintf(`{"id":%q,"type":%q,"from":{"id":%q},"to":{"id":%q},"withheld":true}`+"\n",
			withNote["id"], withNote["type"], withNote["from.id"], withNote["to.id"]),
	} {
		if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		svc    *sarhad.Service
		file   string
		reason string
	}{{dst, plain, sarhad.WithheldTieReason}, {src, jsonl, sarhad.RedactedTieReason}} {
		before, err := c.svc.Store.RelationshipsByID(sys, []string{withNote["id"]})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := ingest.Run(sys, c.svc.Store, []string{c.file}, importOptions)
		if err != nil || len(rep.Rejected) != 1 || !strings.Contains(rep.Rejected[0].Reason, c.reason) {
			t.Errorf("%s: %+v, %v; want its row rejected: %s", filepath.Base(c.file), rep, err, c.reason)
		}
		after, err := c.svc.Store.RelationshipsByID(sys, []string{withNote["id"]})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(after[0].RelationProps, before[0].RelationProps) {
			t.Errorf("%s changed the relationship: %+v, was %+v", filepath.Base(c.file), after[0].RelationProps, before[0].RelationProps)
		}
	}

	again := exportCSV(t, dst, sarhad.SystemViewer())
	relsFile := filepath.Join(filepath.Dir(again[0]), export.RelationshipsFileName)
	if got := redactedRows(t, relsFile); !slices.Equal(got, redacted) {
		t.Errorf("the second store's export has %d redacted relationships, want the %d of the first export",
			len(got), len(redacted))
	}
	importKeepsNotes(t, src, relsFile, redacted)
}

// redactedRows returns the ids of the relationships a CSV export marks redacted, in id order, and
// checks that each comes without its note and key.
func redactedRows(t *testing.T, relsFile string) []string {
	t.Helper()
	var redacted []string
	for _, r := range readCSV(t, relsFile) {
		if r["redacted"] != "true" {
			continue
		}
		redacted = append(redacted, r["id"])
		if r["note"] != "" || r["key"] != "" {
			t.Errorf("redacted relationship %s exported with note %q, key %q", r["id"], r["note"], r["key"])
		}
	}
	slices.Sort(redacted)
	return redacted
}

// importKeepsNotes imports relsFile into svc as the system viewer and checks that every redacted
// relationship (some of which have notes in the store) is rejected and keeps its note.
func importKeepsNotes(t *testing.T, svc *sarhad.Service, relsFile string, redacted []string) {
	t.Helper()
	sys := as(t, sarhad.SystemViewer())
	stored, err := svc.Store.RelationshipsByID(sys, redacted)
	if err != nil {
		t.Fatal(err)
	}
	notes := map[string]string{}
	withNotes := 0
	for i, r := range stored {
		if r == nil {
			t.Fatalf("redacted relationship %s is not in the store", redacted[i])
		}
		if notes[r.ID] = r.Note; r.Note != "" {
			withNotes++
		}
	}
	if withNotes == 0 {
		t.Fatalf("%d redacted relationships, none with a note in the store: the test proves nothing", len(redacted))
	}

	rep, err := ingest.Run(sys, svc.Store, []string{relsFile}, importOptions)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Rejected {
		if !strings.Contains(r.Reason, sarhad.RedactedTieReason) {
			t.Errorf("rejected: %s", r)
		}
	}
	if len(rep.Rejected) != len(redacted) {
		t.Errorf("%d rows rejected, want the %d redacted relationships", len(rep.Rejected), len(redacted))
	}
	after, err := svc.Store.RelationshipsByID(sys, redacted)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range after {
		if r.Note != notes[r.ID] {
			t.Errorf("relationship %s: note %q after the import, was %q", r.ID, r.Note, notes[r.ID])
		}
	}
	t.Logf("%d redacted relationships, %d of them with a note in the store", len(redacted), withNotes)
}
