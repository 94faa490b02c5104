package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// bareEdges reports whether the field resolved in ctx, whose type is typ (Subgraph, Path), selects
// of its edges nothing that a bare relationship lacks (sarhad.RelationshipQuery.Bare): only their
// id, type, ends and handling, as a drawing of the graph does. The store may then leave the rest
// (properties, sources, stamps) unread. The handling is kept for the audit too (noteSensitive).
func bareEdges(ctx context.Context, typ string) bool {
	op := graphql.GetOperationContext(ctx)
	for _, f := range graphql.CollectFieldsCtx(ctx, []string{typ}) {
		if f.Name != "edges" {
			continue
		}
		for _, g := range graphql.CollectFields(op, f.Selections, []string{"Relationship"}) {
			switch g.Name {
			case "id", "type", "fromId", "toId", "from", "to", "handling", "__typename":
			default:
				return false
			}
		}
	}
	return true
}
