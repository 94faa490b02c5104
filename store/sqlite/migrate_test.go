package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"testing"

	"github.com/sarhad/sarhad"
)

// TestUpgradeAddsSourceRef opens a database made by the migrations before source_ref: its records
// keep their data and read back with an empty SourceRef, and new writes keep theirs.
func TestUpgradeAddsSourceRef(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, FileName)+"?_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	const before = 3 // 0004_source_ref.sql is the first migration this test upgrades across
	for _, name := range names[:before] {
		body, err := migrationFS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	a, b := sarhad.StableID(sarhad.KindPerson, "old a"), sarhad.StableID(sarhad.KindPerson, "old b")
	rel := sarhad.StableID("", "old a-b")
	stampNow := "2025-03-14T09:00:00.000000000Z"
	for _, id := range []string{a, b} {
		if _, err := db.Exec(`INSERT INTO entities (id, kind, attrs, origin_org, origin_country, tlp, source_key, created_at,
			created_by, updated_at, updated_by) VALUES (?, 'PERSON', '{"name":"Old Record","gender":"UNKNOWN"}', 'FIA', 'PAK',
			'CLEAR', 'K-1', ?, 'old', ?, 'old')`, id, stampNow, stampNow); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO relationships (id, type, from_id, to_id, props, origin_org, origin_country, tlp,
		created_at, created_by, updated_at, updated_by) VALUES (?, 'ASSOCIATE_OF', ?, ?, '{}', 'FIA', 'PAK', 'CLEAR', ?, 'old', ?, 'old')`,
		rel, a, b, stampNow, stampNow); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", before)); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s, err := Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var version int
	if err := s.db.QueryRowContext(t.Context(), "PRAGMA user_version").Scan(&version); err != nil || version != len(names) {
		t.Fatalf("user_version = %d, %v; want %d", version, err, len(names))
	}
	ctx := sarhad.NewContext(t.Context(), sarhad.SystemViewer())
	es, err := s.Entities(ctx, []string{a})
	if err != nil || es[0] == nil || es[0].EntityMeta().SourceKey != "K-1" || es[0].EntityMeta().SourceRef != "" {
		t.Fatalf("Entities = %v, %v; want the old record with no SourceRef", es, err)
	}
	rs, err := s.RelationshipsByID(ctx, []string{rel})
	if err != nil || rs[0] == nil || rs[0].SourceRef != "" {
		t.Fatalf("RelationshipsByID = %v, %v; want the old relationship with no SourceRef", rs, err)
	}
	// Written again unchanged, an old record stays unchanged; changed, it takes its SourceRef.
	p := es[0].(*sarhad.Person)
	res, err := s.Apply(ctx, &sarhad.ChangeSet{Put: []sarhad.Entity{p}})
	if err != nil || *res != (sarhad.ApplyResult{Unchanged: 1}) {
		t.Fatalf("Apply = %v, %v; want Unchanged 1", res, err)
	}
	p.SourceRef, p.Occupation = "persons.csv:2", "driver"
	if res, err := s.Apply(ctx, &sarhad.ChangeSet{Put: []sarhad.Entity{p}}); err != nil || *res != (sarhad.ApplyResult{Updated: 1}) {
		t.Fatalf("Apply = %v, %v; want Updated 1", res, err)
	}
	if es, err := s.Entities(ctx, []string{a}); err != nil || es[0].EntityMeta().SourceRef != "persons.csv:2" {
		t.Fatalf("Entities = %v, %v; want SourceRef persons.csv:2", es, err)
	}
}

// TestPlainJSONStrings checks that jsonList writes what json.Marshal writes, with or without its
// fast path.
func TestPlainJSONStrings(t *testing.T) {
	for _, list := range [][]string{
		nil, {}, {""}, {"PAK"}, {"IRN", "GRC"}, {"per_0123456789abcdefghjkmnpq"},
		{`a"b`}, {`a\b`}, {"<script>"}, {"a&b"}, {"tab\there"}, {"line\nbreak"}, {"ünïcödé"}, {"\u2028"}, {"\x7f"},
		{"plain", "<mixed>"},
	} {
		want, err := json.Marshal(list)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 0 {
			want = []byte("[]")
		}
		if got := jsonList(list); got != string(want) {
			t.Errorf("jsonList(%q) = %s, want %s", list, got, want)
		}
	}
}
