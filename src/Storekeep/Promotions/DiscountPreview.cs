using Microsoft.EntityFrameworkCore;
using Storekeep.Catalog;
using Storekeep.Checkout;
using Storekeep.Data;
using Storekeep.Pricing;
using Storekeep.Shared;

namespace Storekeep.Promotions;

/// <summary>A product the back office can put in a preview cart.</summary>
public sealed record PreviewProduct(string Sku, string Title, decimal Price, decimal? CompareAtPrice, Guid ProductId);

/// <summary>A sample cart to preview a discount on: its lines as pricing sees them, their titles, and the store's first shipping method.</summary>
public sealed record PreviewCart(IReadOnlyList<PriceLine> Lines, IReadOnlyDictionary<string, string> Titles, ShippingMethod? Shipping);

public sealed record PreviewLine(string Sku, string Title, int Quantity, decimal UnitPrice, decimal Subtotal, decimal Discount, decimal LineTotal);

/// <summary>
/// What the discount being edited gives the sample cart (before tax): per line, in all, on
/// shipping; <see cref="Refusal"/> is the engine's reason when it gives nothing (a contract code).
/// </summary>
public sealed record DiscountPreviewResult(
    IReadOnlyList<PreviewLine> Lines,
    decimal Subtotal,
    decimal LineDiscount,
    decimal ShippingTotal,
    decimal ShippingDiscount,
    decimal DiscountTotal,
    decimal Total,
    string? Refusal,
    DateTime PricedAt);

/// <summary>
/// The back office's live preview of a discount: the request is validated like a real discount,
/// turned into the engine's form by <see cref="Discounts.ToEngine"/>, and priced by
/// <see cref="PriceCalculator"/> — the same path as a cart, with no arithmetic of its own.
/// </summary>
public sealed class DiscountPreview(StorekeepDbContext db, PricingSettings pricing)
{
    /// <summary>Active products' variants to pick from, cheapest first within a title.</summary>
    public async Task<IReadOnlyList<PreviewProduct>> ProductsAsync(int limit, CancellationToken ct) =>
        await db.Variants.AsNoTracking()
            .Where(v => v.Product!.Status == ProductStatus.Active)
            .OrderBy(v => v.Product!.Title).ThenBy(v => v.Position).ThenBy(v => v.Sku)
            .Take(Math.Clamp(limit, 1, 500))
            .Select(v => new PreviewProduct(v.Sku, v.Title == null ? v.Product!.Title : v.Product!.Title + " — " + v.Title, v.Price, v.CompareAtPrice, v.ProductId))
            .ToListAsync(ct);

    /// <summary>The sample cart for these SKUs and quantities (unknown SKUs and quantities below 1 are left out).</summary>
    public async Task<PreviewCart> CartAsync(IReadOnlyList<(string Sku, int Quantity)> items, CancellationToken ct)
    {
        var skus = items.Select(i => i.Sku).Distinct().ToList();
        var variants = await db.Variants.AsNoTracking().Include(v => v.Product).ThenInclude(p => p!.Category)
            .Where(v => skus.Contains(v.Sku)).ToDictionaryAsync(v => v.Sku, ct);
        var lines = items.Where(i => i.Quantity > 0 && variants.ContainsKey(i.Sku))
            .GroupBy(i => i.Sku).Select(g => CheckoutService.PriceLineOf(variants[g.Key], Math.Min(g.Sum(i => i.Quantity), Validation.MaxQuantity))).ToList();
        var titles = variants.Values.ToDictionary(v => v.Sku, v => v.Title is { Length: > 0 } t ? $"{v.Product!.Title} — {t}" : v.Product!.Title);
        var shipping = (await pricing.GetAsync(ct)).ShippingMethods.FirstOrDefault(m => m.IsActive);
        return new PreviewCart(lines, titles, shipping);
    }

    /// <summary>
    /// The discount as if active (a draft previews too), at <paramref name="now"/> or at its start
    /// when that is later; restricted to customers, it is previewed for the first of them (or a member of its segment).
    /// Throws <see cref="RequestValidationException"/> with the service's messages when the request is not a valid discount.
    /// </summary>
    public static DiscountPreviewResult Preview(DiscountRequest request, PreviewCart cart, DateTime now)
    {
        var discount = Discounts.ToEngine(Discounts.Draft(request with { Status = "active" }, now), 0);
        var at = discount.StartsAt is { } start && start > now ? start : now;
        var customer = new PromotionCustomer(null, discount.Customers.Emails.FirstOrDefault(), []) { Segments = discount.Customers.Segments };
        IReadOnlyList<string> codes = discount.Code is { } code ? [code] : [];
        if (cart.Lines.Count == 0)
        {
            return new DiscountPreviewResult([], 0, 0, 0, 0, 0, 0, null, at);
        }

        var totals = PriceCalculator.Calculate(cart.Lines, cart.Shipping, 0m, false, new DiscountContext([discount], codes, customer, at));
        var promotion = totals.Promotion!;
        string? refusal = null;
        if (promotion.Applied.Count == 0)
        {
            var promotionCart = new PromotionCart(
                cart.Lines.Select(l => new PromotionLine(l.Sku, l.Sku, l.Categories, MinorUnits.ToMinor(l.UnitPrice), l.Quantity)).ToList(),
                MinorUnits.ToMinor(totals.ShippingTotal), customer);
            refusal = promotion.Rejected.FirstOrDefault()?.ReasonCode
                ?? (DiscountEngine.Eligibility(discount, promotionCart, at) is { } reason ? DiscountRejections.ContractName(reason) : null);
        }

        var lines = totals.Lines.Select(l => new PreviewLine(
            l.Sku, cart.Titles.GetValueOrDefault(l.Sku, l.Sku), l.Quantity, l.UnitPrice, l.LineTotal, l.Discount, l.NetTotal)).ToList();
        return new DiscountPreviewResult(
            lines, totals.Subtotal, totals.DiscountTotal - totals.ShippingDiscount, totals.ShippingTotal, totals.ShippingDiscount,
            totals.DiscountTotal, totals.Total, refusal, at);
    }
}
