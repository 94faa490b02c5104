package bench

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/bench/gen"
	neo4jstore "github.com/sarhad/sarhad/store/neo4j"
	"github.com/sarhad/sarhad/store/sqlite"
)

// Config is one benchmark run.
type Config struct {
	Scale float64 `json:"scale"` // scale factor of the generated graph (1: 100,000 persons)
	Seed  uint64  `json:"seed"`  // of the generator and of the parameters

	Concurrency []int         `json:"concurrency"` // concurrencies measured, each for every system and question
	Requests    int           `json:"requests"`    // measured requests per cell; 0: measure for Duration
	Duration    time.Duration `json:"durationNs"`  // measured time per cell when Requests is 0
	Warmup      int           `json:"warmup"`      // requests per cell before measuring (at least the concurrency)
	// WarmupFor: the warm-up of a cell lasts at least this long too. The first cells of a server
	// measured after 20 requests alone were up to half slower than when measured again.
	WarmupFor time.Duration `json:"warmupForNs"`
	ParamSets int           `json:"paramSets"` // parameter sets drawn for each question with parameters

	Systems []string `json:"systems"` // systems to run (Systems() when empty)
	Queries []string `json:"queries"` // questions to run (all when empty)

	// Neo4j to use; with an empty URI the run starts one with tools/neo4j (on Neo4jPort, 0 for a
	// free port, with Neo4jHeap and Neo4jPageCache) and stops it at the end.
	Neo4j          Neo4jConfig `json:"-"`
	Neo4jPort      int         `json:"-"`
	Neo4jHeap      string      `json:"neo4jHeap,omitempty"`
	Neo4jPageCache string      `json:"neo4jPageCache,omitempty"`
	// Reset allows wiping a database that is not empty. The database is emptied and loaded unless
	// Loaded is set.
	Reset bool `json:"-"`
	// Loaded says that the Neo4j of Neo4j.URI already holds the graph of Scale and Seed, loaded by
	// an earlier run: it is neither emptied nor loaded (the graph is generated again, only for the
	// parameters, and for the embedded store when Sarhad on it runs). For repeated measurements.
	Loaded bool `json:"loaded,omitempty"`

	RequestTimeout time.Duration `json:"requestTimeoutNs"` // of one request
	Out            string        `json:"-"`                // directory of the report ("" writes none)
	Root           string        `json:"-"`                // the module's root directory ("": found above the working directory)
	Log            io.Writer     `json:"-"`                // progress (nil: discarded)
}

// DefaultConfig is the configuration of the full benchmark at scale factor 1.
func DefaultConfig() Config {
	return Config{Scale: 1, Seed: 1, Concurrency: []int{1, 8, 32}, Duration: 10 * time.Second, Warmup: 20,
		WarmupFor: 2 * time.Second, ParamSets: 16,
		Neo4jHeap: "2g", Neo4jPageCache: "1g", RequestTimeout: 2 * time.Minute, Out: "bench-out"}
}

// SystemStatus says whether a system ran, and its server's peak memory over the whole run.
type SystemStatus struct {
	Name          string   `json:"name"`
	Skipped       string   `json:"skipped,omitempty"` // why it did not run
	Queries       []string `json:"queries,omitempty"` // the questions it expresses
	PeakRSSBytes  int64    `json:"peakRssBytes,omitempty"`
	NeedsNeo4j    bool     `json:"usesNeo4j"`
	ServerProcess bool     `json:"serverProcess"`
}

// Check is one request of the agreement check: the logical answer a system gave.
type Check struct {
	System string `json:"system"`
	Query  string `json:"query"`
	Params Params `json:"params"`
	Answer string `json:"-"`                // canonical; "" when the system's responses are not reduced
	Digest string `json:"digest,omitempty"` // of Answer
	Error  string `json:"error,omitempty"`
}

// Results are the figures of a run.
type Results struct {
	Date          time.Time           `json:"date"`
	Scale         float64             `json:"scale"`
	Seed          uint64              `json:"seed"`
	CPUs          int                 `json:"cpus"`
	GoVersion     string              `json:"goVersion"`
	Neo4jLaunched bool                `json:"neo4jLaunched"`
	Config        Config              `json:"config"`
	Load          []LoadTiming        `json:"load"`
	Systems       []SystemStatus      `json:"systems"`
	Queries       []Query             `json:"queries"`
	Params        map[string][]Params `json:"params"`
	Checks        []Check             `json:"checks"`
	Disagreements []string            `json:"disagreements"`
	Cells         []Cell              `json:"cells"`
}

// Problems lists what makes the run's figures unusable: systems that failed to start, requests
// of the agreement check that failed, answers that disagree, cells whose every request failed.
func (r *Results) Problems() []string {
	var out []string
	for _, s := range r.Systems {
		if strings.HasPrefix(s.Skipped, "failed") {
			out = append(out, s.Name+": "+s.Skipped)
		}
	}
	for _, c := range r.Checks {
		if c.Error != "" {
			out = append(out, fmt.Sprintf("%s %s %v: %s", c.System, c.Query, c.Params, c.Error))
		}
	}
	out = append(out, r.Disagreements...)
	for _, c := range r.Cells {
		if c.AllRequestsErr {
			out = append(out, fmt.Sprintf("%s %s at concurrency %d: all %d requests failed, first: %s",
				c.System, c.Query, c.Concurrency, c.Requests, c.FirstError))
		}
	}
	return out
}

// Run loads the generated graph into Neo4j and the embedded store, starts the systems, checks that
// they agree, measures every cell and writes the report to cfg.Out. It returns the results with an
// error when the figures are unusable (see Results.Problems) or the run could not complete.
func Run(ctx context.Context, cfg Config) (*Results, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	log := cfg.Log
	if log == nil {
		log = io.Discard
	}
	root, err := moduleRoot(cfg.Root)
	if err != nil {
		return nil, err
	}
	queries := selectQueries(cfg.Queries)
	names := cfg.Systems
	if len(names) == 0 {
		names = Systems()
	}
	res := &Results{Date: time.Now().UTC(), Scale: cfg.Scale, Seed: cfg.Seed, CPUs: runtime.NumCPU(), GoVersion: runtime.Version(),
		Config: cfg, Queries: queries, Disagreements: []string{}}
	tmp, err := os.MkdirTemp("", "sarhad-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if cfg.Out != "" {
		if err := os.MkdirAll(filepath.Join(cfg.Out, "logs"), 0o755); err != nil {
			return nil, err
		}
	}

	var bin string
	if slices.Contains(names, SystemSarhadNeo4j) || slices.Contains(names, SystemSarhadSQLite) {
		fmt.Fprintln(log, "building the server")
		if bin, err = buildServer(ctx, root, tmp); err != nil {
			return nil, err
		}
	}

	target := cfg.Neo4j
	if target.URI == "" {
		fmt.Fprintln(log, "NEO4J_URI is not set: starting a Neo4j with tools/neo4j")
		l, uri, err := launchNeo4j(ctx, root, tmp, cfg.Neo4jPort, cfg.Neo4jHeap, cfg.Neo4jPageCache, log)
		if err != nil {
			return nil, err
		}
		defer l.stop(log)
		target = Neo4jConfig{URI: uri}
		res.Neo4jLaunched = true
	}
	addr, err := target.address()
	if err != nil {
		return nil, err
	}
	if !cfg.Loaded {
		if err := prepareDatabase(ctx, target, cfg.Reset, log); err != nil {
			return nil, err
		}
	}

	sqliteDir := filepath.Join(tmp, "sqlite")
	cat, err := loadStores(ctx, cfg, target, sqliteDir, slices.Contains(names, SystemSarhadSQLite), res, log)
	if err != nil {
		return nil, err
	}
	res.Params = drawParams(cat, cfg.ParamSets, cfg.Seed)

	st, err := newStarter(cfg, root, bin, target, addr, sqliteDir)
	if err != nil {
		return nil, err
	}
	systems, err := st.start(ctx, names, queries, res, log)
	defer func() {
		for _, s := range systems {
			if err := s.close(context.Background()); err != nil {
				fmt.Fprintf(log, "stopping %s: %v\n", s.name(), err)
			}
			if p := s.bolt(); p != nil {
				p.Close()
			}
		}
	}()
	if err != nil {
		return nil, err
	}

	verify(ctx, systems, queries, res, cfg.RequestTimeout, log)
	if err := measure(ctx, cfg, systems, queries, res, log); err != nil {
		return res, err
	}
	for i, st := range res.Systems {
		for _, s := range systems {
			if s.name() == st.Name {
				_, res.Systems[i].PeakRSSBytes = memory(s.pid()) // VmHWM: the peak since it started
			}
		}
	}
	if cfg.Out != "" {
		if err := writeReport(cfg.Out, res); err != nil {
			return res, err
		}
		fmt.Fprintf(log, "report written to %s\n", cfg.Out)
	}
	if problems := res.Problems(); len(problems) > 0 {
		return res, fmt.Errorf("the run's figures are not usable:\n  %s", strings.Join(problems, "\n  "))
	}
	return res, nil
}

func (cfg *Config) check() error {
	switch {
	case cfg.Scale <= 0:
		return errors.New("scale must be positive")
	case len(cfg.Concurrency) == 0 || slices.Min(cfg.Concurrency) < 1:
		return errors.New("concurrencies must be at least 1")
	case cfg.Requests <= 0 && cfg.Duration <= 0:
		return errors.New("give a number of requests or a duration per cell")
	case cfg.ParamSets < 1:
		return errors.New("at least one parameter set per question")
	case cfg.RequestTimeout <= 0:
		return errors.New("the request timeout must be positive")
	case cfg.Loaded && cfg.Neo4j.URI == "":
		return errors.New("a loaded graph needs the Neo4j that holds it (NEO4J_URI)")
	case cfg.Loaded && cfg.Reset:
		return errors.New("a loaded graph is not wiped: give reset or loaded, not both")
	}
	for _, s := range cfg.Systems {
		if !slices.Contains(Systems(), s) {
			return fmt.Errorf("unknown system %q (known: %s)", s, strings.Join(Systems(), ", "))
		}
	}
	for _, q := range cfg.Queries {
		if !slices.Contains(queryIDs(Workload()), q) {
			return fmt.Errorf("unknown question %q", q)
		}
	}
	cfg.Neo4jHeap = cmp.Or(cfg.Neo4jHeap, "2g")
	cfg.Neo4jPageCache = cmp.Or(cfg.Neo4jPageCache, "1g")
	return nil
}

// moduleRoot returns dir, or the directory above the working directory holding Sarhad's go.mod.
func moduleRoot(dir string) (string, error) {
	if dir != "" {
		return filepath.Abs(dir)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/sarhad/sarhad\n") {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("run the benchmark inside Sarhad's module (no go.mod of github.com/sarhad/sarhad above the working directory)")
		}
	}
}

// prepareDatabase refuses a database holding data unless reset is set, and empties it.
func prepareDatabase(ctx context.Context, target Neo4jConfig, reset bool, log io.Writer) error {
	n, err := countNodes(ctx, target)
	if err != nil {
		return fmt.Errorf("Neo4j at %s: %w", target.URI, err)
	}
	db := cmp.Or(target.Database, neo4jstore.DefaultDatabase)
	if n > 0 && !reset {
		return fmt.Errorf("the Neo4j database %q at %s holds %d nodes: the benchmark deletes everything in it; "+
			"pass -reset to wipe it, or point NEO4J_URI at a throw-away instance", db, target.URI, n)
	}
	fmt.Fprintf(log, "\n*** WARNING: the benchmark DELETES every node and relationship of database %q at %s (%d nodes now) and loads its own graph ***\n\n",
		db, target.URI, n)
	return emptyDatabase(ctx, target)
}

// loadStores opens Sarhad's two stores (Neo4j directly, not through a proxy), loads the generated
// graph into both and closes them. With cfg.Loaded it leaves Neo4j alone, and loads the embedded
// store only when Sarhad on it runs (embedded); the catalogue of parameters is built either way.
func loadStores(ctx context.Context, cfg Config, target Neo4jConfig, sqliteDir string, embedded bool, res *Results, log io.Writer) (*catalog, error) {
	sysCtx := sarhad.NewContext(ctx, sarhad.SystemViewer())
	var stores []namedStore
	if !cfg.Loaded {
		n4, err := neo4jstore.Open(sysCtx, target.store(target.URI))
		if err != nil {
			return nil, err
		}
		defer n4.Close()
		stores = append(stores, namedStore{"neo4j", n4})
	}
	if !cfg.Loaded || embedded {
		lite, err := sqlite.Open(sysCtx, sqliteDir)
		if err != nil {
			return nil, err
		}
		defer lite.Close()
		stores = append(stores, namedStore{"sqlite", lite})
	}
	names := make([]string, len(stores))
	for i, s := range stores {
		names[i] = s.name
	}
	fmt.Fprintf(log, "loading the graph at scale factor %g (seed %d) into: %s\n", cfg.Scale, cfg.Seed,
		cmp.Or(strings.Join(names, ", "), "none (Neo4j holds it already)"))
	cat, timings, err := load(ctx, gen.Config{Scale: cfg.Scale, Seed: cfg.Seed}, stores, log)
	if err != nil {
		return nil, err
	}
	res.Load = timings
	for _, t := range timings {
		fmt.Fprintf(log, "  %s: %d entities and %d relationships in %s\n", t.Store, t.Entities, t.Links, t.Duration.Round(time.Millisecond))
	}
	return cat, nil
}

// measure runs every cell: each concurrency, system and question the system expresses.
func measure(ctx context.Context, cfg Config, systems []system, queries []Query, res *Results, log io.Writer) error {
	for _, conc := range cfg.Concurrency {
		for _, s := range systems {
			for _, q := range queries {
				if !s.supports(q.ID) || len(res.Params[q.ID]) == 0 {
					continue
				}
				c := runCell(ctx, s, q.ID, res.Params[q.ID], cellPlan{concurrency: conc, warmup: max(cfg.Warmup, conc),
					warmupFor: cfg.WarmupFor, requests: cfg.Requests, duration: cfg.Duration, timeout: cfg.RequestTimeout})
				res.Cells = append(res.Cells, c)
				fmt.Fprintf(log, "%-14s %s c=%-3d %6d req %4d err  p50 %8s  %8.1f req/s  %5.1f RT/req\n", c.System, c.Query,
					c.Concurrency, c.Requests, c.Errors, ms(c.P50), c.Throughput, c.RoundTripsPer)
				if err := ctx.Err(); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// verify asks every system every question once per parameter set, keeps the logical answers and
// records where systems that give answers disagree.
func verify(ctx context.Context, systems []system, queries []Query, res *Results, timeout time.Duration, log io.Writer) {
	fmt.Fprintln(log, "checking that the systems agree")
	for _, q := range queries {
		for i, p := range res.Params[q.ID] {
			byAnswer := map[string][]string{}
			for _, s := range systems {
				if !s.supports(q.ID) {
					continue
				}
				rctx, cancel := context.WithTimeout(ctx, timeout)
				a, err := s.do(rctx, q.ID, p, true)
				cancel()
				c := Check{System: s.name(), Query: q.ID, Params: p, Answer: a}
				if err != nil {
					c.Error = err.Error()
				} else if a != "" {
					sum := sha256.Sum256([]byte(a))
					c.Digest = hex.EncodeToString(sum[:6])
					byAnswer[a] = append(byAnswer[a], s.name())
				}
				res.Checks = append(res.Checks, c)
			}
			if len(byAnswer) > 1 {
				var parts []string
				for a, who := range byAnswer {
					parts = append(parts, fmt.Sprintf("%s: %s", strings.Join(who, ", "), abbreviate(a, 300)))
				}
				slices.Sort(parts)
				res.Disagreements = append(res.Disagreements, fmt.Sprintf("%s with parameter set %d %v: the answers differ:\n    %s",
					q.ID, i, p, strings.Join(parts, "\n    ")))
			}
		}
	}
	fmt.Fprintf(log, "  %d requests, %d disagreements\n", len(res.Checks), len(res.Disagreements))
}

func abbreviate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// ms formats a duration in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }
