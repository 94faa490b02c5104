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
	db *sql.DB
}

var _ sarhad.Store = (*Store)(nil)

// Open opens (creating if needed) the store in directory dir and applies pending migrations.
// Every commit is synced to disk (synchronous=FULL), so an acknowledged write survives kill -9 and
// power loss.
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: data directory: %w", err)
	}
	dsn := "file:" + filepath.Join(dir, FileName) +
		"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)" +
		"&_pragma=busy_timeout(10000)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	db.SetMaxOpenConns(8)
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return &Store{db: db}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return &sarhad.Error{Code: sarhad.EUNAVAILABLE, Message: "embedded store unavailable"}
	}
	return nil
}

// read runs fn in a read-only transaction (one consistent snapshot).
func (s *Store) read(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return wrap(ctx, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return wrap(ctx, err)
	}
	return nil
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
