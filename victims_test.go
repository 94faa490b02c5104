package sarhad

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"testing"
	"time"
)

// namedStore is a store of persons that relationships name victims: it lists those whose records
// are not victims' (UnrecordedVictims), reads and writes them, and keeps the audit entries; the
// puts of change set failAt (counted from 1) fail.
type namedStore struct {
	Store   // only the calls below are used
	persons map[string]*Person
	stale   []string // listed though removed, or recorded, by the time they are read
	// sameAs ties a person by SAME_AS to another: it is listed only once the other is a victim's
	// record.
	sameAs  map[string]string
	failAt  int
	applied int
	entries []*AuditEntry
}

func (s *namedStore) UnrecordedVictims(_ context.Context, p Page) ([]string, error) {
	var ids []string
	for _, id := range s.stale {
		if id > p.After {
			ids = append(ids, id)
		}
	}
	for id, person := range s.persons {
		if other, tied := s.sameAs[id]; tied && !s.persons[other].IsVictim() {
			continue
		}
		if id > p.After && !person.IsVictim() {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids[:min(len(ids), p.First)], nil
}

func (s *namedStore) Relationships(_ context.Context, q RelationshipQuery) ([]*Relationship, error) {
	var out []*Relationship
	for from, to := range s.sameAs {
		if slices.Contains(q.Anchors, from) || slices.Contains(q.Anchors, to) {
			out = append(out, &Relationship{Meta: Meta{ID: "rel_" + from + "_" + to}, Type: RelSameAs, From: from, To: to})
		}
	}
	return out, nil
}

func (s *namedStore) Entities(_ context.Context, ids []string) ([]Entity, error) {
	out := make([]Entity, len(ids))
	for i, id := range ids {
		if p := s.persons[id]; p != nil {
			c := *p
			out[i] = &c
		}
	}
	return out, nil
}

func (s *namedStore) Apply(_ context.Context, cs *ChangeSet) (*ApplyResult, error) {
	if s.applied++; s.applied == s.failAt {
		return nil, Errorf(EUNAVAILABLE, "the store is down")
	}
	if !cs.KeepSources {
		return nil, fmt.Errorf("a put of a listed person must keep the sources added since it was read")
	}
	for _, e := range cs.Put {
		p := e.(*Person)
		s.persons[p.ID] = p
	}
	return &ApplyResult{Updated: len(cs.Put)}, nil
}

func (s *namedStore) AppendAudit(_ context.Context, entries ...*AuditEntry) error {
	s.entries = append(s.entries, entries...)
	return nil
}

// newNamedStore returns a store of n persons that relationships name victims, none recorded as one.
func newNamedStore(n int) *namedStore {
	s := &namedStore{persons: map[string]*Person{}}
	for i := range n {
		p := &Person{Meta: Meta{ID: fmt.Sprintf("per_%04d", i), Kind: KindPerson}, Name: fmt.Sprint("Person ", i)}
		s.persons[p.ID] = p
	}
	return s
}

// TestRecordNamedVictimsInBatches: more persons than a change set holds are recorded in change sets
// of MaxPageSize, each audited before and after; a failing change set stops the work, audited with
// its code, and what was written before it stays written and is returned.
func TestRecordNamedVictimsInBatches(t *testing.T) {
	sys := NewContext(t.Context(), SystemViewer())
	now := time.Date(2026, time.January, 5, 8, 0, 0, 0, time.UTC)
	n := 2*MaxPageSize + 3
	t.Run("all", func(t *testing.T) {
		st := newNamedStore(n)
		svc := &Service{Store: st, Now: func() time.Time { return now }, Rand: rand.Reader}
		got, err := svc.RecordNamedVictims(sys)
		if err != nil || len(got) != n {
			t.Fatalf("RecordNamedVictims: %d recorded, %v; want %d", len(got), err, n)
		}
		if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != n {
			t.Errorf("the ids recorded are not each person once, in order")
		}
		for id, p := range st.persons {
			if !p.IsVictim() || p.UpdatedBy != SystemViewer().Subject || !p.UpdatedAt.Equal(now) {
				t.Errorf("%s: victim %v, updated by %q at %v", id, p.IsVictim(), p.UpdatedBy, p.UpdatedAt)
			}
		}
		var outcomes []string
		listed := 0
		for _, e := range st.entries {
			outcomes = append(outcomes, e.Outcome)
			if e.Outcome == AuditOK {
				listed += len(e.SensitiveIDs)
			}
		}
		want := []string{AuditStarted, AuditOK, AuditStarted, AuditOK, AuditStarted, AuditOK}
		if !slices.Equal(outcomes, want) || listed != n {
			t.Errorf("audit outcomes %v listing %d persons; want %v listing %d", outcomes, listed, want, n)
		}
	})
	t.Run("a change set fails", func(t *testing.T) {
		st := newNamedStore(n)
		st.failAt = 2
		svc := &Service{Store: st, Now: func() time.Time { return now }, Rand: rand.Reader}
		got, err := svc.RecordNamedVictims(sys)
		if ErrorCode(err) != EUNAVAILABLE || len(got) != MaxPageSize {
			t.Fatalf("RecordNamedVictims: %d recorded, %v; want the first %d, and UNAVAILABLE", len(got), err, MaxPageSize)
		}
		var outcomes []string
		for _, e := range st.entries {
			outcomes = append(outcomes, e.Outcome)
		}
		if want := []string{AuditStarted, AuditOK, AuditStarted, EUNAVAILABLE}; !slices.Equal(outcomes, want) {
			t.Errorf("audit outcomes %v, want %v", outcomes, want)
		}
		if left, _ := st.UnrecordedVictims(sys, Page{First: n}); len(left) != n-MaxPageSize {
			t.Errorf("%d persons left unrecorded, want %d", len(left), n-MaxPageSize)
		}
	})
	t.Run("listed but removed or recorded since", func(t *testing.T) {
		st := newNamedStore(2)
		recorded := &Person{Meta: Meta{ID: "per_0000a", Kind: KindPerson}, Victim: &VictimDetails{AgeGroup: AgeGroupAdult}}
		st.persons[recorded.ID] = recorded
		st.stale = []string{recorded.ID, "per_0000b"} // per_0000b: removed
		svc := &Service{Store: st, Now: time.Now, Rand: rand.Reader}
		got, err := svc.RecordNamedVictims(sys)
		if want := []string{"per_0000", "per_0001"}; err != nil || !slices.Equal(got, want) {
			t.Fatalf("RecordNamedVictims = %v, %v; want %v", got, err, want)
		}
		if p := st.persons[recorded.ID]; p.Victim.AgeGroup != AgeGroupAdult {
			t.Errorf("a victim's record was rewritten: %+v", p.Victim)
		}
		if len(st.entries) != 2 || !slices.Equal(st.entries[1].SensitiveIDs, got) {
			t.Errorf("audit entries %+v; want two listing %v", st.entries, got)
		}
	})
	t.Run("only the system", func(t *testing.T) {
		svc := &Service{Store: newNamedStore(1), Now: time.Now, Rand: rand.Reader}
		_, err := svc.RecordNamedVictims(NewContext(t.Context(), &Viewer{Subject: "admin", Roles: []Role{RoleAdmin}}))
		if ErrorCode(err) != EFORBIDDEN {
			t.Errorf("an administrator: %v, want FORBIDDEN", err)
		}
	})
}

// TestRecordNamedVictimsFollowsChains: recording a person may tie another to a victim's record
// (A SAME_AS B SAME_AS the victim C): both are recorded in one call, in one change set (Apply
// refuses a victim left tied to one who is not).
func TestRecordNamedVictimsFollowsChains(t *testing.T) {
	s := newNamedStore(3) // per_0000, per_0001, per_0002
	s.persons["per_0002"].Victim = &VictimDetails{}
	s.sameAs = map[string]string{"per_0000": "per_0001", "per_0001": "per_0002"}
	svc := &Service{Store: s, Now: time.Now, Rand: rand.Reader}
	got, err := svc.RecordNamedVictims(NewContext(context.Background(), SystemViewer()))
	if err != nil || !slices.Equal(got, []string{"per_0001", "per_0000"}) {
		t.Fatalf("RecordNamedVictims = %v, %v; want per_0001, then per_0000", got, err)
	}
	if s.applied != 1 {
		t.Errorf("%d change sets, want the two persons in one", s.applied)
	}
	for id, p := range s.persons {
		if !p.IsVictim() {
			t.Errorf("%s is not recorded", id)
		}
	}
}
