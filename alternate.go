package sarhad

import (
	"context"
	"strconv"
)

// Records keyed by a source key have ids derived from their originator and key (StableID), so that
// a second import of a file finds them again. A write under the key of a record the writer may not
// see would then fail where a write under an unused key succeeds, and tell the writer that the
// hidden record exists: that a phone number is a victim's, that another organisation holds a RED
// record under a key. Such a write goes instead to an alternate id derived from the same key, as
// if the hidden record did not exist (polyinstantiation). Whoever may see both records may merge
// them.

// maxAlternates bounds the alternates of one id tried before the write is left to fail.
const maxAlternates = 4

// AlternateID returns the n-th alternate (n ≥ 1) of id, the id of an entity or relationship
// derived from a source key.
func AlternateID(id string, n int) string {
	k, err := KindOfID(id)
	if err != nil {
		k = "" // a relationship
	}
	return StableID(k, id+"\x00alternate\x00"+strconv.Itoa(n))
}

// KeyedIDs returns the ids under which the viewer in ctx writes records whose ids derive from
// source keys (entities', or relationships' when rels): each id itself, unless a record hidden
// from the viewer holds it, then the first of its alternates (AlternateID) that no hidden record
// holds. The system viewer sees every record: for it the ids are returned as given. Whether a
// record exists is the only thing read past the access policy, and it is never shown.
func KeyedIDs(ctx context.Context, st Store, ids []string, rels bool) ([]string, error) {
	v, err := ViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
	out := append([]string(nil), ids...)
	if v.System {
		return out, nil
	}
	internal := NewContext(ctx, SystemViewer())
	exist := func(ctx context.Context, ids []string) ([]bool, error) {
		found := make([]bool, len(ids))
		if rels {
			rs, err := st.RelationshipsByID(ctx, ids)
			for i, r := range rs {
				found[i] = r != nil
			}
			return found, err
		}
		es, err := st.Entities(ctx, ids)
		for i, e := range es {
			found[i] = e != nil
		}
		return found, err
	}
	pending := make([]int, len(ids)) // the indices of out still to check
	for i := range pending {
		pending[i] = i
	}
	for n := 1; len(pending) > 0 && n <= maxAlternates; n++ {
		check := make([]string, len(pending))
		for j, i := range pending {
			check[j] = out[i]
		}
		seen, err := exist(ctx, check)
		if err != nil {
			return nil, err
		}
		var unseen []int // indices into pending
		for j, ok := range seen {
			if !ok {
				unseen = append(unseen, j)
			}
		}
		if len(unseen) == 0 {
			break
		}
		past := make([]string, len(unseen))
		for k, j := range unseen {
			past[k] = check[j]
		}
		held, err := exist(internal, past)
		if err != nil {
			return nil, err
		}
		var next []int
		for k, j := range unseen {
			if held[k] {
				i := pending[j]
				out[i] = AlternateID(ids[i], n)
				next = append(next, i)
			}
		}
		pending = next
	}
	return out, nil
}
