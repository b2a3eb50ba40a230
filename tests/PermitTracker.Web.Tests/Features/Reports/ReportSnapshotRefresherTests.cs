using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PermitTracker.Web.Features.Reports;

namespace PermitTracker.Web.Tests.Features.Reports;

/// <summary>
/// The snapshot refresher ends cleanly however the host goes away, even after its first refresh failed (the database
/// down at start): stopped, or disposed without being stopped (what a host whose start failed does). A background
/// task that ends cancelled is reported by the host as a crashed service.
/// </summary>
public sealed class ReportSnapshotRefresherTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task After_a_failed_refresh_the_refresher_ends_cleanly_when_the_host_goes(bool stopped)
    {
        await using var services = new ServiceCollection()
            .AddScoped<ReportSnapshotStore>(_ => throw new InvalidOperationException("the database is not there"))
            .BuildServiceProvider();
        var log = new WarningLog();
        var refresher = new ReportSnapshotRefresher(services.GetRequiredService<IServiceScopeFactory>(),
            Options.Create(new ReportSnapshotOptions { RefreshMinutes = 10 }), log);

        await refresher.StartAsync(CancellationToken.None);
        // Waits for the first tick's failure (logged, not thrown); the bound only keeps a broken build from hanging.
        await log.Warned.Task.WaitAsync(TimeSpan.FromMinutes(2));
        if (stopped) await refresher.StopAsync(CancellationToken.None);
        else refresher.Dispose();

        var ended = refresher.ExecuteTask!;
        await ended.WaitAsync(TimeSpan.FromMinutes(2)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        Assert.True(ended.IsCompletedSuccessfully, $"the refresher ended {ended.Status}: {ended.Exception?.GetBaseException().Message}");
        if (stopped) refresher.Dispose();
    }

    private sealed class WarningLog : ILogger<ReportSnapshotRefresher>
    {
        public TaskCompletionSource Warned { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning) Warned.TrySetResult();
        }
    }
}
