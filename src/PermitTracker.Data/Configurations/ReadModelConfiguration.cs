using PermitTracker.Data.ReadModel;

namespace PermitTracker.Data.Configurations;

internal sealed class JobFiguresConfiguration : IEntityTypeConfiguration<JobFiguresRow>
{
    public void Configure(EntityTypeBuilder<JobFiguresRow> builder)
    {
        builder.ToTable("job_figures");
        builder.HasKey(j => j.JobId);
        builder.Property(j => j.JobId).ValueGeneratedNever();
        builder.HasOne<Job>().WithOne().HasForeignKey<JobFiguresRow>(j => j.JobId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(j => j.JobNumber).HasMaxLength(40);
        builder.Property(j => j.PermitTypeCode).HasMaxLength(10);
        builder.Property(j => j.Borough).HasMaxLength(40);
        builder.Property(j => j.State).HasMaxLength(20);
        builder.Property(j => j.TailHolder).HasMaxLength(20);
        builder.Property(j => j.SharesUs).HasColumnType("jsonb");
        builder.Property(j => j.CriticalPath).HasColumnType("jsonb");
        builder.HasIndex(j => new { j.State, j.SubmittedAt });
        builder.HasIndex(j => new { j.PermitTypeCode, j.SubmittedAt });
    }
}

internal sealed class StepFiguresConfiguration : IEntityTypeConfiguration<StepFiguresRow>
{
    public void Configure(EntityTypeBuilder<StepFiguresRow> builder)
    {
        builder.ToTable("step_figures");
        builder.HasKey(s => s.StepId);
        builder.Property(s => s.StepId).ValueGeneratedNever();
        builder.HasOne<Step>().WithOne().HasForeignKey<StepFiguresRow>(s => s.StepId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(s => s.JobId);
        builder.HasIndex(s => new { s.AgencyCode, s.Status });
        builder.Property(s => s.StepKey).HasMaxLength(40);
        builder.Property(s => s.StepName).HasMaxLength(200);
        builder.Property(s => s.AgencyCode).HasMaxLength(10);
        builder.Property(s => s.Status).HasMaxLength(20);
        builder.Property(s => s.BindingStepKey).HasMaxLength(40);
        builder.Property(s => s.BlockedBy).HasColumnType("text[]");
        builder.Property(s => s.WaitingAttributionUs).HasColumnType("jsonb");
        builder.Property(s => s.WaitingTailHolder).HasMaxLength(20);
    }
}

/// <summary>
/// The reports' step facts (ADR-029). Indexes for the slices a manager asks most: one agency or step, one permit type,
/// a submission range, and the open steps (the backlog; their figures grow with as_of and are extended at query time).
/// </summary>
internal sealed class StepFactsConfiguration : IEntityTypeConfiguration<StepFactRow>
{
    public void Configure(EntityTypeBuilder<StepFactRow> builder)
    {
        builder.ToTable("step_facts");
        builder.HasKey(s => s.StepId);
        builder.Property(s => s.StepId).ValueGeneratedNever();
        builder.HasOne<StepFiguresRow>().WithOne().HasForeignKey<StepFactRow>(s => s.StepId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(s => s.JobId);
        builder.HasIndex(s => new { s.AgencyCode, s.StepKey, s.SubmittedAt });
        builder.HasIndex(s => new { s.PermitTypeCode, s.SubmittedAt });
        builder.HasIndex(s => s.SubmittedAt);
        builder.HasIndex(s => s.EndedAt);
        builder.HasIndex(s => new { s.AgencyCode, s.DaysOpenUs }).HasFilter("finished_at IS NULL").HasDatabaseName("ix_step_facts_open_steps");
        // The status page's queue place (Features/Jobs/StepOutlook, ADR-039) counts the open Ready/InReview steps of one
        // agency and key that became ready earlier, from this index alone (an index-only scan). Typical times need no
        // index: StepHistory reads the year's finished steps in one pass, once a city day.
        builder.HasIndex(s => new { s.AgencyCode, s.StepKey, s.ReadyAt, s.StepId })
            .HasFilter("finished_at IS NULL AND job_state = 'Open' AND status IN ('Ready', 'InReview')")
            .IncludeProperties(s => new { s.Status })
            .HasDatabaseName("ix_step_facts_queue_place");
        // The staff queues (Features/Staff/QueueQuery) read three partial expression indexes over the actionable steps of
        // open jobs, ordered by days left to target and by the instant the step's clock started (ADR-041). EF has no
        // expression indexes: migration StaffQueueByDaysLeft creates them in SQL, so they are not in this model.
        builder.Property(s => s.AgencyCode).HasMaxLength(10);
        builder.Property(s => s.StepKey).HasMaxLength(40);
        builder.Property(s => s.StepName).HasMaxLength(200);
        builder.Property(s => s.PermitTypeCode).HasMaxLength(10);
        builder.Property(s => s.Borough).HasMaxLength(40);
        builder.Property(s => s.JobState).HasMaxLength(20);
        builder.Property(s => s.Status).HasMaxLength(20);
    }
}
