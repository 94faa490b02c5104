package graph

import (
	"context"
	"reflect"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/sarhad/sarhad"
)

// A field inside one list, such as the parties of every case of a page or the phones of every
// party of a case, is resolved once per element, each in its own goroutine. The loaders gather
// those calls for a window (DefaultBatchWait) and ask the store once. But inside exactly one list
// the calls need not be waited for: the list is resolved already, so the first element to ask
// can tell what every other element will ask, and ask the store for all of them at once. This
// file does that for relationship fields; deeper lists, and objects a resolver computes from the
// element, still go through the window.

// siblingGroup names the calls of one field on the elements of one list: the list's field
// context (one per list in a response), the path from an element to the field, and what the
// field asks for.
type siblingGroup struct {
	list  *graphql.FieldContext
	path  string
	dir   sarhad.Direction
	types string
}

// siblingKeys returns the group of the relationship field being resolved and the keys that the
// same field asks for on every element of its list, key included; ok is false when they cannot be
// told for certain:
//
//   - the field is not inside exactly one list (outside any list, see alone; or inside lists
//     within lists, whose elements resolve as their own lists do);
//   - an object between the element and the field is computed by a resolver rather than held by
//     the element (only plain fields are followed, and only when following them from this very
//     element leads to this very object);
//   - the field's object is not an entity whose id is the key's anchor.
//
// Only elements whose object is of the same Go type are counted: an element of another type does
// not have the field, or resolves it as its own type does.
func siblingKeys(ctx context.Context, key relKey) (group siblingGroup, keys []relKey, ok bool) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return group, nil, false
	}
	// The plain fields from the element down to the field's object, nearest first.
	var steps []*graphql.FieldContext
	p := fc.Parent
	for ; p != nil && p.Index == nil; p = p.Parent {
		if p.IsResolver || p.IsMethod {
			return group, nil, false
		}
		steps = append(steps, p)
	}
	if p == nil || p.Parent == nil || p.Parent.Index != nil {
		return group, nil, false
	}
	elem, list := p, p.Parent
	for q := list.Parent; q != nil; q = q.Parent {
		if q.Index != nil {
			return group, nil, false
		}
	}
	items := reflect.ValueOf(list.Result)
	if items.Kind() != reflect.Slice || *elem.Index >= items.Len() {
		return group, nil, false
	}
	names := make([]string, 0, len(steps)+2)
	for i := len(steps) - 1; i >= 0; i-- {
		names = append(names, steps[i].Field.Name)
	}
	objectAt := func(i int) sarhad.Entity {
		v := items.Index(i)
		for _, name := range names {
			if v = plainField(v, name); !v.IsValid() {
				return nil
			}
		}
		if !v.CanInterface() {
			return nil
		}
		e, _ := v.Interface().(sarhad.Entity)
		if e == nil || reflect.ValueOf(e).IsNil() {
			return nil
		}
		return e
	}
	own := objectAt(*elem.Index)
	if own == nil || own.EntityMeta().ID != key.anchor {
		return group, nil, false
	}
	if len(steps) > 0 && steps[0].Result != any(own) {
		return group, nil, false
	}
	ownType := reflect.TypeOf(own)
	seen := map[string]bool{}
	for i := range items.Len() {
		e := objectAt(i)
		if e == nil || reflect.TypeOf(e) != ownType || seen[e.EntityMeta().ID] {
			continue
		}
		seen[e.EntityMeta().ID] = true
		keys = append(keys, relKey{anchor: e.EntityMeta().ID, dir: key.dir, types: key.types})
	}
	names = append(names, fc.Object, fc.Field.Alias)
	return siblingGroup{list: list, path: strings.Join(names, "."), dir: key.dir, types: key.types}, keys, true
}

// plainField follows the exported struct field of v named like the GraphQL field name (as gqlgen
// binds a field without a resolver), through pointers and interfaces; the zero Value when there
// is none.
func plainField(v reflect.Value, name string) reflect.Value {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return reflect.Value{}
	}
	f, ok := v.Type().FieldByNameFunc(func(n string) bool { return strings.EqualFold(n, name) })
	if !ok || !f.IsExported() {
		return reflect.Value{}
	}
	field, err := v.FieldByIndexErr(f.Index) // an error: through a nil embedded pointer
	if err != nil {
		return reflect.Value{}
	}
	return field
}

// relatedWithSiblings returns the relationships of key, which the field being resolved asks for
// on one element of a list: the first element of group to ask reads the keys of every element at
// once (those the loaders do not hold); the others wait for that read.
func (l *Loaders) relatedWithSiblings(ctx context.Context, group siblingGroup, key relKey, keys []relKey) ([]*sarhad.Relationship, error) {
	l.mu.Lock()
	f, started := l.siblings[group]
	if !started {
		f = &fetch{done: make(chan struct{})}
		l.siblings[group] = f
	}
	l.mu.Unlock()
	if started {
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	} else {
		f.err = l.fetchRelationships(ctx, keys) // a panic of the store call comes as its error (read)
		close(f.done)
	}
	if f.err != nil {
		return nil, f.err
	}
	return l.relationships.Load(ctx, key)
}
