package demo

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/sarhad/sarhad"
)

// placesCSV lists the real places of the demo routes with their coordinates (see
// ../shared/data/ROUTES.md for the reporting they come from).
//
//go:embed data/places.csv
var placesCSV string

// addCountries adds every ISO 3166-1 country as clear reference data.
func (b *builder) addCountries() {
	for _, c := range sarhad.ISOCountries() {
		b.put("", &sarhad.Country{Name: c.Name, Alpha2: c.Alpha2, Alpha3: c.Alpha3, Numeric: c.Numeric, Region: c.Region},
			reference())
	}
}

// addPlaces adds every place of data/places.csv, LOCATED_IN its country, and returns the ids by
// name.
func (b *builder) addPlaces() map[string]string {
	rows, err := csv.NewReader(strings.NewReader(placesCSV)).ReadAll()
	if err != nil {
		panic("demo: data/places.csv: " + err.Error())
	}
	ids := make(map[string]string, len(rows))
	for i, r := range rows[1:] {
		lat, err1 := strconv.ParseFloat(r[3], 64)
		lon, err2 := strconv.ParseFloat(r[4], 64)
		approx, err3 := strconv.ParseBool(r[5])
		if err1 != nil || err2 != nil || err3 != nil {
			panic(fmt.Sprintf("demo: data/places.csv line %d: bad number", i+2))
		}
		p := &sarhad.Place{Name: r[0], Category: sarhad.PlaceCategory(r[1]), Country: r[2],
			Location: &sarhad.GeoPoint{Lat: lat, Lon: lon}, Approximate: approx, Description: r[6]}
		id := b.put("place/"+r[0], p, reference())
		ids[r[0]] = id
		b.link(sarhad.RelLocatedIn, id, sarhad.CountryID(r[2]), sarhad.RelationProps{})
	}
	return ids
}
