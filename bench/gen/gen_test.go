package gen_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/bench/gen"
	"github.com/sarhad/sarhad/store/sqlite"
)

func collect(t *testing.T, cfg gen.Config) (entities []sarhad.Entity, rels []*sarhad.Relationship, digest string) {
	t.Helper()
	h := sha256.New()
	seen := map[string]bool{}
	err := gen.Generate(cfg, 1000, func(cs *sarhad.ChangeSet) error {
		for _, e := range cs.Put {
			seen[e.EntityMeta().ID] = true
			entities = append(entities, e)
			b, _ := json.Marshal(e)
			fmt.Fprintf(h, "%s %s\n", e.EntityMeta().ID, b)
		}
		for _, r := range cs.Link {
			if !seen[r.From] || !seen[r.To] {
				return fmt.Errorf("relationship %s before its ends", r.ID)
			}
			rels = append(rels, r)
			b, _ := json.Marshal(r.RelationProps)
			fmt.Fprintf(h, "%s %s %s %s %s %+v\n", r.ID, r.Type, r.From, r.To, b, r.Handling)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return entities, rels, fmt.Sprintf("%x", h.Sum(nil))
}

func TestGeneratedGraphIsDeterministicAndShapedLikeNetworks(t *testing.T) {
	cfg := gen.Config{Scale: 0.01, Seed: 1}
	entities, rels, digest := collect(t, cfg)
	if _, _, again := collect(t, cfg); again != digest {
		t.Fatal("the same configuration gave another graph")
	}
	if _, _, other := collect(t, gen.Config{Scale: 0.01, Seed: 2}); other == digest {
		t.Fatal("another seed gave the same graph")
	}
	kinds := map[sarhad.EntityKind]int{}
	for _, e := range entities {
		kinds[sarhad.KindOf(e)]++
	}
	if kinds[sarhad.KindPerson] != 1000 || kinds[sarhad.KindOrganization] != 100 || kinds[sarhad.KindCase] < 190 {
		t.Errorf("sizes at SF0.01: %v", kinds)
	}
	// About ten relationships per person at every scale (a million at SF1).
	if n := len(rels); n < 7000 || n > 14000 {
		t.Errorf("%d relationships at SF0.01", n)
	}
	// Heavy-tailed degrees: the busiest person has many times the mean degree.
	degree := map[string]int{}
	for _, r := range rels {
		degree[r.From]++
		degree[r.To]++
	}
	var persons []int
	for _, e := range entities {
		if p, ok := e.(*sarhad.Person); ok {
			persons = append(persons, degree[p.ID])
		}
	}
	mean := 0.0
	for _, d := range persons {
		mean += float64(d)
	}
	mean /= float64(len(persons))
	if top := slices.Max(persons); float64(top) < 5*mean {
		t.Errorf("highest person degree %d, mean %.1f: no hubs", top, mean)
	}
	// Networks are communities: associates are mostly members of the same network.
	network := map[string]string{}
	for _, r := range rels {
		if r.Type == sarhad.RelMemberOf && r.Role == "" || r.Type == sarhad.RelLeads {
			network[r.From] = r.To
		}
	}
	within, across := 0, 0
	for _, r := range rels {
		if r.Type == sarhad.RelAssociateOf {
			if network[r.From] == network[r.To] {
				within++
			} else {
				across++
			}
		}
	}
	if across == 0 || within < 10*across {
		t.Errorf("associations within networks %d, across %d", within, across)
	}
}

func TestGeneratedGraphLoadsIntoAStore(t *testing.T) {
	ctx := sarhad.NewContext(context.Background(), sarhad.SystemViewer())
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	created := 0
	err = gen.Generate(gen.Config{Scale: 0.01, Seed: 1}, 2000, func(cs *sarhad.ChangeSet) error {
		res, err := st.Apply(ctx, cs)
		if err == nil {
			created += res.Created
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	entities, rels, _ := collect(t, gen.Config{Scale: 0.01, Seed: 1})
	if created != len(entities)+len(rels) {
		t.Errorf("created %d records of %d", created, len(entities)+len(rels))
	}
}
