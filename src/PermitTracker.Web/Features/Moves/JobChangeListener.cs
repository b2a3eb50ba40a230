using System.Threading.Channels;
using Microsoft.AspNetCore.OutputCaching;
using Npgsql;

namespace PermitTracker.Web.Features.Moves;

/// <summary>
/// Evicts this instance's cached status pages of the jobs other writers changed: the importers (another process)
/// and the other portal instances notify <see cref="JobChanges.Channel"/> on commit. LISTEN needs a connection of
/// its own that stays open, so this one is outside the pool. It never holds up startup, and a lost connection is
/// a warning and a reconnect with backoff: while it is down a cached page may be stale for up to the cache's
/// 30 seconds, as it was before there was a listener. Behind PgBouncer in transaction mode a session's LISTEN is lost
/// (the server connection goes back to the pool after each transaction): ConnectionStrings:Listen then names a direct
/// connection to the primary (docs/scaling.md).
/// </summary>
public sealed class JobChangeListener(IConfiguration configuration, IOutputCacheStore statusCache, ILogger<JobChangeListener> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(30);

    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<string> _payloads = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Completes when LISTEN first took effect: notifications committed after it reach this instance.</summary>
    public Task Listening => _listening.Task;

    /// <summary>Raised after the cached pages of one notification's jobs were evicted (their search keys), in the order of the commits.</summary>
    public event Action<IReadOnlyList<string>>? Evicted;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // the host's start goes on; the first connection is made in the background
        if ((configuration.GetConnectionString("Listen") ?? configuration.GetConnectionString("Permits")) is not { } connectionString) return;
        var evicting = EvictAsync(stoppingToken);
        try
        {
            await ListenAsync(connectionString, stoppingToken);
        }
        finally
        {
            _payloads.Writer.TryComplete();
            await evicting;
        }
    }

    private async Task ListenAsync(string connectionString, CancellationToken stoppingToken)
    {
        // Not pooled: LISTEN belongs to the session, and a pooled connection is reset (UNLISTEN *) when returned.
        var listening = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, KeepAlive = 30, ApplicationName = "permits-job-changes" }.ConnectionString;
        var retry = FirstRetry;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(listening);
                await connection.OpenAsync(stoppingToken);
                // The callback runs on the connection's read; eviction is handed to EvictAsync so a slow store never stalls it.
                connection.Notification += (_, e) => _payloads.Writer.TryWrite(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {JobChanges.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                _listening.TrySetResult();
                retry = FirstRetry;
                while (!stoppingToken.IsCancellationRequested) await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException or IOException)
            {
                logger.LogWarning(ex, "Listening for job changes failed; retrying in {Seconds} s. Until then a status page may be up to 30 s stale.", retry.TotalSeconds);
                try
                {
                    await Task.Delay(retry, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LastRetry.Ticks));
            }
        }
    }

    private async Task EvictAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var payload in _payloads.Reader.ReadAllAsync(stoppingToken))
            {
                var keys = JobChanges.KeysOf(payload).ToList();
                try
                {
                    foreach (var key in keys) await statusCache.EvictByTagAsync(JobStatusCachePolicy.TagFor(key), stoppingToken);
                    Evicted?.Invoke(keys);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "Evicting the status pages of {Count} changed jobs failed; they expire within 30 s.", keys.Count);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: pages cached now go with the process.
        }
    }
}
