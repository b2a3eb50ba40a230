-- A move's reads and its event insert (Features/Moves/RecordMove.cs: lock, load with steps and events, insert),
-- rolled back so every round sees the same database. The read-model upserts do not touch step_events: left out.
\set id random(1, 1000000)
BEGIN;
SELECT id FROM jobs WHERE id = :id FOR UPDATE OF jobs;
SELECT s.id, s.key, s.recorded_status, e.id, e.sequence, e.status, e.occurred_at, e.recorded_at, e.actor, e.note
FROM steps s LEFT JOIN step_events e ON e.step_id = s.id WHERE s.job_id = :id ORDER BY s.id, e.id;
INSERT INTO step_events (step_id, step_key, sequence, status, occurred_at, recorded_at, actor)
SELECT s.id, s.key, 1000, 'InReview', now(), now(), 'bench.growth' FROM steps s WHERE s.job_id = :id ORDER BY s.id LIMIT 1;
ROLLBACK;
