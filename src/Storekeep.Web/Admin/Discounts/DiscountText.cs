using System.Globalization;
using Storekeep.Promotions;

namespace Storekeep.Web.Admin.Discounts;

/// <summary>How the back office words a discount: its value, and its status as it stands now (expired, scheduled, used up).</summary>
public static class DiscountText
{
    public static string Money(decimal amount, string currency) => amount.ToString("0.00", CultureInfo.InvariantCulture) + " " + currency;

    public static string Value(DiscountView d, string currency) => d.Type switch
    {
        "percentage" => $"{d.Value?.ToString("0.##", CultureInfo.InvariantCulture)} %",
        "fixed_amount" => Money(d.Value ?? 0m, currency),
        "free_shipping" => "free shipping",
        _ => d.Buy is { } buy && d.Get is { } get
            ? $"buy {buy.Quantity} get {get.Quantity} " + (get.PercentOff is null or 100m ? "free" : $"{get.PercentOff?.ToString("0.##", CultureInfo.InvariantCulture)} % off")
            : "buy X get Y",
    };

    /// <summary>The stored status, or for an active discount what it is now: expired, scheduled, used up or active.</summary>
    public static string Status(DiscountView d, DateTime now) =>
        d.Status != "active" ? d.Status
        : d.EndsAt <= now ? "expired"
        : d.StartsAt > now ? "scheduled"
        : d.UsageLimit is { } limit && d.UsageCount >= limit ? "used up"
        : "active";
}
