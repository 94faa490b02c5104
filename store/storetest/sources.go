package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
)

// testKeepSources: under ChangeSet.KeepSources a put or link adds the sources the record lacks
// after its own: the record is updated when that adds one, unchanged when it adds none, keeps its
// creation stamp, and every read returns the sources stored; a record put twice in one change set
// keeps the sources of both puts. Without KeepSources, the change set's sources replace the
// record's. For the system viewer (importers) and for an investigator of the originating
// organisation, whose change sets go through the policy.
func testKeepSources(t *testing.T, h *harness) {
	src := func(file string) string { return sarhad.StableID(sarhad.KindSource, file) }
	s1, s2, s3 := src("persons.csv"), src("persons-2024.csv"), src("interrogation.jsonl")
	for _, nv := range []namedViewer{{"System", sarhad.SystemViewer()}, {"FIAInvestigator", fiaInvestigator()}} {
		t.Run(nv.name, func(t *testing.T) {
			s := h.store(t)
			ctx := as(context.Background(), nv.v)
			a := person("sources a", "Zahid Mengal", fia(sarhad.TLPAmber, "IRN"))
			b := person("sources b", "Noor Bibi", fia(sarhad.TLPAmber, "IRN"))
			r := link("sources a-b", sarhad.RelAssociateOf, a.ID, b.ID, fia(sarhad.TLPAmber, "IRN"))
			apply := func(keep bool, sources ...string) *sarhad.ApplyResult {
				t.Helper()
				a.SourceIDs, r.SourceIDs = sources, sources
				return mustApply(t, ctx, s, &sarhad.ChangeSet{Put: []sarhad.Entity{a}, Link: []*sarhad.Relationship{r},
					KeepSources: keep})
			}
			stored := func(want ...string) {
				t.Helper()
				es, err := s.Entities(ctx, []string{a.ID})
				if err != nil || es[0] == nil {
					t.Fatalf("Entities: %v, %v", es, err)
				}
				if got := es[0].EntityMeta().SourceIDs; !slices.Equal(got, want) {
					t.Errorf("entity sources %v, want %v", got, want)
				}
				if got := es[0].(*sarhad.Person).Name; got != a.Name {
					t.Errorf("entity name %q, want %q", got, a.Name)
				}
				if got := es[0].EntityMeta().CreatedAt; !got.Equal(t0) {
					t.Errorf("entity created %v, want %v", got, t0)
				}
				rs, err := s.RelationshipsByID(ctx, []string{r.ID})
				if err != nil || rs[0] == nil {
					t.Fatalf("RelationshipsByID: %v, %v", rs, err)
				}
				if got := rs[0].SourceIDs; !slices.Equal(got, want) {
					t.Errorf("relationship sources %v, want %v", got, want)
				}
				if got := rs[0].CreatedAt; !got.Equal(t0) {
					t.Errorf("relationship created %v, want %v", got, t0)
				}
				ties, err := s.Relationships(ctx, sarhad.RelationshipQuery{Anchors: []string{a.ID}, Direction: sarhad.DirOut})
				if err != nil || len(ties) != 1 || !slices.Equal(ties[0].SourceIDs, want) {
					t.Errorf("Relationships: %v, %v; want one with sources %v", ties, err, want)
				}
			}
			load(t, s, []sarhad.Entity{b}, nil)

			// New records take the change set's sources, KeepSources or not.
			if res := apply(true, s1); res.Created != 2 {
				t.Errorf("first write: %+v, want 2 created", res)
			}
			stored(s1)
			// Later writes say they create the records now: the stored creation stamp stays.
			a.CreatedAt, r.CreatedAt = t0.Add(time.Hour), t0.Add(time.Hour)
			if res := apply(true, s2); res.Updated != 2 {
				t.Errorf("another source: %+v, want 2 updated", res)
			}
			stored(s1, s2)
			if res := apply(true, s1); res.Unchanged != 2 {
				t.Errorf("a source they have: %+v, want 2 unchanged", res)
			}
			stored(s1, s2)
			if res := apply(true, s2, s3, s1); res.Updated != 2 {
				t.Errorf("one new source among known ones: %+v, want 2 updated", res)
			}
			stored(s1, s2, s3)
			a.Name = "Zahid Hussain Mengal"
			if res := apply(true, s2); res.Updated != 1 || res.Unchanged != 1 {
				t.Errorf("a changed name from a known source: %+v, want the person updated, the tie unchanged", res)
			}
			stored(s1, s2, s3)
			if res := apply(false, s3); res.Updated != 2 {
				t.Errorf("without KeepSources: %+v, want 2 updated", res)
			}
			stored(s3)

			// A new record put, then put again from another source, in one change set.
			c := person("sources c", "Gul Khan", fia(sarhad.TLPAmber, "IRN"))
			c.SourceIDs = []string{s1}
			again := clone(t, c)
			again.SourceIDs = []string{s2, s1}
			res, err := s.Apply(ctx, &sarhad.ChangeSet{Put: []sarhad.Entity{c, again}, KeepSources: true})
			if err != nil || res.Created != 1 || res.Updated != 1 {
				t.Fatalf("put twice: %+v, %v; want created, then updated", res, err)
			}
			es, err := s.Entities(ctx, []string{c.ID})
			if err != nil || es[0] == nil || !slices.Equal(es[0].EntityMeta().SourceIDs, []string{s1, s2}) {
				t.Errorf("put twice: %v, %v; want sources %v", es, err, []string{s1, s2})
			}
		})
	}
}

// testKeepSourcesConcurrently: change sets that add sources to the same records at the same time,
// under KeepSources, lose none: every record ends with every writer's source.
func testKeepSourcesConcurrently(t *testing.T, h *harness) {
	s := h.store(t)
	ctx := asSystem(t.Context())
	const records, writers, rounds = 20, 4, 3
	hub := person("concurrent sources hub", "Haji Murad", fia(sarhad.TLPAmber, "IRN"))
	var persons []*sarhad.Person
	var ties []*sarhad.Relationship
	for i := range records {
		p := person(fmt.Sprintf("concurrent sources %d", i), fmt.Sprintf("Member %d", i), fia(sarhad.TLPAmber, "IRN"))
		persons = append(persons, p)
		ties = append(ties, link(fmt.Sprintf("concurrent sources %d", i), sarhad.RelAssociateOf, hub.ID, p.ID, fia(sarhad.TLPAmber, "IRN")))
	}
	load(t, s, append([]sarhad.Entity{hub}, entities(persons)...), ties)
	source := func(w, r int) string {
		return sarhad.StableID(sarhad.KindSource, fmt.Sprintf("writer %d round %d", w, r))
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for r := range rounds {
				cs := &sarhad.ChangeSet{KeepSources: true}
				for i := range records {
					p := clone(t, persons[i])
					p.SourceIDs = []string{source(w, r)}
					tie := cloneRelationship(ties[i])
					tie.SourceIDs = []string{source(w, r)}
					cs.Put, cs.Link = append(cs.Put, p), append(cs.Link, tie)
				}
				if _, err := s.Apply(ctx, cs); err != nil {
					t.Errorf("writer %d: Apply: %v", w, err)
					return
				}
			}
		})
	}
	wg.Wait()
	var want []string
	for w := range writers {
		for r := range rounds {
			want = append(want, source(w, r))
		}
	}
	slices.Sort(want)
	ids := make([]string, records)
	relIDs := make([]string, records)
	for i := range records {
		ids[i], relIDs[i] = persons[i].ID, ties[i].ID
	}
	es, err := s.Entities(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := s.RelationshipsByID(ctx, relIDs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range records {
		if got := slices.Sorted(slices.Values(es[i].EntityMeta().SourceIDs)); !slices.Equal(got, want) {
			t.Errorf("person %d: %d sources, want the %d of every writer and round", i, len(got), len(want))
		}
		if got := slices.Sorted(slices.Values(rs[i].SourceIDs)); !slices.Equal(got, want) {
			t.Errorf("relationship %d: %d sources, want the %d of every writer and round", i, len(got), len(want))
		}
	}
}

func entities[E sarhad.Entity](es []E) []sarhad.Entity {
	out := make([]sarhad.Entity, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}
