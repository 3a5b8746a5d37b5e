using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Analytics;

/// <summary>How many distinct sessions reached each step in [From, To), and the share of sessions that ordered.</summary>
public sealed record FunnelCounts(
    DateTime From,
    DateTime To,
    int Sessions,
    int ProductViewed,
    int AddedToCart,
    int CheckoutStarted,
    int OrderPlaced)
{
    /// <summary>Orders per session, 0 to 1 (0 when there were no sessions).</summary>
    public decimal ConversionRate => Sessions == 0 ? 0m : Math.Round((decimal)OrderPlaced / Sessions, 4);
}

/// <summary>Reads of the storefront funnel: no permission of its own, callers decide who may see it.</summary>
public sealed class FunnelQueries(StorekeepDbContext db)
{
    public async Task<FunnelCounts> CountsAsync(DateTime from, DateTime to, CancellationToken ct)
    {
        if (to <= from)
        {
            throw new RequestValidationException(new Dictionary<string, string[]> { ["to"] = ["'to' must be after 'from'."] });
        }

        var perType = await db.StorefrontEvents.AsNoTracking()
            .Where(e => e.OccurredAt >= from && e.OccurredAt < to)
            .Select(e => new { e.Type, e.SessionId })
            .Distinct()
            .GroupBy(e => e.Type)
            .Select(g => new { Type = g.Key, Sessions = g.Count() })
            .ToDictionaryAsync(x => x.Type, x => x.Sessions, ct);
        var sessions = await db.StorefrontEvents.AsNoTracking()
            .Where(e => e.OccurredAt >= from && e.OccurredAt < to)
            .Select(e => e.SessionId).Distinct().CountAsync(ct);
        int Count(string type) => perType.GetValueOrDefault(type);
        return new FunnelCounts(from, to, sessions,
            Count(StorefrontEventTypes.ProductViewed), Count(StorefrontEventTypes.AddedToCart),
            Count(StorefrontEventTypes.CheckoutStarted), Count(StorefrontEventTypes.OrderPlaced));
    }
}

/// <summary>The funnel of <c>GET /analytics/funnel</c>: each step's sessions and the rates from one step to the next.</summary>
public sealed record FunnelReportView(
    DateOnly From,
    DateOnly To,
    int Sessions,
    int ProductViews,
    int AddToCarts,
    int CheckoutsStarted,
    int Orders,
    decimal? ProductViewRate,
    decimal? AddToCartRate,
    decimal? CheckoutRate,
    decimal? OrderRate,
    decimal? ConversionRate)
{
    /// <summary>Rates are shares of the step before (product views of sessions, …), conversion is orders of sessions; null when the step before is 0.</summary>
    public static FunnelReportView Of(ReportRange range, FunnelCounts c) => new(
        range.From,
        range.To,
        c.Sessions,
        c.ProductViewed,
        c.AddedToCart,
        c.CheckoutStarted,
        c.OrderPlaced,
        ReportMath.RateOrNull(c.ProductViewed, c.Sessions),
        ReportMath.RateOrNull(c.AddedToCart, c.ProductViewed),
        ReportMath.RateOrNull(c.CheckoutStarted, c.AddedToCart),
        ReportMath.RateOrNull(c.OrderPlaced, c.CheckoutStarted),
        ReportMath.RateOrNull(c.OrderPlaced, c.Sessions));
}
