-- A manager's question of one month's events (e.g. "what moved in March"): a time-sliced scan.
\set m random(0, 35)
SELECT e.status, count(*) FROM step_events e
WHERE e.occurred_at >= timestamptz '2023-12-01' + make_interval(months => :m)
  AND e.occurred_at <  timestamptz '2023-12-01' + make_interval(months => :m + 1)
GROUP BY e.status;
