namespace PermitTracker.Data.Configurations;

internal sealed class HolidayConfiguration : IEntityTypeConfiguration<Holiday>
{
    public void Configure(EntityTypeBuilder<Holiday> builder)
    {
        builder.HasKey(h => h.Date);
        builder.Property(h => h.Name).HasMaxLength(200);
    }
}
