package graph

import (
	"context"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/sarhad/sarhad"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// Limits bound what one GraphQL request may ask for. A request over a limit is refused before it
// runs, with HTTP 422, extensions.code COMPLEXITY_LIMIT_EXCEEDED and extensions.limit naming the
// limit (in parentheses below). A zero field takes its value from DefaultLimits.
type Limits struct {
	// MaxTokens bounds the lexical tokens of the query document, and the selections (fields, inline
	// fragments, fragment spreads) of the document with its fragments inlined ("tokens").
	MaxTokens int
	// MaxDepth bounds how deeply fields nest, fragments inlined; introspection fields do not count
	// ("depth").
	MaxDepth int
	// MaxComplexity bounds the cost of the operation: see Complexity ("complexity").
	MaxComplexity int
	// MaxAliases bounds the aliased fields of the document ("aliases").
	MaxAliases int
	// MaxDirectives bounds the directives of the document ("directives").
	MaxDirectives int
	// MaxRepeats bounds how many times one field (one response name) may be selected at the same
	// place of the operation, fragments inlined ("repeats").
	MaxRepeats int
	// MaxFragments bounds the fragment definitions of the document ("fragments").
	MaxFragments int
}

// DefaultLimits are the limits of a handler whose Options leave them zero. Every query of the
// README and of the tests is well within them.
func DefaultLimits() Limits {
	return Limits{
		MaxTokens:     15000,
		MaxDepth:      12,
		MaxComplexity: 250000,
		MaxAliases:    30,
		MaxDirectives: 50,
		MaxRepeats:    20,
		MaxFragments:  100,
	}
}

// withDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	for _, f := range []struct{ v, def *int }{
		{&l.MaxTokens, &d.MaxTokens}, {&l.MaxDepth, &d.MaxDepth}, {&l.MaxComplexity, &d.MaxComplexity},
		{&l.MaxAliases, &d.MaxAliases}, {&l.MaxDirectives, &d.MaxDirectives}, {&l.MaxRepeats, &d.MaxRepeats},
		{&l.MaxFragments, &d.MaxFragments},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	return l
}

// LimitError is a request refused because it goes over one of the Limits: Limit names it ("depth",
// "complexity", "aliases", "directives", "tokens", "repeats", "fragments"), Err is the
// COMPLEXITY_LIMIT_EXCEEDED error the client sees.
type LimitError struct {
	Limit string
	Err   *sarhad.Error
}

func (e *LimitError) Error() string { return e.Err.Error() }
func (e *LimitError) Unwrap() error { return e.Err }

func overLimit(limit, format string, args ...any) *LimitError {
	return &LimitError{Limit: limit, Err: sarhad.Errorf(sarhad.ECOMPLEXITY, format, args...)}
}

// installLimits makes srv enforce limits and refuse mutations over GET; unless introspection is on,
// it also refuses introspection and leaves "Did you mean" suggestions out of validation errors.
func installLimits(srv *handler.Server, limits Limits, introspection bool) {
	limits = limits.withDefaults()
	srv.SetParserTokenLimit(limits.MaxTokens)
	if !introspection {
		// gqlgen's switch covers unknown fields only; the rules also suggest arguments, types,
		// enum values and input fields.
		srv.SetDisableSuggestion(true)
		srv.SetValidationRulesFn(rulesWithoutSuggestions)
	}
	srv.Use(&limiter{limits: limits, introspection: introspection,
		complexity: extension.FixedComplexityLimit(limits.MaxComplexity)})
}

// rulesWithoutSuggestions are gqlparser's validation rules, none of which answers "Did you mean".
func rulesWithoutSuggestions() *rules.Rules {
	r := rules.NewDefaultRules()
	for _, swap := range [][2]core.Rule{
		{rules.FieldsOnCorrectTypeRule, rules.FieldsOnCorrectTypeRuleWithoutSuggestions},
		{rules.KnownArgumentNamesRule, rules.KnownArgumentNamesRuleWithoutSuggestions},
		{rules.KnownTypeNamesRule, rules.KnownTypeNamesRuleWithoutSuggestions},
		{rules.ScalarLeafsRule, rules.ScalarLeafsRuleWithoutSuggestions},
		{rules.ValuesOfCorrectTypeRule, rules.ValuesOfCorrectTypeRuleWithoutSuggestions},
	} {
		r.RemoveRule(swap[0].Name)
		r.AddRule(swap[1].Name, swap[1].RuleFunc)
	}
	return r
}

// limiter is the gqlgen extension that enforces Limits.
//
// gqlparser's validation is itself quadratic in some documents — one field repeated thousands of
// times, hundreds of fragments spread together — and takes seconds on documents well under the
// token limit. The checks that need only the document (tokens, fragments, aliases, directives,
// depth, repeats and size) therefore run before gqlgen parses and validates it
// (MutateOperationParameters); those that need the validated operation (cost, introspection, GET)
// run after validation and before execution (MutateOperationContext).
type limiter struct {
	limits        Limits
	introspection bool
	complexity    *extension.ComplexityLimit
}

var (
	_ graphql.HandlerExtension          = (*limiter)(nil)
	_ graphql.OperationParameterMutator = (*limiter)(nil)
	_ graphql.OperationContextMutator   = (*limiter)(nil)
)

func (l *limiter) ExtensionName() string { return "Limits" }

func (l *limiter) Validate(es graphql.ExecutableSchema) error { return l.complexity.Validate(es) }

func (l *limiter) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if err := checkDocument(p.Query, l.limits); err != nil {
		return requestError(err)
	}
	return nil
}

func (l *limiter) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	op := oc.Operation
	if op.Operation != ast.Query && overGET(ctx) {
		return requestError(sarhad.Errorf(sarhad.EINVALID, "a %s is accepted only over POST", op.Operation))
	}
	if !l.introspection && introspects(op.SelectionSet, map[string]bool{}) {
		return requestError(sarhad.Errorf(sarhad.EFORBIDDEN, "introspection is disabled on this server"))
	}
	if err := l.complexity.MutateOperationContext(ctx, oc); err != nil {
		return requestError(&LimitError{Limit: "complexity", Err: sarhad.Errorf(sarhad.ECOMPLEXITY, "%s", err.Message)})
	}
	return nil
}

// requestError is how the limiter refuses a request. The error presenter gives it err's code; the
// provisional GRAPHQL_VALIDATION_FAILED makes gqlgen answer HTTP 422, as for a document that fails
// validation.
func requestError(err error) *gqlerror.Error {
	e := &gqlerror.Error{Message: sarhad.ErrorMessage(err), Err: err}
	errcode.Set(e, errcode.ValidationFailed)
	return e
}

// introspects reports whether a validated root selection set asks for __schema or __type.
func introspects(set ast.SelectionSet, seen map[string]bool) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				return true
			}
		case *ast.InlineFragment:
			if introspects(s.SelectionSet, seen) {
				return true
			}
		case *ast.FragmentSpread:
			if !seen[s.Name] && s.Definition != nil {
				seen[s.Name] = true
				if introspects(s.Definition.SelectionSet, seen) {
					return true
				}
			}
		}
	}
	return false
}

type getKey struct{}

// markGET records in the context of a GET request that it came over GET, for the limiter.
func markGET(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			r = r.WithContext(context.WithValue(r.Context(), getKey{}, true))
		}
		next.ServeHTTP(w, r)
	})
}

func overGET(ctx context.Context) bool {
	get, _ := ctx.Value(getKey{}).(bool)
	return get
}

// checkDocument applies the limits that need only the query document, in increasing order of cost:
// tokens (counted by the lexer, which stops at the limit), fragments, aliases and directives (one
// pass over the document as written), then depth, repeats and size (one pass over each operation
// and fragment with its fragments inlined, which stops after MaxTokens selections). A document
// that does not parse is left to gqlgen, which reports the syntax error.
func checkDocument(query string, l Limits) *LimitError {
	if !tokensWithin(query, l.MaxTokens) {
		return overLimit("tokens", "the query has more than %d tokens", l.MaxTokens)
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return nil
	}
	if n := len(doc.Fragments); n > l.MaxFragments {
		return overLimit("fragments", "the query defines %d fragments; at most %d are allowed", n, l.MaxFragments)
	}
	aliases, directives := countWritten(doc)
	if aliases > l.MaxAliases {
		return overLimit("aliases", "the query has %d aliases; at most %d are allowed", aliases, l.MaxAliases)
	}
	if directives > l.MaxDirectives {
		return overLimit("directives", "the query has %d directives; at most %d are allowed", directives, l.MaxDirectives)
	}
	x := &expansion{limits: l, fragments: map[string]*ast.FragmentDefinition{}, inlining: map[string]bool{}}
	for _, f := range doc.Fragments {
		x.fragments[f.Name] = f
	}
	// Validation examines every operation and every fragment on its own, so each is a root here.
	for _, op := range doc.Operations {
		if err := x.root(op.SelectionSet, "", false); err != nil {
			return err
		}
	}
	for _, f := range doc.Fragments {
		if err := x.root(f.SelectionSet, f.Name, strings.HasPrefix(f.TypeCondition, "__")); err != nil {
			return err
		}
	}
	return nil
}

// tokensWithin reports whether query has at most max lexical tokens, counted as the parser counts
// them (comments included). A lexical error ends the count: the parser will report it.
func tokensWithin(query string, max int) bool {
	lex := lexer.New(&ast.Source{Input: query})
	for n := 0; n <= max; n++ {
		tok, err := lex.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			return true
		}
	}
	return false
}

// countWritten counts the aliases and directives of the document as written.
func countWritten(doc *ast.QueryDocument) (aliases, directives int) {
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if s.Alias != s.Name {
					aliases++
				}
				directives += len(s.Directives)
				walk(s.SelectionSet)
			case *ast.InlineFragment:
				directives += len(s.Directives)
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				directives += len(s.Directives)
			}
		}
	}
	for _, op := range doc.Operations {
		directives += len(op.Directives)
		for _, v := range op.VariableDefinitions {
			directives += len(v.Directives)
		}
		walk(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		directives += len(f.Directives)
		walk(f.SelectionSet)
	}
	return aliases, directives
}

// expansion walks selection sets with their fragments inlined, as the executor and the validator
// see them, tracking how deep fields nest, how often each response path is selected, and how many
// selections it has visited. Its work is bounded by MaxTokens selections, whatever the fragments
// fan out to; so is the work of gqlgen's cost calculation after it, which inlines fragments too.
type expansion struct {
	limits    Limits
	fragments map[string]*ast.FragmentDefinition
	inlining  map[string]bool // fragments being inlined: a cycle is skipped here, and validation reports it
	paths     map[pathKey]int // response paths of the current root, interned
	repeats   []int           // selections of each response path
	size      int             // selections visited, over all roots
}

// pathKey is a response path: the path of the enclosing field and a response name.
type pathKey struct {
	parent int
	name   string
}

// root walks the selection set of an operation or (named) a fragment; introspection is true for a
// fragment on an introspection type.
func (x *expansion) root(set ast.SelectionSet, fragment string, introspection bool) *LimitError {
	x.paths = map[pathKey]int{}
	x.repeats = append(x.repeats[:0], 0) // path 0: the root
	if fragment != "" {
		x.inlining[fragment] = true
		defer delete(x.inlining, fragment)
	}
	return x.walk(set, 0, 1, introspection)
}

// walk walks a selection set whose fields are at depth (1 at the root) and whose response path is
// path; introspection is true under __schema and __type, whose nesting gqlparser bounds itself.
func (x *expansion) walk(set ast.SelectionSet, path, depth int, introspection bool) *LimitError {
	for _, sel := range set {
		if x.size++; x.size > x.limits.MaxTokens {
			return overLimit("tokens", "the query has more than %d selections with its fragments inlined", x.limits.MaxTokens)
		}
		switch s := sel.(type) {
		case *ast.Field:
			introspection := introspection || s.Name == "__schema" || s.Name == "__type"
			if depth > x.limits.MaxDepth && !introspection {
				return overLimit("depth", "fields nest more than %d levels deep (line %d)", x.limits.MaxDepth, s.Position.Line)
			}
			p := x.path(path, s.Alias)
			if x.repeats[p]++; x.repeats[p] > x.limits.MaxRepeats {
				return overLimit("repeats", "%q is selected more than %d times at the same place (line %d)",
					s.Alias, x.limits.MaxRepeats, s.Position.Line)
			}
			if err := x.walk(s.SelectionSet, p, depth+1, introspection); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := x.walk(s.SelectionSet, path, depth, introspection); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			f := x.fragments[s.Name]
			if f == nil || x.inlining[s.Name] {
				continue // unknown or cyclic: validation reports it
			}
			x.inlining[s.Name] = true
			err := x.walk(f.SelectionSet, path, depth, introspection)
			delete(x.inlining, s.Name)
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// path interns the response path name under parent.
func (x *expansion) path(parent int, name string) int {
	k := pathKey{parent, name}
	p, ok := x.paths[k]
	if !ok {
		p = len(x.repeats)
		x.paths[k] = p
		x.repeats = append(x.repeats, 0)
	}
	return p
}
