using System.Globalization;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Storekeep.Catalog;
using Storekeep.Checkout;
using Storekeep.Companies;
using Storekeep.Data;
using Storekeep.Messaging;
using Storekeep.PriceLists;
using Storekeep.Sales;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Quotes;

/// <summary>
/// Sales quotes: written at the company's prices (or negotiated ones), versioned when edited after
/// sending, sent by email with a secret acceptance link, declined or accepted (see
/// <see cref="QuoteAcceptance"/>). Defined in docs/sales.md, "Quotes".
/// </summary>
public sealed class SalesQuotes(StorekeepDbContext db, PriceLists.PriceLists priceLists, MessageQueue messages, EmailSettings email, TimeProvider clock)
{
    public const int MaxLines = 200;

    /// <summary>The request field a recipient problem names.</summary>
    private const string EmailField = "email";

    /// <summary>The storefront page a quote's link opens: <c>/quotes/{token}</c>.</summary>
    public const string AcceptPathPrefix = "/quotes/";

    private DateTime Now() => clock.GetUtcNow().UtcDateTime;

    public async Task<SalesQuoteView> CreateAsync(CreateSalesQuoteRequest request, Actor actor, CancellationToken ct)
    {
        var v = new Validation();
        var to = v.Email("email", request.Email, required: false);
        if (request.CompanyId is null && to is null)
        {
            v.Add("email", "Give 'companyId' or 'email': who the quote is for.");
        }

        var lines = ValidLines(v, request.Lines, required: true)!;
        var validUntil = ValidUntil(v, request.ValidUntil, required: true);
        var note = v.MultilineText("note", request.Note, Quote.NoteMaxLength, required: false);
        v.ThrowIfInvalid();

        var quoteId = await db.InTransactionAsync(async token =>
        {
            Company? company = null;
            if (request.CompanyId is { } companyId)
            {
                company = await db.Set<Company>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == companyId, token)
                    ?? throw Unprocessable("unknown_company", $"There is no company with id '{companyId}'.", "companyId");
                to ??= await db.Customers.Where(c => c.CompanyId == companyId).OrderBy(c => c.Email).Select(c => c.Email).FirstOrDefaultAsync(token)
                    ?? throw Unprocessable("quote_recipient_missing", $"{company.Name} has no buyers yet: give 'email', or add a buyer to the company first.", EmailField);
            }
            else
            {
                // A quote to an email prices at the company that email buys for, if any.
                var buyerCompany = await db.Customers.Where(c => c.Email == to).Select(c => c.CompanyId).FirstOrDefaultAsync(token);
                company = buyerCompany is { } id ? await db.Set<Company>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, token) : null;
            }

            if (request.DealId is { } dealId)
            {
                var deal = await db.Set<Deal>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == dealId, token)
                    ?? throw Unprocessable("unknown_deal", $"There is no deal with id '{dealId}'.", "dealId");
                if (deal.IsClosed)
                {
                    throw Errors.Conflict("deal_closed", $"The deal is {SalesNames.Name(deal.Stage)}: a quote is for an open deal.");
                }
            }

            var priced = await PriceAsync(company?.PriceListId, lines, token);
            var now = Now();
            var quote = new Quote
            {
                Number = await NextNumberAsync(token),
                CompanyId = company?.Id,
                Email = to!,
                DealId = request.DealId,
                ValidUntil = validUntil!.Value,
                Note = note,
                Currency = await StoreSettingsService.CurrencyAsync(db, token),
                Total = priced.Sum(l => l.LineTotal),
                AcceptToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
                CreatedBy = actor.Name,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Add(quote);
            AddLines(quote.Id, 1, priced);
            return quote.Id;
        }, ct);
        return await GetAsync(quoteId.ToString(), null, ct);
    }

    /// <summary>
    /// Changes the quote. A draft is edited in place; a sent quote becomes a new version (a draft
    /// again, to be sent): its link then shows the new version, and the old one can no longer be
    /// accepted. One guarded update on the version read, so two edits at once cannot both win.
    /// </summary>
    public async Task<SalesQuoteView> UpdateAsync(string id, UpdateSalesQuoteRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var to = v.Email("email", request.Email, required: false);
        var lines = ValidLines(v, request.Lines, required: false);
        var validUntil = ValidUntil(v, request.ValidUntil, required: false);
        var note = v.MultilineText("note", request.Note, Quote.NoteMaxLength, required: false);
        v.ThrowIfInvalid();
        var quoteId = ParseId(id);
        await db.InTransactionAsync(async token =>
        {
            var quote = await db.Set<Quote>().AsNoTracking().FirstOrDefaultAsync(q => q.Id == quoteId, token) ?? throw Errors.NotFound("Quote", id);
            EnsureOpen(quote, Now());
            var version = quote.Status == QuoteStatus.Sent ? quote.Version + 1 : quote.Version;
            var company = quote.CompanyId is { } c ? await db.Set<Company>().AsNoTracking().FirstAsync(x => x.Id == c, token) : null;
            var priced = lines is null ? null : await PriceAsync(company?.PriceListId, lines, token);
            if (priced is null && version != quote.Version)
            {
                // A new version keeps the lines of the one it replaces.
                priced = await db.Set<QuoteLine>().AsNoTracking().Where(l => l.QuoteId == quoteId && l.Version == quote.Version).OrderBy(l => l.Position)
                    .Select(l => new PricedQuoteLine(l.Sku, l.Title, l.Quantity, l.RegularPrice, l.UnitPrice, l.Negotiated, l.LineTotal)).ToListAsync(token);
            }

            var now = Now();
            var total = priced?.Sum(l => l.LineTotal);
            var noteGiven = request.Note is not null;
            var changed = await db.Set<Quote>()
                .Where(q => q.Id == quoteId && q.Version == quote.Version && q.Status == quote.Status)
                .ExecuteUpdateAsync(u => u
                    .SetProperty(q => q.Version, version)
                    .SetProperty(q => q.Status, QuoteStatus.Draft)
                    .SetProperty(q => q.Email, q => to ?? q.Email)
                    .SetProperty(q => q.ValidUntil, q => validUntil ?? q.ValidUntil)
                    .SetProperty(q => q.Note, q => noteGiven ? note : q.Note)
                    .SetProperty(q => q.Total, q => total ?? q.Total)
                    .SetProperty(q => q.UpdatedAt, now), token);
            if (changed == 0)
            {
                throw Errors.Conflict("quote_changed", "The quote changed meanwhile (edited, sent or accepted); reload it and try again.");
            }

            if (priced is not null)
            {
                await db.Set<QuoteLine>().Where(l => l.QuoteId == quoteId && l.Version == version).ExecuteDeleteAsync(token);
                AddLines(quoteId, version, priced);
            }
        }, ct);
        return await GetAsync(id, null, ct);
    }

    /// <summary>Emails the buyer the quote and its acceptance link (again, if sent before); the email leaves with the commit.</summary>
    public async Task<SalesQuoteView> SendAsync(string id, CancellationToken ct)
    {
        var quoteId = ParseId(id);
        await db.InTransactionAsync(async token =>
        {
            var quote = await db.Set<Quote>().AsNoTracking().FirstOrDefaultAsync(q => q.Id == quoteId, token) ?? throw Errors.NotFound("Quote", id);
            var now = Now();
            EnsureOpen(quote, now);
            var sent = await db.Set<Quote>()
                .Where(q => q.Id == quoteId && q.Version == quote.Version && (q.Status == QuoteStatus.Draft || q.Status == QuoteStatus.Sent))
                .ExecuteUpdateAsync(u => u.SetProperty(q => q.Status, QuoteStatus.Sent).SetProperty(q => q.SentAt, now).SetProperty(q => q.UpdatedAt, now), token);
            if (sent == 0)
            {
                throw Errors.Conflict("quote_changed", "The quote changed meanwhile (edited or accepted); reload it and send it again.");
            }

            var lines = await LinesAsync(quoteId, quote.Version, token);
            var company = quote.CompanyId is { } c ? await db.Set<Company>().AsNoTracking().Where(x => x.Id == c).Select(x => x.Name).FirstAsync(token) : null;
            await messages.QueueAsync(MessageTypes.Quote, quote.Email, EmailValues(quote, company, lines), $"quote:{quote.Id}:{quote.Version}:{now.Ticks}", token);
        }, ct);
        return await GetAsync(id, null, ct);
    }

    /// <summary>The buyer (or staff for them) turns the quote down: it can no longer be accepted or edited.</summary>
    public async Task<SalesQuoteView> DeclineAsync(Guid quoteId, CancellationToken ct)
    {
        await db.InTransactionAsync(async token =>
        {
            var quote = await db.Set<Quote>().AsNoTracking().FirstOrDefaultAsync(q => q.Id == quoteId, token) ?? throw Errors.NotFound("Quote", quoteId.ToString());
            var now = Now();
            EnsureOpen(quote, now);
            var declined = await db.Set<Quote>()
                .Where(q => q.Id == quoteId && q.Version == quote.Version && (q.Status == QuoteStatus.Draft || q.Status == QuoteStatus.Sent))
                .ExecuteUpdateAsync(u => u.SetProperty(q => q.Status, QuoteStatus.Declined).SetProperty(q => q.ClosedAt, now).SetProperty(q => q.UpdatedAt, now), token);
            if (declined == 0)
            {
                throw Errors.Conflict("quote_changed", "The quote changed meanwhile; reload it.");
            }
        }, ct);
        return await GetAsync(quoteId.ToString(), null, ct);
    }

    /// <param name="version">An earlier version's lines; null: the current version's.</param>
    public async Task<SalesQuoteView> GetAsync(string id, int? version, CancellationToken ct)
    {
        var quoteId = ParseId(id);
        var quote = await db.Set<Quote>().AsNoTracking().FirstOrDefaultAsync(q => q.Id == quoteId, ct) ?? throw Errors.NotFound("Quote", id);
        return await ViewAsync(quote, version, ct);
    }

    /// <summary>The quote behind an acceptance link; null for an unknown token.</summary>
    public async Task<SalesQuoteView?> FindByTokenAsync(string token, CancellationToken ct)
    {
        if (token.Length != 64)
        {
            return null;
        }

        var quote = await db.Set<Quote>().AsNoTracking().FirstOrDefaultAsync(q => q.AcceptToken == token, ct);
        return quote is null ? null : await ViewAsync(quote, null, ct);
    }

    /// <summary>Newest first, keyset on the number; filter by company, deal, status or email.</summary>
    public async Task<Page<SalesQuoteSummary>> ListAsync(Guid? companyId, Guid? dealId, string? status, string? email, int? limit, string? cursor, CancellationToken ct) =>
        await ListAsync(companyId, dealId, status, email, limit, cursor, SalesScope.Everyone, null, ct);

    /// <summary>The quotes within <paramref name="scope"/> (or written by <paramref name="writtenBy"/>), newest number first.</summary>
    public async Task<Page<SalesQuoteSummary>> ListAsync(Guid? companyId, Guid? dealId, string? status, string? email, int? limit, string? cursor, SalesScope scope, string? writtenBy, CancellationToken ct)
    {
        var v = new Validation();
        QuoteStatus? wanted = null;
        if (status is not null)
        {
            wanted = Enum.GetValues<QuoteStatus>().Cast<QuoteStatus?>().FirstOrDefault(s => QuoteNames.Name(s!.Value) == status.Trim());
            if (wanted is null)
            {
                v.Add("status", $"'status' must be one of {string.Join(", ", Enum.GetValues<QuoteStatus>().Select(QuoteNames.Name))}.");
            }
        }

        v.ThrowIfInvalid();
        var take = Cursor.Limit(limit);
        var after = Cursor.DecodeLong(cursor);
        var today = DateOnly.FromDateTime(Now());
        var query = Within(db.Set<Quote>().AsNoTracking(), scope, writtenBy);
        query = companyId is { } c ? query.Where(q => q.CompanyId == c) : query;
        query = dealId is { } d ? query.Where(q => q.DealId == d) : query;
        query = email is { Length: > 0 } e ? query.Where(q => q.Email == e.Trim().ToLowerInvariant()) : query;
        query = wanted switch
        {
            null => query,
            QuoteStatus.Expired => query.Where(q => (q.Status == QuoteStatus.Draft || q.Status == QuoteStatus.Sent) && q.ValidUntil < today),
            QuoteStatus.Draft or QuoteStatus.Sent => query.Where(q => q.Status == wanted && q.ValidUntil >= today),
            _ => query.Where(q => q.Status == wanted),
        };
        query = after is { } a ? query.Where(q => q.Number < a) : query;
        var rows = await query.OrderByDescending(q => q.Number).Take(take + 1).ToListAsync(ct);
        var page = rows.Take(take).ToList();
        var companies = await CompanyNamesAsync(page.Select(q => q.CompanyId), ct);
        var now = Now();
        return new Page<SalesQuoteSummary>(
            [.. page.Select(q => new SalesQuoteSummary(q.Id, Quote.Display(q.Number), q.Version, QuoteNames.Name(q.StatusOn(now)), q.CompanyId,
                q.CompanyId is { } id ? companies.GetValueOrDefault(id) : null, q.Email, q.DealId, q.ValidUntil, q.Total, q.Currency, q.OrderId, q.CreatedAt))],
            rows.Count > take ? Cursor.Encode(page[^1].Number) : null);
    }

    /// <summary>Whether a rep with <paramref name="scope"/> may open the quote.</summary>
    public Task<bool> IsWithinAsync(Guid quoteId, SalesScope scope, string writtenBy, CancellationToken ct) =>
        Within(db.Set<Quote>().AsNoTracking().Where(q => q.Id == quoteId), scope, writtenBy).AnyAsync(ct);

    /// <summary>
    /// A quote belongs to its deal's owner, else to its company's owner; unassigned ones are everyone's,
    /// and whoever wrote a quote keeps seeing it.
    /// </summary>
    private IQueryable<Quote> Within(IQueryable<Quote> query, SalesScope scope, string? writtenBy)
    {
        if (scope.RepIds is not { } visible)
        {
            return query;
        }

        var reps = visible.ToList();
        var deals = db.Set<Deal>().AsNoTracking();
        var companies = db.Set<Company>().AsNoTracking();
        return query.Where(q => q.CreatedBy == writtenBy
            || (q.DealId != null
                ? deals.Any(d => d.Id == q.DealId && (d.OwnerRepId == null || reps.Contains(d.OwnerRepId.Value)))
                : q.CompanyId == null || companies.Any(c => c.Id == q.CompanyId && (c.OwnerRepId == null || reps.Contains(c.OwnerRepId.Value)))));
    }

    internal static void EnsureOpen(Quote quote, DateTime now)
    {
        switch (quote.StatusOn(now))
        {
            case QuoteStatus.Accepted:
                throw new StorekeepException(ErrorKind.Conflict, "quote_already_accepted", $"Quote {Quote.Display(quote.Number)} was accepted already.")
                {
                    Extensions = new Dictionary<string, object?> { ["orderId"] = quote.OrderId },
                };
            case QuoteStatus.Declined:
                throw Errors.Conflict("quote_declined", $"Quote {Quote.Display(quote.Number)} was declined; write a new quote.");
            case QuoteStatus.Expired:
                throw Errors.Conflict("quote_expired", $"Quote {Quote.Display(quote.Number)} expired after {quote.ValidUntil:yyyy-MM-dd}; ask for a new one.");
        }
    }

    internal async Task<List<QuoteLine>> LinesAsync(Guid quoteId, int version, CancellationToken ct) =>
        await db.Set<QuoteLine>().AsNoTracking().Where(l => l.QuoteId == quoteId && l.Version == version).OrderBy(l => l.Position).ToListAsync(ct);

    public static Guid ParseId(string id) =>
        Guid.TryParse(id, out var quoteId) ? quoteId : throw Errors.NotFound("Quote", id);

    private async Task<SalesQuoteView> ViewAsync(Quote quote, int? version, CancellationToken ct)
    {
        var shown = version ?? quote.Version;
        if (shown < 1 || shown > quote.Version)
        {
            throw Errors.NotFound("Quote version", $"{Quote.Display(quote.Number)} v{shown}");
        }

        var lines = await LinesAsync(quote.Id, shown, ct);
        var versions = await db.Set<QuoteLine>().AsNoTracking().Where(l => l.QuoteId == quote.Id)
            .GroupBy(l => l.Version).Select(g => new { Version = g.Key, Lines = g.Count(), Total = g.Sum(l => l.LineTotal) }).ToListAsync(ct);
        var companyName = (await CompanyNamesAsync([quote.CompanyId], ct)).Values.FirstOrDefault();
        long? orderNumber = quote.OrderId is { } o ? await db.Orders.Where(x => x.Id == o).Select(x => (long?)x.Number).FirstOrDefaultAsync(ct) : null;
        return new SalesQuoteView(quote.Id, Quote.Display(quote.Number), quote.Version, QuoteNames.Name(quote.StatusOn(Now())), quote.CompanyId, companyName,
            quote.Email, quote.DealId, quote.ValidUntil, quote.Note, quote.Currency, version is null ? quote.Total : lines.Sum(l => l.LineTotal), AcceptUrl(quote),
            quote.OrderId, orderNumber, quote.CreatedAt, quote.UpdatedAt, quote.SentAt, quote.ClosedAt,
            [.. lines.Select(l => new SalesQuoteLineView(l.Sku, l.Title, l.Quantity, l.RegularPrice, l.UnitPrice, l.Negotiated, l.LineTotal))])
        {
            Versions = [.. versions.OrderBy(x => x.Version).Select(x => new SalesQuoteVersionView(x.Version, x.Total, x.Lines))],
            LinesVersion = shown,
        };
    }

    private string AcceptUrl(Quote quote) => email.PublicUrl + AcceptPathPrefix + quote.AcceptToken;

    private async Task<Dictionary<Guid, string>> CompanyNamesAsync(IEnumerable<Guid?> ids, CancellationToken ct)
    {
        var wanted = ids.OfType<Guid>().Distinct().ToList();
        return wanted.Count == 0 ? [] : await db.Set<Company>().AsNoTracking().Where(c => wanted.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Name, ct);
    }

    private sealed record ValidLine(string Sku, int Quantity, decimal? UnitPrice);

    private sealed record PricedQuoteLine(string Sku, string Title, int Quantity, decimal RegularPrice, decimal UnitPrice, bool Negotiated, decimal LineTotal);

    private static List<ValidLine>? ValidLines(Validation v, IReadOnlyList<SalesQuoteLineRequest?>? lines, bool required)
    {
        if (lines is null)
        {
            if (required)
            {
                v.Add("lines", "'lines' is required: [{sku, quantity, unitPrice?}].");
            }

            return null;
        }

        if (lines.Count is 0 or > MaxLines)
        {
            v.Add("lines", $"A quote has 1 to {MaxLines} lines.");
            return null;
        }

        var valid = new List<ValidLine>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Count; i++)
        {
            var field = $"lines[{i}]";
            if (lines[i] is not { } line)
            {
                v.Add(field, $"'{field}' is required.");
                continue;
            }

            var sku = v.Code($"{field}.sku", line.Sku);
            var quantity = v.Quantity($"{field}.quantity", line.Quantity);
            decimal? unitPrice = line.UnitPrice is null ? null : v.Money($"{field}.unitPrice", line.UnitPrice);
            if (sku.Length > 0 && !seen.Add(sku))
            {
                v.Add($"{field}.sku", $"{sku} is on the quote twice: one line per SKU.");
            }

            valid.Add(new ValidLine(sku, quantity, unitPrice));
        }

        return valid;
    }

    private DateOnly? ValidUntil(Validation v, DateOnly? validUntil, bool required)
    {
        if (validUntil is null)
        {
            if (required)
            {
                v.Add("validUntil", "'validUntil' is required (yyyy-MM-dd): the last day the quote can be accepted.");
            }

            return null;
        }

        var today = DateOnly.FromDateTime(Now());
        if (validUntil < today || validUntil > today.AddYears(1))
        {
            v.Add("validUntil", $"'validUntil' must be from today ({today:yyyy-MM-dd}) to a year ahead.");
        }

        return validUntil;
    }

    /// <summary>Each line at its negotiated price, or the company's price list for the quantity, or the regular price.</summary>
    private async Task<List<PricedQuoteLine>> PriceAsync(Guid? priceListId, List<ValidLine> lines, CancellationToken ct)
    {
        var skus = lines.Select(l => l.Sku).ToList();
        var variants = await db.Variants.AsNoTracking().Include(x => x.Product)
            .Where(x => skus.Contains(x.Sku)).ToDictionaryAsync(x => x.Sku, ct);
        var missing = skus.Where(s => !variants.TryGetValue(s, out var variant) || variant.Product!.Status != ProductStatus.Active).ToList();
        if (missing.Count > 0)
        {
            throw Errors.Unprocessable("unknown_sku", $"Not for sale: {string.Join(", ", missing.Take(20))}.");
        }

        // A company's list id is not a foreign key: a list that is gone prices nothing (regular prices).
        var listed = priceListId is { } list && await db.Set<PriceList>().AnyAsync(p => p.Id == list, ct)
            ? (await priceLists.PricesAsync(list, [.. lines.Select(l => (l.Sku, l.Quantity))], ct)).ToDictionary(p => p.Sku)
            : null;
        return [.. lines.Select(l =>
        {
            var variant = variants[l.Sku];
            var unit = l.UnitPrice ?? listed?[l.Sku].UnitPrice ?? variant.Price;
            return new PricedQuoteLine(l.Sku, CheckoutService.OrderTitle(variant), l.Quantity, variant.Price, unit, l.UnitPrice is not null, unit * l.Quantity);
        })];
    }

    private void AddLines(Guid quoteId, int version, List<PricedQuoteLine> lines)
    {
        for (var i = 0; i < lines.Count; i++)
        {
            var l = lines[i];
            db.Add(new QuoteLine
            {
                QuoteId = quoteId, Version = version, Position = i, Sku = l.Sku, Title = l.Title, Quantity = l.Quantity,
                RegularPrice = l.RegularPrice, UnitPrice = l.UnitPrice, Negotiated = l.Negotiated, LineTotal = l.LineTotal,
            });
        }
    }

    private async Task<long> NextNumberAsync(CancellationToken ct) =>
        db.IsPostgres
            ? await db.Database.SqlQueryRaw<long>($"SELECT nextval('{Quote.NumberSequence}') AS \"Value\"").SingleAsync(ct)
            : (await db.Set<Quote>().MaxAsync(q => (long?)q.Number, ct) ?? 1000) + 1;

    private Dictionary<string, string?> EmailValues(Quote quote, string? company, List<QuoteLine> lines)
    {
        string Money(decimal amount) => $"{amount.ToString("0.00", CultureInfo.InvariantCulture)} {quote.Currency}";
        return new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["quote.number"] = Quote.Display(quote.Number),
            ["quote.version"] = quote.Version.ToString(CultureInfo.InvariantCulture),
            ["quote.company"] = company ?? quote.Email,
            ["quote.lines"] = string.Join("\n", lines.Select(l => $"{l.Quantity} × {l.Title} ({l.Sku}) at {Money(l.UnitPrice)} — {Money(l.LineTotal)}")),
            ["quote.total"] = Money(quote.Total),
            ["quote.valid_until"] = quote.ValidUntil.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["quote.note"] = quote.Note ?? "",
            ["quote.link"] = AcceptUrl(quote),
        };
    }

    private static StorekeepException Unprocessable(string code, string message, string field) =>
        new(ErrorKind.Unprocessable, code, message) { Extensions = new Dictionary<string, object?> { ["field"] = field } };
}
