using Microsoft.EntityFrameworkCore;
using Storekeep.Catalog;
using Storekeep.Data;
using Storekeep.Inventory;
using Storekeep.Loyalty;
using Storekeep.Payments;
using Storekeep.PriceLists;
using Storekeep.Pricing;
using Storekeep.Promotions;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Checkout;

public sealed record CreateCartRequest(string? Email);

/// <summary><c>PATCH /carts/{id}</c>: the shopper's email, given after the cart was created (abandoned-cart reminders go to it).</summary>
public sealed record UpdateCartRequest(string? Email);

public sealed record CartItemRequest(string? Sku, int? Quantity);

public sealed record CartItemQuantityRequest(int? Quantity);

/// <summary>
/// A cart line; <see cref="LineTotal"/> is after its discounts (<see cref="Subtotal"/> before).
/// <see cref="UnitPrice"/> is what the shopper pays: the company price list's for the line's
/// quantity for a signed-in buyer, else <see cref="RegularPrice"/>.
/// </summary>
public sealed record CartLineView(string Sku, string ProductTitle, string? VariantTitle, int Quantity, decimal UnitPrice, decimal LineTotal)
{
    /// <summary>The variant's own price (0 for a line no longer for sale).</summary>
    public decimal RegularPrice { get; init; }

    public decimal Subtotal { get; init; }
    public decimal? CompareAtPrice { get; init; }
    public decimal DiscountTotal { get; init; }
    public IReadOnlyList<CartDiscountAllocationView> DiscountAllocations { get; init; } = [];
}

public sealed record CartDiscountAllocationView(Guid DiscountId, decimal Amount);

/// <summary>A code entered on the cart: applied, or the reason it does not apply now (a contract error code).</summary>
public sealed record CartDiscountCodeView(string Code, bool Applied, string? Reason)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public DiscountRejection? Rejection { get; init; }
}

/// <summary>A discount the cart gets now (automatic or by code), and what it saves.</summary>
public sealed record CartAppliedDiscountView(Guid DiscountId, string Title, string? Code, string Type, decimal Amount);

public sealed record CartView(
    Guid Id,
    CartStatus Status,
    string Currency,
    string? Email,
    IReadOnlyList<CartLineView> Items,
    int ItemCount,
    decimal Subtotal,
    Guid? OrderId,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    /// <summary>The line discounts (shipping is not known before checkout): subtotal − discountTotal is what the goods cost.</summary>
    public decimal DiscountTotal { get; init; }

    public IReadOnlyList<CartDiscountCodeView> DiscountCodes { get; init; } = [];
    public IReadOnlyList<CartAppliedDiscountView> Discounts { get; init; } = [];

    /// <summary>Loyalty points redeemed on the cart and what they take off (part of <see cref="DiscountTotal"/>); null when none.</summary>
    public CartLoyaltyRedemptionView? LoyaltyRedemption { get; init; }

    /// <summary>The price list the lines are priced by (the signed-in buyer's company's); null: regular prices.</summary>
    public Guid? PriceListId { get; init; }
}

/// <summary>Points redeemed on a cart: <paramref name="Amount"/> = points × pointValue, at most what the lines cost after discounts.</summary>
public sealed record CartLoyaltyRedemptionView(long Points, decimal Amount);

/// <summary>
/// Carts: public, anonymous, identified by their unguessable id. Adding more than is available is
/// refused early, but only checkout reserves stock.
/// </summary>
public sealed class CartService(
    StorekeepDbContext db,
    StoreSettingsService settings,
    PromotionCandidates promotions,
    LoyaltyCheckout loyalty,
    BuyerPrices buyerPrices,
    CartShopper shopper,
    TimeProvider clock)
{
    public const int MaxLines = 100;

    public async Task<CartView> CreateAsync(CreateCartRequest? request, CancellationToken ct)
    {
        CardNumbers.Refuse(request?.Email);
        var v = new Validation();
        var email = v.Email("email", request?.Email, required: false);
        v.ThrowIfInvalid();
        var now = clock.GetUtcNow().UtcDateTime;
        var cart = new Cart
        {
            Currency = (await settings.GetAsync(ct)).Currency,
            Email = email,
            Status = CartStatus.Active,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Carts.Add(cart);
        await db.SaveChangesAsync(ct);
        return await ViewAsync(cart.Id, ct);
    }

    /// <summary>
    /// Sets the cart's email (required, a valid address). Changing it is a change to the cart:
    /// customer-specific discounts depend on it, so the version is bumped.
    /// </summary>
    public async Task<CartView> UpdateAsync(Guid cartId, UpdateCartRequest? request, CancellationToken ct)
    {
        CardNumbers.Refuse(request?.Email);
        var v = new Validation();
        var email = v.Email("email", request?.Email);
        v.ThrowIfInvalid();
        await db.InTransactionAsync(async token =>
        {
            await BumpVersionAsync(cartId, token);
            await db.Carts.Where(c => c.Id == cartId).ExecuteUpdateAsync(u => u.SetProperty(c => c.Email, email), token);
        }, ct);
        return await ViewAsync(cartId, ct);
    }

    /// <summary>
    /// The cart with its discounts as they stand: automatic ones and the entered codes (plus
    /// <paramref name="withCode"/>, to try a code before keeping it), priced without shipping or tax,
    /// at the prices of the shopper signed in now (<see cref="CartShopper"/>), as checkout charges them.
    /// </summary>
    public async Task<CartView> ViewAsync(Guid cartId, CancellationToken ct, string? withCode = null)
    {
        var cart = await CartReads.CartAsync(db, cartId, ct) ?? throw Errors.NotFound("Cart", cartId.ToString());
        var skus = cart.Items.Select(i => i.Sku).ToList();
        var variants = await CartReads.VariantsAsync(db, skus, ct);
        var items = cart.Items.OrderBy(i => i.AddedAt).ThenBy(i => i.Sku).ToList();
        var (entered, redemption) = await AdjustmentsOfAsync(cart, promotions, loyalty, ct);
        var codes = entered.ToList();
        if (DiscountDefinition.KeyOf(withCode) is { } added && !codes.Contains(added))
        {
            codes.Add(added);
        }

        // Lines no longer for sale are shown at 0 and left out of the discounts (checkout refuses them).
        var prices = await buyerPrices.ForAccountAsync(shopper.AccountId, skus, ct);
        var priceable = items.Where(i => variants.ContainsKey(i.Sku)).Select(i => CheckoutService.PriceLineOf(variants[i.Sku], i.Quantity, prices)).ToList();
        var totals = priceable.Count == 0 ? null
            : PriceCalculator.Calculate(priceable, null, 0m, false, await promotions.ForAsync(codes, cart.Email, ct) with { LoyaltyAmount = redemption?.Amount ?? 0 });
        var priced = totals?.Lines.ToDictionary(l => l.Sku, StringComparer.Ordinal) ?? [];
        var lines = items.Select(i =>
        {
            var variant = variants.GetValueOrDefault(i.Sku);
            var price = variant is null ? 0m : prices.UnitPrice(i.Sku, i.Quantity, variant.Price);
            var line = priced.GetValueOrDefault(i.Sku);
            return new CartLineView(i.Sku, variant?.Product?.Title ?? i.Sku, variant?.Title, i.Quantity, price, price * i.Quantity - (line?.Discount ?? 0m))
            {
                RegularPrice = variant?.Price ?? 0m,
                Subtotal = price * i.Quantity,
                CompareAtPrice = variant?.CompareAtPrice,
                DiscountTotal = line?.Discount ?? 0m,
                DiscountAllocations = line?.Allocations.Select(a => new CartDiscountAllocationView(a.DiscountId, MinorUnits.FromMinor(a.Amount))).ToList() ?? [],
            };
        }).ToList();
        var promotion = totals?.Promotion;
        return new CartView(cart.Id, cart.Status, cart.Currency, cart.Email, lines, lines.Sum(l => l.Quantity),
            lines.Sum(l => l.Subtotal), cart.OrderId, cart.CreatedAt, cart.UpdatedAt)
        {
            DiscountTotal = totals?.DiscountTotal ?? 0m,
            DiscountCodes = codes.Select(code =>
            {
                var rejected = promotion?.Rejected.FirstOrDefault(r => string.Equals(r.Code, code, StringComparison.OrdinalIgnoreCase));
                var applied = promotion?.Applied.Any(a => string.Equals(a.Code, code, StringComparison.OrdinalIgnoreCase)) ?? false;
                var reason = applied ? (DiscountRejection?)null : rejected?.Reason ?? (promotion is null ? DiscountRejection.MinimumNotMet : DiscountRejection.CodeUnknown);
                return new CartDiscountCodeView(code, applied, reason is { } r ? DiscountRejections.ContractName(r) : null) { Rejection = reason };
            }).ToList(),
            Discounts = promotion?.Applied.Select(a => new CartAppliedDiscountView(a.DiscountId, a.Title, a.Code, DiscountTypes.Name(a.Type), MinorUnits.FromMinor(a.Amount))).ToList() ?? [],
            LoyaltyRedemption = redemption is { } r ? new CartLoyaltyRedemptionView(r.Points, totals?.LoyaltyDiscount ?? 0m) : null,
            PriceListId = prices.PriceListId,
        };
    }

    /// <summary>
    /// The discount codes entered on the cart and the points redeemed on it, read only for a cart
    /// ever given either (<see cref="Cart.PriceAdjusted"/>). The cart view and checkout both price with them.
    /// </summary>
    internal static async Task<(IReadOnlyList<string> Codes, (long Points, long Amount)? Redemption)> AdjustmentsOfAsync(
        Cart cart, PromotionCandidates promotions, LoyaltyCheckout loyalty, CancellationToken ct) =>
        cart.PriceAdjusted ? (await promotions.CodesOfCartAsync(cart.Id, ct), await loyalty.RedemptionOfCartAsync(cart.Id, ct)) : ([], null);

    /// <summary>
    /// Bumps an active cart's version (inside the caller's transaction), as every change to what the
    /// cart costs must: checkout converts exactly the version it priced. Taking the row lock first
    /// also queues concurrent changes to one cart. <paramref name="priceAdjusted"/>: the change puts a
    /// discount code or redeemed points on the cart (<see cref="Cart.PriceAdjusted"/>).
    /// </summary>
    public async Task BumpVersionAsync(Guid cartId, CancellationToken ct, bool priceAdjusted = false)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var bumped = await db.Carts.Where(c => c.Id == cartId && c.Status == CartStatus.Active)
            .ExecuteUpdateAsync(
                u =>
                {
                    u.SetProperty(c => c.Version, c => c.Version + 1).SetProperty(c => c.UpdatedAt, now);
                    if (priceAdjusted)
                    {
                        u.SetProperty(c => c.PriceAdjusted, true);
                    }
                },
                ct);
        if (bumped == 0)
        {
            throw await db.Carts.AnyAsync(c => c.Id == cartId, ct)
                ? Errors.Conflict("cart_not_active", "This cart has been checked out; create a new cart.")
                : Errors.NotFound("Cart", cartId.ToString());
        }
    }

    public async Task<CartView> AddItemAsync(Guid cartId, CartItemRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var sku = v.Code("sku", request.Sku);
        var quantity = v.Quantity("quantity", request.Quantity);
        v.ThrowIfInvalid();
        await ChangeAsync(cartId, sku, current => checked(current + quantity), ct);
        return await ViewAsync(cartId, ct);
    }

    public async Task<CartView> SetQuantityAsync(Guid cartId, string sku, CartItemQuantityRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var quantity = v.Quantity("quantity", request.Quantity, allowZero: true);
        v.ThrowIfInvalid();
        await ChangeAsync(cartId, sku, current => current == 0 ? throw NotInCart(sku) : quantity, ct);
        return await ViewAsync(cartId, ct);
    }

    public async Task<CartView> RemoveItemAsync(Guid cartId, string sku, CancellationToken ct)
    {
        await ChangeAsync(cartId, sku, current => current == 0 ? throw NotInCart(sku) : 0, ct);
        return await ViewAsync(cartId, ct);
    }

    /// <summary>Sets a line to <paramref name="newQuantity"/>(current) (0 removes it) and bumps the cart version.</summary>
    private Task ChangeAsync(Guid cartId, string sku, Func<int, int> newQuantity, CancellationToken ct) =>
        db.InTransactionAsync(async token =>
        {
            // Bumping the version first takes the cart's row lock, so concurrent changes to one cart
            // queue up instead of both inserting the same line.
            var now = clock.GetUtcNow().UtcDateTime;
            await BumpVersionAsync(cartId, token);

            var cart = await db.Carts.Include(c => c.Items).SingleAsync(c => c.Id == cartId, token);
            var item = cart.Items.FirstOrDefault(i => string.Equals(i.Sku, sku, StringComparison.OrdinalIgnoreCase));
            var quantity = newQuantity(item?.Quantity ?? 0);
            if (quantity > Validation.MaxQuantity)
            {
                throw new RequestValidationException(new Dictionary<string, string[]> { ["quantity"] = [$"A cart line holds at most {Validation.MaxQuantity} units."] });
            }

            if (quantity == 0)
            {
                if (item is not null)
                {
                    cart.Items.Remove(item);
                    db.CartItems.Remove(item);
                }
            }
            else
            {
                var variant = await db.Variants.AsNoTracking()
                    .Where(x => x.Sku == (item != null ? item.Sku : sku) && x.Product!.Status == ProductStatus.Active)
                    .Select(x => new { x.Id, x.Sku })
                    .FirstOrDefaultAsync(token)
                    ?? throw Errors.Unprocessable("unknown_sku", $"No product for sale has SKU '{sku}'.");
                var available = await db.StockLevels.Where(s => s.Sku == variant.Sku).SumAvailableAsync(token);
                if (quantity > available)
                {
                    throw Errors.InsufficientStock(variant.Sku, quantity, available);
                }

                if (item is null)
                {
                    if (cart.Items.Count >= MaxLines)
                    {
                        throw Errors.Unprocessable("cart_full", $"A cart holds at most {MaxLines} different products.");
                    }

                    db.CartItems.Add(new CartItem { CartId = cart.Id, Sku = variant.Sku, VariantId = variant.Id, Quantity = quantity, AddedAt = now });
                }
                else
                {
                    item.Quantity = quantity;
                }
            }

        }, ct);

    private static StorekeepException NotInCart(string sku) =>
        new(ErrorKind.NotFound, "not_found", $"SKU '{sku}' is not in this cart.");
}
