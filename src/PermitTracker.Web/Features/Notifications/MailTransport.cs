using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using PermitTracker.Data.Notifications;

namespace PermitTracker.Web.Features.Notifications;

/// <summary>
/// Where a message goes: the SMTP server of Smtp:Host (MailKit), or without one a pickup folder of .eml files, named by
/// Message-ID, so a resend after a crash overwrites its own copy (ADR-027).
/// </summary>
public sealed class MailTransport(IOptions<SmtpOptions> smtp, IOptions<NotificationOptions> options, IHostEnvironment environment)
{
    public bool UsesSmtp => !string.IsNullOrWhiteSpace(smtp.Value.Host);

    public string PickupFolder => Path.GetFullPath(options.Value.PickupFolder, environment.ContentRootPath);

    /// <summary>Sends each message; the callback hears each outcome (null: sent; else the reason, without the address).</summary>
    public async Task SendAsync(IReadOnlyList<OutboxMessage> messages, Func<OutboxMessage, string?, Task> sent, CancellationToken cancellationToken)
    {
        if (messages.Count == 0) return;
        if (!UsesSmtp)
        {
            Directory.CreateDirectory(PickupFolder);
            foreach (var message in messages)
            {
                var path = Path.Combine(PickupFolder, FileName(message.MessageId));
                var partial = path + ".partial";
                await Mime(message).WriteToAsync(partial, cancellationToken);
                File.Move(partial, path, overwrite: true);
                await sent(message, null);
            }
            return;
        }

        using var client = new SmtpClient();
        try
        {
            var s = smtp.Value;
            await client.ConnectAsync(s.Host!, s.Port, Enum.Parse<SecureSocketOptions>(s.Security, ignoreCase: true), cancellationToken);
            if (!string.IsNullOrEmpty(s.UserName)) await client.AuthenticateAsync(s.UserName, s.Password ?? "", cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            foreach (var message in messages) await sent(message, $"Could not reach the SMTP server: {ex.GetType().Name}: {ex.Message}");
            return;
        }
        foreach (var message in messages)
        {
            string? failure = null;
            try
            {
                await client.SendAsync(Mime(message), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A server's refusal may quote the address: the reason keeps the server's words without it.
                failure = $"{ex.GetType().Name}: {ex.Message}".Replace(message.Recipient, "[recipient]", StringComparison.OrdinalIgnoreCase);
                if (!client.IsConnected) break;
            }
            await sent(message, failure);
        }
        if (client.IsConnected) await client.DisconnectAsync(quit: true, cancellationToken);
    }

    /// <summary>The message as it goes out, the same on every attempt: its Message-ID and Date are the stored ones.</summary>
    public MimeMessage Mime(OutboxMessage message)
    {
        var mime = new MimeMessage { Subject = message.Subject, MessageId = message.MessageId, Date = message.CreatedAt };
        mime.From.Add(MailboxAddress.Parse(options.Value.From));
        mime.To.Add(MailboxAddress.Parse(message.Recipient));
        mime.Headers.Add("Auto-Submitted", "auto-generated");
        if (message.UnsubscribeUrl is { } unsubscribe)
        {
            // RFC 8058: a mail client's one-click "unsubscribe" POSTs List-Unsubscribe=One-Click to this address.
            mime.Headers.Add("List-Unsubscribe", $"<{unsubscribe}>");
            mime.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }
        mime.Body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody }.ToMessageBody();
        // A Content-* header belongs to the top-level entity (MimeKit keeps it there), printed in the message's header block.
        mime.Body.Headers.Add(HeaderId.ContentLanguage, message.Language);
        return mime;
    }

    private static string FileName(string messageId) =>
        new string([.. messageId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_')]) + ".eml";
}
