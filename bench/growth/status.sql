-- The public status lookup (Features/Jobs/JobStatusQuery.cs JobSql) for a random job.
\set id random(1, 1000000)
SELECT j.id, j.job_number, j.permit_type_code, j.description, j.house_number, j.street, j.borough, j.zip, j.city, j.state,
       j.submitted_at, j.withdrawn_at, s.key, s.name, s.agency_code, s.depends_on, s.target_business_days, s.position, s.xmin,
       e.status, e.occurred_at, e.actor, e.note, e.sequence
FROM jobs j
JOIN steps s ON s.job_id = j.id
LEFT JOIN step_events e ON e.step_id = s.id
WHERE j.job_number_key = (SELECT job_number_key FROM jobs WHERE id = :id)
ORDER BY s.position, s.id, e.occurred_at, e.sequence;
