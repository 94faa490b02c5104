package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sarhad/sarhad"
)

// readLines calls fn with every non-blank line of r and its number, one line in memory at a time.
func (l *loader) readLines(r io.Reader, fn func(line int, b []byte) error) error {
	br := bufio.NewReaderSize(r, 1<<16)
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(b)) > 0 {
			l.rep.Read++
			if err := fn(line, b); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("ingest: %s: %w", l.current.path, err)
		}
	}
}

// jsonRef is one end of a relationship in JSON.
type jsonRef struct {
	Kind string `json:"kind"`
	Key  string `json:"key"`
	Org  string `json:"org"`
	ID   string `json:"id"`
}

// readJSONL reads one entity ({"kind", "key", attributes…}) or relationship ({"type", "from",
// "to", "key", properties…}) per line, each with an optional "handling" object.
func (l *loader) readJSONL(r io.Reader) error {
	l.fields = recordFields{key: "key", handling: "handling."}
	return l.readLines(r, func(line int, b []byte) error {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(b, &obj); err != nil {
			l.rejectLine(line, "", "not a JSON object: "+jsonReason(err))
			return nil
		}
		rec := l.newRecord(line)
		if raw, ok := obj["handling"]; ok {
			rec.patch = &handlingPatch{}
			if field, reason := decodeStrict(raw, rec.patch); reason != "" {
				l.reject(rec, "handling"+dotted(field), reason)
				return nil
			}
		}
		delete(obj, "handling")
		str := func(name string) (s string, present, ok bool) {
			raw, present := obj[name]
			if !present {
				return "", false, true
			}
			delete(obj, name)
			if err := json.Unmarshal(raw, &s); err != nil {
				l.reject(rec, name, "must be a string")
				return "", true, false
			}
			return strings.TrimSpace(s), true, true
		}
		var kind, typ string
		var isEntity, isRel, ok bool
		if rec.key, _, ok = str("key"); !ok {
			return nil
		}
		if rec.id, _, ok = str("id"); !ok {
			return nil
		}
		if kind, isEntity, ok = str("kind"); !ok {
			return nil
		}
		if typ, isRel, ok = str("type"); !ok {
			return nil
		}
		switch {
		case isEntity && isRel:
			l.reject(rec, "", "has both a kind (an entity) and a type (a relationship)")
			return nil
		case isEntity:
			k, ok := parseKind(kind)
			if !ok {
				l.reject(rec, "kind", fmt.Sprintf("%q is not an entity kind", truncate(kind, 40)))
				return nil
			}
			rec.entity = sarhad.NewEntity(k)
			rest, _ := json.Marshal(obj)
			if field, reason := decodeStrict(rest, rec.entity); reason != "" {
				l.reject(rec, field, reason)
				return nil
			}
			return l.addEntity(rec)
		case isRel:
			rec.rel = &sarhad.Relationship{Type: sarhad.RelationType(canonEnum(typ))}
			for _, end := range []struct {
				name string
				ref  *ref
			}{{"from", &rec.from}, {"to", &rec.to}} {
				var jr jsonRef
				raw, ok := obj[end.name]
				if !ok {
					l.reject(rec, end.name, "is required")
					return nil
				}
				if field, reason := decodeStrict(raw, &jr); reason != "" {
					l.reject(rec, end.name+dotted(field), reason)
					return nil
				}
				delete(obj, end.name)
				var field, reason string
				if *end.ref, field, reason = parseRef(end.name, jr.Kind, jr.Key, jr.Org, jr.ID); field != "" {
					l.reject(rec, field, reason)
					return nil
				}
			}
			rest, _ := json.Marshal(obj)
			if field, reason := decodeStrict(rest, &rec.rel.RelationProps); reason != "" {
				l.reject(rec, field, reason)
				return nil
			}
			// A line marked withheld is a relationship as a redacted export shows it (the CSV's
			// redacted column): it may create the relationship but not change a stored one.
			rec.rel.Redacted = rec.rel.Withheld
			return l.addRelationship(rec)
		}
		l.reject(rec, "", `needs a "kind" (an entity) or a "type" (a relationship)`)
		return nil
	})
}

func dotted(field string) string {
	if field == "" {
		return ""
	}
	return "." + field
}

// decodeStrict decodes JSON into v, refusing unknown fields, and says which field is at fault.
func decodeStrict(b []byte, v any) (field, reason string) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return te.Field, fmt.Sprintf("a JSON %s cannot be a %s", te.Value, jsonType(te.Type.Kind().String()))
		}
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return strings.Trim(name, `"`), "is not a known field"
		}
		return "", jsonReason(err)
	}
	return "", ""
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "slice":
		return "list"
	case "struct", "ptr", "map":
		return "object"
	case "float64", "int":
		return "number"
	}
	return kind
}

func jsonReason(err error) string {
	return strings.TrimPrefix(err.Error(), "json: ")
}
