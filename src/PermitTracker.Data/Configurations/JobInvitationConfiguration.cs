using PermitTracker.Data.Applicants;

namespace PermitTracker.Data.Configurations;

internal sealed class JobInvitationConfiguration : IEntityTypeConfiguration<JobInvitation>
{
    public void Configure(EntityTypeBuilder<JobInvitation> builder)
    {
        builder.ToTable("job_invitations");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Id).UseIdentityAlwaysColumn();
        builder.Property(i => i.Email).HasMaxLength(200);
        builder.Property(i => i.InvitedBy).HasMaxLength(200);
        builder.HasOne<Job>().WithMany().HasForeignKey(i => i.JobId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(i => new { i.JobId, i.Email }).IsUnique();
        // My jobs looks invitations up by the signed-in e-mail.
        builder.HasIndex(i => i.Email);
    }
}
