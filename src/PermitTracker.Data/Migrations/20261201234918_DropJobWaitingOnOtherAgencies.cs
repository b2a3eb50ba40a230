using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PermitTracker.Data.Migrations
{
    /// <inheritdoc />
    public partial class DropJobWaitingOnOtherAgencies : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "waiting_on_other_agencies_us",
                table: "job_figures");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "waiting_on_other_agencies_us",
                table: "job_figures",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);
        }
    }
}
