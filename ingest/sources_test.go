package ingest_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sarhad/sarhad"
)

// TestImportKeepsEverySource: the records of the CSV example read again from a JSON Lines file keep
// the CSV file they came from as a source and add the JSON Lines file, and keep their creation
// stamp; reading either file again changes nothing.
func TestImportKeepsEverySource(t *testing.T) {
	st, ctx := openStore(t), systemContext(t)
	id, _ := keyedIDs(t, st)
	csvFiles := examplePaths(filepath.Join("testdata", "example"))
	jsonl := []string{filepath.Join("testdata", "jsonl", "example.jsonl")}
	run(t, ctx, st, csvFiles, options(clock1))
	before := readGraph(t, ctx, st)

	rep := run(t, ctx, st, jsonl, options(clock2))
	// The 24 records, each with a source more, and the JSON Lines file's Source.
	if len(rep.Rejected) != 0 || rep.Created != 1 || rep.Updated != 24 || rep.Unchanged != 0 {
		t.Fatalf("second file: %+v, want 24 updated and its source created", rep)
	}
	jsonlSource := id(sarhad.KindSource, "import:example.jsonl")
	after := readGraph(t, ctx, st)
	for id, e := range after.entities {
		if e.EntityMeta().Kind == sarhad.KindSource {
			continue
		}
		was := before.entity(t, id).EntityMeta()
		if m := e.EntityMeta(); !slices.Equal(m.SourceIDs, append(slices.Clone(was.SourceIDs), jsonlSource)) ||
			!m.CreatedAt.Equal(clock1) || !m.UpdatedAt.Equal(clock2) {
			t.Errorf("%s: sources %v, created %v, updated %v; want %v and the JSON Lines file, created %v",
				id, m.SourceIDs, m.CreatedAt, m.UpdatedAt, was.SourceIDs, clock1)
		}
	}
	for id, r := range after.rels {
		was := before.rels[id]
		if was == nil {
			t.Errorf("relationship %s is new", id)
			continue
		}
		if !slices.Equal(r.SourceIDs, append(slices.Clone(was.SourceIDs), jsonlSource)) || !r.CreatedAt.Equal(clock1) {
			t.Errorf("relationship %s: sources %v, created %v; want %v and the JSON Lines file, created %v",
				id, r.SourceIDs, r.CreatedAt, was.SourceIDs, clock1)
		}
	}
	if len(after.rels) != len(before.rels) {
		t.Errorf("%d relationships, %d before", len(after.rels), len(before.rels))
	}

	for _, files := range [][]string{csvFiles, jsonl} {
		if rep := run(t, ctx, st, files, options(clock2)); rep.Created+rep.Updated != 0 || len(rep.Rejected) != 0 {
			t.Errorf("%v again: %+v, want nothing changed", files, rep)
		}
	}
}

// TestImportRejectsAKeyMovedToOtherEntities: a relationship key that names a stored relationship
// between other entities, or of another type, is rejected with the key; the stored relationships
// stay as they were, and the other rows are imported (in an atomic import, none).
func TestImportRejectsAKeyMovedToOtherEntities(t *testing.T) {
	for _, atomic := range []bool{false, true} {
		st, ctx := openStore(t), systemContext(t)
		_, relID := keyedIDs(t, st)
		_, paths := writeFiles(t, map[string]string{
			"persons.csv": "key,name\nP-1,Zahid Mengal\nP-2,Noor Bibi\nP-3,Abdul Qadir\n",
			"relationships.csv": "key,type,from.kind,from.key,to.kind,to.key\n" +
				"R-1,ASSOCIATE_OF,PERSON,P-1,PERSON,P-2\n" +
				"R-4,ASSOCIATE_OF,PERSON,P-1,PERSON,P-3\n",
		})
		run(t, ctx, st, paths, options(clock1))
		before := readGraph(t, ctx, st)
		_, paths = writeFiles(t, map[string]string{"relationships.csv": "key,type,from.kind,from.key,to.kind,to.key\n" +
			"R-2,ASSOCIATE_OF,PERSON,P-2,PERSON,P-3\n" +
			"R-1,ASSOCIATE_OF,PERSON,P-1,PERSON,P-3\n" +
			"R-4,FAMILY_OF,PERSON,P-1,PERSON,P-3\n"})
		opts := options(clock2)
		opts.Atomic = atomic
		rep := run(t, ctx, st, paths, opts)
		var got []string
		for _, r := range rep.Rejected {
			got = append(got, fmt.Sprintf("%d %s %s", r.Line, r.Field, r.Reason))
		}
		want := []string{
			`3 key "R-1" already names a relationship that joins other entities`,
			`4 key "R-4" already names a relationship that joins other entities`,
		}
		if !slices.Equal(got, want) {
			t.Errorf("atomic %v: rejected\n%s\nwant\n%s", atomic, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		after := readGraph(t, ctx, st)
		for _, key := range []string{"R-1", "R-4"} {
			id := relID(key)
			if was, r := before.rels[id], after.rels[id]; r == nil || r.Type != was.Type || r.To != was.To || !r.UpdatedAt.Equal(was.UpdatedAt) {
				t.Errorf("atomic %v: %s = %+v, want it as stored: %+v", atomic, key, r, was)
			}
		}
		if _, in := after.rels[relID("R-2")]; in == atomic {
			t.Errorf("atomic %v: R-2 imported: %v", atomic, in)
		}
	}
}

// countingStore counts the change sets it is given.
type countingStore struct {
	sarhad.Store
	applies int
}

func (s *countingStore) Apply(ctx context.Context, cs *sarhad.ChangeSet) (*sarhad.ApplyResult, error) {
	s.applies++
	return s.Store.Apply(ctx, cs)
}

// A file whose keys now name other pairs (keys by row number, rows re-sorted) is rejected key by key
// in a few writes, not in a halving per key: the refused batch has its relationships read first.
func TestImportManyMovedKeys(t *testing.T) {
	const moved, added = 40, 10
	st := &countingStore{Store: openStore(t)}
	ctx := systemContext(t)
	persons := "key,name\n"
	for i := range moved + added + 1 {
		persons += fmt.Sprintf("P-%d,Person %d\n", i, i)
	}
	ties := func(shift int, n int) string {
		csv := "key,type,from.kind,from.key,to.kind,to.key\n"
		for i := range n {
			csv += fmt.Sprintf("R-%d,ASSOCIATE_OF,PERSON,P-0,PERSON,P-%d\n", i, 1+(i+shift)%(moved+added))
		}
		return csv
	}
	_, paths := writeFiles(t, map[string]string{"persons.csv": persons, "relationships.csv": ties(0, moved)})
	run(t, ctx, st, paths, options(clock1))
	_, paths = writeFiles(t, map[string]string{"relationships.csv": ties(1, moved+added)})
	st.applies = 0
	rep := run(t, ctx, st, paths, options(clock2))
	if len(rep.Rejected) != moved {
		t.Fatalf("%d rejected, want %d:\n%s", len(rep.Rejected), moved, lines(rep.Rejected))
	}
	for i, r := range rep.Rejected {
		if r.Line != i+2 || r.Field != "key" || !strings.Contains(r.Reason, "joins other entities") {
			t.Errorf("rejection %d: %v", i, r)
		}
	}
	// R-40 … R-49 (the Source of relationships.csv exists since the first import).
	if rep.Created != added {
		t.Errorf("created %d, want %d", rep.Created, added)
	}
	// The refused write, then the batch without the moved keys.
	if st.applies != 2 {
		t.Errorf("%d writes, want 2", st.applies)
	}
}
