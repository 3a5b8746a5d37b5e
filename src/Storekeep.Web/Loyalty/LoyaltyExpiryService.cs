using Storekeep.Loyalty;
using Storekeep.Shared;

namespace Storekeep.Web.Loyalty;

/// <summary>How often the expiry sweep runs (<c>Loyalty:ExpirySweepSeconds</c>, default an hour).</summary>
public sealed record LoyaltyExpirySettings(TimeSpan Interval);

/// <summary>
/// Every <see cref="LoyaltyExpirySettings.Interval"/>, on every node: expires points past their date
/// (<see cref="LoyaltyLedger.ExpireAsync"/>; each customer's expiry locks the account first, so
/// parallel nodes expire nothing twice).
/// </summary>
public sealed class LoyaltyExpiryService(IServiceScopeFactory scopes, LoyaltyExpirySettings settings, TimeProvider clock, ILogger<LoyaltyExpiryService> logger)
    : PeriodicJob(scopes, clock, logger)
{
    protected override string JobName => "expiring loyalty points";

    protected override TimeSpan Interval => settings.Interval;

    protected override Task RunAsync(IServiceProvider services, DateTime now, CancellationToken ct) =>
        services.GetRequiredService<LoyaltyLedger>().ExpireAsync(now, ct);
}
