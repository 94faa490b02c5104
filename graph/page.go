package graph

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/sarhad/sarhad"
)

// Cursors are opaque to clients: base64 of "id:<entity id>" for lists ordered by id and
// "offset:<n>" for search.

func idCursor(id string) string { return base64.RawURLEncoding.EncodeToString([]byte("id:" + id)) }

func offsetCursor(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(n)))
}

// decodeOffset returns the position after an offset cursor (0 without one).
func decodeOffset(after *string) (int, error) {
	s, err := decodeCursor(after, "offset")
	if err != nil || s == "" {
		return 0, err
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, sarhad.Invalid("after", "not a cursor from this list")
	}
	return n + 1, nil
}

func decodeCursor(after *string, prefix string) (string, error) {
	if after == nil || *after == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*after)
	if err != nil || !strings.HasPrefix(string(b), prefix+":") {
		return "", sarhad.Invalid("after", "not a cursor from this list")
	}
	return strings.TrimPrefix(string(b), prefix+":"), nil
}

// pageSize validates `first`: 1…MaxPageSize, def when absent.
func pageSize(first *int, def int) (int, error) {
	if first == nil {
		return def, nil
	}
	if *first < 1 || *first > sarhad.MaxPageSize {
		return 0, sarhad.Invalid("first", "must be between 1 and %d", sarhad.MaxPageSize)
	}
	return *first, nil
}

// listPage decodes `first` and `after` of a list ordered by id.
func listPage(first *int, after *string) (sarhad.Page, error) {
	n, err := pageSize(first, sarhad.DefaultPageSize)
	if err != nil {
		return sarhad.Page{}, err
	}
	id, err := decodeCursor(after, "id")
	if err != nil {
		return sarhad.Page{}, err
	}
	if id != "" {
		if _, err := sarhad.KindOfID(id); err != nil {
			return sarhad.Page{}, sarhad.Invalid("after", "not a cursor from this list")
		}
	}
	return sarhad.Page{First: n, After: id}, nil
}

// pageInfo describes a page of entities.
func pageInfo[T sarhad.Entity](items []T, hasNext bool) *PageInfo {
	pi := &PageInfo{HasNextPage: hasNext}
	if len(items) > 0 {
		start, end := idCursor(items[0].EntityMeta().ID), idCursor(items[len(items)-1].EntityMeta().ID)
		pi.StartCursor, pi.EndCursor = &start, &end
	}
	return pi
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// orDefault is *p, or def when the argument is absent or null.
func orDefault[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
