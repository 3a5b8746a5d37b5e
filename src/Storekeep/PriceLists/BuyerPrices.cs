using Microsoft.EntityFrameworkCore;
using Storekeep.Catalog;
using Storekeep.Companies;
using Storekeep.Data;

namespace Storekeep.PriceLists;

/// <summary>
/// Which prices a shopper pays (docs/sales.md, "Who pays list prices"): a buyer, that is a
/// customer whose company has a price list, pays that list's prices; everyone else the regular
/// ones. The one place the cart view, the checkout quote and checkout (card, manual, payment
/// intent) ask, so they cannot disagree.
/// </summary>
public sealed class BuyerPrices(StorekeepDbContext db)
{
    /// <summary>
    /// The customer a storefront account buys as, or null. Only an account whose email is verified:
    /// sign-up links an account to the customer record of the email typed, before anyone proved
    /// owning it, and company prices must not go to whoever types a buyer's address.
    /// </summary>
    public async Task<Guid?> CustomerOfAccountAsync(Guid? accountId, CancellationToken ct) =>
        accountId is { } id
            ? await db.Users.AsNoTracking().Where(u => u.Id == id && u.EmailConfirmed).Select(u => u.CustomerId).FirstOrDefaultAsync(ct)
            : null;

    /// <summary>The prices the signed-in account <paramref name="accountId"/> pays for <paramref name="skus"/> (regular ones for null: a guest).</summary>
    public async Task<BuyerPriceBook> ForAccountAsync(Guid? accountId, IEnumerable<string> skus, CancellationToken ct) =>
        await ForCustomerAsync(await CustomerOfAccountAsync(accountId, ct), skus, ct);

    /// <summary>
    /// For product tiles: the lowest price one unit of each product costs the signed-in account
    /// <paramref name="accountId"/>, for the products its company's list makes cheaper than their
    /// lowest regular price. Empty for guests and everyone who pays regular prices.
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, decimal>> ProductPricesAsync(Guid? accountId, IReadOnlyCollection<Guid> productIds, CancellationToken ct)
    {
        if (productIds.Count == 0 || await CustomerOfAccountAsync(accountId, ct) is not { } customer)
        {
            return new Dictionary<Guid, decimal>();
        }

        var variants = await db.Set<ProductVariant>().AsNoTracking().Where(v => productIds.Contains(v.ProductId))
            .Select(v => new { v.ProductId, v.Sku, v.Price }).ToListAsync(ct);
        var book = await ForCustomerAsync(customer, variants.Select(v => v.Sku), ct);
        return book.PriceListId is null
            ? new Dictionary<Guid, decimal>()
            : variants.GroupBy(v => v.ProductId)
                .Select(g => (Product: g.Key, Buyer: g.Min(v => book.UnitPrice(v.Sku, 1, v.Price)), Regular: g.Min(v => v.Price)))
                .Where(p => p.Buyer < p.Regular)
                .ToDictionary(p => p.Product, p => p.Buyer);
    }

    /// <summary>The prices customer <paramref name="customerId"/> pays for <paramref name="skus"/>: its company's list, or the regular prices.</summary>
    public async Task<BuyerPriceBook> ForCustomerAsync(Guid? customerId, IEnumerable<string> skus, CancellationToken ct)
    {
        if (customerId is not { } id)
        {
            return BuyerPriceBook.Regular;
        }

        var list = await (
                from customer in db.Customers.AsNoTracking()
                join company in db.Set<Company>().AsNoTracking() on customer.CompanyId equals company.Id
                join priceList in db.Set<PriceList>().AsNoTracking() on company.PriceListId equals priceList.Id
                where customer.Id == id
                select new { priceList.Id, priceList.Name, priceList.PercentOff })
            .FirstOrDefaultAsync(ct);
        if (list is null)
        {
            return BuyerPriceBook.Regular;
        }

        var wanted = skus.Distinct(StringComparer.Ordinal).ToList();
        var tiers = list.PercentOff is null
            ? await db.Set<PriceListEntry>().AsNoTracking().Where(e => e.PriceListId == list.Id && wanted.Contains(e.Sku)).ToListAsync(ct)
            : [];
        return new BuyerPriceBook(list.Id, list.Name, list.PercentOff, tiers.ToLookup(e => e.Sku, StringComparer.Ordinal));
    }
}

/// <summary>A step of a buyer's volume pricing: from <paramref name="MinimumQuantity"/> units on a line, each costs <paramref name="UnitPrice"/>.</summary>
public sealed record BuyerTier(int MinimumQuantity, decimal UnitPrice);

/// <summary>
/// The unit prices one shopper pays, for the SKUs it was loaded with: a price list's (the rule of
/// <see cref="PriceLists.Price"/>, never above the regular price), or, for <see cref="Regular"/>,
/// the regular price itself.
/// </summary>
public sealed class BuyerPriceBook
{
    public static readonly BuyerPriceBook Regular = new(null, null, null, Array.Empty<PriceListEntry>().ToLookup(e => e.Sku));

    private readonly decimal? _percentOff;
    private readonly ILookup<string, PriceListEntry> _tiers;

    internal BuyerPriceBook(Guid? priceListId, string? priceListName, decimal? percentOff, ILookup<string, PriceListEntry> tiers)
    {
        PriceListId = priceListId;
        PriceListName = priceListName;
        _percentOff = percentOff;
        _tiers = tiers;
    }

    /// <summary>The company's price list; null when the shopper pays regular prices.</summary>
    public Guid? PriceListId { get; }

    public string? PriceListName { get; }

    /// <summary>What <paramref name="quantity"/> units of <paramref name="sku"/> on one line cost each, the regular price being <paramref name="regular"/>.</summary>
    public decimal UnitPrice(string sku, int quantity, decimal regular) =>
        PriceListId is null ? regular : PriceLists.Price(sku, quantity, regular, _percentOff, _tiers[sku]).UnitPrice;

    /// <summary>
    /// The quantities from which the unit price drops below what fewer units cost, with that price,
    /// from the lowest (a list that lowers the price of a single unit starts at 1). Empty when the
    /// shopper pays the regular price at every quantity.
    /// </summary>
    public IReadOnlyList<BuyerTier> Tiers(string sku, decimal regular)
    {
        if (PriceListId is null)
        {
            return [];
        }

        var steps = new List<BuyerTier>();
        var previous = regular;
        foreach (var minimum in _tiers[sku].Select(t => t.MinimumQuantity).Append(1).Distinct().Order())
        {
            var unit = UnitPrice(sku, minimum, regular);
            if (unit < previous)
            {
                steps.Add(new BuyerTier(minimum, unit));
                previous = unit;
            }
        }

        return steps;
    }
}
