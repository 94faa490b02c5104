package main

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/store/sqlite"
)

// A person that a stored relationship names a victim, in a store written before Apply refused such
// relationships, is a victim's record once the server has started: protected before anything is
// served, and audited.
func TestStartRecordsTheVictimsThatRelationshipsName(t *testing.T) {
	dir := t.TempDir()
	ctx := sarhad.NewContext(t.Context(), sarhad.SystemViewer())
	now := time.Date(2023, time.May, 2, 10, 0, 0, 0, time.UTC)
	meta := func(k sarhad.EntityKind, key string) sarhad.Meta {
		return sarhad.Meta{ID: sarhad.StableID(k, key), Kind: k, CreatedAt: now, CreatedBy: "loader", UpdatedAt: now,
			UpdatedBy: "loader", Handling: sarhad.Handling{OriginatorOrg: "FIA", OriginatorCountry: "PAK", TLP: sarhad.TLPAmber}}
	}
	p := &sarhad.Person{Meta: meta(sarhad.KindPerson, "legacy person"), Name: "Samina Kausar", Gender: sarhad.GenderFemale}
	c := &sarhad.Case{Meta: meta(sarhad.KindCase, "legacy case"), Reference: "FIR 3/2023", Agency: "FIA", Country: "PAK",
		Offences: []sarhad.Offence{sarhad.OffenceTrafficking}, Stage: sarhad.StageRegistered, RegisteredOn: "2023-05-01"}
	r := &sarhad.Relationship{Meta: meta("", "legacy party"), Type: sarhad.RelPartyTo, From: p.ID, To: c.ID}
	r.Role = string(sarhad.PartyWitness)
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Apply(ctx, &sarhad.ChangeSet{Put: []sarhad.Entity{p, c}, Link: []*sarhad.Relationship{r}}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	// As a version before the named-victim rule could have stored it.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE relationships SET props = json_set(props, '$.role', 'VICTIM') WHERE id = ?`, r.ID); err != nil {
		t.Fatal(err)
	}
	db.Close()

	_, _, log := startServerIn(t, dir, map[string]string{"SARHAD_JWT_SECRET": strings.Repeat("s", 32)})
	if !strings.Contains(log.String(), "recorded as victims") || !strings.Contains(log.String(), `"persons":1`) {
		t.Errorf("the log does not tell that one person was recorded:\n%s", log.String())
	}
	if strings.Contains(log.String(), p.Name) || strings.Contains(log.String(), p.ID) {
		t.Errorf("the log names the victim:\n%s", log.String())
	}
	st, err = sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.Entities(ctx, []string{p.ID})
	if err != nil || got[0] == nil || !sarhad.IsVictim(got[0]) {
		t.Errorf("after start: %v, %v; want a victim's record", got, err)
	}
	page, err := st.AuditLog(ctx, sarhad.AuditQuery{OperationName: sarhad.RecordNamedVictimsOperation, Page: sarhad.Page{First: 10}})
	if err != nil || len(page.Entries) != 2 || page.Entries[0].Outcome != sarhad.AuditOK {
		t.Errorf("audit: %+v, %v; want STARTED then OK", page, err)
	}
}
