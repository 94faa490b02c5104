package sqlite_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/store/sqlite"
	"github.com/sarhad/sarhad/store/storetest"
)

// The bulk import of BenchmarkApplyBulk: benchPersons persons (and a few phones and organisations
// for the relationship types that need them) first, then benchRels relationships between them,
// in change sets of benchBatch records, as the importer sends them.
const (
	benchPersons = 10_000
	benchPhones  = 2_000
	benchOrgs    = 500
	benchRels    = 100_000
	benchBatch   = 10_000
)

// bulkEntities returns the entities of the import, persons first.
func bulkEntities() (persons, phones, orgs []sarhad.Entity) {
	h := sarhad.Handling{OriginatorOrg: "FIA", OriginatorCountry: "PAK", TLP: sarhad.TLPAmber, ReleasableTo: []string{"IRN", "GRC"}}
	meta := func(kind sarhad.EntityKind, key string, line int, file string) sarhad.Meta {
		return sarhad.Meta{ID: sarhad.StableID(kind, "FIA\x00"+key), Kind: kind, CreatedAt: clock, CreatedBy: "import",
			UpdatedAt: clock, UpdatedBy: "import", Handling: h, SourceIDs: []string{sarhad.StableID(sarhad.KindSource, "FIA\x00"+file)},
			SourceKey: key, SourceRef: fmt.Sprintf("%s:%d", file, line)}
	}
	for i := range benchPersons {
		key := fmt.Sprint("P-", i)
		persons = append(persons, &sarhad.Person{Meta: meta(sarhad.KindPerson, key, i+2, "persons.csv"),
			Name: fmt.Sprintf("Person %d Khan", i), Aliases: []string{fmt.Sprintf("P%d Khan", i)}, Gender: sarhad.GenderMale,
			BirthDate: sarhad.Date(fmt.Sprintf("19%02d-%02d-%02d", 50+i%50, 1+i%12, 1+i%28)), Nationalities: []string{"PAK"}})
	}
	for i := range benchPhones {
		key := fmt.Sprint("T-", i)
		phones = append(phones, &sarhad.Phone{Meta: meta(sarhad.KindPhone, key, i+2, "phones.csv"),
			Number: fmt.Sprintf("+92300%07d", i), Country: "PAK"})
	}
	for i := range benchOrgs {
		key := fmt.Sprint("O-", i)
		orgs = append(orgs, &sarhad.Organization{Meta: meta(sarhad.KindOrganization, key, i+2, "organizations.csv"),
			Name: fmt.Sprintf("Network %d", i), Category: sarhad.OrgCriminalNetwork, Country: "PAK"})
	}
	return persons, phones, orgs
}

// bulkRelationships returns the relationships of the import: ASSOCIATE_OF and FAMILY_OF between
// persons, USES from persons to phones, MEMBER_OF from persons to organisations and PAID from
// organisations to persons.
func bulkRelationships(persons, phones, orgs []sarhad.Entity) []*sarhad.Relationship {
	h := sarhad.Handling{OriginatorOrg: "FIA", OriginatorCountry: "PAK", TLP: sarhad.TLPAmber, ReleasableTo: []string{"IRN", "GRC"}}
	id := func(es []sarhad.Entity, n int) string { return es[n%len(es)].EntityMeta().ID }
	out := make([]*sarhad.Relationship, 0, benchRels)
	for i := range benchRels {
		key := fmt.Sprint("R-", i)
		a := i % benchPersons
		r := &sarhad.Relationship{Meta: sarhad.Meta{ID: sarhad.StableID("", "FIA\x00"+key), CreatedAt: clock, CreatedBy: "import",
			UpdatedAt: clock, UpdatedBy: "import", Handling: h,
			SourceIDs: []string{sarhad.StableID(sarhad.KindSource, "FIA\x00relationships.csv")},
			SourceKey: key, SourceRef: fmt.Sprintf("relationships.csv:%d", i+2)}}
		switch i % 10 {
		case 0, 1, 2, 3, 4:
			r.Type, r.From, r.To = sarhad.RelAssociateOf, id(persons, a), id(persons, a+1+i/benchPersons)
			r.Weight, r.Note = float64(1+i%17), "intercepted calls"
		case 5:
			r.Type, r.From, r.To = sarhad.RelFamilyOf, id(persons, a), id(persons, a+7+i/benchPersons)
			r.Role = "cousin"
		case 6, 7:
			r.Type, r.From, r.To = sarhad.RelUses, id(persons, a), id(phones, i/10+i/benchPersons)
		case 8:
			r.Type, r.From, r.To = sarhad.RelMemberOf, id(persons, a), id(orgs, i/10)
			r.Role, r.Since = "member", "2021-01-01"
		default:
			r.Type, r.From, r.To = sarhad.RelPaid, id(orgs, i/10), id(persons, a)
			r.Amount, r.Date = &sarhad.Money{Amount: float64(i) * 10, Currency: "PKR"}, "2023-03-04"
		}
		out = append(out, r)
	}
	return out
}

// BenchmarkApplyBulk imports, per iteration into a new store, the entities and then the
// relationships of bulkEntities and bulkRelationships in change sets of benchBatch records, and
// reports relationships per second (the time of the relationships' change sets only) and
// entities per second. As the system viewer (importers, the seed) and as an investigator of the
// originating organisation, whose change sets go through every policy check.
func BenchmarkApplyBulk(b *testing.B) {
	persons, phones, orgs := bulkEntities()
	entities := append(append(append([]sarhad.Entity{}, persons...), phones...), orgs...)
	rels := bulkRelationships(persons, phones, orgs)
	viewers := []struct {
		name string
		v    *sarhad.Viewer
	}{
		{"System", sarhad.SystemViewer()},
		{"Investigator", &sarhad.Viewer{Subject: "importer", Roles: []sarhad.Role{sarhad.RoleInvestigator},
			Country: "PAK", Org: "FIA"}},
	}
	for _, vc := range viewers {
		b.Run(vc.name, func(b *testing.B) {
			ctx := sarhad.NewContext(b.Context(), vc.v)
			var entityTime, relTime, relCPU time.Duration
			for b.Loop() {
				b.StopTimer()
				s, err := sqlite.Open(ctx, b.TempDir())
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				apply := func(cs *sarhad.ChangeSet, want int) time.Duration {
					start := time.Now()
					res, err := s.Apply(ctx, cs)
					if err != nil {
						b.Fatal(err)
					}
					if res.Created != want {
						b.Fatalf("created %d of %d", res.Created, want)
					}
					return time.Since(start)
				}
				for i := 0; i < len(entities); i += benchBatch {
					batch := entities[i:min(i+benchBatch, len(entities))]
					entityTime += apply(&sarhad.ChangeSet{Put: batch}, len(batch))
				}
				cpu := cpuTime()
				for i := 0; i < len(rels); i += benchBatch {
					batch := rels[i:min(i+benchBatch, len(rels))]
					relTime += apply(&sarhad.ChangeSet{Link: batch}, len(batch))
				}
				relCPU += cpuTime() - cpu
				b.StopTimer()
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(b.N*len(rels))/relTime.Seconds(), "rels/s")
			b.ReportMetric(float64(b.N*len(entities))/entityTime.Seconds(), "entities/s")
			if relCPU > 0 {
				// Relationships per second of processor time: what the machine would do if this
				// process had it to itself and no wait for the disk.
				b.ReportMetric(float64(b.N*len(rels))/relCPU.Seconds(), "rels/cpu-s")
			}
		})
	}
}

// BenchmarkInsertFloor writes the relationships of BenchmarkApplyBulk as the engine's floor: into
// the store's own schema (opened, and so migrated, by sqlite.Open, then closed) with its writer's
// settings, in change sets of benchBatch rows, but with one plain prepared INSERT per row of values
// encoded before the clock starts — no reads, no plan, no policy, no encoding. What Apply adds is
// the difference between the two benchmarks' rels/s; the floor itself is what SQLite (this driver,
// this schema, a sync per commit) does on the machine.
func BenchmarkInsertFloor(b *testing.B) {
	persons, phones, orgs := bulkEntities()
	entities := append(append(append([]sarhad.Entity{}, persons...), phones...), orgs...)
	rels := bulkRelationships(persons, phones, orgs)
	ctx := sarhad.NewContext(b.Context(), sarhad.SystemViewer())
	rows := make([][]any, len(rels))
	for i, r := range rels {
		props, err := json.Marshal(r.RelationProps)
		if err != nil {
			b.Fatal(err)
		}
		released, _ := json.Marshal(r.Handling.ReleasableTo)
		sources, _ := json.Marshal(r.SourceIDs)
		stamp := r.CreatedAt.UTC().Format(time.RFC3339Nano)
		rows[i] = []any{r.ID, string(r.Type), r.From, r.To, string(props), r.Handling.OriginatorOrg, r.Handling.OriginatorCountry,
			string(r.Handling.TLP), string(released), string(sources), r.SourceKey, r.SourceRef, stamp, r.CreatedBy, stamp, r.UpdatedBy}
	}
	var relTime time.Duration
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		s, err := sqlite.Open(ctx, dir)
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < len(entities); i += benchBatch {
			if _, err := s.Apply(ctx, &sarhad.ChangeSet{Put: entities[i:min(i+benchBatch, len(entities))]}); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlite.FileName)+"?_pragma=journal_mode(WAL)"+
			"&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_txlock=immediate&_pragma=cache_size(-131072)"+
			"&_pragma=wal_autocheckpoint(16384)")
		if err != nil {
			b.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		b.StartTimer()
		start := time.Now()
		for i := 0; i < len(rows); i += benchBatch {
			tx, err := db.Begin()
			if err != nil {
				b.Fatal(err)
			}
			st, err := tx.Prepare(`INSERT INTO relationships (id, type, from_id, to_id, props, origin_org, origin_country,
				tlp, releasable_to, source_ids, source_key, source_ref, created_at, created_by, updated_at, updated_by)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
			if err != nil {
				b.Fatal(err)
			}
			for _, row := range rows[i:min(i+benchBatch, len(rows))] {
				if _, err := st.Exec(row...); err != nil {
					b.Fatal(err)
				}
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
		relTime += time.Since(start)
		b.StopTimer()
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.N*len(rels))/relTime.Seconds(), "rels/s")
}

// BenchmarkAudit appends audit entries from 1 and 8 concurrent requests (storetest.BenchmarkAudit).
func BenchmarkAudit(b *testing.B) {
	s, err := sqlite.Open(b.Context(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.BenchmarkAudit(b, s)
}
