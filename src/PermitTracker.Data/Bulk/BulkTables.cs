using NpgsqlTypes;
using PermitTracker.Data.ReadModel;

namespace PermitTracker.Data.Bulk;

/// <summary>A job as the jobs table stores it: the id the writer reserved for it, and the domain's job.</summary>
public readonly record struct JobRow(long Id, Job Job);

/// <summary>A step as the steps table stores it, with the ids its row carries.</summary>
public readonly record struct StepRow(long Id, long JobId, Step Step);

/// <summary>An event as step_events stores it: its id is the table's identity, the step's is given.</summary>
public readonly record struct EventRow(long StepId, StepEvent Event);

/// <summary>
/// The column lists of every table the bulk paths write (the importers, the generator, the read model), each once:
/// name, wire type and where the value comes from. Every path writes every column; what differs between them is in
/// the domain objects they hand over, not in the lists:
/// <list type="bullet">
/// <item>jobs.template_version and applicant_*: the generator's jobs come from a template and have an applicant;
/// an imported job has neither (its mapping defines the steps, and an agency export carries no private contact), so
/// Job.Create leaves them null and null is written.</item>
/// <item>step_events.id: the table's identity, in row order, for every path (no path needs an event's id).</item>
/// <item>jobs.created_at and step_events.recorded_at: the instants the domain recorded (Job.Create, RecordMove).</item>
/// </list>
/// Instants are sent in UTC: Npgsql refuses a timestamptz with another offset.
/// </summary>
public static class BulkTables
{
    public static readonly BulkTable<JobRow> Jobs = new BulkTable<JobRow>("jobs", key: "id")
        .Value("id", NpgsqlDbType.Bigint, r => r.Id)
        .Column("job_number", NpgsqlDbType.Varchar, r => r.Job.JobNumber)
        .Column("job_number_key", NpgsqlDbType.Varchar, r => r.Job.JobNumberKey)
        .Column("permit_type_code", NpgsqlDbType.Varchar, r => r.Job.PermitTypeCode)
        .Optional("template_version", NpgsqlDbType.Integer, r => r.Job.TemplateVersion)
        .Column("description", NpgsqlDbType.Varchar, r => r.Job.Description)
        .Column("house_number", NpgsqlDbType.Varchar, r => r.Job.Address.HouseNumber)
        .Column("street", NpgsqlDbType.Varchar, r => r.Job.Address.Street)
        .Column("borough", NpgsqlDbType.Varchar, r => r.Job.Address.Borough)
        .Column("zip", NpgsqlDbType.Varchar, r => r.Job.Address.Zip)
        .Column("city", NpgsqlDbType.Varchar, r => r.Job.Address.City)
        .Column("state", NpgsqlDbType.Varchar, r => r.Job.Address.State)
        .Column("applicant_name", NpgsqlDbType.Varchar, r => r.Job.Applicant?.Name)
        .Column("applicant_email", NpgsqlDbType.Varchar, r => r.Job.Applicant?.Email)
        .Column("applicant_phone", NpgsqlDbType.Varchar, r => r.Job.Applicant?.Phone)
        .Value("submitted_at", NpgsqlDbType.TimestampTz, r => r.Job.SubmittedAt.ToUniversalTime())
        .Value("created_at", NpgsqlDbType.TimestampTz, r => r.Job.CreatedAt.ToUniversalTime())
        .Optional("withdrawn_at", NpgsqlDbType.TimestampTz, r => r.Job.WithdrawnAt?.ToUniversalTime())
        .Column("withdrawal_reason", NpgsqlDbType.Varchar, r => r.Job.WithdrawalReason)
        .Value("last_event_sequence", NpgsqlDbType.Integer, r => r.Job.LastEventSequence)
        .Column("street_key", NpgsqlDbType.Varchar, r => r.Job.StreetKey);

    public static readonly BulkTable<StepRow> Steps = new BulkTable<StepRow>("steps", key: "id")
        .Value("id", NpgsqlDbType.Bigint, r => r.Id)
        .Value("job_id", NpgsqlDbType.Bigint, r => r.JobId)
        .Column("key", NpgsqlDbType.Varchar, r => r.Step.Key)
        .Column("name", NpgsqlDbType.Varchar, r => r.Step.Name)
        .Column("agency_code", NpgsqlDbType.Varchar, r => r.Step.AgencyCode)
        .Column("depends_on", NpgsqlDbType.Array | NpgsqlDbType.Text, r => r.Step.DependsOn)
        .Optional("target_business_days", NpgsqlDbType.Integer, r => r.Step.TargetBusinessDays)
        .Value("position", NpgsqlDbType.Integer, r => r.Step.Position)
        .Column("recorded_status", NpgsqlDbType.Varchar, r => r.Step.RecordedStatus.ToString())
        .Optional("last_event_at", NpgsqlDbType.TimestampTz, r => r.Step.LastEventAt?.ToUniversalTime());

    public static readonly BulkTable<EventRow> StepEvents = new BulkTable<EventRow>("step_events", key: "id")
        .GeneratedColumn("id", NpgsqlDbType.Bigint)
        .Value("step_id", NpgsqlDbType.Bigint, r => r.StepId)
        .Column("step_key", NpgsqlDbType.Varchar, r => r.Event.StepKey)
        .Value("sequence", NpgsqlDbType.Integer, r => r.Event.Sequence)
        .Column("status", NpgsqlDbType.Varchar, r => r.Event.Status.ToString())
        .Value("occurred_at", NpgsqlDbType.TimestampTz, r => r.Event.OccurredAt.ToUniversalTime())
        .Value("recorded_at", NpgsqlDbType.TimestampTz, r => r.Event.RecordedAt.ToUniversalTime())
        .Column("actor", NpgsqlDbType.Varchar, r => r.Event.Actor)
        .Column("note", NpgsqlDbType.Varchar, r => r.Event.Note);

    /// <summary>The extra columns an import keeps (ADR-010); the generator has none.</summary>
    public static readonly BulkTable<JobAttributes> JobAttributes = new BulkTable<JobAttributes>("job_attributes", key: "job_id")
        .Value("job_id", NpgsqlDbType.Bigint, r => r.JobId)
        .Column("source", NpgsqlDbType.Varchar, r => r.Source)
        .Column("attributes", NpgsqlDbType.Jsonb, r => r.Values)
        .Column("time_zone", NpgsqlDbType.Varchar, r => r.TimeZone);

    /// <summary>The outbox's intake (ADR-027): one row per job an import batch moved, covering its new events.</summary>
    public static readonly BulkTable<Notifications.OutboxChange> OutboxChanges = new BulkTable<Notifications.OutboxChange>("outbox_changes", key: "id")
        .GeneratedColumn("id", NpgsqlDbType.Bigint)
        .Value("job_id", NpgsqlDbType.Bigint, r => r.JobId)
        .Value("first_sequence", NpgsqlDbType.Integer, r => r.FirstSequence)
        .Value("last_sequence", NpgsqlDbType.Integer, r => r.LastSequence)
        .Value("created_at", NpgsqlDbType.TimestampTz, r => r.CreatedAt.ToUniversalTime())
        .Optional("webhooks_at", NpgsqlDbType.TimestampTz, r => r.WebhooksAt?.ToUniversalTime());

    public static readonly BulkTable<JobFiguresRow> JobFigures = new BulkTable<JobFiguresRow>("job_figures", key: "job_id")
        .Value("job_id", NpgsqlDbType.Bigint, r => r.JobId)
        .Column("job_number", NpgsqlDbType.Varchar, r => r.JobNumber)
        .Column("permit_type_code", NpgsqlDbType.Varchar, r => r.PermitTypeCode)
        .Column("borough", NpgsqlDbType.Varchar, r => r.Borough)
        .Value("submitted_at", NpgsqlDbType.TimestampTz, r => r.SubmittedAt)
        .Column("state", NpgsqlDbType.Varchar, r => r.State)
        .Optional("ended_at", NpgsqlDbType.TimestampTz, r => r.EndedAt)
        .Value("base_at", NpgsqlDbType.TimestampTz, r => r.BaseAt)
        .Value("elapsed_us", NpgsqlDbType.Bigint, r => r.ElapsedUs)
        .Column("shares_us", NpgsqlDbType.Jsonb, r => r.SharesUs)
        .Column("critical_path", NpgsqlDbType.Jsonb, r => r.CriticalPath)
        .Column("tail_holder", NpgsqlDbType.Varchar, r => r.TailHolder);

    public static readonly BulkTable<StepFiguresRow> StepFigures = new BulkTable<StepFiguresRow>("step_figures", key: "step_id")
        .Value("step_id", NpgsqlDbType.Bigint, r => r.StepId)
        .Value("job_id", NpgsqlDbType.Bigint, r => r.JobId)
        .Column("step_key", NpgsqlDbType.Varchar, r => r.StepKey)
        .Column("step_name", NpgsqlDbType.Varchar, r => r.StepName)
        .Column("agency_code", NpgsqlDbType.Varchar, r => r.AgencyCode)
        .Value("position", NpgsqlDbType.Integer, r => r.Position)
        .Column("status", NpgsqlDbType.Varchar, r => r.Status)
        .Optional("target_business_days", NpgsqlDbType.Integer, r => r.TargetBusinessDays)
        .Optional("ready_at", NpgsqlDbType.TimestampTz, r => r.ReadyAt)
        .Optional("finished_at", NpgsqlDbType.TimestampTz, r => r.FinishedAt)
        .Column("binding_step_key", NpgsqlDbType.Varchar, r => r.BindingStepKey)
        .Column("blocked_by", NpgsqlDbType.Array | NpgsqlDbType.Text, r => r.BlockedBy)
        .Value("own_done_at", NpgsqlDbType.TimestampTz, r => r.OwnDoneAt)
        .Value("own_work_pending", NpgsqlDbType.Boolean, r => r.OwnWorkPending)
        .Value("correction_cycles", NpgsqlDbType.Integer, r => r.CorrectionCycles)
        .Value("base_at", NpgsqlDbType.TimestampTz, r => r.BaseAt)
        .Value("days_open_us", NpgsqlDbType.Bigint, r => r.DaysOpenUs)
        .Value("with_agency_us", NpgsqlDbType.Bigint, r => r.WithAgencyUs)
        .Value("with_applicant_us", NpgsqlDbType.Bigint, r => r.WithApplicantUs)
        .Value("days_blocked_us", NpgsqlDbType.Bigint, r => r.DaysBlockedUs)
        .Value("waiting_us", NpgsqlDbType.Bigint, r => r.WaitingUs)
        .Column("waiting_attribution_us", NpgsqlDbType.Jsonb, r => r.WaitingAttributionUs)
        .Value("business_days_with_agency", NpgsqlDbType.Integer, r => r.BusinessDaysWithAgency)
        .Value("agency_clock_running", NpgsqlDbType.Boolean, r => r.AgencyClockRunning)
        .Value("applicant_clock_running", NpgsqlDbType.Boolean, r => r.ApplicantClockRunning)
        .Value("blocked_clock_running", NpgsqlDbType.Boolean, r => r.BlockedClockRunning)
        .Value("waiting_clock_running", NpgsqlDbType.Boolean, r => r.WaitingClockRunning)
        .Column("waiting_tail_holder", NpgsqlDbType.Varchar, r => r.WaitingTailHolder);

    public static readonly BulkTable<StepFactRow> StepFacts = new BulkTable<StepFactRow>("step_facts", key: "step_id")
        .Value("step_id", NpgsqlDbType.Bigint, r => r.StepId)
        .Value("job_id", NpgsqlDbType.Bigint, r => r.JobId)
        .Column("agency_code", NpgsqlDbType.Varchar, r => r.AgencyCode)
        .Column("step_key", NpgsqlDbType.Varchar, r => r.StepKey)
        .Column("step_name", NpgsqlDbType.Varchar, r => r.StepName)
        .Column("permit_type_code", NpgsqlDbType.Varchar, r => r.PermitTypeCode)
        .Column("borough", NpgsqlDbType.Varchar, r => r.Borough)
        .Value("submitted_at", NpgsqlDbType.TimestampTz, r => r.SubmittedAt)
        .Column("job_state", NpgsqlDbType.Varchar, r => r.JobState)
        .Optional("ended_at", NpgsqlDbType.TimestampTz, r => r.EndedAt)
        .Column("status", NpgsqlDbType.Varchar, r => r.Status)
        .Optional("ready_at", NpgsqlDbType.TimestampTz, r => r.ReadyAt)
        .Optional("finished_at", NpgsqlDbType.TimestampTz, r => r.FinishedAt)
        .Optional("target_business_days", NpgsqlDbType.Integer, r => r.TargetBusinessDays)
        .Value("base_at", NpgsqlDbType.TimestampTz, r => r.BaseAt)
        .Value("days_open_us", NpgsqlDbType.Bigint, r => r.DaysOpenUs)
        .Value("with_agency_us", NpgsqlDbType.Bigint, r => r.WithAgencyUs)
        .Value("with_applicant_us", NpgsqlDbType.Bigint, r => r.WithApplicantUs)
        .Value("business_days_with_agency", NpgsqlDbType.Integer, r => r.BusinessDaysWithAgency)
        .Value("correction_cycles", NpgsqlDbType.Integer, r => r.CorrectionCycles)
        .Value("agency_clock_running", NpgsqlDbType.Boolean, r => r.AgencyClockRunning)
        .Value("applicant_clock_running", NpgsqlDbType.Boolean, r => r.ApplicantClockRunning)
        .Value("base_local_us", NpgsqlDbType.Bigint, r => r.BaseLocalUs)
        .Value("base_business_day", NpgsqlDbType.Integer, r => r.BaseBusinessDay);

    /// <summary>Every declared table with its column names, for the test that holds them to the EF model.</summary>
    public static IReadOnlyList<(string Table, IReadOnlyList<string> Columns)> All =>
    [
        Declared(Jobs), Declared(Steps), Declared(StepEvents), Declared(JobAttributes), Declared(JobFigures), Declared(StepFigures), Declared(OutboxChanges),
        Declared(StepFacts),
    ];

    private static (string, IReadOnlyList<string>) Declared<T>(BulkTable<T> table) => (table.Name, [.. table.Columns.Select(c => c.Name)]);
}
