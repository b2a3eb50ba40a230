using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PermitTracker.Data.Migrations
{
    /// <inheritdoc />
    public partial class ReadModel : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "job_figures",
                columns: table => new
                {
                    job_id = table.Column<long>(type: "bigint", nullable: false),
                    job_number = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    permit_type_code = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    borough = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    submitted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    state = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    ended_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    base_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    elapsed_us = table.Column<long>(type: "bigint", nullable: false),
                    shares_us = table.Column<string>(type: "jsonb", nullable: false),
                    critical_path = table.Column<string>(type: "jsonb", nullable: false),
                    tail_holder = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    waiting_on_other_agencies_us = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_job_figures", x => x.job_id);
                    table.ForeignKey(
                        name: "fk_job_figures_jobs_job_id",
                        column: x => x.job_id,
                        principalTable: "jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "step_figures",
                columns: table => new
                {
                    step_id = table.Column<long>(type: "bigint", nullable: false),
                    job_id = table.Column<long>(type: "bigint", nullable: false),
                    step_key = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    step_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    agency_code = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    position = table.Column<int>(type: "integer", nullable: false),
                    status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    target_business_days = table.Column<int>(type: "integer", nullable: true),
                    ready_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    binding_step_key = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    blocked_by = table.Column<List<string>>(type: "text[]", nullable: false),
                    own_done_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    own_work_pending = table.Column<bool>(type: "boolean", nullable: false),
                    correction_cycles = table.Column<int>(type: "integer", nullable: false),
                    base_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    days_open_us = table.Column<long>(type: "bigint", nullable: false),
                    with_agency_us = table.Column<long>(type: "bigint", nullable: false),
                    with_applicant_us = table.Column<long>(type: "bigint", nullable: false),
                    days_blocked_us = table.Column<long>(type: "bigint", nullable: false),
                    waiting_us = table.Column<long>(type: "bigint", nullable: false),
                    waiting_attribution_us = table.Column<string>(type: "jsonb", nullable: false),
                    business_days_with_agency = table.Column<int>(type: "integer", nullable: false),
                    agency_clock_running = table.Column<bool>(type: "boolean", nullable: false),
                    applicant_clock_running = table.Column<bool>(type: "boolean", nullable: false),
                    blocked_clock_running = table.Column<bool>(type: "boolean", nullable: false),
                    waiting_clock_running = table.Column<bool>(type: "boolean", nullable: false),
                    waiting_tail_holder = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_step_figures", x => x.step_id);
                    table.ForeignKey(
                        name: "fk_step_figures_steps_step_id",
                        column: x => x.step_id,
                        principalTable: "steps",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_job_figures_permit_type_code_submitted_at",
                table: "job_figures",
                columns: new[] { "permit_type_code", "submitted_at" });

            migrationBuilder.CreateIndex(
                name: "ix_job_figures_state_submitted_at",
                table: "job_figures",
                columns: new[] { "state", "submitted_at" });

            migrationBuilder.CreateIndex(
                name: "ix_step_figures_agency_code_status",
                table: "step_figures",
                columns: new[] { "agency_code", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_step_figures_job_id",
                table: "step_figures",
                column: "job_id");

            // Open jobs' figures move with time: these functions extend the stored figures (as of each job's
            // latest event) to any later as_of, on the clocks that run. See ReadModel/FiguresRows.cs.
            migrationBuilder.Sql("""
                CREATE FUNCTION city_zone() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
                    SELECT coalesce(nullif(current_setting('permits.city_zone', true), ''), 'America/New_York')
                $$;

                -- Microseconds between two instants, measured between local wall-clock times (spec: "Counting days").
                CREATE FUNCTION local_us_between(a timestamptz, b timestamptz) RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$
                    SELECT CASE WHEN b > a
                        THEN (extract(epoch FROM (b AT TIME ZONE city_zone()) - (a AT TIME ZONE city_zone())) * 1000000)::bigint
                        ELSE 0 END
                $$;

                -- Mondays to Fridays in (1899-12-31, d]; 1899-12-31 was a Sunday.
                CREATE FUNCTION weekdays_through(d date) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
                    SELECT ((d - DATE '1899-12-31') / 7) * 5 + least((d - DATE '1899-12-31') % 7, 5)
                $$;

                -- Local dates d with date(a) < d <= date(b) that are Monday-Friday and not holidays.
                CREATE FUNCTION business_days_between(a timestamptz, b timestamptz) RETURNS integer LANGUAGE sql STABLE PARALLEL SAFE AS $$
                    WITH d AS (SELECT (a AT TIME ZONE city_zone())::date AS da, (b AT TIME ZONE city_zone())::date AS db)
                    SELECT CASE WHEN d.db <= d.da THEN 0 ELSE
                        weekdays_through(d.db) - weekdays_through(d.da)
                        - (SELECT count(*)::int FROM holidays h WHERE h.date > d.da AND h.date <= d.db AND extract(isodow FROM h.date) < 6)
                    END FROM d
                $$;

                CREATE FUNCTION target_status(business_days integer, target integer) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
                    SELECT CASE WHEN target IS NULL THEN NULL
                                WHEN business_days::bigint * 100 < target::bigint * 75 THEN 'OnTrack'
                                WHEN business_days > target THEN 'Overdue'
                                ELSE 'AtRisk' END
                $$;

                -- Every step's figures as of an instant at or after its job's latest event.
                CREATE FUNCTION step_figures_as_of(as_of timestamptz)
                RETURNS TABLE (step_id bigint, job_id bigint, step_key text, step_name text, agency_code text, "position" integer,
                               status text, target_business_days integer, ready_at timestamptz, finished_at timestamptz,
                               binding_step_key text, blocked_by text[], correction_cycles integer,
                               days_open_us bigint, with_agency_us bigint, with_applicant_us bigint, days_blocked_us bigint,
                               waiting_us bigint, waiting_attribution_us jsonb, business_days_with_agency integer, target_status text)
                LANGUAGE sql STABLE PARALLEL SAFE AS $$
                    SELECT s.step_id, s.job_id, s.step_key, s.step_name, s.agency_code, s.position, s.status, s.target_business_days,
                           s.ready_at, s.finished_at, s.binding_step_key, s.blocked_by, s.correction_cycles,
                           s.days_open_us + CASE WHEN s.agency_clock_running OR s.applicant_clock_running THEN d.us ELSE 0 END,
                           s.with_agency_us + CASE WHEN s.agency_clock_running THEN d.us ELSE 0 END,
                           s.with_applicant_us + CASE WHEN s.applicant_clock_running THEN d.us ELSE 0 END,
                           s.days_blocked_us + CASE WHEN s.blocked_clock_running THEN d.us ELSE 0 END,
                           s.waiting_us + CASE WHEN s.waiting_clock_running THEN d.us ELSE 0 END,
                           CASE WHEN s.waiting_clock_running AND s.waiting_tail_holder IS NOT NULL AND d.us > 0
                                THEN s.waiting_attribution_us || jsonb_build_object(s.waiting_tail_holder,
                                     coalesce((s.waiting_attribution_us ->> s.waiting_tail_holder)::bigint, 0) + d.us)
                                ELSE s.waiting_attribution_us END,
                           b.days,
                           target_status(b.days, s.target_business_days)
                    FROM step_figures s
                    CROSS JOIN LATERAL (SELECT local_us_between(s.base_at, as_of) AS us) d
                    CROSS JOIN LATERAL (SELECT s.business_days_with_agency
                        + CASE WHEN s.agency_clock_running THEN business_days_between(s.base_at, as_of) ELSE 0 END AS days) b
                $$;

                -- Every job's figures as of an instant at or after its latest event.
                CREATE FUNCTION job_figures_as_of(as_of timestamptz)
                RETURNS TABLE (job_id bigint, job_number text, permit_type_code text, borough text, submitted_at timestamptz,
                               state text, ended_at timestamptz, elapsed_us bigint, shares_us jsonb)
                LANGUAGE sql STABLE PARALLEL SAFE AS $$
                    SELECT j.job_id, j.job_number, j.permit_type_code, j.borough, j.submitted_at, j.state, j.ended_at,
                           j.elapsed_us + CASE WHEN j.state = 'Open' THEN d.us ELSE 0 END,
                           CASE WHEN j.state = 'Open' AND j.tail_holder IS NOT NULL AND d.us > 0
                                THEN j.shares_us || jsonb_build_object(j.tail_holder, coalesce((j.shares_us ->> j.tail_holder)::bigint, 0) + d.us)
                                ELSE j.shares_us END
                    FROM job_figures j
                    CROSS JOIN LATERAL (SELECT local_us_between(j.base_at, as_of) AS us) d
                $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP FUNCTION IF EXISTS job_figures_as_of(timestamptz);
                DROP FUNCTION IF EXISTS step_figures_as_of(timestamptz);
                DROP FUNCTION IF EXISTS target_status(integer, integer);
                DROP FUNCTION IF EXISTS business_days_between(timestamptz, timestamptz);
                DROP FUNCTION IF EXISTS weekdays_through(date);
                DROP FUNCTION IF EXISTS local_us_between(timestamptz, timestamptz);
                DROP FUNCTION IF EXISTS city_zone();
                """);

            migrationBuilder.DropTable(
                name: "job_figures");

            migrationBuilder.DropTable(
                name: "step_figures");
        }
    }
}
