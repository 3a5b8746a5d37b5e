using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.PriceLists;

/// <summary>B2B price lists and what they charge (docs/sales.md, "Price lists").</summary>
public sealed class PriceLists(StorekeepDbContext db, TimeProvider clock)
{
    public const int MaxEntries = 10_000;

    public async Task<PriceListView> CreateAsync(PriceListRequest request, CancellationToken ct)
    {
        var (name, currency, percentOff, entries) = await ValidateAsync(request, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var list = new PriceList { Name = name, Currency = currency, PercentOff = percentOff, CreatedAt = now, UpdatedAt = now };
        list.Entries.AddRange(entries.Select(e => new PriceListEntry { PriceListId = list.Id, Sku = e.Sku, Price = e.Price, MinimumQuantity = e.MinimumQuantity }));
        db.Add(list);
        await SaveAsync(name, ct);
        return View(list);
    }

    /// <summary>Replaces the list's name, percentage and entries whole (a price list is edited as one sheet).</summary>
    public async Task<PriceListView> ReplaceAsync(Guid id, PriceListRequest request, CancellationToken ct)
    {
        var list = await db.Set<PriceList>().Include(p => p.Entries).FirstOrDefaultAsync(p => p.Id == id, ct)
            ?? throw Errors.NotFound("Price list", id.ToString());
        var (name, currency, percentOff, entries) = await ValidateAsync(request, ct);
        list.Name = name;
        list.Currency = currency;
        list.PercentOff = percentOff;
        list.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        list.Entries.Clear();
        // One transaction: the old tiers go first (a kept sku and minimum would clash with its
        // replacement), and a refused save (the name taken) leaves the old sheet whole.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await SaveAsync(name, ct);
        list.Entries.AddRange(entries.Select(e => new PriceListEntry { PriceListId = list.Id, Sku = e.Sku, Price = e.Price, MinimumQuantity = e.MinimumQuantity }));
        await SaveAsync(name, ct);
        await tx.CommitAsync(ct);
        return View(list);
    }

    public async Task<PriceListView> GetAsync(Guid id, CancellationToken ct) =>
        View(await db.Set<PriceList>().AsNoTracking().Include(p => p.Entries).FirstOrDefaultAsync(p => p.Id == id, ct)
            ?? throw Errors.NotFound("Price list", id.ToString()));

    /// <summary>By name, keyset on the name.</summary>
    public async Task<Page<PriceListSummary>> ListAsync(int? limit, string? cursor, CancellationToken ct)
    {
        var take = Cursor.Limit(limit);
        var after = Cursor.Decode(cursor);
        var query = db.Set<PriceList>().AsNoTracking();
        if (after is not null)
        {
            query = query.Where(p => p.Name.CompareTo(after) > 0);
        }

        var rows = await query.OrderBy(p => p.Name).Take(take + 1)
            .Select(p => new PriceListSummary(p.Id, p.Name, p.Currency, p.PercentOff, p.Entries.Count, p.Entries.Select(e => e.Sku).Distinct().Count(), p.UpdatedAt))
            .ToListAsync(ct);
        var items = rows.Take(take).ToList();
        return new Page<PriceListSummary>(items, rows.Count > take ? Cursor.Encode(items[^1].Name) : null);
    }

    /// <summary>
    /// What the list charges per unit for each (sku, quantity): the lowest price among the SKU's tiers
    /// whose minimum the quantity reaches, or the regular price less the list's percentage (rounded
    /// half away from zero to the cent); never more than the regular price. An unknown SKU → 422.
    /// </summary>
    public async Task<IReadOnlyList<PriceListPrice>> PricesAsync(Guid id, IReadOnlyList<(string Sku, int Quantity)> lines, CancellationToken ct)
    {
        var list = await db.Set<PriceList>().AsNoTracking().Where(p => p.Id == id).Select(p => new { p.PercentOff }).FirstOrDefaultAsync(ct)
            ?? throw Errors.NotFound("Price list", id.ToString());
        var skus = lines.Select(l => l.Sku).Distinct(StringComparer.Ordinal).ToList();
        var regular = await db.Variants.AsNoTracking().Where(v => skus.Contains(v.Sku)).ToDictionaryAsync(v => v.Sku, v => v.Price, ct);
        if (skus.FirstOrDefault(s => !regular.ContainsKey(s)) is { } unknown)
        {
            throw Errors.Unprocessable("unknown_sku", $"There is no variant with SKU {unknown}.");
        }

        var tiers = (await db.Set<PriceListEntry>().AsNoTracking().Where(e => e.PriceListId == id && skus.Contains(e.Sku)).ToListAsync(ct))
            .ToLookup(e => e.Sku, StringComparer.Ordinal);
        return [.. lines.Select(l => Price(l.Sku, l.Quantity, regular[l.Sku], list.PercentOff, tiers[l.Sku]))];
    }

    /// <summary>One line's price on a list (pure: the rule <see cref="PricesAsync"/> applies).</summary>
    public static PriceListPrice Price(string sku, int quantity, decimal regular, decimal? percentOff, IEnumerable<PriceListEntry> tiers)
    {
        var unit = regular;
        int? tier = null;
        if (percentOff is { } p)
        {
            unit = decimal.Round(regular * (100m - p) / 100m, 2, MidpointRounding.AwayFromZero);
        }
        else if (tiers.Where(t => t.MinimumQuantity <= quantity).OrderBy(t => t.Price).ThenByDescending(t => t.MinimumQuantity).FirstOrDefault() is { } best
            && best.Price < regular)
        {
            (unit, tier) = (best.Price, best.MinimumQuantity);
        }

        return new PriceListPrice(sku, quantity, regular, unit, tier, unit * quantity);
    }

    private async Task SaveAsync(string name, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (Transactions.IsUniqueViolation(e))
        {
            throw Errors.Conflict("price_list_exists", $"A price list named {name} already exists.");
        }
    }

    private async Task<(string Name, string Currency, decimal? PercentOff, List<PriceListEntryView> Entries)> ValidateAsync(PriceListRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var name = v.Required("name", request.Name, PriceList.NameMaxLength);
        var storeCurrency = await StoreSettingsService.CurrencyAsync(db, ct);
        var currency = (request.Currency ?? storeCurrency).Trim().ToUpperInvariant();
        if (currency != storeCurrency)
        {
            v.Add("currency", $"'currency' must be the store's currency, {storeCurrency}: prices are charged in it.");
        }

        decimal? percentOff = null;
        var entries = new List<PriceListEntryView>();
        if (request.PercentOff is not null && request.Entries is { Count: > 0 })
        {
            v.Add("percentOff", "Give either 'entries' or 'percentOff', not both.");
        }
        else if (request.PercentOff is { } p)
        {
            if (p <= 0 || p >= 100 || decimal.Round(p, 2) != p)
            {
                v.Add("percentOff", "'percentOff' must be more than 0 and less than 100, with at most two decimals.");
            }

            percentOff = p;
        }
        else if (request.Entries is not { Count: > 0 })
        {
            v.Add("entries", "Give 'entries' ([{sku, price, minimumQuantity?}]) or 'percentOff'.");
        }
        else if (request.Entries.Count > MaxEntries)
        {
            v.Add("entries", $"At most {MaxEntries} entries per price list.");
        }
        else
        {
            var seen = new HashSet<(string, int)>();
            for (var i = 0; i < request.Entries.Count; i++)
            {
                var field = $"entries[{i}]";
                if (request.Entries[i] is not { } e)
                {
                    v.Add(field, $"'{field}' is required.");
                    continue;
                }

                var sku = v.Code($"{field}.sku", e.Sku);
                var price = v.Money($"{field}.price", e.Price);
                var minimum = v.Quantity($"{field}.minimumQuantity", e.MinimumQuantity ?? 1);
                if (sku.Length > 0 && !seen.Add((sku, minimum)))
                {
                    v.Add($"{field}.minimumQuantity", $"{sku} already has a tier from {minimum} units.");
                }

                entries.Add(new PriceListEntryView(sku, price, minimum));
            }
        }

        v.ThrowIfInvalid();
        var skus = entries.Select(e => e.Sku).Distinct().ToList();
        var known = await db.Variants.AsNoTracking().Where(x => skus.Contains(x.Sku)).Select(x => x.Sku).ToListAsync(ct);
        var missing = skus.Except(known).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw Errors.Unprocessable("unknown_sku", $"No variant has SKU {string.Join(", ", missing.Take(20))}{(missing.Count > 20 ? $" and {missing.Count - 20} more" : "")}.");
        }

        return (name, currency, percentOff, entries);
    }

    private static PriceListView View(PriceList p) =>
        new(p.Id, p.Name, p.Currency, p.PercentOff,
            [.. p.Entries.OrderBy(e => e.Sku, StringComparer.Ordinal).ThenBy(e => e.MinimumQuantity).Select(e => new PriceListEntryView(e.Sku, e.Price, e.MinimumQuantity))],
            p.CreatedAt, p.UpdatedAt);
}
