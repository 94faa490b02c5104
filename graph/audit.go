package graph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"reflect"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/sarhad/sarhad"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// auditWriteTimeout bounds an audit write, which must happen even when the request's own deadline
// has passed.
const auditWriteTimeout = 5 * time.Second

// auditor is the gqlgen extension that writes the audit trail. Each operation gets one entry, written
// after the response is computed and before it is sent, with the ids of the sensitive records the
// response contains; a mutation gets a STARTED entry before it runs as well. When an entry cannot be
// written the operation fails: no answer leaves without its audit entry.
type auditor struct {
	svc    *sarhad.Service
	logger *slog.Logger
	enums  map[string]bool // see kept
}

var (
	_ graphql.HandlerExtension     = auditor{}
	_ graphql.OperationInterceptor = auditor{}
	_ graphql.FieldInterceptor     = auditor{}
	_ graphql.ResponseInterceptor  = auditor{}
)

func (auditor) ExtensionName() string                          { return "AuditTrail" }
func (auditor) Validate(schema graphql.ExecutableSchema) error { return nil }

type auditedKey struct{} // marks responses of operations InterceptOperation audits

// InterceptOperation writes the entry (and the STARTED entry of a mutation), failing closed.
func (a auditor) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return graphql.OneShot(graphql.ErrorResponse(ctx, "unauthenticated"))
	}
	entry := sarhad.AuditEntry{
		Subject: v.Subject, Roles: v.Roles, Country: v.Country, Org: v.Org,
		OperationName: oc.OperationName, QueryHash: hashQuery(oc.RawQuery), Variables: a.redactVariables(oc.Variables),
	}
	if oc.Operation != nil {
		entry.OperationType = string(oc.Operation.Operation)
		if entry.OperationName == "" {
			entry.OperationName = oc.Operation.Name
		}
	}
	if oc.Operation != nil && oc.Operation.Operation == ast.Mutation {
		started := entry
		started.Outcome = sarhad.AuditStarted
		if err := a.write(ctx, &started); err != nil {
			return graphql.OneShot(a.refuse(ctx, err))
		}
	}
	set := &sarhad.SensitiveIDs{}
	handler := next(sarhad.WithSensitiveIDs(ctx, set))
	return func(ctx context.Context) *graphql.Response {
		resp := handler(context.WithValue(ctx, auditedKey{}, true))
		if resp == nil {
			return nil
		}
		done := entry
		done.SensitiveIDs = set.List()
		done.Outcome = sarhad.AuditOK
		if len(resp.Errors) > 0 {
			done.Outcome = outcome(resp.Errors[0])
		}
		if err := a.write(ctx, &done); err != nil {
			return a.refuse(ctx, err)
		}
		return resp
	}
}

func (a auditor) write(ctx context.Context, e *sarhad.AuditEntry) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), auditWriteTimeout)
	defer cancel()
	return a.svc.Audit(ctx, e)
}

// refuse is the response when the audit trail cannot be written: no data, one UNAVAILABLE error.
func (a auditor) refuse(ctx context.Context, err error) *graphql.Response {
	a.logger.ErrorContext(ctx, "audit trail unavailable; request refused", "err", err)
	return &graphql.Response{Errors: gqlerror.List{{
		Message:    "the audit trail cannot be written, so the request was refused",
		Extensions: map[string]any{"code": sarhad.EUNAVAILABLE},
	}}}
}

func outcome(e *gqlerror.Error) string {
	if c, ok := e.Extensions["code"].(string); ok {
		return c
	}
	return sarhad.EINTERNAL
}

// InterceptResponse audits requests refused before an operation exists — unparsable, invalid or
// over a limit — with the code they were refused with. Operations are audited by
// InterceptOperation.
func (a auditor) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if ctx.Value(auditedKey{}) != nil || resp == nil {
		return resp
	}
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return resp
	}
	entry := sarhad.AuditEntry{Subject: v.Subject, Roles: v.Roles, Country: v.Country, Org: v.Org, Variables: "{}",
		Outcome: sarhad.EINVALID}
	if len(resp.Errors) > 0 {
		entry.Outcome = outcome(resp.Errors[0])
	}
	if err := a.write(ctx, &entry); err != nil {
		return a.refuse(ctx, err)
	}
	return resp
}

// InterceptField notes every sensitive entity or relationship a field returns.
func (auditor) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if set := sarhad.SensitiveIDsFrom(ctx); set != nil && res != nil {
		noteSensitive(set, res)
	}
	return res, err
}

func noteSensitive(set *sarhad.SensitiveIDs, res any) {
	rv := reflect.ValueOf(res)
	if !rv.IsValid() || (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface) && rv.IsNil() {
		return // a typed nil: a field that found nothing
	}
	switch x := res.(type) {
	case sarhad.Entity:
		if sarhad.Sensitive(x) {
			set.Note(x.EntityMeta().ID)
		}
		return
	case *sarhad.Relationship:
		if x.Handling.Sensitive() {
			set.Note(x.ID)
		}
		return
	case *sarhad.SharedIdentifier:
		// Its value is the records' own (a phone's number), returned as a plain string.
		noteSensitive(set, x.Records)
		return
	}
	if rv.Kind() == reflect.Slice {
		for i := range rv.Len() {
			if el := rv.Index(i); el.CanInterface() {
				noteSensitive(set, el.Interface())
			}
		}
	}
}

func hashQuery(q string) string {
	sum := sha256.Sum256([]byte(q))
	return hex.EncodeToString(sum[:])
}

// enumValues returns the values of every enum type of schema: the strings, besides ids and country
// codes, that the audit trail keeps of a request's variables.
func enumValues(schema *ast.Schema) map[string]bool {
	out := map[string]bool{}
	for _, t := range schema.Types {
		if t.Kind == ast.Enum {
			for _, v := range t.EnumValues {
				out[v.Name] = true
			}
		}
	}
	return out
}

// kept reports whether the audit trail keeps a string of a request's variables: an id, a value of
// one of the schema's enums, or a country code. Any other string — a name, a passport or account
// number, a date, free text — is replaced, since it may identify a person, even when it looks like
// an enum value (AB1234567).
func (a auditor) kept(s string) bool {
	if a.enums[s] || sarhad.ValidRelationshipID(s) {
		return true
	}
	if _, err := sarhad.KindOfID(s); err == nil {
		return true
	}
	_, ok := sarhad.LookupCountry(s)
	return ok && s == strings.ToUpper(s)
}

// redactVariables renders the variables as JSON with identifying values replaced by "[redacted]".
func (a auditor) redactVariables(vars map[string]any) string {
	if len(vars) == 0 {
		return "{}"
	}
	b, err := json.Marshal(a.redact(vars))
	if err != nil {
		return `"[unrenderable]"`
	}
	return string(b)
}

func (a auditor) redact(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[k] = a.redact(val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = a.redact(val)
		}
		return out
	case string:
		if a.kept(x) {
			return x
		}
		return "[redacted]"
	case nil, bool, int, int64, float64, json.Number:
		return x
	}
	return "[redacted]"
}
