package export_test

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/export"
	"github.com/sarhad/sarhad/seed/demo"
)

type graphmlDoc struct {
	Keys []struct {
		ID   string `xml:"id,attr"`
		For  string `xml:"for,attr"`
		Name string `xml:"attr.name,attr"`
	} `xml:"key"`
	Graph struct {
		Nodes []struct {
			ID   string `xml:"id,attr"`
			Data []struct {
				Key   string `xml:"key,attr"`
				Value string `xml:",chardata"`
			} `xml:"data"`
		} `xml:"node"`
		Edges []struct {
			ID     string `xml:"id,attr"`
			Source string `xml:"source,attr"`
			Target string `xml:"target,attr"`
			Data   []struct {
				Key   string `xml:"key,attr"`
				Value string `xml:",chardata"`
			} `xml:"data"`
		} `xml:"edge"`
	} `xml:"graph"`
}

// TestGraphMLHoldsExactlyWhatTheViewerMaySee exports the demo graph as a liaison officer and checks
// it against the reference policy applied to the seed's own records.
func TestGraphMLHoldsExactlyWhatTheViewerMaySee(t *testing.T) {
	svc := newService(t, true)
	v := &sarhad.Viewer{Subject: "grc", Roles: []sarhad.Role{sarhad.RoleLiaisonOfficer}, Country: "GRC", Org: demo.OrgHellenicPolice}
	var buf bytes.Buffer
	if err := export.GraphML(as(t, v), svc, &buf); err != nil {
		t.Fatal(err)
	}
	var doc graphmlDoc
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v", err)
	}

	// The reference: what the policy admits of the seed's own records.
	entities, wantNodes, wantEdges := reference(v)
	var gotNodes, gotEdges []string
	declared := map[string]bool{}
	for _, k := range doc.Keys {
		declared[k.ID] = true
	}
	names := map[string]string{}
	for _, n := range doc.Graph.Nodes {
		gotNodes = append(gotNodes, n.ID)
		for _, d := range n.Data {
			if !declared[d.Key] {
				t.Fatalf("node %s uses undeclared key %s", n.ID, d.Key)
			}
			if d.Key == "n_name" {
				names[n.ID] = d.Value
			}
		}
	}
	for _, e := range doc.Graph.Edges {
		typ := ""
		for _, d := range e.Data {
			if !declared[d.Key] {
				t.Fatalf("edge %s uses undeclared key %s", e.ID, d.Key)
			}
			if d.Key == "e_type" {
				typ = d.Value
			}
		}
		gotEdges = append(gotEdges, e.ID+" "+e.Source+" "+e.Target+" "+typ)
	}
	slices.Sort(gotNodes)
	slices.Sort(gotEdges)
	if !slices.Equal(gotNodes, wantNodes) {
		t.Errorf("%d nodes, want %d", len(gotNodes), len(wantNodes))
	}
	if !slices.Equal(gotEdges, wantEdges) {
		t.Errorf("%d edges, want %d", len(gotEdges), len(wantEdges))
	}
	if len(wantNodes) == len(entities) || len(wantEdges) == len(demo.Dataset().Link) {
		t.Fatal("the liaison officer sees everything: the test proves nothing")
	}
	// Victims appear under their pseudonyms only.
	victims := 0
	for _, id := range wantNodes {
		if p, ok := entities[id].(*sarhad.Person); ok && p.IsVictim() {
			victims++
			if names[id] != sarhad.Pseudonym(id) || strings.Contains(buf.String(), p.Name) {
				t.Errorf("victim %s exported as %q", id, names[id])
			}
		}
	}
	if victims == 0 {
		t.Fatal("no victim is visible to the liaison officer: the test proves nothing")
	}
	// The relationships that tie those victims come without their notes, marked redacted.
	seedNotes := map[string]string{}
	for _, r := range demo.Dataset().Link {
		seedNotes[r.ID] = r.Note
	}
	withheld := 0
	for _, e := range doc.Graph.Edges {
		from, _ := entities[e.Source].(*sarhad.Person)
		to, _ := entities[e.Target].(*sarhad.Person)
		if (from == nil || !from.IsVictim()) && (to == nil || !to.IsVictim()) {
			continue
		}
		data := map[string]string{}
		for _, d := range e.Data {
			data[d.Key] = d.Value
		}
		if data["e_note"] != "" || data["e_sourceKey"] != "" || data["e_redacted"] != "true" {
			t.Errorf("edge %s of a victim exported with note %q, key %q, redacted %q", e.ID, data["e_note"], data["e_sourceKey"], data["e_redacted"])
		}
		if seedNotes[e.ID] != "" {
			withheld++
		}
	}
	if withheld == 0 {
		t.Fatal("no note of a victim's relationship to withhold: the test proves nothing")
	}

	// networkx reads it, when it is installed.
	if py, err := exec.LookPath("python3"); err == nil && exec.Command(py, "-c", "import networkx").Run() == nil {
		file := filepath.Join(t.TempDir(), "demo.graphml")
		if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(py, "-c", `import sys, networkx as nx
g = nx.read_graphml(sys.argv[1])
print(g.number_of_nodes(), g.number_of_edges())`, file).CombinedOutput()
		if err != nil {
			t.Fatalf("networkx: %v\n%s", err, out)
		}
		t.Logf("networkx read %s nodes and edges", strings.TrimSpace(string(out)))
	}
}
