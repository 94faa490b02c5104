// Package graph is the GraphQL layer: the generated executor, thin resolvers that decode arguments
// and call one domain method each, and per-request dataloaders that batch nested fields.
package graph

//go:generate go tool gqlgen generate

import "github.com/sarhad/sarhad"

// Resolver is the root resolver. It holds no request state.
type Resolver struct {
	Service *sarhad.Service
}
