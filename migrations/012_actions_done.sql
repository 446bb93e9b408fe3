-- What a paused run's calls did before it paused (the pack's action claims they back, by name), so
-- the resumed run's reply may say so: the output guardrail blocks a claimed action no successful
-- call of the turn did, and a turn's calls before and after a person's approval are one turn.
ALTER TABLE agent_runs ADD COLUMN actions_done JSONB NOT NULL DEFAULT '[]'::jsonb;
