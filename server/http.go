package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"time"

	"github.com/rs/cors"
	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/auth"
	"github.com/sarhad/sarhad/graph"
	"github.com/sarhad/sarhad/metrics"
	"github.com/sarhad/sarhad/server/graphiql"
)

// routes returns the server's HTTP handler.
func routes(cfg *config, logger *slog.Logger, store sarhad.Store, svc *sarhad.Service, verifier *auth.Verifier, m *metrics.Metrics) http.Handler {
	mux := http.NewServeMux()
	api := graph.NewHandler(svc, store, graph.Options{Introspection: cfg.Introspection, Logger: logger, Limits: cfg.Limits, Observer: m})
	if cfg.Metrics {
		mux.Handle("GET /metrics", m.Handler())
	}
	mux.Handle("/graphql", checkContentType(deadline(cfg.RequestTimeout, auth.Middleware(verifier, limitBody(cfg.MaxBodyBytes, svc, api)))))
	mux.Handle("GET /{$}", graphiql.Handler("Sarhad", "/graphql"))
	mux.Handle("HEAD /{$}", graphiql.Handler("Sarhad", "/graphql"))
	mux.Handle("/graphiql/", graphiql.Handler("Sarhad", "/graphql"))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := store.Ping(ctx); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": sarhad.ErrorMessage(err)})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	c := cors.New(cors.Options{
		AllowedOrigins: cfg.CORSOrigins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost},
		AllowedHeaders: []string{"Authorization", "Content-Type", "Accept"},
		MaxAge:         600,
	})
	return accessLog(logger, c.Handler(mux))
}

// limitBody rejects bodies over max bytes with 413: at once when the Content-Length says so, else
// after reading max bytes of them. It runs after authentication, so that the bodies of anonymous
// requests are never read. A refused request is audited, as the GraphQL layer audits the requests
// it refuses; when its entry cannot be written the answer is 503, as there.
func limitBody(max int64, svc *sarhad.Service, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tooLarge := func() {
			if err := auditRefusal(r.Context(), svc, sarhad.EINVALID); err != nil {
				graphQLError(w, http.StatusServiceUnavailable, sarhad.EUNAVAILABLE,
					"the audit trail cannot be written, so the request was refused")
				return
			}
			graphQLError(w, http.StatusRequestEntityTooLarge, sarhad.EINVALID,
				"the request body is larger than "+byteSize(max))
		}
		if r.ContentLength > max {
			tooLarge()
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			tooLarge()
			return
		case err != nil:
			graphQLError(w, http.StatusBadRequest, sarhad.EINVALID, "the request body could not be read")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// auditRefusal writes the audit entry of a request of the viewer of ctx refused with code before
// the GraphQL layer saw it, within its own timeout: the request's deadline may have passed.
func auditRefusal(ctx context.Context, svc *sarhad.Service, code string) error {
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), auditRefusalTimeout)
	defer cancel()
	return svc.Audit(ctx, &sarhad.AuditEntry{Subject: v.Subject, Roles: v.Roles, Country: v.Country, Org: v.Org,
		Variables: "{}", Outcome: code})
}

// auditRefusalTimeout bounds the audit write of a refused request.
const auditRefusalTimeout = 5 * time.Second

// byteSize writes n bytes for people: 1 MiB, 64 KiB, 1000 bytes.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// checkContentType accepts POST bodies only as JSON or GraphQL documents; anything else (form posts
// in particular, which a browser sends cross-site without a CORS preflight) is refused with 415.
func checkContentType(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || (mt != "application/json" && mt != "application/graphql") {
				graphQLError(w, http.StatusUnsupportedMediaType, sarhad.EINVALID,
					"send the request as application/json (GraphQL over HTTP)")
				return
			}
		case http.MethodGet, http.MethodOptions:
		default:
			w.Header().Set("Allow", "GET, POST")
			graphQLError(w, http.StatusMethodNotAllowed, sarhad.EINVALID, "use GET for queries or POST")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// deadline gives every request a deadline whose cancellation reaches the store.
func deadline(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// graphQLError writes a response with one GraphQL error.
func graphQLError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"errors": []any{map[string]any{
		"message": message, "extensions": map[string]any{"code": code},
	}}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// accessLog logs method, path, status and duration of each request; never headers or bodies, which
// carry tokens and personal data.
func accessLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Int("status", rec.status), slog.Duration("duration", time.Since(start)))
	})
}
