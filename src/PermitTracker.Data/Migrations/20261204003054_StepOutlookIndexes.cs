using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PermitTracker.Data.Migrations
{
    /// <inheritdoc />
    public partial class StepOutlookIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_step_facts_queue_place",
                table: "step_facts",
                columns: new[] { "agency_code", "step_key", "ready_at", "step_id" },
                filter: "finished_at IS NULL AND job_state = 'Open' AND status IN ('Ready', 'InReview')")
                .Annotation("Npgsql:IndexInclude", new[] { "status" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_step_facts_queue_place",
                table: "step_facts");
        }
    }
}
