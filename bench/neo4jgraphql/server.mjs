// The @neo4j/graphql side of Sarhad's benchmark: the type definitions of schema.graphql over the
// Neo4j data Sarhad writes, served by Apollo Server's standalone HTTP server.
//
//   NEO4J_URI=bolt://127.0.0.1:7687 JWT_SECRET=… PORT=0 node bench/neo4jgraphql/server.mjs
//
// Environment:
//   NEO4J_URI                      Bolt URI (required)
//   NEO4J_USERNAME, NEO4J_PASSWORD basic auth; no auth when NEO4J_USERNAME is unset
//   NEO4J_DATABASE                 database name; the server's default when unset
//   JWT_SECRET                     HS256 secret of the bearer tokens (required: the access policy
//                                  is evaluated on the token's claims org, country, clearances)
//   PORT                           port on 127.0.0.1; 0 or unset: a free port
//   NEO4J_TCP_NODELAY              "false" keeps Nagle's algorithm on the Bolt sockets (see below)
//
// When it is ready it prints one line to stdout, `listening http://127.0.0.1:<port>/graphql`, and
// nothing else. SIGTERM or SIGINT stops it cleanly (exit status 0).
import { readFile } from "node:fs/promises";
import net from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

function fail(message) {
  process.stderr.write(`neo4jgraphql: ${message}\n`);
  process.exit(2);
}

const uri = process.env.NEO4J_URI;
if (!uri) fail("NEO4J_URI is required (bolt://host:port)");
const secret = process.env.JWT_SECRET;
if (!secret) fail("JWT_SECRET is required: the HS256 secret of the bearer tokens (claims: org, country, clearances)");
const port = Number(process.env.PORT || 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`PORT ${process.env.PORT} is not a port number`);
const database = process.env.NEO4J_DATABASE || undefined;

// neo4j-driver for JavaScript (5.28) leaves Nagle's algorithm on for its Bolt sockets: with Linux's
// delayed ACKs a transaction then waits about 40 ms on the network for nothing (measured: a Q1
// transaction took 55 ms instead of 13 ms). The Go driver Sarhad uses disables Nagle (Go's default),
// so, to compare the GraphQL layers rather than a socket option, the driver's sockets get
// TCP_NODELAY here; NEO4J_TCP_NODELAY=false measures the driver as shipped. The driver opens its
// sockets with net.connect; nothing else in this process does.
if (process.env.NEO4J_TCP_NODELAY !== "false") {
  const connect = net.connect;
  net.connect = function connectNoDelay(...args) {
    return connect.apply(this, args).setNoDelay(true);
  };
}

const auth = process.env.NEO4J_USERNAME
  ? neo4j.auth.basic(process.env.NEO4J_USERNAME, process.env.NEO4J_PASSWORD ?? "")
  : undefined;
const driver = neo4j.driver(uri, auth, { userAgent: "sarhad-bench-neo4jgraphql" });

const typeDefs = await readFile(new URL("./schema.graphql", import.meta.url), "utf8");
const neoSchema = new Neo4jGraphQL({
  typeDefs,
  driver,
  features: {
    authorization: { key: secret, verifyOptions: { algorithms: ["HS256"] } },
    filters: { String: { CASE_INSENSITIVE: true } }, // Q2: Sarhad's search ignores case
    excludeDeprecatedFields: {
      mutationOperations: true,
      aggregationFilters: true,
      aggregationFiltersOutsideConnection: true,
      relationshipFilters: true,
      attributeFilters: true,
    },
  },
});

// Apollo's standalone server does not report a failed listen (port in use) to its caller.
const onStartupError = (err) => fail(`cannot start: ${err?.message ?? err}`);
process.once("uncaughtException", onStartupError);

let server;
try {
  await driver.verifyConnectivity(database ? { database } : undefined);
  const schema = await neoSchema.getSchema();
  server = new ApolloServer({
    schema,
    introspection: false,
    includeStacktraceInErrorResponses: false,
    stopOnTerminationSignals: false, // stopped below, with the driver, and exit status 0
    plugins: [ApolloServerPluginLandingPageDisabled()],
  });
  const { url } = await startStandaloneServer(server, {
    listen: { host: "127.0.0.1", port },
    context: async ({ req }) => ({
      token: req.headers.authorization,
      ...(database ? { sessionConfig: { database } } : {}),
    }),
  });
  const { port: actual } = new URL(url);
  process.removeListener("uncaughtException", onStartupError);
  process.stdout.write(`listening http://127.0.0.1:${actual}/graphql\n`);
} catch (err) {
  await driver.close().catch(() => {});
  fail(`cannot start: ${err?.message ?? err}`);
}

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  try {
    await server.stop(); // drains open HTTP connections
    await driver.close();
    process.exit(0);
  } catch (err) {
    process.stderr.write(`neo4jgraphql: stop: ${err?.message ?? err}\n`);
    process.exit(1);
  }
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
