using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PermitTracker.Data.Migrations
{
    /// <inheritdoc />
    public partial class StaffQueueAndRecentJobsIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_step_facts_queue",
                table: "step_facts",
                columns: new[] { "agency_code", "status" },
                filter: "finished_at IS NULL AND job_state = 'Open' AND status IN ('Ready', 'InReview', 'ChangesRequested')")
                .Annotation("Npgsql:IndexInclude", new[] { "step_id", "job_id", "step_key", "step_name", "permit_type_code", "borough", "target_business_days", "base_at", "days_open_us", "business_days_with_agency", "agency_clock_running", "applicant_clock_running" });

            migrationBuilder.CreateIndex(
                name: "ix_jobs_submitted_at",
                table: "jobs",
                column: "submitted_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_step_facts_queue",
                table: "step_facts");

            migrationBuilder.DropIndex(
                name: "ix_jobs_submitted_at",
                table: "jobs");
        }
    }
}
