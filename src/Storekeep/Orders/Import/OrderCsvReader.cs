using System.Globalization;
using System.Net.Mail;
using System.Text.RegularExpressions;
using CsvHelper;
using Storekeep.Shared;
using F = Storekeep.Orders.Import.OrderImportFields;

namespace Storekeep.Orders.Import;

/// <summary>One line of an order, checked and converted; money is rounded half away from zero to cents.</summary>
public sealed class ImportedLine
{
    public int Line { get; init; }
    public required string Sku { get; init; }
    public string? Title { get; init; }
    public string? Category { get; init; }
    public int Quantity { get; init; }
    public decimal LineTotal { get; init; }

    /// <summary>Cost of the whole line (the cost column, or line total less profit); null when the file has neither.</summary>
    public decimal? Cost { get; init; }
}

/// <summary>The lines of one order number; order-level fields come from the first line that fills them.</summary>
public sealed class ImportedOrder
{
    public required string Number { get; init; }
    public int Line { get; init; }
    public DateTime? PlacedAt { get; set; }
    public DateTime? ShippedAt { get; set; }
    public DateTime? CancelledAt { get; set; }
    public string? CustomerId { get; set; }
    public string? Email { get; set; }
    public string? CustomerName { get; set; }
    public string? Company { get; set; }
    public string? Country { get; set; }
    public string? Region { get; set; }
    public string? City { get; set; }
    public string? PostalCode { get; set; }
    public string? Channel { get; set; }
    public string? ShipMode { get; set; }
    public string? Currency { get; set; }
    public decimal Shipping { get; set; }
    public decimal Tax { get; set; }
    public List<ImportedLine> Lines { get; } = [];
}

public sealed class ImportedOrderFile
{
    public required IReadOnlyList<ImportedOrder> Orders { get; init; }
    public required List<OrderImportError> Errors { get; init; }
    public required IReadOnlyList<string> Headers { get; init; }
    public int Lines { get; init; }
}

/// <summary>
/// Reads an order history CSV through a <see cref="OrderImportMap"/>: one record at a time (BOM,
/// CRLF and quoted multi-line fields welcome), strict about values, every error with its line.
/// </summary>
public static partial class OrderCsvReader
{
    public const int MaxErrors = 1000;
    public const int TextMaxLength = 200;
    public const int NumberMaxLength = 64;
    public const int SkuMaxLength = 64;
    public const int MaxQuantity = 1_000_000;
    private const int MaxRecordBytes = 256 * 1024;

    /// <summary>Reads the header row only: the back office offers these in its column dropdowns.</summary>
    public static async Task<IReadOnlyList<string>> ReadHeadersAsync(Stream stream, CancellationToken ct)
    {
        await using var csv = CsvReader.Create(stream, Options(null), leaveOpen: true);
        try
        {
            await csv.ReadHeaderAsync(ct);
            return csv.Headers.Select(h => h.Trim()).ToList();
        }
        catch (CsvFormatException)
        {
            return [];
        }
    }

    /// <summary>The file's records as header → value, for a preview (at most <paramref name="limit"/>).</summary>
    public static async Task<IReadOnlyList<IReadOnlyDictionary<string, string>>> ReadSampleAsync(Stream stream, int limit, CancellationToken ct)
    {
        var rows = new List<IReadOnlyDictionary<string, string>>();
        await using var csv = CsvReader.Create(stream, Options(null), leaveOpen: true);
        try
        {
            await csv.ReadHeaderAsync(ct);
            var headers = csv.Headers.Select(h => h.Trim()).ToList();
            while (rows.Count < limit && await csv.ReadAsync(ct))
            {
                var row = new Dictionary<string, string>(StringComparer.Ordinal);
                for (var i = 0; i < headers.Count; i++)
                {
                    row.TryAdd(headers[i], i < csv.FieldCount ? csv.GetString(i) : "");
                }

                rows.Add(row);
            }
        }
        catch (CsvFormatException)
        {
            // The preview shows what could be read; the dry run reports the error with its line.
        }

        return rows;
    }

    public static async Task<ImportedOrderFile> ReadAsync(Stream stream, OrderImportMap map, IProgress<OrderImportProgress>? progress, CancellationToken ct)
    {
        var errors = new List<OrderImportError>();
        await using var csv = CsvReader.Create(stream, Options(errors), leaveOpen: true);
        var orders = new Dictionary<string, ImportedOrder>(StringComparer.Ordinal);
        var pool = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = 0;
        IReadOnlyList<string> headers = [];
        var total = stream.CanSeek ? (int)Math.Min(int.MaxValue, stream.Length / 1024) : 0;
        try
        {
            await csv.ReadHeaderAsync(ct);
            headers = csv.Headers.Select(h => h.Trim()).ToList();
            if (headers.Count == 0 || headers.All(string.IsNullOrWhiteSpace))
            {
                errors.Add(new OrderImportError(1, null, null, "The file is empty: expected a header row."));
                return new ImportedOrderFile { Orders = [], Errors = errors, Headers = headers };
            }

            var index = Index(headers, map);
            var fields = new string?[headers.Count];
            while (errors.Count < MaxErrors && await csv.ReadAsync(ct))
            {
                for (var i = 0; i < fields.Length; i++)
                {
                    fields[i] = i < csv.FieldCount ? csv.GetString(i) : null;
                }

                if (fields.All(string.IsNullOrWhiteSpace))
                {
                    continue; // spreadsheets leave rows of empty cells at the end
                }

                lines++;
                var record = new Record(fields, index, headers, (int)csv.LineNumber, errors, pool);
                ReadLine(record, map, orders);
                if (progress is not null && lines % 10_000 == 0 && stream.CanSeek)
                {
                    progress.Report(new OrderImportProgress("Reading the file", (int)Math.Min(total, stream.Position / 1024), total));
                }
            }
        }
        catch (CsvFormatException e)
        {
            errors.Add(new OrderImportError((int)Math.Max(1, e.LineNumber), null, null, $"The file cannot be read as CSV here: {e.Message}"));
        }

        if (errors.Count >= MaxErrors)
        {
            errors.Add(new OrderImportError((int)csv.LineNumber, null, null, $"Stopped reading after {MaxErrors} errors."));
        }

        foreach (var order in orders.Values.Where(o => o.PlacedAt is null && o.Lines.Count > 0))
        {
            var placedAt = map.Columns[F.PlacedAt];
            if (!errors.Any(e => e.OrderNumber == order.Number && e.Column == placedAt))
            {
                errors.Add(new OrderImportError(order.Line, order.Number, placedAt, $"Order '{Shorten(order.Number)}' has no {placedAt} on any of its lines."));
            }
        }

        if (lines == 0 && errors.Count == 0)
        {
            errors.Add(new OrderImportError(1, null, null, "The file has a header but no order lines."));
        }

        errors.Sort((a, b) => a.Line.CompareTo(b.Line));
        return new ImportedOrderFile { Orders = orders.Values.ToList(), Errors = errors, Headers = headers, Lines = lines };
    }

    private static CsvReaderOptions Options(List<OrderImportError>? errors) => CsvReaderOptions.Default with
    {
        Separator = ',',
        HasHeader = true,
        TrackLineNumbers = true,
        TrimWhitespace = false,
        SkipEmptyLines = true,
        MaxRecordSize = MaxRecordBytes,
        OnMalformedRecord = malformed =>
        {
            if (errors is not null && malformed.Reason is CsvMalformedReason.UnterminatedQuote or CsvMalformedReason.TextAfterClosingQuote)
            {
                errors.Add(new OrderImportError((int)malformed.LineNumber, null, null, malformed.Reason == CsvMalformedReason.UnterminatedQuote
                    ? "A quoted field is never closed: check for a missing '\"' in this line."
                    : "Text follows the closing quote of a field: quotes inside a quoted field must be doubled (\"\")."));
            }
        },
    };

    /// <summary>Field → column position. Headers match ignoring case and surrounding spaces; a mapped header the file lacks is a map error.</summary>
    private static Dictionary<string, int> Index(IReadOnlyList<string> headers, OrderImportMap map)
    {
        var positions = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < headers.Count; i++)
        {
            positions.TryAdd(headers[i], i);
        }

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var (field, header) in map.Columns)
        {
            if (positions.TryGetValue(header, out var position))
            {
                index[field] = position;
            }
            else if (!map.IsShopify || F.Required.Contains(field) || !OrderImportMap.ShopifyColumns.TryGetValue(field, out var preset) || preset != header)
            {
                missing.Add($"'{field}' is mapped to the column '{OrderImportMap.Shorten(header)}', which the file's header row does not have.");
            }
        }

        if (!index.ContainsKey(F.LineTotal) && !index.ContainsKey(F.UnitPrice))
        {
            missing.Add("The file has neither the lineTotal nor the unitPrice column the map names.");
        }

        if (missing.Count > 0)
        {
            throw new OrderImportMapException(missing);
        }

        if (map.IsShopify && positions.TryGetValue(OrderImportMap.ShopifyCurrencyColumn, out var currency) && map.Currency is null)
        {
            index[CurrencyField] = currency;
        }

        return index;
    }

    private const string CurrencyField = "currency";

    private static void ReadLine(Record r, OrderImportMap map, Dictionary<string, ImportedOrder> orders)
    {
        var number = r.Text(F.OrderNumber, NumberMaxLength);
        if (number is null)
        {
            r.Error(F.OrderNumber, "The order number is required on every line.");
            return;
        }

        r.OrderNumber = number;
        if (!orders.TryGetValue(number, out var order))
        {
            order = new ImportedOrder { Number = number, Line = r.Line };
            orders[number] = order;
        }

        var errorsBefore = r.ErrorCount;
        var placedAt = r.Date(F.PlacedAt, map.DateFormat);
        order.PlacedAt ??= placedAt;
        order.ShippedAt ??= r.Date(F.ShippedAt, map.DateFormat);
        order.CancelledAt ??= r.Date(F.CancelledAt, map.DateFormat);
        order.CustomerId ??= r.Text(F.CustomerId, NumberMaxLength);
        order.Email ??= r.Email(F.CustomerEmail);
        order.CustomerName ??= r.Text(F.CustomerName, TextMaxLength);
        order.Company ??= r.Text(F.Company, TextMaxLength);
        order.Country ??= r.Country(F.Country);
        order.Region ??= r.Text(F.Region, TextMaxLength);
        order.City ??= r.Text(F.City, TextMaxLength);
        order.PostalCode ??= r.Text(F.PostalCode, 32);
        order.Channel ??= r.Text(F.Channel, 64);
        order.ShipMode ??= r.Text(F.ShipMode, TextMaxLength);
        order.Currency ??= r.Currency(CurrencyField);
        if (r.Money(F.Shipping, allowNegative: false) is { } shipping)
        {
            order.Shipping = Round(shipping);
        }

        if (r.Money(F.Tax, allowNegative: false) is { } tax)
        {
            order.Tax = Round(tax);
        }

        var sku = r.Text(F.Sku, SkuMaxLength);
        if (sku is null && r.Has(F.Sku))
        {
            r.Error(F.Sku, "The SKU is required on every line.");
        }

        var quantity = r.Integer(F.Quantity, 1, MaxQuantity);
        if (quantity is null && r.IsValid(F.Quantity))
        {
            r.Error(F.Quantity, "The quantity is required on every line.");
        }

        var lineTotal = r.Money(F.LineTotal, allowNegative: false) is { } total ? Round(total) : (decimal?)null;
        var unitPrice = r.Money(F.UnitPrice, allowNegative: false);
        var discount = r.Money(F.Discount, allowNegative: false) ?? 0m;
        if (lineTotal is null && unitPrice is not null && quantity is { } q)
        {
            lineTotal = Round(unitPrice.Value * q - discount);
            if (lineTotal < 0)
            {
                r.Error(F.Discount, $"The discount ({discount.ToString(CultureInfo.InvariantCulture)}) is more than the line's price ({Round(unitPrice.Value * q).ToString(CultureInfo.InvariantCulture)}).");
            }
        }
        else if (lineTotal is null && r.IsValid(F.LineTotal) && r.IsValid(F.UnitPrice))
        {
            var column = r.Has(F.LineTotal) ? F.LineTotal : F.UnitPrice;
            r.Error(column, "The line total (or unit price) is required on every line.");
        }

        var cost = r.Money(F.Cost, allowNegative: false) is { } c ? Round(c) : (decimal?)null;
        if (r.Money(F.Profit, allowNegative: true) is { } profit && lineTotal is not null)
        {
            cost = Round(lineTotal.Value - profit);
        }

        if (r.ErrorCount > errorsBefore || sku is null || quantity is null || lineTotal is null)
        {
            return;
        }

        order.Lines.Add(new ImportedLine
        {
            Line = r.Line,
            Sku = r.Intern(sku),
            Title = r.Intern(r.Text(F.ProductTitle, TextMaxLength)),
            Category = r.Intern(r.Text(F.Category, TextMaxLength)),
            Quantity = quantity.Value,
            LineTotal = lineTotal.Value,
            Cost = cost,
        });
    }

    /// <summary>Money to cents, halves away from zero (2.345 → 2.35, −2.345 → −2.35).</summary>
    public static decimal Round(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);

    internal static string Shorten(string text) => OrderImportMap.Shorten(text);

    /// <summary>"2024-01-15 10:23:45 -0500" (Shopify): the offset without a colon.</summary>
    [GeneratedRegex(@"^(?<local>\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?) ?(?<sign>[+-])(?<hh>\d{2}):?(?<mm>\d{2})$")]
    private static partial Regex OffsetPattern();

    private static readonly string[] IsoFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF",
        "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss zzz",
    ];

    /// <summary>Country names the files we know write out in full; anything else needs the ISO 3166 two-letter code.</summary>
    private static readonly Dictionary<string, string> CountryNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["United States"] = "US", ["United States of America"] = "US", ["USA"] = "US", ["U.S."] = "US", ["Canada"] = "CA", ["Mexico"] = "MX",
        ["United Kingdom"] = "GB", ["UK"] = "GB", ["Great Britain"] = "GB", ["England"] = "GB", ["Ireland"] = "IE", ["France"] = "FR",
        ["Germany"] = "DE", ["Spain"] = "ES", ["Portugal"] = "PT", ["Italy"] = "IT", ["Netherlands"] = "NL", ["The Netherlands"] = "NL",
        ["Belgium"] = "BE", ["Luxembourg"] = "LU", ["Switzerland"] = "CH", ["Austria"] = "AT", ["Denmark"] = "DK", ["Sweden"] = "SE",
        ["Norway"] = "NO", ["Finland"] = "FI", ["Iceland"] = "IS", ["Poland"] = "PL", ["Czech Republic"] = "CZ", ["Czechia"] = "CZ",
        ["Slovakia"] = "SK", ["Hungary"] = "HU", ["Romania"] = "RO", ["Bulgaria"] = "BG", ["Greece"] = "GR", ["Croatia"] = "HR",
        ["Slovenia"] = "SI", ["Estonia"] = "EE", ["Latvia"] = "LV", ["Lithuania"] = "LT", ["Turkey"] = "TR", ["Ukraine"] = "UA",
        ["Australia"] = "AU", ["New Zealand"] = "NZ", ["Japan"] = "JP", ["China"] = "CN", ["Hong Kong"] = "HK", ["Taiwan"] = "TW",
        ["South Korea"] = "KR", ["Korea"] = "KR", ["Singapore"] = "SG", ["India"] = "IN", ["Indonesia"] = "ID", ["Malaysia"] = "MY",
        ["Philippines"] = "PH", ["Thailand"] = "TH", ["Vietnam"] = "VN", ["Brazil"] = "BR", ["Argentina"] = "AR", ["Chile"] = "CL",
        ["Colombia"] = "CO", ["Peru"] = "PE", ["South Africa"] = "ZA", ["Nigeria"] = "NG", ["Egypt"] = "EG", ["Morocco"] = "MA",
        ["Israel"] = "IL", ["United Arab Emirates"] = "AE", ["Saudi Arabia"] = "SA",
    };

    /// <summary>One record with typed accessors that report what is wrong against its line and column.</summary>
    private sealed class Record(string?[] fields, Dictionary<string, int> index, IReadOnlyList<string> headers, int line, List<OrderImportError> errors, Dictionary<string, string> pool)
    {
        private readonly HashSet<string> _invalid = new(StringComparer.Ordinal);

        public int Line { get; } = line;
        public string? OrderNumber { get; set; }
        public int ErrorCount { get; private set; }

        public bool Has(string field) => index.ContainsKey(field);

        public bool IsValid(string field) => !_invalid.Contains(field);

        [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(text))]
        public string? Intern(string? text)
        {
            if (text is null)
            {
                return null;
            }

            if (pool.TryGetValue(text, out var pooled))
            {
                return pooled;
            }

            pool[text] = text;
            return text;
        }

        public void Error(string field, string message)
        {
            _invalid.Add(field);
            ErrorCount++;
            errors.Add(new OrderImportError(Line, OrderNumber, Header(field), message));
        }

        public string? Text(string field, int maxLength)
        {
            var value = Raw(field)?.Trim();
            if (string.IsNullOrEmpty(value))
            {
                return null;
            }

            if (value.Length > maxLength)
            {
                Error(field, $"{Header(field)} must be at most {maxLength} characters (it has {value.Length}).");
                return null;
            }

            if (value.Any(char.IsControl))
            {
                Error(field, $"{Header(field)} must not contain line breaks or control characters.");
                return null;
            }

            return value;
        }

        public string? Email(string field)
        {
            var text = Text(field, 254);
            if (text is null)
            {
                return null;
            }

            if (!MailAddress.TryCreate(text, out var address) || address.Address != text || !text.Contains('.', StringComparison.Ordinal))
            {
                Error(field, $"{Header(field)} '{Shorten(text)}' is not an email address.");
                return null;
            }

            return text.ToLowerInvariant();
        }

        public string? Country(string field)
        {
            var text = Text(field, 80);
            if (text is null)
            {
                return null;
            }

            if (text.Length == 2 && text.All(char.IsAsciiLetter))
            {
                return text.ToUpperInvariant();
            }

            if (CountryNames.TryGetValue(text, out var code))
            {
                return code;
            }

            Error(field, $"{Header(field)} '{Shorten(text)}' is not a country this import knows by name; use its ISO 3166 two-letter code (e.g. US, GB, DE).");
            return null;
        }

        public string? Currency(string field)
        {
            var text = Text(field, 8);
            if (text is null)
            {
                return null;
            }

            if (text.Length != 3 || !text.All(char.IsAsciiLetter))
            {
                Error(field, $"{Header(field)} '{Shorten(text)}' is not a three-letter currency code.");
                return null;
            }

            return text.ToUpperInvariant();
        }

        public DateTime? Date(string field, string? format)
        {
            var text = Text(field, 64);
            if (text is null)
            {
                return null;
            }

            var styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
            if (format is not null)
            {
                if (DateTimeOffset.TryParseExact(text, format, CultureInfo.InvariantCulture, styles, out var exact))
                {
                    return exact.UtcDateTime;
                }

                Error(field, $"{Header(field)} '{Shorten(text)}' is not a date in the format '{format}'.");
                return null;
            }

            var match = OffsetPattern().Match(text);
            if (match.Success)
            {
                text = $"{match.Groups["local"].Value.Replace(' ', 'T')}{match.Groups["sign"].Value}{match.Groups["hh"].Value}:{match.Groups["mm"].Value}";
                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, styles, out var withOffset))
                {
                    return withOffset.UtcDateTime;
                }
            }
            else if (DateTimeOffset.TryParseExact(text, IsoFormats, CultureInfo.InvariantCulture, styles, out var iso))
            {
                return iso.UtcDateTime;
            }

            Error(field, $"{Header(field)} '{Shorten(text)}' is not a date (use ISO 8601 such as 2024-01-15 or 2024-01-15 10:23:45 -0500, or give the map a dateFormat).");
            return null;
        }

        public decimal? Money(string field, bool allowNegative)
        {
            var text = Text(field, 40);
            if (text is null)
            {
                return null;
            }

            var digits = text.TrimStart('$', '€', '£', '¥').Replace(",", "", StringComparison.Ordinal);
            if (!decimal.TryParse(digits, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                Error(field, $"{Header(field)} '{Shorten(text)}' is not an amount (use digits and a '.' for decimals, e.g. 19.99).");
                return null;
            }

            if (Math.Abs(value) > Validation.MaxMoney || (!allowNegative && value < 0))
            {
                Error(field, value < 0 ? $"{Header(field)} must not be negative ({text})." : $"{Header(field)} is too large ({text}).");
                return null;
            }

            return value;
        }

        public int? Integer(string field, int min, int max)
        {
            var text = Text(field, 20);
            if (text is null)
            {
                return null;
            }

            // "3.0" is three; "2.5" is not a quantity.
            if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value != decimal.Truncate(value))
            {
                Error(field, $"{Header(field)} '{Shorten(text)}' is not a whole number.");
                return null;
            }

            if (value < min || value > max)
            {
                Error(field, $"{Header(field)} must be between {min} and {max} ({text}).");
                return null;
            }

            return (int)value;
        }

        private string Header(string field) => index.TryGetValue(field, out var i) && i < headers.Count ? headers[i] : field;

        private string? Raw(string field) =>
            index.TryGetValue(field, out var i) && i < fields.Length ? fields[i] : null;
    }
}
