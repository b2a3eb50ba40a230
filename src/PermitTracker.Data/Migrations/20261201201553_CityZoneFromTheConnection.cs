using Microsoft.EntityFrameworkCore.Migrations;
using PermitTracker.Data.ReadModel;

#nullable disable

namespace PermitTracker.Data.Migrations
{
    /// <summary>
    /// The read model's SQL takes the city's zone from the connection (City:TimeZone, the engine's zone) and refuses
    /// when it is missing instead of assuming New York; target_status is written from the domain's rule (ADR-017).
    /// business_days_between, local_us_between and the as-of functions call city_zone() and are unchanged.
    /// </summary>
    public partial class CityZoneFromTheConnection : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The raise sits in a helper so city_zone() stays one expression the planner inlines; coalesce calls the
            // helper only when the setting is missing.
            migrationBuilder.Sql("""
                CREATE FUNCTION city_zone_missing() RETURNS text LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
                BEGIN
                    RAISE EXCEPTION 'The city''s time zone is not set on this connection (permits.city_zone).'
                        USING HINT = 'Open connections with PermitsDatabase.WithCityZone (City:TimeZone); behind PgBouncer, '
                                  || 'ALTER DATABASE ... SET permits.city_zone (docs/scaling.md).';
                END
                $$;

                CREATE OR REPLACE FUNCTION city_zone() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
                    SELECT coalesce(nullif(current_setting('permits.city_zone', true), ''), city_zone_missing())
                $$;
                """);
            migrationBuilder.Sql(ReadModelFunctions.TargetStatus(atRiskFromPercent: 75));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // city_zone() as ReadModel created it; target_status is the same function.
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION city_zone() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
                    SELECT coalesce(nullif(current_setting('permits.city_zone', true), ''), 'America/New_York')
                $$;
                DROP FUNCTION city_zone_missing();
                """);
        }
    }
}
