"""Reference centralities and shortest paths of the CAVIAR network, computed with networkx.

Regenerate with:  python3 caviar_reference.py > caviar_reference.json   (networkx 3.6.1 with scipy)

The network is read as undirected and unweighted: participants i and j are tied when either
communicated with the other (cell (i, j) or (j, i) of the adjacency matrix is above zero).
Normalisations are networkx's defaults:
  degree       deg / (n - 1)
  betweenness  normalized=True: pairs-of-other-nodes fraction, 2 / ((n - 1)(n - 2)) for undirected
  closeness    wf_improved=True: (r - 1) / sum of distances, scaled by (r - 1) / (n - 1), r = reachable
  pagerank     alpha=0.85, tol=1e-12, max_iter=1000
"""
import csv, json, sys
import networkx as nx

rows = list(csv.reader(open("caviar.csv")))
ids = [c.strip('"') for c in rows[0][1:]]
G = nx.Graph()
G.add_nodes_from(ids)
for r in rows[1:]:
    i = r[0].strip('"')
    for j, v in zip(ids, r[1:]):
        if i != j and float(v or 0) > 0:
            G.add_edge(i, j)

pairs = [("1", "12"), ("1", "85"), ("83", "86"), ("5", "110"), ("27", "63"), ("27", "107"), ("21", "24"), ("46", "102"), ("31", "37")]
paths = {}
for a, b in pairs:
    if a in G and b in G and nx.has_path(G, a, b):
        paths[f"{a}-{b}"] = sorted(nx.all_shortest_paths(G, a, b))
json.dump({
    "networkx": nx.__version__,
    "nodes": G.number_of_nodes(),
    "edges": G.number_of_edges(),
    "degree": nx.degree_centrality(G),
    "betweenness": nx.betweenness_centrality(G, normalized=True),
    "closeness": nx.closeness_centrality(G),
    "pagerank": nx.pagerank(G, alpha=0.85, tol=1e-12, max_iter=1000),
    "shortestPaths": paths,
}, sys.stdout, indent=1, sort_keys=True)
