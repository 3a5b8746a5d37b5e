using Microsoft.EntityFrameworkCore;
using Storekeep.Catalog;
using Storekeep.Data;

namespace Storekeep.Checkout;

/// <summary>
/// The two reads behind every cart view and every checkout (the cart with its items, then its
/// variants with their products and categories), compiled once per model.
/// </summary>
internal static class CartReads
{
    private static readonly CompiledPerModel<Func<StorekeepDbContext, Guid, CancellationToken, Task<Cart?>>> CartWithItems = new(() =>
        EF.CompileAsyncQuery((StorekeepDbContext db, Guid id, CancellationToken ct) =>
            db.Carts.AsNoTracking().Include(c => c.Items).FirstOrDefault(c => c.Id == id)));

    private static readonly CompiledPerModel<Func<StorekeepDbContext, List<string>, IAsyncEnumerable<ProductVariant>>> VariantsWithProducts = new(() =>
        EF.CompileAsyncQuery((StorekeepDbContext db, List<string> skus) =>
            db.Variants.AsNoTracking().Include(v => v.Product).ThenInclude(p => p!.Category).Where(v => skus.Contains(v.Sku))));

    /// <summary>The cart with its items, untracked; null when there is no such cart.</summary>
    public static Task<Cart?> CartAsync(StorekeepDbContext db, Guid cartId, CancellationToken ct) => CartWithItems.For(db)(db, cartId, ct);

    /// <summary>The variants of <paramref name="skus"/> that exist, by SKU, with their products and categories, untracked.</summary>
    public static async Task<Dictionary<string, ProductVariant>> VariantsAsync(StorekeepDbContext db, List<string> skus, CancellationToken ct)
    {
        var variants = new Dictionary<string, ProductVariant>(skus.Count, StringComparer.Ordinal);
        await foreach (var variant in VariantsWithProducts.For(db)(db, skus).WithCancellation(ct))
        {
            variants.Add(variant.Sku, variant);
        }

        return variants;
    }
}
