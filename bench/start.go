package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sarhad/sarhad/auth"
)

// starter starts the systems of a run. Every system that talks to Neo4j gets a Bolt proxy of its
// own; the servers are separate processes, configured by the starter alone.
type starter struct {
	cfg       Config
	root, bin string // the module and the server binary
	target    Neo4jConfig
	addr      string // host:port of Neo4j, where the proxies forward to
	sqliteDir string // the loaded embedded store
	secret    string // HS256 secret the servers verify tokens with
	token     string // the benchmark viewer's token
}

func newStarter(cfg Config, root, bin string, target Neo4jConfig, addr, sqliteDir string) (*starter, error) {
	random := make([]byte, 32)
	rand.Read(random)
	secret := hex.EncodeToString(random) // Sarhad signs with the bytes of SARHAD_JWT_SECRET
	token, err := auth.Mint([]byte(secret), benchViewer(), "", time.Now(), 7*24*time.Hour)
	if err != nil {
		return nil, err
	}
	return &starter{cfg: cfg, root: root, bin: bin, target: target, addr: addr, sqliteDir: sqliteDir, secret: secret, token: token}, nil
}

// start starts the systems named, in report order, and records their status in res. A system
// that cannot run here (the Node server without node or its packages) is skipped with the reason;
// the Node server failing to start is recorded as a failure; Sarhad or Cypher failing to start
// fails the run (the systems started so far are returned, to be closed).
func (st *starter) start(ctx context.Context, names []string, queries []Query, res *Results, log io.Writer) ([]system, error) {
	var systems []system
	for _, name := range Systems() {
		if !slices.Contains(names, name) {
			continue
		}
		status := SystemStatus{Name: name, NeedsNeo4j: name != SystemSarhadSQLite, ServerProcess: name != SystemCypher}
		var (
			s   system
			err error
		)
		switch name {
		case SystemSarhadNeo4j, SystemSarhadSQLite:
			s, err = st.sarhad(ctx, name, queries)
		case SystemCypher:
			s, err = st.cypher(ctx)
		case SystemNeo4jGraphQL:
			dir := filepath.Join(st.root, "bench", "neo4jgraphql")
			if status.Skipped = nodeMissing(dir); status.Skipped == "" {
				if s, err = st.neo4jGraphQL(ctx, dir, queries); err != nil {
					status.Skipped, err = "failed to start: "+err.Error(), nil
				}
			}
		}
		if err != nil {
			return systems, err
		}
		if status.Skipped != "" {
			fmt.Fprintf(log, "%s not run: %s\n", name, status.Skipped)
			res.Systems = append(res.Systems, status)
			continue
		}
		for _, q := range queries {
			if s.supports(q.ID) {
				status.Queries = append(status.Queries, q.ID)
			}
		}
		res.Systems = append(res.Systems, status)
		systems = append(systems, s)
		fmt.Fprintf(log, "%s ready (%s)\n", name, strings.Join(status.Queries, " "))
	}
	return systems, nil
}

// sarhad starts Sarhad's server on Neo4j (through a proxy) or on the loaded embedded store.
func (st *starter) sarhad(ctx context.Context, name string, queries []Query) (system, error) {
	env := []string{"SARHAD_JWT_SECRET=" + st.secret, "SARHAD_ADDR=127.0.0.1:0", "SARHAD_LOG_FORMAT=json",
		"SARHAD_REQUEST_TIMEOUT=" + st.cfg.RequestTimeout.String(), "SARHAD_DATA=" + st.sqliteDir}
	var proxy *BoltProxy
	if name == SystemSarhadNeo4j {
		var err error
		if proxy, err = NewBoltProxy(st.addr); err != nil {
			return nil, err
		}
		env = append(env, st.neo4jEnv(proxy)...)
	}
	cmd := exec.Command(st.bin)
	cmd.Env = childEnv(env...)
	proc, url, err := startProcess(ctx, name, cmd, st.logPath(name), sarhadListening)
	if err != nil {
		if proxy != nil {
			proxy.Close()
		}
		return nil, err
	}
	return &graphQLSystem{system: name, url: url, token: st.token, client: st.httpClient(), docs: sarhadDocs(queries),
		answer: graphQLAnswer, proc: proc, proxy: proxy}, nil
}

// cypher connects the hand-written Cypher through a proxy.
func (st *starter) cypher(ctx context.Context) (system, error) {
	proxy, err := NewBoltProxy(st.addr)
	if err != nil {
		return nil, err
	}
	s, err := newCypherSystem(ctx, st.target, proxy, benchViewer())
	if err != nil {
		proxy.Close()
		return nil, err
	}
	return s, nil
}

// neo4jGraphQL starts bench/neo4jgraphql/server.mjs through a proxy, for the questions its
// queries.json expresses.
func (st *starter) neo4jGraphQL(ctx context.Context, dir string, queries []Query) (system, error) {
	docs, err := neo4jGraphQLDocs(dir, queries)
	if err != nil {
		return nil, err
	}
	proxy, err := NewBoltProxy(st.addr)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("node", "server.mjs")
	cmd.Dir = dir
	cmd.Env = childEnv(append(st.neo4jEnv(proxy), "PORT=0", "JWT_SECRET="+st.secret)...)
	proc, url, err := startProcess(ctx, SystemNeo4jGraphQL, cmd, st.logPath(SystemNeo4jGraphQL), nodeListening)
	if err != nil {
		proxy.Close()
		return nil, err
	}
	return &graphQLSystem{system: SystemNeo4jGraphQL, url: url, token: st.token, client: st.httpClient(), docs: docs,
		answer: neo4jGraphQLAnswer, proc: proc, proxy: proxy}, nil
}

// neo4jEnv is the environment that points a server at Neo4j through proxy.
func (st *starter) neo4jEnv(proxy *BoltProxy) []string {
	env := []string{"NEO4J_URI=" + proxy.URI()}
	if st.target.Username != "" {
		env = append(env, "NEO4J_USERNAME="+st.target.Username, "NEO4J_PASSWORD="+st.target.Password)
	}
	if st.target.Database != "" {
		env = append(env, "NEO4J_DATABASE="+st.target.Database)
	}
	return env
}

func (st *starter) logPath(name string) string {
	if st.cfg.Out == "" {
		return os.DevNull
	}
	return filepath.Join(st.cfg.Out, "logs", name+".log")
}

func (st *starter) httpClient() *http.Client {
	return newHTTPClient(2*slices.Max(st.cfg.Concurrency), st.cfg.RequestTimeout)
}

// nodeMissing says why the @neo4j/graphql server cannot run from dir, or "" when it can.
func nodeMissing(dir string) string {
	if _, err := exec.LookPath("node"); err != nil {
		return "node is not installed"
	}
	for _, f := range []string{"server.mjs", "queries.json", "node_modules"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			if f == "node_modules" {
				return "its packages are not installed (npm ci --prefix bench/neo4jgraphql)"
			}
			return "bench/neo4jgraphql/" + f + " is missing"
		}
	}
	return ""
}
