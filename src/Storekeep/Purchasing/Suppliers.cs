using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Purchasing;

/// <summary>Suppliers and the SKUs each sells the store, on its terms.</summary>
public sealed class Suppliers(StorekeepDbContext db, TimeProvider clock)
{
    public const int MaxLeadTimeDays = 3650;
    private const int SkuMaxLength = 64;

    public async Task<SupplierView> CreateAsync(CreateSupplierRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var name = v.Required("name", request.Name, Supplier.NameMaxLength);
        var email = v.Email("email", request.Email) ?? "";
        var currency = Currency(v, "currency", request.Currency);
        var leadTime = LeadTime(v, "leadTimeDays", request.LeadTimeDays) ?? 0;
        v.ThrowIfInvalid();

        var supplier = new Supplier { Name = name, Email = email, Currency = currency, LeadTimeDays = leadTime, CreatedAt = clock.GetUtcNow().UtcDateTime };
        db.Set<Supplier>().Add(supplier);
        await db.SaveChangesAsync(ct);
        return ToView(supplier, []);
    }

    /// <summary>Oldest first, keyset on the (time-ordered) id.</summary>
    public async Task<Page<SupplierView>> ListAsync(int? limit, string? cursor, CancellationToken ct)
    {
        var take = Cursor.Limit(limit);
        var after = Cursor.DecodeGuid(cursor);
        var query = db.Set<Supplier>().AsNoTracking();
        if (after is { } a)
        {
            query = query.Where(s => s.Id.CompareTo(a) > 0);
        }

        var rows = await query.OrderBy(s => s.Id).Take(take + 1).ToListAsync(ct);
        var items = rows.Take(take).Select(s => ToView(s, null)).ToList();
        return new Page<SupplierView>(items, rows.Count > take ? Cursor.Encode(items[^1].Id.ToString()) : null);
    }

    public async Task<SupplierView> GetAsync(string id, CancellationToken ct)
    {
        var supplierId = ParseId(id);
        var supplier = await db.Set<Supplier>().AsNoTracking().Include(s => s.Products)
            .FirstOrDefaultAsync(s => s.Id == supplierId, ct) ?? throw Errors.NotFound("Supplier", id);
        return ToView(supplier, supplier.Products.OrderBy(p => p.Sku, StringComparer.Ordinal).Select(ToView).ToList());
    }

    /// <summary>
    /// Adds a SKU to what the supplier sells, or changes its terms when it is already there
    /// (<c>created</c> tells which). The SKU must be a product variant's.
    /// </summary>
    public async Task<(SupplierProductView Product, bool Created)> SetProductAsync(string id, SupplierProductRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var sku = v.Code("sku", request.Sku, SkuMaxLength);
        var supplierSku = v.Text("supplierSku", request.SupplierSku, SkuMaxLength);
        var cost = v.Money("cost", request.Cost);
        var minimum = Positive(v, "minimumOrderQuantity", request.MinimumOrderQuantity) ?? 1;
        var pack = Positive(v, "packSize", request.PackSize) ?? 1;
        var leadTime = LeadTime(v, "leadTimeDays", request.LeadTimeDays);
        v.ThrowIfInvalid();
        var supplierId = ParseId(id);

        try
        {
            return await db.InTransactionAsync(async token =>
            {
                if (!await db.Set<Supplier>().AnyAsync(s => s.Id == supplierId, token))
                {
                    throw Errors.NotFound("Supplier", id);
                }

                await PurchaseOrders.EnsureKnownSkuAsync(db, sku, "sku", token);
                var now = clock.GetUtcNow().UtcDateTime;
                var product = await db.Set<SupplierProduct>().FirstOrDefaultAsync(p => p.SupplierId == supplierId && p.Sku == sku, token);
                var created = product is null;
                if (product is null)
                {
                    product = new SupplierProduct { SupplierId = supplierId, Sku = sku };
                    db.Set<SupplierProduct>().Add(product);
                }

                product.SupplierSku = supplierSku;
                product.Cost = cost;
                product.MinimumOrderQuantity = minimum;
                product.PackSize = pack;
                product.LeadTimeDays = leadTime;
                product.UpdatedAt = now;
                return (ToView(product), created);
            }, ct);
        }
        catch (DbUpdateException e) when (Transactions.IsUniqueViolation(e))
        {
            throw Errors.Conflict("supplier_product_changed", $"SKU '{sku}' was added to this supplier by another request at the same time; retry.");
        }
    }

    internal static Guid ParseId(string id) =>
        Guid.TryParse(id, out var parsed) ? parsed : throw Errors.NotFound("Supplier", id.Length > 64 ? id[..64] : id);

    /// <summary>Three ASCII letters (ISO 4217), upper-cased.</summary>
    internal static string Currency(Validation v, string field, string? value)
    {
        var text = value?.Trim() ?? "";
        if (text.Length != 3 || !text.All(char.IsAsciiLetter))
        {
            v.Add(field, $"'{field}' must be a three-letter currency code (ISO 4217), e.g. USD.");
            return "";
        }

        return text.ToUpperInvariant();
    }

    private static int? LeadTime(Validation v, string field, int? days)
    {
        if (days is < 0 or > MaxLeadTimeDays)
        {
            v.Add(field, $"'{field}' must be between 0 and {MaxLeadTimeDays}.");
        }

        return days;
    }

    private static int? Positive(Validation v, string field, int? value)
    {
        if (value is < 1 or > Validation.MaxQuantity)
        {
            v.Add(field, $"'{field}' must be between 1 and {Validation.MaxQuantity}.");
        }

        return value;
    }

    internal static SupplierView ToView(Supplier s, IReadOnlyList<SupplierProductView>? products) =>
        new(s.Id, s.Name, s.Email, s.Currency, s.LeadTimeDays, s.CreatedAt, products);

    internal static SupplierProductView ToView(SupplierProduct p) =>
        new(p.Id, p.Sku, p.SupplierSku, p.Cost, p.MinimumOrderQuantity, p.PackSize, p.LeadTimeDays, p.UpdatedAt);
}
