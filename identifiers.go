package sarhad

import (
	"cmp"
	"strings"
	"unicode"
)

// IdentifierValue returns the value under which records of the same identifier meet, whoever
// recorded them: the E.164 number of a phone (stored normalised, see Normalize), and for the other
// identifier kinds their distinguishing attributes upper-cased with spaces, dashes and other
// punctuation removed — "35202-1234567-1" and "3520212345671" are the same CNIC. Returns "" for an
// entity that is not an identifier or lacks its distinguishing attribute.
func IdentifierValue(e Entity) string {
	var qualifiers []string
	var value string
	switch e := e.(type) {
	case *Phone:
		value = e.Number
	case *BankAccount:
		qualifiers, value = []string{compact(e.Bank)}, compact(e.AccountNumber)
	case *IdentityDocument:
		qualifiers, value = []string{string(e.DocumentType), e.IssuingCountry}, compact(e.Number)
	case *Vehicle:
		qualifiers, value = []string{string(e.Category)}, compact(cmp.Or(e.Registration, e.Name))
	case *Address:
		qualifiers, value = []string{e.Country, compact(e.City)}, compact(e.Line)
	case *OnlineAccount:
		qualifiers, value = []string{compact(e.Platform)}, compact(strings.TrimPrefix(e.Handle, "@"))
	}
	if value == "" {
		return ""
	}
	return strings.Join(append(qualifiers, value), "|")
}

// compact folds s (diacritics removed) and keeps only its letters and digits, upper-cased.
func compact(s string) string {
	var b strings.Builder
	for _, r := range fold(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}
