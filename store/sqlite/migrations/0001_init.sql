-- Entities: the envelope in columns, the kind-specific attributes as JSON.
CREATE TABLE entities (
	id             TEXT PRIMARY KEY,
	kind           TEXT NOT NULL,
	attrs          TEXT NOT NULL,
	origin_org     TEXT NOT NULL,
	origin_country TEXT NOT NULL,
	tlp            TEXT NOT NULL,
	releasable_to  TEXT NOT NULL DEFAULT '[]',
	victim         INTEGER NOT NULL DEFAULT 0,
	source_ids     TEXT NOT NULL DEFAULT '[]',
	source_key     TEXT NOT NULL DEFAULT '',
	created_at     TEXT NOT NULL,
	created_by     TEXT NOT NULL,
	updated_at     TEXT NOT NULL,
	updated_by     TEXT NOT NULL
);
CREATE INDEX entities_kind ON entities (kind, id);

-- Name search: one row per entity (rowid = entities.rowid), its terms as made by sarhad.SearchTerms.
CREATE VIRTUAL TABLE entity_terms USING fts5 (
	terms,
	content = '',
	contentless_delete = 1,
	tokenize = "unicode61 remove_diacritics 0 tokenchars ':'"
);

CREATE TABLE relationships (
	id             TEXT PRIMARY KEY,
	type           TEXT NOT NULL,
	from_id        TEXT NOT NULL REFERENCES entities (id),
	to_id          TEXT NOT NULL REFERENCES entities (id),
	props          TEXT NOT NULL,
	origin_org     TEXT NOT NULL,
	origin_country TEXT NOT NULL,
	tlp            TEXT NOT NULL,
	releasable_to  TEXT NOT NULL DEFAULT '[]',
	source_ids     TEXT NOT NULL DEFAULT '[]',
	source_key     TEXT NOT NULL DEFAULT '',
	created_at     TEXT NOT NULL,
	created_by     TEXT NOT NULL,
	updated_at     TEXT NOT NULL,
	updated_by     TEXT NOT NULL
);
CREATE INDEX relationships_from ON relationships (from_id, type);
CREATE INDEX relationships_to ON relationships (to_id, type);
