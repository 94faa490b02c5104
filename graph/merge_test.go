package graph_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
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

// A victim's record merges only into another victim's: moved onto a record that is not a victim's,
// the victim's phone would reach every viewer the victim-identifier rule keeps it from.
func TestMergeKeepsVictimsProtected(t *testing.T) {
	e := newEnv(t)
	pii := &sarhad.Viewer{Subject: "inv-pii", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: "PAK", Org: investigator.Org,
		Clearances: []string{sarhad.ClearanceVictimPII}}
	ctx := sarhad.NewContext(context.Background(), pii)
	released := &sarhad.Handling{TLP: sarhad.TLPGreen, ReleasableTo: []string{"IRN"}}
	victim := e.create(&sarhad.Person{Name: "Shazia Bibi", Victim: &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult}}, released)
	person := e.create(&sarhad.Person{Name: "Shazia Bibi"}, released)
	phone := e.create(&sarhad.Phone{Number: "+923001234567"}, released)
	if _, err := e.svc.Link(ctx, &sarhad.Relationship{Type: sarhad.RelUses, From: victim, To: phone}, sarhad.WriteOptions{Handling: released}); err != nil {
		t.Fatal(err)
	}
	irn := sarhad.NewContext(context.Background(), iranOfficer)
	hidden := func() bool {
		got, err := e.store.Entities(irn, []string{phone})
		if err != nil {
			t.Fatal(err)
		}
		return got[0] == nil
	}
	if !hidden() {
		t.Fatal("the victim's phone is visible to the Iranian officer before any merge")
	}
	_, err := e.svc.Merge(ctx, person, victim)
	if sarhad.ErrorCode(err) != sarhad.EFORBIDDEN {
		t.Fatalf("merging a victim into a record that is not a victim's: got %v, want FORBIDDEN", err)
	}
	if !hidden() {
		t.Error("the refused merge released the victim's phone")
	}
	// The other way round, the merged record would stay under its name, tied by SAME_AS to the
	// victim's pseudonym: it must be recorded as a victim first.
	_, err = e.svc.Merge(ctx, victim, person)
	if sarhad.ErrorCode(err) != sarhad.EINVALID {
		t.Fatalf("merging a record that is not a victim's into a victim's: got %v, want BAD_USER_INPUT", err)
	}
	if _, err := e.svc.Update(ctx, person, &sarhad.Person{Name: "Shazia Bibi", Victim: &sarhad.VictimDetails{}}, sarhad.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if res, err := e.svc.Merge(ctx, victim, person); err != nil || res.Moved != 0 {
		t.Fatalf("merging into the victim's record: %v %+v", err, res)
	}
	if !hidden() {
		t.Error("the victim's phone is visible after the merge into the victim's record")
	}
	// Both ends of the SAME_AS are under pseudonyms for the Iranian officer.
	samePseudonyms(t, e, victim, person)
}

// samePseudonyms checks that the Iranian officer sees one SAME_AS of record id, tied to other, and
// reads both, at its ends and in id's own name, under their pseudonyms.
func samePseudonyms(t *testing.T, e *env, id, other string) {
	t.Helper()
	var got struct {
		Node struct {
			Name          string
			Relationships []struct {
				From struct{ Name string }
				To   struct{ Name string }
			}
		}
	}
	e.mustDo(iranOfficer, `query($id: ID!) { node(id: $id) { ... on Person { name relationships(types: [SAME_AS]) {
		from { ... on Person { name } } to { ... on Person { name } } } } } }`, map[string]any{"id": id}, &got)
	if rels := got.Node.Relationships; len(rels) != 1 {
		t.Fatalf("the Iranian officer sees %d SAME_AS of %s, want 1", len(rels), id)
	}
	for _, name := range []string{got.Node.Name, got.Node.Relationships[0].From.Name, got.Node.Relationships[0].To.Name} {
		if name != sarhad.Pseudonym(id) && name != sarhad.Pseudonym(other) {
			t.Errorf("the Iranian officer reads %q at an end of the victim's SAME_AS", name)
		}
	}
}

// An unmerge that could not move back every moved relationship would leave the rest on the kept
// record for good, with the SAME_AS that recorded where they came from gone: it is refused.
func TestUnmergeIsRefusedWhereItWouldLoseRelationships(t *testing.T) {
	clear := &sarhad.Handling{TLP: sarhad.TLPClear}
	sys := sarhad.NewContext(context.Background(), sarhad.SystemViewer())
	// onRecord lists the relationships of type typ on id, as the store holds them.
	onRecord := func(t *testing.T, e *env, id string, typ sarhad.RelationType) []*sarhad.Relationship {
		t.Helper()
		rels, err := e.store.Relationships(sys, sarhad.RelationshipQuery{Anchors: []string{id}, Direction: sarhad.DirBoth, Types: []sarhad.RelationType{typ}})
		if err != nil {
			t.Fatal(err)
		}
		return rels
	}

	t.Run("a moved relationship the viewer cannot see", func(t *testing.T) {
		e := newEnv(t)
		adminANF := &sarhad.Viewer{Subject: "adm-anf", Roles: []sarhad.Role{sarhad.RoleAdmin}, Country: "PAK", Org: "ANF-PAK"}
		adminFIA := &sarhad.Viewer{Subject: "adm-fia", Roles: []sarhad.Role{sarhad.RoleAdmin}, Country: "PAK", Org: investigator.Org}
		anf, fia := sarhad.NewContext(context.Background(), adminANF), sarhad.NewContext(context.Background(), adminFIA)
		keep := e.create(&sarhad.Person{Name: "Muhammad Hussain Chaudhry"}, clear)
		merge := e.create(&sarhad.Person{Name: "Mohammed Husain Choudhry"}, clear)
		other := e.create(&sarhad.Person{Name: "Asif Iqbal"}, clear)
		red, err := e.svc.Link(anf, &sarhad.Relationship{Type: sarhad.RelAssociateOf, From: merge, To: other},
			sarhad.WriteOptions{Handling: &sarhad.Handling{TLP: sarhad.TLPRed}})
		if err != nil {
			t.Fatal(err)
		}
		if res, err := e.svc.Merge(anf, keep, merge); err != nil || res.Moved != 1 {
			t.Fatalf("merge: %v %+v", err, res)
		}
		if _, err := e.svc.Unmerge(fia, keep, merge); sarhad.ErrorCode(err) != sarhad.EFORBIDDEN {
			t.Fatalf("unmerge by an administrator who cannot see the moved relationship: got %v, want FORBIDDEN", err)
		}
		if got := onRecord(t, e, keep, sarhad.RelAssociateOf); len(got) != 1 {
			t.Fatalf("after the refused unmerge the kept record has %d associations, want the moved one", len(got))
		}
		// Whoever can see it may still undo the merge, and the relationship goes back.
		if res, err := e.svc.Unmerge(anf, keep, merge); err != nil || res.Moved != 1 {
			t.Fatalf("unmerge by the organisation that recorded the relationship: %v %+v", err, res)
		}
		if got := onRecord(t, e, merge, sarhad.RelAssociateOf); len(got) != 1 || got[0].ID != red.ID {
			t.Errorf("after the unmerge the merged record has %+v, want %s back", got, red.ID)
		}
	})

	t.Run("a moved relationship hidden since the merge", func(t *testing.T) {
		e := newEnv(t)
		ctx := sarhad.NewContext(context.Background(), investigator)
		keep := e.create(&sarhad.Person{Name: "Muhammad Hussain Chaudhry"}, clear)
		merge := e.create(&sarhad.Person{Name: "Mohammed Husain Choudhry"}, clear)
		phone := e.create(&sarhad.Phone{Number: "+923001234567"}, clear)
		e.linkWith(clear, sarhad.RelUses, merge, phone, sarhad.RelationProps{})
		if res, err := e.svc.Merge(ctx, keep, merge); err != nil || res.Moved != 1 {
			t.Fatalf("merge: %v %+v", err, res)
		}
		// A victim recorded since, by another agency, as using the phone hides it from the investigator.
		qta := sarhad.NewContext(context.Background(), &sarhad.Viewer{Subject: "qta", Roles: []sarhad.Role{sarhad.RoleInvestigator},
			Country: "PAK", Org: "FIA-AHTC-QTA", Clearances: []string{sarhad.ClearanceVictimPII}})
		victim, err := e.svc.Create(qta, &sarhad.Person{Name: "Shazia Bibi", Victim: &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult}},
			sarhad.WriteOptions{Handling: clear})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Link(qta, &sarhad.Relationship{Type: sarhad.RelUses, From: victim.EntityMeta().ID, To: phone},
			sarhad.WriteOptions{Handling: clear}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Unmerge(ctx, keep, merge); sarhad.ErrorCode(err) != sarhad.EFORBIDDEN {
			t.Fatalf("unmerge: got %v, want FORBIDDEN", err)
		}
		if got := onRecord(t, e, keep, sarhad.RelUses); len(got) != 1 {
			t.Errorf("after the refused unmerge the kept record uses %d phones, want 1", len(got))
		}
	})

	t.Run("a later merge of the kept record", func(t *testing.T) {
		e := newEnv(t)
		ctx := sarhad.NewContext(context.Background(), investigator)
		first := e.create(&sarhad.Person{Name: "Muhammad Hussain Chaudhry"}, clear)
		second := e.create(&sarhad.Person{Name: "Mohammed Husain Choudhry"}, clear)
		third := e.create(&sarhad.Person{Name: "Mohd Hussain Chaudhary"}, clear)
		phone := e.create(&sarhad.Phone{Number: "+923001234567"}, clear)
		e.linkWith(clear, sarhad.RelUses, first, phone, sarhad.RelationProps{})
		for _, m := range [][2]string{{second, first}, {third, second}} { // first into second, then second into third
			if _, err := e.svc.Merge(ctx, m[0], m[1]); err != nil {
				t.Fatalf("merge %s into %s: %v", m[1], m[0], err)
			}
		}
		if _, err := e.svc.Unmerge(ctx, second, first); sarhad.ErrorCode(err) != sarhad.ECONFLICT {
			t.Fatalf("undoing the first merge before the second: got %v, want CONFLICT", err)
		}
		// In the reverse order both merges come undone and the phone is back with the first record.
		for _, m := range [][2]string{{third, second}, {second, first}} {
			if _, err := e.svc.Unmerge(ctx, m[0], m[1]); err != nil {
				t.Fatalf("unmerge %s from %s: %v", m[1], m[0], err)
			}
		}
		if got := onRecord(t, e, first, sarhad.RelUses); len(got) != 1 {
			t.Errorf("after both unmerges the first record uses %d phones, want 1", len(got))
		}
		if got := onRecord(t, e, third, sarhad.RelUses); len(got) != 0 {
			t.Errorf("after both unmerges the third record uses %d phones, want none", len(got))
		}
	})
}

// A merge already made by another organisation, whose SAME_AS the viewer may not see, is reported
// as a merge already made, not as an error naming the hidden relationship.
func TestMergeMadeByAnotherOrganisation(t *testing.T) {
	e := newEnv(t)
	afg := sarhad.NewContext(context.Background(), &sarhad.Viewer{Subject: "afg-adm", Roles: []sarhad.Role{sarhad.RoleAdmin}, Country: "AFG", Org: "AFG-POLICE"})
	keep := e.create(&sarhad.Person{Name: "Muhammad Hussain Chaudhry"}, &sarhad.Handling{TLP: sarhad.TLPClear})
	merge := e.create(&sarhad.Person{Name: "Mohammed Husain Choudhry"}, &sarhad.Handling{TLP: sarhad.TLPAmber, ReleasableTo: []string{"AFG"}})
	if _, err := e.svc.Merge(afg, keep, merge); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Merge(sarhad.NewContext(context.Background(), investigator), keep, merge)
	if sarhad.ErrorCode(err) != sarhad.ECONFLICT || strings.Contains(err.Error(), "rel_") {
		t.Errorf("merging again: %v, want CONFLICT naming no relationship", err)
	}
}

// TestRecordingAVictimProtectsItsOtherRecords: two records merged while neither was a victim's;
// one is then recorded as a victim. The other record, tied to it by SAME_AS, is the same person
// under a name: it is recorded as a victim in the same request, so a partner's officer sees
// pseudonyms at both ends.
func TestRecordingAVictimProtectsItsOtherRecords(t *testing.T) {
	e := newEnv(t)
	pii := &sarhad.Viewer{Subject: "inv-pii", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: "PAK", Org: investigator.Org,
		Clearances: []string{sarhad.ClearanceVictimPII}}
	ctx := sarhad.NewContext(context.Background(), pii)
	released := &sarhad.Handling{TLP: sarhad.TLPGreen, ReleasableTo: []string{"IRN"}}
	keep := e.create(&sarhad.Person{Name: "Shazia Bibi"}, released)
	merged := e.create(&sarhad.Person{Name: "Shazia Parveen"}, released)
	if _, err := e.svc.Merge(ctx, keep, merged); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Update(ctx, keep, &sarhad.Person{Name: "Shazia Bibi", Victim: &sarhad.VictimDetails{}}, sarhad.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	samePseudonyms(t, e, merged, keep)
	var log auditList
	e.mustDo(auditor, auditQuery, map[string]any{"f": map[string]any{"operationName": sarhad.RecordNamedVictimsOperation}}, &log)
	if len(log.AuditLog.Nodes) != 2 || !slices.Equal(log.AuditLog.Nodes[0].SensitiveRecordIds, []string{merged}) {
		t.Fatalf("audit entries %+v; want STARTED and OK listing %s", log.AuditLog.Nodes, merged)
	}
	for _, n := range log.AuditLog.Nodes {
		if n.Variables != `{"requestedBy":"inv-pii"}` {
			t.Errorf("the entry's variables are %s; want them to name inv-pii, whose update it follows", n.Variables)
		}
	}
}

// A partner's liaison officer, who may read an FIA suspect's record but not edit it, ties a
// throw-away record of their own to it by SAME_AS, to have it recorded as a victim's (and its name
// and phone hidden from the FIA) when they record their own as a victim: the link is refused, as
// a merge of records the viewer may not edit is, and the suspect's record stays as it was.
func TestSameAsNeedsAWriterWhoMayEditBothRecords(t *testing.T) {
	e := newEnv(t)
	released := &sarhad.Handling{TLP: sarhad.TLPGreen, ReleasableTo: []string{"IRN"}}
	suspect := e.create(&sarhad.Person{Name: "Rehman Yousaf"}, released)
	phone := e.create(&sarhad.Phone{Number: "+923001234567"}, released)
	e.link(sarhad.RelUses, suspect, phone, sarhad.RelationProps{})

	irn := sarhad.NewContext(context.Background(), iranOfficer)
	own, err := e.svc.Create(irn, &sarhad.Person{Name: "Throwaway"}, sarhad.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ownID := own.EntityMeta().ID
	if r := e.do(iranOfficer, `mutation($from: ID!, $to: ID!) { link(input: {type: SAME_AS, from: $from, to: $to}) { relationship { id } } }`,
		map[string]any{"from": ownID, "to": suspect}, nil); r.code() != sarhad.EFORBIDDEN {
		t.Fatalf("the officer's SAME_AS: %+v, want FORBIDDEN", r.Errors)
	}
	if _, err := e.svc.Update(irn, ownID, &sarhad.Person{Name: "Throwaway", Victim: &sarhad.VictimDetails{}}, sarhad.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Node struct {
			Name        string
			Identifiers []struct{ ID string }
		}
	}
	e.mustDo(investigator, `query($id: ID!) { node(id: $id) { ... on Person { name identifiers { id } } } }`,
		map[string]any{"id": suspect}, &out)
	if out.Node.Name != "Rehman Yousaf" || len(out.Node.Identifiers) != 1 {
		t.Errorf("the FIA investigator reads the suspect as %q with %d identifiers; want %q with the phone",
			out.Node.Name, len(out.Node.Identifiers), "Rehman Yousaf")
	}
}
