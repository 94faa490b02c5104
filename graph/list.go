package graph

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/sarhad/sarhad"
)

// list runs a list query of one kind and returns its items as T with paging.
func list[T sarhad.Entity](ctx context.Context, svc *sarhad.Service, kind sarhad.EntityKind, conds []sarhad.Condition, condErr error, first *int, after *string) ([]T, *PageInfo, int, error) {
	if condErr != nil {
		return nil, nil, 0, condErr
	}
	page, err := listPage(first, after)
	if err != nil {
		return nil, nil, 0, err
	}
	// The matches are counted only for a client that asks for totalCount.
	noTotal := !slices.Contains(graphql.CollectAllFields(ctx), "totalCount")
	res, err := svc.List(ctx, sarhad.ListQuery{Kind: kind, Conditions: conds, Page: page, NoTotal: noTotal})
	if err != nil {
		return nil, nil, 0, err
	}
	prime(ctx, res.Entities...)
	items := only[T](res.Entities)
	return items, pageInfo(items, res.HasNextPage), res.TotalCount, nil
}

// edges pairs items with their cursors.
func edges[T sarhad.Entity, E any](items []T, edge func(cursor string, node T) E) []E {
	out := make([]E, len(items))
	for i, it := range items {
		out[i] = edge(idCursor(it.EntityMeta().ID), it)
	}
	return out
}

// writeOptions gathers the envelope of a write input.
func writeOptions(h *sarhad.Handling, sourceIDs []string, sourceKey *string) sarhad.WriteOptions {
	o := sarhad.WriteOptions{Handling: h, SourceIDs: sourceIDs}
	if sourceKey != nil {
		o.SourceKey = *sourceKey
	}
	return o
}

// created narrows the entity a write returned to its Go type.
func created[T sarhad.Entity](e sarhad.Entity, err error) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	t, ok := e.(T)
	if !ok {
		return zero, sarhad.Errorf(sarhad.EINTERNAL, "unexpected %T", e)
	}
	return t, nil
}
