using System.Net;
using Microsoft.Extensions.Configuration;

namespace Storekeep.Checkout;

/// <summary>
/// How long an order paid by a manual method may hold stock unpaid, and how many such orders one
/// client may have open at once; read once from configuration.
/// </summary>
public sealed class UnpaidOrderPolicy
{
    public UnpaidOrderPolicy(IConfiguration configuration)
    {
        Hold = TimeSpan.FromMinutes(Math.Max(0, configuration.GetValue("Checkout:UnpaidOrderHoldMinutes", 4320)));
        SweepInterval = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Checkout:UnpaidOrderSweepSeconds", 60)));
        MaxOpenPerClient = Math.Max(0, configuration.GetValue("Checkout:MaxOpenUnpaidOrdersPerClient", 3));
    }

    /// <summary>An unpaid manual order placed longer ago than this is cancelled (<c>payment_timeout</c>).</summary>
    public TimeSpan Hold { get; }

    /// <summary>How often each node looks for unpaid orders past <see cref="Hold"/>.</summary>
    public TimeSpan SweepInterval { get; }

    /// <summary>Open unpaid manual orders allowed per client address and per email.</summary>
    public int MaxOpenPerClient { get; }
}

/// <summary>
/// Where a checkout comes from. <see cref="ClientAddress"/> is the client's IP address as the server
/// sees it (<see cref="UnknownAddress"/> when the connection has none, as in-process test clients);
/// a staff integration with an API key is <see cref="Trusted"/> and not held to the per-client limit.
/// </summary>
public sealed record CheckoutOrigin(string ClientAddress, bool Trusted)
{
    /// <summary>The storefront account signed in while ordering, recorded on the order so the account sees it before its email is verified.</summary>
    public Guid? AccountId { get; init; }

    /// <summary>The storefront visitor (first-party cookie) whose touches the order records as its acquisition; none for API callers without the cookie.</summary>
    public string? VisitorId { get; init; }

    /// <summary>The order's channel: a staff integration's API key places "api" orders, shoppers (storefront or headless) "online_store".</summary>
    public string Channel => Trusted ? Storekeep.Orders.OrderChannels.Api : Storekeep.Orders.OrderChannels.OnlineStore;

    public const string UnknownAddress = "unknown";

    public static CheckoutOrigin From(IPAddress? address, bool trusted) =>
        new(address is null ? UnknownAddress : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString(), trusted);
}
