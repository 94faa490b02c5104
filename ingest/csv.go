package ingest

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/sarhad/sarhad"
)

// Columns every CSV file may have besides its attributes: the row's key and its own handling.
const (
	colKey               = "key"
	colID                = "id"
	colTLP               = "tlp"
	colOriginatorOrg     = "originatorOrg"
	colOriginatorCountry = "originatorCountry"
	colReleasableTo      = "releasableTo"
)

var handlingColumns = []string{colTLP, colOriginatorOrg, colOriginatorCountry, colReleasableTo}

// colRedacted marks, in a relationships file, a relationship as a redacted export shows it: one that
// ties a victim whose identifying details its exporter may not see, without its note, source key
// and source reference (sarhad.ProtectTie), or one that came so from the export it was imported
// from (sarhad.RelationProps.Withheld). Such a row creates the relationship, marked Withheld, but
// never changes a stored one.
const colRedacted = "redacted"

// relationshipColumns are the columns of a relationships file besides its properties.
var relationshipColumns = []string{colKey, colID, "type", "from.kind", "from.key", "from.org", "from.id",
	"to.kind", "to.key", "to.org", "to.id", colRedacted}

// propertyAliases name relationship properties more simply than their JSON paths.
var propertyAliases = map[string]string{"amount": "amount.amount", "currency": "amount.currency"}

// csvFile reads a CSV file row by row, reusing the row buffer, with the line of each row.
type csvFile struct {
	r      *csv.Reader
	header []string
}

func (l *loader) openCSV(r io.Reader) (*csvFile, bool, error) {
	cr := csv.NewReader(bufio.NewReaderSize(r, 1<<16))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, false, nil
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		l.rejectLine(1, "", "the header is not valid CSV: "+pe.Err.Error())
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("ingest: %s: %w", l.current.path, err)
	}
	header = slices.Clone(header)
	for i := range header {
		header[i] = strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff"))
		if slices.Contains(header[:i], header[i]) {
			l.rejectLine(1, header[i], "the column appears twice; the file was not imported")
			return nil, false, nil
		}
	}
	return &csvFile{r: cr, header: header}, true, nil
}

// next returns the next row and its line; ok is false at the end. Malformed rows are rejected and
// skipped.
func (l *loader) next(f *csvFile) (row []string, line int, ok bool, err error) {
	for {
		row, err := f.r.Read()
		if err == io.EOF {
			return nil, 0, false, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			l.rep.Read++
			l.rejectLine(pe.StartLine, "", "not valid CSV: "+pe.Err.Error())
			continue
		}
		if err != nil {
			return nil, 0, false, fmt.Errorf("ingest: %s: %w", l.current.path, err)
		}
		line, _ := f.r.FieldPos(0)
		l.rep.Read++
		if len(row) != len(f.header) {
			l.rejectLine(line, "", fmt.Sprintf("has %d fields, the header has %d", len(row), len(f.header)))
			continue
		}
		return row, line, true, nil
	}
}

// setHandling reads a handling column into the row's patch.
func setHandling(rec *record, col, cell string) {
	if rec.patch == nil {
		rec.patch = &handlingPatch{}
	}
	switch col {
	case colTLP:
		rec.patch.TLP = cell
	case colOriginatorOrg:
		rec.patch.OriginatorOrg = cell
	case colOriginatorCountry:
		rec.patch.OriginatorCountry = cell
	case colReleasableTo:
		list := splitList(cell)
		rec.patch.ReleasableTo = &list
	}
}

// readEntitiesCSV reads a file of entities of one kind: a key column, one column per attribute
// (named as in JSON, nested ones with a dot), and optional handling columns.
func (l *loader) readEntitiesCSV(r io.Reader, kind sarhad.EntityKind) error {
	l.fields = recordFields{key: colKey}
	f, ok, err := l.openCSV(r)
	if !ok {
		return err
	}
	attrs := setters(reflect.TypeOf(sarhad.NewEntity(kind)).Elem())
	cols := make([]setter, len(f.header))
	for i, name := range f.header {
		if name == colKey || name == colID || slices.Contains(handlingColumns, name) {
			continue
		}
		if cols[i] = attrs[name]; cols[i] == nil {
			l.rejectLine(1, name, fmt.Sprintf("is not a column of %s files; the file was not imported", kind.Label()))
			return nil
		}
	}
	if !slices.Contains(f.header, colKey) && !slices.Contains(f.header, colID) && kind != sarhad.KindCountry {
		l.rejectLine(1, colKey, "the header needs a key (or id) column; the file was not imported")
		return nil
	}
rows:
	for {
		row, line, ok, err := l.next(f)
		if !ok {
			return err
		}
		e := sarhad.NewEntity(kind)
		root := reflect.ValueOf(e).Elem()
		rec := l.newRecord(line)
		rec.entity = e
		for i, cell := range row {
			if cell = strings.TrimSpace(cell); cell == "" {
				continue
			}
			switch col := f.header[i]; {
			case col == colKey:
				rec.key = cell
			case col == colID:
				rec.id = cell
			case cols[i] == nil:
				setHandling(rec, col, cell)
			default:
				if err := cols[i](root, cell); err != nil {
					l.reject(rec, col, err.Error())
					continue rows
				}
			}
		}
		if err := l.addEntity(rec); err != nil {
			return err
		}
	}
}

// readRelationshipsCSV reads a relationships file: type, ends, key, properties, handling.
func (l *loader) readRelationshipsCSV(r io.Reader) error {
	l.fields = recordFields{key: colKey}
	f, ok, err := l.openCSV(r)
	if !ok {
		return err
	}
	props := setters(reflect.TypeFor[sarhad.RelationProps]())
	delete(props, "withheld") // the redacted column
	cols := make([]setter, len(f.header))
	for i, name := range f.header {
		if slices.Contains(relationshipColumns, name) || slices.Contains(handlingColumns, name) {
			continue
		}
		if cols[i] = props[cmp.Or(propertyAliases[name], name)]; cols[i] == nil {
			l.rejectLine(1, name, "is not a column of relationships files; the file was not imported")
			return nil
		}
	}
	if !slices.Contains(f.header, "type") {
		l.rejectLine(1, "type", "the header needs a type column; the file was not imported")
		return nil
	}
rows:
	for {
		row, line, ok, err := l.next(f)
		if !ok {
			return err
		}
		rec := l.newRecord(line)
		rec.rel = &sarhad.Relationship{}
		root := reflect.ValueOf(&rec.rel.RelationProps).Elem()
		ends := map[string]string{}
		for i, cell := range row {
			if cell = strings.TrimSpace(cell); cell == "" {
				continue
			}
			switch col := f.header[i]; {
			case col == colKey:
				rec.key = cell
			case col == colID:
				rec.id = cell
			case col == "type":
				rec.rel.Type = sarhad.RelationType(canonEnum(cell))
			case col == colRedacted:
				redacted, err := strconv.ParseBool(cell)
				if err != nil {
					l.reject(rec, col, "must be true or false")
					continue rows
				}
				// The relationship it creates keeps the mark (Withheld), so that its exports are
				// redacted in turn.
				rec.rel.Redacted, rec.rel.Withheld = redacted, redacted
			case strings.HasPrefix(col, "from.") || strings.HasPrefix(col, "to."):
				ends[col] = cell
			case cols[i] == nil:
				setHandling(rec, col, cell)
			default:
				if err := cols[i](root, cell); err != nil {
					l.reject(rec, col, err.Error())
					continue rows
				}
			}
		}
		if rec.rel.Type == "" {
			l.reject(rec, "type", "is required")
			continue
		}
		for _, end := range []struct {
			name string
			ref  *ref
		}{{"from", &rec.from}, {"to", &rec.to}} {
			var field, reason string
			*end.ref, field, reason = parseRef(end.name, ends[end.name+".kind"], ends[end.name+".key"],
				ends[end.name+".org"], ends[end.name+".id"])
			if field != "" {
				l.reject(rec, field, reason)
				continue rows
			}
		}
		if err := l.addRelationship(rec); err != nil {
			return err
		}
	}
}
