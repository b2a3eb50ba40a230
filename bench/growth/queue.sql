-- The Buildings staff queue's first page (Features/Staff/QueueQuery.cs ActionableAsync, default sort): read model only.
SELECT f.step_id, j.job_number, j.house_number, j.street, j.borough, j.permit_type_code,
       f.step_key, f.step_name, f.agency_code, f.status, f.days_open_us, f.business_days_with_agency,
       f.target_business_days, f.target_status, count(*) OVER () AS total
FROM step_figures_as_of(now()) f
JOIN job_figures jf ON jf.job_id = f.job_id AND jf.state = 'Open'
JOIN jobs j ON j.id = f.job_id
WHERE f.status = ANY(ARRAY['Ready','InReview','ChangesRequested']) AND f.agency_code = 'DOB'
ORDER BY f.days_open_us DESC, j.job_number, f.position
LIMIT 50 OFFSET 0;
