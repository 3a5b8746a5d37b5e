using MailKit.Security;
using Microsoft.Extensions.Configuration;

namespace Storekeep.Messaging;

/// <summary>SMTP and delivery settings, read once from configuration (see docs/messaging.md).</summary>
public sealed class EmailSettings
{
    public EmailSettings(IConfiguration configuration)
    {
        var smtp = configuration.GetSection("Email:Smtp");
        SmtpHost = string.IsNullOrWhiteSpace(smtp["Host"]) ? null : smtp["Host"]!.Trim();
        Security = ParseSecurity(smtp["Security"]);
        SmtpPort = smtp.GetValue<int?>("Port") ?? DefaultPort(Security);
        SmtpUsername = string.IsNullOrEmpty(smtp["Username"]) ? null : smtp["Username"];
        SmtpPassword = smtp["Password"];
        From = string.IsNullOrWhiteSpace(configuration["Email:From"]) ? "store@localhost" : configuration["Email:From"]!.Trim();
        PublicUrl = (configuration["Store:PublicUrl"] ?? "http://localhost:5000").Trim().TrimEnd('/');
        PollInterval = TimeSpan.FromMilliseconds(Math.Max(10, configuration.GetValue("Email:PollMilliseconds", 1000)));
        DelivererEnabled = configuration.GetValue("Email:Deliverer", true);
        RetryBase = TimeSpan.FromMilliseconds(Math.Max(1, configuration.GetValue("Email:RetryBaseMilliseconds", 30_000)));
        RetryMax = TimeSpan.FromMilliseconds(Math.Max(1, configuration.GetValue("Email:RetryMaxMilliseconds", 3_600_000)));
        MaxAttempts = Math.Max(1, configuration.GetValue("Email:MaxAttempts", 10));
        Timeout = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Email:TimeoutSeconds", 30)));
        Concurrency = Math.Max(1, configuration.GetValue("Email:Concurrency", 2));
    }

    /// <summary>Null when no SMTP server is configured: messages are then logged and kept.</summary>
    public string? SmtpHost { get; }

    public int SmtpPort { get; }
    public SecureSocketOptions Security { get; }
    public string? SmtpUsername { get; }
    public string? SmtpPassword { get; }
    public string From { get; }

    /// <summary>The storefront's public address, without a trailing slash; links in emails start with it.</summary>
    public string PublicUrl { get; }

    public TimeSpan PollInterval { get; }
    public bool DelivererEnabled { get; }
    public TimeSpan RetryBase { get; }
    public TimeSpan RetryMax { get; }
    public int MaxAttempts { get; }
    public TimeSpan Timeout { get; }
    public int Concurrency { get; }

    /// <summary>Outlasts one SMTP conversation (connect, send, quit), so a live sender is never overtaken.</summary>
    public TimeSpan Lease => (Timeout * 3) + TimeSpan.FromSeconds(30);

    public int BatchSize => Concurrency * 16;

    /// <summary>Exponential backoff, capped, with ±20% jitter so failing messages do not retry in lockstep.</summary>
    public TimeSpan RetryDelay(int attempts) => Shared.Retries.Backoff(attempts, RetryBase, RetryMax);

    private static SecureSocketOptions ParseSecurity(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "starttls" => SecureSocketOptions.StartTls,
        "none" => SecureSocketOptions.None,
        "ssl" => SecureSocketOptions.SslOnConnect,
        _ => throw new InvalidOperationException($"Email:Smtp:Security must be none, starttls or ssl; it is '{value}'."),
    };

    private static int DefaultPort(SecureSocketOptions security) => security switch
    {
        SecureSocketOptions.SslOnConnect => 465,
        SecureSocketOptions.None => 25,
        _ => 587,
    };
}
