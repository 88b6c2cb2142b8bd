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
-- running totals over the profile's rows that left a state of the same stage, this row included:
-- the time spent in the stage so far, on whose turn, and the rejections at it (an approval's are
-- its stay in the stage, without a join back over the history)
ALTER TABLE stage_history ADD COLUMN stage_ms {{bigint}};
ALTER TABLE stage_history ADD COLUMN stage_employee_ms {{bigint}};
ALTER TABLE stage_history ADD COLUMN stage_reviewer_ms {{bigint}};
ALTER TABLE stage_history ADD COLUMN stage_rejections INTEGER;
-- Reports read a period's rows from this index alone (it holds every column they aggregate), in
-- time order however the rows lie in the table.
CREATE INDEX stage_history_report ON stage_history (at, decision, from_stage, to_stage, to_status, actor_id,
    waited_ms, waiting_on, clock_ms, budget_ms, age_ms, stage_ms, stage_employee_ms, stage_reviewer_ms,
    stage_rejections, profile_id);
CREATE INDEX documents_uploaded ON documents (uploaded_at);
CREATE INDEX documents_reviewed ON documents (reviewed_at, status);

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

UPDATE stage_history SET
    stage_ms = (SELECT SUM(h.waited_ms) FROM stage_history h WHERE h.profile_id = stage_history.profile_id
                AND h.from_stage = stage_history.from_stage AND h.id <= stage_history.id),
    stage_employee_ms = (SELECT SUM(CASE WHEN h.waiting_on = 'employee' THEN h.waited_ms ELSE 0 END)
                         FROM stage_history h WHERE h.profile_id = stage_history.profile_id
                         AND h.from_stage = stage_history.from_stage AND h.id <= stage_history.id),
    stage_reviewer_ms = (SELECT SUM(CASE WHEN h.waiting_on = 'reviewer' THEN h.waited_ms ELSE 0 END)
                         FROM stage_history h WHERE h.profile_id = stage_history.profile_id
                         AND h.from_stage = stage_history.from_stage AND h.id <= stage_history.id),
    stage_rejections = (SELECT COUNT(*) FROM stage_history h WHERE h.profile_id = stage_history.profile_id
                        AND h.from_stage = stage_history.from_stage AND h.id <= stage_history.id
                        AND h.decision = 'reject');

-- The dashboard counts reviews marked urgent without reading every clock.
CREATE INDEX sla_clocks_urgent ON sla_clocks (profile_id, stage) WHERE urgent_sent = 1;
