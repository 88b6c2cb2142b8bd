-- Free text in the review queue ("ada", "hopper@") is a substring of lower(name || ' ' || email).
-- A trigram index finds the matching rows without reading every profile, whatever the other
-- filters are: FTS5's trigram tokenizer on SQLite (kept in step with profiles by triggers),
-- pg_trgm's GIN operator class on PostgreSQL (a trusted extension since PostgreSQL 13).
{{sqlite}}
CREATE VIRTUAL TABLE profiles_search USING fts5(search, content='profiles', content_rowid='id',
                                                tokenize='trigram');
CREATE TRIGGER profiles_search_insert AFTER INSERT ON profiles BEGIN
    INSERT INTO profiles_search(rowid, search) VALUES (new.id, new.search);
END;
CREATE TRIGGER profiles_search_delete AFTER DELETE ON profiles BEGIN
    INSERT INTO profiles_search(profiles_search, rowid, search) VALUES ('delete', old.id, old.search);
END;
CREATE TRIGGER profiles_search_update AFTER UPDATE OF search ON profiles BEGIN
    INSERT INTO profiles_search(profiles_search, rowid, search) VALUES ('delete', old.id, old.search);
    INSERT INTO profiles_search(rowid, search) VALUES (new.id, new.search);
END;
INSERT INTO profiles_search(profiles_search) VALUES ('rebuild');
{{end}}
{{postgresql}}
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX profiles_search_trgm ON profiles USING gin (search gin_trgm_ops);
{{end}}
