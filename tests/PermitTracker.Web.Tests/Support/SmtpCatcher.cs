using System.Globalization;
using System.Text;
using MimeKit;
using netDumbster.smtp;

namespace PermitTracker.Web.Tests.Support;

/// <summary>A real SMTP server in the test process (netDumbster) on a free port; what it received, parsed by MimeKit.</summary>
public sealed class SmtpCatcher : IDisposable
{
    private readonly SimpleSmtpServer _server = Configuration.Configure().WithRandomPort().Build();

    public int Port => _server.Configuration.Port;

    /// <summary>The settings that send the portal's mail here, with its own dispatcher off: the test runs the rounds.</summary>
    public Dictionary<string, string?> Settings(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = Port.ToString(CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
            ["Notifications:DispatcherEnabled"] = "false",
            ["Portal:PublicBaseUrl"] = "https://permits.example.gov",
        };
        foreach (var (key, value) in more) settings[key] = value;
        return settings;
    }

    public IReadOnlyList<MimeMessage> Received =>
        [.. _server.ReceivedEmail.Select(m => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(m.Data))))];

    public IReadOnlyList<MimeMessage> To(string address) =>
        [.. Received.Where(m => m.To.Mailboxes.Any(b => string.Equals(b.Address, address, StringComparison.OrdinalIgnoreCase)))];

    public void Dispose() => _server.Dispose();
}
