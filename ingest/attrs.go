package ingest

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/sarhad/sarhad"
)

// enumValues are the values the GraphQL schema allows for each enum-typed attribute. Normalize
// checks a few of them (gender, reliability, credibility); GraphQL checks the rest before Service
// sees them, so an import must check them itself.
var enumValues = map[reflect.Type][]string{
	reflect.TypeFor[sarhad.Gender]():   strs(sarhad.GenderMale, sarhad.GenderFemale, sarhad.GenderOther, sarhad.GenderUnknown),
	reflect.TypeFor[sarhad.AgeGroup](): strs(sarhad.AgeGroupChild, sarhad.AgeGroupAdult, sarhad.AgeGroupUnknown),
	reflect.TypeFor[sarhad.Exploitation](): strs(sarhad.ExploitationForcedLabour, sarhad.ExploitationSexual,
		sarhad.ExploitationDomesticServitude, sarhad.ExploitationForcedMarriage, sarhad.ExploitationBondedLabour,
		sarhad.ExploitationBegging, sarhad.ExploitationOther),
	reflect.TypeFor[sarhad.AssistanceKind](): strs(sarhad.AssistanceShelter, sarhad.AssistanceMedical, sarhad.AssistanceLegal,
		sarhad.AssistanceRepatriation, sarhad.AssistancePsychosocial, sarhad.AssistanceFinancial),
	reflect.TypeFor[sarhad.OrganizationCategory](): strs(sarhad.OrgCriminalNetwork, sarhad.OrgTravelAgency,
		sarhad.OrgRecruitmentAgency, sarhad.OrgFrontCompany, sarhad.OrgLawEnforcement, sarhad.OrgNGO, sarhad.OrgShelter,
		sarhad.OrgGovernment, sarhad.OrgOther),
	reflect.TypeFor[sarhad.PlaceCategory](): strs(sarhad.PlaceCity, sarhad.PlaceBorderCrossing, sarhad.PlaceSeaport,
		sarhad.PlaceAirport, sarhad.PlaceLandingSite, sarhad.PlaceSafeHouse, sarhad.PlaceOther),
	reflect.TypeFor[sarhad.Offence](): strs(sarhad.OffenceTrafficking, sarhad.OffenceSmuggling, sarhad.OffenceForgery,
		sarhad.OffenceOther),
	reflect.TypeFor[sarhad.CaseStage](): strs(sarhad.CaseStages...),
	reflect.TypeFor[sarhad.EventCategory](): strs(sarhad.EventArrest, sarhad.EventInterception, sarhad.EventBorderCrossing,
		sarhad.EventRecruitment, sarhad.EventPayment, sarhad.EventRescue, sarhad.EventDeath, sarhad.EventDeportation,
		sarhad.EventMeeting),
	reflect.TypeFor[sarhad.DocumentType](): strs(sarhad.DocumentCNIC, sarhad.DocumentPassport, sarhad.DocumentVisa,
		sarhad.DocumentNationalID, sarhad.DocumentOther),
	reflect.TypeFor[sarhad.Authenticity](): strs(sarhad.AuthenticityGenuine, sarhad.AuthenticityForged,
		sarhad.AuthenticityFraudulent, sarhad.AuthenticityUnknown),
	reflect.TypeFor[sarhad.VehicleCategory](): strs(sarhad.VehicleCar, sarhad.VehicleTruck, sarhad.VehicleBus,
		sarhad.VehicleBoat, sarhad.VehicleShip, sarhad.VehicleOther),
	reflect.TypeFor[sarhad.SourceCategory](): strs(sarhad.SourceReport, sarhad.SourceStatement, sarhad.SourceIntercept,
		sarhad.SourceOpen, sarhad.SourceCourtRecord, sarhad.SourceImport, sarhad.SourceOther),
	reflect.TypeFor[sarhad.Reliability](): strs(sarhad.ReliabilityA, sarhad.ReliabilityB, sarhad.ReliabilityC,
		sarhad.ReliabilityD, sarhad.ReliabilityE, sarhad.ReliabilityF),
	reflect.TypeFor[sarhad.Credibility](): strs(sarhad.CredibilityConfirmed, sarhad.CredibilityProbablyTrue,
		sarhad.CredibilityPossiblyTrue, sarhad.CredibilityDoubtful, sarhad.CredibilityImprobable,
		sarhad.CredibilityCannotBeJudged),
	reflect.TypeFor[sarhad.CooperationCategory](): strs(sarhad.CoopMutualLegalAssistance, sarhad.CoopExtradition,
		sarhad.CoopInterpolNotice, sarhad.CoopJointInvestigation, sarhad.CoopInformationExchange),
	reflect.TypeFor[sarhad.CooperationStatus](): strs(sarhad.CoopDraft, sarhad.CoopSent, sarhad.CoopInProgress,
		sarhad.CoopExecuted, sarhad.CoopRefused, sarhad.CoopWithdrawn),
	reflect.TypeFor[sarhad.TravelMode](): strs(sarhad.ModeLand, sarhad.ModeSea, sarhad.ModeAir),
}

// requiredEnums are the enum attributes the GraphQL input types mark non-null.
var requiredEnums = map[sarhad.EntityKind][]string{
	sarhad.KindOrganization:       {"category"},
	sarhad.KindPlace:              {"category"},
	sarhad.KindCase:               {"stage"},
	sarhad.KindEvent:              {"category"},
	sarhad.KindIdentityDocument:   {"documentType"},
	sarhad.KindVehicle:            {"category"},
	sarhad.KindSource:             {"category"},
	sarhad.KindCooperationRequest: {"category", "status"},
}

func strs[T ~string](xs ...T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// Replacers are safe for concurrent use and never change.
var (
	enumSpelling = strings.NewReplacer(" ", "_", "-", "_", "+", "_")
	kindSpelling = strings.NewReplacer("_", "", " ", "", "-", "", "ORGANISATION", "ORGANIZATION")
)

// canonEnum reads "forced labour", "Forced-Labour" and "FORCED_LABOUR" alike (and "AMBER+STRICT"
// as AMBER_STRICT).
func canonEnum(s string) string {
	return enumSpelling.Replace(strings.ToUpper(strings.TrimSpace(s)))
}

// checkMode brings the travel mode of a relationship to its canonical spelling and says what is
// wrong with it, if anything.
func checkMode(p *sarhad.RelationProps) (field, reason string) {
	if p.Mode == "" {
		return "", ""
	}
	return "mode", checkEnum(reflect.ValueOf(&p.Mode).Elem())
}

// checkEnums brings the enum attributes of an entity to their canonical spelling and returns the
// first attribute whose value the schema does not allow.
func checkEnums(v any) (field, reason string) {
	rv := reflect.ValueOf(v).Elem()
	field, reason = checkEnumFields(rv, "")
	if field != "" {
		return field, reason
	}
	if e, ok := v.(sarhad.Entity); ok {
		for _, name := range requiredEnums[sarhad.KindOf(e)] {
			if f, ok := fieldByJSONName(rv, name); ok && f.String() == "" {
				return name, "is required"
			}
		}
	}
	return "", ""
}

func checkEnumFields(v reflect.Value, prefix string) (string, string) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		name := jsonName(sf)
		if sf.Anonymous || name == "" {
			continue
		}
		f := v.Field(i)
		switch {
		case f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Kind() == reflect.Struct:
			if field, reason := checkEnumFields(f.Elem(), prefix+name+"."); field != "" {
				return field, reason
			}
		case enumValues[sf.Type] != nil:
			if reason := checkEnum(f); reason != "" {
				return prefix + name, reason
			}
		case f.Kind() == reflect.Slice && enumValues[sf.Type.Elem()] != nil:
			for j := range f.Len() {
				if reason := checkEnum(f.Index(j)); reason != "" {
					return fmt.Sprintf("%s%s[%d]", prefix, name, j), reason
				}
			}
		}
	}
	return "", ""
}

func checkEnum(f reflect.Value) string {
	if f.String() == "" {
		return ""
	}
	allowed := enumValues[f.Type()]
	s := canonEnum(f.String())
	if !slices.Contains(allowed, s) {
		return fmt.Sprintf("%q is not one of %s", truncate(f.String(), 40), strings.Join(allowed, ", "))
	}
	f.SetString(s)
	return ""
}

func fieldByJSONName(v reflect.Value, name string) (reflect.Value, bool) {
	t := v.Type()
	for i := range t.NumField() {
		if !t.Field(i).Anonymous && jsonName(t.Field(i)) == name {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// jsonName is the JSON name of a struct field, or "" when it has none.
func jsonName(sf reflect.StructField) string {
	if !sf.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// setter sets one attribute of the struct root from a CSV cell.
type setter func(root reflect.Value, cell string) error

// setters returns, for a struct type, a setter per attribute named as in JSON; the attributes of a
// nested struct are named with a dot ("victim.ageGroup", "location.lat", "fee.amount").
func setters(t reflect.Type) map[string]setter {
	out := map[string]setter{}
	walkSetters(t, "", nil, out)
	return out
}

func walkSetters(t reflect.Type, prefix string, path []int, out map[string]setter) {
	for i := range t.NumField() {
		sf := t.Field(i)
		name := jsonName(sf)
		if sf.Anonymous || name == "" {
			continue
		}
		p := append(slices.Clone(path), i)
		if sf.Type.Kind() == reflect.Pointer && sf.Type.Elem().Kind() == reflect.Struct {
			walkSetters(sf.Type.Elem(), prefix+name+".", p, out)
			continue
		}
		if s := makeSetter(p, sf.Type); s != nil {
			out[prefix+name] = s
		}
	}
}

func makeSetter(path []int, t reflect.Type) setter {
	var set func(f reflect.Value, cell string) error
	switch t.Kind() {
	case reflect.String:
		set = func(f reflect.Value, cell string) error { f.SetString(cell); return nil }
	case reflect.Slice:
		if t.Elem().Kind() != reflect.String {
			return nil
		}
		set = func(f reflect.Value, cell string) error {
			items := splitList(cell)
			s := reflect.MakeSlice(t, len(items), len(items))
			for i, item := range items {
				s.Index(i).SetString(item)
			}
			f.Set(s)
			return nil
		}
	case reflect.Int:
		set = func(f reflect.Value, cell string) error {
			n, err := strconv.Atoi(cell)
			if err != nil {
				return fmt.Errorf("%q is not a whole number", truncate(cell, 32))
			}
			f.SetInt(int64(n))
			return nil
		}
	case reflect.Float64:
		set = func(f reflect.Value, cell string) error {
			x, err := strconv.ParseFloat(cell, 64)
			if err != nil {
				return fmt.Errorf("%q is not a number", truncate(cell, 32))
			}
			f.SetFloat(x)
			return nil
		}
	case reflect.Bool:
		set = func(f reflect.Value, cell string) error {
			b, err := strconv.ParseBool(strings.ToLower(cell))
			if err != nil {
				return fmt.Errorf("%q is not true or false", truncate(cell, 32))
			}
			f.SetBool(b)
			return nil
		}
	default:
		return nil
	}
	return func(root reflect.Value, cell string) error {
		v := root
		for k, i := range path {
			v = v.Field(i)
			if k < len(path)-1 && v.Kind() == reflect.Pointer {
				if v.IsNil() {
					v.Set(reflect.New(v.Type().Elem()))
				}
				v = v.Elem()
			}
		}
		return set(v, cell)
	}
}

// splitList splits a list cell at semicolons, dropping empty items.
func splitList(cell string) []string {
	parts := strings.Split(cell, ";")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseKind reads an entity kind as "BANK_ACCOUNT", "BankAccount" or "bank account" (and
// "ORGANISATION" as ORGANIZATION).
func parseKind(s string) (sarhad.EntityKind, bool) {
	if k := sarhad.EntityKind(s); k.Valid() {
		return k, true
	}
	fold := func(s string) string { return kindSpelling.Replace(strings.ToUpper(strings.TrimSpace(s))) }
	want := fold(s)
	for _, k := range sarhad.EntityKinds() {
		if fold(string(k)) == want {
			return k, true
		}
	}
	return "", false
}

// parseRef reads one end of a relationship: an id, or a kind and a key (and the originating
// organisation of the key when it is not the relationship's). It returns the field at fault and
// why when the end is malformed.
func parseRef(field, kind, key, org, id string) (ref, string, string) {
	if id != "" {
		if kind != "" || key != "" {
			return ref{}, field + ".id", "give an id, or a kind and a key, not both"
		}
		if _, err := sarhad.KindOfID(id); err != nil {
			return ref{}, field + ".id", sarhad.ErrorMessage(err)
		}
		return ref{field: field + ".id", id: id}, "", ""
	}
	if kind == "" {
		return ref{}, field + ".kind", "is required"
	}
	k, ok := parseKind(kind)
	if !ok {
		return ref{}, field + ".kind", fmt.Sprintf("%q is not an entity kind", truncate(kind, 40))
	}
	if key == "" {
		return ref{}, field + ".key", "is required"
	}
	return ref{field: field + ".key", kinds: []sarhad.EntityKind{k}, key: key, org: org}, "", ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
