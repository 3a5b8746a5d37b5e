using System.Globalization;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Attribution;

public static class AttributionPermissions
{
    public const string Read = "marketing.read";
    public const string Write = "marketing.write";
}

/// <param name="Date">The day the money was spent (ISO date).</param>
public sealed record MarketingSpendRequest(string? Date, string? Source, string? Medium, string? Campaign, decimal? Amount);

public sealed record MarketingSpendView(Guid Id, DateOnly Date, string Source, string? Medium, string? Campaign, decimal Amount, DateTime CreatedAt);

public sealed record SpendImportResult(int Imported, decimal Total);

/// <summary>The JSON form of a spend import: the CSV file as a string.</summary>
public sealed record SpendImportRequest(string? Csv);

/// <summary>Marketing spend per channel and day, entered one at a time or as a CSV of the same columns.</summary>
public sealed class MarketingSpendLedger(StorekeepDbContext db, TimeProvider clock)
{
    public const int MaxImportRows = 10_000;

    public async Task<MarketingSpendView> AddAsync(MarketingSpendRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var spend = Valid(v, request, "");
        v.ThrowIfInvalid();
        db.Add(spend!);
        await db.SaveChangesAsync(ct);
        return View(spend!);
    }

    /// <summary>All rows or none: a CSV with any bad row is refused with every row's reasons (keys <c>rows[line].field</c>).</summary>
    public async Task<SpendImportResult> ImportAsync(Stream stream, CancellationToken ct)
    {
        var v = new Validation();
        var rows = new List<MarketingSpend>();
        await using var csv = CsvReader.Create(stream, CsvReaderOptions.Default with { Separator = ',', HasHeader = true, TrackLineNumbers = true, SkipEmptyLines = true }, leaveOpen: true);
        try
        {
            await csv.ReadHeaderAsync(ct);
            var headers = csv.Headers.Select(h => h.Trim().ToLowerInvariant()).ToList();
            foreach (var column in new[] { "date", "source", "amount" }.Where(c => !headers.Contains(c)))
            {
                v.Add("file", $"The header has no '{column}' column; expected date,source,medium,campaign,amount.");
            }

            v.ThrowIfInvalid();
            string? Field(string column) => headers.IndexOf(column) is var i and >= 0 && i < csv.FieldCount ? csv.GetString(i) : null;
            while (await csv.ReadAsync(ct))
            {
                if (rows.Count >= MaxImportRows)
                {
                    throw Refusal($"A spend CSV holds at most {MaxImportRows} rows; split the file.");
                }

                var line = csv.LineNumber;
                var amountText = Field("amount");
                decimal? amount = decimal.TryParse(amountText, NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
                if (amount is null && !string.IsNullOrWhiteSpace(amountText))
                {
                    v.Add($"rows[{line}].amount", $"'{Analytics.ReportRange.Shorten(amountText)}' is not an amount (use a dot for decimals, e.g. 120.50).");
                    continue;
                }

                if (Valid(v, new MarketingSpendRequest(Field("date"), Field("source"), Field("medium"), Field("campaign"), amount), $"rows[{line}].") is { } row)
                {
                    rows.Add(row);
                }
            }
        }
        catch (CsvFormatException e)
        {
            throw Refusal($"Line {e.LineNumber} cannot be read as CSV: {e.Message}");
        }

        if (rows.Count == 0 && !v.HasErrors)
        {
            v.Add("file", "The CSV has no rows; expected a header date,source,medium,campaign,amount and a row per day and channel.");
        }

        v.ThrowIfInvalid();
        db.AddRange(rows);
        await db.SaveChangesAsync(ct);
        return new SpendImportResult(rows.Count, rows.Sum(r => r.Amount));
    }

    public async Task<Page<MarketingSpendView>> ListAsync(int? limit, string? cursor, CancellationToken ct)
    {
        var take = Cursor.Limit(limit);
        var after = Cursor.DecodeGuid(cursor);
        var query = db.Set<MarketingSpend>().AsNoTracking();
        if (after is { } a)
        {
            query = query.Where(s => s.Id.CompareTo(a) < 0);
        }

        var rows = await query.OrderByDescending(s => s.Id).Take(take + 1).ToListAsync(ct);
        var items = rows.Take(take).Select(View).ToList();
        return new Page<MarketingSpendView>(items, rows.Count > take ? Cursor.Encode(items[^1].Id.ToString()) : null);
    }

    private static RequestValidationException Refusal(string message) => new(new Dictionary<string, string[]> { ["file"] = [message] });

    /// <summary>The row, or null when it has errors (added to <paramref name="v"/> under <paramref name="prefix"/>).</summary>
    private MarketingSpend? Valid(Validation v, MarketingSpendRequest request, string prefix)
    {
        var before = v.ErrorCount;
        DateOnly date = default;
        if (string.IsNullOrWhiteSpace(request.Date))
        {
            v.Add(prefix + "date", $"'{prefix}date' is required (yyyy-MM-dd).");
        }
        else if (!DateOnly.TryParseExact(request.Date.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date) || date.Year is < 2000 or > 2100)
        {
            v.Add(prefix + "date", $"'{Analytics.ReportRange.Shorten(request.Date)}' is not an ISO date (yyyy-MM-dd).");
        }

        var source = v.Required(prefix + "source", request.Source?.Trim().ToLowerInvariant(), Touch.SourceMaxLength);
        var medium = v.Text(prefix + "medium", request.Medium?.Trim().ToLowerInvariant(), Touch.SourceMaxLength);
        var campaign = v.Text(prefix + "campaign", request.Campaign?.Trim(), Touch.CampaignMaxLength);
        var amount = v.Money(prefix + "amount", request.Amount);
        return v.ErrorCount > before ? null : new MarketingSpend
        {
            Date = date,
            Source = source,
            Medium = medium,
            Campaign = campaign,
            Amount = amount,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
    }

    private static MarketingSpendView View(MarketingSpend s) => new(s.Id, s.Date, s.Source, s.Medium, s.Campaign, s.Amount, s.CreatedAt);
}
