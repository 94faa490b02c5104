package demo

import (
	"github.com/sarhad/sarhad"
)

// addPartnerCases adds cases registered by partner countries' agencies against members of the
// networks.
func (w *world) addPartnerCases() {
	specs := []struct {
		key, ref, agency, org string
		c                     sarhad.Case
		net                   string
		roles                 []string
		route                 string
		to                    []string
		source                string
		statute               string
	}{
		{"case/grc-kalamata", "Kalamata Prosecutor 2023/4411", "Hellenic Coast Guard, Kalamata", OrgHellenicPolice,
			sarhad.Case{Stage: sarhad.StageUnderInvestigation, RegisteredOn: "2023-06-16"},
			"org/gondal-warraich", []string{"boat organiser", "coordinator"}, "route/tobruk-pylos", []string{"GRC", "PAK", "ITA"},
			"source/hellenic-kalamata", "Greek Law 4251/2014, art. 30 (facilitation of irregular entry)"},
		{"case/grc-mytilene", "Mytilene Prosecutor 2022/1187", "Hellenic Police, Lesbos", OrgHellenicPolice,
			sarhad.Case{Stage: sarhad.StageConvicted, RegisteredOn: "2022-08-22", ChargeSheetedOn: "2022-11-30", DecidedOn: "2023-05-10"},
			keyChaudhry, []string{"coordinator"}, keyTaftanRoute, []string{"GRC", "PAK"}, "source/hellenic-kalamata",
			"Greek Law 4251/2014, art. 30 (facilitation of irregular entry)"},
		{"case/irn-zahedan", "Sistan and Baluchestan Police 1401/0562", "Sistan and Baluchestan Police", OrgIranPolice,
			sarhad.Case{Stage: sarhad.StageChargeSheeted, RegisteredOn: "2022-09-05", ChargeSheetedOn: "2022-12-20"},
			"org/rind-network", []string{"guide"}, "route/mand", []string{"IRN", "PAK"}, "source/iran-mirjaveh",
			"Iranian law on illegal entry and exit"},
		{"case/irn-mirjaveh", "Mirjaveh Border Police 1400/0231", "Mirjaveh Border Police", OrgIranPolice,
			sarhad.Case{Stage: sarhad.StageClosed, RegisteredOn: "2021-05-18", ClosedOn: "2021-12-01"},
			keyChaudhry, []string{"guide"}, keyTaftanRoute, []string{"IRN", "PAK"}, "source/iran-mirjaveh",
			"Iranian law on illegal entry and exit"},
		{"case/ita-crotone", "Procura di Crotone RGNR 815/2023", "Procura della Repubblica di Crotone", OrgItalianPolice,
			sarhad.Case{Stage: sarhad.StageUnderInvestigation, RegisteredOn: "2023-02-28"},
			keyChaudhry, []string{"coordinator"}, "", []string{"ITA", "PAK", "GRC"}, "source/italy-crotone",
			"Italian Consolidated Immigration Act, art. 12 (aiding irregular immigration)"},
		{"case/omn-muscat", "Royal Oman Police Muscat 3310/2022", "Royal Oman Police, Muscat", OrgOmanPolice,
			sarhad.Case{Stage: sarhad.StageConvicted, RegisteredOn: "2022-04-02", ChargeSheetedOn: "2022-06-01", DecidedOn: "2022-10-15"},
			"org/kalmati-boats", []string{"boat captain"}, "route/gwadar-muscat", []string{"OMN", "PAK"}, "source/oman-repatriation",
			"Omani Law on Combating Human Trafficking and foreigners' residence law"},
	}
	for _, s := range specs {
		n := w.netByKey[s.net]
		c := s.c
		c.Reference, c.Agency, c.Country = s.ref, s.agency, orgCountry(s.org)
		c.Offences = []sarhad.Offence{sarhad.OffenceOther}
		accused := n.withRole(s.roles...)
		c.Title = "Case against " + accused[0].e.Name
		if len(accused) > 1 {
			c.Title += " and others"
		}
		c.Summary = "[SYNTHETIC] Fictional case registered by a partner agency under " + s.statute + " against members of the " +
			n.name + " (synthetic demo data)."
		cs := &caseState{key: s.key, c: &c, n: n, accused: accused, srcs: []string{w.partnerSources[s.source]}}
		cs.id = w.put(s.key, &c, handling(s.org, sarhad.TLPAmber, s.to...), cs.srcs...)
		w.cases = append(w.cases, cs)
		if s.route != "" {
			cs.route = w.routes[s.route]
			w.link(sarhad.RelAlongRoute, cs.id, cs.route, sarhad.RelationProps{})
		}
		for _, a := range accused {
			w.linkIf(sarhad.RelPartyTo, a.id, cs.id, sarhad.RelationProps{Role: string(sarhad.PartyAccused), Since: c.RegisteredOn})
		}
	}
}

func (w *world) caseByKey(key string) *caseState {
	for _, cs := range w.cases {
		if cs.key == key {
			return cs
		}
	}
	panic("demo: no case " + key)
}

// addNotableEvents adds events outside the domestic cases: the Pylos and Cutro wrecks, partner
// agencies' interceptions and deportations, and meetings of the leaders.
func (w *world) addNotableEvents() {
	c, g := w.netByKey[keyChaudhry], w.netByKey["org/gondal-warraich"]
	rind, kal, nz := w.netByKey["org/rind-network"], w.netByKey["org/kalmati-boats"], w.netByKey["org/noorzai-network"]

	var pylosVictims []*person
	for _, cs := range g.cases {
		if cs.pylos {
			for _, p := range cs.moved {
				if p.role == "victim" {
					pylosVictims = append(pylosVictims, p)
				}
			}
		}
	}
	type ev struct {
		key      string
		e        sarhad.Event
		h        sarhad.Handling
		place    string
		route    string
		cases    []string
		people   []*person
		roles    []string // role of each of people, or the last one for the rest
		sources  []string
		vehicles []string
	}
	events := []ev{
		{keyPylosEvent, sarhad.Event{Category: sarhad.EventDeath, OccurredOn: "2023-06-14",
			Description: "An overcrowded fishing trawler that had left Tobruk on 9 June capsized about 50 nautical miles off Pylos; hundreds drowned, many of them Pakistanis. (Real event; the persons linked to it here are fictional — synthetic demo data.)"},
			handling(OrgHellenicPolice, sarhad.TLPGreen, "GRC", "PAK", "ITA"), "Pylos", "route/tobruk-pylos",
			[]string{keyPylosCase, "case/grc-kalamata"}, append(pylosVictims, g.withRole("boat organiser")...),
			[]string{"deceased", "deceased", "survivor", "deceased", "survivor", "deceased", "survivor", "deceased"},
			[]string{w.partnerSources["source/hellenic-kalamata"], w.open["fia-pylos-2023"]}, nil},
		{"event/tobruk-departure", sarhad.Event{Category: sarhad.EventBorderCrossing, OccurredOn: "2023-06-09", PersonsCount: 400,
			Description: "The trawler left Tobruk with several hundred passengers (synthetic demo record)."},
			handling(OrgFIALahore, sarhad.TLPAmber, "PAK", "GRC", "ITA", "LBY"), "Tobruk", "route/tobruk-pylos",
			[]string{keyPylosCase}, append(g.withRole("boat organiser", "coordinator"), pylosVictims...), []string{"organiser", "organiser", "organiser", "passenger"},
			[]string{g.sources.intercept}, nil},
		{"event/kalamata-landing", sarhad.Event{Category: sarhad.EventRescue, OccurredOn: "2023-06-14", PersonsCount: 104,
			Description: "Survivors of the Pylos wreck landed at Kalamata (synthetic demo record)."},
			handling(OrgHellenicPolice, sarhad.TLPGreen, "GRC", "PAK", "ITA"), "Kalamata", "route/tobruk-pylos",
			[]string{"case/grc-kalamata"}, nil, nil, []string{w.partnerSources["source/hellenic-kalamata"]}, nil},
		{"event/cutro-wreck", sarhad.Event{Category: sarhad.EventDeath, OccurredOn: "2023-02-26",
			Description: "A boat from Turkey broke up off Steccato di Cutro near Crotone (real event; persons linked are fictional — synthetic demo data)."},
			handling(OrgItalianPolice, sarhad.TLPGreen, "ITA", "PAK", "GRC"), "Crotone", "",
			[]string{"case/ita-crotone"}, c.migrants[2:4], []string{"deceased"}, []string{w.partnerSources["source/italy-crotone"]}, nil},
		{"event/salmas-deaths", sarhad.Event{Category: sarhad.EventDeath, OccurredOn: "2022-01-18", PersonsCount: 3,
			Description: "Migrants froze to death during the mountain crossing from Salmas towards Van (synthetic demo data)."},
			handling(OrgIranPolice, sarhad.TLPAmber, "IRN", "PAK"), "Salmas", keyTaftanRoute,
			nil, c.migrants[4:6], []string{"deceased"}, []string{w.partnerSources["source/iran-mirjaveh"]}, nil},
		{"event/mirjaveh-interception", sarhad.Event{Category: sarhad.EventInterception, OccurredOn: "2021-05-15", PersonsCount: 74,
			Description: "Iranian border police intercepted a group that had crossed at Taftan (synthetic demo data)."},
			handling(OrgIranPolice, sarhad.TLPAmber, "IRN", "PAK"), "Mirjaveh", keyTaftanRoute,
			[]string{"case/irn-mirjaveh"}, append(c.withRole("guide")[:1], c.migrants[6:9]...), []string{"guide", "intercepted"},
			[]string{w.partnerSources["source/iran-mirjaveh"]}, nil},
		{"event/pishin-interception", sarhad.Event{Category: sarhad.EventInterception, OccurredOn: "2022-09-01", PersonsCount: 38,
			Description: "Iranian border police intercepted migrants who had crossed at Mand–Pishin (synthetic demo data)."},
			handling(OrgIranPolice, sarhad.TLPAmber, "IRN", "PAK"), "Pishin", "route/mand",
			[]string{"case/irn-zahedan"}, append(rind.withRole("guide"), rind.migrants[:3]...), []string{"guide", "guide", "intercepted"},
			[]string{w.partnerSources["source/iran-mirjaveh"]}, nil},
		{"event/mirjaveh-deportation", sarhad.Event{Category: sarhad.EventDeportation, OccurredOn: "2022-11-20", PersonsCount: 312,
			Description: "Pakistanis deported by Iran handed over to the FIA at the Mirjaveh–Taftan crossing (synthetic demo data)."},
			handling(OrgIranPolice, sarhad.TLPGreen, "IRN", "PAK"), "Mirjaveh", keyTaftanRoute,
			nil, c.migrants[9:12], []string{"deported"}, []string{w.partnerSources["source/iran-mirjaveh"]}, nil},
		{"event/muscat-interception", sarhad.Event{Category: sarhad.EventInterception, OccurredOn: "2022-03-28", PersonsCount: 27,
			Description: "Royal Oman Police intercepted a boat from the Makran coast (synthetic demo data)."},
			handling(OrgOmanPolice, sarhad.TLPGreen, "OMN", "PAK"), "Muscat", "route/gwadar-muscat",
			[]string{"case/omn-muscat"}, append(kal.withRole("boat captain"), kal.victims[:2]...), []string{"captain", "captain", "captain", "passenger"},
			[]string{w.partnerSources["source/oman-repatriation"]}, kal.vehicles[:1]},
		{"event/mytilene-interception", sarhad.Event{Category: sarhad.EventInterception, OccurredOn: "2022-08-20", PersonsCount: 41,
			Description: "Hellenic Coast Guard intercepted a dinghy from Izmir off Lesbos (synthetic demo data)."},
			handling(OrgHellenicPolice, sarhad.TLPAmber, "GRC", "PAK"), "Mytilene", keyTaftanRoute,
			[]string{"case/grc-mytilene"}, c.migrants[12:16], []string{"intercepted"}, []string{w.partnerSources["source/hellenic-kalamata"]}, nil},
		{"event/dubai-meeting", sarhad.Event{Category: sarhad.EventMeeting, OccurredOn: "2022-03-15",
			Description: "Leaders of the Chaudhry Group and the Gondal–Warraich Network met in Dubai to share the Libya route (synthetic demo data)."},
			handling(OrgFIALahore, sarhad.TLPAmber, "PAK", "ARE"), "Dubai", "route/dubai-benghazi",
			nil, append([]*person{c.leaders[0], g.leaders[0], w.personByKey("person/broker-butt")}, g.withRole("money handler")...),
			[]string{"present"}, []string{g.sources.informant}, nil},
		{"event/quetta-meeting", sarhad.Event{Category: sarhad.EventMeeting, OccurredOn: "2021-09-10",
			Description: "Meeting in a Quetta hotel to arrange onward transport of Afghans towards Taftan (synthetic demo data)."},
			handling(OrgFIAQuetta, sarhad.TLPAmber, "PAK"), "Quetta", "route/chaman",
			nil, []*person{c.leaders[0], nz.leaders[0], w.personByKey(keyBroker)}, []string{"present"}, []string{nz.sources.informant}, nil},
		{"event/istanbul-meeting", sarhad.Event{Category: sarhad.EventMeeting, OccurredOn: "2022-10-05",
			Description: "The Chaudhry Group's Istanbul coordinator met the leader and a documents supplier (synthetic demo data)."},
			handling(OrgFIAGujranwala, sarhad.TLPAmber, "PAK", "TUR"), "Istanbul", keyTaftanRoute,
			nil, append([]*person{c.leaders[0], w.netByKey["org/cheema-documents"].leaders[0]}, c.withRole("coordinator")...),
			[]string{"present"}, []string{c.sources.intercept}, nil},
		{"event/dubai-hawala", sarhad.Event{Category: sarhad.EventPayment, OccurredOn: "2023-05-02",
			Description: "Hawala transfer in Dubai to pay for the boat in Tobruk (synthetic demo data)."},
			handling(OrgFIALahore, sarhad.TLPAmberStrict), "Dubai", "route/tobruk-pylos",
			[]string{keyPylosCase}, append(g.withRole("money handler"), g.leaders[1]), []string{"payer", "payer", "payee"},
			[]string{g.sources.intercept}, nil},
	}
	for _, e := range events {

		id := w.put(e.key, &e.e, e.h, e.sources...)
		w.events = append(w.events, id)
		w.link(sarhad.RelOccurredAt, id, w.places[e.place], sarhad.RelationProps{})
		if e.route != "" {
			w.link(sarhad.RelAlongRoute, id, w.routes[e.route], sarhad.RelationProps{})
		}
		for _, ck := range e.cases {
			w.linkIf(sarhad.RelRecordedIn, id, w.caseByKey(ck).id, sarhad.RelationProps{})
		}
		for i, p := range dedupe(e.people) {
			role := ""
			if len(e.roles) > 0 {
				role = e.roles[min(i, len(e.roles)-1)]
			}
			w.linkIf(sarhad.RelInvolvedIn, p.id, id, sarhad.RelationProps{Role: role})
		}
		for _, v := range e.vehicles {
			w.linkIf(sarhad.RelInvolvedIn, v, id, sarhad.RelationProps{Role: "vessel"})
		}
	}

}

func (w *world) personByKey(key string) *person {
	id := sarhad.StableID(sarhad.KindPerson, key)
	for _, n := range w.nets {
		for _, p := range append(append([]*person{}, n.leaders...), n.members...) {
			if p.id == id {
				return p
			}
		}
	}
	panic("demo: no person " + key)
}

// addCooperation adds cooperation requests between Pakistan and its partners.
func (w *world) addCooperation() {
	c, g := w.netByKey[keyChaudhry], w.netByKey["org/gondal-warraich"]
	rind, kal := w.netByKey["org/rind-network"], w.netByKey["org/kalmati-boats"]
	cheema, afr, nz := w.netByKey["org/cheema-documents"], w.netByKey["org/afridi-network"], w.netByKey["org/noorzai-network"]
	specs := []struct {
		key, ref string
		cat      sarhad.CooperationCategory
		from, to string
		status   sarhad.CooperationStatus
		sent     sarhad.Date
		resp     sarhad.Date
		summary  string
		org      string
		tlp      sarhad.TLP
		release  []string
		cases    []string
		people   []*person
		orgs     []string
	}{
		{"coop/mla-grc-pylos", "MLA/PAK-GRC/2023/014", sarhad.CoopMutualLegalAssistance, "PAK", "GRC", sarhad.CoopInProgress, "2023-07-20", "",
			"Request for survivors' statements and the identification of organisers of the Pylos voyage.", OrgFIAGujranwala, sarhad.TLPAmber,
			[]string{"PAK", "GRC"}, []string{keyPylosCase}, g.withRole("boat organiser"), nil},
		{"coop/mla-pak-from-grc", "GR-MLA/2023/0877", sarhad.CoopMutualLegalAssistance, "GRC", "PAK", sarhad.CoopExecuted, "2023-07-05", "2023-10-12",
			"Greek request for the records of Pakistani nationals involved in the Pylos voyage.", OrgHellenicPolice, sarhad.TLPAmber,
			[]string{"GRC", "PAK"}, []string{"case/grc-kalamata"}, g.withRole("coordinator"), nil},
		{"coop/ext-lby-warraich", "EXT/PAK-LBY/2023/003", sarhad.CoopExtradition, "PAK", "LBY", sarhad.CoopSent, "2023-09-01", "",
			"Request for the extradition of a proclaimed offender based in Benghazi.", OrgFIALahore, sarhad.TLPAmberStrict,
			nil, []string{keyPylosCase}, g.leaders[1:2], nil},
		{"coop/interpol-kingpin", "IP/PAK/2022/0071", sarhad.CoopInterpolNotice, "PAK", "ARE", sarhad.CoopInProgress, "2022-05-10", "",
			"Red Notice requested for the leader of the Chaudhry Group, believed to travel through Dubai.", OrgFIAGujranwala, sarhad.TLPAmber,
			[]string{"PAK", "ARE", "TUR", "GRC", "IRN"}, []string{c.cases[0].key}, c.leaders, []string{c.id}},
		{"coop/jit-irn-taftan", "JIT/PAK-IRN/2022/002", sarhad.CoopJointInvestigation, "PAK", "IRN", sarhad.CoopInProgress, "2022-02-01", "",
			"Joint investigation of the networks moving migrants across Taftan–Mirjaveh and Mand–Pishin.", OrgFIAQuetta, sarhad.TLPAmber,
			[]string{"PAK", "IRN"}, []string{rind.cases[0].key, "case/irn-zahedan"}, rind.withRole("guide"), []string{rind.id}},
		{"coop/info-omn", "INFO/PAK-OMN/2022/031", sarhad.CoopInformationExchange, "PAK", "OMN", sarhad.CoopExecuted, "2022-04-15", "2022-06-30",
			"Exchange of lists of repatriated fishermen and boat registrations.", OrgFIAQuetta, sarhad.TLPGreen,
			[]string{"PAK", "OMN"}, []string{kal.cases[0].key, "case/omn-muscat"}, kal.withRole("boat captain")[:1], nil},
		{"coop/mla-tur-istanbul", "MLA/PAK-TUR/2022/009", sarhad.CoopMutualLegalAssistance, "PAK", "TUR", sarhad.CoopRefused, "2022-11-01", "2023-03-15",
			"Request for the phone records and residence of the Istanbul coordinator.", OrgFIAGujranwala, sarhad.TLPAmber,
			[]string{"PAK", "TUR"}, []string{c.cases[1].key}, c.withRole("coordinator"), nil},
		{"coop/mla-ita-crotone", "MLA/PAK-ITA/2023/005", sarhad.CoopMutualLegalAssistance, "PAK", "ITA", sarhad.CoopSent, "2023-04-03", "",
			"Request for the identification of Pakistani victims of the Cutro wreck.", OrgFIAGujranwala, sarhad.TLPAmber,
			[]string{"PAK", "ITA"}, []string{"case/ita-crotone"}, nil, nil},
		{"coop/info-afg-torkham", "INFO/PAK-AFG/2021/004", sarhad.CoopInformationExchange, "PAK", "AFG", sarhad.CoopWithdrawn, "2021-05-20", "2021-09-01",
			"Exchange on guides operating at Torkham; withdrawn after August 2021.", OrgFIAPeshawar, sarhad.TLPAmber,
			[]string{"PAK", "AFG"}, []string{afr.cases[0].key}, afr.withRole("guide"), nil},
		{"coop/ext-omn-captain", "EXT/PAK-OMN/2022/001", sarhad.CoopExtradition, "OMN", "PAK", sarhad.CoopExecuted, "2022-08-01", "2022-12-15",
			"Omani request for the surrender of a boat captain.", OrgOmanPolice, sarhad.TLPAmber,
			[]string{"OMN", "PAK"}, []string{"case/omn-muscat"}, kal.withRole("boat captain")[1:2], nil},
		{"coop/interpol-cheema", "IP/PAK/2023/0119", sarhad.CoopInterpolNotice, "PAK", "TUR", sarhad.CoopSent, "2023-02-14", "",
			"Blue Notice requested to locate a document forger believed to be in Turkey.", OrgFIAGujranwala, sarhad.TLPAmber,
			[]string{"PAK", "TUR"}, []string{cheema.cases[0].key}, cheema.withRole("document forger")[:1], nil},
		{"coop/mla-irn-from-irn", "IR-MLA/1401/212", sarhad.CoopMutualLegalAssistance, "IRN", "PAK", sarhad.CoopInProgress, "2022-10-10", "",
			"Iranian request for the Pakistani records of guides arrested in Zahedan.", OrgIranPolice, sarhad.TLPAmber,
			[]string{"IRN", "PAK"}, []string{"case/irn-zahedan"}, rind.withRole("guide"), nil},
		{"coop/mla-are-hawala", "MLA/PAK-ARE/2023/022", sarhad.CoopMutualLegalAssistance, "PAK", "ARE", sarhad.CoopInProgress, "2023-07-01", "",
			"Request for the records of a hawala ledger in Dubai used to pay for the Tobruk boat.", OrgFIALahore, sarhad.TLPAmberStrict,
			nil, []string{keyPylosCase}, g.withRole("money handler"), nil},
		{"coop/interpol-tobruk", "IP/PAK/2023/0188", sarhad.CoopInterpolNotice, "PAK", "LBY", sarhad.CoopSent, "2023-07-15", "",
			"Red Notice requested for the organiser of the Tobruk boat.", OrgFIALahore, sarhad.TLPAmber,
			[]string{"PAK", "LBY", "GRC", "ITA"}, []string{keyPylosCase}, g.withRole("boat organiser"), nil},
		{"coop/info-irn-mand", "INFO/PAK-IRN/2021/017", sarhad.CoopInformationExchange, "PAK", "IRN", sarhad.CoopExecuted, "2021-10-05", "2021-12-20",
			"Exchange on crossings at Mand and the vehicles used.", OrgFIAQuetta, sarhad.TLPGreen,
			[]string{"PAK", "IRN"}, []string{rind.cases[1].key}, nil, []string{rind.id}},
		{"coop/jit-afg-chaman", "JIT/PAK-AFG/2021/001", sarhad.CoopJointInvestigation, "PAK", "AFG", sarhad.CoopWithdrawn, "2021-03-01", "2021-08-20",
			"Joint investigation of the Chaman–Spin Boldak crossings; withdrawn after August 2021.", OrgFIAQuetta, sarhad.TLPAmber,
			[]string{"PAK", "AFG"}, []string{nz.cases[0].key}, nz.leaders, []string{nz.id}},
	}
	for _, s := range specs {
		cr := &sarhad.CooperationRequest{Reference: s.ref, Category: s.cat, RequestingCountry: s.from, RequestedCountry: s.to,
			Status: s.status, SentOn: s.sent, RespondedOn: s.resp, Summary: "[SYNTHETIC] " + s.summary + " (synthetic demo data)"}
		id := w.put(s.key, cr, handling(s.org, s.tlp, s.release...))
		for _, ck := range s.cases {
			w.linkIf(sarhad.RelConcerns, id, w.caseByKey(ck).id, sarhad.RelationProps{})
		}
		for _, p := range s.people {
			w.linkIf(sarhad.RelConcerns, id, p.id, sarhad.RelationProps{})
		}
		for _, o := range s.orgs {
			w.linkIf(sarhad.RelConcerns, id, o, sarhad.RelationProps{})
		}
	}
}
