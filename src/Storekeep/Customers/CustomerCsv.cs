using System.Globalization;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Customers;

/// <summary>One rejected row of a customer CSV: the file's row (the header is row 1), the column and why.</summary>
public sealed record CustomerImportError(int Row, string? Field, string Message);

/// <summary>
/// What a customer import did (or, on a dry run, would do): data rows read, customers created and
/// updated, and the rows skipped for their errors (the first <see cref="CustomerCsvImporter.MaxErrorsListed"/> listed).
/// </summary>
public sealed record CustomerImportReport(bool DryRun, int Rows, int Created, int Updated, int Skipped, IReadOnlyList<CustomerImportError> Errors);

/// <summary>Which customers an export writes: the same filters as the customer list.</summary>
/// <param name="Within">A segment's members (the caller asks the Segments capability).</param>
public sealed record CustomerExportFilter(string? Q = null, string? Tag = null, IQueryable<Guid>? Within = null);

/// <summary>The columns of the customer CSV (docs/crm.md, "Customer import and export").</summary>
public static class CustomerCsvColumns
{
    public const string Id = "id";
    public const string Email = "email";
    public const string FirstName = "firstName";
    public const string LastName = "lastName";
    public const string Phone = "phone";
    public const string Country = "country";
    public const string Tags = "tags";
    public const string AcceptsEmail = "acceptsEmail";
    public const string AcceptsSms = "acceptsSms";

    public static readonly IReadOnlyList<string> Export =
    [
        Id, Email, FirstName, LastName, Phone, Country, Tags, AcceptsEmail, AcceptsSms, "consentSource", "consentAt",
        "orders", "totalSpent", "firstOrderAt", "lastOrderAt", "rfmSegment", "createdAt",
    ];

    /// <summary>What an import reads; any other column (an export's figures) is ignored.</summary>
    public static readonly IReadOnlyList<string> Import = [Email, FirstName, LastName, Phone, Country, Tags, AcceptsEmail, AcceptsSms];

    public const char TagSeparator = ';';

    public static string Time(DateTime? t) => t is { } v ? v.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "";
}

/// <summary>A customer's tags as one text (a database string aggregate).</summary>
public sealed class CustomerTagList
{
    public Guid CustomerId { get; init; }
    public string? Tags { get; init; }
}

/// <summary>
/// Writes customers with their figures as CSV. One query in the database (customers joined with
/// <see cref="CustomerFigures"/> and their tags, ordered by id) read row by row, so memory stays
/// flat whatever the number of customers.
/// </summary>
public sealed class CustomerCsvExporter(StorekeepDbContext db, CustomerFigures figures)
{
    private static readonly CsvWriterOptions WriterOptions = SpreadsheetCsv.WriterOptions;

    private const string PostgresTagLists = "SELECT customer_id AS \"CustomerId\", string_agg(tag, ';') AS \"Tags\" FROM customer_tags GROUP BY customer_id";
    private const string SqliteTagLists = "SELECT customer_id AS \"CustomerId\", group_concat(tag, ';') AS \"Tags\" FROM customer_tags GROUP BY customer_id";

    /// <summary>Checks the filter (400 validation_failed) before the first byte goes out.</summary>
    public static (string? Q, string? Tag) Check(CustomerExportFilter filter)
    {
        var v = new Validation();
        var term = v.Text("q", filter.Q, 200)?.ToLowerInvariant();
        var tag = v.Text("tag", filter.Tag, CustomerTag.MaxLength)?.ToLowerInvariant();
        v.ThrowIfInvalid();
        return (term, tag);
    }

    /// <returns>The number of customers written.</returns>
    public async Task<int> ExportAsync(Stream output, CustomerExportFilter filter, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        await using var csv = CsvWriter.Create(output, WriterOptions, leaveOpen: true);
        return await WriteAsync(csv, filter, progress, ct);
    }

    /// <returns>The number of customers written.</returns>
    public async Task<int> ExportAsync(TextWriter output, CustomerExportFilter filter, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        await using var csv = CsvWriter.Create(output, WriterOptions, leaveOpen: true);
        return await WriteAsync(csv, filter, progress, ct);
    }

    /// <summary>How many customers the filter keeps (for a progress bar).</summary>
    public Task<int> CountAsync(CustomerExportFilter filter, CancellationToken ct) => Customers(filter).CountAsync(ct);

    private IQueryable<Customer> Customers(CustomerExportFilter filter)
    {
        var (term, tag) = Check(filter);
        var query = db.Customers.AsNoTracking();
        if (tag is not null)
        {
            query = query.Where(c => db.Set<CustomerTag>().Any(t => t.CustomerId == c.Id && t.Tag == tag));
        }

        if (filter.Within is { } within)
        {
            query = query.Where(c => within.Contains(c.Id));
        }

        if (term is { Length: > 0 })
        {
            query = query.Where(c => c.Email.Contains(term)
                || (c.FirstName != null && c.FirstName.ToLower().Contains(term))
                || (c.LastName != null && c.LastName.ToLower().Contains(term)));
        }

        return query;
    }

    private async Task<int> WriteAsync(CsvWriter csv, CustomerExportFilter filter, IProgress<int>? progress, CancellationToken ct)
    {
        var customers = Customers(filter);
        var tagLists = db.Database.SqlQueryRaw<CustomerTagList>(db.Database.IsNpgsql() ? PostgresTagLists : SqliteTagLists);
        var rows =
            from c in customers
            join f in figures.Query() on c.Id equals f.CustomerId
            join t in tagLists on c.Id equals t.CustomerId into tagged
            from t in tagged.DefaultIfEmpty()
            orderby c.Id
            select new
            {
                c.Id, c.Email, c.FirstName, c.LastName, c.Phone, c.Country, c.CreatedAt,
                c.AcceptsEmail, c.EmailConsentAt, c.EmailConsentSource, c.AcceptsSms, c.SmsConsentAt, c.SmsConsentSource,
                Tags = t == null ? null : t.Tags,
                f.OrdersCount, f.SpentMinor, f.FirstOrderAt, f.LastOrderAt, f.RecencyScore, f.FrequencyScore, f.MonetaryScore,
            };

        foreach (var column in CustomerCsvColumns.Export)
        {
            csv.WriteField(column);
        }

        await csv.EndRecordAsync(ct);
        var written = 0;
        await foreach (var r in rows.AsAsyncEnumerable().WithCancellation(ct))
        {
            // The consent shown is the latest answer on either channel, with where it came from.
            var (source, at) = r.SmsConsentAt is { } sms && (r.EmailConsentAt is null || sms > r.EmailConsentAt)
                ? (r.SmsConsentSource, r.SmsConsentAt)
                : (r.EmailConsentSource, r.EmailConsentAt);
            csv.WriteField(r.Id.ToString());
            csv.WriteField(r.Email);
            csv.WriteField(r.FirstName);
            csv.WriteField(r.LastName);
            csv.WriteField(r.Phone);
            csv.WriteField(r.Country);
            csv.WriteField(r.Tags is null ? null : string.Join(CustomerCsvColumns.TagSeparator, r.Tags.Split(CustomerCsvColumns.TagSeparator).Order(StringComparer.Ordinal)));
            csv.WriteField(Bool(r.AcceptsEmail));
            csv.WriteField(Bool(r.AcceptsSms));
            csv.WriteField(source);
            csv.WriteField(CustomerCsvColumns.Time(at));
            csv.WriteField(r.OrdersCount.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(MinorUnits.FromMinor(r.SpentMinor).ToString("0.00", CultureInfo.InvariantCulture));
            csv.WriteField(CustomerCsvColumns.Time(r.FirstOrderAt));
            csv.WriteField(CustomerCsvColumns.Time(r.LastOrderAt));
            csv.WriteField(r is { RecencyScore: { } rs, FrequencyScore: { } fs, MonetaryScore: { } ms } ? RfmSegments.Of((int)rs, (int)fs, (int)ms) : null);
            csv.WriteField(CustomerCsvColumns.Time(r.CreatedAt));
            await csv.EndRecordAsync(ct);
            written++;
            if (written % 1000 == 0)
            {
                await csv.FlushAsync(ct);
                progress?.Report(written);
            }
        }

        await csv.FlushAsync(ct);
        progress?.Report(written);
        return written;
    }

    private static string Bool(bool value) => value ? "true" : "false";
}

/// <summary>
/// Reads a customer CSV and upserts by email (trimmed, lower-case, as everywhere in Customers).
/// A row with an error is skipped and reported; the other rows are imported. Rows are written in
/// batches of <see cref="BatchSize"/>, each batch in one transaction, so a re-run after a failure
/// only updates what was already there. Consent from the file is recorded with the source
/// <see cref="ConsentSource"/> and the time of the import.
/// </summary>
public sealed class CustomerCsvImporter(StorekeepDbContext db, TimeProvider clock)
{
    public const string ConsentSource = "import";
    public const int BatchSize = 500;
    public const int MaxErrorsListed = 1000;

    /// <summary>One record larger than this is not a customer row.</summary>
    private const int MaxRecordBytes = 64 * 1024;

    /// <param name="progress">Data rows read so far, after each batch.</param>
    public async Task<CustomerImportReport> ImportAsync(Stream stream, bool dryRun, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        var malformed = false;
        var options = CsvReaderOptions.Default with
        {
            Separator = ',',
            HasHeader = true,
            TrimWhitespace = false,
            SkipEmptyLines = true,
            MaxRecordSize = MaxRecordBytes,
            OnMalformedRecord = m =>
            {
                if (m.Reason is CsvMalformedReason.UnterminatedQuote or CsvMalformedReason.TextAfterClosingQuote)
                {
                    malformed = true;
                }
            },
        };

        var errors = new List<CustomerImportError>();
        var skipped = 0;
        var rows = 0;
        var created = 0;
        var updated = 0;
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var batch = new List<ImportRow>(BatchSize);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var csv = CsvReader.Create(stream, options, leaveOpen: true);
        try
        {
            await csv.ReadHeaderAsync(ct);
            var index = HeaderIndex(csv.Headers);
            if (!index.ContainsKey(CustomerCsvColumns.Email))
            {
                throw Errors.BadRequest("invalid_customer_csv",
                    "The file is not a customer CSV: its first row must be a header with an 'email' column (optional: firstName, lastName, phone, country, tags, acceptsEmail, acceptsSms).");
            }

            var fields = new string?[index.Values.Max() + 1];
            while (await csv.ReadAsync(ct))
            {
                var row = (int)csv.RowNumber + 1; // the header is row 1
                for (var i = 0; i < fields.Length; i++)
                {
                    fields[i] = i < csv.FieldCount ? csv.GetString(i) : null;
                }

                if (fields.All(string.IsNullOrWhiteSpace))
                {
                    continue; // spreadsheets leave rows of empty cells at the end
                }

                rows++;
                var rowErrors = new List<CustomerImportError>();
                if (malformed)
                {
                    malformed = false;
                    rowErrors.Add(new CustomerImportError(row, null, "A quoted field is not closed properly: quotes inside a quoted field must be doubled (\"\")."));
                }

                var parsed = Parse(row, fields, index, rowErrors);
                if (parsed is not null && seen.TryGetValue(parsed.Email, out var first))
                {
                    rowErrors.Add(new CustomerImportError(row, CustomerCsvColumns.Email, $"The email {parsed.Email} is already in row {first}; each customer may appear once."));
                }

                if (rowErrors.Count > 0 || parsed is null)
                {
                    skipped++;
                    errors.AddRange(rowErrors.Take(Math.Max(0, MaxErrorsListed - errors.Count)));
                    continue;
                }

                seen[parsed.Email] = row;
                batch.Add(parsed);
                if (batch.Count == BatchSize)
                {
                    var (c, u) = await SaveBatchAsync(batch, dryRun, now, ct);
                    (created, updated) = (created + c, updated + u);
                    batch.Clear();
                    progress?.Report(rows);
                }
            }
        }
        catch (CsvFormatException e)
        {
            throw Errors.BadRequest("invalid_customer_csv", $"The file cannot be read as CSV (row {Math.Max(1, e.RecordNumber)}): {e.Message}");
        }

        if (batch.Count > 0)
        {
            var (c, u) = await SaveBatchAsync(batch, dryRun, now, ct);
            (created, updated) = (created + c, updated + u);
        }

        progress?.Report(rows);
        return new CustomerImportReport(dryRun, rows, created, updated, skipped, errors);
    }

    private static Dictionary<string, int> HeaderIndex(IReadOnlyList<string> header)
    {
        var known = CustomerCsvColumns.Import.ToDictionary(c => c, StringComparer.OrdinalIgnoreCase);
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

    /// <summary>The row checked as the API checks a customer; null with its errors added when any.</summary>
    private static ImportRow? Parse(int row, string?[] fields, Dictionary<string, int> index, List<CustomerImportError> errors)
    {
        string? Cell(string column) => index.TryGetValue(column, out var i) && !string.IsNullOrWhiteSpace(fields[i]) ? SpreadsheetCsv.Unescape(fields[i]) : null;

        var v = new Validation();
        var email = v.Email(CustomerCsvColumns.Email, Cell(CustomerCsvColumns.Email))!;
        var firstName = v.Text(CustomerCsvColumns.FirstName, Cell(CustomerCsvColumns.FirstName), CustomerProfiles.NameMaxLength);
        var lastName = v.Text(CustomerCsvColumns.LastName, Cell(CustomerCsvColumns.LastName), CustomerProfiles.NameMaxLength);
        var phone = CustomerProfiles.Phone(v, Cell(CustomerCsvColumns.Phone));
        var country = CustomerProfiles.Country(v, Cell(CustomerCsvColumns.Country));
        var tagText = Cell(CustomerCsvColumns.Tags);
        var tags = tagText is null ? null : CustomerProfiles.Tags(v, tagText.Split(CustomerCsvColumns.TagSeparator).Where(t => !string.IsNullOrWhiteSpace(t)).ToList());
        var acceptsEmail = Boolean(v, CustomerCsvColumns.AcceptsEmail, Cell(CustomerCsvColumns.AcceptsEmail));
        var acceptsSms = Boolean(v, CustomerCsvColumns.AcceptsSms, Cell(CustomerCsvColumns.AcceptsSms));
        foreach (var (field, message) in v.Messages)
        {
            // tags[3] → tags: the file has one tags cell; one message per cell is enough.
            var column = field.StartsWith(CustomerCsvColumns.Tags, StringComparison.Ordinal) ? CustomerCsvColumns.Tags : field;
            if (!errors.Any(e => e.Row == row && e.Field == column))
            {
                errors.Add(new CustomerImportError(row, column, message.Replace($"'{field}'", $"'{column}'", StringComparison.Ordinal)));
            }
        }

        return v.HasErrors ? null : new ImportRow(row, email, firstName, lastName, phone, country, tags, acceptsEmail, acceptsSms);
    }

    private static bool? Boolean(Validation v, string field, string? text)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case null:
                return null;
            case "true" or "yes" or "y" or "1":
                return true;
            case "false" or "no" or "n" or "0":
                return false;
            default:
                v.Add(field, $"'{field}' must be true or false (or yes/no, 1/0), or blank to leave consent as it is.");
                return null;
        }
    }

    /// <summary>
    /// Creates or updates the batch's customers in one transaction. Two writers creating one email
    /// at once (a checkout during the import) collide on the unique index: the batch is then read
    /// again, finding that customer, and saved once more.
    /// </summary>
    private async Task<(int Created, int Updated)> SaveBatchAsync(List<ImportRow> batch, bool dryRun, DateTime now, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var counts = await ApplyAsync(batch, now, ct);
                if (!dryRun)
                {
                    // With the new customers, their past orders' figures (if they ordered as guests).
                    await using var transaction = await db.Database.BeginTransactionAsync(ct);
                    await db.SaveChangesAsync(ct);
                    await new CustomerOrderStats(db).LinkAsync(batch.Select(r => r.Email), ct);
                    await transaction.CommitAsync(ct);
                }

                return counts;
            }
            catch (DbUpdateException) when (attempt == 1)
            {
                db.ChangeTracker.Clear();
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<(int Created, int Updated)> ApplyAsync(List<ImportRow> batch, DateTime now, CancellationToken ct)
    {
        var emails = batch.Select(r => r.Email).ToList();
        var existing = await db.Customers.Where(c => emails.Contains(c.Email)).ToDictionaryAsync(c => c.Email, StringComparer.Ordinal, ct);
        var retagged = batch.Where(r => r.Tags is not null && existing.ContainsKey(r.Email)).Select(r => existing[r.Email].Id).ToList();
        var currentTags = (await db.Set<CustomerTag>().Where(t => retagged.Contains(t.CustomerId)).ToListAsync(ct)).ToLookup(t => t.CustomerId);
        var (created, updated) = (0, 0);
        foreach (var row in batch)
        {
            if (existing.TryGetValue(row.Email, out var customer))
            {
                // A blank cell leaves the customer's value as it is.
                customer.FirstName = row.FirstName ?? customer.FirstName;
                customer.LastName = row.LastName ?? customer.LastName;
                customer.Phone = row.Phone ?? customer.Phone;
                customer.Country = row.Country ?? customer.Country;
                if (row.Tags is { } tags)
                {
                    var current = currentTags[customer.Id].ToList();
                    db.Set<CustomerTag>().RemoveRange(current.Where(t => !tags.Contains(t.Tag)));
                    db.Set<CustomerTag>().AddRange(tags.Where(t => current.All(c => c.Tag != t)).Select(t => new CustomerTag { CustomerId = customer.Id, Tag = t }));
                }

                updated++;
            }
            else
            {
                customer = new Customer
                {
                    Email = row.Email,
                    FirstName = row.FirstName,
                    LastName = row.LastName,
                    Phone = row.Phone,
                    Country = row.Country,
                    CreatedAt = now,
                };
                db.Customers.Add(customer);
                db.Set<CustomerTag>().AddRange((row.Tags ?? []).Select(t => new CustomerTag { CustomerId = customer.Id, Tag = t }));
                created++;
            }

            if (row.AcceptsEmail is { } acceptsEmail)
            {
                customer.SetEmailConsent(acceptsEmail, ConsentSource, now);
            }

            if (row.AcceptsSms is { } acceptsSms)
            {
                customer.SetSmsConsent(acceptsSms, ConsentSource, now);
            }
        }

        return (created, updated);
    }

    private sealed record ImportRow(
        int Row,
        string Email,
        string? FirstName,
        string? LastName,
        string? Phone,
        string? Country,
        List<string>? Tags,
        bool? AcceptsEmail,
        bool? AcceptsSms);
}
