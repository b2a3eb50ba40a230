using Npgsql;

namespace PermitTracker.Data.ReadModel;

/// <summary>
/// Writes jobs' read-model rows in place: one <c>INSERT ... SELECT FROM unnest(arrays) ON CONFLICT DO UPDATE</c>
/// per table, in one round trip, for one job (a move) or a batch (an import). A row equal to the stored one is
/// not written at all; a changed row is updated where it lies, so indexes whose columns did not change are not
/// touched (HOT when the page has room) and the foreign-key check (step_id, job_id never change) does not run.
/// Where DELETE + COPY wrote every row and every index entry of the job again.
/// A job's steps are fixed when it is created (no domain method adds or removes one), so a job's set of rows never
/// shrinks and nothing needs deleting; <see cref="ReadModelRebuilder"/> still replaces rows wholesale.
/// </summary>
public static class ReadModelUpsert
{
    private static readonly string[] JobColumns =
    [
        "job_id", "job_number", "permit_type_code", "borough", "submitted_at", "state", "ended_at", "base_at", "elapsed_us", "shares_us",
        "critical_path", "tail_holder", "waiting_on_other_agencies_us",
    ];

    private static readonly string[] JobTypes =
    [
        "bigint", "text", "text", "text", "timestamptz", "text", "timestamptz", "timestamptz", "bigint", "jsonb", "jsonb", "text", "bigint",
    ];

    private static readonly string[] StepColumns =
    [
        "step_id", "job_id", "step_key", "step_name", "agency_code", "position", "status", "target_business_days", "ready_at", "finished_at",
        "binding_step_key", "blocked_by", "own_done_at", "own_work_pending", "correction_cycles", "base_at", "days_open_us", "with_agency_us",
        "with_applicant_us", "days_blocked_us", "waiting_us", "waiting_attribution_us", "business_days_with_agency", "agency_clock_running",
        "applicant_clock_running", "blocked_clock_running", "waiting_clock_running", "waiting_tail_holder",
    ];

    // blocked_by is text[] per row, and unnest cannot take a jagged array: it travels as a JSON array per row.
    private static readonly string[] StepTypes =
    [
        "bigint", "bigint", "text", "text", "text", "int", "text", "int", "timestamptz", "timestamptz", "text", "blocked_by", "timestamptz",
        "boolean", "int", "timestamptz", "bigint", "bigint", "bigint", "bigint", "bigint", "jsonb", "int", "boolean", "boolean", "boolean",
        "boolean", "text",
    ];

    internal static readonly string JobSql = Upsert("job_figures", "job_id", JobColumns, JobTypes);
    internal static readonly string StepSql = Upsert("step_figures", "step_id", StepColumns, StepTypes);

    private static string Upsert(string table, string key, string[] columns, string[] types)
    {
        // Parameters arrive as arrays of a wire-friendly type; the SELECT list casts each to the column's type.
        var arrays = string.Join(", ", types.Select((t, i) => $"${i + 1}::{t switch { "jsonb" or "blocked_by" => "text", _ => t }}[]"));
        var select = string.Join(", ", columns.Select((c, i) => types[i] switch
        {
            "jsonb" => $"u.{c}::jsonb",
            "blocked_by" => $"ARRAY(SELECT jsonb_array_elements_text(u.{c}::jsonb))",
            _ => $"u.{c}",
        }));
        var rest = columns.Where(c => c != key).ToList();
        return $"INSERT INTO {table} ({string.Join(", ", columns)}) SELECT {select} FROM unnest({arrays}) AS u({string.Join(", ", columns)}) " +
               $"ON CONFLICT ({key}) DO UPDATE SET {string.Join(", ", rest.Select(c => $"{c} = EXCLUDED.{c}"))} " +
               $"WHERE ({string.Join(", ", rest.Select(c => $"{table}.{c}"))}) IS DISTINCT FROM ({string.Join(", ", rest.Select(c => $"EXCLUDED.{c}"))})";
    }

    public static async Task WriteAsync(NpgsqlConnection connection, IReadOnlyCollection<(JobFiguresRow Job, List<StepFiguresRow> Steps)> rows,
        CancellationToken cancellationToken)
    {
        if (rows.Count == 0) return;
        await using var batch = new NpgsqlBatch(connection);
        AddTo(batch, rows);
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Adds the two upserts to a batch the caller sends with its own statements (one round trip for all).</summary>
    public static void AddTo(NpgsqlBatch batch, IReadOnlyCollection<(JobFiguresRow Job, List<StepFiguresRow> Steps)> rows)
    {
        if (rows.Count == 0) return;
        batch.BatchCommands.Add(JobCommand([.. rows.Select(r => r.Job)]));
        batch.BatchCommands.Add(StepCommand([.. rows.SelectMany(r => r.Steps)]));
    }

    private static NpgsqlBatchCommand JobCommand(JobFiguresRow[] r) => new(JobSql)
    {
        Parameters =
        {
            P(r.Select(x => x.JobId)), P(r.Select(x => x.JobNumber)), P(r.Select(x => x.PermitTypeCode)), P(r.Select(x => x.Borough)),
            P(r.Select(x => x.SubmittedAt)), P(r.Select(x => x.State)), P(r.Select(x => x.EndedAt)), P(r.Select(x => x.BaseAt)),
            P(r.Select(x => x.ElapsedUs)), P(r.Select(x => x.SharesUs)), P(r.Select(x => x.CriticalPath)), P(r.Select(x => x.TailHolder)),
            P(r.Select(x => x.WaitingOnOtherAgenciesUs)),
        },
    };

    private static NpgsqlBatchCommand StepCommand(StepFiguresRow[] r) => new(StepSql)
    {
        Parameters =
        {
            P(r.Select(x => x.StepId)), P(r.Select(x => x.JobId)), P(r.Select(x => x.StepKey)), P(r.Select(x => x.StepName)),
            P(r.Select(x => x.AgencyCode)), P(r.Select(x => x.Position)), P(r.Select(x => x.Status)), P(r.Select(x => x.TargetBusinessDays)),
            P(r.Select(x => x.ReadyAt)), P(r.Select(x => x.FinishedAt)), P(r.Select(x => x.BindingStepKey)),
            P(r.Select(x => System.Text.Json.JsonSerializer.Serialize(x.BlockedBy))), P(r.Select(x => x.OwnDoneAt)),
            P(r.Select(x => x.OwnWorkPending)), P(r.Select(x => x.CorrectionCycles)), P(r.Select(x => x.BaseAt)), P(r.Select(x => x.DaysOpenUs)),
            P(r.Select(x => x.WithAgencyUs)), P(r.Select(x => x.WithApplicantUs)), P(r.Select(x => x.DaysBlockedUs)), P(r.Select(x => x.WaitingUs)),
            P(r.Select(x => x.WaitingAttributionUs)), P(r.Select(x => x.BusinessDaysWithAgency)), P(r.Select(x => x.AgencyClockRunning)),
            P(r.Select(x => x.ApplicantClockRunning)), P(r.Select(x => x.BlockedClockRunning)), P(r.Select(x => x.WaitingClockRunning)),
            P(r.Select(x => x.WaitingTailHolder)),
        },
    };

    private static NpgsqlParameter<T[]> P<T>(IEnumerable<T> values) => new() { TypedValue = [.. values] };
}
