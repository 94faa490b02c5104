// Package scalar marshals the domain's Date to and from the GraphQL Date scalar.
package scalar

import (
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/sarhad/sarhad"
)

// MarshalDate writes a Date as an ISO 8601 string, or null when the date is unknown.
func MarshalDate(d sarhad.Date) graphql.Marshaler {
	if d == "" {
		return graphql.Null
	}
	return graphql.WriterFunc(func(w io.Writer) { io.WriteString(w, strconv.Quote(string(d))) })
}

// UnmarshalDate reads an ISO 8601 calendar date.
func UnmarshalDate(v any) (sarhad.Date, error) {
	s, ok := v.(string)
	if !ok {
		return "", sarhad.Errorf(sarhad.EINVALID, "a Date must be a string YYYY-MM-DD")
	}
	return sarhad.ParseDate(s)
}
