-- The newest page of the city-wide status-change feed: the latest 100 events, keyset on the event id.
SELECT e.id, e.step_id, e.status, e.occurred_at, e.recorded_at FROM step_events e ORDER BY e.id DESC LIMIT 100;
