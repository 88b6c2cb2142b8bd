-- Free text matches case-folded text. users.search (new: the user list's filter) and
-- profiles.search (the review queue's) hold core::search_text(name, email), "name email" with
-- full Unicode case folding (ICU), written by the store with every name and email; a needle is
-- folded the same way. SQL's lower() cannot do that: on SQLite it lowers ASCII only, on
-- PostgreSQL it lowers per the database's locale and does not fold ("Straße" stays "straße",
-- final "ς" stays "ς"). So lower() below fills users.search, which is exact for ASCII text,
-- and this migration's C++ step (refold_search_text in store/migrate.cpp, same transaction)
-- then rewrites every row of either table whose text is not what core::search_text gives: on
-- ordinary data, only the few whose name or email is not ASCII.
--
-- The FTS5 table keeps its trigram tokenizer as it is (case_sensitive 0): its own per-character
-- lowering is applied alike to the indexed text and to the query, so on folded text it can
-- only let through extra candidates, which the LIKE on profiles.search rejects; it never loses
-- a match. pg_trgm's lowering is likewise applied to both sides and rechecked by LIKE.
ALTER TABLE users ADD COLUMN search TEXT NOT NULL DEFAULT '';
UPDATE users SET search = lower(name || ' ' || email);
