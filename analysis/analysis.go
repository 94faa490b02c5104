// Package analysis runs graph algorithms — centrality, communities, shortest paths — over a subgraph
// the viewer may see, using gonum.org/v1/gonum/graph rather than hand-written algorithms. Graphs are
// built with node ids in sorted order and randomness is seeded, so every result is deterministic.
package analysis

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/community"
	"gonum.org/v1/gonum/graph/network"
	"gonum.org/v1/gonum/graph/path"
	"gonum.org/v1/gonum/graph/simple"
)

// Graph is an undirected, unweighted simple graph over string ids: parallel ties between two nodes
// count once and self-ties are dropped.
type Graph struct {
	g     *simple.UndirectedGraph
	ids   []string
	index map[string]int64
}

// NewGraph builds a graph from node ids and ties; a tie whose ends are not both among nodes is
// ignored, so a caller cannot add a node that was not given (a hidden one) through a tie.
func NewGraph(nodes []string, ties [][2]string) *Graph {
	ids := slices.Clone(nodes)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	g := &Graph{g: simple.NewUndirectedGraph(), ids: ids, index: make(map[string]int64, len(ids))}
	for i, id := range ids {
		g.index[id] = int64(i)
		g.g.AddNode(simple.Node(i))
	}
	for _, t := range ties {
		a, okA := g.index[t[0]]
		b, okB := g.index[t[1]]
		if okA && okB && a != b {
			g.g.SetEdge(simple.Edge{F: simple.Node(a), T: simple.Node(b)})
		}
	}
	return g
}

// Len is the number of nodes.
func (g *Graph) Len() int { return len(g.ids) }

func (g *Graph) byID(m map[int64]float64) map[string]float64 {
	out := make(map[string]float64, len(g.ids))
	for i, id := range g.ids {
		out[id] = m[int64(i)]
	}
	return out
}

// Degree returns each node's degree divided by n - 1, the most ties it could have.
func (g *Graph) Degree() map[string]float64 {
	out := make(map[string]float64, len(g.ids))
	n := float64(len(g.ids) - 1)
	for i, id := range g.ids {
		if n > 0 {
			out[id] = float64(g.g.From(int64(i)).Len()) / n
		} else {
			out[id] = 0
		}
	}
	return out
}

// Betweenness returns each node's share of the shortest paths between pairs of other nodes that
// pass through it: the sum over pairs {s, t} of σ_st(v)/σ_st, divided by (n-1)(n-2)/2, the number of
// such pairs; 0 for graphs of fewer than three nodes.
func (g *Graph) Betweenness() map[string]float64 {
	raw := g.byID(network.Betweenness(g.g))
	n := float64(len(g.ids))
	for id, b := range raw {
		if n < 3 {
			raw[id] = 0
			continue
		}
		// gonum sums over ordered pairs (s, t); an undirected pair is counted twice.
		raw[id] = b / 2 / ((n - 1) * (n - 2) / 2)
	}
	return raw
}

// Closeness returns, for each node v reaching r-1 other nodes at total distance D, (r-1)/D scaled by
// (r-1)/(n-1) (the Wasserman–Faust form, so nodes of small components do not score high); 0 for an
// isolated node.
func (g *Graph) Closeness() map[string]float64 {
	paths := path.DijkstraAllPaths(g.g)
	out := make(map[string]float64, len(g.ids))
	n := float64(len(g.ids))
	for i, id := range g.ids {
		sum, reached := 0.0, 0.0
		for j := range g.ids {
			if i == j {
				continue
			}
			if d := paths.Weight(int64(i), int64(j)); !math.IsInf(d, 1) {
				sum += d
				reached++
			}
		}
		if sum > 0 && n > 1 {
			out[id] = reached / sum * reached / (n - 1)
		} else {
			out[id] = 0
		}
	}
	return out
}

// PageRank returns PageRank with damping 0.85 over the graph with each tie followed both ways; the
// scores sum to 1.
func (g *Graph) PageRank() map[string]float64 {
	d := simple.NewDirectedGraph()
	for i := range g.ids {
		d.AddNode(simple.Node(i))
	}
	edges := g.g.Edges()
	for edges.Next() {
		e := edges.Edge()
		d.SetEdge(simple.Edge{F: e.From(), T: e.To()})
		d.SetEdge(simple.Edge{F: e.To(), T: e.From()})
	}
	return g.byID(network.PageRank(d, 0.85, 1e-12))
}

// Communities partitions the graph by Louvain modularity at the given resolution, with randomness
// seeded by seed, and returns the communities (each sorted, largest first, then by first id) and
// the modularity Q of the partition.
func (g *Graph) Communities(resolution float64, seed uint64) ([][]string, float64) {
	if len(g.ids) == 0 {
		return nil, 0
	}
	reduced := community.Modularize(g.g, resolution, rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	comms := reduced.Communities()
	q := community.Q(g.g, comms, resolution)
	out := make([][]string, 0, len(comms))
	for _, c := range comms {
		ids := make([]string, len(c))
		for i, n := range c {
			ids[i] = g.ids[n.ID()]
		}
		slices.Sort(ids)
		out = append(out, ids)
	}
	slices.SortFunc(out, func(a, b []string) int {
		return cmp.Or(cmp.Compare(len(b), len(a)), cmp.Compare(a[0], b[0]))
	})
	return out, q
}

// ShortestPaths returns every shortest path from one node to another, as node ids in order, sorted;
// nil when there is none.
func (g *Graph) ShortestPaths(from, to string) [][]string {
	a, okA := g.index[from]
	b, okB := g.index[to]
	if !okA || !okB {
		return nil
	}
	paths, _ := path.DijkstraAllPaths(g.g).AllBetween(a, b)
	out := make([][]string, 0, len(paths))
	for _, p := range paths {
		ids := make([]string, len(p))
		for i, n := range p {
			ids[i] = g.ids[n.ID()]
		}
		out = append(out, ids)
	}
	slices.SortFunc(out, slices.Compare)
	return out
}

var _ graph.Undirected = (*simple.UndirectedGraph)(nil)
