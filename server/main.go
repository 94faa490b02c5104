// Command server runs Sarhad: the GraphQL API at /graphql, GraphiQL at /, /healthz and /readyz.
// `server import` and `server export` load files into the store and write what a viewer may see.
//
// With no token secret configured it runs in demo mode on the embedded store: it generates a secret,
// loads the demo dataset into an empty store and prints a ready-made token for each role.
package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/auth"
	"github.com/sarhad/sarhad/metrics"
	"github.com/sarhad/sarhad/spool"
	neo4jstore "github.com/sarhad/sarhad/store/neo4j"
	"github.com/sarhad/sarhad/store/sqlite"
	"golang.org/x/sync/semaphore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ok, err := command(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if !ok {
		err = run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, nil)
	}
	switch {
	case errors.Is(err, errRejected):
		os.Exit(2) // imported, with rejected records (listed)
	case err != nil:
		fmt.Fprintln(os.Stderr, "sarhad:", err)
		os.Exit(1)
	}
}

// run starts the server and serves until ctx is cancelled, then shuts down gracefully. When ready is
// not nil it receives the listening address once the server accepts connections.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, ready chan<- string) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	logger := newLogger(cfg.LogFormat, stderr)
	store, storeName, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	m := metrics.New()
	store = m.Store(store)
	// An answer waits for its audit entry to be on disk: in a local spool, from which the entries are
	// written into the store in the background (package spool).
	sp, err := spool.Open(auditSpoolDir(cfg), store, spool.Options{Logger: logger})
	if err != nil {
		return err
	}
	defer sp.Close()
	store = sp
	// As many aggregate questions gather their data at once as there are processors to run them.
	svc := &sarhad.Service{Store: store, Now: time.Now, Rand: rand.Reader,
		Aggregates: semaphore.NewWeighted(int64(runtime.GOMAXPROCS(0)))}

	// Before anything is served: persons that stored relationships name victims are protected as
	// victims (relationships stored before Apply refused them, or written into Neo4j by other means).
	recorded, err := svc.RecordNamedVictims(sarhad.NewContext(ctx, sarhad.SystemViewer()))
	if len(recorded) > 0 {
		logger.Warn("recorded as victims persons that stored relationships name victims (audited)", "persons", len(recorded))
	}
	if err != nil {
		return fmt.Errorf("recording the victims that relationships name: %w", err)
	}

	secret := []byte(cfg.JWTSecret)
	if cfg.Demo() {
		if secret, err = startDemo(ctx, cfg, logger, store, stdout); err != nil {
			return err
		}
	}
	// The entries of the work above are in the store before anything is served.
	syncCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err = sp.Sync(syncCtx)
	cancel()
	if err != nil {
		return fmt.Errorf("writing the audit entries of the start: %w", err)
	}
	verifier, err := auth.NewVerifier(ctx, auth.Options{Secret: secret, JWKS: cfg.JWKS,
		Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience, Logger: logger})
	if err != nil {
		return err
	}
	defer verifier.Close()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           routes(cfg, logger, store, svc, verifier, m),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      cfg.RequestTimeout + 10*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("sarhad listening", "addr", ln.Addr().String(), "store", storeName, "data", cfg.DataDir,
		"demo", cfg.Demo(), "introspection", cfg.Introspection)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// openStore opens Neo4j when a URI is configured, the embedded store otherwise.
func openStore(ctx context.Context, cfg *config) (sarhad.Store, string, error) {
	if cfg.Neo4jURI != "" {
		st, err := neo4jstore.Open(ctx, neo4jstore.Config{URI: cfg.Neo4jURI, Username: cfg.Neo4jUsername,
			Password: cfg.Neo4jPassword, Database: cfg.Neo4jDatabase})
		return st, "neo4j", err
	}
	st, err := sqlite.Open(ctx, cfg.DataDir)
	return st, "embedded", err
}

// auditSpoolDir is the directory of the audit spool of the configured store, under the data
// directory: one per store, so that entries left by a stopped server go into the store it used.
func auditSpoolDir(cfg *config) string {
	name := "embedded"
	if cfg.Neo4jURI != "" {
		sum := sha256.Sum256([]byte(cfg.Neo4jURI + "\x00" + cfg.Neo4jDatabase))
		name = "neo4j-" + hex.EncodeToString(sum[:8])
	}
	return filepath.Join(cfg.DataDir, "audit-spool", name)
}

func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}
