namespace Storekeep.AbandonedCarts;

/// <summary>Abandoned carts are marketing: the marketing permissions (granted by the Attribution module) cover them.</summary>
public static class AbandonedCartPermissions
{
    public const string Read = "marketing.read";
    public const string Write = "marketing.write";
}

public sealed record AbandonedCartStepRequest(int? DelayMinutes, string? Subject, string? Body, Guid? DiscountId);

/// <summary><c>PUT /marketing/abandoned-carts</c>: the whole sequence, replacing the one before.</summary>
public sealed record AbandonedCartSettingsRequest(bool? Enabled, IReadOnlyList<AbandonedCartStepRequest?>? Steps);

public sealed record AbandonedCartStepView(int DelayMinutes, string Subject, string Body, Guid? DiscountId);

public sealed record AbandonedCartSettingsView(bool Enabled, IReadOnlyList<AbandonedCartStepView> Steps, DateTime? UpdatedAt);

/// <summary>
/// <c>GET /marketing/abandoned-carts/report</c> (docs/marketing.md, "Abandoned carts"): carts that
/// became abandoned in the period, carts emailed in it, and carts recovered (ordered after their first
/// reminder) in it with those orders' totals.
/// </summary>
public sealed record AbandonedCartReportView(DateOnly From, DateOnly To, string Currency, int Abandoned, int Emailed, int Recovered, decimal RecoveredRevenue)
{
    /// <summary>The same four figures per day of the period, for the back office's chart.</summary>
    public IReadOnlyList<AbandonedCartDayView> Days { get; init; } = [];
}

public sealed record AbandonedCartDayView(DateOnly Date, int Abandoned, int Emailed, int Recovered, decimal RecoveredRevenue);
