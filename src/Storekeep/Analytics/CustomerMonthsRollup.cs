using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Orders;
using CustomerOrder = Storekeep.Analytics.DailyKpiFigures.CustomerOrder;

namespace Storekeep.Analytics;

/// <summary>Names and arithmetic of the <see cref="CustomerMonth"/> rollup.</summary>
public static class CustomerMonths
{
    /// <summary>The dimension of second orders (Month: the second order's; PreviousMonth: the first's).</summary>
    public const string SecondOrder = "second_order";

    /// <summary>PreviousMonth of a customer's first month under a key.</summary>
    public static readonly DateOnly None = DateOnly.MinValue;

    public static DateOnly MonthOf(DateTime utc) => new(utc.Year, utc.Month, 1);

    /// <summary>True when the range is whole months, the only ranges the rollup can count customers over.</summary>
    public static bool Covers(ReportRange range) => range.From.Day == 1 && range.To.Day == 1;

    /// <summary>Distinct customers under a key over the whole months [from, to), from the key's rows of those months.</summary>
    public static int Count(IEnumerable<CustomerMonth> rows, DateOnly from, DateOnly to) =>
        rows.Where(r => r.Month >= from && r.Month < to && r.PreviousMonth < from).Sum(r => r.Customers);
}

/// <summary>
/// Keeps <see cref="CustomerMonth"/> and each customer's <see cref="CustomerMonthsShare"/>: when a
/// customer's orders change (placed, cancelled, imported), their share is computed again from all
/// their counted orders and the rollup moves by the difference from the stored share, in the
/// caller's transaction. Recomputing from the orders makes a replay a no-op; the share's version
/// guard makes two concurrent writers of one customer fail one of them (which then retries) rather
/// than both apply the same difference.
/// </summary>
public sealed class CustomerMonthsRollup(StorekeepDbContext db)
{
    private sealed record Row(string Dimension, string Key, DateOnly Month, DateOnly PreviousMonth);

    /// <summary>Recomputes the shares of the customers of these orders (customer id, or guest email) and applies the differences.</summary>
    public async Task RefreshAsync(IEnumerable<(Guid? CustomerId, string Email)> customers, CancellationToken ct)
    {
        var list = customers.ToList();
        if (list.Count == 0)
        {
            return;
        }

        var orders = await DailyKpiFigures.OrdersOfCustomersAsync(db, list, ct);
        var categories = await CategoriesAsync(orders.Select(o => o.Id), ct);
        var computed = orders.GroupBy(o => (o.Currency, o.Customer))
            .ToDictionary(g => g.Key, g => Serialize(RowsOf(g, categories)));

        var keys = list.Select(c => ReportMath.CustomerKey(c.CustomerId, c.Email)).Distinct().ToList();
        var stored = new Dictionary<(string Currency, string Customer), CustomerMonthsShare>();
        foreach (var chunk in keys.Chunk(500))
        {
            foreach (var share in await db.CustomerMonthsShares.AsNoTracking().Where(s => chunk.Contains(s.Customer)).ToListAsync(ct))
            {
                stored[(share.Currency, share.Customer)] = share;
            }
        }

        var changes = new Dictionary<(string Currency, Row Row), int>();
        void Move(string currency, string json, int by)
        {
            foreach (var row in Deserialize(json))
            {
                changes[(currency, row)] = changes.GetValueOrDefault((currency, row)) + by;
            }
        }

        foreach (var key in computed.Keys.Union(stored.Keys).ToList())
        {
            var now = computed.GetValueOrDefault(key);
            var before = stored.GetValueOrDefault(key);
            if (now == before?.Rows)
            {
                continue;
            }

            if (before is not null)
            {
                Move(key.Currency, before.Rows, -1);
                var guarded = db.CustomerMonthsShares.Where(s => s.Currency == key.Currency && s.Customer == key.Customer && s.Version == before.Version);
                var written = now is null
                    ? await guarded.ExecuteDeleteAsync(ct)
                    : await guarded.ExecuteUpdateAsync(s => s.SetProperty(x => x.Rows, now).SetProperty(x => x.Version, before.Version + 1), ct);
                if (written != 1)
                {
                    throw new DbUpdateConcurrencyException($"The customer-months share of {key.Customer} changed under this update; the batch is retried.");
                }
            }
            else
            {
                db.CustomerMonthsShares.Add(new CustomerMonthsShare { Currency = key.Currency, Customer = key.Customer, Rows = now!, Version = 1 });
            }

            if (now is not null)
            {
                Move(key.Currency, now, +1);
            }
        }

        await ApplyAsync(changes.Where(c => c.Value != 0), ct);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Replaces both tables with figures computed from every counted order, a month of orders at a time.</summary>
    public async Task RebuildAsync(CancellationToken ct)
    {
        await db.CustomerMonths.ExecuteDeleteAsync(ct);
        await db.CustomerMonthsShares.ExecuteDeleteAsync(ct);
        var counted = db.Orders.AsNoTracking().Where(o => o.Status != OrderStatus.Cancelled);
        if (await counted.MinAsync(o => (DateTime?)o.CreatedAt, ct) is not { } first)
        {
            return;
        }

        var last = (await counted.MaxAsync(o => (DateTime?)o.CreatedAt, ct))!.Value;
        var walks = new Dictionary<(string Currency, string Customer), Walk>();
        for (var month = CustomerMonths.MonthOf(first); month <= CustomerMonths.MonthOf(last); month = month.AddMonths(1))
        {
            var (start, end) = (DailySalesRollup.Start(month), DailySalesRollup.Start(month.AddMonths(1)));
            var placed = counted.Where(o => o.CreatedAt >= start && o.CreatedAt < end);
            var orders = await placed
                .Select(o => new CustomerOrder(o.Id, o.Currency, o.CustomerId, o.Email, o.CreatedAt, o.Channel, o.ShippingAddress.Country))
                .ToListAsync(ct);
            var categories = (await KpiReportFromOrders.LinesAsync(db, placed, true, ct)).ToLookup(l => l.OrderId, l => l.Category ?? KpiGroupings.Uncategorized);
            foreach (var order in orders.OrderBy(o => o.CreatedAt).ThenBy(o => o.Id))
            {
                var key = (order.Currency, order.Customer);
                if (!walks.TryGetValue(key, out var walk))
                {
                    walks[key] = walk = new Walk();
                }

                walk.Add(order, categories[order.Id]);
            }
        }

        var counts = new Dictionary<(string Currency, Row Row), int>();
        var shares = new List<CustomerMonthsShare>(walks.Count);
        foreach (var ((currency, customer), walk) in walks)
        {
            foreach (var row in walk.Rows)
            {
                counts[(currency, row)] = counts.GetValueOrDefault((currency, row)) + 1;
            }

            shares.Add(new CustomerMonthsShare { Currency = currency, Customer = customer, Rows = Serialize(walk.Rows), Version = 1 });
        }

        var months = counts.Select(c => ToEntity(c.Key.Currency, c.Key.Row, c.Value)).ToList();
        await InsertAsync(months, ct);
        await InsertAsync(shares, ct);
    }

    /// <summary>Moves each row by its change: an atomic increment where the row exists, an insert where it does not.</summary>
    private async Task ApplyAsync(IEnumerable<KeyValuePair<(string Currency, Row Row), int>> changes, CancellationToken ct)
    {
        foreach (var ((currency, row), by) in changes.Select(c => (c.Key, c.Value)))
        {
            var moved = await db.CustomerMonths
                .Where(m => m.Currency == currency && m.Dimension == row.Dimension && m.Key == row.Key && m.Month == row.Month && m.PreviousMonth == row.PreviousMonth)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Customers, m => m.Customers + by), ct);
            if (moved == 0)
            {
                if (by < 0)
                {
                    throw new InvalidOperationException($"The customer-months rollup is out of step ({row}); run 'storekeep rebuild-analytics'.");
                }

                db.CustomerMonths.Add(ToEntity(currency, row, by));
            }
        }

        await db.CustomerMonths.Where(m => m.Customers == 0).ExecuteDeleteAsync(ct);
    }

    private async Task InsertAsync<T>(List<T> entities, CancellationToken ct)
        where T : class
    {
        if (db.IsPostgres)
        {
            await PostgresBulkCopy.WriteAsync(db, entities, ct);
            return;
        }

        foreach (var chunk in entities.Chunk(2000))
        {
            db.AddRange(chunk);
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>The distinct categories of each order's lines (lines without one under <see cref="KpiGroupings.Uncategorized"/>).</summary>
    private async Task<ILookup<Guid, string>> CategoriesAsync(IEnumerable<Guid> orderIds, CancellationToken ct)
    {
        var lines = new List<KpiReportFromOrders.LineFacts>();
        foreach (var chunk in orderIds.Distinct().Chunk(500))
        {
            lines.AddRange(await KpiReportFromOrders.LinesAsync(db, db.Orders.AsNoTracking().Where(o => chunk.Contains(o.Id)), true, ct));
        }

        return lines.ToLookup(l => l.OrderId, l => l.Category ?? KpiGroupings.Uncategorized);
    }

    /// <summary>A customer's rows, from all their counted orders in one currency.</summary>
    private static List<Row> RowsOf(IEnumerable<CustomerOrder> orders, ILookup<Guid, string> categories)
    {
        var walk = new Walk();
        foreach (var order in orders.OrderBy(o => o.CreatedAt).ThenBy(o => o.Id))
        {
            walk.Add(order, categories[order.Id]);
        }

        return walk.Rows;
    }

    /// <summary>A customer's orders taken in time order, writing a row at each new month under each key.</summary>
    private sealed class Walk
    {
        private readonly Dictionary<(string Dimension, string Key), DateOnly> _lastMonth = [];
        private DateOnly _firstOrderMonth;
        private int _orders;

        public List<Row> Rows { get; } = [];

        public void Add(CustomerOrder order, IEnumerable<string> categories)
        {
            var month = CustomerMonths.MonthOf(order.CreatedAt);
            var keys = new List<(string, string)> { (KpiDimensions.Total, ""), (KpiDimensions.Channel, order.Channel), (KpiDimensions.Country, order.Country.ToUpperInvariant()) };
            keys.AddRange(categories.Distinct(StringComparer.Ordinal).Select(c => (KpiDimensions.Category, c)));
            foreach (var key in keys)
            {
                var previous = _lastMonth.GetValueOrDefault(key, CustomerMonths.None);
                if (previous != month)
                {
                    Rows.Add(new Row(key.Item1, key.Item2, month, previous));
                    _lastMonth[key] = month;
                }
            }

            _orders++;
            if (_orders == 1)
            {
                _firstOrderMonth = month;
            }
            else if (_orders == 2)
            {
                Rows.Add(new Row(CustomerMonths.SecondOrder, "", month, _firstOrderMonth));
            }
        }
    }

    private static string Serialize(IEnumerable<Row> rows) => JsonSerializer.Serialize(
        rows.OrderBy(r => r.Dimension, StringComparer.Ordinal).ThenBy(r => r.Key, StringComparer.Ordinal).ThenBy(r => r.Month)
            .Select(r => new[] { r.Dimension, r.Key, Month(r.Month), r.PreviousMonth == CustomerMonths.None ? "" : Month(r.PreviousMonth) }));

    private static IEnumerable<Row> Deserialize(string json) =>
        JsonSerializer.Deserialize<string[][]>(json)!.Select(r => new Row(r[0], r[1], Parse(r[2]), r[3] == "" ? CustomerMonths.None : Parse(r[3])));

    private static string Month(DateOnly month) => month.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    private static DateOnly Parse(string month) => DateOnly.ParseExact(month + "-01", "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static CustomerMonth ToEntity(string currency, Row row, int customers) => new()
    {
        Currency = currency,
        Dimension = row.Dimension,
        Key = row.Key,
        Month = row.Month,
        PreviousMonth = row.PreviousMonth,
        Customers = customers,
    };
}
