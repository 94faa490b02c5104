package neo4j_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/sarhad/sarhad"
	neo4jstore "github.com/sarhad/sarhad/store/neo4j"
)

// A write retried by the driver must not be applied twice.
//
// Why these tests re-apply committed work rather than make the driver retry: session.ExecuteWrite
// runs Apply's callback again only after an attempt failed — a transient error (deadlock, leader
// switch, database unavailable) or a connection lost before the commit — and such an attempt was
// rolled back, so nothing of it is in the database. The dangerous case is a commit that was applied
// but whose acknowledgement is lost: the driver does not retry that one (its retry.IsRetryable
// refuses a ConnectivityError around CommitFailedDeadError, an unknown outcome); it returns the error,
// which the store reports as UNAVAILABLE, and the caller — a service retry, a client re-sending its
// mutation — runs the same change set again, on top of the committed first run. That is exactly
// Apply(cs) twice in a row, which these tests do, or at the same time from two goroutines when the
// lost acknowledgement and the retry overlap. The store has no test hook to run the callback twice
// inside one ExecuteWrite, and needs none: every attempt reads the database afresh and writes with
// MERGE by id, so a second run over committed state plans Unchanged and writes nothing.
//
// The concurrent test also gives the two writers the same records in opposite orders, which invites
// lock-order deadlocks: Neo4j breaks one by failing a transaction with the transient DeadlockDetected,
// which the driver does retry by running the callback again — the driver's own retry path, whenever
// it happens.

// retryBatch is the size of retryChangeSet: four entities and three relationships.
const retryBatch = 7

// retryChangeSet returns a change set of three persons, a phone and the relationships between them
// (two ASSOCIATE_OF, one USES, which makes the phone an identifier with a holder), with ids and
// content from tag and every stamp at. Two calls with the same tag describe the same records.
func retryChangeSet(tag string, at time.Time) *sarhad.ChangeSet {
	h := sarhad.Handling{OriginatorOrg: "FIA", OriginatorCountry: "PAK", TLP: sarhad.TLPAmber, ReleasableTo: []string{"IRN"}}
	meta := func(kind sarhad.EntityKind, key string) sarhad.Meta {
		return sarhad.Meta{ID: sarhad.StableID(kind, tag+" "+key), Kind: kind, CreatedAt: at, CreatedBy: "first writer",
			UpdatedAt: at, UpdatedBy: "first writer", Handling: h}
	}
	a := &sarhad.Person{Meta: meta(sarhad.KindPerson, "a"), Name: "Retried Person Alpha " + tag, Gender: sarhad.GenderUnknown}
	b := &sarhad.Person{Meta: meta(sarhad.KindPerson, "b"), Name: "Retried Person Bravo " + tag, Gender: sarhad.GenderUnknown}
	c := &sarhad.Person{Meta: meta(sarhad.KindPerson, "c"), Name: "Retried Person Charlie " + tag, Gender: sarhad.GenderUnknown}
	phone := &sarhad.Phone{Meta: meta(sarhad.KindPhone, "phone"), Number: "+923001234567"}
	rel := func(key string, typ sarhad.RelationType, from, to string) *sarhad.Relationship {
		return &sarhad.Relationship{Meta: meta("", key), Type: typ, From: from, To: to,
			RelationProps: sarhad.RelationProps{Role: "associate"}}
	}
	return &sarhad.ChangeSet{
		Put: []sarhad.Entity{a, b, c, phone},
		Link: []*sarhad.Relationship{
			rel("a-b", sarhad.RelAssociateOf, a.ID, b.ID),
			rel("b-c", sarhad.RelAssociateOf, b.ID, c.ID),
			rel("a-phone", sarhad.RelUses, a.ID, phone.ID),
		},
	}
}

// reversed returns cs with its entities and relationships in the opposite order.
func reversed(cs *sarhad.ChangeSet) *sarhad.ChangeSet {
	out := &sarhad.ChangeSet{Put: slices.Clone(cs.Put), Link: slices.Clone(cs.Link)}
	slices.Reverse(out.Put)
	slices.Reverse(out.Link)
	return out
}

func idsOf(cs *sarhad.ChangeSet) (entities, rels []string) {
	for _, e := range cs.Put {
		entities = append(entities, e.EntityMeta().ID)
	}
	for _, r := range cs.Link {
		rels = append(rels, r.ID)
	}
	return entities, rels
}

// cypher runs one read statement straight through the driver, past the store.
func cypher(tb testing.TB, query string, params map[string]any) []*neo4j.Record {
	tb.Helper()
	return runCypher(tb, query, params, neo4j.ExecuteQueryWithReadersRouting())
}

// cypherWrite runs one write statement straight through the driver, past the store.
func cypherWrite(tb testing.TB, query string, params map[string]any) []*neo4j.Record {
	tb.Helper()
	return runCypher(tb, query, params, neo4j.ExecuteQueryWithWritersRouting())
}

func runCypher(tb testing.TB, query string, params map[string]any, routing neo4j.ExecuteQueryConfigurationOption) []*neo4j.Record {
	tb.Helper()
	driver, db := testDriver(tb)
	defer driver.Close(context.Background())
	res, err := neo4j.ExecuteQuery(context.Background(), driver, query, params, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(db), routing)
	if err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return res.Records
}

// testDriver returns a driver of its own to the test database, past the store, and the database's
// name; the caller closes it.
func testDriver(tb testing.TB) (neo4j.DriverWithContext, string) {
	tb.Helper()
	cfg := neo4jEnv.Config
	token := neo4j.NoAuth()
	if cfg.Username != "" {
		token = neo4j.BasicAuth(cfg.Username, cfg.Password, "")
	}
	driver, err := neo4j.NewDriverWithContext(cfg.URI, token)
	if err != nil {
		tb.Fatal(err)
	}
	db := cfg.Database
	if db == "" {
		db = neo4jstore.DefaultDatabase
	}
	return driver, db
}

// stored is what the database holds of one id: how many nodes or relationships carry it (whatever
// their label or type), and the stamps of one of them.
type stored struct {
	count              int64
	createdAt, updated time.Time
}

// storedByID counts the nodes and relationships with each id and reads their stamps, by direct Cypher.
func storedByID(tb testing.TB, entityIDs, relIDs []string) map[string]stored {
	tb.Helper()
	out := map[string]stored{}
	read := func(query string, ids []string) {
		for _, rec := range cypher(tb, query, map[string]any{"ids": ids}) {
			id, _ := rec.Values[0].(string)
			n, _ := rec.Values[1].(int64)
			s := stored{count: n}
			s.createdAt, _ = rec.Values[2].(time.Time)
			s.updated, _ = rec.Values[3].(time.Time)
			out[id] = s
		}
	}
	read(`UNWIND $ids AS id OPTIONAL MATCH (n) WHERE n.id = id
		RETURN id, count(n), min(n.createdAt), min(n.updatedAt)`, entityIDs)
	read(`UNWIND $ids AS id OPTIONAL MATCH ()-[r]->() WHERE r.id = id
		RETURN id, count(r), min(r.createdAt), min(r.updatedAt)`, relIDs)
	return out
}

// checkStoredOnce checks that the database holds each record of cs exactly once, stamped at, and
// nothing else.
func checkStoredOnce(t *testing.T, s *neo4jstore.Store, cs *sarhad.ChangeSet, at time.Time) {
	t.Helper()
	entityIDs, relIDs := idsOf(cs)
	got := storedByID(t, entityIDs, relIDs)
	for _, id := range append(slices.Clone(entityIDs), relIDs...) {
		st := got[id]
		if st.count != 1 {
			t.Errorf("%s is stored %d times, want once", id, st.count)
			continue
		}
		if !st.createdAt.Equal(at) || !st.updated.Equal(at) {
			t.Errorf("%s: createdAt %v, updatedAt %v, want both %v (the first write's)", id, st.createdAt, st.updated, at)
		}
	}
	// Nothing besides: no copy under another id either.
	var nodes, rels int64
	for _, rec := range cypher(t, `MATCH (n) RETURN count(n)`, nil) {
		nodes, _ = rec.Values[0].(int64)
	}
	for _, rec := range cypher(t, `MATCH ()-[r]->() RETURN count(r)`, nil) {
		rels, _ = rec.Values[0].(int64)
	}
	if nodes != int64(len(entityIDs)) || rels != int64(len(relIDs)) {
		t.Errorf("the database holds %d nodes and %d relationships, want %d and %d", nodes, rels, len(entityIDs), len(relIDs))
	}
	// The store reads the same.
	ctx := sarhad.NewContext(t.Context(), sarhad.SystemViewer())
	es, err := s.Entities(ctx, entityIDs)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range es {
		if e == nil || !e.EntityMeta().CreatedAt.Equal(at) || e.EntityMeta().CreatedBy != "first writer" {
			t.Errorf("Entities[%s] = %+v, want created at %v", entityIDs[i], e, at)
		}
	}
	rs, err := s.RelationshipsByID(ctx, relIDs)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rs {
		if r == nil || !r.CreatedAt.Equal(at) {
			t.Errorf("RelationshipsByID[%s] = %+v, want created at %v", relIDs[i], r, at)
		}
	}
}

// TestRetryReappliedWriteIsNotAppliedTwice applies a change set, then runs the same write again as
// the retry after a lost commit acknowledgement would: once the very same change set (the same work),
// once a copy with later stamps (a client re-sending its request computes them afresh). Each record
// is stored once, the repeats report every record Unchanged, and the stamps stay the first write's.
func TestRetryReappliedWriteIsNotAppliedTwice(t *testing.T) {
	needNeo4j(t)
	emptyDatabase(t)
	s := open(t)
	defer s.Close()
	ctx := sarhad.NewContext(t.Context(), sarhad.SystemViewer())
	cs := retryChangeSet("sequential", clock)

	first, err := s.Apply(ctx, cs)
	if err != nil {
		t.Fatal(err)
	}
	if *first != (sarhad.ApplyResult{Created: retryBatch}) {
		t.Fatalf("first Apply = %+v, want %d created", *first, retryBatch)
	}
	for _, again := range []struct {
		name string
		cs   *sarhad.ChangeSet
	}{
		{"the same change set", cs},
		{"the same records stamped later", retryChangeSet("sequential", clock.Add(time.Hour))},
	} {
		res, err := s.Apply(ctx, again.cs)
		if err != nil {
			t.Fatalf("%s again: %v", again.name, err)
		}
		if *res != (sarhad.ApplyResult{Unchanged: retryBatch}) {
			t.Errorf("%s again: %+v, want all %d unchanged", again.name, *res, retryBatch)
		}
	}
	checkStoredOnce(t, s, cs, clock)
}

// TestRetryConcurrentWritesApplyOnce runs the same write from two goroutines at the same time, as when
// a retry overlaps the original whose acknowledgement was lost — the second one with later stamps and
// the records in the opposite order. Round after round, both succeed, exactly one reports the records
// created and the other reports them unchanged, each record is stored once, and the stamps are all
// those of the one that created them.
func TestRetryConcurrentWritesApplyOnce(t *testing.T) {
	needNeo4j(t)
	s := open(t)
	defer s.Close()
	ctx := sarhad.NewContext(t.Context(), sarhad.SystemViewer())
	const rounds = 10
	for round := range rounds {
		emptyDatabase(t)
		tag := fmt.Sprint("concurrent ", round)
		writes := []struct {
			cs *sarhad.ChangeSet
			at time.Time
		}{
			{retryChangeSet(tag, clock), clock},
			{reversed(retryChangeSet(tag, clock.Add(time.Hour))), clock.Add(time.Hour)},
		}
		results := make([]*sarhad.ApplyResult, len(writes))
		errs := make([]error, len(writes))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, w := range writes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				results[i], errs[i] = s.Apply(ctx, w.cs)
			}()
		}
		close(start)
		wg.Wait()
		winner := -1
		for i := range writes {
			switch {
			case errs[i] != nil:
				t.Fatalf("round %d: writer %d: %v", round, i, errs[i])
			case *results[i] == sarhad.ApplyResult{Created: retryBatch}:
				if winner >= 0 {
					t.Fatalf("round %d: both writers created the records: %+v %+v", round, *results[0], *results[1])
				}
				winner = i
			case *results[i] != sarhad.ApplyResult{Unchanged: retryBatch}:
				t.Fatalf("round %d: writer %d: %+v, want all %d created or all unchanged", round, i, *results[i], retryBatch)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: neither writer created the records: %+v %+v", round, *results[0], *results[1])
		}
		checkStoredOnce(t, s, writes[0].cs, writes[winner].at)
		if t.Failed() {
			t.Fatalf("round %d (writer %d created the records)", round, winner)
		}
	}
}
