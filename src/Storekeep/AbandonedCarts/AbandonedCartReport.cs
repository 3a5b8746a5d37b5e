using Microsoft.EntityFrameworkCore;
using Storekeep.Analytics;
using Storekeep.Checkout;
using Storekeep.Data;
using Storekeep.Store;

namespace Storekeep.AbandonedCarts;

/// <summary>
/// <c>GET /marketing/abandoned-carts/report?from=&amp;to=</c> (UTC days, <c>to</c> exclusive), as
/// docs/marketing.md defines each figure:
/// <list type="bullet">
/// <item><c>abandoned</c>: carts whose first reminder went out in the period, plus active carts with
/// an email and items, never reminded, whose last activity plus the first step's delay falls in the
/// period (and is past).</item>
/// <item><c>emailed</c>: carts that got at least one reminder in the period.</item>
/// <item><c>recovered</c>: orders placed in the period (not cancelled, store currency) from carts
/// that got a reminder before the order; <c>recoveredRevenue</c> their totals.</item>
/// </list>
/// </summary>
public sealed class AbandonedCartReport(StorekeepDbContext db, AbandonedCartSettingsService settings, StoreSettingsService store, TimeProvider clock)
{
    public async Task<AbandonedCartReportView> RunAsync(string? from, string? to, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var range = ReportRange.Parse(from, to, now);
        var (start, end) = (range.Start, range.End);
        var currency = (await store.GetAsync(ct)).Currency;
        var emails = db.Set<AbandonedCartEmail>().AsNoTracking();

        // Abandoned, reminded: the first reminder's time.
        var firstReminders = await emails.Where(e => e.StepIndex == 0 && e.SentAt >= start && e.SentAt < end)
            .Select(e => new { e.CartId, e.SentAt }).ToListAsync(ct);
        var abandonedAt = firstReminders.Select(e => e.SentAt).ToList();

        // Abandoned, never reminded: idle past the first step's delay inside the period.
        var (_, steps) = await settings.CurrentAsync(ct);
        if (steps.Count > 0)
        {
            var delay = TimeSpan.FromMinutes(steps[0].DelayMinutes);
            var (idleFrom, idleTo, idleLatest) = (start - delay, end - delay, now - delay);
            var idle = await db.Carts.AsNoTracking()
                .Where(c => c.Status == CartStatus.Active && c.Email != null && c.Items.Any()
                    && c.UpdatedAt >= idleFrom && c.UpdatedAt < idleTo && c.UpdatedAt <= idleLatest
                    && !emails.Any(e => e.CartId == c.Id && e.StepIndex == 0))
                .Select(c => c.UpdatedAt).ToListAsync(ct);
            abandonedAt.AddRange(idle.Select(u => u + delay));
        }

        var emailed = await emails.Where(e => e.SentAt >= start && e.SentAt < end).Select(e => new { e.CartId, e.SentAt }).ToListAsync(ct);

        var recoveredOrders = await ReportMath.CountedOrders(db, currency)
            .Where(o => o.CreatedAt >= start && o.CreatedAt < end && o.CartId != null && emails.Any(e => e.CartId == o.CartId))
            .Select(o => new { CartId = o.CartId!.Value, o.CreatedAt, o.Total }).ToListAsync(ct);
        var cartIds = recoveredOrders.Select(o => o.CartId).ToList();
        var firstSent = (await emails.Where(e => cartIds.Contains(e.CartId)).Select(e => new { e.CartId, e.SentAt }).ToListAsync(ct))
            .GroupBy(e => e.CartId).ToDictionary(g => g.Key, g => g.Min(e => e.SentAt));
        var recovered = recoveredOrders.Where(o => firstSent[o.CartId] < o.CreatedAt).ToList();

        var days = new List<AbandonedCartDayView>();
        for (var day = range.From; day < range.To; day = day.AddDays(1))
        {
            var (dayStart, dayEnd) = (day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
            var recoveredToday = recovered.Where(o => o.CreatedAt >= dayStart && o.CreatedAt < dayEnd).ToList();
            days.Add(new AbandonedCartDayView(
                day,
                abandonedAt.Count(a => a >= dayStart && a < dayEnd),
                emailed.Where(e => e.SentAt >= dayStart && e.SentAt < dayEnd).Select(e => e.CartId).Distinct().Count(),
                recoveredToday.Count,
                recoveredToday.Sum(o => o.Total)));
        }

        return new AbandonedCartReportView(range.From, range.To, currency, abandonedAt.Count, emailed.Select(e => e.CartId).Distinct().Count(),
            recovered.Count, recovered.Sum(o => o.Total))
        {
            Days = days,
        };
    }
}
