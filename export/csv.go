package export

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/sarhad/sarhad"
)

// CSV writes the graph the viewer in ctx may see into dir in the import layout of the ingest
// package (ingest/README.md): one file per entity kind with visible entities (persons.csv,
// bank_accounts.csv, …) and relationships.csv, with exactly the columns the importer reads. dir is
// created when missing; the files must not exist yet (an export never overwrites, nor mixes with, an
// earlier one).
//
// Every row carries its record's id (the importer honours an id column), its source key when it
// has one, and its own handling, so that importing the files (ingest.Run) into an empty store
// recreates the same records under the same ids. Import them as an administrator or the system
// viewer (rows keep their own originators) with no release list in ingest.Options.Handling (an
// empty releasableTo cell inherits it). Stamps, sources and sourceRef are not exported: the import
// records its files as the sources. Victims come as the viewer sees them: under a pseudonym when
// the viewer may not see their details — the importer refuses to write such a row over a stored
// victim.
func CSV(ctx context.Context, svc *sarhad.Service, dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return CSVFiles(ctx, svc, func(name string) (io.WriteCloser, error) {
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
		return f, nil
	})
}

// CSVFiles writes what CSV writes through create, which is called once per file with its name
// (persons.csv, …, relationships.csv), for example to write a zip archive or an HTTP response.
// Each file is closed when written; on error the files opened so far are closed too.
func CSVFiles(ctx context.Context, svc *sarhad.Service, create func(name string) (io.WriteCloser, error)) (err error) {
	var entities, rels *csvFile
	defer func() {
		for _, f := range []*csvFile{entities, rels} {
			if cerr := f.close(); err == nil {
				err = cerr
			}
		}
	}()
	var kind sarhad.EntityKind
	var cols []column
	err = svc.Walk(ctx, nil, sarhad.Visitor{
		Entity: func(e sarhad.Entity) error {
			m := e.EntityMeta()
			if entities == nil || m.Kind != kind {
				if err := entities.close(); err != nil {
					return err
				}
				entities = nil
				kind, cols = m.Kind, columns(reflect.TypeOf(e).Elem(), "", nil)
				header := []string{"id", "key"}
				for _, c := range cols {
					header = append(header, c.name)
				}
				f, err := openCSV(create, CSVFileName(kind), append(header, handlingHeader...))
				if err != nil {
					return err
				}
				entities = f
			}
			row := []string{m.ID, m.SourceKey}
			root := reflect.ValueOf(e).Elem()
			for _, c := range cols {
				row = append(row, c.value(root))
			}
			return entities.write(append(row, handlingRow(m.Handling)...))
		},
		Relationship: func(r *sarhad.Relationship) error {
			if rels == nil {
				header := []string{"id", "key", "type", "from.id", "to.id", "redacted"}
				for _, c := range relationColumns() {
					header = append(header, c.name)
				}
				f, err := openCSV(create, RelationshipsFileName, append(header, handlingHeader...))
				if err != nil {
					return err
				}
				rels = f
			}
			// A relationship that ties a victim under a pseudonym comes without its note and keys
			// (sarhad.ProtectTie), and says so: the importer will not write it over the stored one.
			// So does one that came without them from the export it was imported from.
			redacted := ""
			if r.Incomplete() {
				redacted = "true"
			}
			row := []string{r.ID, r.SourceKey, string(r.Type), r.From, r.To, redacted}
			root := reflect.ValueOf(&r.RelationProps).Elem()
			for _, c := range relationColumns() {
				row = append(row, c.value(root))
			}
			return rels.write(append(row, handlingRow(r.Handling)...))
		},
	})
	return err
}

// RelationshipsFileName is the file of relationships in a CSV export.
const RelationshipsFileName = "relationships.csv"

// CSVFileName is the file of the entities of kind k in a CSV export: its kind in lower case, plural
// (persons.csv, bank_accounts.csv, addresses.csv, countries.csv), a name the importer recognises.
func CSVFileName(k sarhad.EntityKind) string {
	name := strings.ToLower(string(k))
	switch {
	case strings.HasSuffix(name, "y"):
		name = strings.TrimSuffix(name, "y") + "ies"
	case strings.HasSuffix(name, "s"):
		name += "es"
	default:
		name += "s"
	}
	return name + ".csv"
}

var handlingHeader = []string{"tlp", "originatorOrg", "originatorCountry", "releasableTo"}

func handlingRow(h sarhad.Handling) []string {
	return []string{string(h.TLP), h.OriginatorOrg, h.OriginatorCountry, listCell(slices.Sorted(slices.Values(h.ReleasableTo)))}
}

// csvFile is one file of a CSV export.
type csvFile struct {
	c io.Closer
	w *csv.Writer
}

func openCSV(create func(string) (io.WriteCloser, error), name string, header []string) (*csvFile, error) {
	wc, err := create(name)
	if err != nil {
		return nil, err
	}
	f := &csvFile{c: wc, w: csv.NewWriter(wc)}
	if err := f.write(header); err != nil {
		f.close()
		return nil, err
	}
	return f, nil
}

func (f *csvFile) write(row []string) error { return f.w.Write(row) }

// close flushes and closes the file; a nil file is already closed.
func (f *csvFile) close() error {
	if f == nil {
		return nil
	}
	f.w.Flush()
	return errors.Join(f.w.Error(), f.c.Close())
}

// column is one attribute column of the import layout: the attribute's JSON name (nested ones
// with a dot, as the importer names them) and the path of struct fields to it.
type column struct {
	name string
	path []int
	// nested columns belong to an optional object (victim, location, fee, amount): their numbers
	// are written even when zero, so that the object is there again on import.
	nested bool
}

// columns lists the attribute columns of struct type t the importer can read: strings, lists of
// strings, whole numbers, numbers and booleans, and the same inside pointers to structs.
func columns(t reflect.Type, prefix string, path []int) []column {
	var out []column
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if sf.Anonymous || !sf.IsExported() || name == "" || name == "-" {
			continue
		}
		p := append(slices.Clone(path), i)
		switch ft := sf.Type; {
		case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct:
			out = append(out, columns(ft.Elem(), prefix+name+".", p)...)
		case ft.Kind() == reflect.String, ft.Kind() == reflect.Int, ft.Kind() == reflect.Float64, ft.Kind() == reflect.Bool,
			ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.String:
			out = append(out, column{name: prefix + name, path: p, nested: prefix != ""})
		}
	}
	return out
}

// relationColumns are the property columns of a relationships file. The amount is written as
// amount and currency, as the README names them. A SAME_AS's merge record is not exported, and
// Withheld is the redacted column.
var relationColumns = sync.OnceValue(func() []column {
	var cols []column
	for _, c := range columns(reflect.TypeFor[sarhad.RelationProps](), "", nil) {
		if strings.HasPrefix(c.name, "merge.") || c.name == "withheld" {
			continue
		}
		c.name = strings.TrimPrefix(c.name, "amount.")
		cols = append(cols, c)
	}
	return cols
})

// value renders the column's attribute of root as a cell: "" for an absent value.
func (c column) value(root reflect.Value) string {
	v := root
	for k, i := range c.path {
		v = v.Field(i)
		if k < len(c.path)-1 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return ""
			}
			v = v.Elem()
		}
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Slice:
		items := make([]string, v.Len())
		for i := range items {
			items[i] = v.Index(i).String()
		}
		return listCell(items)
	case reflect.Int:
		if v.Int() == 0 && !c.nested {
			return ""
		}
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Float64:
		if v.Float() == 0 && !c.nested {
			return ""
		}
		return strconv.FormatFloat(v.Float(), 'f', -1, 64)
	case reflect.Bool:
		if !v.Bool() && !c.nested {
			return ""
		}
		return strconv.FormatBool(v.Bool())
	}
	return ""
}

// listCell joins list items with ";". The layout has no escape for a ";" inside an item: it is
// written as ",", so that the item stays one item on import.
func listCell(items []string) string {
	for i, s := range items {
		items[i] = strings.ReplaceAll(s, ";", ",")
	}
	return strings.Join(items, ";")
}
