-- The audit trail: append-only. Triggers refuse every change or deletion of an entry.
CREATE TABLE audit_log (
	seq            INTEGER PRIMARY KEY,
	id             TEXT NOT NULL UNIQUE,
	time           TEXT NOT NULL,
	subject        TEXT NOT NULL,
	roles          TEXT NOT NULL,
	country        TEXT NOT NULL,
	org            TEXT NOT NULL,
	operation_name TEXT NOT NULL,
	operation_type TEXT NOT NULL,
	query_hash     TEXT NOT NULL,
	variables      TEXT NOT NULL,
	sensitive_ids  TEXT NOT NULL,
	outcome        TEXT NOT NULL
);
CREATE INDEX audit_log_time ON audit_log (time);
CREATE INDEX audit_log_subject ON audit_log (subject, time);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
