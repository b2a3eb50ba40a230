using PermitTracker.Data.Notifications;

namespace PermitTracker.Data.Configurations;

internal sealed class OutboxChangeConfiguration : IEntityTypeConfiguration<OutboxChange>
{
    public void Configure(EntityTypeBuilder<OutboxChange> builder)
    {
        builder.ToTable("outbox_changes");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).UseIdentityAlwaysColumn();
        builder.HasOne<Job>().WithMany().HasForeignKey(c => c.JobId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => new { c.JobId, c.CreatedAt });
    }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.ToTable("outbox_messages");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Id).UseIdentityAlwaysColumn();
        builder.Property(m => m.MessageId).HasMaxLength(200);
        builder.HasIndex(m => m.MessageId).IsUnique();
        builder.Property(m => m.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(m => m.State).HasConversion<string>().HasMaxLength(20);
        builder.Property(m => m.Recipient).HasMaxLength(200);
        builder.Property(m => m.Subject).HasMaxLength(300);
        builder.Property(m => m.UnsubscribeUrl).HasMaxLength(1000);
        builder.Property(m => m.LastError).HasMaxLength(1000);
        builder.HasOne<Job>().WithMany().HasForeignKey(m => m.JobId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<JobFollower>().WithMany().HasForeignKey(m => m.FollowerId).OnDelete(DeleteBehavior.Cascade);
        // What the dispatcher claims: pending rows that are due.
        builder.HasIndex(m => m.NextAttemptAt).HasFilter("state = 'Pending'");
    }
}

internal sealed class JobFollowerConfiguration : IEntityTypeConfiguration<JobFollower>
{
    public void Configure(EntityTypeBuilder<JobFollower> builder)
    {
        builder.ToTable("job_followers");
        builder.HasKey(f => f.Id);
        builder.Property(f => f.Id).UseIdentityAlwaysColumn();
        builder.Property(f => f.Email).HasMaxLength(200);
        builder.Property(f => f.Culture).HasMaxLength(20);
        builder.HasOne<Job>().WithMany().HasForeignKey(f => f.JobId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(f => new { f.JobId, f.Email }).IsUnique().HasFilter("email IS NOT NULL");
        builder.HasIndex(f => f.JobId).IsUnique().HasFilter("is_applicant").HasDatabaseName("ix_job_followers_applicant");
    }
}
