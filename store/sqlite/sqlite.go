// Package sqlite is the embedded Store: one SQLite file (pure-Go driver, no cgo) in WAL mode with
// foreign keys on and migrations embedded in the binary, FTS5 for name search, and the access policy
// written into every statement.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sarhad/sarhad"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// FileName is the database file inside the data directory.
const FileName = "sarhad.db"

// Store is the embedded sarhad.Store.
type Store struct {
	db *sql.DB // readers
	// writer is the one connection every write goes through (Apply, AppendAudit): SQLite allows one
	// writer at a time anyway, and a connection's page cache survives from one transaction to the
	// next only while no other connection writes, so a bulk import keeps its indexes in memory.
	writer *sql.DB
	// stmts are the prepared statements of the readers.
	stmts *stmtCache
}

var _ sarhad.Store = (*Store)(nil)

// The connection settings. Every commit is synced to disk (synchronous=FULL in WAL mode).
const dsnPragmas = "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)" +
	"&_pragma=busy_timeout(10000)&_txlock=immediate"

// writerPragmas are the writer's own settings, for bulk writes that touch many pages of randomly
// keyed indexes: a page cache of up to 128 MiB rather than SQLite's 2 MiB, and a checkpoint (the
// copy of the write-ahead log into the database file, done by the committing connection) once the
// log holds 16,384 pages (64 MiB) rather than 1,000, so that index pages changed by consecutive
// change sets are copied once. Neither affects durability: every commit is synced to the log.
const writerPragmas = "&_pragma=cache_size(-131072)&_pragma=wal_autocheckpoint(16384)"

// Open opens (creating if needed) the store in directory dir and applies pending migrations.
// Every commit is synced to disk (synchronous=FULL), so an acknowledged write survives kill -9 and
// power loss.
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: data directory: %w", err)
	}
	file := "file:" + filepath.Join(dir, FileName)
	writer, err := sql.Open("sqlite", file+dsnPragmas+writerPragmas)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	writer.SetMaxOpenConns(1)
	if err := migrate(ctx, writer); err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	db, err := sql.Open("sqlite", file+dsnPragmas)
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	db.SetMaxOpenConns(8)
	stmts, err := newStmtCache(db)
	if err != nil {
		return nil, errors.Join(err, db.Close(), writer.Close())
	}
	return &Store{db: db, writer: writer, stmts: stmts}, nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.stmts.close()
	return errors.Join(s.db.Close(), s.writer.Close())
}

// Optimize implements sarhad.Optimizer: it merges the segments of the name index into one (a load of
// many change sets leaves many, and every search reads each of them: at SF 1 of the benchmark, Q2
// took a p50 of 23 ms before and 15.5 ms after) and refreshes the query planner's statistics.
func (s *Store) Optimize(ctx context.Context) error {
	if _, err := s.writer.ExecContext(ctx, `INSERT INTO entity_terms (entity_terms) VALUES ('optimize')`); err != nil {
		return wrap(ctx, err)
	}
	_, err := s.writer.ExecContext(ctx, `PRAGMA optimize`)
	return wrap(ctx, err)
}

var _ sarhad.Optimizer = (*Store)(nil)

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return &sarhad.Error{Code: sarhad.EUNAVAILABLE, Message: "embedded store unavailable"}
	}
	return nil
}

// read runs fn in a read-only transaction (one consistent snapshot).
func (s *Store) read(ctx context.Context, fn func(querier) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return wrap(ctx, err)
	}
	t := &txn{Tx: tx, stmts: s.stmts}
	err = func() error {
		defer tx.Rollback()
		return fn(t)
	}()
	// Prepared only now, when this request holds no connection: preparing on the pool takes one.
	s.stmts.add(ctx, t.unprepared)
	return wrap(ctx, err)
}

// wrap turns driver errors into domain errors: cancellation stays cancellation, busy or locked
// database is UNAVAILABLE; anything else stays internal.
func wrap(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var se *sarhad.Error
	if errors.As(err, &se) {
		return err
	}
	if ctx.Err() != nil {
		return fmt.Errorf("sqlite: %w", ctx.Err())
	}
	var le *sqlite.Error
	if errors.As(err, &le) {
		switch le.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return &sarhad.Error{Code: sarhad.EUNAVAILABLE, Message: "the embedded store is busy; retry"}
		}
	}
	return fmt.Errorf("sqlite: %w", err)
}
