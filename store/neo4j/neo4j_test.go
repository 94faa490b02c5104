package neo4j_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
	neo4jstore "github.com/sarhad/sarhad/store/neo4j"
	"github.com/sarhad/sarhad/store/neo4j/neo4jtest"
	"github.com/sarhad/sarhad/store/storetest"
)

// neo4jEnv is the Neo4j the tests run against (see neo4jtest).
var neo4jEnv neo4jtest.Env

func TestMain(m *testing.M) { os.Exit(neo4jtest.Main(m, &neo4jEnv)) }

func needNeo4j(tb testing.TB) { tb.Helper(); neo4jEnv.Need(tb) }

func emptyDatabase(tb testing.TB) { tb.Helper(); neo4jEnv.Empty(tb) }

// tableFrom is the Config.TableFrom of the stores open opens (0: the default).
var tableFrom int

// withTables makes open send every write batch as a table until the returned function is called.
func withTables() (restore func()) {
	tableFrom = 1
	return func() { tableFrom = 0 }
}

func open(tb testing.TB) *neo4jstore.Store {
	tb.Helper()
	cfg := neo4jEnv.Config
	cfg.TableFrom = tableFrom
	s, err := neo4jstore.Open(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	return s
}

func TestContract(t *testing.T) {
	needNeo4j(t)
	storetest.Run(t, func(t *testing.T) sarhad.Store {
		emptyDatabase(t)
		return open(t)
	})
}

var clock = time.Date(2025, time.March, 14, 9, 0, 0, 123456789, time.UTC)

func fiaPerson(key, name string) *sarhad.Person {
	return &sarhad.Person{
		Meta: sarhad.Meta{ID: sarhad.StableID(sarhad.KindPerson, key), Kind: sarhad.KindPerson,
			CreatedAt: clock, CreatedBy: "writer", UpdatedAt: clock, UpdatedBy: "writer",
			Handling: sarhad.Handling{OriginatorOrg: "FIA", OriginatorCountry: "PAK", TLP: sarhad.TLPAmber}},
		Name: name, Gender: sarhad.GenderUnknown,
	}
}

// TestReopen checks that Open is idempotent (its schema statements run again without error) and
// that data, the name index included, survives closing and reopening the driver.
func TestReopen(t *testing.T) {
	needNeo4j(t)
	emptyDatabase(t)
	ctx := sarhad.NewContext(t.Context(), sarhad.SystemViewer())
	a, b := fiaPerson("reopen a", "Durable Person One"), fiaPerson("reopen b", "Durable Person Two")
	r := &sarhad.Relationship{Meta: sarhad.Meta{ID: sarhad.StableID("", "reopen"), CreatedAt: clock, UpdatedAt: clock,
		Handling: a.Handling}, Type: sarhad.RelAssociateOf, From: a.ID, To: b.ID}

	s := open(t)
	if _, err := s.Apply(ctx, &sarhad.ChangeSet{Put: []sarhad.Entity{a, b}, Link: []*sarhad.Relationship{r}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendAudit(ctx, &sarhad.AuditEntry{ID: "aud_reopen", Time: clock, Subject: "writer",
		OperationType: "mutation", Outcome: sarhad.AuditOK}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		s := open(t)
		es, err := s.Entities(ctx, []string{a.ID, b.ID})
		if err != nil || es[0] == nil || es[1] == nil {
			t.Fatalf("round %d: Entities = %v, %v", round, es, err)
		}
		if !es[0].EntityMeta().CreatedAt.Equal(clock) {
			t.Errorf("round %d: CreatedAt = %v, want %v", round, es[0].EntityMeta().CreatedAt, clock)
		}
		rs, err := s.RelationshipsByID(ctx, []string{r.ID})
		if err != nil || rs[0] == nil {
			t.Fatalf("round %d: RelationshipsByID = %v, %v", round, rs, err)
		}
		found, err := s.MatchNames(ctx, sarhad.NameQuery{Groups: sarhad.QueryTerms("Durable Person Two"), Limit: 10})
		if err != nil || len(found) != 1 || found[0].EntityMeta().ID != b.ID {
			t.Fatalf("round %d: MatchNames = %v, %v", round, found, err)
		}
		audit, err := s.AuditLog(ctx, sarhad.AuditQuery{Page: sarhad.Page{First: 10}})
		if err != nil || audit.TotalCount != 1 {
			t.Fatalf("round %d: AuditLog = %+v, %v", round, audit, err)
		}
		if err := s.Ping(t.Context()); err != nil {
			t.Errorf("round %d: Ping: %v", round, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestUnavailable checks that a database that does not answer is UNAVAILABLE, within the bounded
// connection timeout.
func TestUnavailable(t *testing.T) {
	_, err := neo4jstore.Open(t.Context(), neo4jstore.Config{URI: "neo4j://127.0.0.1:1"})
	if code := sarhad.ErrorCode(err); code != sarhad.EUNAVAILABLE {
		t.Errorf("Open on a closed port: %v (code %q), want UNAVAILABLE", err, code)
	}
}

// BenchmarkApply links relationships in change sets of 1,000 (one UNWIND batch each) between
// 2,000 persons, and reports relationships per second.
func BenchmarkApply(b *testing.B) {
	needNeo4j(b)
	emptyDatabase(b)
	s := open(b)
	defer s.Close()
	ctx := sarhad.NewContext(context.Background(), sarhad.SystemViewer())
	const persons, batch = 2000, 1000
	var es []sarhad.Entity
	for i := range persons {
		es = append(es, fiaPerson(fmt.Sprint("bench ", i), fmt.Sprint("Bench Person ", i)))
	}
	if _, err := s.Apply(ctx, &sarhad.ChangeSet{Put: es}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		cs := &sarhad.ChangeSet{}
		for j := range batch {
			from, to := es[(n*7)%persons].EntityMeta(), es[(n*13+1)%persons].EntityMeta()
			cs.Link = append(cs.Link, &sarhad.Relationship{
				Meta: sarhad.Meta{ID: sarhad.StableID("", fmt.Sprint("bench rel ", i, " ", j)), CreatedAt: clock,
					CreatedBy: "bench", UpdatedAt: clock, UpdatedBy: "bench", Handling: from.Handling},
				Type: sarhad.RelAssociateOf, From: from.ID, To: to.ID,
				RelationProps: sarhad.RelationProps{Role: "associate", Weight: 1}})
			n++
		}
		res, err := s.Apply(ctx, cs)
		if err != nil {
			b.Fatal(err)
		}
		if res.Created != batch {
			b.Fatalf("created %d of %d", res.Created, batch)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "rels/s")
}
