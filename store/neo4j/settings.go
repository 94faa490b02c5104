package neo4j

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// IDSecret implements sarhad.Store: the setting node, read; when there is none, made by MERGE under
// the uniqueness constraint on its name, so that concurrent first calls make one (a retry of the
// idempotent statement finds it made). Whether the store holds a keyed record is asked then only.
// It is read at every call, not kept: a database emptied under a running server makes a new one.
func (s *Store) IDSecret(ctx context.Context) ([]byte, error) {
	value, found, err := s.setting(ctx, `MATCH (s:`+settingLabel+` {name: 'idSecret'}) RETURN s.value`, nil)
	if err == nil && !found {
		fresh := make([]byte, 32)
		if _, err := rand.Read(fresh); err != nil {
			return nil, fmt.Errorf("neo4j: id secret: %w", err)
		}
		value, found, err = s.setting(ctx, `WITH EXISTS { MATCH (e:`+entityLabel+`) WHERE e.sourceKey <> '' }
				OR EXISTS { MATCH ()-[r]->() WHERE r.sourceKey <> '' } AS keyed
			MERGE (s:`+settingLabel+` {name: 'idSecret'})
			ON CREATE SET s.value = CASE WHEN keyed THEN '' ELSE $fresh END
			RETURN s.value`, map[string]any{"fresh": hex.EncodeToString(fresh)})
	}
	if err != nil {
		return nil, wrap(ctx, "id secret", err)
	}
	if !found {
		return nil, fmt.Errorf("neo4j: id secret: not made")
	}
	secret, err := hex.DecodeString(value)
	if err != nil {
		return nil, fmt.Errorf("neo4j: id secret: %w", err)
	}
	return secret, nil
}

// setting runs a statement that returns one setting's value, if any.
func (s *Store) setting(ctx context.Context, query string, params map[string]any) (value string, found bool, err error) {
	err = s.autoCommit(ctx, neo4j.AccessModeWrite, query, params, func() { value, found = "", false },
		func(r *neo4j.Record) error {
			value, found = r.Values[0].(string)
			return nil
		})
	return value, found, err
}
