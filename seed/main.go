// Command seed loads Sarhad's demo dataset (package seed/demo) into a store and prints what it
// changed. Loading is idempotent: a second run reports every record unchanged.
//
//	go run ./seed                 # embedded store in $SARHAD_DATA, default ./sarhad-data
//	go run ./seed -data /tmp/x    # another directory
//
//	NEO4J_URI=neo4j://localhost:7687 go run ./seed   # Neo4j (NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE)
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/seed/demo"
	neo4jstore "github.com/sarhad/sarhad/store/neo4j"
	"github.com/sarhad/sarhad/store/sqlite"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

// run parses the flags, opens the configured store and loads the dataset into it.
func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	dataDir := fs.String("data", cmp.Or(getenv("SARHAD_DATA"), "./sarhad-data"),
		"directory of the embedded store (env SARHAD_DATA)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if uri := getenv("NEO4J_URI"); uri != "" {
		st, err := neo4jstore.Open(ctx, neo4jstore.Config{URI: uri, Username: getenv("NEO4J_USERNAME"),
			Password: getenv("NEO4J_PASSWORD"), Database: getenv("NEO4J_DATABASE")})
		if err != nil {
			return err
		}
		defer st.Close()
		fmt.Fprintf(out, "loading the demo dataset into Neo4j at %s\n", uri)
		return seed(ctx, st, out)
	}
	st, err := sqlite.Open(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(out, "loading the demo dataset into the embedded store in %s\n", *dataDir)
	return seed(ctx, st, out)
}

// seed loads the demo dataset into any store and prints the counts; it is where every store
// backend meets the loader.
func seed(ctx context.Context, st sarhad.Store, out io.Writer) error {
	cs := demo.Dataset()
	res, err := demo.Load(ctx, st)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%d entities and %d relationships: created %d, updated %d, unchanged %d\n",
		len(cs.Put), len(cs.Link), res.Created, res.Updated, res.Unchanged)
	return nil
}
