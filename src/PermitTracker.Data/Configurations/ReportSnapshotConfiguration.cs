using PermitTracker.Data.Reports;

namespace PermitTracker.Data.Configurations;

internal sealed class ReportSnapshotConfiguration : IEntityTypeConfiguration<ReportSnapshot>
{
    public void Configure(EntityTypeBuilder<ReportSnapshot> builder)
    {
        builder.HasKey(s => s.Report);
        builder.Property(s => s.Report).HasMaxLength(40);
        builder.Property(s => s.Rows).HasColumnType("jsonb");
    }
}
