package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/sarhad/sarhad"
)

// CaseFacts returns the visible cases that match q's conditions, ordered by id, at most q.Limit+1 of
// them, each with the facts q asks for, gathered under the access policy as Relationships and
// Entities would: a fact holds only through visible relationships between visible entities.
// CaseTally and RouteCases tally them. The cases, then one statement for each kind of fact over
// their ids, in one read transaction. Each statement walks from the cases through the
// (to_id, type) and (from_id, type) indexes, with the policy on every relationship and entity.
func (s *Store) CaseFacts(ctx context.Context, q sarhad.CaseFactsQuery) ([]*sarhad.CaseFacts, error) {
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
	filter, args, err := entityFilter(v, sarhad.KindCase, q.Conditions)
	if err != nil {
		return nil, fmt.Errorf("sqlite: case facts: %w", err)
	}
	var out []*sarhad.CaseFacts
	err = s.read(ctx, func(tx querier) error {
		byID := map[string]*sarhad.CaseFacts{}
		var ids []string
		columns := entityColumns
		if q.IDsOnly {
			columns = "e.id"
		}
		err := each(ctx, tx, `SELECT `+columns+` FROM entities e WHERE `+filter+` ORDER BY e.id LIMIT :limit`,
			append(args, sql.Named("limit", q.Limit+1)), func(rows *sql.Rows) error {
				c, err := scanCase(v, rows, q.IDsOnly)
				if err != nil {
					return err
				}
				f := &sarhad.CaseFacts{Case: c}
				out, byID[c.ID], ids = append(out, f), f, append(ids, c.ID)
				return nil
			})
		if err != nil || len(ids) == 0 {
			return err
		}
		args := append(policyArgs(v), sql.Named("ids", jsonList(ids)), sql.Named("roles", jsonList(q.Roles)),
			sql.Named("nroles", len(q.Roles)))
		// DISTINCT: two relationships can state the same fact.
		err = each(ctx, tx, `SELECT DISTINCT r.from_id, r.to_id FROM relationships r JOIN entities t ON t.id = r.to_id
			WHERE r.from_id IN (SELECT value FROM json_each(:ids)) AND r.type = 'ALONG_ROUTE' AND t.kind = 'ROUTE'
			AND `+visible("r")+` AND `+visibleEntity("t")+` ORDER BY 1, 2`, args, func(rows *sql.Rows) error {
			var c, route string
			if err := rows.Scan(&c, &route); err != nil {
				return err
			}
			byID[c].Routes = append(byID[c].Routes, route)
			return nil
		})
		if err != nil {
			return err
		}
		referred, moved := "0", "0"
		if q.Referred {
			referred = `EXISTS (SELECT 1 FROM relationships x JOIN entities o ON o.id = x.to_id
				WHERE x.from_id = p.id AND x.type = 'REFERRED_TO' AND ` + visible("x") + ` AND ` + visibleEntity("o") + `)`
		}
		if q.Moved {
			moved = `EXISTS (SELECT 1 FROM relationships m JOIN entities o ON o.id = m.from_id
				WHERE m.to_id = p.id AND m.type IN ('SMUGGLED', 'TRAFFICKED') AND ` + visible("m") + ` AND ` + visibleEntity("o") + `)`
		}
		err = each(ctx, tx, `SELECT DISTINCT r.to_id, r.from_id, coalesce(json_extract(r.props, '$.role'), ''),
			`+referred+`, `+moved+`
			FROM relationships r JOIN entities p ON p.id = r.from_id
			WHERE r.to_id IN (SELECT value FROM json_each(:ids)) AND r.type = 'PARTY_TO' AND p.kind = 'PERSON'
			AND (:nroles = 0 OR json_extract(r.props, '$.role') IN (SELECT value FROM json_each(:roles)))
			AND `+visible("r")+` AND `+visibleEntity("p")+` ORDER BY 1, 2, 3`, args, func(rows *sql.Rows) error {
			var c string
			var p sarhad.PartyFact
			if err := rows.Scan(&c, &p.Person, &p.Role, &p.Referred, &p.Moved); err != nil {
				return err
			}
			byID[c].Parties = append(byID[c].Parties, p)
			return nil
		})
		if err != nil || !q.Arrests {
			return err
		}
		return each(ctx, tx, `SELECT DISTINCT rc.to_id, i.from_id FROM relationships rc
			JOIN entities ev ON ev.id = rc.from_id
			JOIN relationships i ON i.to_id = ev.id AND i.type = 'INVOLVED_IN'
			JOIN entities p ON p.id = i.from_id
			WHERE rc.to_id IN (SELECT value FROM json_each(:ids)) AND rc.type = 'RECORDED_IN'
			AND ev.kind = 'EVENT' AND json_extract(ev.attrs, '$.category') = 'ARREST' AND p.kind = 'PERSON'
			AND `+visible("rc")+` AND `+visibleEntity("ev")+` AND `+visible("i")+` AND `+visibleEntity("p")+`
			ORDER BY 1, 2`, args, func(rows *sql.Rows) error {
			var c, person string
			if err := rows.Scan(&c, &person); err != nil {
				return err
			}
			byID[c].Arrested = append(byID[c].Arrested, person)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// each runs a query and calls fn on each row.
func each(ctx context.Context, tx querier, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// scanCase scans a case of CaseFacts: its id alone when idOnly (CaseFactsQuery.IDsOnly), else
// the whole entity.
func scanCase(v *sarhad.Viewer, rows *sql.Rows, idOnly bool) (*sarhad.Case, error) {
	if idOnly {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		return &sarhad.Case{Meta: sarhad.Meta{ID: id, Kind: sarhad.KindCase}}, nil
	}
	e, err := scanEntity(v, rows)
	if err != nil {
		return nil, err
	}
	c, ok := e.(*sarhad.Case)
	if !ok {
		return nil, fmt.Errorf("entity %s is not a case", e.EntityMeta().ID)
	}
	return c, nil
}

// CaseTally implements sarhad.Store: the tally of CaseFacts in process, where reading every case's
// facts costs no transfer.
func (s *Store) CaseTally(ctx context.Context, q sarhad.CaseTallyQuery) (*sarhad.CaseTallies, error) {
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
	facts, err := s.CaseFacts(ctx, sarhad.CaseFactsQuery{Conditions: q.Conditions, Limit: q.Limit, Arrests: true,
		Referred: true, Roles: []sarhad.PartyRole{sarhad.PartyVictim}})
	if err != nil {
		return nil, err
	}
	return sarhad.TallyCaseFacts(v, facts, q.GroupBy), nil
}

// RouteCases implements sarhad.Store: CaseFacts by route, in process.
func (s *Store) RouteCases(ctx context.Context, q sarhad.RouteCasesQuery) (*sarhad.RouteCases, error) {
	facts, err := s.CaseFacts(ctx, sarhad.CaseFactsQuery{Conditions: q.Conditions, Limit: q.Limit, Moved: true, IDsOnly: true})
	if err != nil {
		return nil, err
	}
	return sarhad.RouteCasesOf(facts), nil
}
