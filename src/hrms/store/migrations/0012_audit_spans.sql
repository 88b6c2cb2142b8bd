-- Time ranges of the audit chain without an index on every entry's time: the sealer keeps one
-- row per span of consecutive entries (a new one at least every minute), with the earliest and
-- latest time in it. A search by time turns into a range of seq through these few rows, and an
-- access entry costs the chain one index insertion less (bench/RESULTS.md, audit). Spans are
-- search aids, not evidence: verification covers the entries.
CREATE TABLE {{audit}}audit_spans (
    first_seq {{bigint}} PRIMARY KEY,
    last_seq {{bigint}} NOT NULL,
    min_at TEXT NOT NULL,
    max_at TEXT NOT NULL
);
CREATE INDEX {{audit}}audit_spans_min_at ON audit_spans (min_at);
CREATE INDEX {{audit}}audit_spans_max_at ON audit_spans (max_at);
-- The chain sealed before this migration, a span per minute of entries (spans may overlap: each
-- entry lies in one whose seq and time ranges hold it, which is all a search needs).
INSERT INTO {{audit}}audit_spans (first_seq, last_seq, min_at, max_at)
    SELECT MIN(seq), MAX(seq), MIN(at), MAX(at) FROM audit_entries GROUP BY substr(at, 1, 16);
DROP INDEX {{audit}}audit_entries_at;
