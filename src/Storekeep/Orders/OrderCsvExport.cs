using System.Globalization;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Payments;
using Storekeep.Promotions;
using Storekeep.Shared;

namespace Storekeep.Orders;

/// <summary>
/// Which orders an export writes, as the caller sent it (checked by <see cref="OrderCsvExporter.Check"/>):
/// <paramref name="From"/>/<paramref name="To"/> are inclusive UTC dates of placement (yyyy-MM-dd), as on the
/// back office's order list; <paramref name="Status"/> as on the API's order list; <paramref name="Lines"/>
/// "true" for one row per order line. <paramref name="Tab"/> and <paramref name="Search"/> are the back
/// office list's own filters, so its Export CSV writes what the page shows.
/// </summary>
public sealed record OrderExportFilter(
    string? From = null,
    string? To = null,
    string? Status = null,
    string? Lines = null,
    OrderTab Tab = OrderTab.All,
    string? Search = null);

/// <summary>The columns of the order CSV (docs/analytics.md, "Order export").</summary>
public static class OrderCsvColumns
{
    public static readonly IReadOnlyList<string> Orders =
    [
        "number", "placedAt", "status", "paymentStatus", "fulfillmentStatus", "email", "customerId", "channel", "source", "currency",
        "subtotal", "discountTotal", "shippingDiscount", "discountCodes", "shipping", "tax", "total", "refunded", "itemCount",
    ];

    public static readonly IReadOnlyList<string> Lines =
    [
        "number", "placedAt", "status", "sku", "title", "quantity", "unitPrice", "lineSubtotal", "discount", "discountCodes",
        "netTotal", "tax", "refundedQuantity",
    ];

    /// <summary>Between the codes of a <c>discountCodes</c> cell.</summary>
    public const char CodeSeparator = ';';
}

/// <summary>
/// Writes orders (or their lines) with their discounts as CSV, for a spreadsheet or an accountant.
/// Orders are read a page at a time by keyset on (placement time, number), each page with its
/// lines, its discounts' codes (Promotions' allocations) and its succeeded refunds, so memory stays
/// flat whatever the number of orders. Text from users (emails, titles, codes) that a spreadsheet
/// would run as a formula is escaped.
/// </summary>
public sealed class OrderCsvExporter(StorekeepDbContext db)
{
    public const int PageSize = 500;

    private static readonly CsvWriterOptions WriterOptions = SpreadsheetCsv.WriterOptions;

    private sealed record Checked(DateTime? Start, DateTime? End, OrderStatus? Status, bool Lines, OrderTab Tab, string? Search);

    /// <summary>Checks the filter (400 validation_failed) before the first byte goes out.</summary>
    public static void Check(OrderExportFilter filter) => Parse(filter);

    /// <returns>The number of orders written (their lines with <see cref="OrderExportFilter.Lines"/>).</returns>
    public async Task<int> ExportAsync(Stream output, OrderExportFilter filter, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        var query = Parse(filter);
        await using var csv = CsvWriter.Create(output, WriterOptions, leaveOpen: true);
        return await WriteAsync(csv, query, progress, ct);
    }

    /// <returns>The number of orders written (their lines with <see cref="OrderExportFilter.Lines"/>).</returns>
    public async Task<int> ExportAsync(TextWriter output, OrderExportFilter filter, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        var query = Parse(filter);
        await using var csv = CsvWriter.Create(output, WriterOptions, leaveOpen: true);
        return await WriteAsync(csv, query, progress, ct);
    }

    /// <summary>How many orders the filter keeps (for a progress bar).</summary>
    public Task<int> CountAsync(OrderExportFilter filter, CancellationToken ct) => Orders(Parse(filter)).CountAsync(ct);

    private static bool? ParseLines(Validation v, string? text)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "":
                return null;
            case "true" or "1":
                return true;
            case "false" or "0":
                return false;
            default:
                v.Add("lines", "'lines' must be true or false.");
                return null;
        }
    }

    private static Checked Parse(OrderExportFilter filter)
    {
        var v = new Validation();
        var from = Date(v, "from", filter.From);
        var to = Date(v, "to", filter.To);
        if (from is { } f && to is { } t && f > t)
        {
            v.Add("to", "'to' must not be before 'from' (both days are included).");
        }

        var status = OrderQueries.ParseEnum<OrderStatus>(v, "status", string.IsNullOrWhiteSpace(filter.Status) ? null : filter.Status.Trim());
        var lines = ParseLines(v, filter.Lines) ?? false;
        var search = v.Text("search", filter.Search, 254);
        v.ThrowIfInvalid();
        return new Checked(
            from?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
            to?.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
            status,
            lines,
            filter.Tab,
            search);
    }

    private static DateOnly? Date(Validation v, string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) && date.Year is >= 1900 and <= 9000)
        {
            return date;
        }

        v.Add(field, $"'{field}' must be a date (yyyy-MM-dd).");
        return null;
    }

    private IQueryable<Order> Orders(Checked filter)
    {
        var query = OrderSearch.ForTab(db, db.Orders.AsNoTracking(), filter.Tab);
        if (filter.Search is not null)
        {
            query = OrderSearch.Matching(query, filter.Search);
        }

        if (filter.Status is { } status)
        {
            query = query.Where(o => o.Status == status);
        }

        if (filter.Start is { } start)
        {
            query = query.Where(o => o.CreatedAt >= start);
        }

        if (filter.End is { } end)
        {
            query = query.Where(o => o.CreatedAt < end);
        }

        return query;
    }

    private async Task<int> WriteAsync(CsvWriter csv, Checked filter, IProgress<int>? progress, CancellationToken ct)
    {
        foreach (var column in filter.Lines ? OrderCsvColumns.Lines : OrderCsvColumns.Orders)
        {
            csv.WriteField(column);
        }

        await csv.EndRecordAsync(ct);
        var written = 0;
        var query = Orders(filter);
        (DateTime At, long Number)? after = null;
        while (true)
        {
            var pageQuery = query;
            if (after is var (at, number))
            {
                pageQuery = pageQuery.Where(o => o.CreatedAt > at || (o.CreatedAt == at && o.Number > number));
            }

            var page = await pageQuery.OrderBy(o => o.CreatedAt).ThenBy(o => o.Number).Take(PageSize)
                .Include(o => o.Lines).AsSplitQuery().ToListAsync(ct);
            if (page.Count == 0)
            {
                break;
            }

            var ids = page.Select(o => o.Id).ToList();
            var allocations = await (
                from a in db.Set<OrderDiscountAllocation>().AsNoTracking()
                join d in db.Set<DiscountDefinition>().AsNoTracking() on a.DiscountId equals d.Id
                where ids.Contains(a.OrderId)
                select new Allocation(a.OrderId, a.OrderLineId, d.Code ?? d.Title)).ToListAsync(ct);
            var byOrder = allocations.ToLookup(a => a.OrderId);
            var byLine = allocations.Where(a => a.OrderLineId is not null).ToLookup(a => a.OrderLineId!.Value);
            var refunds = filter.Lines ? [] : await db.Refunds.AsNoTracking()
                .Where(r => r.Status == RefundStatus.Succeeded && ids.Contains(r.OrderId))
                .GroupBy(r => r.OrderId).Select(g => new { OrderId = g.Key, Amount = g.Sum(r => r.Amount) })
                .ToDictionaryAsync(r => r.OrderId, r => r.Amount, ct);

            foreach (var order in page)
            {
                if (filter.Lines)
                {
                    // Ids are time-ordered (version 7): lines come out in the order checkout wrote them.
                    foreach (var line in order.Lines.OrderBy(l => l.Id))
                    {
                        WriteLine(csv, order, line, Codes(byLine[line.Id]));
                        await csv.EndRecordAsync(ct);
                    }
                }
                else
                {
                    WriteOrder(csv, order, Codes(byOrder[order.Id]), refunds.GetValueOrDefault(order.Id));
                    await csv.EndRecordAsync(ct);
                }

                written++;
            }

            await csv.FlushAsync(ct);
            progress?.Report(written);
            var last = page[^1];
            after = (last.CreatedAt, last.Number);
            if (page.Count < PageSize)
            {
                break;
            }
        }

        await csv.FlushAsync(ct);
        progress?.Report(written);
        return written;
    }

    private static void WriteOrder(CsvWriter csv, Order o, string codes, decimal refunded)
    {
        csv.WriteField(o.Number, default);
        csv.WriteField(Time(o.CreatedAt));
        csv.WriteField(Name(o.Status));
        csv.WriteField(Name(o.PaymentStatus));
        csv.WriteField(Name(o.FulfillmentStatus));
        csv.WriteField(o.Email);
        csv.WriteField(o.CustomerId?.ToString());
        csv.WriteField(o.Channel);
        csv.WriteField(o.Source);
        csv.WriteField(o.Currency);
        Money(csv, o.Subtotal);
        Money(csv, o.DiscountTotal);
        Money(csv, o.ShippingDiscount);
        csv.WriteField(codes);
        Money(csv, o.ShippingTotal);
        Money(csv, o.TaxTotal);
        Money(csv, o.Total);
        Money(csv, refunded);
        csv.WriteField(o.Lines.Sum(l => l.Quantity), default);
    }

    private static void WriteLine(CsvWriter csv, Order o, OrderLine l, string codes)
    {
        csv.WriteField(o.Number, default);
        csv.WriteField(Time(o.CreatedAt));
        csv.WriteField(Name(o.Status));
        csv.WriteField(l.Sku);
        csv.WriteField(l.Title);
        csv.WriteField(l.Quantity, default);
        Money(csv, l.UnitPrice);
        Money(csv, l.LineTotal);
        Money(csv, l.DiscountAmount);
        csv.WriteField(codes);
        Money(csv, l.NetTotal);
        Money(csv, l.TaxAmount);
        csv.WriteField(l.RefundedQuantity, default);
    }

    private sealed record Allocation(Guid OrderId, Guid? OrderLineId, string Name);

    /// <summary>Each discount once, in a stable order: a discount split over lines and shipping is still one code.</summary>
    private static string Codes(IEnumerable<Allocation> allocations) =>
        string.Join(OrderCsvColumns.CodeSeparator, allocations.Select(a => a.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));

    /// <summary>Plain decimals with two places, numbers (not text) to the writer so that injection escaping leaves them alone.</summary>
    private static void Money(CsvWriter csv, decimal amount) => csv.WriteField(MinorUnits.Round(amount), "0.00");

    private static string Time(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => StorekeepDbContext.ToSnakeCase(value.ToString());
}
