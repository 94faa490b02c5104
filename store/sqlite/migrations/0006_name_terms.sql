-- Each term of the name index with the name tokens it stands for: a token under its own term
-- ("e:"), its transliteration key ("k:") and its deletions ("d:"), as sarhad.SearchTerms makes them.
-- A search looks its terms up here and asks the name index for the tokens found, each once, rather
-- than for the terms themselves: around a common name, several of the terms (its deletions, its key)
-- stand for the same thousands of entities, and the index read each of them. Rows are added with
-- new tokens and never removed: a token no entity holds any more matches nothing. Tokens of digits
-- alone are not listed (see store/sqlite/names.go). The rows of the entities written before this
-- migration are added by fillNameTerms.
CREATE TABLE name_terms (
	term  TEXT NOT NULL,
	token TEXT NOT NULL,
	PRIMARY KEY (term, token)
) WITHOUT ROWID;
