package storetest

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/sarhad/sarhad"
)

// testNeighbourhood checks Store.Neighbourhood against sarhad.NeighbourhoodByLevels, the walk of
// one Neighbours call per level, on a random graph of persons (victims among them), a hub,
// organisations and phones (some held by victims) under three markings, and a star of 120 ties
// beside another person of its centre's first level: for every policy viewer,
// on random centres, depths, limits, kinds, types and bare edges, the same entities as read
// (victims' details withheld alike), in the same order, the same relationships and the same
// truncation; nothing for a missing or hidden centre.
func testNeighbourhood(t *testing.T, h *harness) {
	s := h.store(t)
	rnd := rand.New(rand.NewPCG(13, 17))
	markings := []sarhad.Handling{fia(sarhad.TLPClear), fia(sarhad.TLPAmber, countryIRN), fia(sarhad.TLPAmber)}
	es, persons, others, rs := randomGraph(rnd, "walk", markings, 40, 5, 120, sarhad.RelAssociateOf, sarhad.RelFamilyOf)
	for _, e := range es[:len(persons)] {
		if p := e.(*sarhad.Person); rnd.IntN(5) == 0 {
			p.Victim = &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult, IdentifiedOn: "2024-11-02"}
		}
	}
	hub := person("walk hub", "Hub Walker", fia(sarhad.TLPClear))
	es = append(es, hub)
	for i, p := range persons[:30] {
		rs = append(rs, link(fmt.Sprint("walk hub", i), sarhad.RelAssociateOf, hub.ID, p, markings[rnd.IntN(3)]))
	}
	// A star: its centre's first level is the star and one person the star has a tie to, among
	// the star's 120 others, so that the last step finds that tie among the level from a hub.
	star, starCentre, starSide := person("walk star", "Star Walker", fia(sarhad.TLPClear)),
		person("walk star centre", "Star Centre", fia(sarhad.TLPClear)), person("walk star side", "Star Side", fia(sarhad.TLPClear))
	es = append(es, star, starCentre, starSide)
	rs = append(rs, link("walk star c1", sarhad.RelAssociateOf, starCentre.ID, star.ID, fia(sarhad.TLPClear)),
		link("walk star c2", sarhad.RelAssociateOf, starCentre.ID, starSide.ID, fia(sarhad.TLPClear)),
		link("walk star side", sarhad.RelAssociateOf, star.ID, starSide.ID, markings[1]))
	for i := range 120 {
		p := person(fmt.Sprint("walk star p", i), fmt.Sprint("Star Person ", i), fia(sarhad.TLPClear))
		es = append(es, p)
		rs = append(rs, link(fmt.Sprint("walk star r", i), sarhad.RelAssociateOf, star.ID, p.ID, markings[rnd.IntN(3)]))
	}
	load(t, s, es, rs)

	centres := []string{hub.ID, persons[0], persons[1], persons[7], others[0], others[5],
		sarhad.StableID(sarhad.KindPerson, "walk nobody")}
	// Few kinds and types, each a new statement for Neo4j to plan (about a second at depth 4).
	kinds := [][]sarhad.EntityKind{nil, {sarhad.KindPerson, sarhad.KindPhone}}
	types := [][]sarhad.RelationType{nil, {sarhad.RelAssociateOf, sarhad.RelUses, sarhad.RelMemberOf}}
	limits := []int{1, 2, 3, 5, 8, 13, 40, sarhad.MaxNeighbourhoodLimit}
	viewers := append(policyViewers(), namedViewer{"FIAVictimOfficer", fiaVictimOfficer()})
	var truncated, whole, deep, hidden int
	for _, nv := range viewers {
		ctx := as(t.Context(), nv.v)
		for i := range 50 {
			q := sarhad.NeighbourhoodQuery{ID: centres[rnd.IntN(len(centres))], Depth: 1 + rnd.IntN(sarhad.MaxNeighbourhoodDepth),
				Kinds: kinds[rnd.IntN(len(kinds))], Types: types[rnd.IntN(len(types))], Limit: limits[rnd.IntN(len(limits))],
				BareEdges: rnd.IntN(2) == 0}
			switch {
			case i < len(centres): // every centre once, unbounded
				q = sarhad.NeighbourhoodQuery{ID: centres[i], Depth: sarhad.MaxNeighbourhoodDepth, Limit: sarhad.MaxNeighbourhoodLimit}
			case i == len(centres): // the star's centre, one level
				q = sarhad.NeighbourhoodQuery{ID: starCentre.ID, Depth: 1, Limit: sarhad.MaxNeighbourhoodLimit}
			}
			label := fmt.Sprintf("%s query %d %+v", nv.name, i, q)
			want, err := sarhad.NeighbourhoodByLevels(ctx, s, q)
			if err != nil {
				t.Fatalf("%s: reference: %v", label, err)
			}
			got, err := s.Neighbourhood(ctx, q)
			if err != nil {
				t.Fatalf("%s: %v", label, err)
			}
			switch {
			case want == nil:
				hidden++
				if got != nil {
					t.Errorf("%s: %d entities around a missing or hidden centre", label, len(got.Nodes))
				}
				continue
			case got == nil:
				t.Errorf("%s: nothing, want %d entities", label, len(want.Nodes))
				continue
			}
			if got.Truncated != want.Truncated {
				t.Errorf("%s: truncated %v, want %v", label, got.Truncated, want.Truncated)
			}
			equalIDs(t, label+": entities", entityIDs(got.Nodes), entityIDs(want.Nodes))
			equalIDs(t, label+": relationships", relationshipIDs(got.Edges), relationshipIDs(want.Edges))
			if !reflect.DeepEqual(got.Nodes, want.Nodes) {
				t.Errorf("%s: the entities differ from the reference's as read", label)
			}
			if !reflect.DeepEqual(got.Edges, want.Edges) {
				t.Errorf("%s: the relationships differ from the reference's as read", label)
			}
			if want.Truncated {
				truncated++
			} else {
				whole++
			}
			if len(want.Nodes) > 1+len(slices.DeleteFunc(slices.Clone(want.Edges), func(r *sarhad.Relationship) bool {
				return r.From != q.ID && r.To != q.ID
			})) {
				deep++ // an entity beyond the first level
			}
		}
	}
	if truncated == 0 || whole == 0 || deep == 0 || hidden == 0 {
		t.Fatalf("%d truncated walks, %d whole, %d beyond the first level, %d without a centre: the fixture misses a case",
			truncated, whole, deep, hidden)
	}
}
