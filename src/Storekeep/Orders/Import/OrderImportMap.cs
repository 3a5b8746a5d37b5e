using System.Globalization;
using System.Text.Json;
using Storekeep.Shared;

namespace Storekeep.Orders.Import;

/// <summary>The fields an order history line can carry; a map names the CSV header of each it uses.</summary>
public static class OrderImportFields
{
    public const string OrderNumber = "orderNumber";
    public const string PlacedAt = "placedAt";
    public const string ShippedAt = "shippedAt";
    public const string CustomerId = "customerId";
    public const string CustomerEmail = "customerEmail";
    public const string CustomerName = "customerName";
    public const string Company = "company";
    public const string Sku = "sku";
    public const string ProductTitle = "productTitle";
    public const string Category = "category";
    public const string Quantity = "quantity";
    public const string LineTotal = "lineTotal";
    public const string UnitPrice = "unitPrice";
    public const string Discount = "discount";
    public const string Cost = "cost";
    public const string Profit = "profit";
    public const string Country = "country";
    public const string Region = "region";
    public const string City = "city";
    public const string PostalCode = "postalCode";
    public const string Channel = "channel";
    public const string ShipMode = "shipMode";

    /// <summary>Order-level, read only by the Shopify preset (Shopify's Shipping, Taxes and Cancelled at).</summary>
    internal const string Shipping = "shipping";
    internal const string Tax = "tax";
    internal const string CancelledAt = "cancelledAt";

    /// <summary>Every field a map may name, in the order the back office lists them.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        OrderNumber, PlacedAt, ShippedAt, CustomerId, CustomerEmail, CustomerName, Company, Sku, ProductTitle, Category,
        Quantity, LineTotal, UnitPrice, Discount, Cost, Profit, Country, Region, City, PostalCode, Channel, ShipMode,
    ];

    public static readonly IReadOnlyList<string> Required = [OrderNumber, PlacedAt, Sku, Quantity];
}

/// <summary>
/// How to read an order history CSV: which header holds each field, how dates are written, the
/// currency. <c>{"columns": {field: "CSV header"}, "dateFormat"?: "yyyy-MM-dd", "currency"?: "USD",
/// "preset"?: "shopify"}</c>; the Shopify preset needs no columns (any given override its own).
/// </summary>
public sealed class OrderImportMap
{
    public const string ShopifyPreset = "shopify";
    public const int MaxMapBytes = 64 * 1024;

    /// <summary>Shopify's orders export: field → header.</summary>
    public static readonly IReadOnlyDictionary<string, string> ShopifyColumns = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [OrderImportFields.OrderNumber] = "Name",
        [OrderImportFields.PlacedAt] = "Created at",
        [OrderImportFields.ShippedAt] = "Fulfilled at",
        [OrderImportFields.CustomerEmail] = "Email",
        [OrderImportFields.CustomerName] = "Shipping Name",
        [OrderImportFields.Sku] = "Lineitem sku",
        [OrderImportFields.ProductTitle] = "Lineitem name",
        [OrderImportFields.Quantity] = "Lineitem quantity",
        [OrderImportFields.UnitPrice] = "Lineitem price",
        [OrderImportFields.Discount] = "Lineitem discount",
        [OrderImportFields.Country] = "Shipping Country",
        [OrderImportFields.Region] = "Shipping Province",
        [OrderImportFields.City] = "Shipping City",
        [OrderImportFields.PostalCode] = "Shipping Zip",
        [OrderImportFields.ShipMode] = "Shipping Method",
        [OrderImportFields.Shipping] = "Shipping",
        [OrderImportFields.Tax] = "Taxes",
        [OrderImportFields.CancelledAt] = "Cancelled at",
    };

    /// <summary>Shopify puts the currency in a column of each order's first row.</summary>
    public const string ShopifyCurrencyColumn = "Currency";

    private OrderImportMap(IReadOnlyDictionary<string, string> columns, string? dateFormat, string? currency, string? preset)
    {
        Columns = columns;
        DateFormat = dateFormat;
        Currency = currency;
        Preset = preset;
    }

    /// <summary>Field → CSV header, preset columns included.</summary>
    public IReadOnlyDictionary<string, string> Columns { get; }

    /// <summary>A .NET date format ("yyyy-MM-dd", "M/d/yyyy"); when null, ISO 8601 and Shopify's "2024-01-15 10:23:45 -0500" are read.</summary>
    public string? DateFormat { get; }

    /// <summary>The orders' currency; when null, the store's (or, with the Shopify preset, each order's Currency column).</summary>
    public string? Currency { get; }

    public string? Preset { get; }

    public bool IsShopify => Preset == ShopifyPreset;

    public static OrderImportMap Shopify() => new(ShopifyColumns, null, null, ShopifyPreset);

    /// <summary>A map from its fields; throws <see cref="OrderImportMapException"/> with every problem.</summary>
    public static OrderImportMap Create(IReadOnlyDictionary<string, string>? columns, string? dateFormat = null, string? currency = null, string? preset = null)
    {
        var problems = new List<string>();
        preset = string.IsNullOrWhiteSpace(preset) ? null : preset.Trim().ToLowerInvariant();
        if (preset is not null and not ShopifyPreset)
        {
            problems.Add($"Unknown preset '{Shorten(preset)}'; the only preset is 'shopify'.");
        }

        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        if (preset == ShopifyPreset)
        {
            foreach (var (field, header) in ShopifyColumns)
            {
                merged[field] = header;
            }
        }

        foreach (var (field, header) in columns ?? new Dictionary<string, string>())
        {
            if (!OrderImportFields.All.Contains(field, StringComparer.Ordinal))
            {
                problems.Add($"Unknown field '{Shorten(field)}' in columns; the fields are {string.Join(", ", OrderImportFields.All)}.");
            }
            else if (string.IsNullOrWhiteSpace(header))
            {
                merged.Remove(field);
            }
            else if (header.Length > 200)
            {
                problems.Add($"The header for '{field}' is longer than 200 characters.");
            }
            else
            {
                merged[field] = header.Trim();
            }
        }

        foreach (var field in OrderImportFields.Required.Where(f => !merged.ContainsKey(f)))
        {
            problems.Add($"The map must name the column of '{field}'.");
        }

        if (!merged.ContainsKey(OrderImportFields.LineTotal) && !merged.ContainsKey(OrderImportFields.UnitPrice))
        {
            problems.Add("The map must name the column of 'lineTotal' or 'unitPrice'.");
        }

        if (merged.ContainsKey(OrderImportFields.Cost) && merged.ContainsKey(OrderImportFields.Profit))
        {
            problems.Add("Name 'cost' or 'profit', not both: cost is worked out from profit (line total less profit).");
        }

        dateFormat = string.IsNullOrWhiteSpace(dateFormat) ? null : dateFormat.Trim();
        if (dateFormat is not null && !IsUsableDateFormat(dateFormat))
        {
            problems.Add($"dateFormat '{Shorten(dateFormat)}' is not a usable .NET date format (e.g. \"yyyy-MM-dd\", \"M/d/yyyy HH:mm\").");
        }

        currency = string.IsNullOrWhiteSpace(currency) ? null : currency.Trim().ToUpperInvariant();
        if (currency is not null && (currency.Length != 3 || !currency.All(char.IsAsciiLetterUpper)))
        {
            problems.Add($"currency '{Shorten(currency)}' must be a three-letter ISO 4217 code such as \"USD\".");
        }

        if (problems.Count > 0)
        {
            throw new OrderImportMapException(problems);
        }

        return new OrderImportMap(merged, dateFormat, currency, preset);
    }

    /// <summary>Reads MAP.json; a file that is not such a map throws <see cref="OrderImportMapException"/>.</summary>
    public static OrderImportMap Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            throw new OrderImportMapException(["The map is empty: send {\"columns\": {field: \"CSV header\"}} or {\"preset\": \"shopify\"}."]);
        }

        if (json.Length > MaxMapBytes)
        {
            throw new OrderImportMapException([$"The map is larger than {MaxMapBytes / 1024} KB."]);
        }

        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new OrderImportMapException(["The map must be a JSON object."]);
            }

            var problems = new List<string>();
            Dictionary<string, string>? columns = null;
            string? dateFormat = null, currency = null, preset = null;
            foreach (var property in root.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "columns" when property.Value.ValueKind == JsonValueKind.Object:
                        columns = new Dictionary<string, string>(StringComparer.Ordinal);
                        foreach (var column in property.Value.EnumerateObject())
                        {
                            if (column.Value.ValueKind == JsonValueKind.String)
                            {
                                columns[column.Name] = column.Value.GetString()!;
                            }
                            else if (column.Value.ValueKind != JsonValueKind.Null)
                            {
                                problems.Add($"columns.{Shorten(column.Name)} must be a CSV header (a string).");
                            }
                        }

                        break;
                    case "columns" when property.Value.ValueKind == JsonValueKind.Null:
                        break;
                    case "columns":
                        problems.Add("'columns' must be an object of field → CSV header.");
                        break;
                    case "dateFormat" or "currency" or "preset" when property.Value.ValueKind is JsonValueKind.String or JsonValueKind.Null:
                        var text = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                        if (property.Name == "dateFormat")
                        {
                            dateFormat = text;
                        }
                        else if (property.Name == "currency")
                        {
                            currency = text;
                        }
                        else
                        {
                            preset = text;
                        }

                        break;
                    case "dateFormat" or "currency" or "preset":
                        problems.Add($"'{property.Name}' must be a string.");
                        break;
                    default:
                        problems.Add($"Unknown property '{Shorten(property.Name)}'; a map has columns, dateFormat, currency and preset.");
                        break;
                }
            }

            if (problems.Count > 0)
            {
                throw new OrderImportMapException(problems);
            }

            return Create(columns, dateFormat, currency, preset);
        }
        catch (JsonException e)
        {
            throw new OrderImportMapException([$"The map is not valid JSON: {e.Message}"]);
        }
    }

    /// <summary>The map as JSON, as MAP.json would hold it.</summary>
    public string ToJson()
    {
        var columns = IsShopify
            ? Columns.Where(c => !ShopifyColumns.TryGetValue(c.Key, out var h) || h != c.Value).ToDictionary(c => c.Key, c => c.Value)
            : Columns.Where(c => OrderImportFields.All.Contains(c.Key)).ToDictionary(c => c.Key, c => c.Value);
        return JsonSerializer.Serialize(new { columns, dateFormat = DateFormat, currency = Currency, preset = Preset }, new JsonSerializerOptions(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });
    }

    private static bool IsUsableDateFormat(string format)
    {
        if (format.Length > 64)
        {
            return false;
        }

        try
        {
            var sample = new DateTime(2024, 1, 15, 10, 23, 45, DateTimeKind.Utc).ToString(format, CultureInfo.InvariantCulture);
            return DateTime.TryParseExact(sample, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                   && format.Contains('y', StringComparison.Ordinal) && format.Contains('d', StringComparison.Ordinal);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    internal static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}

/// <summary>The map cannot be used (unknown field, a required field not mapped, a header the file lacks): 400 <c>invalid_import_map</c>.</summary>
public sealed class OrderImportMapException : StorekeepException
{
    public OrderImportMapException(IReadOnlyList<string> problems)
        : base(ErrorKind.BadRequest, "invalid_import_map", "The column map cannot be used: " + string.Join(" ", problems))
    {
        Problems = problems;
        Extensions = new Dictionary<string, object?> { ["problems"] = problems };
    }

    public IReadOnlyList<string> Problems { get; }
}
