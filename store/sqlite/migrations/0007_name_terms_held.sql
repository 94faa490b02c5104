-- name_terms as the names held now: until this version, its rows were never removed, so a store
-- kept every word of a name after the name changed, a victim's too. The table is emptied here and
-- filled again from the entities' names by fillNameTerms (store/sqlite/migrate.go); from now on a
-- write removes the rows of a token once no entity holds it (dropNameTerms).
DELETE FROM name_terms;
