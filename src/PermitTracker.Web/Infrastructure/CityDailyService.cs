namespace PermitTracker.Web.Infrastructure;

/// <summary>
/// A background job done once each city day: at start-up, then a second past every city midnight (the new day has begun
/// on every clock); when it fails (the database starting or away) it is tried again after <see cref="RetryAfter"/>.
/// The performance dashboard's warmer and the expectation recorder are its two jobs.
/// </summary>
public abstract class CityDailyService(TimeProvider clock, ILogger log) : BackgroundService
{
    protected TimeProvider Clock => clock;

    /// <summary>Off in the tests, which do the day's work on a clock of their own.</summary>
    protected abstract bool Enabled { get; }

    protected abstract TimeSpan RetryAfter { get; }

    /// <summary>The day's work; answers the time until the city's next midnight.</summary>
    protected abstract Task<TimeSpan> RunAsync(CancellationToken cancellationToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = RetryAfter;
            try
            {
                var untilMidnight = await RunAsync(stoppingToken) + TimeSpan.FromSeconds(1);
                wait = untilMidnight < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : untilMidnight;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A day half done goes on where it stopped: each job's work is idempotent for its day.
                log.LogWarning(e, "{Job} failed; trying again in {Retry}", GetType().Name, RetryAfter);
            }
            try
            {
                await Task.Delay(wait, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
