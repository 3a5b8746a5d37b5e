using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Invoices;
using Storekeep.PriceLists;
using Storekeep.Quotes;
using Storekeep.Sales;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Companies;

/// <summary>One company as the back office's list shows it.</summary>
/// <param name="CreditInUse">Σ amount due of its open invoices (Invoices' company credit).</param>
public sealed record CompanyRow(
    Guid Id,
    string Name,
    string Country,
    string? Region,
    string? Industry,
    string PaymentTerms,
    decimal? CreditLimit,
    decimal CreditInUse,
    Guid? PriceListId,
    string? PriceListName,
    Guid? OwnerRepId,
    string? OwnerRepName,
    int Buyers);

/// <summary>An open deal of the company.</summary>
public sealed record CompanyDealRow(Guid Id, string Title, string Stage, decimal Amount, string? OwnerRepName);

/// <summary>
/// The company page: the company, its figures and, per section, at most
/// <see cref="CompanyDirectory.SectionLimit"/> rows (<c>More…</c> says whether there are more).
/// </summary>
public sealed record CompanyOverview(
    CompanyRow Row,
    CompanyView Company,
    string Currency,
    IReadOnlyList<CompanyDealRow> OpenDeals,
    bool MoreDeals,
    IReadOnlyList<SalesQuoteSummary> Quotes,
    bool MoreQuotes,
    IReadOnlyList<InvoiceView> Invoices,
    bool MoreInvoices,
    AgingBuckets Aging);

/// <summary>
/// The back office's reads of companies. Other capabilities' tables (price lists, reps, credit,
/// deals, invoices) are only read here; quotes and invoices come through their services.
/// </summary>
public sealed class CompanyDirectory(
    StorekeepDbContext db,
    Companies companies,
    Invoicing invoicing,
    SalesQuotes quotes,
    StoreSettingsService storeSettings,
    TimeProvider clock)
{
    public const int PageSize = 50;
    public const int SectionLimit = 50;

    /// <summary>
    /// By name, <see cref="PageSize"/> a page (offset: the list is for browsing, not syncing);
    /// <paramref name="search"/> matches name, country, region or industry, ignoring case.
    /// </summary>
    public async Task<(IReadOnlyList<CompanyRow> Rows, bool More)> SearchAsync(string? search, int page, CancellationToken ct)
    {
        var query = db.Set<Company>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim().ToLowerInvariant();
            query = query.Where(c => c.Name.ToLower().Contains(term) || c.Country.ToLower() == term
                || (c.Region != null && c.Region.ToLower().Contains(term)) || (c.Industry != null && c.Industry.ToLower().Contains(term)));
        }

        var rows = await Rows(query.OrderBy(c => c.Name).ThenBy(c => c.Id).Skip(Math.Max(page, 0) * PageSize).Take(PageSize + 1)).ToListAsync(ct);
        return (rows.Take(PageSize).ToList(), rows.Count > PageSize);
    }

    public async Task<CompanyOverview> OverviewAsync(Guid id, CancellationToken ct)
    {
        var company = await companies.GetAsync(id.ToString(), ct);
        var row = await Rows(db.Set<Company>().AsNoTracking().Where(c => c.Id == id)).SingleAsync(ct);
        var store = await storeSettings.GetAsync(ct);

        var deals = await (from d in db.Set<Deal>().AsNoTracking()
                           where d.CompanyId == id && d.Stage != DealStage.Won && d.Stage != DealStage.Lost
                           orderby d.Id descending
                           select new { d.Id, d.Title, d.Stage, d.Amount, Owner = db.Set<SalesRep>().Where(r => r.Id == d.OwnerRepId).Select(r => r.Name).FirstOrDefault() })
            .Take(SectionLimit + 1).ToListAsync(ct);
        var quotePage = await quotes.ListAsync(id, null, null, null, SectionLimit, null, ct);
        var invoicePage = await invoicing.ListAsync(id.ToString(), null, SectionLimit, null, ct);

        // Aging over all the company's unpaid invoices (not only the listed ones), as Invoices ages them.
        var now = clock.GetUtcNow().UtcDateTime;
        var unpaid = await db.Set<Invoice>().AsNoTracking()
            .Where(i => i.CompanyId == id && (i.Status == InvoiceStatus.Open || i.Status == InvoiceStatus.PartiallyPaid))
            .Select(i => new { i.DueAt, i.Total, i.AmountPaid }).ToListAsync(ct);
        var aging = Invoicing.Buckets(unpaid.Select(i => (i.DueAt, i.Total - i.AmountPaid)), now);

        return new CompanyOverview(
            row,
            company,
            store.Currency,
            [.. deals.Take(SectionLimit).Select(d => new CompanyDealRow(d.Id, d.Title, SalesNames.Name(d.Stage), d.Amount, d.Owner))],
            deals.Count > SectionLimit,
            quotePage.Items,
            quotePage.NextCursor is not null,
            invoicePage.Items,
            invoicePage.NextCursor is not null,
            aging);
    }

    private IQueryable<CompanyRow> Rows(IQueryable<Company> companiesQuery) =>
        from c in companiesQuery
        select new CompanyRow(
            c.Id,
            c.Name,
            c.Country,
            c.Region,
            c.Industry,
            Company.TermsName(c.PaymentTerms),
            c.CreditLimit,
            db.Set<CompanyCredit>().Where(x => x.CompanyId == c.Id).Select(x => x.Outstanding).FirstOrDefault(),
            c.PriceListId,
            db.Set<PriceList>().Where(p => p.Id == c.PriceListId).Select(p => p.Name).FirstOrDefault(),
            c.OwnerRepId,
            db.Set<SalesRep>().Where(r => r.Id == c.OwnerRepId).Select(r => r.Name).FirstOrDefault(),
            db.Customers.Count(x => x.CompanyId == c.Id));
}
