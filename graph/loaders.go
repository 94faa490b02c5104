package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/sarhad/sarhad"
	"github.com/vikstrous/dataloadgen"
)

// Loaders batch the nested fields of one request: every entity and relationship lookup that the
// executor issues while resolving one level of a query becomes one store call.
type Loaders struct {
	entities      *dataloadgen.Loader[string, sarhad.Entity]
	relationships *dataloadgen.Loader[relKey, []*sarhad.Relationship]
	store         sarhad.Store

	// held are the entity ids and relationship keys the loaders hold (loaded or primed), so that
	// a field that asks the store at once (see alone) asks only for what they do not hold.
	mu       sync.Mutex
	heldIDs  map[string]bool
	heldRels map[relKey]bool
	reading  map[relKey]*fetch                       // the keys being read from the store, see fetchRelationships
	siblings map[siblingGroup]*fetch                 // the store call of each sibling group, see relatedWithSiblings
	ties     map[*sarhad.Relationship]*protectedOnce // see protectTie
}

// protectedOnce is sarhad.ProtectTie of one relationship of the response, taken once for all the
// fields that need it (note, sourceKey, sourceRef, redacted), which the executor resolves
// concurrently.
type protectedOnce struct {
	once    sync.Once
	tie     *sarhad.Relationship
	victims []string // the ends that are victims' records, redacted or not
	err     error
}

// relKey asks for the relationships of one anchor in one direction, of some types.
type relKey struct {
	anchor string
	dir    sarhad.Direction
	types  string // comma-separated, sorted; "" for every type
}

// DefaultBatchWait is how long a loader waits to gather keys. The executor resolves sibling fields
// concurrently, so a short wait suffices. Every level of a nested query inside lists within lists
// waits it once (levels outside any list do not: see alone; nor do relationship fields inside
// exactly one list: see siblingKeys), but a shorter one splits a level's keys into several batches
// on a busy machine: 500 µs did under the race detector in CI, and then the store calls of a
// request vary from run to run.
const DefaultBatchWait = 2 * time.Millisecond

// NewLoaders returns loaders over store for one request; each gathers keys for batchWait.
func NewLoaders(store sarhad.Store, batchWait time.Duration) *Loaders {
	l := &Loaders{store: store, heldIDs: map[string]bool{}, heldRels: map[relKey]bool{}, reading: map[relKey]*fetch{},
		siblings: map[siblingGroup]*fetch{}, ties: map[*sarhad.Relationship]*protectedOnce{}}
	l.entities = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string]sarhad.Entity, error) {
		found, err := store.Entities(ctx, ids)
		if err != nil {
			return nil, err
		}
		out := make(map[string]sarhad.Entity, len(ids))
		l.mu.Lock()
		defer l.mu.Unlock()
		for i, e := range found {
			out[ids[i]] = e // nil when missing or hidden
			l.heldIDs[ids[i]] = true
		}
		return out, nil
	}, dataloadgen.WithWait(batchWait))
	l.relationships = dataloadgen.NewMappedLoader(func(ctx context.Context, keys []relKey) (map[relKey][]*sarhad.Relationship, error) {
		out, err := l.loadRelationships(ctx, store, keys)
		if err != nil {
			return nil, err
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		for _, k := range keys {
			l.heldRels[k] = true
		}
		return out, nil
	}, dataloadgen.WithWait(batchWait))
	return l
}

// prime keeps an entity read outside the entity loader for the rest of the request.
func (l *Loaders) prime(e sarhad.Entity) {
	id := e.EntityMeta().ID
	l.entities.Prime(id, e)
	l.mu.Lock()
	l.heldIDs[id] = true
	l.mu.Unlock()
}

// loadRelationships makes one store call per distinct (direction, types) among keys. The entities
// at the far ends come with the relationships and are kept for the entity loader, so that
// resolving them costs no further call: one call per level of a nested query.
func (l *Loaders) loadRelationships(ctx context.Context, store sarhad.Store, keys []relKey) (map[relKey][]*sarhad.Relationship, error) {
	type group struct {
		dir   sarhad.Direction
		types string
	}
	anchors := map[group][]string{}
	for _, k := range keys {
		g := group{k.dir, k.types}
		anchors[g] = append(anchors[g], k.anchor)
	}
	out := make(map[relKey][]*sarhad.Relationship, len(keys))
	for g, ids := range anchors {
		rels, ends, err := store.Neighbours(ctx, sarhad.RelationshipQuery{Anchors: ids, Direction: g.dir, Types: keyTypes(g.types)})
		if err != nil {
			return nil, err
		}
		for _, e := range ends {
			l.prime(e)
		}
		assign(out, rels, ids, g.dir, g.types)
	}
	return out, nil
}

// keyTypes returns the relationship types of a key's types.
func keyTypes(types string) []sarhad.RelationType {
	var out []sarhad.RelationType
	if types != "" {
		for _, t := range strings.Split(types, ",") {
			out = append(out, sarhad.RelationType(t))
		}
	}
	return out
}

// assign sets out[k], for the key k of each anchor of ids in dir with types, to the relationships
// of rels that touch the anchor along dir: what a store call for those keys returned.
func assign(out map[relKey][]*sarhad.Relationship, rels []*sarhad.Relationship, ids []string, dir sarhad.Direction, types string) {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
		out[relKey{id, dir, types}] = nil
	}
	for _, r := range rels {
		if dir != sarhad.DirIn && want[r.From] {
			k := relKey{r.From, dir, types}
			out[k] = append(out[k], r)
		}
		if dir != sarhad.DirOut && want[r.To] && r.To != r.From {
			k := relKey{r.To, dir, types}
			out[k] = append(out[k], r)
		}
	}
}

// hop is a second level of a read ahead: the relationships, in dir with types, of the entities
// of kinds that the first level reaches.
type hop struct {
	kinds []sarhad.EntityKind
	dir   sarhad.Direction
	types string
}

// loadHops reads the relationships of key and, in the same store call, those of the entities it
// reaches of then's kinds (Store.NeighboursThen): the keys of both levels, with what each holds.
func (l *Loaders) loadHops(ctx context.Context, key relKey, then hop) (map[relKey][]*sarhad.Relationship, error) {
	hops, err := l.store.NeighboursThen(ctx, sarhad.ThenQuery{
		First:     sarhad.RelationshipQuery{Anchors: []string{key.anchor}, Direction: key.dir, Types: keyTypes(key.types)},
		ThenKinds: then.kinds,
		Then:      sarhad.RelationshipQuery{Direction: then.dir, Types: keyTypes(then.types)},
	})
	if err != nil {
		return nil, err
	}
	for _, e := range hops.Ends {
		l.prime(e)
	}
	out := map[relKey][]*sarhad.Relationship{}
	assign(out, hops.First, []string{key.anchor}, key.dir, key.types)
	// The anchors of the second level: the far ends of the first of then's kinds.
	var next []string
	seen := map[string]bool{}
	for _, r := range out[key] {
		far := r.To
		if r.To == key.anchor {
			far = r.From
		}
		if k, err := sarhad.KindOfID(far); err == nil && (len(then.kinds) == 0 || slices.Contains(then.kinds, k)) && !seen[far] {
			seen[far] = true
			next = append(next, far)
		}
	}
	assign(out, hops.Then, next, then.dir, then.types)
	return out, nil
}

// alone reports whether the field being resolved occurs once in the response: no list above it,
// so no sibling objects whose same field a loader could gather with it. Such a field (a root
// field's entity, the parties of the one case asked for) asks the store at once rather than wait
// the batch window for siblings it cannot have; the wait was 2 ms of every such level.
func alone(ctx context.Context) bool {
	for fc := graphql.GetFieldContext(ctx); fc != nil; fc = fc.Parent {
		if fc.Index != nil {
			return false
		}
	}
	return true
}

// loadEntitiesNow returns the entities of ids (nil for each missing or hidden one), reading those
// the loader does not hold from the store at once, and keeping them for the rest of the request.
func (l *Loaders) loadEntitiesNow(ctx context.Context, ids []string) ([]sarhad.Entity, error) {
	l.mu.Lock()
	var missing []string
	asked := make(map[string]bool, len(ids))
	for _, id := range ids {
		if !l.heldIDs[id] && !asked[id] {
			asked[id] = true
			missing = append(missing, id)
		}
	}
	l.mu.Unlock()
	if len(missing) > 0 {
		found, err := l.store.Entities(ctx, missing)
		if err != nil {
			return nil, err
		}
		l.mu.Lock()
		for i, e := range found {
			l.entities.Prime(missing[i], e) // nil too: a hidden entity is not asked for again
			l.heldIDs[missing[i]] = true
		}
		l.mu.Unlock()
	}
	return l.entities.LoadAll(ctx, ids) // every id is held: no wait
}

// relatedNow returns the relationships of key, reading them from the store at once unless the
// loader holds them, and keeping them and the entities they reach for the rest of the request.
func (l *Loaders) relatedNow(ctx context.Context, key relKey) ([]*sarhad.Relationship, error) {
	if err := l.fetchRelationships(ctx, []relKey{key}); err != nil {
		return nil, err
	}
	return l.relationships.Load(ctx, key)
}

// fetchRelationships reads the relationships of the keys the loaders neither hold nor are reading
// (see prefetch) from the store at once, waits for those being read, and keeps them and the
// entities they reach for the rest of the request. When a read ahead (prefetch) of some of the
// keys fails, it reads them itself, as though there had been none.
func (l *Loaders) fetchRelationships(ctx context.Context, keys []relKey) error {
	missing, mine, pending := l.claim(keys, false)
	var err error
	if mine != nil {
		err = l.read(ctx, missing, mine)
	}
	again := false
	for _, f := range pending {
		select {
		case <-f.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		switch {
		case f.err == nil:
		case f.ahead:
			again = true
		case err == nil:
			err = f.err
		}
	}
	if again && err == nil {
		// The keys of the failed read are neither held nor being read now.
		return l.fetchRelationships(ctx, keys)
	}
	return err
}

// prefetch starts reading the relationships of keys in the background, ahead of the fields that
// will ask for them, each key in a store call of its own (as the fields would), unless the loaders
// hold them or are reading them. A field that asks for one of them while it is read waits for that
// read. stop cancels the reads and returns once they are over: the caller calls it when no field
// will ask, so that no read outlives the request.
func (l *Loaders) prefetch(ctx context.Context, keys []ahead) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var reads sync.WaitGroup
	for _, k := range keys {
		missing, f, _ := l.claim([]relKey{k.key}, true)
		if f == nil {
			continue
		}
		// A field that waits for it learns from f how it went.
		if k.then == nil {
			reads.Go(func() { l.read(ctx, missing, f) })
			continue
		}
		reads.Go(func() {
			l.readWith(ctx, missing, f, func(ctx context.Context) (map[relKey][]*sarhad.Relationship, error) {
				return l.loadHops(ctx, k.key, *k.then)
			})
		})
	}
	return func() {
		cancel()
		reads.Wait()
	}
}

// ahead is a read that prefetch starts: the relationships of key, and when then is set, those of
// the entities they reach too (see loadHops).
type ahead struct {
	key  relKey
	then *hop
}

// fetch is one store call of relationships; done is closed once err is set and what it read is
// held. ahead tells a read that prefetch started.
type fetch struct {
	done  chan struct{}
	err   error
	ahead bool
}

// claim sorts keys into those the loaders neither hold nor are reading (missing, now to be read
// by the caller under mine, nil when there are none; ahead for prefetch) and the reads under way
// that hold others (pending).
func (l *Loaders) claim(keys []relKey, ahead bool) (missing []relKey, mine *fetch, pending []*fetch) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if l.heldRels[k] {
			continue
		}
		if f := l.reading[k]; f != nil {
			if f != mine && !slices.Contains(pending, f) {
				pending = append(pending, f)
			}
			continue
		}
		if mine == nil {
			mine = &fetch{done: make(chan struct{}), ahead: ahead}
		}
		l.reading[k] = mine
		missing = append(missing, k)
	}
	return missing, mine, pending
}

// read reads the relationships of keys, claimed under f, and keeps them; it then sets f.err and
// closes f.done. A panic of the store call becomes its error: read runs in a goroutine of its own
// for prefetch, where a panic would end the server.
func (l *Loaders) read(ctx context.Context, keys []relKey, f *fetch) error {
	return l.readWith(ctx, keys, f, func(ctx context.Context) (map[relKey][]*sarhad.Relationship, error) {
		return l.loadRelationships(ctx, l.store, keys)
	})
}

// readWith is read with the store call load, which may read more keys than those claimed (a
// second level, see loadHops): every key it reads is kept.
func (l *Loaders) readWith(ctx context.Context, keys []relKey, f *fetch,
	load func(context.Context) (map[relKey][]*sarhad.Relationship, error)) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", errFetchPanicked, r)
		}
		l.mu.Lock()
		for _, k := range keys {
			delete(l.reading, k)
		}
		l.mu.Unlock()
		f.err = err
		close(f.done)
	}()
	found, err := load(ctx)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		l.relationships.Prime(k, found[k])
		l.heldRels[k] = true
	}
	for k, rels := range found {
		if !l.heldRels[k] {
			l.relationships.Prime(k, rels)
			l.heldRels[k] = true
		}
	}
	return nil
}

var errFetchPanicked = errors.New("graph: a store call for relationships panicked")

func newRelKey(anchor string, dir sarhad.Direction, types []sarhad.RelationType) relKey {
	ts := make([]string, len(types))
	for i, t := range types {
		ts[i] = string(t)
	}
	slices.Sort(ts)
	return relKey{anchor: anchor, dir: dir, types: strings.Join(slices.Compact(ts), ",")}
}

type loadersKey struct{}

// WithLoaders returns a handler that gives every request fresh loaders over store.
func WithLoaders(store sarhad.Store, batchWait time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), loadersKey{}, NewLoaders(store, batchWait))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func loadersFrom(ctx context.Context) *Loaders {
	l, _ := ctx.Value(loadersKey{}).(*Loaders)
	if l == nil {
		panic("graph: no loaders in context; wrap the handler with WithLoaders")
	}
	return l
}
