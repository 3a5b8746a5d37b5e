using System.Globalization;
using MudBlazor;
using Storekeep.Orders;

namespace Storekeep.Web.Admin.Orders;

/// <summary>How statuses and money read on the order screens.</summary>
public static class OrderLabels
{
    public static readonly (OrderTab Tab, string Label)[] Tabs =
    [
        (OrderTab.All, "All"),
        (OrderTab.Unpaid, "Unpaid"),
        (OrderTab.ToShip, "To ship"),
        (OrderTab.PartiallyShipped, "Partially shipped"),
        (OrderTab.Shipped, "Shipped"),
        (OrderTab.Delivered, "Delivered"),
        (OrderTab.Cancelled, "Cancelled"),
        (OrderTab.ReturnsRequested, "Returns requested"),
    ];

    /// <summary>snake_case as in the API (to_ship), for the <c>?tab=</c> query string.</summary>
    public static string Key(OrderTab tab) => Snake(tab.ToString());

    public static OrderTab ParseTab(string? key) =>
        Tabs.Select(t => t.Tab).FirstOrDefault(t => Key(t) == key);

    public static string Text<TEnum>(TEnum value)
        where TEnum : struct, Enum
    {
        var words = Snake(value.ToString()).Replace('_', ' ');
        return char.ToUpperInvariant(words[0]) + words[1..];
    }

    public static Color Color(PaymentStatus status) => status switch
    {
        PaymentStatus.Paid => MudBlazor.Color.Success,
        PaymentStatus.Pending or PaymentStatus.Authorized => MudBlazor.Color.Warning,
        PaymentStatus.PartiallyRefunded or PaymentStatus.Refunded => MudBlazor.Color.Info,
        _ => MudBlazor.Color.Default,
    };

    public static Color Color(FulfillmentStatus status) => status switch
    {
        FulfillmentStatus.Unfulfilled => MudBlazor.Color.Warning,
        FulfillmentStatus.PartiallyShipped => MudBlazor.Color.Info,
        FulfillmentStatus.Shipped => MudBlazor.Color.Primary,
        FulfillmentStatus.Delivered => MudBlazor.Color.Success,
        _ => MudBlazor.Color.Default,
    };

    public static Color Color(OrderStatus status) => status switch
    {
        OrderStatus.Cancelled => MudBlazor.Color.Error,
        OrderStatus.Completed => MudBlazor.Color.Success,
        _ => MudBlazor.Color.Default,
    };

    private static string Snake(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));

    public static string Money(decimal amount, string currency) =>
        $"{amount.ToString("N2", CultureInfo.InvariantCulture)} {currency}";

    public static string When(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
