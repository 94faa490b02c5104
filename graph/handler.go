package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/sarhad/sarhad"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Options configure the GraphQL handler.
type Options struct {
	// Introspection enables schema introspection (demo and development only).
	Introspection bool
	// Logger receives internal errors; clients never see their details.
	Logger *slog.Logger
	// BatchWait is how long dataloaders gather keys; DefaultBatchWait when zero.
	BatchWait time.Duration
	// Limits bound what one request may ask for; zero fields take DefaultLimits.
	Limits Limits
	// Observer, when set, learns how every operation went (metrics).
	Observer Observer
}

// NewHandler returns the GraphQL-over-HTTP handler: POST and GET (queries only) transports, a parsed
// query cache, request limits, per-request loaders over store, and the error presenter.
func NewHandler(svc *sarhad.Service, store sarhad.Store, opts Options) http.Handler {
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	schema := NewExecutableSchema(Config{Resolvers: &Resolver{Service: svc}, Complexity: Complexity()})
	srv := handler.New(schema)
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.AddTransport(transport.GRAPHQL{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	installLimits(srv, opts.Limits, opts.Introspection)
	if opts.Introspection {
		srv.Use(extension.Introspection{})
	}
	if opts.Observer != nil {
		srv.Use(observer{opts.Observer})
	}
	srv.Use(auditor{svc: svc, logger: logger, enums: enumValues(schema.Schema())})
	srv.SetErrorPresenter(errorPresenter(logger))
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		logger.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(p))
		return sarhad.Errorf(sarhad.EINTERNAL, "internal error")
	})
	wait := opts.BatchWait
	if wait <= 0 {
		wait = DefaultBatchWait
	}
	return WithLoaders(store, wait, markGET(srv))
}

// errorPresenter is the single place where errors become GraphQL errors with extensions.code.
// Domain errors keep their code and message (and name the offending field); errors of the GraphQL
// layer itself (parse, validation) keep gqlgen's code; anything else is logged and reported as
// INTERNAL without details.
func errorPresenter(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var se *sarhad.Error
		switch {
		case errors.As(err, &se):
			gqlErr.Message = se.Message
			setCode(gqlErr, se.Code)
			if se.Field != "" {
				gqlErr.Extensions["field"] = se.Field
			}
			var le *LimitError
			if errors.As(err, &le) {
				gqlErr.Extensions["limit"] = le.Limit
			}
		case errors.Is(err, context.DeadlineExceeded):
			gqlErr.Message = "the request took too long"
			setCode(gqlErr, sarhad.EUNAVAILABLE)
		case errors.Is(err, context.Canceled):
			gqlErr.Message = "the request was cancelled"
			setCode(gqlErr, sarhad.EUNAVAILABLE)
		case strings.HasPrefix(gqlErr.Message, "json request body could not be decoded"):
			// gqlgen quotes the whole body here; never echo what a client sent.
			gqlErr.Message = "the request body is not a valid GraphQL-over-HTTP JSON object"
			setCode(gqlErr, sarhad.EINVALID)
		case gqlErr.Extensions["code"] != nil:
			// parse and validation errors of the GraphQL layer carry their own code
		case gqlErr.Err == nil || isInputError(gqlErr):
			setCode(gqlErr, sarhad.EINVALID)
		default:
			logger.ErrorContext(ctx, "internal error", "path", gqlErr.Path.String(), "err", err)
			gqlErr.Message = "internal error"
			setCode(gqlErr, sarhad.EINTERNAL)
		}
		return gqlErr
	}
}

// isInputError reports errors that gqlgen raises while decoding arguments and variables.
func isInputError(e *gqlerror.Error) bool {
	var inner *gqlerror.Error
	return errors.As(e.Err, &inner)
}

func setCode(e *gqlerror.Error, code string) {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = code
}
