package bench

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// The logical answers of the questions, as every system's response is reduced to them for the
// agreement check: what an investigator would read off the response, in a canonical order, with
// nothing that may legitimately differ between two correct systems (the order of equal items, the
// choice among equally short paths).

// Q1 and Q8.
type caseAnswer struct {
	ID      string        `json:"id"`
	Parties []partyAnswer `json:"parties"`
}

type partyAnswer struct {
	Role   string   `json:"role"`
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Phones []string `json:"phones,omitempty"` // Q1 only
}

func (c *caseAnswer) normalise() {
	for i := range c.Parties {
		slices.Sort(c.Parties[i].Phones)
	}
	slices.SortFunc(c.Parties, func(a, b partyAnswer) int { return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(a.Role, b.Role)) })
}

// Q2.
type searchAnswer struct {
	Total int         `json:"total"`
	Hits  []searchHit `json:"hits"` // in rank order
}

type searchHit struct {
	ID    string  `json:"id"`
	Name  string  `json:"name"`
	Score float64 `json:"score"`
}

// Q3.
type subgraphAnswer struct {
	Truncated bool     `json:"truncated"`
	Nodes     []string `json:"nodes"`
	Edges     []string `json:"edges"`
}

// Q4: the length of the shortest path (-1: none within the bound).
type pathAnswer struct {
	Length int `json:"length"`
}

// Q5.
type rankedAnswer struct {
	Rank  int     `json:"rank"`
	ID    string  `json:"id"`
	Score float64 `json:"score"`
}

// Q6: a cell's counts are nil where suppressed.
type statCell struct {
	Year, Stage string
	Counts      [8]*int // cases, under investigation, charge-sheeted, convicted, acquitted, arrested, victims, referred
	Suppressed  bool
}

// Q7.
type flowAnswer struct {
	Origin      string           `json:"origin"`
	Destination string           `json:"destination"`
	Transit     []string         `json:"transit"`
	Routes      []string         `json:"routes"`
	Cases       int              `json:"cases"`
	Persons     int              `json:"persons"`
	Crossings   []crossingAnswer `json:"crossings"`
}

type crossingAnswer struct {
	From    string `json:"from"`
	To      string `json:"to"`
	Mode    string `json:"mode"`
	Cases   int    `json:"cases"`
	Persons int    `json:"persons"`
}

// Q8.
type pageAnswer struct {
	Total       int          `json:"total"`
	HasNextPage bool         `json:"hasNextPage"`
	Cases       []caseAnswer `json:"cases"` // in page order
}

// canonical renders an answer as the string compared across systems.
func canonical(a any) string {
	b, err := json.Marshal(a)
	if err != nil {
		return fmt.Sprintf("unencodable answer: %v", err)
	}
	return string(b)
}

// round keeps scores comparable across systems that sum in different orders.
func round(x float64) float64 { return math.Round(x*1e9) / 1e9 }

// GraphQL response data of Sarhad's documents (Workload), decoded into the answers.

type gqlEntity struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	DisplayName string `json:"displayName"`
}

type gqlParty struct {
	Role  string `json:"role"`
	Party struct {
		gqlEntity
		Identifiers []struct {
			ID string `json:"id"`
		} `json:"identifiers"`
	} `json:"party"`
}

type gqlCase struct {
	ID      string     `json:"id"`
	Parties []gqlParty `json:"parties"`
}

func (c gqlCase) answer(phones bool) caseAnswer {
	a := caseAnswer{ID: c.ID, Parties: []partyAnswer{}}
	for _, p := range c.Parties {
		pa := partyAnswer{Role: p.Role, ID: p.Party.ID, Name: p.Party.DisplayName}
		if phones {
			for _, ph := range p.Party.Identifiers {
				pa.Phones = append(pa.Phones, ph.ID)
			}
		}
		a.Parties = append(a.Parties, pa)
	}
	a.normalise()
	return a
}

// graphQLAnswer reduces the data of a response to Sarhad's document of query q to its answer.
func graphQLAnswer(q string, data json.RawMessage) (string, error) {
	switch q {
	case "Q1":
		var d struct{ Node *gqlCase }
		if err := json.Unmarshal(data, &d); err != nil {
			return "", err
		}
		if d.Node == nil {
			return canonical(nil), nil
		}
		return canonical(d.Node.answer(true)), nil
	case "Q2":
		var d struct {
			Search struct {
				TotalCount int
				Edges      []struct {
					Score float64
					Node  gqlEntity
				}
			}
		}
		if err := json.Unmarshal(data, &d); err != nil {
			return "", err
		}
		a := searchAnswer{Total: d.Search.TotalCount, Hits: []searchHit{}}
		for _, e := range d.Search.Edges {
			a.Hits = append(a.Hits, searchHit{ID: e.Node.ID, Name: e.Node.DisplayName, Score: round(e.Score)})
		}
		return canonical(a), nil
	case "Q3":
		var d struct {
			Neighbourhood struct {
				Truncated bool
				Nodes     []gqlEntity
				Edges     []struct{ ID string }
			}
		}
		if err := json.Unmarshal(data, &d); err != nil {
			return "", err
		}
		a := subgraphAnswer{Truncated: d.Neighbourhood.Truncated, Nodes: []string{}, Edges: []string{}}
		for _, n := range d.Neighbourhood.Nodes {
			a.Nodes = append(a.Nodes, n.ID)
		}
		for _, e := range d.Neighbourhood.Edges {
			a.Edges = append(a.Edges, e.ID)
		}
		slices.Sort(a.Nodes)
		slices.Sort(a.Edges)
		return canonical(a), nil
	case "Q4":
		var d struct{ ShortestPaths []struct{ Length int } }
		if err := json.Unmarshal(data, &d); err != nil {
			return "", err
		}
		a := pathAnswer{Length: -1}
		if len(d.ShortestPaths) > 0 {
			a.Length = d.ShortestPaths[0].Length
		}
		return canonical(a), nil
	case "Q5":
		var d struct {
			KeyPlayers []struct {
				Rank   int
				Score  float64
				Entity gqlEntity
			}
		}
		if err := json.Unmarshal(data, &d); err != nil {
			return "", err
		}
		a := []rankedAnswer{}
		for _, k := range d.KeyPlayers {
			a = append(a, rankedAnswer{Rank: k.Rank, ID: k.Entity.ID, Score: round(k.Score)})
		}
		return canonical(a), nil
	case "Q6":
		var d struct {
			CaseStatistics struct {
				Cells []struct {
					Key []struct{ Dimension, Value string }
					CasesRegistered, UnderInvestigation, ChargeSheeted, Convicted, Acquitted,
					PersonsArrested, VictimsIdentified, VictimsReferred *int
					Suppressed bool
				}
			}
		}
		if err := json.Unmarshal(data, &d); err != nil {
			return "", err
		}
		var cells []statCell
		for _, c := range d.CaseStatistics.Cells {
			var sc statCell
			for _, k := range c.Key {
				switch k.Dimension {
				case "YEAR":
					sc.Year = k.Value
				case "STAGE":
					sc.Stage = k.Value
				}
			}
			sc.Counts = [8]*int{c.CasesRegistered, c.UnderInvestigation, c.ChargeSheeted, c.Convicted, c.Acquitted,
				c.PersonsArrested, c.VictimsIdentified, c.VictimsReferred}
			sc.Suppressed = c.Suppressed
			cells = append(cells, sc)
		}
		return statsCanonical(cells), nil
	case "Q7":
		var d struct {
			CrossBorderFlows []struct {
				Origin, Destination struct{ Alpha3 string }
				Transit             []struct{ Alpha3 string }
				Routes              []struct{ ID string }
				Cases, Persons      int
				Crossings           []struct {
					From, To       struct{ ID string }
					Mode           *string
					Cases, Persons int
				}
			}
		}
		if err := json.Unmarshal(data, &d); err != nil {
			return "", err
		}
		flows := []flowAnswer{}
		for _, f := range d.CrossBorderFlows {
			fa := flowAnswer{Origin: f.Origin.Alpha3, Destination: f.Destination.Alpha3, Cases: f.Cases, Persons: f.Persons,
				Transit: []string{}, Routes: []string{}, Crossings: []crossingAnswer{}}
			for _, t := range f.Transit {
				fa.Transit = append(fa.Transit, t.Alpha3)
			}
			for _, r := range f.Routes {
				fa.Routes = append(fa.Routes, r.ID)
			}
			for _, c := range f.Crossings {
				ca := crossingAnswer{From: c.From.ID, To: c.To.ID, Cases: c.Cases, Persons: c.Persons}
				if c.Mode != nil {
					ca.Mode = *c.Mode
				}
				fa.Crossings = append(fa.Crossings, ca)
			}
			flows = append(flows, fa)
		}
		return flowsCanonical(flows), nil
	case "Q8":
		var d struct {
			Cases struct {
				TotalCount int
				PageInfo   struct{ HasNextPage bool }
				Nodes      []gqlCase
			}
		}
		if err := json.Unmarshal(data, &d); err != nil {
			return "", err
		}
		a := pageAnswer{Total: d.Cases.TotalCount, HasNextPage: d.Cases.PageInfo.HasNextPage, Cases: []caseAnswer{}}
		for _, c := range d.Cases.Nodes {
			a.Cases = append(a.Cases, c.answer(false))
		}
		return canonical(a), nil
	}
	return "", fmt.Errorf("unknown query %s", q)
}

// statsCanonical renders cells in key order (years, then stages as text: the order is Sarhad's
// concern, the content is compared).
func statsCanonical(cells []statCell) string {
	slices.SortFunc(cells, func(a, b statCell) int { return cmp.Or(cmp.Compare(a.Year, b.Year), cmp.Compare(a.Stage, b.Stage)) })
	type cell struct {
		Year       string `json:"year"`
		Stage      string `json:"stage"`
		Counts     []any  `json:"counts"`
		Suppressed bool   `json:"suppressed"`
	}
	out := []cell{}
	for _, c := range cells {
		cc := cell{Year: c.Year, Stage: c.Stage, Suppressed: c.Suppressed}
		for _, n := range c.Counts {
			if n == nil {
				cc.Counts = append(cc.Counts, nil)
			} else {
				cc.Counts = append(cc.Counts, *n)
			}
		}
		out = append(out, cc)
	}
	return canonical(out)
}

// flowsCanonical renders flows in their order with crossings sorted by their ends.
func flowsCanonical(flows []flowAnswer) string {
	for i := range flows {
		slices.SortFunc(flows[i].Crossings, func(a, b crossingAnswer) int {
			return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
		})
	}
	return canonical(flows)
}

// neo4jGraphQLAnswer reduces the data of a response to the @neo4j/graphql server's document of
// query q (bench/neo4jgraphql/queries.json) to the same answer as Sarhad's, for the questions whose
// documents select what the answer needs (Q1 and Q8); "" for the others.
func neo4jGraphQLAnswer(q string, data json.RawMessage) (string, error) {
	type party struct {
		Properties struct{ Role string }
		Node       struct {
			Typename    string `json:"__typename"`
			ID, Name    string
			Phones      []struct{ ID string }
			OwnedPhones []struct{ ID string }
		}
	}
	type kase struct {
		ID                string
		PartiesConnection struct{ Edges []party }
	}
	answer := func(c kase, phones bool) caseAnswer {
		a := caseAnswer{ID: c.ID, Parties: []partyAnswer{}}
		for _, e := range c.PartiesConnection.Edges {
			pa := partyAnswer{Role: e.Properties.Role, ID: e.Node.ID, Name: e.Node.Name}
			if phones && e.Node.Typename == "Person" {
				for _, ph := range append(e.Node.Phones, e.Node.OwnedPhones...) {
					if !slices.Contains(pa.Phones, ph.ID) {
						pa.Phones = append(pa.Phones, ph.ID)
					}
				}
			}
			a.Parties = append(a.Parties, pa)
		}
		a.normalise()
		return a
	}
	switch q {
	case "Q1":
		var d struct{ Cases []kase }
		if err := json.Unmarshal(data, &d); err != nil {
			return "", err
		}
		if len(d.Cases) == 0 {
			return canonical(nil), nil
		}
		return canonical(answer(d.Cases[0], true)), nil
	case "Q8":
		var d struct {
			CasesConnection struct {
				TotalCount int
				PageInfo   struct{ HasNextPage bool }
				Edges      []struct{ Node kase }
			}
		}
		if err := json.Unmarshal(data, &d); err != nil {
			return "", err
		}
		a := pageAnswer{Total: d.CasesConnection.TotalCount, HasNextPage: d.CasesConnection.PageInfo.HasNextPage, Cases: []caseAnswer{}}
		for _, e := range d.CasesConnection.Edges {
			a.Cases = append(a.Cases, answer(e.Node, false))
		}
		return canonical(a), nil
	}
	return "", nil
}
