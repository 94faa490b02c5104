// Package export writes what a viewer may see of the graph to files other tools read: GraphML for
// Gephi, networkx and yEd. It reads through sarhad.Service.Walk, so an export holds exactly what its
// viewer may see, victims' identifying details withheld as in every answer.
package export

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sarhad/sarhad"
)

// GraphML writes the graph the viewer in ctx may see as GraphML: one node per entity with its kind,
// label, handling and every attribute (lists joined by ";", objects as JSON, locations also as
// lat/lon numbers), one directed edge per relationship with its type, handling and properties. Keys
// are declared for every attribute of every kind, so the file loads the same whatever it holds.
func GraphML(ctx context.Context, svc *sarhad.Service, w io.Writer) error {
	enc := &graphmlWriter{w: w}
	enc.printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	enc.printf("<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" ")
	enc.printf("xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n")
	for _, k := range nodeKeys() {
		enc.printf("  <key id=\"n_%s\" for=\"node\" attr.name=\"%s\" attr.type=\"%s\"/>\n", k.name, k.name, k.typ)
	}
	for _, k := range edgeKeys {
		enc.printf("  <key id=\"e_%s\" for=\"edge\" attr.name=\"%s\" attr.type=\"%s\"/>\n", k.name, k.name, k.typ)
	}
	enc.printf("  <graph id=\"sarhad\" edgedefault=\"directed\">\n")
	err := svc.Walk(ctx, nil, sarhad.Visitor{
		Entity: func(e sarhad.Entity) error {
			m := e.EntityMeta()
			enc.printf("    <node id=\"%s\">", esc(m.ID))
			enc.data("n_kind", string(m.Kind))
			enc.data("n_label", e.DisplayName())
			enc.envelope("n_", m)
			if m.Redacted {
				enc.data("n_redacted", "true")
			}
			attrs, err := attributes(e)
			if err != nil {
				return err
			}
			for _, a := range attrs {
				enc.data("n_"+a[0], a[1])
			}
			enc.printf("</node>\n")
			return enc.err
		},
		Relationship: func(r *sarhad.Relationship) error {
			enc.printf("    <edge id=\"%s\" source=\"%s\" target=\"%s\">", esc(r.ID), esc(r.From), esc(r.To))
			enc.data("e_type", string(r.Type))
			enc.envelope("e_", &r.Meta)
			p := r.RelationProps
			enc.data("e_role", p.Role)
			enc.data("e_since", string(p.Since))
			enc.data("e_until", string(p.Until))
			enc.data("e_date", string(p.Date))
			if p.Amount != nil {
				enc.data("e_amount", strconv.FormatFloat(p.Amount.Amount, 'f', -1, 64))
				enc.data("e_currency", p.Amount.Currency)
			}
			if p.Order != 0 {
				enc.data("e_order", strconv.Itoa(p.Order))
			}
			enc.data("e_mode", string(p.Mode))
			if p.Weight != 0 {
				enc.data("e_weight", strconv.FormatFloat(p.Weight, 'g', -1, 64))
			}
			enc.data("e_note", p.Note)
			if r.Incomplete() {
				enc.data("e_redacted", "true") // its note and keys withheld, beside a victim or upstream
			}
			enc.printf("</edge>\n")
			return enc.err
		},
	})
	if err != nil {
		return err
	}
	enc.printf("  </graph>\n</graphml>\n")
	return enc.err
}

type graphmlKey struct{ name, typ string }

// edgeKeys are the keys of edges.
var edgeKeys = []graphmlKey{{"type", "string"}, {"tlp", "string"}, {"originatorOrg", "string"}, {"originatorCountry", "string"},
	{"releasableTo", "string"}, {"sourceKey", "string"}, {"createdAt", "string"}, {"updatedAt", "string"},
	{"role", "string"}, {"since", "string"}, {"until", "string"}, {"date", "string"}, {"amount", "double"},
	{"currency", "string"}, {"order", "int"}, {"mode", "string"}, {"weight", "double"}, {"note", "string"},
	{"redacted", "boolean"}}

// nodeKeys are the keys of nodes: the envelope, then the attributes of every kind (their JSON
// names), then the coordinates.
func nodeKeys() []graphmlKey {
	keys := []graphmlKey{{"kind", "string"}, {"label", "string"}, {"tlp", "string"}, {"originatorOrg", "string"},
		{"originatorCountry", "string"}, {"releasableTo", "string"}, {"sourceKey", "string"}, {"createdAt", "string"},
		{"updatedAt", "string"}, {"redacted", "boolean"}}
	seen := map[string]bool{}
	for _, k := range keys {
		seen[k.name] = true
	}
	for _, kind := range sarhad.EntityKinds() {
		t := reflect.TypeOf(sarhad.NewEntity(kind)).Elem()
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if name == "" || name == "-" || seen[name] {
				continue
			}
			seen[name] = true
			keys = append(keys, graphmlKey{name, "string"})
		}
	}
	return append(keys, graphmlKey{"lat", "double"}, graphmlKey{"lon", "double"})
}

// attributes returns the attributes of e as name/value pairs in field order: strings as they are,
// lists joined by ";", numbers and booleans in Go syntax, objects as JSON; a location adds lat and
// lon.
func attributes(e sarhad.Entity) ([][2]string, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	t := reflect.TypeOf(e).Elem()
	var out [][2]string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		raw, ok := m[name]
		if !ok || name == "" || name == "-" {
			continue
		}
		out = append(out, [2]string{name, flatten(raw)})
		if name == "location" {
			var p sarhad.GeoPoint
			if json.Unmarshal(raw, &p) == nil {
				out = append(out, [2]string{"lat", strconv.FormatFloat(p.Lat, 'f', -1, 64)},
					[2]string{"lon", strconv.FormatFloat(p.Lon, 'f', -1, 64)})
			}
		}
	}
	return out, nil
}

// flatten renders a JSON value as one text: strings unquoted, lists of strings joined by ";".
func flatten(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return strings.Join(list, ";")
	}
	return string(raw)
}

// graphmlWriter writes XML text and keeps the first error.
type graphmlWriter struct {
	w   io.Writer
	err error
}

func (g *graphmlWriter) printf(format string, args ...any) {
	if g.err == nil {
		_, g.err = fmt.Fprintf(g.w, format, args...)
	}
}

// data writes a data element, unless value is empty.
func (g *graphmlWriter) data(key, value string) {
	if value != "" {
		g.printf("<data key=\"%s\">%s</data>", key, esc(value))
	}
}

// envelope writes the handling and stamps of a record.
func (g *graphmlWriter) envelope(prefix string, m *sarhad.Meta) {
	g.data(prefix+"tlp", string(m.Handling.TLP))
	g.data(prefix+"originatorOrg", m.Handling.OriginatorOrg)
	g.data(prefix+"originatorCountry", m.Handling.OriginatorCountry)
	g.data(prefix+"releasableTo", strings.Join(slices.Sorted(slices.Values(m.Handling.ReleasableTo)), ";"))
	g.data(prefix+"sourceKey", m.SourceKey)
	if !m.CreatedAt.IsZero() {
		g.data(prefix+"createdAt", m.CreatedAt.UTC().Format(time.RFC3339))
		g.data(prefix+"updatedAt", m.UpdatedAt.UTC().Format(time.RFC3339))
	}
}

// esc escapes text for XML character data and attribute values.
func esc(s string) string {
	var b strings.Builder
	if err := xml.EscapeText(&b, []byte(s)); err != nil {
		return ""
	}
	return b.String()
}
