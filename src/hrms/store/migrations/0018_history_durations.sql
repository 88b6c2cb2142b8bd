-- Reports (app/reports.hpp) read durations from the history instead of subtracting timestamps
-- in SQL (which the two databases spell differently): each transition records how long the
-- state it left lasted and whose turn that was, and a reviewer's decision records its SLA clock.
-- ms since the profile's previous transition (or its creation): how long the from-state lasted
ALTER TABLE stage_history ADD COLUMN waited_ms {{bigint}};
-- whose turn the from-state was: employee (draft, rejected), reviewer (submitted), nobody (on
-- hold, withdrawn or completed)
ALTER TABLE stage_history ADD COLUMN waiting_on TEXT;
-- ms since the profile was created: a completion's age is the time to complete
ALTER TABLE stage_history ADD COLUMN age_ms {{bigint}};
-- a decision's SLA clock when it was made (paused time excluded) and the stage's budget then;
-- NULL for transitions that are not decisions, and for decisions made before this migration
ALTER TABLE stage_history ADD COLUMN clock_ms {{bigint}};
ALTER TABLE stage_history ADD COLUMN budget_ms {{bigint}};
CREATE INDEX stage_history_at ON stage_history (at);
CREATE INDEX documents_uploaded ON documents (uploaded_at);
CREATE INDEX documents_reviewed ON documents (reviewed_at);

-- What history there is already gets its durations; whose turn it was is read from the status
-- (on-hold periods of old rows count as the employee's or the reviewer's).
UPDATE stage_history SET waiting_on = CASE
    WHEN from_stage = 'completed' THEN 'nobody'
    WHEN from_status = 'submitted' THEN 'reviewer'
    ELSE 'employee' END;
{{sqlite}}
UPDATE stage_history SET
    age_ms = CAST(ROUND((julianday(at) - julianday((SELECT p.created_at FROM profiles p
                                                    WHERE p.id = stage_history.profile_id))) * 86400000) AS INTEGER),
    waited_ms = CAST(ROUND((julianday(at) - julianday(COALESCE(
        (SELECT h.at FROM stage_history h WHERE h.profile_id = stage_history.profile_id AND h.id < stage_history.id
         ORDER BY h.id DESC LIMIT 1),
        (SELECT p.created_at FROM profiles p WHERE p.id = stage_history.profile_id)))) * 86400000) AS INTEGER);
{{end}}
{{postgresql}}
UPDATE stage_history SET
    age_ms = ROUND(EXTRACT(EPOCH FROM (at::timestamptz - (SELECT p.created_at FROM profiles p
                                                         WHERE p.id = stage_history.profile_id)::timestamptz)) * 1000),
    waited_ms = ROUND(EXTRACT(EPOCH FROM (at::timestamptz - COALESCE(
        (SELECT h.at FROM stage_history h WHERE h.profile_id = stage_history.profile_id AND h.id < stage_history.id
         ORDER BY h.id DESC LIMIT 1),
        (SELECT p.created_at FROM profiles p WHERE p.id = stage_history.profile_id))::timestamptz)) * 1000);
{{end}}

-- The dashboard counts reviews marked urgent without reading every clock.
CREATE INDEX sla_clocks_urgent ON sla_clocks (profile_id, stage) WHERE urgent_sent = 1;
