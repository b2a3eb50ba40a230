using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace PermitTracker.Data.Migrations
{
    /// <inheritdoc />
    public partial class ApplicantAccess : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "job_invitations",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    job_id = table.Column<long>(type: "bigint", nullable: false),
                    email = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    invited_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    invited_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_job_invitations", x => x.id);
                    table.ForeignKey(
                        name: "fk_job_invitations_jobs_job_id",
                        column: x => x.job_id,
                        principalTable: "jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.InsertData(
                table: "roles",
                columns: new[] { "id", "concurrency_stamp", "name", "normalized_name" },
                values: new object[] { "applicant", "applicant-role", "Applicant", "APPLICANT" });

            migrationBuilder.CreateIndex(
                name: "ix_job_invitations_email",
                table: "job_invitations",
                column: "email");

            migrationBuilder.CreateIndex(
                name: "ix_job_invitations_job_id_email",
                table: "job_invitations",
                columns: new[] { "job_id", "email" },
                unique: true);

            // My jobs finds the signed-in applicant's jobs by the contact e-mail, whatever its case.
            migrationBuilder.Sql("CREATE INDEX ix_jobs_applicant_email ON jobs (lower(applicant_email)) WHERE applicant_email IS NOT NULL;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX ix_jobs_applicant_email;");

            migrationBuilder.DropTable(
                name: "job_invitations");

            migrationBuilder.DeleteData(
                table: "roles",
                keyColumn: "id",
                keyValue: "applicant");
        }
    }
}
