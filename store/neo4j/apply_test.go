package neo4j_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/store/sqlite"
	"github.com/sarhad/sarhad/store/storetest"
)

// TestContractTables runs the contract suite with every write batch sent as a table (the bulk
// encoding Apply uses for large batches), so that the suite's small change sets go through it too.
func TestContractTables(t *testing.T) {
	needNeo4j(t)
	defer withTables()()
	storetest.Run(t, func(t *testing.T) sarhad.Store {
		emptyDatabase(t)
		return open(t)
	})
}

// TestRetryTables runs the retry tests with tables.
func TestRetryTables(t *testing.T) {
	needNeo4j(t)
	defer withTables()()
	t.Run("Reapplied", TestRetryReappliedWriteIsNotAppliedTwice)
	t.Run("Concurrent", TestRetryConcurrentWritesApplyOnce)
}

// TestApplyMatchesSQLite applies the same random change sets — new, changed, unchanged and
// conflicting records, links of every kind of mistake, unlinks, relinks under another type, as
// viewers who may and may not see or edit the records — to this store and to the embedded one, and
// checks that both answer the same (result or error code) and hold the same records after each.
func TestApplyMatchesSQLite(t *testing.T) {
	needNeo4j(t)
	emptyDatabase(t)
	ns := open(t)
	defer ns.Close()
	restore := withTables()
	nsTables := open(t) // the same database, every batch sent as a table
	restore()
	defer nsTables.Close()
	ls, err := sqlite.Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer ls.Close()
	g := newChangeGen(rand.New(rand.NewPCG(7, 11)))
	rounds := 150
	if testing.Short() {
		rounds = 30
	}
	outcomes := map[string]int{}
	for round := range rounds {
		tables := round%2 == 1
		v, cs := g.changeSet(round)
		ctx := sarhad.NewContext(t.Context(), v)
		want, wantErr := ls.Apply(ctx, cs)
		apply := ns.Apply
		if tables {
			apply = nsTables.Apply
		}
		got, gotErr := apply(ctx, cs)
		label := fmt.Sprintf("round %d (viewer %s, tables %v, %d puts, %d links, %d unlinks)", round, v.Subject, tables,
			len(cs.Put), len(cs.Link), len(cs.Unlink))
		if sarhad.ErrorCode(gotErr) != sarhad.ErrorCode(wantErr) || (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("%s: neo4j %v, sqlite %v", label, gotErr, wantErr)
		}
		if gotErr == nil && *got != *want {
			t.Fatalf("%s: neo4j %+v, sqlite %+v", label, *got, *want)
		}
		if wantErr != nil {
			outcomes[string(sarhad.ErrorCode(wantErr))]++
			if testing.Verbose() {
				t.Logf("%s: %v", label, wantErr)
			}
		} else {
			outcomes["ok"]++
		}
		sys := sarhad.NewContext(t.Context(), sarhad.SystemViewer())
		if a, b := g.state(t, sys, ns), g.state(t, sys, ls); a != b {
			t.Fatalf("%s: the stores differ after the change set:\nneo4j:  %s\nsqlite: %s", label, a, b)
		}
	}
	t.Logf("outcomes: %v", outcomes)
	if outcomes["ok"] < rounds/4 {
		t.Errorf("only %d of %d change sets applied: the generator should make more valid ones", outcomes["ok"], rounds)
	}
}

// changeGen makes change sets over a small pool of ids, so that they meet existing records.
type changeGen struct {
	rnd      *rand.Rand
	entities []sarhad.EntityKind // the kind of entity i
	handling []sarhad.Handling
	viewers  []*sarhad.Viewer
	at       time.Time
}

func newChangeGen(rnd *rand.Rand) *changeGen {
	g := &changeGen{rnd: rnd, at: time.Date(2025, time.May, 2, 10, 0, 0, 0, time.UTC)}
	for i := range 24 {
		k := []sarhad.EntityKind{sarhad.KindPerson, sarhad.KindPerson, sarhad.KindOrganization, sarhad.KindPhone}[i%4]
		g.entities = append(g.entities, k)
	}
	g.handling = []sarhad.Handling{
		{OriginatorOrg: "FIA", OriginatorCountry: "PAK", TLP: sarhad.TLPAmber, ReleasableTo: []string{"IRN"}},
		{OriginatorOrg: "FIA", OriginatorCountry: "PAK", TLP: sarhad.TLPRed},
		{OriginatorOrg: "IRN-POLICE", OriginatorCountry: "IRN", TLP: sarhad.TLPGreen, ReleasableTo: []string{"PAK"}},
		{OriginatorOrg: "HELLENIC-POLICE", OriginatorCountry: "GRC", TLP: sarhad.TLPAmber},
		{OriginatorOrg: "SARHAD", OriginatorCountry: "PAK", TLP: sarhad.TLPClear},
	}
	g.viewers = []*sarhad.Viewer{
		sarhad.SystemViewer(),
		sarhad.SystemViewer(),
		sarhad.SystemViewer(),
		sarhad.SystemViewer(),
		{Subject: "fia-investigator", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: "PAK", Org: "FIA"},
		{Subject: "fia-victim-officer", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: "PAK", Org: "FIA",
			Clearances: []string{sarhad.ClearanceVictimPII}},
		{Subject: "irn-investigator", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: "IRN", Org: "IRN-POLICE"},
	}
	return g
}

func (g *changeGen) entityID(i int) string {
	return sarhad.StableID(g.entities[i], fmt.Sprint("diff entity ", i))
}

func (g *changeGen) relID(i int) string { return sarhad.StableID("", fmt.Sprint("diff rel ", i)) }

const diffRels = 40

func (g *changeGen) pick(n int) int { return g.rnd.IntN(n) }

func (g *changeGen) chance(p float64) bool { return g.rnd.Float64() < p }

// entity returns a version of entity i: its kind's fields vary a little, so that puts are new,
// changed or unchanged.
func (g *changeGen) entity(i int) sarhad.Entity {
	h := g.handling[g.pick(len(g.handling))]
	if g.chance(0.6) {
		h = g.handling[i%len(g.handling)] // mostly the same marking, so that puts are often unchanged
	}
	m := sarhad.Meta{ID: g.entityID(i), Kind: g.entities[i], CreatedAt: g.at, CreatedBy: "gen", UpdatedAt: g.at,
		UpdatedBy: "gen", Handling: h, SourceIDs: []string{sarhad.StableID(sarhad.KindSource, "diff")}, SourceKey: fmt.Sprint("k", i)}
	version := g.pick(2)
	switch m.Kind {
	case sarhad.KindPerson:
		p := &sarhad.Person{Meta: m, Name: fmt.Sprintf("Diff Person %d v%d", i, version), Gender: sarhad.GenderMale,
			Nationalities: []string{"PAK"}}
		if i%8 == 1 {
			p.Victim = &sarhad.VictimDetails{AgeGroup: sarhad.AgeGroupAdult, Vulnerabilities: []string{"debt"}}
		}
		return p
	case sarhad.KindOrganization:
		return &sarhad.Organization{Meta: m, Name: fmt.Sprintf("Diff Org %d v%d", i, version), Category: sarhad.OrgCriminalNetwork}
	default:
		return &sarhad.Phone{Meta: m, Number: fmt.Sprintf("+9230012%05d", i*10+version)}
	}
}

func (g *changeGen) fits(from, to sarhad.EntityKind) bool {
	return g.fit(0, from, to).Joins(from, to)
}

// fit returns the k-th type (modulo) that may join the kinds, or ASSOCIATE_OF, which joins
// persons only, when none may.
func (g *changeGen) fit(k int, from, to sarhad.EntityKind) sarhad.RelationType {
	var fits []sarhad.RelationType
	for _, t := range []sarhad.RelationType{sarhad.RelAssociateOf, sarhad.RelFamilyOf, sarhad.RelMemberOf, sarhad.RelLeads,
		sarhad.RelUses, sarhad.RelOwns, sarhad.RelPaid, sarhad.RelSameAs} {
		if t.Joins(from, to) {
			fits = append(fits, t)
		}
	}
	if len(fits) == 0 {
		return sarhad.RelAssociateOf
	}
	return fits[k%len(fits)]
}

func (g *changeGen) changeSet(round int) (*sarhad.Viewer, *sarhad.ChangeSet) {
	v := g.viewers[g.pick(len(g.viewers))]
	cs := &sarhad.ChangeSet{}
	n := 1 + g.pick(4)
	noise := 1.0 // how often the generator makes a mistake on purpose
	if round%5 == 0 {
		n = 60 + g.pick(80) // large enough for tables at the default threshold, and mostly valid
		noise = 0.05
	}
	put := map[int]bool{}
	for range n {
		switch r := g.rnd.Float64(); {
		case r < 0.4:
			i := g.pick(len(g.entities))
			e := g.entity(i)
			switch {
			case g.chance(0.02 * noise): // another kind under this id
				other := &sarhad.Organization{Meta: *e.EntityMeta(), Name: "Impostor", Category: sarhad.OrgOther}
				other.Kind = sarhad.KindOrganization
				if g.entities[i] == sarhad.KindOrganization {
					other.Kind = sarhad.KindPerson
				}
				cs.Put = append(cs.Put, other)
			case g.chance(0.01 * noise):
				e.EntityMeta().Redacted = true
				cs.Put = append(cs.Put, e)
			default:
				cs.Put = append(cs.Put, e)
			}
			put[i] = true
		case r < 0.93:
			// Each id mostly joins the same ends with the same type, so that links are often unchanged
			// or changed rather than conflicting.
			k := g.pick(diffRels)
			from, to := (k*7)%len(g.entities), (k*5+1)%len(g.entities)
			for j := 1; !g.fits(g.entities[from], g.entities[to]); j++ {
				to = (k*5 + 1 + j) % len(g.entities)
			}
			typ := g.fit(k, g.entities[from], g.entities[to])
			if g.chance(0.04 * noise) {
				from, to = g.pick(len(g.entities)), g.pick(len(g.entities))
				typ = g.fit(g.pick(8), g.entities[from], g.entities[to])
			}
			id := g.relID(k)
			if g.chance(0.01 * noise) {
				id = "rel_not-an-id"
			}
			h := g.handling[g.pick(len(g.handling))]
			if g.chance(0.7) {
				h = g.handling[k%2]
			}
			rel := &sarhad.Relationship{Meta: sarhad.Meta{ID: id, CreatedAt: g.at, CreatedBy: "gen", UpdatedAt: g.at,
				UpdatedBy: "gen", Handling: h}, Type: typ,
				From: g.entityID(from), To: g.entityID(to),
				RelationProps: sarhad.RelationProps{Role: []string{"", "member", "cousin"}[g.pick(3)], Weight: float64(g.pick(3)) / 2}}
			if g.chance(0.02 * noise) {
				rel.To = sarhad.StableID(sarhad.KindPerson, "diff missing")
			}
			cs.Link = append(cs.Link, rel)
		default:
			id := g.relID(g.pick(diffRels))
			if g.chance(0.05 * noise) {
				id = g.relID(diffRels + 1) // never linked
			}
			cs.Unlink = append(cs.Unlink, id)
		}
	}
	// Most links need their ends: put the missing ones in a system viewer's change set (a store
	// holding few entities would refuse most links).
	if !g.chance(0.1 * noise) {
		for _, l := range cs.Link {
			for i := range g.entities {
				if (g.entityID(i) == l.From || g.entityID(i) == l.To) && !put[i] {
					put[i] = true
					e := g.entity(i)
					if !v.System { // under the viewer's own marking, which it may edit
						e.EntityMeta().Handling = sarhad.Handling{OriginatorOrg: v.Org, OriginatorCountry: v.Country,
							TLP: sarhad.TLPAmber}
					}
					cs.Put = append(cs.Put, e)
				}
			}
		}
	}
	return v, cs
}

// state describes every record of the pool as a system viewer sees it.
func (g *changeGen) state(t *testing.T, ctx context.Context, s sarhad.Store) string {
	t.Helper()
	var ids []string
	for i := range g.entities {
		ids = append(ids, g.entityID(i))
	}
	es, err := s.Entities(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range es {
		if e == nil {
			b.WriteString("-;")
			continue
		}
		attrs, _ := json.Marshal(e)
		fmt.Fprintf(&b, "%s;", describeMeta(*e.EntityMeta())+string(attrs))
	}
	var relIDs []string
	for i := range diffRels + 2 {
		relIDs = append(relIDs, g.relID(i))
	}
	rs, err := s.RelationshipsByID(ctx, relIDs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r == nil {
			b.WriteString("-;")
			continue
		}
		props, _ := json.Marshal(r.RelationProps)
		fmt.Fprintf(&b, "%s %s %s %s %s;", describeMeta(r.Meta), r.Type, r.From, r.To, props)
	}
	return b.String()
}

func describeMeta(m sarhad.Meta) string {
	norm := func(xs []string) []string { return slices.Concat([]string{}, xs) }
	return fmt.Sprintf("%s %s %s/%s %s/%s %s %s %v %v %q", m.ID, m.Kind, m.CreatedAt.UTC().Format(time.RFC3339Nano), m.CreatedBy,
		m.UpdatedAt.UTC().Format(time.RFC3339Nano), m.UpdatedBy, m.Handling.OriginatorOrg, m.Handling.TLP,
		norm(m.Handling.ReleasableTo), norm(m.SourceIDs), m.SourceKey)
}

// TestRelationshipsFoundBySeekAndByScan: relationships are looked up by id with an index seek per
// id in a type that has more relationships than there are ids, and by a scan of the type in one
// that has no more; both find the same relationships, and both see an id taken under another type.
func TestRelationshipsFoundBySeekAndByScan(t *testing.T) {
	needNeo4j(t)
	emptyDatabase(t)
	s := open(t)
	defer s.Close()
	ctx := sarhad.NewContext(t.Context(), sarhad.SystemViewer())
	h := sarhad.Handling{OriginatorOrg: "FIA", OriginatorCountry: "PAK", TLP: sarhad.TLPAmber}
	meta := func(kind sarhad.EntityKind, key string) sarhad.Meta {
		return sarhad.Meta{ID: sarhad.StableID(kind, key), Kind: kind, CreatedAt: clock, UpdatedAt: clock, Handling: h}
	}
	cs := &sarhad.ChangeSet{}
	var persons []string
	for i := range 4 {
		p := &sarhad.Person{Meta: meta(sarhad.KindPerson, fmt.Sprint("p", i)), Name: fmt.Sprint("Person ", i)}
		cs.Put, persons = append(cs.Put, p), append(persons, p.ID)
	}
	const associates = 6
	var ids []string
	for i := range associates {
		r := &sarhad.Relationship{Meta: meta("", fmt.Sprint("assoc", i)), Type: sarhad.RelAssociateOf,
			From: persons[i%4], To: persons[(i+1)%4]}
		cs.Link, ids = append(cs.Link, r), append(ids, r.ID)
	}
	if _, err := s.Apply(ctx, cs); err != nil {
		t.Fatal(err)
	}
	missing := []string{sarhad.StableID("", "missing 1"), sarhad.StableID("", "missing 2")}
	for _, tc := range []struct {
		name string
		ask  []string // fewer ids than ASSOCIATE_OF has relationships: seeks; as many or more: a scan
	}{
		{"seek", []string{ids[4], missing[0], ids[1]}},
		{"scan", append(append([]string{missing[0]}, ids...), missing[1])},
	} {
		got, err := s.RelationshipsByID(ctx, tc.ask)
		if err != nil {
			t.Fatal(err)
		}
		for i, id := range tc.ask {
			want := !slices.Contains(missing, id)
			if (got[i] != nil) != want || got[i] != nil && got[i].ID != id {
				t.Errorf("%s: %s: got %+v, want found %v", tc.name, id, got[i], want)
			}
		}
		// An id of an ASSOCIATE_OF relationship linked as FAMILY_OF is a conflict, alone or among
		// as many new links as ASSOCIATE_OF has relationships.
		relinked := &sarhad.Relationship{Meta: meta("", "assoc2"), Type: sarhad.RelFamilyOf, From: persons[2], To: persons[3]}
		links := []*sarhad.Relationship{relinked}
		if tc.name == "scan" {
			for i := range associates {
				links = append(links, &sarhad.Relationship{Meta: meta("", fmt.Sprint("new", i)), Type: sarhad.RelFamilyOf,
					From: persons[0], To: persons[1]})
			}
		}
		if _, err := s.Apply(ctx, &sarhad.ChangeSet{Link: links}); sarhad.ErrorCode(err) != sarhad.ECONFLICT {
			t.Errorf("%s: relinked under another type: %v, want CONFLICT", tc.name, err)
		}
	}
}
