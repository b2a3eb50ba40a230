using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PermitTracker.Data.Migrations
{
    /// <inheritdoc />
    public partial class StepFacts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "step_facts",
                columns: table => new
                {
                    step_id = table.Column<long>(type: "bigint", nullable: false),
                    job_id = table.Column<long>(type: "bigint", nullable: false),
                    agency_code = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    step_key = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    step_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    permit_type_code = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    borough = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    submitted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    job_state = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    ended_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    ready_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    target_business_days = table.Column<int>(type: "integer", nullable: true),
                    base_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    days_open_us = table.Column<long>(type: "bigint", nullable: false),
                    with_agency_us = table.Column<long>(type: "bigint", nullable: false),
                    with_applicant_us = table.Column<long>(type: "bigint", nullable: false),
                    business_days_with_agency = table.Column<int>(type: "integer", nullable: false),
                    correction_cycles = table.Column<int>(type: "integer", nullable: false),
                    agency_clock_running = table.Column<bool>(type: "boolean", nullable: false),
                    applicant_clock_running = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_step_facts", x => x.step_id);
                    table.ForeignKey(
                        name: "fk_step_facts_step_figures_step_id",
                        column: x => x.step_id,
                        principalTable: "step_figures",
                        principalColumn: "step_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_step_facts_agency_code_step_key_submitted_at",
                table: "step_facts",
                columns: new[] { "agency_code", "step_key", "submitted_at" });

            migrationBuilder.CreateIndex(
                name: "ix_step_facts_ended_at",
                table: "step_facts",
                column: "ended_at");

            migrationBuilder.CreateIndex(
                name: "ix_step_facts_job_id",
                table: "step_facts",
                column: "job_id");

            migrationBuilder.CreateIndex(
                name: "ix_step_facts_open_steps",
                table: "step_facts",
                columns: new[] { "agency_code", "days_open_us" },
                filter: "finished_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_step_facts_permit_type_code_submitted_at",
                table: "step_facts",
                columns: new[] { "permit_type_code", "submitted_at" });

            migrationBuilder.CreateIndex(
                name: "ix_step_facts_submitted_at",
                table: "step_facts",
                column: "submitted_at");

            // The facts of the jobs already stored, from their read-model rows (what StepFactRow.Of derives), and the
            // as-of extension of the two clocks the reports read: the same rule as step_figures_as_of, on fewer columns
            // (ADR-003; the reports' exactness test holds the two equal).
            migrationBuilder.Sql("""
                INSERT INTO step_facts (step_id, job_id, agency_code, step_key, step_name, permit_type_code, borough, submitted_at, job_state, ended_at,
                                        status, ready_at, finished_at, target_business_days, base_at, days_open_us, with_agency_us,
                                        with_applicant_us, business_days_with_agency, correction_cycles, agency_clock_running, applicant_clock_running)
                SELECT s.step_id, s.job_id, s.agency_code, s.step_key, s.step_name, j.permit_type_code, j.borough, j.submitted_at, j.state, j.ended_at,
                       s.status, s.ready_at, s.finished_at, s.target_business_days, s.base_at, s.days_open_us, s.with_agency_us,
                       s.with_applicant_us, s.business_days_with_agency, s.correction_cycles, s.agency_clock_running, s.applicant_clock_running
                FROM step_figures s JOIN job_figures j ON j.job_id = s.job_id;

                -- Business days in (da, db] from a sorted array of weekday holidays: business_days_between's count by
                -- arithmetic and a binary search (width_bucket), with no query per row. The reports pass the array as an
                -- uncorrelated subquery, which PostgreSQL evaluates once per report, not once per open step.
                CREATE FUNCTION business_days_in(da date, db date, weekday_holidays date[]) RETURNS integer
                LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
                    SELECT CASE WHEN db <= da THEN 0
                                ELSE weekdays_through(db) - weekdays_through(da) - (width_bucket(db, weekday_holidays) - width_bucket(da, weekday_holidays)) END
                $$;

                CREATE FUNCTION step_facts_as_of(as_of timestamptz)
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
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS step_facts_as_of(timestamptz); DROP FUNCTION IF EXISTS business_days_in(date, date, date[]);");
            migrationBuilder.DropTable(
                name: "step_facts");
        }
    }
}
