// Package neo4j is the production Store: Neo4j 5 over Bolt with the official Go driver
// (github.com/neo4j/neo4j-go-driver/v5). One driver per process, the database always named,
// neo4j:// URIs so that clusters and Aura work unchanged; constraints and indexes are created at
// start-up; every question is one Cypher statement wherever possible, with the access policy
// written into it (policy.go) after the indexed anchor lookup.
//
// Data model:
//
//	(:Entity:<Label> {id, kind, attrs, a_<attr>…, p_<attr>…, originOrg, originCountry, tlp,
//	                  releasableTo, victim, sourceIds, sourceKey, sourceRef, createdAt, createdBy,
//	                  updatedAt, updatedBy, terms})
//	-[:<RELATION_TYPE> {id, props, role…, originOrg, …, createdAt, …}]->
//	(:AuditEntry {id, seq, time, …})   (:AuditSeq {name, value})
//
// attrs is json.Marshal(entity), exactly as the embedded store keeps it; a_<attr> are the scalar
// and list attributes flattened for list filters (nested paths joined by "_"), and for victims
// p_<attr> the same of the redacted copy, which is what a viewer without the clearance filters
// on. terms is sarhad.SearchTerms joined by spaces, indexed by a full-text index with the
// whitespace analyzer. Timestamps are native DATETIME values (nanoseconds kept).
package neo4j

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/sarhad/sarhad"
)

// DefaultDatabase is the database used when Config.Database is empty (Community edition has only
// this one user database).
const DefaultDatabase = "neo4j"

// connectTimeout bounds the connectivity check of Open and Ping.
const (
	connectTimeout = 15 * time.Second
	pingTimeout    = 5 * time.Second
)

// Bounds of the driver for callers without a deadline of their own (the server gives every request
// one, and the driver always stops at the earliest of the caller's deadline and these): how long to
// wait for a connection from the pool or a new one, how long to dial, and after how long to stop
// retrying a transaction that failed transiently (for example while the database is down). The
// driver backs off 2 s, 4 s, 8 s… between attempts and checks the retry time before each sleep, so a
// call without a deadline on a stopped database ends within about 15 s (with its default of 30 s,
// after about 31 s). The driver's defaults are 1 minute, 5 seconds and 30 seconds.
const (
	acquireTimeout = 10 * time.Second
	dialTimeout    = 5 * time.Second
	retryTimeout   = 10 * time.Second
)

// Config says where the database is.
type Config struct {
	URI      string // neo4j://, neo4j+s://, bolt:// or bolt+s://
	Username string // empty: no authentication
	Password string
	Database string // empty: DefaultDatabase
	// TableFrom is the number of rows from which a write batch is sent as one table rather than a
	// map per row (0: 64). A tuning knob; tests set 1 to send every batch as a table.
	TableFrom int
}

// Store is the Neo4j sarhad.Store.
type Store struct {
	driver    neo4j.DriverWithContext
	db        string
	tableFrom int // see defaultTableFrom
}

var _ sarhad.Store = (*Store)(nil)

// Open connects to the database, checks that it answers within a bounded time, and creates the
// constraints and indexes the store relies on (each IF NOT EXISTS, in its own transaction), then
// waits for the indexes to come online. Returns UNAVAILABLE when the database cannot be reached.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.URI == "" {
		return nil, errors.New("neo4j: no URI configured")
	}
	if cfg.Database == "" {
		cfg.Database = DefaultDatabase
	}
	token := neo4j.NoAuth()
	if cfg.Username != "" {
		token = neo4j.BasicAuth(cfg.Username, cfg.Password, "")
	}
	driver, err := neo4j.NewDriverWithContext(cfg.URI, token, func(c *neo4j.Config) {
		c.ConnectionAcquisitionTimeout = acquireTimeout
		c.SocketConnectTimeout = dialTimeout
		c.MaxTransactionRetryTime = retryTimeout
	})
	if err != nil {
		return nil, fmt.Errorf("neo4j: driver: %w", err)
	}
	s := &Store{driver: driver, db: cfg.Database, tableFrom: cmp.Or(cfg.TableFrom, defaultTableFrom)}
	vctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if err := driver.VerifyConnectivity(vctx); err != nil {
		driver.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("neo4j: connect to %s: %v: %w", cfg.URI, err,
			&sarhad.Error{Code: sarhad.EUNAVAILABLE, Message: "the graph database is unavailable"})
	}
	if err := s.createSchema(ctx); err != nil {
		driver.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return s, nil
}

// Close closes the driver and its connections.
func (s *Store) Close() error {
	if err := s.driver.Close(context.Background()); err != nil {
		return fmt.Errorf("neo4j: close: %w", err)
	}
	return nil
}

// Ping reports whether the database answers within a short time: UNAVAILABLE if not.
func (s *Store) Ping(ctx context.Context) error {
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if err := s.driver.VerifyConnectivity(pctx); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("neo4j: ping: %w", ctx.Err())
		}
		return fmt.Errorf("neo4j: ping: %v: %w", err,
			&sarhad.Error{Code: sarhad.EUNAVAILABLE, Message: "the graph database is unavailable"})
	}
	return nil
}

// maxAttempts bounds how often an auto-commit statement that failed with a retryable error runs.
const maxAttempts = 3

// read runs one read-only statement, routed to a reader, and returns its records. It runs as an
// auto-commit transaction that fetches every record at once: one round trip to the database, where
// a managed transaction takes three (BEGIN, RUN and PULL, COMMIT). What the driver's managed
// transactions would retry — a lost connection, a leader switch, a transient error — read retries
// itself: a read changes nothing, so running it again is safe.
func (s *Store) read(ctx context.Context, query string, params map[string]any) ([]*neo4j.Record, error) {
	var records []*neo4j.Record
	err := s.autoCommit(ctx, neo4j.AccessModeRead, query, params, func() { records = records[:0] },
		func(r *neo4j.Record) error {
			records = append(records, r)
			return nil
		})
	return records, err
}

// readEach runs one read-only statement as read does, but hands each record to each as it
// arrives, so that a large answer need not be held whole: a caller keeps only what it makes of
// each record. start is called before every attempt (a retry starts again from the first
// record); an error from each ends the read with that error.
func (s *Store) readEach(ctx context.Context, query string, params map[string]any, start func(), each func(*neo4j.Record) error) error {
	return s.autoCommit(ctx, neo4j.AccessModeRead, query, params, start, each)
}

// autoWrite runs one write statement as an auto-commit transaction: one round trip, where a
// managed transaction takes three. Like read it runs the statement again after a retryable error,
// so the statement must be idempotent (a retry of a statement that committed but lost its answer
// changes nothing).
func (s *Store) autoWrite(ctx context.Context, query string, params map[string]any) error {
	return s.autoCommit(ctx, neo4j.AccessModeWrite, query, params, func() {}, func(*neo4j.Record) error { return nil })
}

// autoCommit runs one statement as an auto-commit transaction, at most maxAttempts times while it
// fails with a retryable error, calling start before each attempt and each on every record.
func (s *Store) autoCommit(ctx context.Context, mode neo4j.AccessMode, query string, params map[string]any,
	start func(), each func(*neo4j.Record) error) error {
	for attempt := 1; ; attempt++ {
		start()
		err := s.autoCommitOnce(ctx, mode, query, params, each)
		if err == nil || !retryable(err) || attempt == maxAttempts {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
		}
	}
}

// retryable reports whether a statement that failed with err may succeed when run again: what the
// driver calls retryable, and a connection lost while the answer streamed in, which the driver
// passes on as io.ErrUnexpectedEOF and does not call retryable (it wraps only io.EOF and network
// errors as a ConnectivityError).
func retryable(err error) bool {
	return neo4j.IsRetryable(err) || errors.Is(err, io.ErrUnexpectedEOF)
}

// autoCommitOnce runs the statement in a new session, fetching every record in one round trip;
// the driver reads them from the connection one at a time, as each asks for them.
func (s *Store) autoCommitOnce(ctx context.Context, mode neo4j.AccessMode, query string, params map[string]any,
	each func(*neo4j.Record) error) error {
	session := s.driver.NewSession(ctx, neo4j.SessionConfig{
		DatabaseName:    s.db,
		AccessMode:      mode,
		FetchSize:       neo4j.FetchAll,
		BookmarkManager: s.driver.ExecuteQueryBookmarkManager(), // reads see the writes before them
	})
	defer session.Close(context.WithoutCancel(ctx))
	res, err := session.Run(ctx, query, params)
	if err != nil {
		return err
	}
	for res.Next(ctx) {
		if err := each(res.Record()); err != nil {
			return err
		}
	}
	return res.Err()
}

// write runs work in a managed write transaction, which the driver retries on transient failures:
// work must be idempotent (start from scratch on every attempt).
func (s *Store) write(ctx context.Context, work func(tx neo4j.ManagedTransaction) error) error {
	session := s.driver.NewSession(ctx, neo4j.SessionConfig{
		DatabaseName:    s.db,
		AccessMode:      neo4j.AccessModeWrite,
		BookmarkManager: s.driver.ExecuteQueryBookmarkManager(), // reads after a write see it
	})
	defer session.Close(context.WithoutCancel(ctx))
	_, err := session.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		return nil, work(tx)
	})
	return err
}

// run runs one statement in tx and consumes its result.
func run(ctx context.Context, tx neo4j.ManagedTransaction, query string, params map[string]any) (neo4j.ResultSummary, error) {
	res, err := tx.Run(ctx, query, params)
	if err != nil {
		return nil, err
	}
	return res.Consume(ctx)
}

// collect runs one statement in tx and returns its records.
func collect(ctx context.Context, tx neo4j.ManagedTransaction, query string, params map[string]any) ([]*neo4j.Record, error) {
	res, err := tx.Run(ctx, query, params)
	if err != nil {
		return nil, err
	}
	return res.Collect(ctx)
}

// Neo4j status codes the store turns into domain errors.
const (
	codeConstraintViolation = "Neo.ClientError.Schema.ConstraintValidationFailed"
	codeServiceUnavailable  = "Neo.TransientError.General.DatabaseUnavailable"
	codeDatabaseNotFound    = "Neo.ClientError.Database.DatabaseNotFound"
)

// wrap turns driver errors into domain errors, once per method: domain errors pass through,
// cancellation stays cancellation (and an expired deadline is also UNAVAILABLE), connectivity
// failures and exhausted retries are UNAVAILABLE, a uniqueness violation (a concurrent writer took
// an id) is CONFLICT; anything else is internal, wrapped with the operation's name.
func wrap(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	var se *sarhad.Error
	if errors.As(err, &se) {
		return err
	}
	unavailable := &sarhad.Error{Code: sarhad.EUNAVAILABLE, Message: "the graph database is unavailable; retry"}
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return fmt.Errorf("neo4j: %s: %w", op, ctx.Err())
	case ctx.Err() != nil:
		return fmt.Errorf("neo4j: %s: %w: %w", op, unavailable, ctx.Err())
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("neo4j: %s: %w", op, err)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("neo4j: %s: %w: %w", op, unavailable, err)
	}
	var (
		conn  *neo4j.ConnectivityError
		limit *neo4j.TransactionExecutionLimit
		dbErr *neo4j.Neo4jError
	)
	switch {
	case errors.As(err, &conn), errors.As(err, &limit), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("neo4j: %s: %v: %w", op, err, unavailable)
	case errors.As(err, &dbErr):
		switch {
		case dbErr.Code == codeConstraintViolation:
			return fmt.Errorf("neo4j: %s: %v: %w", op, err,
				&sarhad.Error{Code: sarhad.ECONFLICT, Message: "a concurrent write took the same id; retry"})
		case dbErr.Code == codeServiceUnavailable, dbErr.Code == codeDatabaseNotFound, dbErr.IsRetriable():
			return fmt.Errorf("neo4j: %s: %v: %w", op, err, unavailable)
		}
	}
	return fmt.Errorf("neo4j: %s: %w", op, err)
}
