package graph

import (
	"fmt"

	"github.com/sarhad/sarhad"
)

// Filters become store conditions here; attribute names come from this file only.

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

func in(attr string, values []string) []sarhad.Condition {
	if len(values) == 0 {
		return nil
	}
	return []sarhad.Condition{{Attr: attr, Op: sarhad.OpIn, Values: values}}
}

func countryCodes(field string, codes []string) ([]string, error) {
	out := make([]string, len(codes))
	for i, c := range codes {
		a3, err := sarhad.CountryCode(fmt.Sprintf("%s[%d]", field, i), c)
		if err != nil {
			return nil, err
		}
		out[i] = a3
	}
	return out, nil
}

func relatedTo(field string, id *string, rel sarhad.RelationType, dir sarhad.Direction, kinds ...sarhad.EntityKind) ([]sarhad.Condition, error) {
	if id == nil {
		return nil, nil
	}
	k, err := sarhad.KindOfID(*id)
	if err != nil {
		return nil, sarhad.Invalid(field, "%s", sarhad.ErrorMessage(err))
	}
	if len(kinds) > 0 && !contains(kinds, k) {
		return nil, sarhad.Invalid(field, "%s is not the id of a %s", *id, kinds[0].Label())
	}
	return []sarhad.Condition{{Op: sarhad.OpRelated, Rel: rel, Dir: dir, Others: []string{*id}}}, nil
}

func contains[T comparable](xs []T, x T) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

func personConditions(f *PersonFilter) ([]sarhad.Condition, error) {
	if f == nil {
		return nil, nil
	}
	nat, err := countryCodes("filter.nationalities", f.Nationalities)
	if err != nil {
		return nil, err
	}
	var conds []sarhad.Condition
	if len(nat) > 0 {
		conds = append(conds, sarhad.Condition{Attr: "nationalities", Op: sarhad.OpOverlaps, Values: nat})
	}
	conds = append(conds, in("gender", strs(f.Genders))...)
	if len(f.CaseRoles) > 0 {
		conds = append(conds, sarhad.Condition{Op: sarhad.OpRelated, Rel: sarhad.RelPartyTo, Dir: sarhad.DirOut, Values: strs(f.CaseRoles)})
	}
	member, err := relatedTo("filter.memberOf", f.MemberOf, sarhad.RelMemberOf, sarhad.DirOut, sarhad.KindOrganization)
	if err != nil {
		return nil, err
	}
	party, err := relatedTo("filter.partyTo", f.PartyTo, sarhad.RelPartyTo, sarhad.DirOut, sarhad.KindCase)
	if err != nil {
		return nil, err
	}
	return append(append(conds, member...), party...), nil
}

func organizationConditions(f *OrganizationFilter) ([]sarhad.Condition, error) {
	if f == nil {
		return nil, nil
	}
	return categoryAndCountry(strs(f.Categories), f.Countries)
}

func caseConditions(f *CaseFilter) ([]sarhad.Condition, error) {
	if f == nil {
		return nil, nil
	}
	cs, err := countryCodes("filter.countries", f.Countries)
	if err != nil {
		return nil, err
	}
	conds := append(in("stage", strs(f.Stages)), in("agency", f.Agencies)...)
	conds = append(conds, in("country", cs)...)
	if len(f.Offences) > 0 {
		conds = append(conds, sarhad.Condition{Attr: "offences", Op: sarhad.OpOverlaps, Values: strs(f.Offences)})
	}
	if f.RegisteredFrom != nil {
		conds = append(conds, sarhad.Condition{Attr: "registeredOn", Op: sarhad.OpGTE, Values: []string{string(*f.RegisteredFrom)}})
	}
	if f.RegisteredTo != nil {
		conds = append(conds, sarhad.Condition{Attr: "registeredOn", Op: sarhad.OpLTE, Values: []string{string(*f.RegisteredTo)}})
	}
	route, err := relatedTo("filter.route", f.Route, sarhad.RelAlongRoute, sarhad.DirOut, sarhad.KindRoute)
	if err != nil {
		return nil, err
	}
	party, err := relatedTo("filter.party", f.Party, sarhad.RelPartyTo, sarhad.DirIn, sarhad.KindPerson, sarhad.KindOrganization)
	if err != nil {
		return nil, err
	}
	return append(append(conds, route...), party...), nil
}

func routeConditions(f *RouteFilter) ([]sarhad.Condition, error) {
	if f == nil {
		return nil, nil
	}
	through, err := relatedTo("filter.through", f.Through, sarhad.RelHasStop, sarhad.DirOut, sarhad.KindPlace)
	if err != nil {
		return nil, err
	}
	op, err := relatedTo("filter.operatedBy", f.OperatedBy, sarhad.RelOperatesRoute, sarhad.DirIn, sarhad.KindOrganization, sarhad.KindPerson)
	if err != nil {
		return nil, err
	}
	return append(through, op...), nil
}

func placeConditions(f *PlaceFilter) ([]sarhad.Condition, error) {
	if f == nil {
		return nil, nil
	}
	return categoryAndCountry(strs(f.Categories), f.Countries)
}

// categoryAndCountry is the filter of organisations and places: a category and a country among those
// given.
func categoryAndCountry(categories, countries []string) ([]sarhad.Condition, error) {
	cs, err := countryCodes("filter.countries", countries)
	if err != nil {
		return nil, err
	}
	return append(in("category", categories), in("country", cs)...), nil
}
