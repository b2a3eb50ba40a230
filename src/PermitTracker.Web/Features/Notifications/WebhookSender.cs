using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using PermitTracker.Data.Notifications;

namespace PermitTracker.Web.Features.Notifications;

/// <summary>
/// POSTs webhook deliveries, at least once each (ADR-032), the way <see cref="OutboxDispatcher"/> sends mail: due
/// deliveries claimed FOR UPDATE SKIP LOCKED with a lease (the attempt counted before the POST), then each marked sent
/// on a 2xx answer, or due again after the same exponential backoff, or parked after MaxAttempts, with the HTTP status
/// or the error kept for the endpoint's delivery log.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory clients, IOptions<NotificationOptions> options, ILogger<WebhookSender> log)
{
    public const string ClientName = "webhooks";
    public const string SignatureHeader = "X-PermitTracker-Signature";
    private const int DeliveriesPerRound = 50;

    /// <summary>"t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "{t}.{body}"&gt;": the timestamp is signed so a captured request cannot be replayed later.</summary>
    public static string Signature(string secret, long unixSeconds, string body)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{unixSeconds.ToString(CultureInfo.InvariantCulture)}.{body}"));
        return $"t={unixSeconds.ToString(CultureInfo.InvariantCulture)},v1={Convert.ToHexStringLower(mac)}";
    }

    public async Task<(int Sent, int Failed)> RunOnceAsync(IServiceProvider services, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<PermitsDbContext>();
        var o = options.Value;
        var at = now.ToUniversalTime();
        var until = (now + o.Lease).ToUniversalTime();
        var claimed = await db.WebhookDeliveries.FromSql($"""
            UPDATE webhook_deliveries SET claimed_until = {until}, attempts = attempts + 1
            WHERE id IN (SELECT id FROM webhook_deliveries
                         WHERE state = 'Pending' AND next_attempt_at <= {at} AND (claimed_until IS NULL OR claimed_until <= {at})
                         ORDER BY next_attempt_at, id LIMIT {DeliveriesPerRound} FOR UPDATE SKIP LOCKED)
            RETURNING *
            """).AsNoTracking().ToListAsync(cancellationToken);
        if (claimed.Count == 0) return (0, 0);
        long[] endpointIds = [.. claimed.Select(d => d.EndpointId).Distinct()];
        var endpoints = await db.WebhookEndpoints.AsNoTracking().Where(e => endpointIds.Contains(e.Id)).ToDictionaryAsync(e => e.Id, cancellationToken);
        var secrets = services.GetRequiredService<WebhookEvents>().Secrets;
        var client = clients.CreateClient(ClientName);
        var (sent, failed) = (0, 0);
        foreach (var delivery in claimed)
        {
            var endpoint = endpoints[delivery.EndpointId];
            var (status, error) = await PostAsync(client, endpoint.Url, secrets.Unprotect(endpoint.ProtectedSecret), delivery.Body, now, cancellationToken);
            if (error is null)
            {
                sent++;
                await db.WebhookDeliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(s => s
                    .SetProperty(d => d.State, OutboxMessageState.Sent).SetProperty(d => d.SentAt, at).SetProperty(d => d.LastStatusCode, status)
                    .SetProperty(d => d.LastError, (string?)null).SetProperty(d => d.ClaimedUntil, (DateTimeOffset?)null), cancellationToken);
                continue;
            }
            failed++;
            var parked = delivery.Attempts >= o.MaxAttempts;
            var next = (now + o.RetryDelay(delivery.Attempts)).ToUniversalTime();
            var reason = error.Length > 1000 ? error[..1000] : error;
            await db.WebhookDeliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(s => s
                .SetProperty(d => d.State, parked ? OutboxMessageState.Parked : OutboxMessageState.Pending).SetProperty(d => d.NextAttemptAt, next)
                .SetProperty(d => d.LastStatusCode, status).SetProperty(d => d.LastError, reason).SetProperty(d => d.ClaimedUntil, (DateTimeOffset?)null),
                cancellationToken);
            log.LogWarning("Webhook delivery {EventId} to endpoint {EndpointId} failed attempt {Attempt}{Parked}", delivery.EventId, endpoint.Id,
                delivery.Attempts, parked ? " and is parked" : "");
        }
        return (sent, failed);
    }

    /// <summary>One POST: the HTTP status, and the reason when it is not a success (null on 2xx).</summary>
    private static async Task<(int? Status, string? Error)> PostAsync(HttpClient client, string url, string secret, string body, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/cloudevents+json") { CharSet = "utf-8" }),
        };
        request.Headers.Add(SignatureHeader, Signature(secret, now.ToUnixTimeSeconds(), body));
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var code = (int)response.StatusCode;
            return response.IsSuccessStatusCode ? (code, null) : (code, $"The endpoint answered {code} {response.ReasonPhrase}.");
        }
        catch (HttpRequestException ex)
        {
            return (null, $"Could not reach the endpoint: {ex.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, "The endpoint did not answer in time.");
        }
    }
}
