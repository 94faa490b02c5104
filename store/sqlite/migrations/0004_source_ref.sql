-- Where in its source an imported record was read (sarhad.Meta.SourceRef): the file and line, empty
-- for records written through the API and for every record written before this migration.
ALTER TABLE entities ADD COLUMN source_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE relationships ADD COLUMN source_ref TEXT NOT NULL DEFAULT '';
