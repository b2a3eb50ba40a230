using Microsoft.EntityFrameworkCore;
using PermitTracker.Domain;
using PermitTracker.Domain.Jobs;
using PermitTracker.Domain.Workflow;

namespace PermitTracker.Data;

/// <summary>The one EF Core context over the permits database. Configuration lives in Configurations/, one class per entity.</summary>
public class PermitsDbContext(DbContextOptions<PermitsDbContext> options) : DbContext(options)
{
    public DbSet<Agency> Agencies => Set<Agency>();
    public DbSet<PermitType> PermitTypes => Set<PermitType>();
    public DbSet<WorkflowTemplate> WorkflowTemplates => Set<WorkflowTemplate>();
    public DbSet<Holiday> Holidays => Set<Holiday>();
    public DbSet<Job> Jobs => Set<Job>();
    public DbSet<Step> Steps => Set<Step>();
    public DbSet<StepEvent> StepEvents => Set<StepEvent>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PermitsDbContext).Assembly);

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
