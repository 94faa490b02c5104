package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sarhad/sarhad"
)

// testBoundedNeighbours checks RelationshipQuery.Ends against the rule applied to the unbounded
// answer, on a random graph of persons, organisations and phones under three markings, for
// several viewers, bounds, known sets and kinds.
func testBoundedNeighbours(t *testing.T, h *harness) {
	s := h.store(t)
	rnd := rand.New(rand.NewPCG(7, 11))
	markings := []sarhad.Handling{fia(sarhad.TLPClear), fia(sarhad.TLPAmber, countryIRN), fia(sarhad.TLPAmber)}
	es, persons, others, rs := randomGraph(rnd, "bounded", markings, 30, 4, 110, sarhad.RelAssociateOf)
	// Two anchors tied to each other, one of them hidden from viewers outside the FIA: the tie
	// must not be found from the visible one.
	open, closed := person("bounded open", "Open Anchor", fia(sarhad.TLPClear)), person("bounded closed", "Closed Anchor", fia(sarhad.TLPAmber))
	es = append(es, open, closed)
	rs = append(rs, link("bounded closed-open", sarhad.RelAssociateOf, closed.ID, open.ID, fia(sarhad.TLPClear)),
		link("bounded open-p0", sarhad.RelAssociateOf, open.ID, persons[0], fia(sarhad.TLPClear)))
	load(t, s, es, rs)

	anchors := []string{persons[0], persons[1], persons[2]}
	queries := []sarhad.RelationshipQuery{}
	for _, ends := range []int{1, 2, 5, 1000} {
		for _, kinds := range [][]sarhad.EntityKind{nil, {sarhad.KindPerson}, {sarhad.KindOrganization, sarhad.KindPhone}} {
			queries = append(queries,
				sarhad.RelationshipQuery{Anchors: anchors, Direction: sarhad.DirBoth, Ends: ends, Kinds: kinds},
				sarhad.RelationshipQuery{Anchors: anchors, Direction: sarhad.DirBoth, Ends: ends, Kinds: kinds,
					Known: []string{persons[3], persons[4], persons[5], others[0]}},
				sarhad.RelationshipQuery{Anchors: anchors[:1], Direction: sarhad.DirOut, Ends: ends, Kinds: kinds},
				sarhad.RelationshipQuery{Anchors: anchors[:1], Direction: sarhad.DirIn, Ends: ends, Kinds: kinds,
					Types: []sarhad.RelationType{sarhad.RelAssociateOf}})
		}
	}
	for _, ends := range []int{1, 5} {
		queries = append(queries,
			sarhad.RelationshipQuery{Anchors: []string{open.ID, closed.ID}, Direction: sarhad.DirBoth, Ends: ends},
			sarhad.RelationshipQuery{Anchors: []string{open.ID, closed.ID}, Direction: sarhad.DirIn, Ends: ends})
	}
	checked := 0
	for _, nv := range policyViewers() {
		ctx := as(t.Context(), nv.v)
		for i, q := range queries {
			unbounded := q
			unbounded.Ends, unbounded.Known, unbounded.Kinds = 0, nil, nil
			all, allEnds, err := s.Neighbours(ctx, unbounded)
			if err != nil {
				t.Fatal(err)
			}
			wantRels, wantEnds := boundedReference(q, all, allEnds)
			gotRels, gotEnds, err := s.Neighbours(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			equalIDs(t, fmt.Sprintf("%s query %d: Neighbours relationships", nv.name, i), relationshipIDs(gotRels), wantRels)
			equalIDs(t, fmt.Sprintf("%s query %d: Neighbours ends", nv.name, i), sorted(entityIDs(gotEnds)), wantEnds)
			rels, err := s.Relationships(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			equalIDs(t, fmt.Sprintf("%s query %d: Relationships", nv.name, i), relationshipIDs(rels), wantRels)
			if len(wantRels) < len(all) {
				checked++
			}
			sameBare(t, ctx, s, fmt.Sprintf("%s query %d", nv.name, i), q)
		}
		among := sarhad.RelationshipQuery{Anchors: append(slices.Clone(anchors), persons[3:12]...), Direction: sarhad.DirBoth, Among: true}
		sameBare(t, ctx, s, nv.name+" among", among)
		sameBare(t, ctx, s, nv.name+" unbounded", sarhad.RelationshipQuery{Anchors: among.Anchors, Direction: sarhad.DirBoth})
	}
	if checked == 0 {
		t.Fatal("no bound left out a relationship: the fixture does not test the bound")
	}
}

// randomGraph returns a random graph of the walk tests, its keys starting with prefix: persons
// persons, and orgs organisations and orgs phones, each under one of markings, the persons tied at
// random by up to ties relationships. Two in three tie two persons with one of personTypes, the
// others tie a person to an organisation (MEMBER_OF) or a phone (USES).
func randomGraph(rnd *rand.Rand, prefix string, markings []sarhad.Handling, persons, orgs, ties int,
	personTypes ...sarhad.RelationType) (es []sarhad.Entity, personIDs, others []string, rs []*sarhad.Relationship) {
	for i := range persons {
		p := person(fmt.Sprint(prefix, " p", i), fmt.Sprint(prefix, " person ", i), markings[rnd.IntN(len(markings))])
		es, personIDs = append(es, p), append(personIDs, p.ID)
	}
	for i := range orgs {
		o := &sarhad.Organization{Meta: envelope(sarhad.KindOrganization, fmt.Sprint(prefix, " o", i), markings[rnd.IntN(len(markings))]),
			Name: fmt.Sprint(prefix, " network ", i), Category: sarhad.OrgCriminalNetwork}
		ph := &sarhad.Phone{Meta: envelope(sarhad.KindPhone, fmt.Sprint(prefix, " ph", i), markings[rnd.IntN(len(markings))]),
			Number: fmt.Sprintf("+92300555%04d", i)}
		es, others = append(es, o, ph), append(others, o.ID, ph.ID)
	}
	for i := range ties {
		from := personIDs[rnd.IntN(len(personIDs))]
		to, typ := personIDs[rnd.IntN(len(personIDs))], personTypes[rnd.IntN(len(personTypes))]
		if rnd.IntN(3) == 0 {
			to = others[rnd.IntN(len(others))]
			typ = sarhad.RelMemberOf
			if k, _ := sarhad.KindOfID(to); k == sarhad.KindPhone {
				typ = sarhad.RelUses
			}
		}
		if from != to {
			rs = append(rs, link(fmt.Sprint(prefix, " r", i), typ, from, to, markings[rnd.IntN(len(markings))]))
		}
	}
	return es, personIDs, others, rs
}

// sameBare checks that q with Bare finds the relationships and ends that q finds, with the same
// id, type, ends and handling.
func sameBare(t *testing.T, ctx context.Context, s sarhad.Store, label string, q sarhad.RelationshipQuery) {
	t.Helper()
	bare := q
	bare.Bare = true
	full, fullEnds, err := s.Neighbours(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	got, gotEnds, err := s.Neighbours(ctx, bare)
	if err != nil {
		t.Fatal(err)
	}
	rels, err := s.Relationships(ctx, bare)
	if err != nil {
		t.Fatal(err)
	}
	equalIDs(t, label+": Bare Neighbours ends", sorted(entityIDs(gotEnds)), sorted(entityIDs(fullEnds)))
	for name, got := range map[string][]*sarhad.Relationship{"Neighbours": got, "Relationships": rels} {
		if len(got) != len(full) {
			t.Errorf("%s: Bare %s found %d relationships, without Bare %d", label, name, len(got), len(full))
			continue
		}
		for i, r := range got {
			w := full[i]
			d := metaDiff(&sarhad.Meta{ID: w.ID, Handling: w.Handling}, &sarhad.Meta{ID: r.ID, Handling: r.Handling})
			if r.Type != w.Type || r.From != w.From || r.To != w.To || len(d) > 0 {
				t.Errorf("%s: Bare %s gave %s %s %s→%s %v, without Bare %s %s %s→%s", label, name, r.ID, r.Type, r.From, r.To,
					d, w.ID, w.Type, w.From, w.To)
			}
		}
	}
}

// boundedReference applies RelationshipQuery.Ends to the unbounded answer of q: the relationships
// kept (by id) and the ends they reach (sorted).
func boundedReference(q sarhad.RelationshipQuery, all []*sarhad.Relationship, allEnds []sarhad.Entity) (rels, ends []string) {
	known := map[string]bool{}
	for _, id := range append(slices.Clone(q.Anchors), q.Known...) {
		known[id] = true
	}
	isAnchor := map[string]bool{}
	for _, id := range q.Anchors {
		isAnchor[id] = true
	}
	far := func(r *sarhad.Relationship) string {
		if isAnchor[r.From] {
			return r.To
		}
		return r.From
	}
	// all is ordered by id, so the first relationship reaching an end comes first.
	chosen := map[string]bool{}
	for _, r := range all {
		end := far(r)
		kind, _ := sarhad.KindOfID(end)
		if !known[end] && !chosen[end] && len(chosen) < q.Ends && (len(q.Kinds) == 0 || slices.Contains(q.Kinds, kind)) {
			chosen[end] = true
		}
	}
	reached := map[string]bool{}
	for _, r := range all {
		if end := far(r); known[end] || chosen[end] {
			rels = append(rels, r.ID)
			for _, id := range [2]string{r.From, r.To} {
				if q.Direction != sarhad.DirIn && isAnchor[r.From] && id == r.To || q.Direction != sarhad.DirOut && isAnchor[r.To] && id == r.From {
					reached[id] = true
				}
			}
		}
	}
	for _, e := range allEnds {
		if reached[e.EntityMeta().ID] {
			ends = append(ends, e.EntityMeta().ID)
		}
	}
	return rels, sorted(ends)
}
