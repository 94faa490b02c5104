package sarhad

import "time"

// Date is a calendar date in ISO 8601 form (YYYY-MM-DD), or "" when unknown. Dates compare correctly
// as strings, which both stores rely on for range filters.
type Date string

// ParseDate validates s as an ISO 8601 calendar date.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return "", nil
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return "", Errorf(EINVALID, "is not a date (YYYY-MM-DD)") // the value may be a victim's birth date: not echoed
	}
	return Date(s), nil
}

// Year returns the year of d, or 0 when d is empty.
func (d Date) Year() int {
	t, err := time.Parse(time.DateOnly, string(d))
	if err != nil {
		return 0
	}
	return t.Year()
}
