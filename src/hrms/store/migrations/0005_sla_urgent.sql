-- Whether admin.urgent_review went out for the review a clock measures (once per review).
ALTER TABLE sla_clocks ADD COLUMN urgent_sent INTEGER NOT NULL DEFAULT 0;
