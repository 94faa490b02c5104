// Package metrics exposes Sarhad's operation in the Prometheus text format: GraphQL operations
// (count, latency, errors by code, store calls per operation) and store calls (count, latency,
// errors by code), plus the Go runtime and process collectors (memory, CPU, goroutines).
//
// Labels are bounded: operations are labelled by their first root field, a name from the schema,
// never by client-chosen operation names.
package metrics

import (
	"cmp"
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sarhad/sarhad"
)

// Metrics is a registry of Sarhad's metrics. It implements graph.Observer.
type Metrics struct {
	reg           *prometheus.Registry
	operations    *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	errors        *prometheus.CounterVec
	callsPerOp    *prometheus.HistogramVec
	storeCalls    *prometheus.CounterVec
	storeLatency  *prometheus.HistogramVec
	storeFailures *prometheus.CounterVec
}

// New returns a registry with every metric registered.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sarhad_graphql_operations_total",
			Help: "GraphQL operations by first root field, type and outcome (OK or the code of the first error)."},
			[]string{"operation", "type", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "sarhad_graphql_operation_duration_seconds",
			Help:    "Time from the start of a GraphQL operation to its response, by first root field and type.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)}, []string{"operation", "type"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sarhad_graphql_errors_total",
			Help: "Errors in GraphQL responses by extensions.code."}, []string{"code"}),
		callsPerOp: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "sarhad_graphql_store_calls_per_operation",
			Help:    "Store calls (database round trips) made by one GraphQL operation, by first root field.",
			Buckets: []float64{0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50, 100}}, []string{"operation"}),
		storeCalls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sarhad_store_calls_total",
			Help: "Store calls by method."}, []string{"method"}),
		storeLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "sarhad_store_call_duration_seconds",
			Help: "Duration of store calls by method.", Buckets: prometheus.ExponentialBuckets(0.0001, 2, 18)}, []string{"method"}),
		storeFailures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sarhad_store_errors_total",
			Help: "Failed store calls by method and error code."}, []string{"method", "code"}),
	}
	m.reg.MustRegister(m.operations, m.latency, m.errors, m.callsPerOp, m.storeCalls, m.storeLatency, m.storeFailures,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

type callsKey struct{}

// Begin implements graph.Observer: store calls made under the returned context count against the
// operation.
func (m *Metrics) Begin(ctx context.Context) context.Context {
	return context.WithValue(ctx, callsKey{}, new(atomic.Int64))
}

// End implements graph.Observer.
func (m *Metrics) End(ctx context.Context, field, opType string, d time.Duration, codes []string) {
	if field == "" {
		field, opType = "(refused)", "(refused)"
	}
	outcome := sarhad.AuditOK
	if len(codes) > 0 {
		outcome = codes[0]
	}
	m.operations.WithLabelValues(field, opType, outcome).Inc()
	m.latency.WithLabelValues(field, opType).Observe(d.Seconds())
	for _, c := range codes {
		m.errors.WithLabelValues(c).Inc()
	}
	if n, ok := ctx.Value(callsKey{}).(*atomic.Int64); ok {
		m.callsPerOp.WithLabelValues(field).Observe(float64(n.Load()))
	}
}

// Store returns st with every call counted and timed.
func (m *Metrics) Store(st sarhad.Store) sarhad.Store { return &store{Store: st, m: m} }

// observe records one store call that started at start.
func (m *Metrics) observe(ctx context.Context, method string, start time.Time, err error) {
	m.storeCalls.WithLabelValues(method).Inc()
	m.storeLatency.WithLabelValues(method).Observe(time.Since(start).Seconds())
	if err != nil {
		m.storeFailures.WithLabelValues(method, cmp.Or(sarhad.ErrorCode(err), sarhad.EINTERNAL)).Inc()
	}
	if n, ok := ctx.Value(callsKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
}

// store counts and times the calls of a Store.
type store struct {
	sarhad.Store
	m *Metrics
}

func (s *store) Entities(ctx context.Context, ids []string) (out []sarhad.Entity, err error) {
	defer func(start time.Time) { s.m.observe(ctx, "Entities", start, err) }(time.Now())
	return s.Store.Entities(ctx, ids)
}

func (s *store) ListEntities(ctx context.Context, q sarhad.ListQuery) (out *sarhad.EntityPage, err error) {
	defer func(start time.Time) { s.m.observe(ctx, "ListEntities", start, err) }(time.Now())
	return s.Store.ListEntities(ctx, q)
}

func (s *store) MatchNames(ctx context.Context, q sarhad.NameQuery) (out []sarhad.Entity, err error) {
	defer func(start time.Time) { s.m.observe(ctx, "MatchNames", start, err) }(time.Now())
	return s.Store.MatchNames(ctx, q)
}

func (s *store) CountNames(ctx context.Context, q sarhad.NameQuery) (n int, err error) {
	defer func(start time.Time) { s.m.observe(ctx, "CountNames", start, err) }(time.Now())
	return s.Store.CountNames(ctx, q)
}

func (s *store) Relationships(ctx context.Context, q sarhad.RelationshipQuery) (out []*sarhad.Relationship, err error) {
	defer func(start time.Time) { s.m.observe(ctx, "Relationships", start, err) }(time.Now())
	return s.Store.Relationships(ctx, q)
}

func (s *store) Neighbours(ctx context.Context, q sarhad.RelationshipQuery) (rels []*sarhad.Relationship, ends []sarhad.Entity, err error) {
	defer func(start time.Time) { s.m.observe(ctx, "Neighbours", start, err) }(time.Now())
	return s.Store.Neighbours(ctx, q)
}

func (s *store) NeighboursThen(ctx context.Context, q sarhad.ThenQuery) (out *sarhad.Hops, err error) {
	defer func(start time.Time) { s.m.observe(ctx, "NeighboursThen", start, err) }(time.Now())
	return s.Store.NeighboursThen(ctx, q)
}

func (s *store) Neighbourhood(ctx context.Context, q sarhad.NeighbourhoodQuery) (out *sarhad.Subgraph, err error) {
	defer func(start time.Time) { s.m.observe(ctx, "Neighbourhood", start, err) }(time.Now())
	return s.Store.Neighbourhood(ctx, q)
}

func (s *store) CaseTally(ctx context.Context, q sarhad.CaseTallyQuery) (out *sarhad.CaseTallies, err error) {
	defer func(start time.Time) { s.m.observe(ctx, "CaseTally", start, err) }(time.Now())
	return s.Store.CaseTally(ctx, q)
}

func (s *store) RouteCases(ctx context.Context, q sarhad.RouteCasesQuery) (out *sarhad.RouteCases, err error) {
	defer func(start time.Time) { s.m.observe(ctx, "RouteCases", start, err) }(time.Now())
	return s.Store.RouteCases(ctx, q)
}

func (s *store) RelationshipsByID(ctx context.Context, ids []string) (out []*sarhad.Relationship, err error) {
	defer func(start time.Time) { s.m.observe(ctx, "RelationshipsByID", start, err) }(time.Now())
	return s.Store.RelationshipsByID(ctx, ids)
}

func (s *store) UnrecordedVictims(ctx context.Context, p sarhad.Page) (out []string, err error) {
	defer func(start time.Time) { s.m.observe(ctx, "UnrecordedVictims", start, err) }(time.Now())
	return s.Store.UnrecordedVictims(ctx, p)
}

func (s *store) Apply(ctx context.Context, cs *sarhad.ChangeSet) (out *sarhad.ApplyResult, err error) {
	defer func(start time.Time) { s.m.observe(ctx, "Apply", start, err) }(time.Now())
	return s.Store.Apply(ctx, cs)
}

func (s *store) AppendAudit(ctx context.Context, entries ...*sarhad.AuditEntry) (err error) {
	defer func(start time.Time) { s.m.observe(ctx, "AppendAudit", start, err) }(time.Now())
	return s.Store.AppendAudit(ctx, entries...)
}

func (s *store) AuditLog(ctx context.Context, q sarhad.AuditQuery) (out *sarhad.AuditPage, err error) {
	defer func(start time.Time) { s.m.observe(ctx, "AuditLog", start, err) }(time.Now())
	return s.Store.AuditLog(ctx, q)
}
