using Storekeep.Attribution;
using Storekeep.Orders;

namespace Storekeep.Demo;

internal sealed partial class DemoStoreBuilder
{
    /// <summary>Non-converting visits drawn per visit of a journey that ends in an order, before each channel's own factor.</summary>
    private const double BounceVisitsPerJourneyVisit = 2.5;

    /// <summary>
    /// Non-converting visits are made for the last days only: the acquisition page opens on the
    /// last 30, and a year of them would add tens of thousands of rows to every demo start.
    /// </summary>
    private const int BounceVisitDays = 60;

    private const string GoogleAds = "google-ads";
    private const string BingAds = "bing-ads";
    private const string FacebookAds = "facebook-ads";
    private const string Affiliate = "affiliate";
    private const string Newsletter = "newsletter";
    private const string GoogleOrganic = "google-organic";
    private const string BingOrganic = "bing-organic";
    private const string DuckDuckGo = "duckduckgo";
    private const string Pinterest = "pinterest";
    private const string Blog = "blog";
    private const string Direct = "direct";

    /// <summary>
    /// The storefront's channels as a visit would carry them: UTM tags on the landing URL and the
    /// referring page (both, for ads), read by <see cref="Touches.Classify"/> as checkout would.
    /// <c>Bounce</c> scales the visits that buy nothing (social ads bring many browsers, few buyers);
    /// <c>Roas</c> is what the merchant's paid channels return by last touch, which sizes their spend.
    /// </summary>
    private static readonly Dictionary<string, (string? UtmSource, string? UtmMedium, string[] Campaigns, string? Referrer, double Bounce, double? Roas)> AttributionChannels = new()
    {
        [GoogleAds] = ("google", "cpc", ["search-brand", "search-generic", "shopping-all-products"], "https://www.google.com/", 1.0, 4.4),
        [BingAds] = ("bing", "cpc", ["search-generic"], "https://www.bing.com/", 1.0, 3.3),
        [FacebookAds] = ("facebook", "paid_social", ["prospecting-home", "retargeting-viewed"], "https://l.facebook.com/", 3.2, 1.7),
        [Affiliate] = ("awin", "affiliate", ["home-and-garden-publishers"], "https://www.awin1.com/", 1.2, 5.4),
        [Newsletter] = ("newsletter", "email", ["weekly-picks"], null, 0.8, null),
        [GoogleOrganic] = (null, null, [], "https://www.google.com/", 1.2, null),
        [BingOrganic] = (null, null, [], "https://www.bing.com/", 1.2, null),
        [DuckDuckGo] = (null, null, [], "https://duckduckgo.com/", 1.2, null),
        [Pinterest] = (null, null, [], "https://www.pinterest.com/pin/harbor-and-pine-linen/", 2.0, null),
        [Blog] = (null, null, [], "https://www.apartmenttherapy.com/best-linen-bedding", 1.5, null),
        [Direct] = (null, null, [], null, 0.6, null),
    };

    /// <summary>Where a new customer first found the store.</summary>
    private static readonly (string Channel, double Weight)[] AcquiringMix =
    [
        (GoogleAds, 22), (FacebookAds, 17), (GoogleOrganic, 20), (BingOrganic, 2), (DuckDuckGo, 1), (Direct, 10),
        (Affiliate, 8), (Pinterest, 6), (Blog, 2), (Newsletter, 6), (BingAds, 6),
    ];

    /// <summary>How a returning customer comes back: mostly by themselves or the newsletter, seldom through an ad.</summary>
    private static readonly (string Channel, double Weight)[] ReturningMix =
    [
        (Direct, 38), (Newsletter, 30), (GoogleOrganic, 16), (GoogleAds, 3), (FacebookAds, 1.5), (Affiliate, 1), (Pinterest, 3), (BingOrganic, 2), (BingAds, 1),
    ];

    /// <summary>A later visit of a journey, the one that often ends in the order (ads here are mostly searches for the brand).</summary>
    private static readonly (string Channel, double Weight)[] ClosingMix =
    [
        (Direct, 44), (GoogleAds, 6), (GoogleOrganic, 24), (Newsletter, 20), (FacebookAds, 1), (Affiliate, 1), (BingOrganic, 2), (BingAds, 1),
    ];

    /// <summary>
    /// Visits and acquisition for the year on Storekeep, and what the paid channels cost, so the
    /// acquisition page shows channels, CAC and ROAS on first start. Every storefront order (not the
    /// API integration's, not the imported history, not those the experiment already gave a visitor)
    /// gets a journey of one to three visits from a channel mix that depends on whether it is the
    /// email's first order; a registered customer mostly keeps one browser, so an earlier journey may
    /// be the first touch of a later order. First and last touch are then read from the visits as
    /// <see cref="Touches.RecordOrderAsync"/> reads them. Visits that bought nothing are added per
    /// channel over the last <see cref="BounceVisitDays"/> days. Each paid channel's spend is entered
    /// daily, its month's budget being the revenue it returned by last touch over a ROAS that wanders
    /// a little month to month. Drawn from its own random source, so the rest of the demo store is
    /// unchanged by it.
    /// </summary>
    private void BuildAttribution()
    {
        var rng = new Random(_attributionSeed);
        var counted = _data.Orders.Where(o => o.Status != OrderStatus.Cancelled).ToList();
        var firstOrderOfEmail = counted.GroupBy(o => o.Email, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Min(o => o.Number), StringComparer.Ordinal);
        var attributed = _data.OrderAcquisitions.Select(a => a.OrderId).ToHashSet();
        var orders = _data.Orders
            .Where(o => o.Source == OrderSources.Checkout && o.Channel == OrderChannels.OnlineStore && !attributed.Contains(o.Id))
            .OrderBy(o => o.Number).ToList();

        // Journeys: each order's visits, kept per browser.
        var browserOf = new Dictionary<Guid, string>();
        var visits = new Dictionary<string, List<VisitorTouch>>(StringComparer.Ordinal);
        var orderBrowser = new List<(Order Order, string Visitor)>(orders.Count);
        var journeyVisits = new List<(string Channel, DateTime At)>();
        foreach (var order in orders)
        {
            // A customer keeps their browser, except on a new device or after clearing cookies.
            string visitor;
            if (order.CustomerId is { } customerId && rng.NextDouble() < 0.8)
            {
                if (!browserOf.TryGetValue(customerId, out visitor!))
                {
                    visitor = browserOf[customerId] = VisitorHex(rng);
                }
            }
            else
            {
                visitor = VisitorHex(rng);
            }

            var isNew = firstOrderOfEmail.TryGetValue(order.Email, out var firstNumber) && firstNumber == order.Number;
            var at = order.CreatedAt;
            var startChannel = Weighted(rng, isNew ? AcquiringMix : ReturningMix);
            var sameDay = rng.NextDouble() < (isNew ? 0.4 : 0.55);
            var daysBefore = sameDay ? 0 : 1 + (int)Math.Min(isNew ? 27 : 13, -Math.Log(1 - rng.NextDouble()) * (isNew ? 6 : 3));
            var journey = new List<(string Channel, DateTime At)>();
            if (daysBefore == 0)
            {
                journey.Add((startChannel, at.AddMinutes(-rng.Next(3, 120))));
            }
            else
            {
                journey.Add((startChannel, at.AddDays(-daysBefore).AddMinutes(-rng.Next(0, 12 * 60))));
                if (rng.NextDouble() < 0.25)
                {
                    journey.Add((Weighted(rng, ClosingMix), at.AddDays(-rng.NextDouble() * daysBefore).AddMinutes(-150)));
                }

                journey.Add((rng.NextDouble() < (isNew ? 0.65 : 0.5) ? startChannel : Weighted(rng, ClosingMix), at.AddMinutes(-rng.Next(2, 90))));
            }

            var mine = visits.TryGetValue(visitor, out var list) ? list : visits[visitor] = [];
            foreach (var (channel, when) in journey)
            {
                mine.Add(new VisitorTouch { VisitorId = visitor, SessionId = VisitorHex(rng), Touch = ChannelTouch(rng, channel, when) });
                journeyVisits.Add((channel, when));
            }

            orderBrowser.Add((order, visitor));
        }

        // First and last touch as checkout records them: the browser's earliest visit within the window, its latest, before the order.
        foreach (var (order, visitor) in orderBrowser)
        {
            var seen = visits[visitor].Where(v => v.Touch.At <= order.CreatedAt && v.Touch.At >= order.CreatedAt - Touches.Window).ToList();
            var first = seen.MinBy(v => v.Touch.At)!.Touch;
            var last = seen.MaxBy(v => v.Touch.At)!.Touch;
            _data.OrderAcquisitions.Add(new OrderAcquisition { OrderId = order.Id, VisitorId = visitor, FirstTouch = first, LastTouch = last });
        }

        _data.VisitorTouches.AddRange(visits.Values.SelectMany(v => v).OrderBy(v => v.Touch.At));

        // Visits that bought nothing, around the journeys' visits, each its own browser and session.
        var bounces = new List<VisitorTouch>();
        var bouncesFrom = _end.AddDays(-BounceVisitDays);
        foreach (var (channel, at) in journeyVisits.Where(v => v.At >= bouncesFrom.AddDays(-3)))
        {
            var count = PoissonOf(rng, BounceVisitsPerJourneyVisit * AttributionChannels[channel].Bounce);
            for (var i = 0; i < count; i++)
            {
                var when = at.AddMinutes(rng.Next(-3 * 24 * 60, 3 * 24 * 60));
                if (when >= bouncesFrom && when < _end)
                {
                    bounces.Add(new VisitorTouch { VisitorId = VisitorHex(rng), SessionId = VisitorHex(rng), Touch = ChannelTouch(rng, channel, when) });
                }
            }
        }

        _data.VisitorTouches.AddRange(bounces.OrderBy(v => v.Touch.At));
        BuildMarketingSpend(rng);
    }

    /// <summary>Daily spend per paid channel over the year on Storekeep; each month's budget is its last-touch revenue over a ROAS near the channel's.</summary>
    private void BuildMarketingSpend(Random rng)
    {
        var channelOf = AttributionChannels.Where(c => c.Value.Roas is not null)
            .ToDictionary(c => (c.Value.UtmSource!, c.Value.UtmMedium!), c => c.Key);
        var cancelled = _data.Orders.Where(o => o.Status == OrderStatus.Cancelled).Select(o => o.Id).ToHashSet();
        var ordersById = _data.Orders.ToDictionary(o => o.Id);
        var revenue = new Dictionary<(string Channel, int Year, int Month), decimal>();
        foreach (var acquisition in _data.OrderAcquisitions.Where(a => !cancelled.Contains(a.OrderId)))
        {
            if (channelOf.TryGetValue((acquisition.LastTouch.Source, acquisition.LastTouch.Medium), out var channel))
            {
                var order = ordersById[acquisition.OrderId];
                var key = (channel, order.CreatedAt.Year, order.CreatedAt.Month);
                revenue[key] = revenue.GetValueOrDefault(key) + order.Total;
            }
        }

        var months = Enumerable.Range(0, HistoryDays).Select(d => _start.AddDays(d)).GroupBy(d => (d.Year, d.Month)).ToList();
        foreach (var channel in channelOf.Values.Order(StringComparer.Ordinal))
        {
            var (source, medium, campaigns, _, _, roas) = AttributionChannels[channel];
            var typical = revenue.Where(r => r.Key.Channel == channel).Select(r => r.Value).DefaultIfEmpty(1000m).Average();
            foreach (var month in months)
            {
                var earned = revenue.GetValueOrDefault((channel, month.Key.Year, month.Key.Month));
                var days = month.ToList();
                var monthRoas = roas!.Value * (0.88 + (0.24 * rng.NextDouble()));
                var budget = (earned > 0 ? earned : typical * days.Count / 30m) / (decimal)monthRoas;
                var weights = days.Select(d => WeekdayFactor[(int)d.DayOfWeek] * (0.85 + (0.3 * rng.NextDouble()))).ToList();
                var total = weights.Sum();
                for (var i = 0; i < days.Count; i++)
                {
                    var amount = decimal.Round(budget * (decimal)(weights[i] / total), 2, MidpointRounding.AwayFromZero);
                    var campaign = channel == FacebookAds && days[i].Month is 11 or 12 ? "holiday-gifts" : campaigns[rng.Next(campaigns.Length)];
                    _data.MarketingSpend.Add(new MarketingSpend
                    {
                        Date = DateOnly.FromDateTime(days[i]),
                        Source = source!,
                        Medium = medium,
                        Campaign = campaign,
                        Amount = amount,
                        CreatedAt = days[i].AddDays(1).AddHours(7), // entered the next morning
                    });
                }
            }
        }
    }

    private Touch ChannelTouch(Random rng, string channel, DateTime at)
    {
        var (source, medium, campaigns, referrer, _, _) = AttributionChannels[channel];
        var campaign = campaigns.Length == 0 ? null : campaigns[rng.Next(campaigns.Length)];
        return Touches.Classify(source, medium, campaign, referrer, ownHost: null, at);
    }

    private static string Weighted(Random rng, (string Channel, double Weight)[] mix)
    {
        var roll = rng.NextDouble() * mix.Sum(m => m.Weight);
        foreach (var (channel, weight) in mix)
        {
            roll -= weight;
            if (roll < 0)
            {
                return channel;
            }
        }

        return mix[^1].Channel;
    }

    private static string VisitorHex(Random rng)
    {
        var bytes = new byte[16];
        rng.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}
