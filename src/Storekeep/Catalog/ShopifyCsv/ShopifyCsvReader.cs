using System.Globalization;
using System.Text.RegularExpressions;
using CsvHelper;
using Storekeep.Shared;

namespace Storekeep.Catalog.ShopifyCsv;

/// <summary>One variant row of the file, checked and converted. Null fields were blank or their column is absent.</summary>
public sealed class ShopifyVariantRow
{
    public int Row { get; init; }
    public int Line { get; init; }
    public required string Sku { get; set; }

    /// <summary>The file left Variant SKU blank; <see cref="Sku"/> was made from the handle and option values.</summary>
    public bool SkuGenerated { get; init; }

    public string? Option1 { get; set; }
    public string? Option2 { get; set; }
    public string? Option3 { get; set; }
    public decimal? Price { get; init; }
    public decimal? CompareAtPrice { get; init; }
    public decimal? Cost { get; init; }
    public int? WeightGrams { get; init; }
    public string? Barcode { get; init; }
    public int? Quantity { get; init; }
    public string? ImageUrl { get; init; }

    /// <summary>"Red / M", or null without options.</summary>
    public string? Title => string.Join(" / ", new[] { Option1, Option2, Option3 }.OfType<string>()) is { Length: > 0 } t ? t : null;
}

public sealed record ShopifyImageRow(int Row, string Url, string? AltText, int? Position);

/// <summary>The rows of one handle: product fields from its first row, its variants and images in file order.</summary>
public sealed class ShopifyProductRows
{
    public required string Handle { get; init; }
    public int Row { get; init; }
    public int Line { get; init; }
    public string? Title { get; set; }
    public string? BodyHtml { get; set; }
    public string? Vendor { get; set; }
    public string? ProductCategory { get; set; }
    public string? Type { get; set; }
    public string? Tags { get; set; }
    public bool? Published { get; set; }
    public ProductStatus? Status { get; set; }
    public string? SeoTitle { get; set; }
    public string? SeoDescription { get; set; }
    public string? Option1Name { get; set; }
    public string? Option2Name { get; set; }
    public string? Option3Name { get; set; }
    public List<ShopifyVariantRow> Variants { get; } = [];
    public List<ShopifyImageRow> Images { get; } = [];

    /// <summary>The name of our category: Type (the merchant's own word), else the last step of Shopify's Product Category.</summary>
    public string? CategoryName =>
        Type ?? ProductCategory?.Split('>', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).LastOrDefault();

    /// <summary>Status wins; without it, Published TRUE means active and FALSE draft.</summary>
    public ProductStatus? EffectiveStatus => Status ?? Published switch
    {
        true => ProductStatus.Active,
        false => ProductStatus.Draft,
        null => null,
    };
}

/// <summary>A parsed file: the products in first-seen order, the columns it has, and every row error.</summary>
public sealed class ShopifyCsvFile
{
    public required IReadOnlySet<string> Columns { get; init; }
    public required IReadOnlyList<ShopifyProductRows> Products { get; init; }
    public required List<ImportRowError> Errors { get; init; }
    public int Rows { get; init; }

    /// <summary>Columns absent from the file leave the existing value alone on update; present and blank clears it.</summary>
    public bool Has(string column) => Columns.Contains(column);
}

/// <summary>
/// Reads Shopify's product CSV. Tolerant of column order, letter case in headers, unknown columns, a
/// BOM, CRLF and quoted multi-line fields; strict about values, collecting every error with its row.
/// </summary>
public static partial class ShopifyCsvReader
{
    public const int TitleMaxLength = 200;
    public const int DescriptionMaxLength = 20000;
    public const int TextMaxLength = 200;
    public const int TagsMaxLength = 2000;
    public const int SeoDescriptionMaxLength = 1000;
    public const int UrlMaxLength = 2000;
    public const int AltTextMaxLength = 512;
    public const int SkuMaxLength = 64;

    /// <summary>Beyond this the file is refused without reading further: a catalog is not a log.</summary>
    public const int MaxErrors = 1000;

    /// <summary>One record (a product row with its HTML body) larger than this is not a catalog row.</summary>
    private const int MaxRecordBytes = 1024 * 1024;

    private const string DefaultTitleOption = "Title";
    private const string DefaultTitleValue = "Default Title";

    public static async Task<ShopifyCsvFile> ReadAsync(Stream stream, CancellationToken ct)
    {
        var errors = new List<ImportRowError>();
        var options = CsvReaderOptions.Default with
        {
            Separator = ',',
            HasHeader = true,
            TrackLineNumbers = true,
            TrimWhitespace = false,
            SkipEmptyLines = true,
            MaxRecordSize = MaxRecordBytes,
            OnMalformedRecord = malformed =>
            {
                // A stray quote inside a field ('5" screen') is read as text, as Shopify does; the others lose data.
                if (malformed.Reason is CsvMalformedReason.UnterminatedQuote or CsvMalformedReason.TextAfterClosingQuote)
                {
                    errors.Add(new ImportRowError((int)malformed.RecordNumber, (int)malformed.LineNumber, null, null, malformed.Reason == CsvMalformedReason.UnterminatedQuote
                        ? "A quoted field is never closed: check for a missing '\"' in this row."
                        : "Text follows the closing quote of a field: quotes inside a quoted field must be doubled (\"\")."));
                }
            },
        };

        await using var csv = CsvReader.Create(stream, options, leaveOpen: true);
        var products = new Dictionary<string, ShopifyProductRows>(StringComparer.Ordinal);
        var order = new List<ShopifyProductRows>();
        var rows = 1;
        IReadOnlySet<string> columns = new HashSet<string>();
        try
        {
            await csv.ReadHeaderAsync(ct);
            var index = HeaderIndex(csv.Headers);
            columns = index.Keys.ToHashSet(StringComparer.Ordinal);
            if (csv.Headers.Count == 0 || csv.Headers.All(string.IsNullOrWhiteSpace))
            {
                errors.Add(new ImportRowError(1, 1, null, ShopifyColumns.Handle, "The file is empty: expected a header row with at least a Handle column."));
                return new ShopifyCsvFile { Columns = columns, Products = [], Errors = errors };
            }

            if (!columns.Contains(ShopifyColumns.Handle))
            {
                errors.Add(new ImportRowError(1, 1, null, ShopifyColumns.Handle, "The header row has no Handle column; is this a Shopify product CSV?"));
                return new ShopifyCsvFile { Columns = columns, Products = [], Errors = errors };
            }

            var fields = new string?[index.Count == 0 ? 0 : index.Values.Max() + 1];
            while (errors.Count < MaxErrors && await csv.ReadAsync(ct))
            {
                rows++;
                for (var i = 0; i < fields.Length; i++)
                {
                    fields[i] = i < csv.FieldCount ? csv.GetString(i) : null;
                }

                var record = new Record(fields, index, (int)csv.RowNumber + 1, (int)csv.LineNumber, errors);
                if (record.IsBlank)
                {
                    continue; // spreadsheets leave rows of empty cells at the end
                }

                var handle = record.Text(ShopifyColumns.Handle, Slugs.MaxLength);
                if (handle is null)
                {
                    record.Error(ShopifyColumns.Handle, "Handle is required on every row.");
                    continue;
                }

                if (!Slugs.IsValid(handle))
                {
                    record.Error(ShopifyColumns.Handle, $"Handle '{Shorten(handle)}' must be lowercase letters and digits separated by single hyphens (e.g. 'blue-mug-2').");
                    continue;
                }

                if (!products.TryGetValue(handle, out var product))
                {
                    product = ReadProduct(record, handle);
                    products[handle] = product;
                    order.Add(product);
                }

                ReadVariantOrImage(record, product);
            }
        }
        catch (CsvFormatException e)
        {
            errors.Add(new ImportRowError((int)Math.Max(1, e.RecordNumber), (int)Math.Max(1, e.LineNumber), null, null, $"The file cannot be read as CSV here: {e.Message}"));
            return new ShopifyCsvFile { Columns = columns, Products = order, Errors = errors, Rows = rows };
        }

        if (errors.Count >= MaxErrors)
        {
            errors.Add(new ImportRowError(rows, (int)csv.LineNumber, null, null, $"Stopped reading after {MaxErrors} errors."));
        }

        foreach (var product in order)
        {
            CheckProduct(product, columns, errors);
        }

        CheckSkusUnique(order, errors);
        errors.Sort((a, b) => a.Row.CompareTo(b.Row));
        return new ShopifyCsvFile { Columns = columns, Products = order, Errors = errors, Rows = rows };
    }

    private static Dictionary<string, int> HeaderIndex(IReadOnlyList<string> header)
    {
        var known = ShopifyColumns.All.ToDictionary(c => c, StringComparer.OrdinalIgnoreCase);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            var name = header[i].Trim().Trim('\uFEFF').Trim();
            if (known.TryGetValue(name, out var canonical))
            {
                index.TryAdd(canonical, i); // the first of duplicated columns wins
            }
        }

        return index;
    }

    private static ShopifyProductRows ReadProduct(Record record, string handle)
    {
        var title = record.Text(ShopifyColumns.Title, TitleMaxLength);
        if (title is null && record.Has(ShopifyColumns.Title))
        {
            record.Error(ShopifyColumns.Title, "Title is required on the first row of a product.");
        }

        var product = new ShopifyProductRows
        {
            Handle = handle,
            Row = record.Row,
            Line = record.Line,
            Title = title,
            BodyHtml = record.Body(ShopifyColumns.Body, DescriptionMaxLength),
            Vendor = record.Text(ShopifyColumns.Vendor, TextMaxLength),
            ProductCategory = record.Text(ShopifyColumns.ProductCategory, 1000),
            Type = record.Text(ShopifyColumns.Type, TextMaxLength),
            Tags = NormalizeTags(record),
            Published = record.Boolean(ShopifyColumns.Published),
            Status = ReadStatus(record),
            SeoTitle = record.Text(ShopifyColumns.SeoTitle, TextMaxLength),
            SeoDescription = record.Text(ShopifyColumns.SeoDescription, SeoDescriptionMaxLength),
            Option1Name = record.Text(ShopifyColumns.Option1Name, TextMaxLength),
            Option2Name = record.Text(ShopifyColumns.Option2Name, TextMaxLength),
            Option3Name = record.Text(ShopifyColumns.Option3Name, TextMaxLength),
        };
        if (product.CategoryName is { Length: > TitleMaxLength })
        {
            record.Error(ShopifyColumns.Type, $"The category name must be at most {TitleMaxLength} characters.");
        }

        if (record.Boolean(ShopifyColumns.GiftCard) == true)
        {
            record.Error(ShopifyColumns.GiftCard, "Gift cards are not supported; remove this product's rows or set Gift Card to FALSE.");
        }

        return product;
    }

    private static void ReadVariantOrImage(Record record, ShopifyProductRows product)
    {
        if (record.Text(ShopifyColumns.ImageSrc, UrlMaxLength) is { } src)
        {
            if (IsHttpUrl(src))
            {
                var position = record.Integer(ShopifyColumns.ImagePosition, 1, 1000);
                product.Images.Add(new ShopifyImageRow(record.Row, src, record.Text(ShopifyColumns.ImageAltText, AltTextMaxLength), position));
            }
            else
            {
                record.Error(ShopifyColumns.ImageSrc, $"Image Src '{Shorten(src)}' must be an http or https URL.");
            }
        }

        if (!ShopifyColumns.VariantFields.Any(record.Filled))
        {
            return;
        }

        var variantImage = record.Text(ShopifyColumns.VariantImage, UrlMaxLength);
        if (variantImage is not null && !IsHttpUrl(variantImage))
        {
            record.Error(ShopifyColumns.VariantImage, $"Variant Image '{Shorten(variantImage)}' must be an http or https URL.");
        }

        var option1 = record.Text(ShopifyColumns.Option1Value, TextMaxLength);
        var option2 = record.Text(ShopifyColumns.Option2Value, TextMaxLength);
        var option3 = record.Text(ShopifyColumns.Option3Value, TextMaxLength);
        var sku = record.Text(ShopifyColumns.VariantSku, SkuMaxLength);
        if (sku is not null && !SkuPattern().IsMatch(sku))
        {
            record.Error(ShopifyColumns.VariantSku, $"Variant SKU '{Shorten(sku)}' may contain only letters, digits, '-', '_', '.' and '/' (no spaces).");
        }

        var barcode = record.Text(ShopifyColumns.VariantBarcode, SkuMaxLength);
        if (barcode is not null && !SkuPattern().IsMatch(barcode))
        {
            record.Error(ShopifyColumns.VariantBarcode, $"Variant Barcode '{Shorten(barcode)}' may contain only letters, digits, '-', '_', '.' and '/'.");
        }

        var price = record.Money(ShopifyColumns.VariantPrice);
        if (price is null && record.Has(ShopifyColumns.VariantPrice) && record.IsValid(ShopifyColumns.VariantPrice))
        {
            record.Error(ShopifyColumns.VariantPrice, "Variant Price is required on a variant row.");
        }

        var grams = record.Decimal(ShopifyColumns.VariantGrams, 0, CatalogService.MaxWeightGrams, "grams");
        product.Variants.Add(new ShopifyVariantRow
        {
            Row = record.Row,
            Line = record.Line,
            Sku = sku ?? GeneratedSku(product.Handle, option1, option2, option3),
            SkuGenerated = sku is null,
            Option1 = option1,
            Option2 = option2,
            Option3 = option3,
            Price = price,
            CompareAtPrice = record.Money(ShopifyColumns.VariantCompareAtPrice),
            Cost = record.Money(ShopifyColumns.CostPerItem),
            WeightGrams = grams is null ? null : (int)decimal.Round(grams.Value, MidpointRounding.AwayFromZero),
            Barcode = barcode,
            Quantity = record.Integer(ShopifyColumns.VariantInventoryQty, 0, Validation.MaxQuantity),
            ImageUrl = variantImage,
        });
    }

    private static void CheckProduct(ShopifyProductRows product, IReadOnlySet<string> columns, List<ImportRowError> errors)
    {
        void Error(int row, int line, string? column, string message) => errors.Add(new ImportRowError(row, line, product.Handle, column, message));

        if (product.Variants.Count == 0)
        {
            Error(product.Row, product.Line, null, "A product needs at least one variant row (with a Variant Price).");
            return;
        }

        // Shopify's way of saying "no options": Option1 Name "Title" with the single value "Default Title".
        if (product.Variants.Count == 1 && string.Equals(product.Option1Name, DefaultTitleOption, StringComparison.OrdinalIgnoreCase)
            && product.Option2Name is null && product.Option3Name is null
            && string.Equals(product.Variants[0].Option1, DefaultTitleValue, StringComparison.OrdinalIgnoreCase))
        {
            product.Option1Name = null;
            product.Variants[0].Option1 = null;
        }

        var names = new[] { product.Option1Name, product.Option2Name, product.Option3Name };
        var valueColumns = new[] { ShopifyColumns.Option1Value, ShopifyColumns.Option2Value, ShopifyColumns.Option3Value };
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var (variant, position) in product.Variants.Select((v, i) => (v, i)))
        {
            if (position == CatalogService.MaxVariants)
            {
                Error(variant.Row, variant.Line, null, $"A product may have at most {CatalogService.MaxVariants} variants; '{product.Handle}' has {product.Variants.Count}.");
            }

            var values = new[] { variant.Option1, variant.Option2, variant.Option3 };
            for (var i = 0; i < 3; i++)
            {
                if (names[i] is not null && values[i] is null && columns.Contains(valueColumns[i]))
                {
                    Error(variant.Row, variant.Line, valueColumns[i], $"{valueColumns[i]} is required: the product's Option{i + 1} Name is '{names[i]}'.");
                }
                else if (names[i] is null && values[i] is not null)
                {
                    Error(variant.Row, variant.Line, valueColumns[i], $"{valueColumns[i]} '{values[i]}' is set but the product has no Option{i + 1} Name (on its first row).");
                }
            }

            var key = string.Join('\u001f', values.Select(v => v ?? ""));
            if (!seen.TryAdd(key, variant.Row))
            {
                var shown = variant.Title is { } title ? $"the option values '{title}'" : "a variant without option values";
                Error(variant.Row, variant.Line, ShopifyColumns.Option1Value, $"This variant repeats {shown} of row {seen[key]}; each variant needs its own combination.");
            }
        }
    }

    private static void CheckSkusUnique(IReadOnlyList<ShopifyProductRows> products, List<ImportRowError> errors)
    {
        var firstRow = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var product in products)
        {
            foreach (var variant in product.Variants)
            {
                if (!firstRow.TryAdd(variant.Sku, variant.Row))
                {
                    var what = variant.SkuGenerated ? $"The SKU made from the handle and options ('{variant.Sku}')" : $"SKU '{variant.Sku}'";
                    errors.Add(new ImportRowError(variant.Row, variant.Line, product.Handle, ShopifyColumns.VariantSku, $"{what} is already used on row {firstRow[variant.Sku]}; SKUs must be unique."));
                }
            }
        }
    }

    /// <summary>Blank Variant SKU: "classic-tee-red-m", stable across imports, so the variant is found again.</summary>
    internal static string GeneratedSku(string handle, string? option1, string? option2, string? option3)
    {
        var sku = Slugs.From(string.Join(' ', new[] { handle, option1, option2, option3 }.OfType<string>()), handle);
        return sku.Length > SkuMaxLength ? sku[..SkuMaxLength].TrimEnd('-') : sku;
    }

    private static string? NormalizeTags(Record record)
    {
        var raw = record.Text(ShopifyColumns.Tags, int.MaxValue);
        if (raw is null)
        {
            return null;
        }

        var tags = raw.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var joined = string.Join(", ", tags);
        if (joined.Length > TagsMaxLength)
        {
            record.Error(ShopifyColumns.Tags, $"Tags must be at most {TagsMaxLength} characters together.");
        }

        return joined.Length == 0 ? null : joined;
    }

    private static ProductStatus? ReadStatus(Record record)
    {
        switch (record.Text(ShopifyColumns.Status, 50)?.ToLowerInvariant())
        {
            case null:
                return null;
            case "active":
                return ProductStatus.Active;
            case "draft":
                return ProductStatus.Draft;
            case "archived":
                return ProductStatus.Archived;
            case var other:
                record.Error(ShopifyColumns.Status, $"Status '{Shorten(other)}' must be active, draft or archived.");
                return null;
        }
    }

    private static bool IsHttpUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && !text.Any(char.IsWhiteSpace);

    internal static string Shorten(string text) => text.Length > 60 ? text[..60] + "…" : text;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._/-]*$")]
    private static partial Regex SkuPattern();

    /// <summary>One record with typed accessors that report what is wrong against its row and column.</summary>
    private sealed class Record(string?[] fields, Dictionary<string, int> index, int row, long line, List<ImportRowError> errors)
    {
        private readonly HashSet<string> _invalid = new(StringComparer.Ordinal);
        private string? _handle;

        public int Row { get; } = row;
        public int Line { get; } = (int)line;
        public bool IsBlank => fields.All(string.IsNullOrWhiteSpace);

        public bool Has(string column) => index.ContainsKey(column);

        public bool IsValid(string column) => !_invalid.Contains(column);

        public bool Filled(string column) => !string.IsNullOrWhiteSpace(Raw(column));

        public void Error(string? column, string message)
        {
            if (column is not null)
            {
                _invalid.Add(column);
            }

            errors.Add(new ImportRowError(Row, Line, _handle ??= Raw(ShopifyColumns.Handle)?.Trim(), column, message));
        }

        /// <summary>Trimmed single-line text; null when blank or the column is absent.</summary>
        public string? Text(string column, int maxLength)
        {
            var value = Raw(column)?.Trim();
            if (string.IsNullOrEmpty(value))
            {
                return null;
            }

            if (value.Length > maxLength)
            {
                Error(column, $"{column} must be at most {maxLength} characters (it has {value.Length}).");
            }
            else if (value.Any(char.IsControl))
            {
                Error(column, $"{column} must not contain line breaks or control characters.");
            }

            return value;
        }

        /// <summary>HTML may span lines; other control characters are refused.</summary>
        public string? Body(string column, int maxLength)
        {
            var value = Raw(column);
            if (string.IsNullOrWhiteSpace(value))
            {
                return null;
            }

            if (value.Length > maxLength)
            {
                Error(column, $"{column} must be at most {maxLength} characters (it has {value.Length}).");
            }
            else if (value.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
            {
                Error(column, $"{column} must not contain control characters other than line breaks and tabs.");
            }

            return value;
        }

        public bool? Boolean(string column)
        {
            switch (Text(column, 10)?.ToLowerInvariant())
            {
                case null:
                    return null;
                case "true" or "yes" or "1":
                    return true;
                case "false" or "no" or "0":
                    return false;
                case var other:
                    Error(column, $"{column} '{Shorten(other)}' must be TRUE or FALSE.");
                    return null;
            }
        }

        public decimal? Money(string column)
        {
            var value = Decimal(column, 0, Validation.MaxMoney, "an amount");
            if (value is { } amount && decimal.Round(amount, 2) != amount)
            {
                Error(column, $"{column} '{amount.ToString(CultureInfo.InvariantCulture)}' must have at most two decimal places.");
            }

            return value;
        }

        public decimal? Decimal(string column, decimal min, decimal max, string what)
        {
            var text = Text(column, 40);
            if (text is null)
            {
                return null;
            }

            if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                Error(column, $"{column} '{Shorten(text)}' is not {what} (use digits and a '.' for decimals, e.g. 19.99).");
                return null;
            }

            if (value < min || value > max)
            {
                Error(column, value < 0 ? $"{column} must not be negative ({text})." : $"{column} must be between {min} and {max} ({text}).");
                return null;
            }

            return value;
        }

        public int? Integer(string column, int min, int max)
        {
            var text = Text(column, 20);
            if (text is null)
            {
                return null;
            }

            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                Error(column, $"{column} '{Shorten(text)}' is not a whole number.");
                return null;
            }

            if (value < min || value > max)
            {
                Error(column, value < 0 ? $"{column} must not be negative ({text})." : $"{column} must be between {min} and {max} ({text}).");
                return null;
            }

            return (int)value;
        }

        private string? Raw(string column) =>
            index.TryGetValue(column, out var i) && i < fields.Length ? fields[i] : null;
    }
}
