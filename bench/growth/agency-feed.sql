-- An agency's Atom feed (Features/Notifications/Feeds.cs): its steps' latest 100 events.
\set a random(0, 7)
SELECT e.id AS event_id, j.job_number, s.key AS step_key, s.name AS step_name, a.name AS agency_name, e.status, e.occurred_at, e.recorded_at, e.note
FROM jobs j JOIN steps s ON s.job_id = j.id JOIN step_events e ON e.step_id = s.id JOIN agencies a ON a.code = s.agency_code
WHERE s.agency_code = (SELECT code FROM agencies ORDER BY code OFFSET :a LIMIT 1)
ORDER BY e.id DESC LIMIT 100;
