using System.Text.Json;
using Storekeep.AbandonedCarts;
using Storekeep.Catalog;
using Storekeep.Checkout;
using Storekeep.Shared;

namespace Storekeep.Demo;

internal sealed partial class DemoStoreBuilder
{
    private const int RecoveredCartEvery = 13;
    private const int RecoveredCartDays = 21;

    /// <summary>
    /// One in <see cref="RecoveredCartEvery"/> online orders of the last <see cref="RecoveredCartDays"/>
    /// days came from a cart that had been abandoned and reminded (see <see cref="BuildAbandonedCarts"/>).
    /// Decided by the order number: draws nothing from the random sequence.
    /// </summary>
    private Guid? RecoveredCartOf(long number, DateTime at) =>
        at >= _end.AddDays(-RecoveredCartDays) && number % RecoveredCartEvery == 0 ? Ids.NewUnguessableId() : null;

    /// <summary>
    /// The abandoned-cart sequence (on: 1 h, then 24 h with the welcome code), the carts behind the
    /// recovered orders (reminded 90 minutes before the order), and a few carts still waiting, some
    /// reminded once or twice, all idle at least three days and a day (past every step and its late window) so nothing falls due on first start.
    /// Drawn from its own random source, so the rest of the demo store is unchanged by it.
    /// </summary>
    private void BuildAbandonedCarts()
    {
        var rng = new Random(_supportSeed + 1);
        var welcome = _data.Discounts.FirstOrDefault(d => d.CodeKey == "WELCOME10");
        var steps = new List<AbandonedCartStep>
        {
            new(60, "You left something in your cart", "Hello {{name}},\nyour cart is still waiting for you:\n{{cart.items}}", null),
            new(1440, "10% off what you left behind", "Hello {{name}},\nstill thinking it over? Use {{discount.code}} for 10% off your cart:\n{{cart.items}}", welcome?.Id),
        };
        _data.AbandonedCartSettings.Add(new AbandonedCartSettings { Enabled = true, Steps = JsonSerializer.Serialize(steps, StorekeepJson.Options), UpdatedAt = _end.AddDays(-30) });

        foreach (var order in _data.Orders.Where(o => o.CartId is not null))
        {
            var idleSince = order.CreatedAt.AddMinutes(-150);
            _data.Carts.Add(new Cart
            {
                Id = order.CartId!.Value,
                Status = CartStatus.CheckedOut,
                Currency = order.Currency,
                Email = order.Email,
                OrderId = order.Id,
                Version = 3,
                CreatedAt = idleSince.AddMinutes(-20),
                UpdatedAt = order.CreatedAt,
            });
            Reminded(order.CartId.Value, order.Email, 0, idleSince.AddMinutes(60), null);
        }

        var variants = _data.Products.Where(p => p.Status == ProductStatus.Active).SelectMany(p => p.Variants).ToList();
        var customers = _data.Customers.Where(c => c.AcceptsEmail).ToList();
        if (variants.Count == 0 || customers.Count == 0)
        {
            return;
        }

        // Idle 4 to 14 days; the first four were reminded, the first two twice.
        for (var i = 0; i < 8; i++)
        {
            var customer = customers[rng.Next(customers.Count)];
            var idleSince = _end.AddDays(-4 - rng.Next(0, 11)).AddHours(rng.Next(8, 22)).AddMinutes(rng.Next(0, 60));
            var cart = new Cart
            {
                Status = CartStatus.Active,
                Currency = Currency,
                Email = customer.Email,
                Version = 2,
                CreatedAt = idleSince.AddMinutes(-rng.Next(5, 40)),
                UpdatedAt = idleSince,
            };
            foreach (var variant in Enumerable.Range(0, rng.Next(1, 3)).Select(_ => variants[rng.Next(variants.Count)]).DistinctBy(v => v.Sku))
            {
                cart.Items.Add(new CartItem { CartId = cart.Id, Sku = variant.Sku, VariantId = variant.Id, Quantity = rng.Next(1, 3), AddedAt = cart.CreatedAt });
            }

            _data.Carts.Add(cart);
            if (i < 4)
            {
                Reminded(cart.Id, customer.Email, 0, idleSince.AddMinutes(60), null);
            }

            if (i < 2)
            {
                Reminded(cart.Id, customer.Email, 1, idleSince.AddMinutes(1440), welcome?.Id);
            }
        }

        void Reminded(Guid cartId, string email, int step, DateTime at, Guid? discountId) =>
            _data.AbandonedCartEmails.Add(new AbandonedCartEmail
            {
                CartId = cartId,
                StepIndex = step,
                Email = email,
                DiscountId = discountId,
                Token = System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
                MessageId = Ids.NewId(),
                SentAt = at,
            });
    }
}
