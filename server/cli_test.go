package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/store/sqlite"
)

// importChildEnv tells the test binary, re-run as a child, to run an import with these arguments
// (JSON) and nothing else.
const importChildEnv = "SARHAD_TEST_IMPORT_ARGS"

// TestHelperImport is not a test: run by TestImportKilledMidwayIsFinishedByARerun as a child process.
func TestHelperImport(t *testing.T) {
	raw := os.Getenv(importChildEnv)
	if raw == "" {
		t.Skip("the child process of TestImportKilledMidwayIsFinishedByARerun")
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		os.Exit(2)
	}
	if _, err := command(context.Background(), args, func(string) string { return "" }, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// writeImportFile writes n persons and a chain of n-1 ASSOCIATE_OF relationships among them as JSON
// Lines.
func writeImportFile(t *testing.T, n int) string {
	t.Helper()
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, `{"kind":"PERSON","key":"p-%05d","name":"Imported Person %05d","gender":"MALE","birthDate":"1980-01-%02d"}`+"\n", i, i, i%28+1)
	}
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, `{"type":"ASSOCIATE_OF","key":"r-%05d","from":{"kind":"PERSON","key":"p-%05d"},"to":{"kind":"PERSON","key":"p-%05d"}}`+"\n", i, i, i-1)
	}
	file := filepath.Join(t.TempDir(), "people.jsonl")
	if err := os.WriteFile(file, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestImportKilledMidwayIsFinishedByARerun kills an import with SIGKILL after a few batches, then
// imports the same file again: every record is there, whole, and nothing twice.
func TestImportKilledMidwayIsFinishedByARerun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	const n = 3000
	file := writeImportFile(t, n)
	data := t.TempDir()
	args := []string{"import", "-data", data, "-org", "FIA-AHTC-GRW", "-country", "PK", "-batch", "100",
		"-progress", "lines", "-progress-every", "0s", file}
	raw, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperImport$")
	cmd.Env = append(os.Environ(), importChildEnv+"="+string(raw))
	if neo4jEnv.Config.URI != "" {
		// The child is this test binary: its TestMain would launch a Neo4j of its own, which the
		// kill below would leave running. It imports into the embedded store and only needs one.
		cmd.Env = append(cmd.Env, "NEO4J_URI="+neo4jEnv.Config.URI)
	}
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	progress, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	lines := bufio.NewScanner(progress)
	seen := 0
	for lines.Scan() {
		if strings.HasPrefix(lines.Text(), "import: ") && !strings.Contains(lines.Text(), " 0 created") {
			if seen++; seen == 5 {
				if err := cmd.Process.Kill(); err != nil {
					t.Fatal(err)
				}
				break
			}
		}
	}
	_ = cmd.Wait()
	if seen < 5 || cmd.ProcessState.ExitCode() != -1 {
		t.Fatalf("the import was not killed midway (%d progress lines, exit %d): %s", seen, cmd.ProcessState.ExitCode(), stdout.String())
	}

	var out, errs bytes.Buffer
	if _, err := command(t.Context(), args, func(string) string { return "" }, &out, &errs); err != nil {
		t.Fatalf("rerun: %v\n%s", err, errs.String())
	}
	m := regexp.MustCompile(`(\d+) records read in \S+: (\d+) created, (\d+) updated, (\d+) unchanged, \d+ skipped, (\d+) rejected`).
		FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("report %q", out.String())
	}
	num := func(i int) int { n, _ := strconv.Atoi(m[i]); return n }
	read, created, updated, unchanged, rejected := num(1), num(2), num(3), num(4), num(5)
	// The file's Source is written too: 2n records in all.
	if read != 2*n-1 || created == 0 || unchanged == 0 || updated != 0 || rejected != 0 || created+unchanged != 2*n {
		t.Fatalf("the rerun did not finish the job: %s", out.String())
	}

	st, err := sqlite.Open(t.Context(), data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := sarhad.NewContext(t.Context(), sarhad.SystemViewer())
	// The killed import left its STARTED entry; the rerun one before and one after.
	audit, err := st.AuditLog(ctx, sarhad.AuditQuery{OperationName: "import", Page: sarhad.Page{First: 10}})
	if err != nil {
		t.Fatal(err)
	}
	var outcomes []string
	for _, e := range audit.Entries {
		outcomes = append(outcomes, e.Outcome)
	}
	if !slices.Equal(outcomes, []string{sarhad.AuditOK, sarhad.AuditStarted, sarhad.AuditStarted}) {
		t.Errorf("import audit entries, newest first: %v; want OK, STARTED, STARTED", outcomes)
	}
	page, err := st.ListEntities(ctx, sarhad.ListQuery{Kind: sarhad.KindPerson, Page: sarhad.Page{First: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if page.TotalCount != n {
		t.Fatalf("%d persons after the rerun, want %d", page.TotalCount, n)
	}
	secret, err := st.IDSecret(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, n)
	for i := range n {
		ids[i] = sarhad.KeyedID(secret, sarhad.KindPerson, "FIA-AHTC-GRW", fmt.Sprintf("p-%05d", i))
	}
	found, err := st.Entities(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range found {
		p, ok := e.(*sarhad.Person)
		if !ok || p.Name != fmt.Sprintf("Imported Person %05d", i) || p.SourceRef != fmt.Sprintf("people.jsonl:%d", i+1) {
			t.Fatalf("person %d after the rerun: %+v", i, e)
		}
	}
	rels, err := st.Relationships(ctx, sarhad.RelationshipQuery{Anchors: ids, Direction: sarhad.DirOut})
	if err != nil {
		t.Fatal(err)
	}
	if len(rels) != n-1 {
		t.Fatalf("%d relationships after the rerun, want %d", len(rels), n-1)
	}
}

// An export to a file creates it readable by its owner only, and never writes over a file.
func TestExportWritesANewPrivateFile(t *testing.T) {
	data, out := t.TempDir(), filepath.Join(t.TempDir(), "graph.graphml")
	getenv := func(k string) string {
		if k == "SARHAD_DATA" {
			return data
		}
		return ""
	}
	export := []string{"export", "-format", "graphml", "-org", "FIA-AHTC-LHR", "-country", "PAK", "-out", out}
	var stderr bytes.Buffer
	if _, err := command(t.Context(), export, getenv, &bytes.Buffer{}, &stderr); err != nil {
		t.Fatalf("export: %v (%s)", err, stderr.String())
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 || fi.Size() == 0 {
		t.Errorf("the export is %v with %d bytes, want -rw------- and a GraphML document", fi.Mode().Perm(), fi.Size())
	}
	if err := os.WriteFile(out, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := command(t.Context(), export, getenv, &bytes.Buffer{}, &stderr); err == nil {
		t.Error("a second export to the same file succeeded")
	}
	if b, _ := os.ReadFile(out); string(b) != "keep me" {
		t.Errorf("the second export wrote over the file: %q", b)
	}
}

// The audit entry of an export lists the sensitive records it gave out, as a query's does.
func TestExportIsAuditedWithTheSensitiveRecords(t *testing.T) {
	data := t.TempDir()
	sys := sarhad.NewContext(t.Context(), sarhad.SystemViewer())
	st, err := sqlite.Open(t.Context(), data)
	if err != nil {
		t.Fatal(err)
	}
	meta := func(key string, tlp sarhad.TLP) sarhad.Meta {
		return sarhad.Meta{ID: sarhad.StableID(sarhad.KindPerson, key), Kind: sarhad.KindPerson,
			Handling: sarhad.Handling{OriginatorOrg: "FIA-AHTC-LHR", OriginatorCountry: "PAK", TLP: tlp}}
	}
	victim := &sarhad.Person{Meta: meta("victim", sarhad.TLPGreen), Name: "Rokeya Begum", Victim: &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult}}
	amber := &sarhad.Person{Meta: meta("amber", sarhad.TLPAmber), Name: "Asif Iqbal"}
	clear := &sarhad.Person{Meta: meta("clear", sarhad.TLPClear), Name: "Zahid Mengal"}
	if _, err := st.Apply(sys, &sarhad.ChangeSet{Put: []sarhad.Entity{victim, amber, clear}}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	getenv := func(k string) string {
		if k == "SARHAD_DATA" {
			return data
		}
		return ""
	}
	var stdout, stderr bytes.Buffer
	if _, err := command(t.Context(), []string{"export", "-format", "ftm", "-org", "FIA-AHTC-LHR", "-country", "PAK"}, getenv,
		&stdout, &stderr); err != nil {
		t.Fatalf("export: %v (%s)", err, stderr.String())
	}
	if st, err = sqlite.Open(t.Context(), data); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	page, err := st.AuditLog(sys, sarhad.AuditQuery{OperationName: "export", Page: sarhad.Page{First: 10}})
	if err != nil || len(page.Entries) != 1 {
		t.Fatalf("audit entries of the export: %v, %v", page, err)
	}
	want := []string{amber.ID, victim.ID}
	slices.Sort(want)
	if got := page.Entries[0].SensitiveIDs; !slices.Equal(got, want) {
		t.Errorf("the export's audit entry lists %v, want the victim and the AMBER record %v", got, want)
	}
}

// The import command records as victims the records SAME_AS ties to a record it writes as a
// victim's (sarhad.Service.ProtectSameAs), and the audit trail lists them.
func TestImportCommandProtectsTheOtherRecordsOfAVictim(t *testing.T) {
	data, dir := t.TempDir(), t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	persons := write("persons.csv", "key,name,gender\nP-1,Shazia Bibi,FEMALE\nP-2,Shazia Parveen,FEMALE\n")
	same := write("relationships.csv", "key,type,from.kind,from.key,to.kind,to.key\nR-1,SAME_AS,PERSON,P-1,PERSON,P-2\n")
	importFiles := func(files ...string) {
		t.Helper()
		args := append([]string{"import", "-data", data, "-org", "FIA-AHTC-GRW", "-country", "PK", "-progress", "none"}, files...)
		var out, errs bytes.Buffer
		if _, err := command(t.Context(), args, func(string) string { return "" }, &out, &errs); err != nil || errs.Len() > 0 {
			t.Fatalf("import %v: %v\n%s", files, err, errs.String())
		}
	}
	importFiles(persons, same)
	importFiles(write("later/persons.csv", "key,name,gender,victim.ageGroup\nP-1,Shazia Bibi,FEMALE,ADULT\n"))

	st, err := sqlite.Open(t.Context(), data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := sarhad.NewContext(t.Context(), sarhad.SystemViewer())
	secret, err := st.IDSecret(ctx)
	if err != nil {
		t.Fatal(err)
	}
	other := sarhad.KeyedID(secret, sarhad.KindPerson, "FIA-AHTC-GRW", "P-2")
	found, err := st.Entities(ctx, []string{other})
	if err != nil || len(found) != 1 || !sarhad.IsVictim(found[0]) {
		t.Fatalf("P-2 after the second import: %v, %v; want a victim's record", found, err)
	}
	audit, err := st.AuditLog(ctx, sarhad.AuditQuery{OperationName: sarhad.RecordNamedVictimsOperation, Page: sarhad.Page{First: 10}})
	if err != nil || len(audit.Entries) != 2 || !slices.Equal(audit.Entries[0].SensitiveIDs, []string{other}) {
		t.Errorf("recordNamedVictims audit entries %+v, %v; want STARTED and OK listing %s", audit, err, other)
	}
}
