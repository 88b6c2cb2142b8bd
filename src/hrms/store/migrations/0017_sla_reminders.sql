-- When a review's last reminder went out (HRMS_REMINDER_AFTER): the reminder sweep sends another
-- only after HRMS_REMINDER_QUIET_HOURS. Empty or NULL: none yet.
ALTER TABLE sla_clocks ADD COLUMN reminded_at TEXT;
