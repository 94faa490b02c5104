package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Observer learns how each operation went; the server's metrics implement it.
type Observer interface {
	// Begin is called when an operation starts to execute; the context it returns is the
	// operation's (store calls made under it can be counted against the operation).
	Begin(ctx context.Context) context.Context
	// End is called with every response, refused requests included: the operation's first root
	// field ("" when the request was refused before its operation was known), its type (query,
	// mutation; "" likewise), how long it took, and the codes of its errors.
	End(ctx context.Context, field, opType string, d time.Duration, codes []string)
}

// observer is the gqlgen extension that reports operations to an Observer.
type observer struct{ o Observer }

var (
	_ graphql.HandlerExtension     = observer{}
	_ graphql.OperationInterceptor = observer{}
	_ graphql.ResponseInterceptor  = observer{}
)

func (observer) ExtensionName() string                          { return "Observer" }
func (observer) Validate(schema graphql.ExecutableSchema) error { return nil }

type observedKey struct{}

func (x observer) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	return next(context.WithValue(x.o.Begin(ctx), observedKey{}, true))
}

func (x observer) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	start := time.Now()
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	field, typ := "", ""
	if graphql.HasOperationContext(ctx) {
		oc := graphql.GetOperationContext(ctx)
		if !oc.Stats.OperationStart.IsZero() {
			start = oc.Stats.OperationStart
		}
		if op := oc.Operation; op != nil {
			typ = string(op.Operation)
			field = rootField(op.SelectionSet)
		}
	}
	codes := make([]string, 0, len(resp.Errors))
	for _, e := range resp.Errors {
		codes = append(codes, errorCode(e))
	}
	x.o.End(ctx, field, typ, time.Since(start), codes)
	return resp
}

// rootField names the first root field of a selection set, looking into fragments.
func rootField(set ast.SelectionSet) string {
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			return s.Name
		case *ast.InlineFragment:
			if f := rootField(s.SelectionSet); f != "" {
				return f
			}
		case *ast.FragmentSpread:
			if s.Definition != nil {
				if f := rootField(s.Definition.SelectionSet); f != "" {
					return f
				}
			}
		}
	}
	return ""
}

func errorCode(e *gqlerror.Error) string {
	if c, ok := e.Extensions["code"].(string); ok {
		return c
	}
	return "UNKNOWN"
}
