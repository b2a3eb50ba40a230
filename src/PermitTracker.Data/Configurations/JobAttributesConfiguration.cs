using PermitTracker.Data;

namespace PermitTracker.Data.Configurations;

internal sealed class JobAttributesConfiguration : IEntityTypeConfiguration<JobAttributes>
{
    public void Configure(EntityTypeBuilder<JobAttributes> builder)
    {
        builder.ToTable("job_attributes");
        builder.HasKey(a => a.JobId);
        builder.Property(a => a.JobId).ValueGeneratedNever();
        builder.HasOne<Job>().WithOne().HasForeignKey<JobAttributes>(a => a.JobId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(a => a.Source).HasMaxLength(100);
        builder.HasIndex(a => a.Source);
        builder.Property(a => a.TimeZone).HasMaxLength(64);
        builder.Property(a => a.Values).HasColumnName("attributes").HasColumnType("jsonb");
    }
}
