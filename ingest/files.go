package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sarhad/sarhad"
)

// input is one file to read, with its format and, for CSV, what its rows are.
type input struct {
	path   string
	format Format
	kind   sarhad.EntityKind // CSV of entities
	rels   bool              // CSV of relationships
}

// orderFiles detects the format of each file and puts relationships CSV files last, so that the
// entities they join are read first.
func orderFiles(files []string, format Format) ([]input, error) {
	var first, last []input
	for _, path := range files {
		in := input{path: path, format: format}
		if in.format == FormatAuto {
			f, err := detect(path)
			if err != nil {
				return nil, err
			}
			in.format = f
		}
		switch in.format {
		case FormatCSV:
			kind, rels, ok := csvKind(path)
			if !ok {
				return nil, sarhad.Invalid("files", "%s: cannot tell what the rows of this CSV file are: name it after a kind "+
					"(persons.csv, bank_accounts.csv, …) or relationships.csv", path)
			}
			in.kind, in.rels = kind, rels
		case FormatJSONL, FormatFtM, FormatMatrix:
		default:
			return nil, sarhad.Invalid("format", "unknown format %q", in.format)
		}
		if in.rels {
			last = append(last, in)
		} else {
			first = append(first, in)
		}
	}
	return append(first, last...), nil
}

// detect reads the start of a file to tell its format.
func detect(path string) (Format, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("ingest: %w", err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		line, err := br.ReadString('\n')
		if err != nil && err != io.EOF {
			return "", fmt.Errorf("ingest: %s: %w", path, err)
		}
		line = strings.TrimPrefix(line, "\ufeff")
		if strings.HasPrefix(line, ",") || strings.HasPrefix(line, `"",`) {
			return FormatMatrix, nil
		}
		return FormatCSV, nil
	case ".jsonl", ".ndjson", ".json":
		for {
			line, err := br.ReadBytes('\n')
			if len(bytes.TrimSpace(line)) > 0 {
				var probe struct {
					Schema json.RawMessage `json:"schema"`
				}
				if json.Unmarshal(line, &probe) == nil && probe.Schema != nil {
					return FormatFtM, nil
				}
				return FormatJSONL, nil
			}
			if err != nil {
				return FormatJSONL, nil
			}
		}
	}
	return "", sarhad.Invalid("format", "%s: cannot tell the format from the extension; give Options.Format", path)
}

// csvKind tells from a CSV file's name what its rows are: persons.csv, bank_accounts.csv,
// BankAccount.csv and BANK_ACCOUNT.csv hold bank accounts; relationships.csv holds relationships.
func csvKind(path string) (kind sarhad.EntityKind, rels bool, ok bool) {
	name := strings.ToLower(strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
	name = strings.NewReplacer("_", "", "-", "", " ", "").Replace(name)
	if slices.Contains([]string{"relationships", "relationship", "relations", "links"}, name) {
		return "", true, true
	}
	for _, k := range sarhad.EntityKinds() {
		if slices.Contains(kindFileNames(k), name) {
			return k, false, true
		}
	}
	return "", false, false
}

// kindFileNames are the file names (folded, without extension) that hold entities of kind k.
func kindFileNames(k sarhad.EntityKind) []string {
	single := strings.ToLower(k.Label())
	plural := single + "s"
	switch {
	case strings.HasSuffix(single, "y"):
		plural = strings.TrimSuffix(single, "y") + "ies"
	case strings.HasSuffix(single, "s"):
		plural = single + "es"
	}
	names := []string{single, plural}
	switch k {
	case sarhad.KindPerson:
		names = append(names, "people")
	case sarhad.KindOrganization:
		names = append(names, "organisation", "organisations")
	case sarhad.KindIdentityDocument:
		names = append(names, "documents")
	}
	return names
}
