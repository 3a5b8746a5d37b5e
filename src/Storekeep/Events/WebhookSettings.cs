using Microsoft.Extensions.Configuration;

namespace Storekeep.Events;

/// <summary>How the dispatcher polls and retries; read once from configuration.</summary>
public sealed class WebhookSettings
{
    public WebhookSettings(IConfiguration configuration)
    {
        PollInterval = TimeSpan.FromMilliseconds(Math.Max(10, configuration.GetValue("Events:PollMilliseconds", 500)));
        DispatcherEnabled = configuration.GetValue("Events:Dispatcher", true);
        RetryBase = TimeSpan.FromMilliseconds(Math.Max(1, configuration.GetValue("Webhooks:RetryBaseMilliseconds", 5_000)));
        RetryMax = TimeSpan.FromMilliseconds(Math.Max(1, configuration.GetValue("Webhooks:RetryMaxMilliseconds", 3_600_000)));
        MaxAttempts = Math.Max(1, configuration.GetValue("Webhooks:MaxAttempts", 25));
        Timeout = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Webhooks:TimeoutSeconds", 10)));
        Concurrency = Math.Max(1, configuration.GetValue("Webhooks:Concurrency", 4));
        AllowPrivateNetworks = configuration.GetValue("Webhooks:AllowPrivateNetworks", false);
        LeaseGrace = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Webhooks:LeaseGraceSeconds", 50)));
    }

    public TimeSpan PollInterval { get; }
    public bool DispatcherEnabled { get; }
    public TimeSpan RetryBase { get; }
    public TimeSpan RetryMax { get; }
    public int MaxAttempts { get; }
    public TimeSpan Timeout { get; }
    public int Concurrency { get; }

    /// <summary>Lets webhooks reach loopback and private addresses: tests, or a receiver inside the owner's own network.</summary>
    public bool AllowPrivateNetworks { get; }

    /// <summary>Beyond the HTTP timeout, how long a claimed delivery stays another node's.</summary>
    public TimeSpan LeaseGrace { get; }

    /// <summary>Long enough to outlast one HTTP attempt; a node that dies mid-send frees it by expiry.</summary>
    public TimeSpan Lease => Timeout + LeaseGrace;

    public int BatchSize => Concurrency * 16;

    /// <summary>Exponential backoff, capped, with ±20% jitter so failing deliveries do not retry in lockstep.</summary>
    public TimeSpan RetryDelay(int attempts) => Shared.Retries.Backoff(attempts, RetryBase, RetryMax);
}
