// Package neo4jtest gives tests a real Neo4j: the one named by NEO4J_URI (with NEO4J_USERNAME,
// NEO4J_PASSWORD, NEO4J_DATABASE) when set, otherwise one started by tools/neo4j for the test binary.
// Without either, tests skip with the reason — except in CI (CI=true), where they fail loudly.
//
// Community edition has one user database, so packages sharing a Neo4j must not run their tests at
// the same time (the test command runs packages one at a time).
package neo4jtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	neo4jstore "github.com/sarhad/sarhad/store/neo4j"
)

// SkipMessage explains why Neo4j tests were skipped.
const SkipMessage = "Neo4j tests skipped: set NEO4J_URI, or install Java 17 and Maven so that tools/neo4j can start one"

// Env is the Neo4j a test binary uses.
type Env struct {
	Config     neo4jstore.Config
	SkipReason string
}

// Main runs a test binary's tests with a Neo4j (call it from TestMain) and returns the exit code.
// It starts tools/neo4j when NEO4J_URI is not set, and stops it afterwards.
func Main(m *testing.M, env *Env) int {
	if uri := os.Getenv("NEO4J_URI"); uri != "" {
		env.Config = neo4jstore.Config{URI: uri, Username: os.Getenv("NEO4J_USERNAME"),
			Password: os.Getenv("NEO4J_PASSWORD"), Database: os.Getenv("NEO4J_DATABASE")}
		return m.Run()
	}
	if !CanLaunch() {
		if os.Getenv("CI") == "true" {
			fmt.Fprintln(os.Stderr, "FAIL: CI=true but no Neo4j: set NEO4J_URI or install Java 17 and Maven for tools/neo4j")
			return 1
		}
		env.SkipReason = SkipMessage
		return m.Run()
	}
	l, err := Launch(0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		return 1
	}
	defer l.Close()
	env.Config = neo4jstore.Config{URI: l.URI}
	return m.Run()
}

// Need skips the test when no Neo4j is available (never in CI, where Main fails instead).
func (e *Env) Need(tb testing.TB) {
	tb.Helper()
	if e.SkipReason != "" {
		tb.Skip(e.SkipReason)
	}
}

// Empty deletes every node and relationship (the schema stays).
func (e *Env) Empty(tb testing.TB) {
	tb.Helper()
	if err := Empty(context.Background(), e.Config); err != nil {
		tb.Fatalf("emptying Neo4j: %v", err)
	}
}

// Empty deletes every node and relationship of the configured database, in batches.
func Empty(ctx context.Context, cfg neo4jstore.Config) error {
	auth := neo4j.NoAuth()
	if cfg.Username != "" {
		auth = neo4j.BasicAuth(cfg.Username, cfg.Password, "")
	}
	driver, err := neo4j.NewDriverWithContext(cfg.URI, auth)
	if err != nil {
		return err
	}
	defer driver.Close(ctx)
	db := cfg.Database
	if db == "" {
		db = neo4jstore.DefaultDatabase
	}
	session := driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: db})
	defer session.Close(ctx)
	// CALL … IN TRANSACTIONS runs only in an implicit (auto-commit) transaction. Relationships go
	// first: DETACH DELETE of 10,000 well-connected nodes in one transaction can exhaust a small
	// heap (the tools/neo4j default of 512 MiB did after a bulk benchmark).
	for _, q := range []string{
		"MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS",
		"MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS",
	} {
		res, err := session.Run(ctx, q, nil)
		if err == nil {
			_, err = res.Consume(ctx)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// CanLaunch reports whether tools/neo4j can run here (Java and Maven on the PATH).
func CanLaunch() bool {
	_, javaErr := exec.LookPath("java")
	_, mvnErr := exec.LookPath("mvn")
	return javaErr == nil && mvnErr == nil
}

// Launcher is a Neo4j started by tools/neo4j on a data directory of its own.
type Launcher struct {
	URI   string
	Port  int
	dir   string
	tools string
}

// Launch builds (if needed) and starts a Neo4j on port (0: a free one) in a new temporary data
// directory.
func Launch(port int) (*Launcher, error) {
	tools, err := toolsDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "sarhad-neo4j-")
	if err != nil {
		return nil, err
	}
	if port == 0 {
		if port, err = freePort(); err != nil {
			return nil, err
		}
	}
	l := &Launcher{Port: port, dir: dir, tools: tools}
	if err := l.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return l, nil
}

// Start starts the launcher's Neo4j (again) on its data directory and port.
func (l *Launcher) Start() error {
	uriFile := filepath.Join(l.dir, "uri")
	cmd := exec.Command(filepath.Join(l.tools, "start.sh"), l.dir, uriFile, strconv.Itoa(l.Port))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("tools/neo4j/start.sh: %w", err)
	}
	uri, err := os.ReadFile(uriFile)
	if err != nil {
		return fmt.Errorf("launcher URI: %w", err)
	}
	l.URI = strings.TrimSpace(string(uri))
	return nil
}

// Stop stops the Neo4j cleanly; Start brings it back with its data.
func (l *Launcher) Stop() error {
	cmd := exec.Command(filepath.Join(l.tools, "stop.sh"), l.dir)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("tools/neo4j/stop.sh: %w", err)
	}
	return nil
}

// Close stops the Neo4j and removes its data directory.
func (l *Launcher) Close() error {
	err := l.Stop()
	return errors.Join(err, os.RemoveAll(l.dir))
}

// toolsDir finds tools/neo4j from the module root above the working directory.
func toolsDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "tools", "neo4j"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("tools/neo4j not found: no go.mod above the working directory")
		}
		dir = parent
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
