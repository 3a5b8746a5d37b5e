using Microsoft.EntityFrameworkCore;
using Storekeep.Analytics;
using Storekeep.Data;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Attribution;

/// <summary>
/// One channel's row (docs/marketing.md): <paramref name="Sessions"/> visits that began from it,
/// <paramref name="Orders"/> counted orders whose chosen touch it is, <paramref name="NewCustomers"/>
/// those that were their email's first counted order, <paramref name="Revenue"/> their totals,
/// <paramref name="Spend"/> what was entered for it, <c>cac = spend / newCustomers</c> and
/// <c>roas = revenue / spend</c> (null when dividing by zero).
/// </summary>
public sealed record AcquisitionChannel(string Source, string? Medium, int Sessions, int Orders, int NewCustomers, decimal Revenue, decimal Spend, decimal? Cac, decimal? Roas);

public sealed record AcquisitionReportView(DateOnly From, DateOnly To, string Touch, string Currency, IReadOnlyList<AcquisitionChannel> Channels);

/// <summary><c>GET /analytics/acquisition?from=&amp;to=&amp;touch=first|last</c>: sessions, orders, new customers, revenue, spend, CAC and ROAS per channel.</summary>
public sealed class AcquisitionReport(StorekeepDbContext db, StoreSettingsService store, TimeProvider clock)
{
    /// <summary>The channel of orders placed without a storefront visit (API, imports, the back office).</summary>
    public const string Unattributed = "(unattributed)";

    public async Task<AcquisitionReportView> RunAsync(string? from, string? to, string? touch, CancellationToken ct)
    {
        var mode = (touch ?? "last").Trim().ToLowerInvariant();
        if (mode is not ("first" or "last"))
        {
            throw Errors.BadRequest("invalid_touch", $"'touch' is first or last, not '{ReportRange.Shorten(touch!)}'.");
        }

        var range = ReportRange.Parse(from, to, clock.GetUtcNow().UtcDateTime);
        var currency = (await store.GetAsync(ct)).Currency;
        var (start, end) = (range.Start, range.End);

        var sessions = await db.Set<VisitorTouch>().AsNoTracking()
            .Where(t => t.Touch.At >= start && t.Touch.At < end)
            .GroupBy(t => new { t.Touch.Source, t.Touch.Medium })
            .Select(g => new { g.Key.Source, g.Key.Medium, Count = g.Count() })
            .ToListAsync(ct);

        var counted = ReportMath.CountedOrders(db, currency);
        var orders = await counted
            .Where(o => o.CreatedAt >= start && o.CreatedAt < end)
            .GroupJoin(db.Set<OrderAcquisition>().AsNoTracking(), o => o.Id, a => a.OrderId, (o, a) => new { o, a })
            .SelectMany(x => x.a.DefaultIfEmpty(), (x, a) => new
            {
                x.o.Total,
                Source = a == null ? null : mode == "first" ? a.FirstTouch.Source : a.LastTouch.Source,
                Medium = a == null ? null : mode == "first" ? a.FirstTouch.Medium : a.LastTouch.Medium,
                IsNew = !counted.Any(p => p.Email == x.o.Email && (p.CreatedAt < x.o.CreatedAt || (p.CreatedAt == x.o.CreatedAt && p.Number < x.o.Number))),
            })
            .ToListAsync(ct);

        var (fromDate, toDate) = (range.From, range.To);
        var spend = await db.Set<MarketingSpend>().AsNoTracking()
            .Where(s => s.Date >= fromDate && s.Date < toDate)
            .Select(s => new { s.Source, s.Medium, s.Amount })
            .ToListAsync(ct);

        var keys = sessions.Select(s => (s.Source, (string?)s.Medium))
            .Concat(orders.Select(o => (o.Source ?? Unattributed, o.Medium)))
            .Concat(spend.Select(s => (s.Source, s.Medium)))
            .Distinct();
        // One pass each: orders, spend and sessions by channel, then a row per channel seen anywhere.
        var ordersBy = orders.ToLookup(o => (o.Source ?? Unattributed, o.Medium));
        var spendBy = spend.ToLookup(s => (s.Source, s.Medium), s => s.Amount);
        var sessionsBy = sessions.ToLookup(s => (s.Source, (string?)s.Medium), s => s.Count);
        var channels = keys.Select(key =>
        {
            var mine = ordersBy[key].ToList();
            var spent = spendBy[key].Sum();
            var revenue = mine.Sum(o => o.Total);
            var newCustomers = mine.Count(o => o.IsNew);
            return new AcquisitionChannel(
                key.Item1, key.Item2, sessionsBy[key].Sum(), mine.Count, newCustomers, revenue, spent,
                newCustomers == 0 ? null : MinorUnits.Round(spent / newCustomers),
                spent == 0 ? null : Math.Round(revenue / spent, 4));
        }).OrderByDescending(c => c.Revenue).ThenByDescending(c => c.Sessions).ThenBy(c => c.Source, StringComparer.Ordinal).ThenBy(c => c.Medium, StringComparer.Ordinal).ToList();
        return new AcquisitionReportView(range.From, range.To, mode, currency, channels);
    }
}
