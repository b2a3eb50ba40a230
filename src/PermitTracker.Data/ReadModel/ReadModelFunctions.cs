using PermitTracker.Domain.Timeline;

namespace PermitTracker.Data.ReadModel;

/// <summary>
/// What the read model's SQL functions share with the domain (docs/decisions/ADR-017-city-zone-and-target-rule-in-sql.md):
/// the setting that brings the engine's zone to PostgreSQL, and the target-status rule in SQL.
/// </summary>
public static class ReadModelFunctions
{
    /// <summary>The per-connection setting city_zone() reads: City:TimeZone, put there by <see cref="PermitsDatabase.WithCityZone"/>.</summary>
    public const string CityZoneSetting = "permits.city_zone";

    /// <summary>
    /// target_status(business_days, target): <see cref="TargetStatusRule.Of"/> in SQL, its statuses named by the enum.
    /// A migration applies it with the percentage of its day, as migrations keep history; when the rule's percentage
    /// changes, CityZoneTests.Sql_target_status_agrees_with_the_engine_on_every_boundary fails until a new migration
    /// applies it again with the new one.
    /// </summary>
    public static string TargetStatus(int atRiskFromPercent) => $$"""
        CREATE OR REPLACE FUNCTION target_status(business_days integer, target integer) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
            SELECT CASE WHEN target IS NULL THEN NULL
                        WHEN business_days::bigint * 100 < target::bigint * {{atRiskFromPercent}} THEN '{{nameof(Domain.Timeline.TargetStatus.OnTrack)}}'
                        WHEN business_days > target THEN '{{nameof(Domain.Timeline.TargetStatus.Overdue)}}'
                        ELSE '{{nameof(Domain.Timeline.TargetStatus.AtRisk)}}' END
        $$;
        """;
}
