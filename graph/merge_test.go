package graph_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/sarhad/sarhad"
)

// The duplicate tests record one man twice, under two transliterations of his name, and merge the
// two records through the API.

type dupFixture struct {
	keep, dup, other, victim, caseID, phone, source string
	partyRel, usesRel                               string
}

func newDupFixture(e *env) dupFixture {
	var f dupFixture
	ctx := sarhad.NewContext(context.Background(), investigator)
	src, err := e.svc.Create(ctx, &sarhad.Source{Title: "Statement of a witness", Category: sarhad.SourceStatement,
		Originator: "FIA", Reliability: sarhad.ReliabilityB, Credibility: sarhad.CredibilityProbablyTrue}, sarhad.WriteOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	f.source = src.EntityMeta().ID
	f.keep = e.create(&sarhad.Person{Name: "Muhammad Hussain Chaudhry", FatherName: "Ghulam Rasool", BirthDate: "1980-03-12",
		Gender: sarhad.GenderMale, Nationalities: []string{"PAK"}}, nil)
	dup, err := e.svc.Create(ctx, &sarhad.Person{Name: "Mohammed Husain Choudhry", FatherName: "Ghulam Rasool", BirthDate: "1980-03-12",
		Gender: sarhad.GenderMale, Nationalities: []string{"PAK"}}, sarhad.WriteOptions{SourceIDs: []string{f.source}})
	if err != nil {
		e.t.Fatal(err)
	}
	f.dup = dup.EntityMeta().ID
	// A namesake: same common name, different father and birth date.
	f.other = e.create(&sarhad.Person{Name: "Muhammad Hussain Chaudhry", FatherName: "Abdul Ghani", BirthDate: "1962-11-02",
		Gender: sarhad.GenderMale}, nil)
	f.victim = e.create(&sarhad.Person{Name: "Muhammad Hussain Chaudhry", FatherName: "Ghulam Rasool", BirthDate: "1980-03-12",
		Gender: sarhad.GenderMale, Victim: &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult}},
		&sarhad.Handling{TLP: sarhad.TLPAmberStrict})
	f.caseID = e.create(&sarhad.Case{Reference: "FIR 7/2023 AHTC Lahore", Agency: "FIA AHTC Lahore", Country: "PAK",
		Offences: []sarhad.Offence{sarhad.OffenceSmuggling}, Stage: sarhad.StageRegistered, RegisteredOn: "2023-02-01"}, nil)
	f.phone = e.create(&sarhad.Phone{Number: "0300 1234567"}, nil)
	f.partyRel = e.link(sarhad.RelPartyTo, f.dup, f.caseID, sarhad.RelationProps{Role: string(sarhad.PartyAccused)})
	f.usesRel = e.link(sarhad.RelUses, f.dup, f.phone, sarhad.RelationProps{})
	e.link(sarhad.RelAssociateOf, f.keep, f.dup, sarhad.RelationProps{Note: "seen together"})
	return f
}

type candidatesOut struct {
	DuplicateCandidates struct {
		TotalCount int
		Nodes      []struct {
			A, B    struct{ ID string }
			Score   float64
			Reasons []struct {
				Code   string
				Weight float64
			}
		}
	}
}

func (e *env) candidates(v *sarhad.Viewer) candidatesOut {
	var out candidatesOut
	e.mustDo(v, `{ duplicateCandidates(kind: PERSON) { totalCount nodes { a { id } b { id } score reasons { code weight } } } }`, nil, &out)
	return out
}

func pairIDs(out candidatesOut) [][2]string {
	var pairs [][2]string
	for _, n := range out.DuplicateCandidates.Nodes {
		pairs = append(pairs, [2]string{n.A.ID, n.B.ID})
	}
	return pairs
}

func ordered(a, b string) [2]string {
	if a > b {
		a, b = b, a
	}
	return [2]string{a, b}
}

type relsOut struct {
	Node struct {
		ID            string
		Sources       []struct{ ID string }
		Relationships []struct {
			ID, Type string
			From, To struct{ ID string }
		}
	}
}

func (e *env) relsOf(id string) relsOut {
	var out relsOut
	e.mustDo(investigator, `query($id: ID!) { node(id: $id) { id ... on Entity { sources { id }
		relationships(first: 100) { id type from { id } to { id } } } } }`, map[string]any{"id": id}, &out)
	return out
}

func TestDuplicateCandidatesFindTransliteratedRecords(t *testing.T) {
	e := newEnv(t)
	f := newDupFixture(e)
	out := e.candidates(investigator)
	pairs := pairIDs(out)
	if !slices.Contains(pairs, ordered(f.keep, f.dup)) {
		t.Fatalf("the two transliterations are not a candidate pair: %+v", out)
	}
	if slices.Contains(pairs, ordered(f.keep, f.other)) || slices.Contains(pairs, ordered(f.dup, f.other)) {
		t.Errorf("a namesake with another father and birth date was proposed: %+v", pairs)
	}
	for _, n := range out.DuplicateCandidates.Nodes {
		if ordered(n.A.ID, n.B.ID) != ordered(f.keep, f.dup) {
			continue
		}
		var codes []string
		for _, r := range n.Reasons {
			codes = append(codes, r.Code)
		}
		for _, want := range []string{"NAME", "FATHER_NAME", "BIRTH_DATE"} {
			if !slices.Contains(codes, want) {
				t.Errorf("reasons %v lack %s", codes, want)
			}
		}
		if n.Score < sarhad.DefaultDuplicateScore || n.Score > 1 {
			t.Errorf("score %v", n.Score)
		}
	}
	// The victim is visible to the investigator's colleagues only under a pseudonym: an analyst
	// without the clearance never gets it proposed by name.
	for _, p := range pairIDs(e.candidates(analyst)) {
		if p[0] == f.victim || p[1] == f.victim {
			t.Errorf("a victim seen under a pseudonym was paired by name: %v", p)
		}
	}
	if r := e.do(auditor, `{ duplicateCandidates(kind: PERSON) { totalCount } }`, nil, nil); r.code() != sarhad.EFORBIDDEN {
		t.Errorf("auditor: %+v", r.Errors)
	}
	if r := e.do(investigator, `{ duplicateCandidates(kind: PERSON, minScore: 1.5) { totalCount } }`, nil, nil); r.code() != sarhad.EINVALID {
		t.Errorf("minScore 1.5: %+v", r.Errors)
	}
	// Paging walks the same ordered list.
	var page struct {
		DuplicateCandidates struct {
			Edges    []struct{ Cursor string }
			PageInfo struct{ HasNextPage bool }
		}
	}
	e.mustDo(investigator, `{ duplicateCandidates(kind: PERSON, minScore: 0, first: 1) { edges { cursor } pageInfo { hasNextPage } } }`, nil, &page)
	var all candidatesOut
	e.mustDo(investigator, `{ duplicateCandidates(kind: PERSON, minScore: 0) { totalCount nodes { a { id } b { id } } } }`, nil, &all)
	var next candidatesOut
	e.mustDo(investigator, `query($after: String) { duplicateCandidates(kind: PERSON, minScore: 0, first: 1, after: $after) { totalCount nodes { a { id } b { id } } } }`,
		map[string]any{"after": page.DuplicateCandidates.Edges[0].Cursor}, &next)
	if all.DuplicateCandidates.TotalCount < 2 || !page.DuplicateCandidates.PageInfo.HasNextPage ||
		pairIDs(next)[0] != pairIDs(all)[1] {
		t.Errorf("second page %v, want the second of %v", pairIDs(next), pairIDs(all))
	}
}

func TestMergeMovesEverythingAndUnmergeRestoresIt(t *testing.T) {
	e := newEnv(t)
	f := newDupFixture(e)
	before := map[string]relsOut{f.keep: e.relsOf(f.keep), f.dup: e.relsOf(f.dup)}

	var merged struct {
		MergeEntities struct {
			Moved  int
			Kept   struct{ ID string }
			SameAs struct {
				Type      string
				From, To  struct{ ID string }
				CreatedBy string
			}
		}
	}
	e.mustDo(investigator, `mutation($k: ID!, $m: ID!) { mergeEntities(input: {keep: $k, merge: $m}) { moved kept { id }
		sameAs { type from { id } to { id } createdBy } } }`, map[string]any{"k": f.keep, "m": f.dup}, &merged)
	m := merged.MergeEntities
	if m.Moved != 2 || m.Kept.ID != f.keep || m.SameAs.Type != "SAME_AS" || m.SameAs.From.ID != f.dup || m.SameAs.To.ID != f.keep ||
		m.SameAs.CreatedBy != investigator.Subject {
		t.Fatalf("merge answered %+v", m)
	}
	kept := e.relsOf(f.keep)
	has := func(r relsOut, typ, other string) bool {
		return slices.ContainsFunc(r.Node.Relationships, func(x struct {
			ID, Type string
			From, To struct{ ID string }
		}) bool {
			return x.Type == typ && (x.From.ID == other || x.To.ID == other)
		})
	}
	if !has(kept, "PARTY_TO", f.caseID) || !has(kept, "USES", f.phone) || !has(kept, "SAME_AS", f.dup) {
		t.Errorf("kept record after the merge: %+v", kept.Node.Relationships)
	}
	if !slices.ContainsFunc(kept.Node.Sources, func(s struct{ ID string }) bool { return s.ID == f.source }) {
		t.Errorf("the merged record's source did not move: %+v", kept.Node.Sources)
	}
	dup := e.relsOf(f.dup)
	if has(dup, "PARTY_TO", f.caseID) || has(dup, "USES", f.phone) || !has(dup, "ASSOCIATE_OF", f.keep) {
		t.Errorf("merged record after the merge: %+v", dup.Node.Relationships)
	}
	if slices.Contains(pairIDs(e.candidates(investigator)), ordered(f.keep, f.dup)) {
		t.Error("a merged pair is still proposed")
	}
	if r := e.do(investigator, `mutation($k: ID!, $m: ID!) { mergeEntities(input: {keep: $k, merge: $m}) { moved } }`,
		map[string]any{"k": f.keep, "m": f.dup}, nil); r.code() != sarhad.ECONFLICT {
		t.Errorf("second merge: %+v", r.Errors)
	}

	var unmerged struct{ UnmergeEntities struct{ Moved int } }
	e.mustDo(investigator, `mutation($k: ID!, $m: ID!) { unmergeEntities(input: {keep: $k, merge: $m}) { moved } }`,
		map[string]any{"k": f.keep, "m": f.dup}, &unmerged)
	if unmerged.UnmergeEntities.Moved != 2 {
		t.Errorf("unmerge moved %d back", unmerged.UnmergeEntities.Moved)
	}
	for id, want := range before {
		if got := e.relsOf(id); !equalJSON(t, got, want) {
			t.Errorf("%s after unmerge:\n got %+v\nwant %+v", id, got, want)
		}
	}
	if !slices.Contains(pairIDs(e.candidates(investigator)), ordered(f.keep, f.dup)) {
		t.Error("the unmerged pair is no longer proposed")
	}
	if r := e.do(investigator, `mutation($k: ID!, $m: ID!) { unmergeEntities(input: {keep: $k, merge: $m}) { moved } }`,
		map[string]any{"k": f.keep, "m": f.dup}, nil); r.code() != sarhad.ENOTFOUND {
		t.Errorf("second unmerge: %+v", r.Errors)
	}
}

func TestMergeIsRefusedWhereItWouldOverreach(t *testing.T) {
	e := newEnv(t)
	f := newDupFixture(e)
	merge := `mutation($k: ID!, $m: ID!) { mergeEntities(input: {keep: $k, merge: $m}) { moved } }`
	for _, c := range []struct {
		name string
		v    *sarhad.Viewer
		k, m string
		code string
	}{
		{"analysts only read", analyst, f.keep, f.dup, sarhad.EFORBIDDEN},
		{"another organisation's records", &sarhad.Viewer{Subject: "q", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: "PAK",
			Org: "FIA-AHTC-QTA"}, f.keep, f.dup, sarhad.ENOTFOUND},
		{"different kinds", investigator, f.keep, f.phone, sarhad.EINVALID},
		{"a record with itself", investigator, f.keep, f.keep, sarhad.EINVALID},
		{"a victim seen under a pseudonym", &sarhad.Viewer{Subject: "i2", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: "PAK",
			Org: investigator.Org}, f.keep, f.victim, sarhad.EFORBIDDEN},
	} {
		if r := e.do(c.v, merge, map[string]any{"k": c.k, "m": c.m}, nil); r.code() != c.code {
			t.Errorf("%s: got %+v, want %s", c.name, r.Errors, c.code)
		}
	}
	// Nothing moved.
	if got := e.relsOf(f.dup); len(got.Node.Relationships) != 3 {
		t.Errorf("refused merges changed the record: %+v", got.Node.Relationships)
	}
}

// equalJSON compares two values by their JSON encoding.
func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(ja) == string(jb)
}
