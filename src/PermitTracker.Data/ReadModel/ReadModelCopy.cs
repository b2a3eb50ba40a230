using Npgsql;
using NpgsqlTypes;

namespace PermitTracker.Data.ReadModel;

/// <summary>
/// Writes read-model rows by binary COPY: the generator's and the importer's bulk path (one round trip for
/// thousands of rows, where EF would send an INSERT per row), for jobs that have no rows yet. Existing jobs' rows are
/// updated in place by <see cref="ReadModelUpsert"/>.
/// </summary>
public static class ReadModelCopy
{
    public static async Task WriteAsync(NpgsqlConnection connection, IEnumerable<(JobFiguresRow Job, List<StepFiguresRow> Steps)> rows, CancellationToken cancellationToken)
    {
        var figures = rows as IReadOnlyCollection<(JobFiguresRow Job, List<StepFiguresRow> Steps)> ?? [.. rows];
        using (var writer = await connection.BeginBinaryImportAsync(
            "COPY job_figures (job_id, job_number, permit_type_code, borough, submitted_at, state, ended_at, base_at, elapsed_us, shares_us, critical_path, " +
            "tail_holder, waiting_on_other_agencies_us) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var (r, _) in figures)
            {
                writer.StartRow();
                writer.Write(r.JobId, NpgsqlDbType.Bigint);
                writer.Write(r.JobNumber, NpgsqlDbType.Varchar);
                writer.Write(r.PermitTypeCode, NpgsqlDbType.Varchar);
                BinaryCopy.WriteNullable(writer, r.Borough, NpgsqlDbType.Varchar);
                writer.Write(r.SubmittedAt, NpgsqlDbType.TimestampTz);
                writer.Write(r.State, NpgsqlDbType.Varchar);
                BinaryCopy.WriteNullable(writer, r.EndedAt, NpgsqlDbType.TimestampTz);
                writer.Write(r.BaseAt, NpgsqlDbType.TimestampTz);
                writer.Write(r.ElapsedUs, NpgsqlDbType.Bigint);
                writer.Write(r.SharesUs, NpgsqlDbType.Jsonb);
                writer.Write(r.CriticalPath, NpgsqlDbType.Jsonb);
                BinaryCopy.WriteNullable(writer, r.TailHolder, NpgsqlDbType.Varchar);
                writer.Write(r.WaitingOnOtherAgenciesUs, NpgsqlDbType.Bigint);
            }
            await writer.CompleteAsync(cancellationToken);
        }

        using (var writer = await connection.BeginBinaryImportAsync(
            "COPY step_figures (step_id, job_id, step_key, step_name, agency_code, position, status, target_business_days, ready_at, finished_at, " +
            "binding_step_key, blocked_by, own_done_at, own_work_pending, correction_cycles, base_at, days_open_us, with_agency_us, with_applicant_us, " +
            "days_blocked_us, waiting_us, waiting_attribution_us, business_days_with_agency, agency_clock_running, applicant_clock_running, " +
            "blocked_clock_running, waiting_clock_running, waiting_tail_holder) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var (_, steps) in figures)
            {
                foreach (var r in steps)
                {
                    writer.StartRow();
                    writer.Write(r.StepId, NpgsqlDbType.Bigint);
                    writer.Write(r.JobId, NpgsqlDbType.Bigint);
                    writer.Write(r.StepKey, NpgsqlDbType.Varchar);
                    writer.Write(r.StepName, NpgsqlDbType.Varchar);
                    writer.Write(r.AgencyCode, NpgsqlDbType.Varchar);
                    writer.Write(r.Position, NpgsqlDbType.Integer);
                    writer.Write(r.Status, NpgsqlDbType.Varchar);
                    BinaryCopy.WriteNullable(writer, r.TargetBusinessDays, NpgsqlDbType.Integer);
                    BinaryCopy.WriteNullable(writer, r.ReadyAt, NpgsqlDbType.TimestampTz);
                    BinaryCopy.WriteNullable(writer, r.FinishedAt, NpgsqlDbType.TimestampTz);
                    BinaryCopy.WriteNullable(writer, r.BindingStepKey, NpgsqlDbType.Varchar);
                    writer.Write(r.BlockedBy, NpgsqlDbType.Array | NpgsqlDbType.Text);
                    writer.Write(r.OwnDoneAt, NpgsqlDbType.TimestampTz);
                    writer.Write(r.OwnWorkPending, NpgsqlDbType.Boolean);
                    writer.Write(r.CorrectionCycles, NpgsqlDbType.Integer);
                    writer.Write(r.BaseAt, NpgsqlDbType.TimestampTz);
                    writer.Write(r.DaysOpenUs, NpgsqlDbType.Bigint);
                    writer.Write(r.WithAgencyUs, NpgsqlDbType.Bigint);
                    writer.Write(r.WithApplicantUs, NpgsqlDbType.Bigint);
                    writer.Write(r.DaysBlockedUs, NpgsqlDbType.Bigint);
                    writer.Write(r.WaitingUs, NpgsqlDbType.Bigint);
                    writer.Write(r.WaitingAttributionUs, NpgsqlDbType.Jsonb);
                    writer.Write(r.BusinessDaysWithAgency, NpgsqlDbType.Integer);
                    writer.Write(r.AgencyClockRunning, NpgsqlDbType.Boolean);
                    writer.Write(r.ApplicantClockRunning, NpgsqlDbType.Boolean);
                    writer.Write(r.BlockedClockRunning, NpgsqlDbType.Boolean);
                    writer.Write(r.WaitingClockRunning, NpgsqlDbType.Boolean);
                    BinaryCopy.WriteNullable(writer, r.WaitingTailHolder, NpgsqlDbType.Varchar);
                }
            }
            await writer.CompleteAsync(cancellationToken);
        }
    }
}
