namespace PermitTracker.Data.Configurations;

/// <summary>Step events are append-only: a trigger in the migration refuses UPDATE, DELETE and TRUNCATE.</summary>
internal sealed class StepEventConfiguration : IEntityTypeConfiguration<StepEvent>
{
    public void Configure(EntityTypeBuilder<StepEvent> builder)
    {
        builder.ToTable("step_events");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).UseIdentityAlwaysColumn();
        builder.HasIndex(e => new { e.StepId, e.Sequence }).IsUnique();
        builder.Property(e => e.StepKey).HasMaxLength(40);
        builder.Property(e => e.Actor).HasMaxLength(200);
        builder.Property(e => e.Note).HasMaxLength(4000);
    }
}
