package analysis_test

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sarhad/sarhad/analysis"
)

// caviar reads the CAVIAR adjacency matrix as an undirected, unweighted graph, as the reference
// script testdata/caviar_reference.py does.
func caviar(t *testing.T) ([]string, [][2]string) {
	t.Helper()
	f, err := os.Open("testdata/caviar.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	ids := rows[0][1:]
	var ties [][2]string
	for _, r := range rows[1:] {
		for j, cell := range r[1:] {
			if v, _ := strconv.ParseFloat(strings.TrimSpace(cell), 64); v > 0 && r[0] != ids[j] {
				ties = append(ties, [2]string{r[0], ids[j]})
			}
		}
	}
	return ids, ties
}

type reference struct {
	Nodes, Edges                             int
	Degree, Betweenness, Closeness, Pagerank map[string]float64
	ShortestPaths                            map[string][][]string
}

func loadReference(t *testing.T) reference {
	t.Helper()
	b, err := os.ReadFile("testdata/caviar_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var r reference
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCentralityMatchesNetworkxOnCaviar(t *testing.T) {
	ids, ties := caviar(t)
	g := analysis.NewGraph(ids, ties)
	ref := loadReference(t)
	if g.Len() != ref.Nodes {
		t.Fatalf("%d nodes, reference %d", g.Len(), ref.Nodes)
	}
	for _, m := range []struct {
		name string
		got  map[string]float64
		want map[string]float64
		tol  float64
	}{
		{"degree", g.Degree(), ref.Degree, 1e-12},
		{"betweenness", g.Betweenness(), ref.Betweenness, 1e-9},
		{"closeness", g.Closeness(), ref.Closeness, 1e-9},
		{"pagerank", g.PageRank(), ref.Pagerank, 1e-6},
	} {
		for id, want := range m.want {
			if got := m.got[id]; math.Abs(got-want) > m.tol {
				t.Errorf("%s of %s: %.10f, networkx %.10f", m.name, id, got, want)
			}
		}
	}
	b := g.Betweenness()
	top := slices.SortedFunc(slices.Values(ids), func(a, c string) int {
		if b[a] != b[c] {
			if b[a] > b[c] {
				return -1
			}
			return 1
		}
		return strings.Compare(a, c)
	})
	if top[0] != "1" {
		t.Errorf("participant %s ranks first by betweenness; the mastermind is 1", top[0])
	}
}

func TestShortestPathsMatchNetworkxOnCaviar(t *testing.T) {
	ids, ties := caviar(t)
	g := analysis.NewGraph(ids, ties)
	for pair, want := range loadReference(t).ShortestPaths {
		from, to, _ := strings.Cut(pair, "-")
		if got := g.ShortestPaths(from, to); !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("%s: %v, networkx %v", pair, got, want)
		}
	}
}

func TestCommunitiesAreDeterministicAndModular(t *testing.T) {
	ids, ties := caviar(t)
	g := analysis.NewGraph(ids, ties)
	a, qa := g.Communities(1, 42)
	b, qb := g.Communities(1, 42)
	if qa != qb || !slices.EqualFunc(a, b, slices.Equal) {
		t.Errorf("same seed, different communities")
	}
	if qa < 0.3 || len(a) < 3 {
		t.Errorf("modularity %.3f over %d communities: Louvain should find structure in CAVIAR", qa, len(a))
	}
	seen := 0
	for _, c := range a {
		seen += len(c)
	}
	if seen != len(ids) {
		t.Errorf("communities cover %d of %d nodes", seen, len(ids))
	}
}

func TestTiesToUnknownNodesAreIgnored(t *testing.T) {
	g := analysis.NewGraph([]string{"a", "b"}, [][2]string{{"a", "b"}, {"a", "hidden"}, {"hidden", "b"}})
	if g.Len() != 2 || g.Degree()["a"] != 1 {
		t.Errorf("a tie to a node not given was added")
	}
	if p := g.ShortestPaths("a", "hidden"); p != nil {
		t.Errorf("path to a node not given: %v", p)
	}
}
