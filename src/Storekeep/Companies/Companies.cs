using Microsoft.EntityFrameworkCore;
using Storekeep.Customers;
using Storekeep.Data;
using Storekeep.PriceLists;
using Storekeep.Sales;
using Storekeep.Shared;

namespace Storekeep.Companies;

/// <summary>Business accounts and their buyers. A company without an owner gets one from the first matching territory.</summary>
public sealed class Companies(StorekeepDbContext db, SalesTeams teams, CustomerRegistry customers, TimeProvider clock)
{
    public async Task<CompanyView> CreateAsync(CreateCompanyRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var name = v.Required("name", request.Name, Company.NameMaxLength);
        var country = Country(v, request.Country, required: true);
        var region = v.Text("region", request.Region, 100);
        var industry = v.Text("industry", request.Industry, 100);
        PaymentTerms? terms = null;
        if (request.PaymentTerms is null)
        {
            v.Add("paymentTerms", "'paymentTerms' is required: prepaid, net_15, net_30 or net_60.");
        }
        else
        {
            terms = Company.ParseTerms(v, "paymentTerms", request.PaymentTerms);
        }

        var credit = request.CreditLimit is null ? (decimal?)null : v.Money("creditLimit", request.CreditLimit);
        v.ThrowIfInvalid();

        return await db.InTransactionAsync(async token =>
        {
            if (request.OwnerRepId is { } owner)
            {
                await teams.EnsureRepAsync(owner, "ownerRepId", token);
            }

            await EnsurePriceListAsync(request.PriceListId, token);
            var now = clock.GetUtcNow().UtcDateTime;
            var company = new Company
            {
                Name = name,
                Country = country!,
                Region = region,
                Industry = industry,
                PriceListId = request.PriceListId,
                PaymentTerms = terms!.Value,
                CreditLimit = credit,
                OwnerRepId = request.OwnerRepId ?? await teams.AssignAsync(new TerritoryMatch(country, region, industry), null, token),
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Set<Company>().Add(company);
            db.Set<CompanyOwnerChange>().Add(new CompanyOwnerChange { CompanyId = company.Id, OwnerRepId = company.OwnerRepId, At = now });
            return ToView(company, null);
        }, ct);
    }

    /// <summary>Oldest first, keyset on the (time-ordered) id; optionally one rep's companies.</summary>
    public async Task<Page<CompanyView>> ListAsync(string? ownerRepId, int? limit, string? cursor, CancellationToken ct)
    {
        var v = new Validation();
        var owner = SalesNames.ParseGuid(v, "ownerRepId", ownerRepId);
        v.ThrowIfInvalid();
        var take = Cursor.Limit(limit);
        var after = Cursor.DecodeGuid(cursor);
        var query = db.Set<Company>().AsNoTracking();
        if (owner is { } o)
        {
            query = query.Where(c => c.OwnerRepId == o);
        }

        if (after is { } a)
        {
            query = query.Where(c => c.Id.CompareTo(a) > 0);
        }

        var rows = await query.OrderBy(c => c.Id).Take(take + 1).ToListAsync(ct);
        var items = rows.Take(take).Select(c => ToView(c, null)).ToList();
        return new Page<CompanyView>(items, rows.Count > take ? Cursor.Encode(items[^1].Id.ToString()) : null);
    }

    public async Task<CompanyView> GetAsync(string id, CancellationToken ct)
    {
        var companyId = SalesNames.ParseId("Company", id);
        var company = await db.Set<Company>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == companyId, ct) ?? throw Errors.NotFound("Company", id);
        var buyers = await db.Customers.AsNoTracking().Where(c => c.CompanyId == companyId).OrderBy(c => c.Email)
            .Select(c => new BuyerView(c.Id, c.Email, c.FirstName, c.LastName)).ToListAsync(ct);
        return ToView(company, buyers);
    }

    public async Task<CompanyView> UpdateAsync(string id, UpdateCompanyRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var name = request.Name is null ? null : v.Required("name", request.Name, Company.NameMaxLength);
        var country = request.Country is null ? null : Country(v, request.Country, required: true);
        var region = v.Text("region", request.Region, 100);
        var industry = v.Text("industry", request.Industry, 100);
        var terms = Company.ParseTerms(v, "paymentTerms", request.PaymentTerms);
        var credit = request.CreditLimit is null ? (decimal?)null : v.Money("creditLimit", request.CreditLimit);
        v.ThrowIfInvalid();
        var companyId = SalesNames.ParseId("Company", id);

        return await db.InTransactionAsync(async token =>
        {
            var company = await db.Set<Company>().FirstOrDefaultAsync(c => c.Id == companyId, token) ?? throw Errors.NotFound("Company", id);
            var now = clock.GetUtcNow().UtcDateTime;
            if (request.OwnerRepId is { } owner && owner != company.OwnerRepId)
            {
                await teams.EnsureRepAsync(owner, "ownerRepId", token);
                await RecordOwnerChangeAsync(company, owner, now, token);
                company.OwnerRepId = owner;
            }

            await EnsurePriceListAsync(request.PriceListId, token);

            company.Name = name ?? company.Name;
            company.Country = country ?? company.Country;
            company.Region = region ?? company.Region;
            company.Industry = industry ?? company.Industry;
            company.PriceListId = request.PriceListId ?? company.PriceListId;
            company.PaymentTerms = terms ?? company.PaymentTerms;
            company.CreditLimit = credit ?? company.CreditLimit;
            company.UpdatedAt = now;
            return ToView(company, null);
        }, ct);
    }

    /// <summary>
    /// Appends the new owner to the company's ownership record. A company from before the record
    /// was kept (or seeded without it) first gets its current owner, from its creation on.
    /// </summary>
    private async Task RecordOwnerChangeAsync(Company company, Guid owner, DateTime now, CancellationToken ct)
    {
        if (!await db.Set<CompanyOwnerChange>().AnyAsync(c => c.CompanyId == company.Id, ct))
        {
            db.Set<CompanyOwnerChange>().Add(new CompanyOwnerChange { CompanyId = company.Id, OwnerRepId = company.OwnerRepId, At = company.CreatedAt });
        }

        db.Set<CompanyOwnerChange>().Add(new CompanyOwnerChange { CompanyId = company.Id, OwnerRepId = owner, At = now });
    }

    /// <summary>
    /// Makes the customer with <paramref name="request"/>'s email a buyer of the company, creating the
    /// customer when there is none (<c>created</c> says so). A buyer of another company moves here.
    /// </summary>
    public async Task<(BuyerView Buyer, bool Created)> AddBuyerAsync(string id, AddBuyerRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var email = v.Email("email", request.Email) ?? "";
        var name = v.Text("name", request.Name, 200);
        v.ThrowIfInvalid();
        var companyId = SalesNames.ParseId("Company", id);

        return await db.InTransactionAsync(async token =>
        {
            var company = await db.Set<Company>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == companyId, token) ?? throw Errors.NotFound("Company", id);
            var existed = await db.Customers.AnyAsync(c => c.Email == email, token);
            var customerId = await customers.EnsureAsync(email, name, company.Country, clock.GetUtcNow().UtcDateTime, token);
            await customers.SetCompanyAsync(customerId, companyId, token);
            var buyer = await db.Customers.AsNoTracking().Where(c => c.Id == customerId)
                .Select(c => new BuyerView(c.Id, c.Email, c.FirstName, c.LastName)).SingleAsync(token);
            return (buyer, !existed);
        }, ct);
    }

    /// <summary>A company's price list must exist (price lists have no archived state): 422 <c>unknown_price_list</c>, nothing written.</summary>
    private async Task EnsurePriceListAsync(Guid? priceListId, CancellationToken ct)
    {
        if (priceListId is { } id && !await db.Set<PriceList>().AnyAsync(p => p.Id == id, ct))
        {
            throw new StorekeepException(ErrorKind.Unprocessable, "unknown_price_list", $"There is no price list with id '{id}'.")
            {
                Extensions = new Dictionary<string, object?> { ["field"] = "priceListId" },
            };
        }
    }

    private static string? Country(Validation v, string? value, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                v.Add("country", "'country' is required (ISO 3166-1 alpha-2, e.g. DE).");
            }

            return null;
        }

        var code = value.Trim().ToUpperInvariant();
        if (!Storekeep.Shared.Countries.IsValid(code))
        {
            v.Add("country", "'country' must be an ISO 3166-1 alpha-2 country code, e.g. DE.");
        }

        return code;
    }

    internal static CompanyView ToView(Company c, IReadOnlyList<BuyerView>? buyers) =>
        new(c.Id, c.Name, c.Country, c.Region, c.Industry, c.PriceListId, Company.TermsName(c.PaymentTerms), c.CreditLimit, c.OwnerRepId, c.CreatedAt, c.UpdatedAt, buyers);
}
