-- The store's own settings, such as the secret of keyed ids (IDSecret); never entities.
CREATE TABLE IF NOT EXISTS settings (
	name  TEXT PRIMARY KEY,
	value BLOB NOT NULL
);
