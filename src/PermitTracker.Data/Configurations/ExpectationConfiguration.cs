using PermitTracker.Data.Expectations;

namespace PermitTracker.Data.Configurations;

internal sealed class JobExpectationConfiguration : IEntityTypeConfiguration<JobExpectation>
{
    public void Configure(EntityTypeBuilder<JobExpectation> builder)
    {
        builder.ToTable("job_expectations");
        builder.HasKey(e => e.JobId);
        builder.Property(e => e.JobId).ValueGeneratedNever();
        builder.HasOne<Job>().WithOne().HasForeignKey<JobExpectation>(e => e.JobId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(e => e.Steps).HasColumnType("jsonb");
    }
}

internal sealed class ExpectationChangeConfiguration : IEntityTypeConfiguration<ExpectationChange>
{
    public void Configure(EntityTypeBuilder<ExpectationChange> builder)
    {
        builder.ToTable("expectation_changes");
        builder.HasKey(c => c.Id);
        // Restrict: a public record is never removed with its job (the append-only trigger would refuse it anyway).
        builder.HasOne<Job>().WithMany().HasForeignKey(c => c.JobId).OnDelete(DeleteBehavior.Restrict);
        // One recording a city day: a second run of the day adds nothing.
        builder.HasIndex(c => new { c.JobId, c.CityDay }).IsUnique();
        builder.Property(c => c.Cause).HasMaxLength(30);
        builder.Property(c => c.StepKey).HasMaxLength(40);
        builder.Property(c => c.AgencyCode).HasMaxLength(10);
    }
}
