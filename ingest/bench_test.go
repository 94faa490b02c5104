package ingest_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/ingest"
	neo4jstore "github.com/sarhad/sarhad/store/neo4j"
	"github.com/sarhad/sarhad/store/neo4j/neo4jtest"
	"github.com/sarhad/sarhad/store/sqlite"
)

const (
	benchPersons       = 10_000
	benchRelationships = 100_000
)

// writeBenchFiles generates persons.csv and relationships.csv: benchPersons persons and
// benchRelationships distinct ASSOCIATE_OF ties among them (ten per person).
func writeBenchFiles(b *testing.B, dir string) []string {
	b.Helper()
	write := func(name string, fill func(w *bufio.Writer)) string {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriter(f)
		fill(w)
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		return path
	}
	persons := write("persons.csv", func(w *bufio.Writer) {
		fmt.Fprintln(w, "key,name,aliases,gender,birthDate,nationalities")
		for i := range benchPersons {
			fmt.Fprintf(w, "P-%d,Person %d Khan,P%d Khan;Khan %d,MALE,19%02d-%02d-%02d,PAK\n", i, i, i, i, 50+i%50, 1+i%12, 1+i%28)
		}
	})
	rels := write("relationships.csv", func(w *bufio.Writer) {
		fmt.Fprintln(w, "type,from.kind,from.key,to.kind,to.key,weight,note")
		for i := range benchRelationships {
			a := i % benchPersons
			b := (a + 1 + i/benchPersons) % benchPersons
			fmt.Fprintf(w, "ASSOCIATE_OF,PERSON,P-%d,PERSON,P-%d,%d,intercepted calls\n", a, b, 1+i%17)
		}
	})
	return []string{persons, rels}
}

// BenchmarkImportSQLite imports 10,000 persons and 100,000 relationships from CSV into a fresh
// embedded store per iteration (First), or again into one that holds them (Again), and reports
// relationships per second (the persons' import time included).
func BenchmarkImportSQLite(b *testing.B) {
	ctx := sarhad.NewContext(b.Context(), sarhad.SystemViewer())
	benchImport(b, func() (sarhad.Store, func()) {
		st, err := sqlite.Open(ctx, b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		return st, func() { st.Close() }
	})
}

// BenchmarkImportNeo4j is BenchmarkImportSQLite into the Neo4j of NEO4J_URI (skipped when it is not
// set), which must hold no records: it is emptied after each iteration.
func BenchmarkImportNeo4j(b *testing.B) {
	cfg := neo4jstore.Config{URI: os.Getenv("NEO4J_URI"), Username: os.Getenv("NEO4J_USERNAME"),
		Password: os.Getenv("NEO4J_PASSWORD"), Database: os.Getenv("NEO4J_DATABASE")}
	if cfg.URI == "" {
		b.Skip("NEO4J_URI is not set")
	}
	ctx := sarhad.NewContext(b.Context(), sarhad.SystemViewer())
	st, err := neo4jstore.Open(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	for _, kind := range sarhad.EntityKinds() {
		page, err := st.ListEntities(ctx, sarhad.ListQuery{Kind: kind, Page: sarhad.Page{First: 1}})
		if err != nil {
			b.Fatal(err)
		}
		if len(page.Entities) > 0 {
			b.Fatalf("the Neo4j of NEO4J_URI holds records (%s): the benchmark deletes everything, give it an empty database", kind)
		}
	}
	empty := func() {
		if err := neo4jtest.Empty(ctx, cfg); err != nil {
			b.Fatal(err)
		}
	}
	defer empty()
	benchImport(b, func() (sarhad.Store, func()) { return st, empty })
}

// benchImport runs two benchmarks, each iteration on the store fresh returns (with the function
// that disposes of it), and reports relationships per second: First imports the files of
// writeBenchFiles into it; Again imports them a second time (not timed the first), when every
// record comes back unchanged, as in a rerun or an unchanged periodic extract.
func benchImport(b *testing.B, fresh func() (sarhad.Store, func())) {
	files := writeBenchFiles(b, b.TempDir())
	ctx := sarhad.NewContext(b.Context(), sarhad.SystemViewer())
	opts := ingest.Options{Handling: sarhad.Handling{OriginatorOrg: "FIA-AHTC-GRW", OriginatorCountry: "PAK"}}
	const records = benchPersons + benchRelationships + 2 // and the two files' sources
	run := func(b *testing.B, st sarhad.Store, want ingest.Report) time.Duration {
		b.Helper()
		start := time.Now()
		rep, err := ingest.Run(ctx, st, files, opts)
		elapsed := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Rejected) != 0 || rep.Created != want.Created || rep.Unchanged != want.Unchanged {
			b.Fatalf("report: %d created, %d unchanged, %d rejected (first %v)", rep.Created, rep.Unchanged,
				len(rep.Rejected), rep.Rejected[:min(1, len(rep.Rejected))])
		}
		return elapsed
	}
	for _, part := range []struct {
		name  string
		again bool
	}{{"First", false}, {"Again", true}} {
		b.Run(part.name, func(b *testing.B) {
			var elapsed time.Duration
			for range b.N {
				b.StopTimer()
				st, dispose := fresh()
				want := ingest.Report{Created: records}
				if part.again {
					run(b, st, want)
					want = ingest.Report{Unchanged: records}
				}
				b.StartTimer()
				elapsed += run(b, st, want)
				b.StopTimer()
				dispose()
				b.StartTimer()
			}
			b.ReportMetric(float64(benchRelationships*b.N)/elapsed.Seconds(), "rels/s")
		})
	}
}

// nullStore accepts every change set without storing it: BenchmarkImportLoader measures the
// loader alone (reading, checking, resolving, batching).
type nullStore struct{ sarhad.Store }

func (nullStore) Entities(_ context.Context, ids []string) ([]sarhad.Entity, error) {
	return make([]sarhad.Entity, len(ids)), nil
}

func (nullStore) RelationshipsByID(_ context.Context, ids []string) ([]*sarhad.Relationship, error) {
	return make([]*sarhad.Relationship, len(ids)), nil
}

func (nullStore) IDSecret(context.Context) ([]byte, error) { return make([]byte, 32), nil }

func (nullStore) Apply(_ context.Context, cs *sarhad.ChangeSet) (*sarhad.ApplyResult, error) {
	return &sarhad.ApplyResult{Created: len(cs.Put) + len(cs.Link)}, nil
}

// BenchmarkImportLoader is BenchmarkImportSQLite with a store that writes nothing.
func BenchmarkImportLoader(b *testing.B) {
	files := writeBenchFiles(b, b.TempDir())
	ctx := sarhad.NewContext(b.Context(), sarhad.SystemViewer())
	opts := ingest.Options{Handling: sarhad.Handling{OriginatorOrg: "FIA-AHTC-GRW", OriginatorCountry: "PAK"}}
	for b.Loop() {
		if _, err := ingest.Run(ctx, nullStore{}, files, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchRelationships*b.N)/b.Elapsed().Seconds(), "rels/s")
}
