using PermitTracker.Data;

namespace PermitTracker.Data.Configurations;

internal sealed class IdempotentRequestConfiguration : IEntityTypeConfiguration<IdempotentRequest>
{
    public void Configure(EntityTypeBuilder<IdempotentRequest> builder)
    {
        builder.HasKey(r => new { r.Caller, r.Key });
        builder.Property(r => r.Caller).HasMaxLength(200);
        builder.Property(r => r.Key).HasMaxLength(200);
        builder.Property(r => r.StepKey).HasMaxLength(40);
        builder.HasOne<Job>().WithMany().HasForeignKey(r => r.JobId).OnDelete(DeleteBehavior.Cascade);
    }
}
