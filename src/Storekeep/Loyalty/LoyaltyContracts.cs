using Storekeep.Events;

namespace Storekeep.Loyalty;

public static class LoyaltyPermissions
{
    /// <summary>See the loyalty program and customers' points.</summary>
    public const string Read = "loyalty.read";

    /// <summary>Change the loyalty program and adjust customers' points.</summary>
    public const string Write = "loyalty.write";
}

// Request properties are nullable so a missing field is a validation error, not a JSON error.

/// <param name="MinimumSpend12Months">Paid spend over the last 12 months from which the tier applies.</param>
/// <param name="Multiplier">Earning multiplier (1 to 10, two decimals).</param>
public sealed record LoyaltyTierDto(string? Name, decimal? MinimumSpend12Months, decimal? Multiplier);

public sealed record LoyaltyProgramRequest(
    bool? Enabled,
    int? PointsPerUnit,
    decimal? PointValue,
    int? MinimumRedeemPoints,
    int? ExpiryDays,
    IReadOnlyList<LoyaltyTierDto>? Tiers);

public sealed record LoyaltyTierView(string Name, decimal MinimumSpend12Months, decimal Multiplier);

public sealed record LoyaltyProgramView(
    bool Enabled,
    int PointsPerUnit,
    decimal PointValue,
    int MinimumRedeemPoints,
    int? ExpiryDays,
    IReadOnlyList<LoyaltyTierView> Tiers,
    DateTime? UpdatedAt);

public sealed record LoyaltyEntryView(Guid Id, string Type, long Points, Guid? OrderId, string? Reason, DateTime CreatedAt, DateTime? ExpiresAt);

/// <summary>A customer's points: <paramref name="Balance"/> is the sum of every entry; entries newest first, a page at a time.</summary>
public sealed record CustomerLoyaltyView(
    Guid CustomerId,
    long Balance,
    string? Tier,
    decimal Multiplier,
    decimal Spend12Months,
    IReadOnlyList<LoyaltyEntryView> Entries,
    string? NextCursor);

/// <param name="Points">Signed: positive adds points, negative takes them (never below a zero balance).</param>
public sealed record LoyaltyAdjustmentRequest(int? Points, string? Reason);

public sealed record LoyaltyRedemptionRequest(int? Points);

/// <summary>loyalty.points_changed: a ledger entry changed a customer's balance (raised with the change, in its transaction).</summary>
public sealed record LoyaltyPointsChanged(Guid CustomerId, Guid EntryId, string Type, long Points, long Balance, Guid? OrderId, string? Reason) : IEvent
{
    public static string EventType => EventTypes.LoyaltyPointsChanged;
}
