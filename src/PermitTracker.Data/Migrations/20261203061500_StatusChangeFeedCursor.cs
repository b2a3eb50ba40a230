using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PermitTracker.Data.Migrations
{
    /// <summary>
    /// The status-change feed's cursor (ADR-034): each event keeps the id of the transaction that wrote it, given by the
    /// database (every writer, the bulk COPY included, leaves the column to its default), so the feed can serve events in
    /// commit order. Not in the EF model: nothing but the feed's SQL reads it and no writer sets it.
    /// </summary>
    [DbContext(typeof(PermitsDbContext))]
    [Migration("20261203061500_StatusChangeFeedCursor")]
    public partial class StatusChangeFeedCursor : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Existing events all get the migration's own transaction: older than any later one, which is all the feed needs.
            migrationBuilder.Sql("ALTER TABLE step_events ADD COLUMN recorded_xid xid8 NOT NULL DEFAULT pg_current_xact_id();");
            migrationBuilder.Sql("CREATE INDEX ix_step_events_recorded_xid ON step_events (recorded_xid, id);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX ix_step_events_recorded_xid;");
            migrationBuilder.Sql("ALTER TABLE step_events DROP COLUMN recorded_xid;");
        }
    }
}
