// Package demo builds Sarhad's demo dataset and loads it into a store.
//
// The dataset is fictional where it concerns people, organisations other than public bodies, and
// cases — every such record says "synthetic demo data" — and real where it concerns places, routes
// and countries (data/places.csv, after ../shared/data/ROUTES.md). It is built deterministically:
// a fixed random seed, stable ids derived from keys (sarhad.StableID), fixed timestamps. Loading
// it twice leaves the store unchanged the second time.
//
// What it holds: every ISO 3166 country; the 54 places of the routes; 15 route variants of the
// six route families; 20 organisations (8 criminal networks, 4 fronts, 5 FIA Anti Human
// Trafficking Circles, 3 shelters and NGOs); over 300 persons (leaders, members, brokers who bridge
// two networks, victims, smuggled migrants, relatives and guarantors); their phones, accounts,
// documents, vehicles, addresses and online accounts, several shared; 120 cases of 2021–2023;
// events; cooperation requests; and graded sources.
//
// Handling: reference data is CLEAR (originator SARHAD). Operational records are originated by the
// FIA circle investigating the network (FIA-AHTC-LHR, -GRW, -QTA, -KHI, -PSH) with markings from
// RED to CLEAR and release lists of PAK and a varying selection of the network's partner
// countries, so that liaison officers of Iran and of Greece see different subsets. A few records
// are originated by partner agencies (IRN-POLICE, HELLENIC-POLICE, ROYAL-OMAN-POLICE,
// POLIZIA-DI-STATO). Victims are mostly AMBER+STRICT. A relationship is never marked more openly
// than either of its ends, and its originator always sees both ends.
//
// known.go documents the ids and names tests and examples can rely on.
package demo

import (
	"context"
	"fmt"

	"github.com/sarhad/sarhad"
)

// BatchSize is how many records one Apply of Load writes.
const BatchSize = 500

// Dataset builds the whole demo graph: entities in Put (in dependency order), relationships in
// Link. Every call returns an equal, freshly allocated change set.
func Dataset() *sarhad.ChangeSet {
	w := newWorld()
	w.addCountries()
	w.places = w.addPlaces()
	w.open = w.addOpenSources()
	w.routes = w.addRoutes(w.places, w.open)
	w.addOrganisations()
	w.addNetworkSources()
	w.addPeople()
	w.addIdentifiers()
	w.addCases()
	w.addNotableEvents()
	w.addCooperation()
	cs := w.cs
	return &cs
}

// Batches splits a change set into change sets of at most size records, entities before
// relationships, so that every relationship's ends are written before it.
func Batches(cs *sarhad.ChangeSet, size int) []*sarhad.ChangeSet {
	var out []*sarhad.ChangeSet
	for i := 0; i < len(cs.Put); i += size {
		out = append(out, &sarhad.ChangeSet{Put: cs.Put[i:min(i+size, len(cs.Put))]})
	}
	for i := 0; i < len(cs.Link); i += size {
		out = append(out, &sarhad.ChangeSet{Link: cs.Link[i:min(i+size, len(cs.Link))]})
	}
	return out
}

// Load writes the demo dataset to st as the system viewer, in batches of BatchSize records, and
// returns the summed result. It is idempotent: loading into a store that already holds the
// dataset reports every record Unchanged.
func Load(ctx context.Context, st sarhad.Store) (*sarhad.ApplyResult, error) {
	ctx = sarhad.NewContext(ctx, sarhad.SystemViewer())
	total := &sarhad.ApplyResult{}
	for i, b := range Batches(Dataset(), BatchSize) {
		res, err := st.Apply(ctx, b)
		if err != nil {
			return total, fmt.Errorf("demo: load batch %d: %w", i+1, err)
		}
		total.Created += res.Created
		total.Updated += res.Updated
		total.Unchanged += res.Unchanged
		total.Deleted += res.Deleted
	}
	return total, nil
}
