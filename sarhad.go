// Package sarhad is the language of the Sarhad knowledge graph: the entities and relationships of
// human-trafficking and migrant-smuggling investigations, the viewer who asks, the access policy,
// the Store interface that adapters implement, and the error codes every layer speaks.
//
// The package imports no adapter. Stores live in store/…, the GraphQL layer in graph/, and the two
// meet only in server/.
package sarhad
