using Microsoft.EntityFrameworkCore;
using Storekeep.Catalog;
using Storekeep.Data;
using Storekeep.Inventory;
using Storekeep.Payments;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Checkout;

public sealed record CreateCartRequest(string? Email);

public sealed record CartItemRequest(string? Sku, int? Quantity);

public sealed record CartItemQuantityRequest(int? Quantity);

public sealed record CartLineView(string Sku, string ProductTitle, string? VariantTitle, int Quantity, decimal UnitPrice, decimal LineTotal);

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
    DateTime UpdatedAt);

/// <summary>
/// Carts: public, anonymous, identified by their unguessable id. Adding more than is available is
/// refused early, but only checkout reserves stock.
/// </summary>
public sealed class CartService(StorekeepDbContext db, StoreSettingsService settings, TimeProvider clock)
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

    public async Task<CartView> ViewAsync(Guid cartId, CancellationToken ct)
    {
        var cart = await db.Carts.AsNoTracking().Include(c => c.Items).FirstOrDefaultAsync(c => c.Id == cartId, ct)
            ?? throw Errors.NotFound("Cart", cartId.ToString());
        var skus = cart.Items.Select(i => i.Sku).ToList();
        var variants = await db.Variants.AsNoTracking().Where(v => skus.Contains(v.Sku))
            .Select(v => new { v.Sku, v.Title, v.Price, ProductTitle = v.Product!.Title })
            .ToDictionaryAsync(v => v.Sku, ct);
        var lines = cart.Items.OrderBy(i => i.AddedAt).ThenBy(i => i.Sku).Select(i =>
        {
            var variant = variants.GetValueOrDefault(i.Sku);
            var price = variant?.Price ?? 0m;
            return new CartLineView(i.Sku, variant?.ProductTitle ?? i.Sku, variant?.Title, i.Quantity, price, price * i.Quantity);
        }).ToList();
        return new CartView(cart.Id, cart.Status, cart.Currency, cart.Email, lines, lines.Sum(l => l.Quantity),
            lines.Sum(l => l.LineTotal), cart.OrderId, cart.CreatedAt, cart.UpdatedAt);
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
            var bumped = await db.Carts.Where(c => c.Id == cartId && c.Status == CartStatus.Active)
                .ExecuteUpdateAsync(u => u.SetProperty(c => c.Version, c => c.Version + 1).SetProperty(c => c.UpdatedAt, now), token);
            if (bumped == 0)
            {
                throw await db.Carts.AnyAsync(c => c.Id == cartId, token)
                    ? Errors.Conflict("cart_not_active", "This cart has been checked out; create a new cart.")
                    : Errors.NotFound("Cart", cartId.ToString());
            }

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
