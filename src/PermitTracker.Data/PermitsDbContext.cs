using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Npgsql;
using PermitTracker.Data.Access;
using PermitTracker.Data.ReadModel;
using PermitTracker.Domain.Workflow;

namespace PermitTracker.Data;

/// <summary>
/// The one EF Core context over the permits database, staff accounts (ASP.NET Core Identity) included.
/// Configuration lives in Configurations/, one class per entity.
/// </summary>
public class PermitsDbContext(DbContextOptions<PermitsDbContext> options) : IdentityDbContext<StaffUser, IdentityRole, string>(options), IDataProtectionKeyContext
{
    /// <summary>The key ring of cookies and antiforgery tokens, shared by every instance of the portal (docs/scaling.md).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<Agency> Agencies => Set<Agency>();
    public DbSet<PermitType> PermitTypes => Set<PermitType>();
    public DbSet<WorkflowTemplate> WorkflowTemplates => Set<WorkflowTemplate>();
    public DbSet<Holiday> Holidays => Set<Holiday>();
    public DbSet<Job> Jobs => Set<Job>();
    public DbSet<Step> Steps => Set<Step>();
    public DbSet<StepEvent> StepEvents => Set<StepEvent>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<JobFiguresRow> JobFigures => Set<JobFiguresRow>();
    public DbSet<IdempotentRequest> IdempotentRequests => Set<IdempotentRequest>();
    public DbSet<StepFiguresRow> StepFigures => Set<StepFiguresRow>();
    public DbSet<StepFactRow> StepFacts => Set<StepFactRow>();
    public DbSet<JobAttributes> JobAttributes => Set<JobAttributes>();
    public DbSet<Reports.ReportSnapshot> ReportSnapshots => Set<Reports.ReportSnapshot>();
    public DbSet<Notifications.OutboxChange> OutboxChanges => Set<Notifications.OutboxChange>();
    public DbSet<Notifications.OutboxMessage> OutboxMessages => Set<Notifications.OutboxMessage>();
    public DbSet<Notifications.JobFollower> JobFollowers => Set<Notifications.JobFollower>();
    public DbSet<Applicants.JobInvitation> JobInvitations => Set<Applicants.JobInvitation>();
    public DbSet<Notifications.WebhookEndpoint> WebhookEndpoints => Set<Notifications.WebhookEndpoint>();
    public DbSet<Notifications.WebhookDelivery> WebhookDeliveries => Set<Notifications.WebhookDelivery>();
    public DbSet<Notifications.StepOverdueNotice> StepOverdueNotices => Set<Notifications.StepOverdueNotice>();
    public DbSet<Expectations.JobExpectation> JobExpectations => Set<Expectations.JobExpectation>();
    public DbSet<Expectations.ExpectationChange> ExpectationChanges => Set<Expectations.ExpectationChange>();

    /// <summary>
    /// Two writers of one job both took the same next event sequence: the unique index caught the second
    /// before the xmin check could. Either way it is the same stale write, so callers see one exception type.
    /// </summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        try
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }
        catch (DbUpdateException ex) when (ex is not DbUpdateConcurrencyException
                                           && ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: EventSequenceIndex })
        {
            throw new DbUpdateConcurrencyException("Another writer recorded an event on this job first.", ex);
        }
    }

    internal const string EventSequenceIndex = "ix_step_events_step_id_sequence";

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PermitsDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Enums are stored as their names (text), so the database reads the way the spec does.
        configurationBuilder.Properties<StepStatus>().HaveConversion<string>().HaveMaxLength(20);
        configurationBuilder.Properties<JobState>().HaveConversion<string>().HaveMaxLength(20);
    }
}

/// <summary>A day the city's agencies are closed: business days skip it. Administrators edit the list.</summary>
public sealed class Holiday
{
    public DateOnly Date { get; set; }
    public string Name { get; set; } = "";
}
