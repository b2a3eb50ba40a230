namespace PermitTracker.Data.Configurations;

internal sealed class AgencyConfiguration : IEntityTypeConfiguration<Agency>
{
    public void Configure(EntityTypeBuilder<Agency> builder)
    {
        builder.HasKey(a => a.Code);
        builder.Property(a => a.Code).HasMaxLength(10);
        builder.Property(a => a.Name).HasMaxLength(200);
        builder.Property(a => a.ContactEmail).HasMaxLength(200);
        builder.Property(a => a.ContactPhone).HasMaxLength(50);
        builder.Property(a => a.WebPage).HasMaxLength(500);
    }
}
