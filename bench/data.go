package bench

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/bench/gen"
)

// loadBatch is how many records one Apply writes.
const loadBatch = 2000

// LoadTiming is how long loading the generated graph into one store took.
type LoadTiming struct {
	Store    string        `json:"store"`
	Entities int           `json:"entities"`
	Links    int           `json:"relationships"`
	Duration time.Duration `json:"durationNs"`
}

// namedStore is a store to load, with its name in the report.
type namedStore struct {
	name  string
	store sarhad.Store
}

// catalog is what the workload needs to know of the generated graph to draw its parameters: it is
// filled from the change sets as they are loaded, so the parameters always name records that
// exist in every store.
type catalog struct {
	names     map[string]string   // person id → name
	networkOf map[string]string   // person id → the criminal network they belong to (not as broker)
	leaders   map[string]bool     // persons leading a network
	members   map[string][]string // organisation id → persons MEMBER_OF or LEADING it (brokers too)
	brokers   map[string][]string // person id → the other networks they broker for (MEMBER_OF as broker)
	networks  []string            // criminal networks, in generation order
	cases     []string            // cases, in generation order
}

func newCatalog() *catalog {
	return &catalog{names: map[string]string{}, networkOf: map[string]string{}, leaders: map[string]bool{},
		members: map[string][]string{}, brokers: map[string][]string{}}
}

func (c *catalog) add(cs *sarhad.ChangeSet) {
	for _, e := range cs.Put {
		switch e := e.(type) {
		case *sarhad.Person:
			if !e.IsVictim() {
				c.names[e.ID] = e.Name
			}
		case *sarhad.Organization:
			if e.Category == sarhad.OrgCriminalNetwork {
				c.networks = append(c.networks, e.ID)
			}
		case *sarhad.Case:
			c.cases = append(c.cases, e.ID)
		}
	}
	for _, r := range cs.Link {
		switch r.Type {
		case sarhad.RelLeads:
			c.leaders[r.From] = true
			c.networkOf[r.From] = r.To
		case sarhad.RelMemberOf:
			if r.Role == "" {
				c.networkOf[r.From] = r.To
			} else {
				c.brokers[r.From] = append(c.brokers[r.From], r.To)
			}
		default:
			continue
		}
		if !slices.Contains(c.members[r.To], r.From) {
			c.members[r.To] = append(c.members[r.To], r.From)
		}
	}
}

// load generates the graph of cfg once and applies every change set to each store in turn, as the
// system viewer, timing each store, as the import command does: a store that is a sarhad.Optimizer
// then reorganises its indexes, timed with its load. It returns the catalog of what was loaded.
func load(ctx context.Context, cfg gen.Config, stores []namedStore, progress io.Writer) (*catalog, []LoadTiming, error) {
	ctx = sarhad.NewContext(ctx, sarhad.SystemViewer())
	cat := newCatalog()
	timings := make([]LoadTiming, len(stores))
	for i, s := range stores {
		timings[i].Store = s.name
	}
	batches, records := 0, 0
	err := gen.Generate(cfg, loadBatch, func(cs *sarhad.ChangeSet) error {
		for i, s := range stores {
			start := time.Now()
			if _, err := s.store.Apply(ctx, cs); err != nil {
				return fmt.Errorf("load %s: %w", s.name, err)
			}
			timings[i].Duration += time.Since(start)
			timings[i].Entities += len(cs.Put)
			timings[i].Links += len(cs.Link)
		}
		cat.add(cs)
		records += len(cs.Put) + len(cs.Link)
		if batches++; batches%50 == 0 {
			fmt.Fprintf(progress, "  loaded %d batches (%d records per store)\n", batches, records)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	for i, s := range stores {
		if o, ok := s.store.(sarhad.Optimizer); ok {
			start := time.Now()
			if err := o.Optimize(ctx); err != nil {
				return nil, nil, fmt.Errorf("optimize %s: %w", s.name, err)
			}
			timings[i].Duration += time.Since(start)
		}
	}
	return cat, timings, nil
}
