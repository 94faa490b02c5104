package ingest

import (
	"cmp"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/sarhad/sarhad"
)

// tie is the pair of cells (i, j) and (j, i) of an undirected tie, i before j in the header.
type tie struct {
	a, b             int
	forward, reverse float64 // cell (a, b) and cell (b, a)
	line             int     // the row where the tie was first seen
}

// readMatrix reads a square adjacency matrix: the first row and column are labels, cell (i, j) the
// weight of the tie from i to j. Each label becomes a Person; each unordered pair with a non-zero
// total weight becomes one ASSOCIATE_OF relationship, from the label earlier in the header to the
// later one, weighted with the sum of both cells (the note keeps each direction). Diagonal cells
// (ties to oneself) are ignored.
func (l *loader) readMatrix(r io.Reader) error {
	l.fields = recordFields{key: colKey}
	f, ok, err := l.openCSV(r)
	if !ok {
		return err
	}
	base := strings.TrimSuffix(l.current.name, filepath.Ext(l.current.name))
	namePrefix := cmp.Or(l.opts.Matrix.NamePrefix, "Participant ")
	keyPrefix := cmp.Or(l.opts.Matrix.KeyPrefix, base+":")
	labels := f.header[1:]
	if max := l.opts.Matrix.MaxLabels; max > 0 && len(labels) > max {
		l.rejectLine(1, "", fmt.Sprintf("has %d labels, more than %d; the file was not imported", len(labels), max))
		return nil
	}
	col := make(map[string]int, len(labels))
	for i, label := range labels {
		if label == "" {
			l.rejectLine(1, fmt.Sprintf("column %d", i+2), "a label is empty; the file was not imported")
			return nil
		}
		col[label] = i
	}
	for _, label := range labels {
		rec := l.newRecord(1)
		rec.key = keyPrefix + label
		rec.entity = &sarhad.Person{Name: namePrefix + label}
		if err := l.addEntity(rec); err != nil {
			return err
		}
	}
	ties := map[[2]int]*tie{}
	rowSeen := make([]bool, len(labels))
	for {
		row, line, ok, err := l.next(f)
		if !ok {
			if err != nil {
				return err
			}
			break
		}
		label := strings.TrimSpace(row[0])
		i, known := col[label]
		switch {
		case !known:
			l.rejectLine(line, "", fmt.Sprintf("the row label %q is not in the header", truncate(label, 40)))
			continue
		case rowSeen[i]:
			l.rejectLine(line, "", fmt.Sprintf("the row of %q appears twice", truncate(label, 40)))
			continue
		}
		rowSeen[i] = true
		for j, cell := range row[1:] {
			if cell = strings.TrimSpace(cell); cell == "" || j == i {
				continue
			}
			w, err := strconv.ParseFloat(cell, 64)
			if err != nil {
				l.rejectLine(line, labels[j], fmt.Sprintf("%q is not a number", truncate(cell, 32)))
				continue
			}
			if w == 0 {
				continue
			}
			k := [2]int{min(i, j), max(i, j)}
			t := ties[k]
			if t == nil {
				t = &tie{a: k[0], b: k[1], line: line}
				ties[k] = t
			}
			if i == t.a {
				t.forward = w
			} else {
				t.reverse = w
			}
		}
	}
	ordered := make([]*tie, 0, len(ties))
	for _, t := range ties {
		ordered = append(ordered, t)
	}
	slices.SortFunc(ordered, func(x, y *tie) int { return cmp.Or(cmp.Compare(x.a, y.a), cmp.Compare(x.b, y.b)) })
	for _, t := range ordered {
		if t.forward+t.reverse == 0 {
			continue
		}
		a, b := labels[t.a], labels[t.b]
		rec := l.newRecord(t.line)
		rec.rel = &sarhad.Relationship{Type: sarhad.RelAssociateOf, RelationProps: sarhad.RelationProps{
			Weight: t.forward + t.reverse,
			Note:   fmt.Sprintf("%s→%s: %g; %s→%s: %g", a, b, t.forward, b, a, t.reverse)}}
		rec.from = ref{field: a, kinds: personKinds, key: keyPrefix + a}
		rec.to = ref{field: b, kinds: personKinds, key: keyPrefix + b}
		if err := l.addRelationship(rec); err != nil {
			return err
		}
	}
	return nil
}
