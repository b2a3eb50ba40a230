using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace PermitTracker.Data.Migrations
{
    /// <inheritdoc />
    public partial class ExpectationChanges : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "expectation_changes",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    job_id = table.Column<long>(type: "bigint", nullable: false),
                    city_day = table.Column<DateOnly>(type: "date", nullable: false),
                    from_earliest = table.Column<DateOnly>(type: "date", nullable: false),
                    from_likely = table.Column<DateOnly>(type: "date", nullable: false),
                    from_latest = table.Column<DateOnly>(type: "date", nullable: false),
                    to_earliest = table.Column<DateOnly>(type: "date", nullable: false),
                    to_likely = table.Column<DateOnly>(type: "date", nullable: false),
                    to_latest = table.Column<DateOnly>(type: "date", nullable: false),
                    cause = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    step_key = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    agency_code = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: true),
                    recorded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_expectation_changes", x => x.id);
                    table.ForeignKey(
                        name: "fk_expectation_changes_jobs_job_id",
                        column: x => x.job_id,
                        principalTable: "jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "job_expectations",
                columns: table => new
                {
                    job_id = table.Column<long>(type: "bigint", nullable: false),
                    city_day = table.Column<DateOnly>(type: "date", nullable: false),
                    as_of = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    earliest = table.Column<DateOnly>(type: "date", nullable: true),
                    likely = table.Column<DateOnly>(type: "date", nullable: true),
                    latest = table.Column<DateOnly>(type: "date", nullable: true),
                    steps = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_job_expectations", x => x.job_id);
                    table.ForeignKey(
                        name: "fk_job_expectations_jobs_job_id",
                        column: x => x.job_id,
                        principalTable: "jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_expectation_changes_job_id_city_day",
                table: "expectation_changes",
                columns: new[] { "job_id", "city_day" },
                unique: true);

            // The schedule-change log is a public record: as the event log, the database refuses to change or remove a row.
            migrationBuilder.Sql("""
                CREATE FUNCTION refuse_expectation_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'expectation_changes is append-only: % is not allowed', TG_OP
                        USING ERRCODE = 'restrict_violation';
                END
                $$;
                CREATE TRIGGER expectation_changes_append_only
                    BEFORE UPDATE OR DELETE ON expectation_changes
                    FOR EACH ROW EXECUTE FUNCTION refuse_expectation_log_change();
                CREATE TRIGGER expectation_changes_no_truncate
                    BEFORE TRUNCATE ON expectation_changes
                    FOR EACH STATEMENT EXECUTE FUNCTION refuse_expectation_log_change();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS expectation_changes_no_truncate ON expectation_changes;
                DROP TRIGGER IF EXISTS expectation_changes_append_only ON expectation_changes;
                DROP FUNCTION IF EXISTS refuse_expectation_log_change();
                """);

            migrationBuilder.DropTable(
                name: "expectation_changes");

            migrationBuilder.DropTable(
                name: "job_expectations");
        }
    }
}
