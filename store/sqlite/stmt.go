package sqlite

import (
	"context"
	"database/sql"
	"slices"

	lru "github.com/hashicorp/golang-lru/v2"
)

// querier runs queries: a transaction (*sql.Tx) or a read transaction with prepared statements
// (*txn).
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// stmtCacheSize bounds the prepared statements kept. The store's queries are a few dozen texts
// (values, id lists included, are parameters); list filters add one text per combination of
// conditions, which the bound keeps from growing without limit.
const stmtCacheSize = 256

// stmtCache keeps the readers' statements prepared, by query text: parsing and planning took over a
// third of the processor time of a nested read (a case with its parties and their phones). Each is
// prepared on the pool once; database/sql then prepares it at most once per connection and reuses
// it in every transaction on that connection.
type stmtCache struct {
	db    *sql.DB
	stmts *lru.Cache[string, *sql.Stmt]
}

func newStmtCache(db *sql.DB) (*stmtCache, error) {
	stmts, err := lru.NewWithEvict(stmtCacheSize, func(_ string, st *sql.Stmt) { st.Close() })
	if err != nil {
		return nil, err
	}
	return &stmtCache{db: db, stmts: stmts}, nil
}

// add prepares the queries not yet cached. The caller must hold no connection of the pool: with
// every connection held by a transaction waiting here, preparing would wait for ever. A query that
// fails to prepare is left out; it runs unprepared and reports its error then.
func (c *stmtCache) add(ctx context.Context, queries []string) {
	for _, q := range queries {
		if c.stmts.Contains(q) {
			continue
		}
		st, err := c.db.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		if ok, _ := c.stmts.ContainsOrAdd(q, st); ok {
			st.Close() // another request prepared it meanwhile
		}
	}
}

// close closes every cached statement.
func (c *stmtCache) close() { c.stmts.Purge() }

// txn is a read transaction that runs its queries as the cached prepared statements, and notes
// the queries not cached yet (they run unprepared) for the cache to add after the transaction.
// Closing the transaction closes its copies of the statements; the cached ones stay.
type txn struct {
	*sql.Tx
	stmts      *stmtCache
	unprepared []string
}

// QueryContext runs query in the transaction.
func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st, ok := t.stmts.stmts.Get(query); ok {
		return t.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	t.miss(query)
	return t.Tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query in the transaction.
func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st, ok := t.stmts.stmts.Get(query); ok {
		return t.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	t.miss(query)
	return t.Tx.QueryRowContext(ctx, query, args...)
}

func (t *txn) miss(query string) {
	if !slices.Contains(t.unprepared, query) {
		t.unprepared = append(t.unprepared, query)
	}
}
