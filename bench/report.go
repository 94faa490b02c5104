package bench

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The files of a report.
const (
	reportMarkdown   = "results.md"
	reportJSON       = "results.json"
	reportAnswers    = "answers.json"
	plotLatency      = "latency-p50.png"
	plotThroughput   = "throughput.png"
	plotConcurrency  = 8 // the concurrency the plots show (the nearest one measured)
	roundTripMeaning = "A Bolt round trip is one wait of a client for Neo4j: the client sends one or more complete Bolt messages " +
		"(pipelined or not) and then waits for the server's answer; the proxy counts one each time the server answers after " +
		"whole client messages arrived since its last answer. The version handshake of a new connection is not counted, " +
		"HELLO and LOGON are. Cypher statements are RUN messages."
)

// writeReport writes the Markdown table, the JSON of the raw figures and the plots to dir.
func writeReport(dir string, r *Results) error {
	if err := os.WriteFile(filepath.Join(dir, reportMarkdown), []byte(Markdown(r)), 0o644); err != nil {
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, reportJSON), b, 0o644); err != nil {
		return err
	}
	if err := writeAnswers(filepath.Join(dir, reportAnswers), r.Checks); err != nil {
		return err
	}
	conc := nearest(r.Config.Concurrency, plotConcurrency)
	if err := plotQueries(r, conc, filepath.Join(dir, plotLatency), fmt.Sprintf("p50 latency at concurrency %d", conc), "ms (log scale)",
		func(c Cell) float64 { return float64(c.P50) / float64(time.Millisecond) }); err != nil {
		return err
	}
	return plotQueries(r, conc, filepath.Join(dir, plotThroughput), fmt.Sprintf("throughput at concurrency %d", conc), "requests/s (log scale)",
		func(c Cell) float64 { return c.Throughput })
}

// writeAnswers writes the logical answer of every request of the agreement check.
func writeAnswers(path string, checks []Check) error {
	type answer struct {
		Query  string          `json:"query"`
		Params Params          `json:"params"`
		System string          `json:"system"`
		Answer json.RawMessage `json:"answer,omitempty"`
		Error  string          `json:"error,omitempty"`
	}
	out := []answer{}
	for _, c := range checks {
		a := answer{Query: c.Query, Params: c.Params, System: c.System, Error: c.Error}
		if c.Answer != "" {
			a.Answer = json.RawMessage(c.Answer)
		}
		out = append(out, a)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func nearest(xs []int, x int) int {
	best := xs[0]
	for _, v := range xs {
		if abs(v-x) < abs(best-x) {
			best = v
		}
	}
	return best
}

func abs(x int) int { return max(x, -x) }

// Markdown renders the results as a Markdown report: the setting, the table (one row per system,
// question and concurrency) and the agreement check.
func Markdown(r *Results) string {
	var b strings.Builder
	cfg := r.Config
	fmt.Fprintf(&b, "# Sarhad benchmark\n\n")
	fmt.Fprintf(&b, "%s · scale factor %g (seed %d) · %d CPUs · %s · Neo4j %s\n\n", r.Date.Format("2006-01-02 15:04 UTC"),
		r.Scale, r.Seed, r.CPUs, r.GoVersion, map[bool]string{true: "started by the run (tools/neo4j)", false: "given by NEO4J_URI"}[r.Neo4jLaunched])
	for _, l := range r.Load {
		fmt.Fprintf(&b, "- loaded into %s: %d entities, %d relationships in %s\n", l.Store, l.Entities, l.Links, l.Duration.Round(time.Millisecond))
	}
	cell := fmt.Sprintf("%d requests", cfg.Requests)
	if cfg.Requests == 0 {
		cell = cfg.Duration.String()
	}
	fmt.Fprintf(&b, "- each cell: %d warm-up requests (at least the concurrency) for at least %s, then %s; parameters cycle through %d sets per question\n",
		cfg.Warmup, cfg.WarmupFor, cell, cfg.ParamSets)
	v := benchViewer()
	fmt.Fprintf(&b, "- viewer: %s of %s (%s) with %s\n", v.Roles[0], v.Org, v.Country, strings.Join(v.Clearances, ", "))
	for _, s := range r.Systems {
		if s.Skipped != "" {
			fmt.Fprintf(&b, "- %s: not run — %s\n", s.Name, s.Skipped)
		} else if s.PeakRSSBytes > 0 {
			fmt.Fprintf(&b, "- %s: %s; peak RSS over the run %s MB\n", s.Name, strings.Join(s.Queries, " "), mb(s.PeakRSSBytes))
		} else {
			fmt.Fprintf(&b, "- %s: %s\n", s.Name, strings.Join(s.Queries, " "))
		}
	}
	fmt.Fprintf(&b, "\n| system | query | conc | requests | errors | p50 ms | p95 ms | p99 ms | req/s | Bolt RT/req | Cypher stmts/req | peak RSS MB |\n")
	fmt.Fprintf(&b, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, c := range sortedCells(r) {
		lat := func(d time.Duration) string {
			if c.Requests == c.Errors {
				return "—"
			}
			return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond))
		}
		bolt, stmts := "—", "—"
		if c.Bolt != nil {
			bolt, stmts = fmt.Sprintf("%.2f", c.RoundTripsPer), fmt.Sprintf("%.2f", c.StatementsPer)
		}
		rss := "—"
		if c.PeakRSSBytes > 0 {
			rss = mb(c.PeakRSSBytes)
		}
		errs := fmt.Sprint(c.Errors)
		if c.AllRequestsErr {
			errs = "**all**"
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %s | %s | %s | %s | %.1f | %s | %s | %s |\n", c.System, c.Query, c.Concurrency, c.Requests,
			errs, lat(c.P50), lat(c.P95), lat(c.P99), c.Throughput, bolt, stmts, rss)
	}
	fmt.Fprintf(&b, "\n%s\n", roundTripMeaning)
	boltTable(&b, r)
	targetsTable(&b, r)
	fmt.Fprintf(&b, "\n## Questions\n\n")
	for _, q := range r.Queries {
		fmt.Fprintf(&b, "- %s: %s\n", q.ID, q.Title)
	}
	fmt.Fprintf(&b, "\n## Agreement\n\n")
	failed := 0
	for _, c := range r.Checks {
		if c.Error != "" {
			failed++
			fmt.Fprintf(&b, "- %s %s %v failed: %s\n", c.System, c.Query, c.Params, c.Error)
		}
	}
	if len(r.Disagreements) == 0 && failed == 0 {
		fmt.Fprintf(&b, "%d requests; the answers compared agree (Q4: the length of the shortest path):\n\n", len(r.Checks))
		for _, s := range r.Systems {
			var qs []string
			for _, c := range r.Checks {
				if c.System == s.Name && c.Answer != "" && !slices.Contains(qs, c.Query) {
					qs = append(qs, c.Query)
				}
			}
			if len(qs) > 0 {
				fmt.Fprintf(&b, "- %s: %s\n", s.Name, strings.Join(qs, " "))
			}
		}
	}
	for _, d := range r.Disagreements {
		fmt.Fprintf(&b, "- %s\n", d)
	}
	return b.String()
}

// boltTable renders the Bolt round trips per request of each system and question at the lowest
// concurrency, next to the scale factor: the figure that must not grow with the data.
func boltTable(b *strings.Builder, r *Results) {
	conc := slices.Min(r.Config.Concurrency)
	var systems []string
	for _, s := range r.Systems {
		if s.Skipped == "" && s.NeedsNeo4j {
			systems = append(systems, s.Name)
		}
	}
	if len(systems) == 0 {
		return
	}
	fmt.Fprintf(b, "\n## Bolt round trips per request (concurrency %d, scale factor %g)\n\n| query | %s |\n|---|%s\n",
		conc, r.Scale, strings.Join(systems, " | "), strings.Repeat("--:|", len(systems)))
	for _, q := range r.Queries {
		fmt.Fprintf(b, "| %s |", q.ID)
		for _, s := range systems {
			i := slices.IndexFunc(r.Cells, func(c Cell) bool { return c.System == s && c.Query == q.ID && c.Concurrency == conc })
			if i < 0 || r.Cells[i].Bolt == nil {
				fmt.Fprintf(b, " — |")
				continue
			}
			fmt.Fprintf(b, " %.1f (%.1f stmts) |", r.Cells[i].RoundTripsPer, r.Cells[i].StatementsPer)
		}
		fmt.Fprintln(b)
	}
}

// The targets of issue 7, at scale factor 1 on the machine of the run.
const (
	targetP50Ratio        = 1.3                  // Sarhad on Neo4j's p50 over the hand-written Cypher's, at most
	targetThroughputRatio = 2.0                  // Sarhad on Neo4j's throughput over @neo4j/graphql's, at least
	targetEmbeddedP50     = 5 * time.Millisecond // the embedded store's p50 of Q1–Q3, under
	targetRSSBytes        = 200 << 20            // Sarhad's server RSS with the Neo4j store, under
)

// targetsTable renders the figures of the run that the targets are about, each ratio beside its
// target: Sarhad on Neo4j against the hand-written Cypher (p50) and against @neo4j/graphql
// (throughput), per question and concurrency; the embedded store's p50 of Q1–Q3; the server's
// peak RSS on Neo4j. A pair of cells of which one failed every request gives no figure. The targets
// hold at scale factor 1; at another the figures are shown all the same.
func targetsTable(b *strings.Builder, r *Results) {
	find := func(system, query string, conc int) *Cell {
		i := slices.IndexFunc(r.Cells, func(c Cell) bool { return c.System == system && c.Query == query && c.Concurrency == conc })
		if i < 0 || r.Cells[i].AllRequestsErr {
			return nil
		}
		return &r.Cells[i]
	}
	mark := func(ok bool) string { return map[bool]string{true: "met", false: "**missed**"}[ok] }
	ratios := func(title, other string, target float64, ratio func(s, o *Cell) float64, ok func(float64) bool) {
		var rows []string
		for _, q := range r.Queries {
			row := "| " + q.ID + " |"
			shown := false
			for _, conc := range r.Config.Concurrency {
				s, o := find(SystemSarhadNeo4j, q.ID, conc), find(other, q.ID, conc)
				if s == nil || o == nil {
					row += " — |"
					continue
				}
				x := ratio(s, o)
				row += fmt.Sprintf(" %.2f (%s) |", x, mark(ok(x)))
				shown = true
			}
			if shown {
				rows = append(rows, row)
			}
		}
		if len(rows) == 0 {
			return
		}
		fmt.Fprintf(b, "\n%s (target %g):\n\n| query |", title, target)
		for _, conc := range r.Config.Concurrency {
			fmt.Fprintf(b, " c=%d |", conc)
		}
		fmt.Fprintf(b, "\n|---|%s\n%s\n", strings.Repeat("--:|", len(r.Config.Concurrency)), strings.Join(rows, "\n"))
	}
	fmt.Fprintf(b, "\n## Targets (scale factor %g)\n", r.Scale)
	ratios("p50 of "+SystemSarhadNeo4j+" over "+SystemCypher+", at most", SystemCypher, targetP50Ratio,
		func(s, o *Cell) float64 { return float64(s.P50) / float64(o.P50) }, func(x float64) bool { return x <= targetP50Ratio })
	ratios("Requests per second of "+SystemSarhadNeo4j+" over "+SystemNeo4jGraphQL+", at least", SystemNeo4jGraphQL,
		targetThroughputRatio, func(s, o *Cell) float64 { return s.Throughput / o.Throughput },
		func(x float64) bool { return x >= targetThroughputRatio })
	if len(r.Config.Concurrency) > 0 {
		conc := slices.Min(r.Config.Concurrency)
		var parts []string
		for _, q := range []string{"Q1", "Q2", "Q3"} {
			if c := find(SystemSarhadSQLite, q, conc); c != nil {
				parts = append(parts, fmt.Sprintf("%s %.2f ms (%s)", q, float64(c.P50)/float64(time.Millisecond), mark(c.P50 < targetEmbeddedP50)))
			}
		}
		if len(parts) > 0 {
			fmt.Fprintf(b, "\n- %s p50 at c=%d, under %s: %s\n", SystemSarhadSQLite, conc, targetEmbeddedP50, strings.Join(parts, ", "))
		}
	}
	for _, s := range r.Systems {
		if s.Name == SystemSarhadNeo4j && s.PeakRSSBytes > 0 {
			fmt.Fprintf(b, "- %s peak RSS over the run, under %s MB: %s MB (%s)\n", s.Name, mb(targetRSSBytes), mb(s.PeakRSSBytes),
				mark(s.PeakRSSBytes < targetRSSBytes))
		}
	}
}

// sortedCells orders the cells by question, concurrency and system.
func sortedCells(r *Results) []Cell {
	cells := slices.Clone(r.Cells)
	order := Systems()
	slices.SortStableFunc(cells, func(a, b Cell) int {
		if a.Query != b.Query {
			return strings.Compare(a.Query, b.Query)
		}
		if a.Concurrency != b.Concurrency {
			return a.Concurrency - b.Concurrency
		}
		return slices.Index(order, a.System) - slices.Index(order, b.System)
	})
	return cells
}

func mb(bytes int64) string { return fmt.Sprintf("%.0f", float64(bytes)/(1<<20)) }

// glyph marks system i in the plots.
func glyph(i int) draw.GlyphDrawer {
	return [...]draw.GlyphDrawer{draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}, draw.CrossGlyph{}}[i%4]
}

// plotQueries draws value of each system's cell per question at concurrency conc, on a log scale.
func plotQueries(r *Results, conc int, path, title, unit string, value func(Cell) float64) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s — scale factor %g", title, r.Scale)
	p.Y.Label.Text = unit
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Add(plotter.NewGrid())
	ids := queryIDs(r.Queries)
	p.NominalX(ids...)
	lo, hi := math.Inf(1), math.Inf(-1)
	systems := Systems()
	for si, name := range systems {
		var pts plotter.XYs
		for qi, q := range ids {
			for _, c := range r.Cells {
				if c.System == name && c.Query == q && c.Concurrency == conc && !c.AllRequestsErr {
					if y := value(c); y > 0 {
						x := float64(qi) + (float64(si)-float64(len(systems)-1)/2)*0.15
						pts = append(pts, plotter.XY{X: x, Y: y})
						lo, hi = min(lo, y), max(hi, y)
					}
				}
			}
		}
		if len(pts) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return err
		}
		sc.GlyphStyle.Color = plotutil.DarkColors[si%len(plotutil.DarkColors)]
		sc.GlyphStyle.Shape = glyph(si)
		sc.GlyphStyle.Radius = vg.Points(4)
		p.Add(sc)
		p.Legend.Add(name, sc)
	}
	if math.IsInf(lo, 1) {
		lo, hi = 1, 10
	}
	p.Y.Min, p.Y.Max = lo/2, hi*2
	p.X.Min, p.X.Max = -0.5, float64(len(ids))-0.5
	p.Legend.Top = true
	return p.Save(9*vg.Inch, 5*vg.Inch, path)
}
