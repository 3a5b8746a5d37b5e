using System.Text.Json;
using Storekeep.Loyalty;
using Storekeep.Orders;
using Storekeep.Shared;

namespace Storekeep.Demo;

internal sealed partial class DemoStoreBuilder
{
    private const int LoyaltyExpiryDays = 365;

    private static readonly LoyaltyTierView[] LoyaltyTiers =
    [
        new("Bronze", 0m, 1m),
        new("Silver", 500m, 1.25m),
        new("Gold", 1500m, 1.5m),
    ];

    /// <summary>
    /// A running loyalty program with three tiers, and a ledger as the rules would have written it
    /// over the last year: points earned on each paid order (with the tier the customer had then),
    /// some redeemed, and a few goodwill adjustments. Each account's balance is the sum of its entries.
    /// </summary>
    private void BuildLoyalty()
    {
        _data.LoyaltyPrograms.Add(new LoyaltyProgram
        {
            Enabled = true,
            PointsPerUnit = 1,
            PointValue = 0.01m,
            MinimumRedeemPoints = 500,
            ExpiryDays = LoyaltyExpiryDays,
            Tiers = JsonSerializer.Serialize(LoyaltyTiers, StorekeepJson.Options),
            UpdatedAt = _start,
        });

        var since = _end.AddDays(-LoyaltyExpiryDays);
        var paid = _data.Orders
            .Where(o => o.CustomerId is not null && o.CreatedAt >= since && o.Status != OrderStatus.Cancelled
                && (o.PaymentStatus == PaymentStatus.Paid || o.PaymentStatus == PaymentStatus.PartiallyRefunded))
            .OrderBy(o => o.CreatedAt).ThenBy(o => o.Number);
        var balances = new Dictionary<Guid, long>();
        var spend = new Dictionary<Guid, List<(DateTime At, decimal Total)>>();
        foreach (var order in paid)
        {
            var customer = order.CustomerId!.Value;
            var history = spend.TryGetValue(customer, out var h) ? h : spend[customer] = [];
            var spent = history.Where(x => x.At >= order.CreatedAt.AddDays(-365)).Sum(x => x.Total);
            var multiplier = LoyaltyTiers.Where(t => t.MinimumSpend12Months <= spent).MaxBy(t => t.MinimumSpend12Months)?.Multiplier ?? 1m;
            var merchandise = order.Subtotal - (order.DiscountTotal - order.ShippingDiscount);
            var points = (long)decimal.Floor(Math.Max(0m, merchandise) * multiplier);
            history.Add((order.CreatedAt, order.Total));
            if (points == 0)
            {
                continue;
            }

            var at = order.CreatedAt.AddMinutes(5);
            Entry(customer, LoyaltyEntryType.Earn, points, order.Id, $"earn:{order.Id}", null, at, at.AddDays(LoyaltyExpiryDays));

            // Now and then a customer spends what they have on their next order.
            if (balances[customer] >= 1500 && _rng.NextDouble() < 0.3)
            {
                Entry(customer, LoyaltyEntryType.Redeem, -1000, null, null, "Redeemed at checkout", at.AddDays(_rng.Next(1, 20)), null);
            }
        }

        foreach (var customer in balances.Keys.Where((_, i) => i % 25 == 0).ToList())
        {
            Entry(customer, LoyaltyEntryType.Adjust, 250, null, null, "Goodwill for a late delivery (support)", _end.AddDays(-_rng.Next(1, 60)), _end.AddDays(LoyaltyExpiryDays - 60));
        }

        _data.LoyaltyAccounts.AddRange(balances.Select(b => new LoyaltyAccount { CustomerId = b.Key, Balance = b.Value }));

        void Entry(Guid customer, LoyaltyEntryType type, long points, Guid? orderId, string? key, string? reason, DateTime at, DateTime? expiresAt)
        {
            balances[customer] = balances.GetValueOrDefault(customer) + points;
            _data.LoyaltyEntries.Add(new LoyaltyEntry
            {
                CustomerId = customer, Type = type, Points = points, OrderId = orderId, Key = key, Reason = reason, CreatedAt = at, ExpiresAt = expiresAt,
            });
        }
    }
}
