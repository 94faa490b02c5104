-- The ties of an entity with the entity at their other end, so that the ties among a set of
-- entities (the last pass of a neighbourhood) are told from the index alone, without reading every
-- tie of a hub in the set. They cover relationships_from and relationships_to, which they replace.
DROP INDEX relationships_from;
CREATE INDEX relationships_from ON relationships (from_id, type, to_id);
DROP INDEX relationships_to;
CREATE INDEX relationships_to ON relationships (to_id, type, from_id);
