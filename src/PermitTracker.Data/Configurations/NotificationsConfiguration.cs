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
        // What the webhook fan-out takes: changes not yet written out as deliveries.
        builder.HasIndex(c => c.Id).HasFilter("webhooks_at IS NULL").HasDatabaseName("ix_outbox_changes_webhooks_pending");
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
        builder.Property(m => m.Language).HasMaxLength(20).HasDefaultValue("en");
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

internal sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> builder)
    {
        builder.ToTable("webhook_endpoints");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).UseIdentityAlwaysColumn();
        builder.Property(e => e.AgencyCode).HasMaxLength(20);
        builder.Property(e => e.Url).HasMaxLength(2000);
        builder.Property(e => e.ProtectedSecret).HasMaxLength(1000);
        builder.HasOne<Agency>().WithMany().HasForeignKey(e => e.AgencyCode).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.ToTable("webhook_deliveries");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Id).UseIdentityAlwaysColumn();
        builder.Property(d => d.EventId).HasMaxLength(200);
        builder.HasIndex(d => d.EventId).IsUnique();
        builder.Property(d => d.EventType).HasMaxLength(100);
        builder.Property(d => d.State).HasConversion<string>().HasMaxLength(20);
        builder.Property(d => d.LastError).HasMaxLength(1000);
        builder.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(d => d.EndpointId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Job>().WithMany().HasForeignKey(d => d.JobId).OnDelete(DeleteBehavior.Cascade);
        // What the dispatcher claims, and an endpoint's delivery log (newest first).
        builder.HasIndex(d => d.NextAttemptAt).HasFilter("state = 'Pending'");
        builder.HasIndex(d => new { d.EndpointId, d.Id });
    }
}

internal sealed class StepOverdueNoticeConfiguration : IEntityTypeConfiguration<StepOverdueNotice>
{
    public void Configure(EntityTypeBuilder<StepOverdueNotice> builder)
    {
        builder.ToTable("step_overdue_notices");
        builder.HasKey(n => n.StepId);
        builder.Property(n => n.StepId).ValueGeneratedNever();
        builder.HasOne<Step>().WithMany().HasForeignKey(n => n.StepId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Job>().WithMany().HasForeignKey(n => n.JobId).OnDelete(DeleteBehavior.Cascade);
    }
}
