package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
)

// IDSecret implements sarhad.Store: the setting, or, when there is none, a new one written by the
// writer in one statement that also asks whether the store holds a keyed record; a concurrent
// first call (another process's) that wrote first wins, and both read what it wrote. It is read at
// every call, not kept: a database emptied under a running server makes a new one.
func (s *Store) IDSecret(ctx context.Context) ([]byte, error) {
	read := func() ([]byte, error) {
		var v []byte
		err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = 'id_secret'`).Scan(&v)
		return v, err
	}
	v, err := read()
	if !errors.Is(err, sql.ErrNoRows) {
		return v, wrap(ctx, err)
	}
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("sqlite: id secret: %w", err)
	}
	if _, err := s.writer.ExecContext(ctx, `INSERT INTO settings (name, value)
		SELECT 'id_secret', CASE
			WHEN EXISTS (SELECT 1 FROM entities WHERE source_key <> '')
				OR EXISTS (SELECT 1 FROM relationships WHERE source_key <> '') THEN x''
			ELSE :fresh END
		WHERE true ON CONFLICT (name) DO NOTHING`, sql.Named("fresh", fresh)); err != nil {
		return nil, wrap(ctx, err)
	}
	v, err = read()
	return v, wrap(ctx, err)
}
