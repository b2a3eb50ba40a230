using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PermitTracker.Data.Migrations
{
    /// <inheritdoc />
    public partial class StaffQueueByDaysLeft : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_step_facts_queue",
                table: "step_facts");

            migrationBuilder.AddColumn<int>(
                name: "base_business_day",
                table: "step_facts",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "base_local_us",
                table: "step_facts",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            // ADR-041. The business-day number of a local date, as CityCalendar.BusinessDayNumber counts it (Monday
            // 1900-01-01 is 1; the weekday holidays on or before the date are not counted), and the city's clock at an
            // instant: its wall-clock reading in microseconds and its date's number. A running clock as of an instant is
            // then the stored figure plus one subtraction from the step's stored base reading, with no zone conversion
            // or holiday search per row.
            migrationBuilder.Sql("""
                CREATE FUNCTION weekday_holidays() RETURNS date[]
                LANGUAGE sql STABLE PARALLEL SAFE AS $$
                    SELECT coalesce(array_agg(h.date ORDER BY h.date), '{}') FROM holidays h WHERE extract(isodow FROM h.date) < 6
                $$;

                CREATE FUNCTION business_day_number(d date, weekday_holidays date[]) RETURNS integer
                LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
                    SELECT weekdays_through(d) - width_bucket(d, weekday_holidays)
                $$;

                CREATE FUNCTION city_clock(as_of timestamptz, OUT local_us bigint, OUT business_day integer)
                LANGUAGE sql STABLE PARALLEL SAFE AS $$
                    SELECT (extract(epoch FROM as_of AT TIME ZONE city_zone()) * 1000000)::bigint,
                           business_day_number((as_of AT TIME ZONE city_zone())::date, weekday_holidays())
                $$;

                -- The stored facts' base readings (what StepFactRow.Of writes from now on); the holiday array once (an InitPlan).
                UPDATE step_facts SET
                    base_local_us = (extract(epoch FROM base_at AT TIME ZONE city_zone()) * 1000000)::bigint,
                    base_business_day = business_day_number((base_at AT TIME ZONE city_zone())::date, (SELECT weekday_holidays()));

                -- The same figures as before (ReportExactnessTests and QueueExactnessTests hold them to step_figures_as_of):
                -- local_us_between(base_at, as_of) is the clock's reading at as_of less the base's, when as_of is later;
                -- business_days_in(date(base_at), date(as_of)) is the difference of the two dates' numbers, never negative.
                -- The clock is read once per query: a scalar subquery that does not depend on the row is an InitPlan.
                CREATE OR REPLACE FUNCTION step_facts_as_of(as_of timestamptz)
                RETURNS TABLE (step_id bigint, job_id bigint, agency_code text, step_key text, step_name text, permit_type_code text, borough text,
                               submitted_at timestamptz, job_state text, ended_at timestamptz, status text, ready_at timestamptz,
                               finished_at timestamptz, target_business_days integer, correction_cycles integer, days_open_us bigint,
                               with_agency_us bigint, with_applicant_us bigint, business_days_with_agency integer, target_status text)
                LANGUAGE sql STABLE PARALLEL SAFE AS $$
                    SELECT f.step_id, f.job_id, f.agency_code, f.step_key, f.step_name, f.permit_type_code, f.borough, f.submitted_at, f.job_state, f.ended_at,
                           f.status, f.ready_at, f.finished_at, f.target_business_days, f.correction_cycles,
                           f.days_open_us + CASE WHEN f.agency_clock_running OR f.applicant_clock_running THEN d.us ELSE 0 END,
                           f.with_agency_us + CASE WHEN f.agency_clock_running THEN d.us ELSE 0 END,
                           f.with_applicant_us + CASE WHEN f.applicant_clock_running THEN d.us ELSE 0 END,
                           b.days,
                           target_status(b.days, f.target_business_days)
                    FROM step_facts f
                    CROSS JOIN LATERAL (SELECT CASE WHEN (f.agency_clock_running OR f.applicant_clock_running) AND as_of > f.base_at
                                                    THEN (SELECT c.local_us FROM city_clock(as_of) c) - f.base_local_us ELSE 0 END AS us) d
                    CROSS JOIN LATERAL (SELECT f.business_days_with_agency
                        + CASE WHEN f.agency_clock_running
                               THEN greatest(0, (SELECT c.business_day FROM city_clock(as_of) c) - f.base_business_day)
                               ELSE 0 END AS days) b
                $$;

                -- The staff queues (Features/Staff/QueueQuery), over the actionable steps of open jobs. Days left to target
                -- of a running agency clock on business day n is (target - business days at base + base's number) - n: the
                -- first expression, constant while no event arrives, so the index holds the risk order of every day. A
                -- paused clock (changes requested: the applicant's turn) keeps target - business days. The second expression
                -- is the wall-clock reading at which the step's days-open clock started (every queue step has one running),
                -- so ascending is longest open first. Filter columns are included so the page and its count read the index.
                CREATE INDEX ix_step_facts_queue_running ON step_facts
                    ((target_business_days - business_days_with_agency + base_business_day), (base_local_us - days_open_us), job_id, step_id)
                    INCLUDE (agency_code, status, permit_type_code, borough)
                    WHERE finished_at IS NULL AND job_state = 'Open' AND status IN ('Ready', 'InReview', 'ChangesRequested')
                      AND agency_clock_running AND target_business_days IS NOT NULL;
                CREATE INDEX ix_step_facts_queue_paused ON step_facts
                    ((target_business_days - business_days_with_agency), (base_local_us - days_open_us), job_id, step_id)
                    INCLUDE (agency_code, status, permit_type_code, borough)
                    WHERE finished_at IS NULL AND job_state = 'Open' AND status IN ('Ready', 'InReview', 'ChangesRequested')
                      AND NOT agency_clock_running AND target_business_days IS NOT NULL;
                CREATE INDEX ix_step_facts_queue_age ON step_facts
                    ((base_local_us - days_open_us), job_id, step_id)
                    INCLUDE (agency_code, status, permit_type_code, borough, target_business_days, business_days_with_agency, base_business_day, agency_clock_running)
                    WHERE finished_at IS NULL AND job_state = 'Open' AND status IN ('Ready', 'InReview', 'ChangesRequested');
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // step_facts_as_of as migration StepFacts wrote it, before the columns it reads go.
            migrationBuilder.Sql("""
                DROP INDEX IF EXISTS ix_step_facts_queue_running;
                DROP INDEX IF EXISTS ix_step_facts_queue_paused;
                DROP INDEX IF EXISTS ix_step_facts_queue_age;
                CREATE OR REPLACE FUNCTION step_facts_as_of(as_of timestamptz)
                RETURNS TABLE (step_id bigint, job_id bigint, agency_code text, step_key text, step_name text, permit_type_code text, borough text,
                               submitted_at timestamptz, job_state text, ended_at timestamptz, status text, ready_at timestamptz,
                               finished_at timestamptz, target_business_days integer, correction_cycles integer, days_open_us bigint,
                               with_agency_us bigint, with_applicant_us bigint, business_days_with_agency integer, target_status text)
                LANGUAGE sql STABLE PARALLEL SAFE AS $$
                    SELECT f.step_id, f.job_id, f.agency_code, f.step_key, f.step_name, f.permit_type_code, f.borough, f.submitted_at, f.job_state, f.ended_at,
                           f.status, f.ready_at, f.finished_at, f.target_business_days, f.correction_cycles,
                           f.days_open_us + CASE WHEN f.agency_clock_running OR f.applicant_clock_running THEN d.us ELSE 0 END,
                           f.with_agency_us + CASE WHEN f.agency_clock_running THEN d.us ELSE 0 END,
                           f.with_applicant_us + CASE WHEN f.applicant_clock_running THEN d.us ELSE 0 END,
                           b.days,
                           target_status(b.days, f.target_business_days)
                    FROM step_facts f
                    CROSS JOIN LATERAL (SELECT CASE WHEN f.agency_clock_running OR f.applicant_clock_running
                                                    THEN local_us_between(f.base_at, as_of) ELSE 0 END AS us) d
                    CROSS JOIN LATERAL (SELECT f.business_days_with_agency
                        + CASE WHEN f.agency_clock_running
                               THEN business_days_in((f.base_at AT TIME ZONE city_zone())::date, (as_of AT TIME ZONE city_zone())::date,
                                    (SELECT coalesce(array_agg(h.date ORDER BY h.date), '{}') FROM holidays h WHERE extract(isodow FROM h.date) < 6))
                               ELSE 0 END AS days) b
                $$;
                DROP FUNCTION IF EXISTS city_clock(timestamptz);
                DROP FUNCTION IF EXISTS business_day_number(date, date[]);
                DROP FUNCTION IF EXISTS weekday_holidays();
                """);
            migrationBuilder.DropColumn(
                name: "base_business_day",
                table: "step_facts");

            migrationBuilder.DropColumn(
                name: "base_local_us",
                table: "step_facts");

            migrationBuilder.CreateIndex(
                name: "ix_step_facts_queue",
                table: "step_facts",
                columns: new[] { "agency_code", "status" },
                filter: "finished_at IS NULL AND job_state = 'Open' AND status IN ('Ready', 'InReview', 'ChangesRequested')")
                .Annotation("Npgsql:IndexInclude", new[] { "step_id", "job_id", "step_key", "step_name", "permit_type_code", "borough", "target_business_days", "base_at", "days_open_us", "business_days_with_agency", "agency_clock_running", "applicant_clock_running" });
        }
    }
}
