using PermitTracker.Data.Access;

namespace PermitTracker.Data.Configurations;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Id).UseIdentityAlwaysColumn();
        builder.HasIndex(k => k.Prefix).IsUnique();
        builder.Property(k => k.Prefix).HasMaxLength(20);
        builder.Property(k => k.Name).HasMaxLength(200);
        builder.Property(k => k.Scope).HasConversion<string>().HasMaxLength(20);
        builder.Property(k => k.AgencyCode).HasMaxLength(10);
        builder.HasOne<Agency>().WithMany().HasForeignKey(k => k.AgencyCode).OnDelete(DeleteBehavior.Restrict);
    }
}
