namespace PermitTracker.Web.Features.Notifications;

public static class NotificationsSetup
{
    /// <summary>The outbox, its dispatcher (a hosted service on every instance) and the follow pages' services.</summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<NotificationOptions>(configuration.GetSection(NotificationOptions.Section));
        services.Configure<SmtpOptions>(configuration.GetSection(SmtpOptions.Section));
        services.AddSingleton<NotificationTokens>();
        services.AddSingleton<NotificationLinks>();
        services.AddSingleton<MailTransport>();
        services.AddScoped<ChangeComposer>();
        services.AddScoped<WebhookEvents>();
        services.AddSingleton<WebhookAddresses>();
        services.AddSingleton<WebhookSender>();
        // Redirects off: a 3xx to an inward address would be followed past the registration check (the connect check would still refuse it).
        services.AddHttpClient(WebhookSender.ClientName, (sp, client) =>
                client.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<NotificationOptions>>().Value.Webhooks.TimeoutSeconds))
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseProxy = false,
                ConnectCallback = sp.GetRequiredService<WebhookAddresses>().ConnectAsync,
            });
        services.AddScoped<FollowJob>();
        services.AddScoped<JobStatusLookup>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        services.AddSingleton<OverdueWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<OverdueWatch>());
        services.Configure<DigestOptions>(configuration.GetSection(DigestOptions.Section));
        services.AddSingleton<StaffDigest>();
        services.AddHostedService(sp => sp.GetRequiredService<StaffDigest>());
        return services;
    }
}
