package bench_test

import (
	"strings"
	"testing"

	"github.com/sarhad/sarhad/bench"
)

// A run that would measure something other than what it says is refused before it builds,
// starts or loads anything: above all, reusing a loaded graph without the Neo4j that holds it, or
// while also asking to wipe it.
func TestRunRefusesAConfigurationItCannotHonour(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(*bench.Config)
		want string
	}{
		{"loaded without Neo4j", func(c *bench.Config) { c.Loaded = true }, "needs the Neo4j that holds it"},
		{"loaded and reset", func(c *bench.Config) {
			c.Loaded, c.Reset, c.Neo4j = true, true, bench.Neo4jConfig{URI: "bolt://127.0.0.1:1"}
		}, "give reset or loaded, not both"},
		{"no scale", func(c *bench.Config) { c.Scale = 0 }, "scale must be positive"},
		{"no concurrency", func(c *bench.Config) { c.Concurrency = []int{1, 0} }, "at least 1"},
		{"unknown system", func(c *bench.Config) { c.Systems = []string{"postgres"} }, `unknown system "postgres"`},
		{"unknown question", func(c *bench.Config) { c.Queries = []string{"Q9"} }, `unknown question "Q9"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := bench.DefaultConfig()
			cfg.Out, cfg.Root = "", t.TempDir() // nothing may be written or built
			c.edit(&cfg)
			res, err := bench.Run(t.Context(), cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Run: %v, want an error containing %q", err, c.want)
			}
			if res != nil {
				t.Errorf("results %+v for a refused run", res)
			}
		})
	}
}
