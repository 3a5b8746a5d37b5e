using Microsoft.Extensions.Configuration;

namespace Storekeep.Campaigns;

/// <summary>
/// How fast campaigns leave (<c>Campaigns:RatePerSecond</c>, over all nodes together), how many
/// recipients one dispatch round takes at most, how often the dispatcher looks for work, and
/// whether this node runs it (see docs/marketing.md).
/// </summary>
public sealed class CampaignSettings(IConfiguration configuration)
{
    public double RatePerSecond { get; } = Math.Clamp(configuration.GetValue("Campaigns:RatePerSecond", 20.0), 0.1, 100_000);
    public int BatchSize { get; } = Math.Clamp(configuration.GetValue("Campaigns:BatchSize", 500), 1, 10_000);
    public TimeSpan PollInterval { get; } = TimeSpan.FromMilliseconds(Math.Max(10, configuration.GetValue("Campaigns:PollMilliseconds", 1000)));
    public bool DispatcherEnabled { get; } = configuration.GetValue("Campaigns:Dispatcher", true);

    /// <summary>Orders this long after a recipient's first click count for the campaign.</summary>
    public static readonly TimeSpan AttributionWindow = TimeSpan.FromDays(7);
}
