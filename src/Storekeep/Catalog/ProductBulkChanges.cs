using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Shared;

namespace Storekeep.Catalog;

public enum PriceChangeKind
{
    /// <summary>Multiply by (1 + value / 100), rounded half away from zero to the cent.</summary>
    Percent,

    /// <summary>Add value (negative lowers the price).</summary>
    Amount,
}

public sealed record BulkResult(int Products, int Variants);

/// <summary>The extra product fields the back office edits besides those of <see cref="UpdateProductRequest"/>.</summary>
public sealed record ProductExtras(bool Featured, string? SeoTitle, string? SeoDescription, string? Vendor, string? Tags, IReadOnlyList<string> ImageUrls);

/// <summary>
/// Changes to many products at once from the back office: all in one transaction (all or nothing),
/// tracked entity by entity so the audit log records each row's before and after.
/// </summary>
public sealed class ProductBulkChanges(StorekeepDbContext db, TimeProvider clock)
{
    public const int MaxProducts = 500;
    public const int SeoTitleMaxLength = 70;
    public const int SeoDescriptionMaxLength = 320;
    public const int MaxImages = 20;

    public async Task<BulkResult> SetStatusAsync(IReadOnlyCollection<Guid> productIds, ProductStatus status, CancellationToken ct)
    {
        Check(productIds);
        return await db.InTransactionAsync(async token =>
        {
            var products = await LoadAsync(productIds, token);
            var now = clock.GetUtcNow().UtcDateTime;
            foreach (var product in products.Where(p => p.Status != status))
            {
                product.Status = status;
                Touch(product, now);
            }

            return new BulkResult(products.Count, products.Sum(p => p.Variants.Count));
        }, ct);
    }

    /// <summary>Changes every variant price of the products; refuses the whole change if any price would drop to zero or below.</summary>
    public async Task<BulkResult> ChangePricesAsync(IReadOnlyCollection<Guid> productIds, PriceChangeKind kind, decimal value, CancellationToken ct)
    {
        Check(productIds);
        var v = new Validation();
        v.Money("value", Math.Abs(value));
        if (kind == PriceChangeKind.Percent && value <= -100m)
        {
            v.Add("value", "A percent change must be above -100.");
        }

        v.ThrowIfInvalid();
        return await db.InTransactionAsync(async token =>
        {
            var products = await LoadAsync(productIds, token);
            var now = clock.GetUtcNow().UtcDateTime;
            var changed = 0;
            foreach (var product in products)
            {
                foreach (var variant in product.Variants)
                {
                    var price = kind == PriceChangeKind.Percent
                        ? Math.Round(variant.Price * (100m + value) / 100m, 2, MidpointRounding.AwayFromZero)
                        : variant.Price + value;
                    if (price <= 0m)
                    {
                        throw Errors.Unprocessable("price_not_positive", $"The change would set {variant.Sku} to {price:0.00}; prices must stay above zero. Nothing was changed.");
                    }

                    variant.Price = price;
                    changed++;
                }

                Touch(product, now);
            }

            return new BulkResult(products.Count, changed);
        }, ct);
    }

    public async Task<ProductExtras> GetExtrasAsync(Guid productId, CancellationToken ct)
    {
        var product = await db.Products.AsNoTracking().Include(p => p.Images).FirstOrDefaultAsync(p => p.Id == productId, ct)
            ?? throw Errors.NotFound("Product", productId.ToString());
        return new ProductExtras(product.Featured, product.SeoTitle, product.SeoDescription, product.Vendor, product.Tags,
            product.Images.OrderBy(i => i.Position).Select(i => i.Url).ToList());
    }

    public async Task SetExtrasAsync(Guid productId, ProductExtras extras, CancellationToken ct)
    {
        var v = new Validation();
        var seoTitle = v.Text("seoTitle", extras.SeoTitle, SeoTitleMaxLength);
        var seoDescription = v.Text("seoDescription", extras.SeoDescription, SeoDescriptionMaxLength);
        var vendor = v.Text("vendor", extras.Vendor, 200);
        var tags = v.Text("tags", extras.Tags, 400);
        var urls = extras.ImageUrls.Select(u => u.Trim()).Where(u => u.Length > 0).ToList();
        if (urls.Count > MaxImages)
        {
            v.Add("imageUrls", $"At most {MaxImages} images.");
        }

        foreach (var url in urls.Where(u => u.Length > 400 || !(Uri.TryCreate(u, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)) && !u.StartsWith('/')))
        {
            v.Add("imageUrls", $"'{url}' is not an http(s) URL or a site path.");
        }

        v.ThrowIfInvalid();
        await db.InTransactionAsync(async token =>
        {
            var product = await db.Products.Include(p => p.Variants).Include(p => p.Images).FirstOrDefaultAsync(p => p.Id == productId, token)
                ?? throw Errors.NotFound("Product", productId.ToString());
            product.Featured = extras.Featured;
            product.SeoTitle = seoTitle;
            product.SeoDescription = seoDescription;
            product.Vendor = vendor;
            product.Tags = tags;
            if (!product.Images.Select(i => i.Url).SequenceEqual(urls))
            {
                db.ProductImages.RemoveRange(product.Images);
                product.Images.Clear();
                product.Images.AddRange(urls.Select((u, i) => new ProductImage { ProductId = product.Id, Url = u, Position = i }));
            }

            product.RefreshSearchText();
            Touch(product, clock.GetUtcNow().UtcDateTime);
            return 0;
        }, ct);
    }

    private static void Check(IReadOnlyCollection<Guid> productIds)
    {
        if (productIds.Count == 0 || productIds.Count > MaxProducts)
        {
            new Validation().Add("productIds", $"Select between 1 and {MaxProducts} products.").ThrowIfInvalid();
        }
    }

    private async Task<List<Product>> LoadAsync(IReadOnlyCollection<Guid> productIds, CancellationToken ct)
    {
        var ids = productIds.Distinct().ToList();
        var products = await db.Products.Include(p => p.Variants).Where(p => ids.Contains(p.Id)).ToListAsync(ct);
        return products.Count == ids.Count ? products : throw Errors.NotFound("Product", string.Join(",", ids.Except(products.Select(p => p.Id))));
    }

    private void Touch(Product product, DateTime now)
    {
        product.UpdatedAt = now;
        db.Raise(new ProductUpdated { ProductId = product.Id, Slug = product.Slug, Title = product.Title, Status = product.Status, Skus = product.Variants.Select(v => v.Sku).ToList() }, now);
    }
}
