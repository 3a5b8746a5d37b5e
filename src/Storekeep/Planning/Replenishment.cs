using MathNet.Numerics.Distributions;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Inventory;
using Storekeep.Purchasing;
using Storekeep.Shared;

namespace Storekeep.Planning;

/// <summary>The knobs of the replenishment formulas (configuration section Planning:Replenishment).</summary>
public sealed class ReplenishmentSettings
{
    /// <summary>Demand is measured over the last this many whole days.</summary>
    public int DemandWindowDays { get; set; } = 91;

    /// <summary>The lead time of a SKU no supplier sells the store.</summary>
    public int DefaultLeadTimeDays { get; set; } = 14;

    /// <summary>What placing one purchase order costs (S in the EOQ), in the store currency.</summary>
    public decimal OrderCost { get; set; } = 50m;

    /// <summary>Yearly cost of holding one unit as a share of its cost (h in the EOQ).</summary>
    public double HoldingRate { get; set; } = 0.25;

    /// <summary>Daily demand comes from the SKU's forecast once it has this many weeks of history; before that, from the window.</summary>
    public int MinimumForecastWeeks { get; set; } = 26;

    /// <summary>False: every SKU's demand is the window's, forecast or not.</summary>
    public bool UseForecast { get; set; } = true;

    public double ServiceLevelA { get; set; } = 0.98;
    public double ServiceLevelB { get; set; } = 0.95;
    public double ServiceLevelC { get; set; } = 0.90;
}

/// <summary>One SKU's replenishment figures (definitions in docs/planning.md, "Replenishment").</summary>
public sealed record ReplenishmentRow(
    string Sku,
    long OnHand,
    long Reserved,
    long Incoming,
    double DailyDemand,
    double DemandStdDev,
    int LeadTimeDays,
    string Abc,
    double ServiceLevel,
    long SafetyStock,
    long ReorderPoint,
    long? EconomicOrderQuantity,
    long SuggestedQuantity,
    double? DaysOfCover,
    DateOnly? StockoutDate,
    Guid? SupplierId,
    string? SupplierName,
    decimal? UnitCost,
    int PackSize,
    int MinimumOrderQuantity,
    string DemandSource,
    string? ForecastMethod,
    long InDraftPurchaseOrders);

/// <summary>Where a row's daily demand comes from.</summary>
public static class DemandSources
{
    /// <summary>The chosen forecast's mean over the lead time; σ from its one-step errors.</summary>
    public const string Forecast = "forecast";

    /// <summary>The last DemandWindowDays whole days (too little history for a forecast).</summary>
    public const string Window = "window";
}

/// <summary>What one click made: a draft purchase order per supplier.</summary>
public sealed record ReplenishmentOrders(IReadOnlyList<PurchaseOrderView> PurchaseOrders, IReadOnlyList<string> SkippedWithoutSupplier);

/// <summary>
/// Safety stock, reorder point, EOQ and a suggested order per SKU from recent demand, stock on hand
/// and on its way, and the supplier's terms; and the draft purchase orders that order it.
/// </summary>
public sealed class Replenishment(
    StorekeepDbContext db,
    DemandHistory history,
    AbcAnalysis abc,
    IEnumerable<IIncomingStock> incomingSources,
    PurchaseOrders purchaseOrders,
    ForecastCache forecasts,
    ReplenishmentSettings settings,
    TimeProvider clock)
{
    public const string WarehouseRequiredCode = "replenishment_warehouse_required";

    /// <summary>Every SKU stocked (in the warehouse, when given) or sold by a supplier, most urgent first (lowest days of cover).</summary>
    public async Task<IReadOnlyList<ReplenishmentRow>> SuggestAsync(string? warehouse, CancellationToken ct)
    {
        var warehouseId = await WarehouseIdAsync(db, warehouse, ct);
        return await SuggestAsync(warehouseId, await StoreWideAsync(ct), ct);
    }

    /// <summary>Reads what <see cref="SuggestAsync(Guid?, ReplenishmentInputs, CancellationToken)"/> needs for any warehouse.</summary>
    public async Task<ReplenishmentInputs> StoreWideAsync(CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var windowStart = today.AddDays(-settings.DemandWindowDays);
        var offers = await (from product in db.Set<SupplierProduct>().AsNoTracking()
                            join supplier in db.Set<Supplier>().AsNoTracking() on product.SupplierId equals supplier.Id
                            select new ReplenishmentOffer(product.Sku, product.Cost, product.PackSize, product.MinimumOrderQuantity, product.LeadTimeDays ?? supplier.LeadTimeDays, supplier.Id, supplier.Name))
            .ToListAsync(ct);
        // The cheapest offer wins; the shorter lead time breaks a tie.
        var bestOffer = offers.GroupBy(o => o.Sku, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(o => o.Cost).ThenBy(o => o.LeadTimeDays).ThenBy(o => o.SupplierId).First(), StringComparer.Ordinal);
        var variantCost = await db.Variants.AsNoTracking().Where(v => v.Cost != null)
            .Select(v => new { v.Sku, v.Cost }).ToDictionaryAsync(v => v.Sku, v => v.Cost!.Value, StringComparer.Ordinal, ct);

        // One read of the daily demand: the whole history before today when forecasts are on (their
        // weeks are the whole ones before this week's), else only the window; the window's days are cut from it.
        var thisWeek = DemandHistory.WeekStart(today);
        var days = await history.DailyAsync(false, null, null, settings.UseForecast ? null : ToUtc(windowStart), ToUtc(today), ct);
        var weekly = settings.UseForecast
            ? DemandHistory.Weekly(days.Where(d => d.Day < thisWeek), null, thisWeek.AddDays(-7))
            : [];
        var daily = days.Where(d => d.Day >= windowStart)
            .GroupBy(d => d.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToDictionary(d => d.Day, d => (double)d.Units), StringComparer.Ordinal);
        var classes = (await abc.RankAsync(today.AddDays(-365), today, "revenue", ct)).ToDictionary(r => r.Sku, r => r.Abc, StringComparer.Ordinal);
        return new ReplenishmentInputs(today, windowStart, thisWeek, bestOffer, variantCost, weekly, daily, classes);
    }

    /// <summary>The rows of one warehouse (all, when null) from the store-wide figures read by <see cref="StoreWideAsync"/>.</summary>
    public async Task<IReadOnlyList<ReplenishmentRow>> SuggestAsync(Guid? warehouseId, ReplenishmentInputs store, CancellationToken ct)
    {
        var (today, windowStart, thisWeek) = (store.Today, store.WindowStart, store.ThisWeek);
        var (bestOffer, variantCost, weekly, daily, classes) = (store.BestOffer, store.VariantCost, store.Weekly, store.Daily, store.Classes);
        var levels = await db.StockLevels.AsNoTracking()
            .Where(l => warehouseId == null || l.WarehouseId == warehouseId)
            .GroupBy(l => l.Sku)
            .Select(g => new { Sku = g.Key, OnHand = g.Sum(l => l.OnHand), Reserved = g.Sum(l => l.Reserved) })
            .ToDictionaryAsync(l => l.Sku, StringComparer.Ordinal, ct);

        var incoming = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var source in incomingSources)
        {
            foreach (var row in await source.IncomingAsync(null, ct))
            {
                if (warehouseId is null || row.WarehouseId == warehouseId)
                {
                    incoming[row.Sku] = incoming.GetValueOrDefault(row.Sku) + row.Quantity;
                }
            }
        }

        // Units in draft purchase orders are not incoming (nothing is promised yet), but they are
        // ordered already: the suggestion leaves them out, so a second click drafts nothing twice.
        var drafted = await (from l in db.Set<PurchaseOrderLine>().AsNoTracking()
                             join o in db.Set<PurchaseOrder>().AsNoTracking() on l.PurchaseOrderId equals o.Id
                             where o.Status == PurchaseOrderStatus.Draft && (warehouseId == null || o.WarehouseId == warehouseId)
                             group l.Quantity by l.Sku into g
                             select new { Sku = g.Key, Quantity = g.Sum(q => (long)q) })
            .ToDictionaryAsync(d => d.Sku, d => d.Quantity, StringComparer.Ordinal, ct);

        var skus = levels.Keys.Union(bestOffer.Keys, StringComparer.Ordinal);
        var rows = new List<ReplenishmentRow>();
        foreach (var sku in skus)
        {
            var level = levels.GetValueOrDefault(sku);
            var offer = bestOffer.GetValueOrDefault(sku);
            var abcClass = classes.GetValueOrDefault(sku) ?? "C";
            var serviceLevel = abcClass switch { "A" => settings.ServiceLevelA, "B" => settings.ServiceLevelB, _ => settings.ServiceLevelC };
            var leadTime = offer?.LeadTimeDays ?? settings.DefaultLeadTimeDays;
            var source = DemandSources.Window;
            string? method = null;
            var (demand, stdDev) = DemandOf(daily.GetValueOrDefault(sku), windowStart, settings.DemandWindowDays);
            if (weekly.TryGetValue(sku, out var weeks) && weeks.Count >= settings.MinimumForecastWeeks)
            {
                var horizon = Math.Max(13, (today.DayNumber - thisWeek.DayNumber + leadTime + 6) / 7);
                var forecast = forecasts.Forecast(sku, weeks, horizon).Forecast;
                (demand, stdDev) = ForecastDemandOf(forecast.Mean, forecast.ResidualStdDev, today.DayNumber - thisWeek.DayNumber, leadTime);
                (source, method) = (DemandSources.Forecast, forecast.Method);
            }

            decimal? unitCost = offer is not null ? offer.Cost : variantCost.TryGetValue(sku, out var c) ? c : null;
            var figures = Figures(demand, stdDev, leadTime, serviceLevel, unitCost, settings.OrderCost, settings.HoldingRate,
                onHand: level?.OnHand ?? 0, reserved: level?.Reserved ?? 0, incoming: incoming.GetValueOrDefault(sku) + drafted.GetValueOrDefault(sku),
                packSize: offer?.PackSize ?? 1, minimum: offer?.MinimumOrderQuantity ?? 1);
            rows.Add(new ReplenishmentRow(
                sku, level?.OnHand ?? 0, level?.Reserved ?? 0, incoming.GetValueOrDefault(sku),
                Math.Round(demand, 4), Math.Round(stdDev, 4), leadTime, abcClass, serviceLevel,
                figures.SafetyStock, figures.ReorderPoint, figures.EconomicOrderQuantity, figures.SuggestedQuantity,
                figures.DaysOfCover is { } cover ? Math.Round(cover, 1) : null,
                figures.DaysOfCover is { } days ? today.AddDays((int)Math.Min(Math.Floor(days), 3650)) : null,
                offer?.SupplierId, offer?.Name, unitCost, offer?.PackSize ?? 1, offer?.MinimumOrderQuantity ?? 1,
                source, method, drafted.GetValueOrDefault(sku)));
        }

        return [.. rows.OrderBy(r => r.DaysOfCover ?? double.MaxValue).ThenBy(r => r.Sku, StringComparer.Ordinal)];
    }

    /// <summary>
    /// One draft purchase order per supplier for every suggested quantity in the warehouse (or only
    /// the given SKUs), expected when the slowest of its lines can arrive.
    /// </summary>
    public async Task<ReplenishmentOrders> CreatePurchaseOrdersAsync(string? warehouse, IReadOnlyCollection<string>? skus, Actor actor, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(warehouse))
        {
            throw Errors.BadRequest(WarehouseRequiredCode, "'warehouse' is required: purchase orders are delivered to one warehouse.");
        }

        var wanted = skus is { Count: > 0 } ? new HashSet<string>(skus, StringComparer.Ordinal) : null;
        var rows = (await SuggestAsync(warehouse, ct)).Where(r => r.SuggestedQuantity > 0 && (wanted is null || wanted.Contains(r.Sku))).ToList();
        var today = clock.GetUtcNow().UtcDateTime.Date;
        var created = new List<PurchaseOrderView>();
        foreach (var group in rows.Where(r => r.SupplierId is not null).GroupBy(r => r.SupplierId!.Value).OrderBy(g => g.Key))
        {
            var lines = group.OrderBy(r => r.Sku, StringComparer.Ordinal)
                .Select(r => (PurchaseOrderLineRequest?)new PurchaseOrderLineRequest(r.Sku, (int)Math.Min(r.SuggestedQuantity, Validation.MaxQuantity), null))
                .ToList();
            var expected = DateTime.SpecifyKind(today.AddDays(group.Max(r => r.LeadTimeDays)), DateTimeKind.Utc);
            created.Add(await purchaseOrders.CreateAsync(new CreatePurchaseOrderRequest(group.Key, warehouse, lines, expected), actor, ct));
        }

        return new ReplenishmentOrders(created, [.. rows.Where(r => r.SupplierId is null).Select(r => r.Sku)]);
    }

    /// <summary>The formulas, on plain numbers (docs/planning.md, "Replenishment").</summary>
    public static ReplenishmentFigures Figures(
        double dailyDemand, double dailyStdDev, int leadTimeDays, double serviceLevel, decimal? unitCost, decimal orderCost, double holdingRate,
        long onHand, long reserved, long incoming, int packSize, int minimum)
    {
        var z = Normal.InvCDF(0, 1, serviceLevel);
        var safetyStock = (long)Math.Ceiling(Math.Round(z * dailyStdDev * Math.Sqrt(leadTimeDays), 9));
        var reorderPoint = (long)Math.Ceiling(Math.Round(dailyDemand * leadTimeDays + safetyStock, 9));
        long? eoq = dailyDemand > 0 && unitCost is { } cost && cost > 0 && holdingRate > 0
            ? (long)Math.Ceiling(Math.Round(Math.Sqrt(2 * dailyDemand * 365 * (double)orderCost / ((double)cost * holdingRate)), 9))
            : null;

        // Order when what is on hand and on its way, less what is promised, is at or below the reorder point.
        var position = onHand - reserved + incoming;
        long suggested = 0;
        if (dailyDemand > 0 && position <= reorderPoint)
        {
            var needed = Math.Max(Math.Max(eoq ?? 0, reorderPoint - position), 1);
            needed = Math.Max(needed, Math.Max(minimum, 1));
            var pack = Math.Max(packSize, 1);
            suggested = (needed + pack - 1) / pack * pack;
        }

        double? daysOfCover = dailyDemand > 0 ? Math.Max(0, onHand - reserved) / dailyDemand : null;
        return new ReplenishmentFigures(safetyStock, reorderPoint, eoq, suggested, daysOfCover);
    }

    /// <summary>Mean and population standard deviation of units per day over the window, days without sales counting 0.</summary>
    public static (double Mean, double StdDev) DemandOf(IReadOnlyDictionary<DateOnly, double>? unitsByDay, DateOnly windowStart, int days)
    {
        var values = Enumerable.Range(0, days).Select(i => unitsByDay?.GetValueOrDefault(windowStart.AddDays(i)) ?? 0).ToArray();
        var mean = values.Average();
        return (mean, Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / days));
    }

    /// <summary>
    /// Daily demand over the lead time from a weekly forecast starting this week: each of the next
    /// <paramref name="leadTimeDays"/> days (from <paramref name="dayOfWeek"/>, 0 = Monday) takes a
    /// seventh of its week's forecast (never below 0); σ per day is the forecast's weekly one-step
    /// error over √7 (weekly errors spread over 7 independent days).
    /// </summary>
    public static (double Mean, double StdDev) ForecastDemandOf(IReadOnlyList<double> weeklyMean, double weeklyResidualStdDev, int dayOfWeek, int leadTimeDays)
    {
        var days = Math.Max(leadTimeDays, 1);
        var total = 0.0;
        for (var d = 0; d < days; d++)
        {
            var week = Math.Min((dayOfWeek + d) / 7, weeklyMean.Count - 1);
            total += Math.Max(0, weeklyMean[week]) / 7;
        }

        return (total / days, Math.Max(0, weeklyResidualStdDev) / Math.Sqrt(7));
    }

    /// <summary>The id of the warehouse with this code; null for none given, 404 for an unknown one.</summary>
    internal static async Task<Guid?> WarehouseIdAsync(StorekeepDbContext db, string? code, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return null;
        }

        // Checked like every warehouse code (no control characters, bounded), before it reaches SQL.
        var v = new Validation();
        code = v.Code("warehouse", code, WarehouseService.CodeMaxLength);
        v.ThrowIfInvalid();
        return await db.Warehouses.AsNoTracking().Where(w => w.Code == code).Select(w => (Guid?)w.Id).FirstOrDefaultAsync(ct)
            ?? throw Errors.NotFound("Warehouse", code);
    }

    private static DateTime ToUtc(DateOnly day) => day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
}

/// <summary>
/// What the figures of every warehouse share, read once: demand (the weekly history for the
/// forecasts and the daily window), the ABC classes, the offers and the variants' costs.
/// </summary>
public sealed record ReplenishmentInputs(
    DateOnly Today,
    DateOnly WindowStart,
    DateOnly ThisWeek,
    IReadOnlyDictionary<string, ReplenishmentOffer> BestOffer,
    IReadOnlyDictionary<string, decimal> VariantCost,
    IReadOnlyDictionary<string, List<WeekUnits>> Weekly,
    IReadOnlyDictionary<string, Dictionary<DateOnly, double>> Daily,
    IReadOnlyDictionary<string, string> Classes);

public sealed record ReplenishmentOffer(string Sku, decimal Cost, int PackSize, int MinimumOrderQuantity, int LeadTimeDays, Guid SupplierId, string Name);

public sealed record ReplenishmentFigures(long SafetyStock, long ReorderPoint, long? EconomicOrderQuantity, long SuggestedQuantity, double? DaysOfCover);
