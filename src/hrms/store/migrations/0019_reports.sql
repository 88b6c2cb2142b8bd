-- Scheduled reports (app/reports.hpp): what to send when, and every run with its files.
-- Times are RFC 3339 UTC text; empty text means "not yet".
CREATE TABLE report_schedules (
    id {{id}},
    name TEXT NOT NULL,
    -- daily, weekly, efficiency, sla, admin-performance
    kind TEXT NOT NULL,
    -- daily (covers the day before) or weekly (covers the ISO week before)
    cadence TEXT NOT NULL,
    -- weekly: the day it runs, 0 = Monday .. 6 = Sunday
    weekday INTEGER NOT NULL DEFAULT 0,
    -- local time of day it runs, HH:MM, in time_zone (IANA)
    at_time TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    -- comma-separated: json, csv, html, pdf, xlsx
    formats TEXT NOT NULL,
    -- JSON array of email addresses
    recipients TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    -- when it runs next; a process takes a run by moving this forward from the value it read,
    -- so one process runs it however many are up
    next_run_at TEXT NOT NULL,
    created_by {{bigint}} REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX report_schedules_due ON report_schedules (next_run_at) WHERE enabled = 1;

CREATE TABLE report_runs (
    id {{id}},
    schedule_id {{bigint}} REFERENCES report_schedules (id) ON DELETE SET NULL,
    -- schedule, cli
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    -- running, succeeded, failed
    status TEXT NOT NULL,
    -- JSON array of {format, file, size, sha256}; the files live in HRMS_DATA_DIR/reports
    files TEXT NOT NULL DEFAULT '[]',
    recipients TEXT NOT NULL DEFAULT '[]',
    error TEXT NOT NULL DEFAULT '',
    -- the process running it and until when (a run whose process died is taken over)
    lease_owner TEXT NOT NULL DEFAULT '',
    lease_until TEXT NOT NULL DEFAULT '',
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX report_runs_started ON report_runs (started_at, id);
CREATE INDEX report_runs_running ON report_runs (lease_until) WHERE status = 'running';
