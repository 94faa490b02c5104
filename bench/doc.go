// Package bench is Sarhad's performance benchmark (issue 7): it loads a generated national-scale
// graph (package gen) into Neo4j and into the embedded store, runs a fixed workload of eight
// investigator questions (Q1–Q8) against several systems answering them over the same data —
// Sarhad on Neo4j and on the embedded store as server processes, hand-written Cypher through the
// Go driver in process (the lower bound), and @neo4j/graphql served by a small Node server — at
// several concurrencies, and reports latency percentiles, throughput, server memory and Bolt round
// trips per request as a Markdown table, plots and JSON. Run it with cmd/sarhad-bench.
//
// Every system reaches Neo4j through its own BoltProxy, which counts the Bolt messages and round
// trips each request costs.
package bench
