package graph_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sarhad/sarhad"
)

const importMutation = `mutation($in: ImportRecordsInput!) { importRecords(input: $in) {
	files read created updated unchanged skipped rejected { file line field reason } } }`

type importOut struct {
	ImportRecords struct {
		Files, Read, Created, Updated, Unchanged, Skipped int
		Rejected                                          []struct {
			File, Field, Reason string
			Line                int
		}
	}
}

// exampleFiles are the files of the importer's example set, as a request carries them.
func exampleFiles(t *testing.T) []map[string]any {
	t.Helper()
	dir := "../ingest/testdata/example"
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []map[string]any
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, map[string]any{"name": e.Name(), "content": string(b)})
	}
	return files
}

func TestImportRecordsIsIdempotentAndReportsBadRows(t *testing.T) {
	e := newEnv(t)
	files := exampleFiles(t)
	// The example set holds a victim: whoever imports it again must be cleared to see victims.
	investigator := &sarhad.Viewer{Subject: "inv-2", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: "PAK", Org: "FIA-AHTC-LHR",
		Clearances: []string{sarhad.ClearanceVictimPII}}
	var first importOut
	e.mustDo(investigator, importMutation, map[string]any{"in": map[string]any{"format": "CSV", "files": files}}, &first)
	r := first.ImportRecords
	if r.Files != len(files) || r.Created == 0 || r.Updated != 0 || len(r.Rejected) != 0 {
		t.Fatalf("first import: %+v", r)
	}
	var search struct {
		Search struct {
			Edges []struct {
				Node struct {
					ID        string
					SourceRef string
					Handling  struct{ OriginatorOrg string }
					Sources   []struct{ Title string }
				}
			}
		}
	}
	e.mustDo(investigator, `{ search(text: "Tariq Mehmood", kinds: [PERSON]) { edges { node { id sourceRef handling { originatorOrg } sources { title } } } } }`, nil, &search)
	if len(search.Search.Edges) == 0 {
		t.Fatal("the imported person is not found")
	}
	got := search.Search.Edges[0].Node
	if got.Handling.OriginatorOrg != investigator.Org || len(got.Sources) != 1 || got.Sources[0].Title != "persons.csv" ||
		got.SourceRef != "persons.csv:2" {
		t.Errorf("imported person: %+v", got)
	}

	var again importOut
	e.mustDo(investigator, importMutation, map[string]any{"in": map[string]any{"format": "CSV", "files": files}}, &again)
	if a := again.ImportRecords; a.Created != 0 || a.Updated != 0 || a.Unchanged != r.Created || a.Read != r.Read {
		t.Errorf("second import changed something: %+v (first %+v)", a, r)
	}

	bad := []map[string]any{{"name": "persons.csv", "content": "key,name,gender,birthDate\nX-1,Good Row,MALE,1990-01-02\nX-2,Bad Date,MALE,1990-13-45\n"}}
	var partial importOut
	e.mustDo(investigator, importMutation, map[string]any{"in": map[string]any{"format": "CSV", "files": bad}}, &partial)
	p := partial.ImportRecords
	if len(p.Rejected) != 1 || p.Rejected[0].File != "persons.csv" || p.Rejected[0].Line != 3 || p.Rejected[0].Field != "birthDate" {
		t.Errorf("bad row reported as %+v", p.Rejected)
	}
	var atomic importOut
	bad[0]["content"] = strings.ReplaceAll(bad[0]["content"].(string), "X-", "Y-")
	e.mustDo(investigator, importMutation, map[string]any{"in": map[string]any{"format": "CSV", "files": bad, "atomic": true}}, &atomic)
	if a := atomic.ImportRecords; a.Created != 0 || len(a.Rejected) != 1 {
		t.Errorf("atomic import with a bad row wrote something: %+v", a)
	}

	for _, c := range []struct {
		name string
		v    *sarhad.Viewer
		in   map[string]any
		code string
	}{
		{"analysts only read", analyst, map[string]any{"format": "CSV", "files": files}, sarhad.EFORBIDDEN},
		{"a path for a name", investigator, map[string]any{"format": "CSV", "files": []map[string]any{{"name": "../persons.csv", "content": "key,name\n"}}}, sarhad.EINVALID},
		{"too many lines", investigator, map[string]any{"format": "JSONL", "files": []map[string]any{{"name": "big.jsonl",
			"content": strings.Repeat("{}\n", 6000)}}}, sarhad.EINVALID},
		{"another organisation as originator", investigator, map[string]any{"format": "CSV", "files": files,
			"handling": map[string]any{"originatorOrg": "FIA-AHTC-QTA", "originatorCountry": "PAK", "tlp": "AMBER"}}, sarhad.EINVALID},
	} {
		if r := e.do(c.v, importMutation, map[string]any{"in": c.in}, nil); r.code() != c.code {
			t.Errorf("%s: %+v, want %s", c.name, r.Errors, c.code)
		}
	}
}

// The importer reads a request's files from a temporary directory on the server; its rejections
// and errors name the files as the request did, never that directory.
func TestImportRecordsNamesFilesAsTheRequestDid(t *testing.T) {
	e := newEnv(t)
	var out importOut
	e.mustDo(investigator, importMutation, map[string]any{"in": map[string]any{"format": "CSV", "files": []map[string]any{
		{"name": "persons.csv", "content": "key,name\nP-1,Asif Iqbal\n"},
		{"name": "people.csv", "content": "key,name\nP-1,Asif Iqbal\n"}}}}, &out)
	if rej := out.ImportRecords.Rejected; len(rej) != 1 || rej[0].File != "people.csv" || !strings.Contains(rej[0].Reason, "persons.csv line 2") ||
		strings.Contains(rej[0].Reason, "/") {
		t.Errorf("the repeated key: got %+v, want people.csv rejected naming persons.csv line 2, and no directory", rej)
	}
	r := e.do(investigator, importMutation, map[string]any{"in": map[string]any{"format": "CSV", "files": []map[string]any{
		{"name": "stuff.csv", "content": "a,b\n1,2\n"}}}}, nil)
	if r.code() != sarhad.EINVALID || len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, "stuff.csv") ||
		strings.Contains(r.Errors[0].Message, "/") {
		t.Errorf("a file of no known kind: got %+v, want BAD_USER_INPUT naming stuff.csv and no directory", r.Errors)
	}
}

// A matrix of n labels gives up to n(n-1)/2 relationships, more than its lines say: a request's
// matrix is bounded by its labels.
func TestImportRecordsBoundsAMatrix(t *testing.T) {
	e := newEnv(t)
	matrix := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, ",%d", i)
		}
		b.WriteString("\n")
		for i := range n {
			fmt.Fprintf(&b, "%d%s\n", i, strings.Repeat(",1", n))
		}
		return b.String()
	}
	var out importOut
	e.mustDo(investigator, importMutation, map[string]any{"in": map[string]any{"format": "MATRIX", "files": []map[string]any{
		{"name": "big.csv", "content": matrix(301)}}}}, &out)
	if rej := out.ImportRecords.Rejected; out.ImportRecords.Read != 0 || len(rej) != 1 || rej[0].Line != 1 {
		t.Errorf("a matrix of 301 labels: %+v, want it refused", out.ImportRecords)
	}
	e.mustDo(investigator, importMutation, map[string]any{"in": map[string]any{"format": "MATRIX", "files": []map[string]any{
		{"name": "small.csv", "content": matrix(30)}}}}, &out)
	if rej := out.ImportRecords.Rejected; len(rej) != 0 || out.ImportRecords.Created != 30+30*29/2+1 { // and the file's source
		t.Errorf("a matrix of 30 labels: %+v, want 30 persons and 435 ties", out.ImportRecords)
	}
}

// Two records of one person, tied by SAME_AS and released to Iran; a later import records one as
// a victim. The other, under its name beside the victim's pseudonym, would tell the Iranian
// officer who the victim is: the import records it as a victim too, so that both ends are
// pseudonyms.
func TestImportRecordsProtectsTheOtherRecordsOfAVictim(t *testing.T) {
	e := newEnv(t)
	pii := &sarhad.Viewer{Subject: "inv-pii", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: "PAK", Org: investigator.Org,
		Clearances: []string{sarhad.ClearanceVictimPII}}
	released := map[string]any{"tlp": "GREEN", "releasableTo": []string{"IRN"}}
	var out importOut
	e.mustDo(pii, importMutation, map[string]any{"in": map[string]any{"format": "CSV", "handling": released, "files": []map[string]any{
		{"name": "persons.csv", "content": "key,name,gender\nP-1,Shazia Bibi,FEMALE\nP-2,Shazia Parveen,FEMALE\n"},
		{"name": "relationships.csv", "content": "key,type,from.kind,from.key,to.kind,to.key\nR-1,SAME_AS,PERSON,P-1,PERSON,P-2\n"}}}}, &out)
	if len(out.ImportRecords.Rejected) > 0 {
		t.Fatalf("first import: %+v", out.ImportRecords)
	}
	e.mustDo(pii, importMutation, map[string]any{"in": map[string]any{"format": "CSV", "handling": released, "files": []map[string]any{
		{"name": "persons.csv", "content": "key,name,gender,victim.ageGroup\nP-1,Shazia Bibi,FEMALE,ADULT\n"}}}}, &out)
	if out.ImportRecords.Updated != 1 || len(out.ImportRecords.Rejected) > 0 {
		t.Fatalf("the import recording P-1 as a victim: %+v", out.ImportRecords)
	}
	ids := map[string]string{}
	var search struct {
		Search struct {
			Edges []struct{ Node struct{ ID, Name string } }
		}
	}
	e.mustDo(pii, `{ search(text: "Shazia", kinds: [PERSON]) { edges { node { id ... on Person { name } } } } }`, nil, &search)
	for _, edge := range search.Search.Edges {
		ids[edge.Node.Name] = edge.Node.ID
	}
	if len(ids) != 2 {
		t.Fatalf("found %v, want both records", ids)
	}
	samePseudonyms(t, e, ids["Shazia Parveen"], ids["Shazia Bibi"])
}

// piiLHR is an investigator of FIA-AHTC-LHR cleared to see that organisation's victims.
var piiLHR = &sarhad.Viewer{Subject: "inv-pii", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: "PAK",
	Org: "FIA-AHTC-LHR", Clearances: []string{sarhad.ClearanceVictimPII}}

// createKeyedVictim records, as viewer v, a victim under a source key that is an identity number, as
// an import of a case file would, and returns its id.
func createKeyedVictim(t *testing.T, e *env, v *sarhad.Viewer, name, key string, h *sarhad.Handling) string {
	t.Helper()
	ctx := sarhad.NewContext(context.Background(), v)
	p := &sarhad.Person{Name: name, Gender: sarhad.GenderFemale, Victim: &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult}}
	got, err := e.svc.Create(ctx, p, sarhad.WriteOptions{Handling: h, SourceKey: key})
	if err != nil {
		t.Fatal(err)
	}
	return got.EntityMeta().ID
}

// A victim's source key is withheld with the name (it may be an identity number or the name), and
// keyed ids are HMACs so that the key cannot be tried against the id. A liaison officer of Iran, to
// whom the victim is released under a pseudonym, names the victim's organisation in `to.org` of a
// relationships file and tries candidate keys: every row is rejected alike, the right key's as the
// wrong ones', so no row tells the victim's key.
func TestImportRecordsDoesNotConfirmAVictimsKeyOfAnotherOrganisation(t *testing.T) {
	e := newEnv(t)
	victim := createKeyedVictim(t, e, piiLHR, "Shazia Bibi", "CNIC-35202-1234567-8",
		&sarhad.Handling{TLP: sarhad.TLPGreen, ReleasableTo: []string{"IRN"}})
	// The officer sees the victim under its pseudonym, without its key.
	var node struct {
		Node struct{ Name, SourceKey string }
	}
	e.mustDo(iranOfficer, `query($id: ID!) { node(id: $id) { ... on Person { name sourceKey } } }`, map[string]any{"id": victim}, &node)
	if node.Node.Name != sarhad.Pseudonym(victim) || node.Node.SourceKey != "" {
		t.Fatalf("precondition: the officer reads %+v", node.Node)
	}
	guesses := []string{"CNIC-35202-1111111-1", "CNIC-35202-1234567-8", "CNIC-35202-2222222-2"}
	rels := "type,from.kind,from.key,to.kind,to.key,to.org\n"
	for _, g := range guesses {
		rels += "ASSOCIATE_OF,PERSON,PROBE," + "PERSON," + g + ",FIA-AHTC-LHR\n"
	}
	var out importOut
	e.mustDo(iranOfficer, importMutation, map[string]any{"in": map[string]any{"format": "CSV", "files": []map[string]any{
		{"name": "persons.csv", "content": "key,name\nPROBE,Probe\n"},
		{"name": "relationships.csv", "content": rels}}}}, &out)
	var ties struct {
		Persons struct {
			Nodes []struct {
				Name          string
				Relationships []struct {
					SourceKey string
					To        struct{ ID, Name string }
				}
			}
		}
	}
	e.mustDo(iranOfficer, `{ persons(first: 10) { nodes { name relationships(types: [ASSOCIATE_OF]) { to { id ... on Person { name } } } } } }`, nil, &ties)
	for _, p := range ties.Persons.Nodes {
		for _, r := range p.Relationships {
			if r.To.ID == victim {
				t.Errorf("the officer's probe is tied to %s (%s): one of the guessed keys is that victim's", r.To.ID, r.To.Name)
			}
		}
	}
	rejected := map[int]string{}
	for _, r := range out.ImportRecords.Rejected {
		if r.File == "relationships.csv" {
			rejected[r.Line] = r.Reason
		}
	}
	if len(rejected) != len(guesses) {
		t.Fatalf("the officer's rows of guessed keys: %d of %d rejected, the others tell the victim's key: %v",
			len(rejected), len(guesses), rejected)
	}
	for i, g := range guesses {
		if alike := strings.ReplaceAll(rejected[i+2], g, "K"); alike != strings.ReplaceAll(rejected[2], guesses[0], "K") {
			t.Errorf("the row of key %s is rejected as %q, that of a key naming nothing as %q", g, rejected[i+2], rejected[2])
		}
	}
}

// The same within the organisation: an investigator of FIA-AHTC-LHR without the VICTIM_PII
// clearance names a key of the organisation's own victim as the end of a relationship row: the row
// is rejected as one naming nothing, so the investigator does not learn which pseudonym the key
// (an identity number) belongs to.
func TestImportRecordsDoesNotConfirmAnOwnVictimsKeyToAnUnclearedInvestigator(t *testing.T) {
	e := newEnv(t)
	victim := createKeyedVictim(t, e, piiLHR, "Shazia Bibi", "CNIC-35202-1234567-8", nil)
	var out importOut
	e.mustDo(investigator, importMutation, map[string]any{"in": map[string]any{"format": "CSV", "files": []map[string]any{
		{"name": "persons.csv", "content": "key,name\nPROBE,Probe\n"},
		{"name": "relationships.csv", "content": "type,from.kind,from.key,to.kind,to.key\n" +
			"ASSOCIATE_OF,PERSON,PROBE,PERSON,CNIC-35202-0000000-0\n" +
			"ASSOCIATE_OF,PERSON,PROBE,PERSON,CNIC-35202-1234567-8\n"}}}}, &out)
	var got struct {
		Node struct {
			Name          string
			Relationships []struct{ From, To struct{ ID string } }
		}
	}
	e.mustDo(investigator, `query($id: ID!) { node(id: $id) { ... on Person { name relationships(types: [ASSOCIATE_OF]) {
		from { id } to { id } } } } }`, map[string]any{"id": victim}, &got)
	if got.Node.Name != sarhad.Pseudonym(victim) {
		t.Fatalf("precondition: the uncleared investigator reads %q", got.Node.Name)
	}
	if len(got.Node.Relationships) > 0 {
		t.Errorf("the uncleared investigator's probe is tied to %s: key CNIC-35202-1234567-8 is that victim's (rejected rows: %+v)",
			got.Node.Name, out.ImportRecords.Rejected)
	}
}

// An investigator without the clearance imports a relationships file whose row names, by its id,
// a tie of their organisation to a victim they see under a pseudonym: the tie shows them no note or
// keys, so the row would replace what they could not read. It is rejected, in an atomic import as
// listed before anything is written, and the note stays.
func TestImportRecordsDoesNotRewriteATieOfAProtectedVictim(t *testing.T) {
	e := newEnv(t)
	victim := createKeyedVictim(t, e, piiLHR, "Shazia Bibi", "CNIC-35202-1234567-8", nil)
	suspect := e.create(&sarhad.Person{Name: "Tariq Mehmood"}, nil)
	const note = "met her brother at the bus stand"
	ctx := sarhad.NewContext(context.Background(), piiLHR)
	tie, err := e.svc.Link(ctx, &sarhad.Relationship{Type: sarhad.RelRecruited, From: suspect, To: victim,
		RelationProps: sarhad.RelationProps{Note: note}}, sarhad.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, atomic := range []bool{false, true} {
		var out importOut
		e.mustDo(investigator, importMutation, map[string]any{"in": map[string]any{"format": "CSV", "atomic": atomic,
			"files": []map[string]any{{"name": "relationships.csv", "content": "id,type,from.id,to.id,note\n" +
				tie.ID + ",RECRUITED," + suspect + "," + victim + ",\n"}}}}, &out)
		got := out.ImportRecords
		if len(got.Rejected) != 1 || got.Rejected[0].Line != 2 || !strings.Contains(got.Rejected[0].Reason, "protected victim") {
			t.Errorf("atomic %v: rejected %+v, want line 2 as a tie of a protected victim", atomic, got.Rejected)
		}
		stored, err := e.svc.Store.RelationshipsByID(ctx, []string{tie.ID})
		if err != nil || stored[0] == nil || stored[0].Note != note {
			t.Fatalf("atomic %v: after the import the tie is %+v, %v", atomic, stored[0], err)
		}
	}
}

// TestImportRecordsMarksARedactedRowsTieWithheld: a relationship created from a row of a redacted
// export says so, to everyone, and one created from a plain row does not.
func TestImportRecordsMarksARedactedRowsTieWithheld(t *testing.T) {
	e := newEnv(t)
	from := e.create(&sarhad.Person{Name: "Tariq Mehmood"}, nil)
	to := e.create(&sarhad.Person{Name: "Asif Iqbal"}, nil)
	var out importOut
	e.mustDo(investigator, importMutation, map[string]any{"in": map[string]any{"format": "CSV",
		"files": []map[string]any{{"name": "relationships.csv", "content": "type,from.id,to.id,redacted\n" +
			"ASSOCIATE_OF," + from + "," + to + ",true\n" + "PAID," + from + "," + to + ",\n"}}}}, &out)
	if got := out.ImportRecords; got.Created != 3 || len(got.Rejected) > 0 {
		t.Fatalf("import: %+v, want both rows and the file's Source created", got)
	}
	var read struct {
		Node struct {
			Relationships []struct {
				Type               string
				Withheld, Redacted bool
			}
		}
	}
	e.mustDo(investigator, `query($id: ID!) { node(id: $id) { ... on Person { relationships {
		type withheld redacted } } } }`, map[string]any{"id": from}, &read)
	got := map[string]bool{}
	for _, r := range read.Node.Relationships {
		got[r.Type] = r.Withheld
		if r.Redacted {
			t.Errorf("%s between two suspects is redacted", r.Type)
		}
	}
	if len(got) != 2 || !got["ASSOCIATE_OF"] || got["PAID"] {
		t.Errorf("withheld by type: %v, want ASSOCIATE_OF (the redacted row) only", got)
	}
}
