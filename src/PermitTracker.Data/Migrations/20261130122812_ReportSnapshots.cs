using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PermitTracker.Data.Migrations
{
    /// <inheritdoc />
    public partial class ReportSnapshots : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "report_snapshots",
                columns: table => new
                {
                    report = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    as_of = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    compute_milliseconds = table.Column<int>(type: "integer", nullable: false),
                    rows = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_report_snapshots", x => x.report);
                });

            // The same figures as before, but the wall-clock and business-day extensions are computed only for the
            // rows whose clocks run (about one step in ten): at a million jobs the reports scan every row.
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION step_figures_as_of(as_of timestamptz)
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
                    CROSS JOIN LATERAL (SELECT CASE WHEN s.agency_clock_running OR s.applicant_clock_running OR s.blocked_clock_running
                                                      OR s.waiting_clock_running
                                                    THEN local_us_between(s.base_at, as_of) ELSE 0 END AS us) d
                    CROSS JOIN LATERAL (SELECT s.business_days_with_agency
                        + CASE WHEN s.agency_clock_running THEN business_days_between(s.base_at, as_of) ELSE 0 END AS days) b
                $$;

                CREATE OR REPLACE FUNCTION job_figures_as_of(as_of timestamptz)
                RETURNS TABLE (job_id bigint, job_number text, permit_type_code text, borough text, submitted_at timestamptz,
                               state text, ended_at timestamptz, elapsed_us bigint, shares_us jsonb)
                LANGUAGE sql STABLE PARALLEL SAFE AS $$
                    SELECT j.job_id, j.job_number, j.permit_type_code, j.borough, j.submitted_at, j.state, j.ended_at,
                           j.elapsed_us + d.us,
                           CASE WHEN j.tail_holder IS NOT NULL AND d.us > 0
                                THEN j.shares_us || jsonb_build_object(j.tail_holder, coalesce((j.shares_us ->> j.tail_holder)::bigint, 0) + d.us)
                                ELSE j.shares_us END
                    FROM job_figures j
                    CROSS JOIN LATERAL (SELECT CASE WHEN j.state = 'Open' THEN local_us_between(j.base_at, as_of) ELSE 0 END AS us) d
                $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The functions replaced in Up give the same figures as ReadModel's; they stay.
            migrationBuilder.DropTable(
                name: "report_snapshots");
        }
    }
}
