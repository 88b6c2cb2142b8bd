-- The queue filtered by stage alone (any status) walks profiles in id order, so a page stops
-- after its 50 rows instead of sorting every profile of that stage.
CREATE INDEX profiles_stage ON profiles(stage, id);
