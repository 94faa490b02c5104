-- What a viewer who may not see a victim's identifying details sees of the victim's attributes
-- (sarhad.Person.Redact applied), so that list filters match the record as that viewer sees it and
-- cannot reveal a withheld name or birth date. NULL for everything that is not a victim; a victim
-- written before this migration has NULL too and then matches no attribute filter for such viewers.
ALTER TABLE entities ADD COLUMN public_attrs TEXT;
