package graph_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/sarhad/sarhad"
)

// A border crossing travelled by several routes of one flow, differently, takes its mode from the
// route of the first case (by id) that travels it, whichever route has the smaller id.
func TestSharedCrossingTakesTheModeOfTheFirstCasesRoute(t *testing.T) {
	e := newEnv(t)
	quetta := e.create(&sarhad.Place{Name: "Quetta", Country: "PAK"}, nil)
	mirjaveh := e.create(&sarhad.Place{Name: "Mirjaveh", Country: "IRN"}, nil)
	routes := []string{e.create(&sarhad.Route{Name: "Quetta to Mirjaveh, first"}, nil),
		e.create(&sarhad.Route{Name: "Quetta to Mirjaveh, second"}, nil)}
	var cases []string
	for i := range 2 {
		cases = append(cases, e.create(&sarhad.Case{Reference: fmt.Sprintf("FIR %d/2023", i+1), Agency: "FIA AHTC Quetta",
			Country: "PAK", Offences: []sarhad.Offence{sarhad.OffenceSmuggling}, Stage: sarhad.StageRegistered,
			RegisteredOn: "2023-03-01"}, nil))
	}
	slices.Sort(routes)
	slices.Sort(cases)
	// The first case travels the route with the larger id, by sea; the second the other, by land.
	modes := map[string]sarhad.TravelMode{routes[0]: sarhad.ModeLand, routes[1]: sarhad.ModeSea}
	for _, r := range routes {
		e.link(sarhad.RelHasStop, r, quetta, sarhad.RelationProps{Order: 1})
		e.link(sarhad.RelHasStop, r, mirjaveh, sarhad.RelationProps{Order: 2, Mode: modes[r]})
	}
	e.link(sarhad.RelAlongRoute, cases[0], routes[1], sarhad.RelationProps{})
	e.link(sarhad.RelAlongRoute, cases[1], routes[0], sarhad.RelationProps{})

	var out struct {
		CrossBorderFlows []struct {
			Cases     int
			Crossings []struct {
				Mode  sarhad.TravelMode
				Cases int
			}
		}
	}
	e.mustDo(investigator, `{ crossBorderFlows { cases crossings { mode cases } } }`, nil, &out)
	if len(out.CrossBorderFlows) != 1 || len(out.CrossBorderFlows[0].Crossings) != 1 {
		t.Fatalf("flows %+v, want one with one crossing", out.CrossBorderFlows)
	}
	f := out.CrossBorderFlows[0]
	if c := f.Crossings[0]; f.Cases != 2 || c.Cases != 2 || c.Mode != sarhad.ModeSea {
		t.Errorf("flow of %d cases, crossing %+v; want 2 cases, crossed by both by SEA (the first case's route)", f.Cases, c)
	}
}
