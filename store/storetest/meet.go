package storetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sarhad/sarhad"
)

// testMeet checks RelationshipQuery.Meet against its rule applied to the answer without it, on a
// random graph under three markings, for several viewers, anchors, directions and meeting sets:
// the relationships whose far end is in Meet when there are any, else all of them. A meeting set
// holds far ends that some viewers may not see, which must not count for them.
func testMeet(t *testing.T, h *harness) {
	s := h.store(t)
	rnd := rand.New(rand.NewPCG(17, 5))
	markings := []sarhad.Handling{fia(sarhad.TLPClear), fia(sarhad.TLPAmber, countryIRN), fia(sarhad.TLPAmber)}
	es, persons, others, rs := randomGraph(rnd, "meet", markings, 30, 4, 110, sarhad.RelAssociateOf, sarhad.RelFamilyOf)
	// Besides, ends hidden from viewers outside the FIA, on either side of a tie anyone may see:
	// closed, which open has a tie to, asked for with busy, which has more ties than open and
	// none to it (so the meeting ties are sought from open's side, and closed must not count);
	// and hidden, an anchor beside busy, with a tie to lone, which has no other (so they are
	// sought from lone's side, and hidden's tie must not count).
	clear, amber := fia(sarhad.TLPClear), fia(sarhad.TLPAmber)
	open, closed, other := person("meet open", "Open", clear), person("meet closed", "Closed", amber), person("meet other", "Other", clear)
	busy, hidden, lone := person("meet busy", "Busy", clear), person("meet hidden", "Hidden", amber), person("meet lone", "Lone", clear)
	es = append(es, open, closed, other, busy, hidden, lone)
	rs = append(rs, link("meet open-closed", sarhad.RelAssociateOf, open.ID, closed.ID, clear),
		link("meet open-other", sarhad.RelAssociateOf, open.ID, other.ID, clear),
		link("meet hidden-lone", sarhad.RelAssociateOf, hidden.ID, lone.ID, clear))
	for i := range 5 {
		rs = append(rs, link(fmt.Sprint("meet closed-", i), sarhad.RelAssociateOf, closed.ID, persons[i], clear),
			link(fmt.Sprint("meet busy-", i), sarhad.RelAssociateOf, busy.ID, persons[i], clear))
	}
	load(t, s, es, rs)
	system := asSystem(t.Context())

	type query struct {
		q         sarhad.RelationshipQuery
		reachable []string   // the far ends the system viewer finds
		sets      [][]string // meeting sets besides those drawn from reachable
	}
	queries := []query{
		{sarhad.RelationshipQuery{Anchors: []string{open.ID}, Direction: sarhad.DirBoth}, []string{closed.ID},
			[][]string{{closed.ID, busy.ID}}},
		{sarhad.RelationshipQuery{Anchors: []string{busy.ID, hidden.ID}, Direction: sarhad.DirBoth}, []string{lone.ID}, nil},
	}
	for range 20 {
		q := sarhad.RelationshipQuery{Anchors: []string{persons[rnd.IntN(len(persons))]},
			Direction: []sarhad.Direction{sarhad.DirBoth, sarhad.DirOut, sarhad.DirIn}[rnd.IntN(3)]}
		if rnd.IntN(2) == 0 {
			q.Anchors = append(q.Anchors, persons[rnd.IntN(len(persons))])
		}
		if rnd.IntN(3) == 0 {
			q.Types = []sarhad.RelationType{sarhad.RelAssociateOf, sarhad.RelMemberOf}
		}
		all, err := s.Relationships(system, q)
		if err != nil {
			t.Fatal(err)
		}
		queries = append(queries, query{q, farEnds(q, all), nil})
	}
	unmet, met, hiddenOnly := 0, 0, 0
	for _, nv := range policyViewers() {
		ctx := as(t.Context(), nv.v)
		for i, qq := range queries {
			// Meeting sets: two entities drawn once for all queries, the fixed sets, some of the
			// far ends the system viewer finds, and two of those alone.
			sets := append([][]string{{persons[0], others[0]}}, qq.sets...)
			if len(qq.reachable) > 0 {
				sets = append(sets, append(slices.Clone(qq.reachable[:rnd.IntN(len(qq.reachable))+1]), others[1]))
				for range 2 {
					sets = append(sets, []string{qq.reachable[rnd.IntN(len(qq.reachable))]})
				}
			}
			all, allEnds, err := s.Neighbours(ctx, qq.q)
			if err != nil {
				t.Fatal(err)
			}
			visibleEnds := farEnds(qq.q, all)
			for j, meet := range sets {
				q := qq.q
				q.Meet = meet
				want := meetReference(q, all)
				switch {
				case len(want) < len(all):
					met++
				case !slices.ContainsFunc(meet, func(id string) bool { return slices.Contains(visibleEnds, id) }) &&
					slices.ContainsFunc(meet, func(id string) bool { return slices.Contains(qq.reachable, id) }):
					hiddenOnly++ // the viewer may not see the far ends in Meet: all are returned
				default:
					unmet++
				}
				label := fmt.Sprintf("%s query %d meeting set %d", nv.name, i, j)
				rels, err := s.Relationships(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				equalIDs(t, label+": Relationships", relationshipIDs(rels), relationshipIDs(want))
				gotRels, gotEnds, err := s.Neighbours(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				equalIDs(t, label+": Neighbours relationships", relationshipIDs(gotRels), relationshipIDs(want))
				var wantEnds []string
				for _, e := range allEnds {
					if id := e.EntityMeta().ID; slices.Contains(farEnds(q, want), id) {
						wantEnds = append(wantEnds, id)
					}
				}
				equalIDs(t, label+": Neighbours ends", sorted(entityIDs(gotEnds)), sorted(wantEnds))
				sameBare(t, ctx, s, label, q)
			}
		}
	}
	if met == 0 || unmet == 0 || hiddenOnly == 0 {
		t.Fatalf("the fixture gave %d meeting steps, %d steps that do not meet and %d that meet only hidden ends; want some of each",
			met, unmet, hiddenOnly)
	}
	if _, err := s.Relationships(t.Context(), sarhad.RelationshipQuery{Anchors: persons[:1], Among: true, Meet: persons[1:2]}); err == nil {
		t.Error("Meet with Among: no error")
	}
}

// farEnds returns the far ends of rels, found from q's anchors along q's direction, each once.
func farEnds(q sarhad.RelationshipQuery, rels []*sarhad.Relationship) []string {
	var out []string
	for _, r := range rels {
		out = append(out, farEndsOf(q, r)...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// farEndsOf returns the far ends of r found from q's anchors along q's direction: none, one, or
// both ends of a relationship between two anchors.
func farEndsOf(q sarhad.RelationshipQuery, r *sarhad.Relationship) []string {
	var out []string
	if q.Direction != sarhad.DirIn && slices.Contains(q.Anchors, r.From) {
		out = append(out, r.To)
	}
	if q.Direction != sarhad.DirOut && slices.Contains(q.Anchors, r.To) {
		out = append(out, r.From)
	}
	return out
}

// meetReference applies q.Meet to all, the answer to q without it.
func meetReference(q sarhad.RelationshipQuery, all []*sarhad.Relationship) []*sarhad.Relationship {
	met := slices.DeleteFunc(slices.Clone(all), func(r *sarhad.Relationship) bool {
		return !slices.ContainsFunc(farEndsOf(q, r), func(id string) bool { return slices.Contains(q.Meet, id) })
	})
	if len(met) > 0 {
		return met
	}
	return all
}
