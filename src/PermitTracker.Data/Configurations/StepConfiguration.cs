namespace PermitTracker.Data.Configurations;

internal sealed class StepConfiguration : IEntityTypeConfiguration<Step>
{
    public void Configure(EntityTypeBuilder<Step> builder)
    {
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).UseIdentityAlwaysColumn();
        builder.HasIndex(s => new { s.JobId, s.Key }).IsUnique();
        builder.Property(s => s.Key).HasMaxLength(40);
        builder.Property(s => s.Name).HasMaxLength(200);
        builder.Property(s => s.AgencyCode).HasMaxLength(10);
        builder.HasOne<Agency>().WithMany().HasForeignKey(s => s.AgencyCode).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(s => new { s.AgencyCode, s.RecordedStatus });
        builder.Property(s => s.DependsOn).HasColumnType("text[]");
        builder.Property(s => s.RowVersion).IsRowVersion();
        builder.Ignore(s => s.Title);

        builder.HasMany(s => s.Events).WithOne().HasForeignKey(e => e.StepId).OnDelete(DeleteBehavior.Restrict);
        builder.Navigation(s => s.Events).HasField("_events").UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}
