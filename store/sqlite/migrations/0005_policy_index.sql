-- The entities of a kind with the columns of the access policy, so that counting and paging the
-- visible entities of a kind (every list's totalCount) reads this index alone rather than every
-- row with its attributes. It covers entities_kind, which it replaces.
CREATE INDEX entities_kind_policy ON entities (kind, id, origin_org, tlp, releasable_to);
DROP INDEX entities_kind;
