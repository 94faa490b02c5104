package sarhad

import (
	_ "embed"
	"encoding/csv"
	"strings"
	"sync"
)

// countriesCSV is ISO 3166-1 (249 countries: alpha-2, alpha-3, numeric, common name) with the UN M49
// sub-region of each; generated from the Python packages pycountry and country_converter.
//
//go:embed countries.csv
var countriesCSV string

// ISOCountry is one row of ISO 3166-1.
type ISOCountry struct {
	Alpha2, Alpha3, Numeric, Name, Region string
}

// isoCountries parses the embedded table once; the result is never modified.
var isoCountries = sync.OnceValue(func() []ISOCountry {
	rows, err := csv.NewReader(strings.NewReader(countriesCSV)).ReadAll()
	if err != nil {
		panic("sarhad: embedded countries.csv: " + err.Error())
	}
	out := make([]ISOCountry, 0, len(rows)-1)
	for _, r := range rows[1:] {
		out = append(out, ISOCountry{Alpha2: r[0], Alpha3: r[1], Numeric: r[2], Name: r[3], Region: r[4]})
	}
	return out
})

// ISOCountries returns every ISO 3166-1 country, ordered by alpha-3 code.
func ISOCountries() []ISOCountry { return isoCountries() }

// LookupCountry finds a country by its ISO alpha-2 or alpha-3 code, in any case.
func LookupCountry(code string) (ISOCountry, bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	for _, c := range isoCountries() {
		if c.Alpha3 == code || c.Alpha2 == code {
			return c, true
		}
	}
	return ISOCountry{}, false
}

// CountryCode returns the alpha-3 code for an alpha-2 or alpha-3 code, or BAD_USER_INPUT naming
// field when code is not an ISO 3166-1 country.
func CountryCode(field, code string) (string, error) {
	c, ok := LookupCountry(code)
	if !ok {
		return "", Invalid(field, "%q is not an ISO 3166-1 alpha-2 or alpha-3 country code", truncate(code, 16))
	}
	return c.Alpha3, nil
}

// CountryID returns the id of the Country entity for an alpha-3 code.
func CountryID(alpha3 string) string { return StableID(KindCountry, alpha3) }
