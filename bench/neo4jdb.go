package bench

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	neo4jstore "github.com/sarhad/sarhad/store/neo4j"
	"github.com/sarhad/sarhad/store/neo4j/neo4jtest"
)

// Neo4jConfig says which Neo4j the benchmark uses.
type Neo4jConfig struct {
	URI      string // bolt:// or neo4j://, without TLS (the Bolt proxies read the stream)
	Username string // empty: no authentication
	Password string
	Database string // empty: neo4j
}

// store is the configuration of Sarhad's Neo4j store for the same database at uri.
func (c Neo4jConfig) store(uri string) neo4jstore.Config {
	return neo4jstore.Config{URI: uri, Username: c.Username, Password: c.Password, Database: c.Database}
}

// address returns the host:port of the server the URI names.
func (c Neo4jConfig) address() (string, error) {
	u, err := url.Parse(c.URI)
	if err != nil {
		return "", fmt.Errorf("NEO4J_URI %q: %w", c.URI, err)
	}
	switch u.Scheme {
	case "bolt", "neo4j":
	default:
		return "", fmt.Errorf("NEO4J_URI %q: the benchmark needs bolt:// or neo4j:// without TLS, to count Bolt messages", c.URI)
	}
	port := cmp.Or(u.Port(), "7687")
	return net.JoinHostPort(u.Hostname(), port), nil
}

func (c Neo4jConfig) driver() (neo4j.DriverWithContext, error) {
	auth := neo4j.NoAuth()
	if c.Username != "" {
		auth = neo4j.BasicAuth(c.Username, c.Password, "")
	}
	return neo4j.NewDriverWithContext(c.URI, auth)
}

// countNodes returns how many nodes the database holds.
func countNodes(ctx context.Context, c Neo4jConfig) (int64, error) {
	d, err := c.driver()
	if err != nil {
		return 0, err
	}
	defer d.Close(ctx)
	res, err := neo4j.ExecuteQuery(ctx, d, "MATCH (n) RETURN count(n) AS n", nil, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(cmp.Or(c.Database, neo4jstore.DefaultDatabase)))
	if err != nil {
		return 0, err
	}
	n, _ := res.Records[0].Values[0].(int64)
	return n, nil
}

// emptyDatabase deletes every node and relationship, in batches (the schema stays), as the store
// tests do.
func emptyDatabase(ctx context.Context, c Neo4jConfig) error {
	err := neo4jtest.Empty(ctx, c.store(c.URI))
	if err != nil {
		return fmt.Errorf("emptying Neo4j: %w", err)
	}
	return nil
}

// launchedNeo4j is a Neo4j started with tools/neo4j for the run.
type launchedNeo4j struct {
	dir, tools string
}

// launchNeo4j starts tools/neo4j on a new data directory under tmp. heap and pageCache size the
// JVM and Neo4j's page cache unless NEO4J_LAUNCHER_JAVA_OPTS or NEO4J_LAUNCHER_PAGECACHE are set.
func launchNeo4j(ctx context.Context, root, tmp string, port int, heap, pageCache string, log io.Writer) (*launchedNeo4j, string, error) {
	l := &launchedNeo4j{dir: filepath.Join(tmp, "neo4j"), tools: filepath.Join(root, "tools", "neo4j")}
	uriFile := filepath.Join(l.dir, "uri")
	if err := os.MkdirAll(l.dir, 0o755); err != nil {
		return nil, "", err
	}
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(l.tools, "start.sh"), l.dir, uriFile, strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Env = os.Environ()
	if os.Getenv("NEO4J_LAUNCHER_JAVA_OPTS") == "" {
		cmd.Env = append(cmd.Env, "NEO4J_LAUNCHER_JAVA_OPTS=-Xms"+heap+" -Xmx"+heap+" -XX:+ExitOnOutOfMemoryError -Dlog4j2.disable.jmx=true")
	}
	if os.Getenv("NEO4J_LAUNCHER_PAGECACHE") == "" {
		cmd.Env = append(cmd.Env, "NEO4J_LAUNCHER_PAGECACHE="+pageCache)
	}
	if err := cmd.Run(); err != nil {
		return nil, "", fmt.Errorf("tools/neo4j/start.sh: %w", err)
	}
	uri, err := os.ReadFile(uriFile)
	if err != nil {
		return nil, "", err
	}
	return l, strings.TrimSpace(string(uri)), nil
}

// stop stops the launched Neo4j.
func (l *launchedNeo4j) stop(log io.Writer) error {
	cmd := exec.Command("bash", filepath.Join(l.tools, "stop.sh"), l.dir)
	cmd.Stdout, cmd.Stderr = log, log
	return cmd.Run()
}
