using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Payments;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Checkout;

public sealed class CheckoutTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Checkout_places_a_paid_order_with_exact_totals_and_reserved_stock(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 12.99m, main: 10);
        await store.AddProductAsync("TEE-1", 19.95m, main: 1, west: 5);
        await store.AddShippingAndTaxAsync();
        var cart = await store.CartWithAsync(store.Anonymous, ("MUG-1", 3), ("TEE-1", 2));

        var order = await (await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody())).Expect(HttpStatusCode.Created);

        // 3 × 12.99 = 38.97 and 2 × 19.95 = 39.90 → 78.87; standard shipping 5.99 (under 100);
        // NY tax 8.875 %: 38.97 → 3.4586 → 3.46 and 39.90 → 3.5411 → 3.54 → 7.00.
        Assert.Equal(78.87m, order["subtotal"].Dec());
        Assert.Equal(5.99m, order["shippingTotal"].Dec());
        Assert.Equal(7.00m, order["taxTotal"].Dec());
        Assert.Equal(91.86m, order["total"].Dec());
        Assert.Equal("paid", order["paymentStatus"].Str());
        Assert.Equal("open", order["status"].Str());
        Assert.Equal("unfulfilled", order["fulfillmentStatus"].Str());
        Assert.True(order["number"]!.GetValue<long>() >= 1001);

        await using var db = store.Db();
        Assert.Equal(3, await db.StockLevels.Where(s => s.Sku == "MUG-1").SumAsync(s => s.Reserved));
        // TEE-1: MAIN has 1, WEST has 5; MUG-1 only in MAIN: no warehouse has all, so the lines split by priority.
        Assert.Equal(2, await db.StockLevels.Where(s => s.Sku == "TEE-1").SumAsync(s => s.Reserved));
        var payment = await db.Payments.SingleAsync();
        Assert.Equal(91.86m, payment.CapturedAmount);
        Assert.Equal("4242", payment.Last4);
        Assert.Single(store.Gateway.Journal, op => op.Kind == "capture" && op.Amount == 91.86m);
        var events = await db.OutboxEvents.Select(e => e.Type).ToListAsync();
        Assert.Contains(EventTypes.OrderPlaced, events);
        Assert.Contains(EventTypes.OrderPaid, events);
        var persistedCart = await db.Carts.SingleAsync();
        Assert.Equal(Storekeep.Checkout.CartStatus.CheckedOut, persistedCart.Status);
        await store.AssertLedgerMatchesBalancesAsync();

        var fetched = await (await store.Client.GetAsync($"/api/v1/orders/{order["id"].Str()}")).Expect(HttpStatusCode.OK);
        Assert.Equal(91.86m, fetched["total"].Dec());
        Assert.Equal(2, fetched["lines"]!.AsArray().Count);
        Assert.Contains(fetched["timeline"]!.AsArray(), t => t!["kind"].Str() == "payment_captured");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Declined_card_leaves_no_order_no_reservation_no_charge_and_the_cart_intact(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var cart = await store.CartWithAsync(store.Anonymous, ("MUG-1", 2));

        foreach (var token in new[] { "tok_chargeDeclined", "tok_insufficientFunds" })
        {
            var problem = await (await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(token))).ExpectProblem(HttpStatusCode.PaymentRequired, "payment_declined");
            Assert.NotNull(problem["declineCode"]);
        }

        await AssertNothingHappenedAsync(store, cart, expectedItems: 1);
        Assert.DoesNotContain(store.Gateway.Journal, op => op.Kind is "authorize" or "capture");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Stock_gone_before_checkout_is_409_with_the_authorization_voided_and_nothing_kept(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var cart = await store.CartWithAsync(store.Anonymous, ("MUG-1", 4));
        await using (var db = store.Db())
        {
            // Someone else bought most of it after this cart was filled.
            await db.StockLevels.Where(s => s.Sku == "MUG-1").ExecuteUpdateAsync(u => u.SetProperty(s => s.Reserved, s => s.OnHand - 1 < 0 ? 0 : s.OnHand - 1));
            await db.StockMovements.AddAsync(new Storekeep.Inventory.StockMovement { Sku = "MUG-1", WarehouseId = (await db.StockLevels.Where(s => s.Sku == "MUG-1" && s.OnHand > 0).SingleAsync()).WarehouseId, Type = Storekeep.Inventory.MovementType.Reservation, ReservedDelta = 4, Actor = "test" });
            await db.SaveChangesAsync();
        }

        await (await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody())).ExpectProblem(HttpStatusCode.Conflict, "insufficient_stock");

        await using var check = store.Db();
        Assert.Equal(0, await check.Orders.CountAsync());
        Assert.Equal(0, await check.Payments.CountAsync());
        Assert.Equal(4, await check.StockLevels.SumAsync(s => s.Reserved)); // only the other buyer's
        Assert.Equal(Storekeep.Checkout.CartStatus.Active, (await check.Carts.SingleAsync()).Status);
        var authorization = Assert.Single(store.Gateway.Journal, op => op.Kind == "authorize");
        Assert.Contains(store.Gateway.Journal, op => op.Kind == "void" && op.Reference == authorization.Reference);
        Assert.DoesNotContain(store.Gateway.Journal, op => op.Kind == "capture");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Invalid_address_is_400_with_field_errors_and_nothing_is_authorized(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var cart = await store.CartWithAsync(store.Anonymous, ("MUG-1", 1));

        var problem = await (await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", new
        {
            email = "not-an-email",
            shippingAddress = new { name = "", line1 = "x", city = "Paris", postalCode = "75001", country = "ZZ" },
            payment = new { method = "card", token = "tok_visa" },
        })).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");

        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("email"));
        Assert.True(errors.ContainsKey("shippingAddress.name"));
        Assert.True(errors.ContainsKey("shippingAddress.country"));
        await AssertNothingHappenedAsync(store, cart, expectedItems: 1);
        Assert.Empty(store.Gateway.Journal);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Raw_card_numbers_are_refused_anywhere_in_the_request_and_never_stored(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var cart = await store.CartWithAsync(store.Anonymous, ("MUG-1", 1));
        var attempts = new object[]
        {
            TestCatalog.CheckoutBody(token: "4242 4242 4242 4242"),
            TestCatalog.CheckoutBody(token: "5555555555554444"),
            new
            {
                email = "ada@example.com",
                shippingAddress = new { name = "Ada", line1 = "1 Main St", city = "NYC", postalCode = "10001", country = "US" },
                payment = new { method = "card", token = "tok_visa", number = "4000056655665556", cvc = "123" },
            },
            new
            {
                email = "ada@example.com",
                shippingAddress = new { name = "Ada", line1 = "1 Main St", line2 = "card 4111-1111-1111-1111", city = "NYC", postalCode = "10001", country = "US" },
                payment = new { method = "card", token = "tok_visa" },
            },
        };

        foreach (var body in attempts)
        {
            await (await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", body, idempotencyKey: Guid.NewGuid().ToString())).ExpectProblem(HttpStatusCode.BadRequest, "raw_card_data_not_accepted");
        }

        // A good checkout afterwards, then scan every text column of every table for card numbers.
        await (await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody())).Expect(HttpStatusCode.Created);
        await DatabaseScan.AssertNoCardNumbersAsync(store);
        Assert.DoesNotContain(store.Gateway.Journal, op => op.Kind == "decline");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_cart_checks_out_once_and_a_second_checkout_says_so(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var cart = await store.CartWithAsync(store.Anonymous, ("MUG-1", 1));

        var order = await (await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody())).Expect(HttpStatusCode.Created);
        var again = await (await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody())).ExpectProblem(HttpStatusCode.Conflict, "cart_already_checked_out");

        Assert.Equal(order["id"].Str(), again["orderId"].Str());
        await (await store.Anonymous.PostJson($"/api/v1/carts/{cart}/items", new { sku = "MUG-1", quantity = 1 })).ExpectProblem(HttpStatusCode.Conflict, "cart_not_active");
        Assert.Single(store.Gateway.Journal, op => op.Kind == "capture");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_checkout_whose_cart_changes_while_paying_is_409_and_takes_no_order_number(string database)
    {
        var log = new StatementLog();
        CartChangingGateway? gateway = null;
        await using var store = await TestStore.StartAsync(database, services: s =>
        {
            log.AddTo(s);
            s.AddSingleton<IPaymentGateway>(sp => gateway = new CartChangingGateway(sp.GetRequiredService<TestPaymentGateway>()));
        });
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var first = await store.CartWithAsync(store.Anonymous, ("MUG-1", 1));
        var number = (await (await store.Anonymous.PostJson($"/api/v1/carts/{first}/checkout", TestCatalog.CheckoutBody())).Expect(HttpStatusCode.Created))["number"]!.GetValue<long>();

        // While the card is being authorized the shopper adds a unit in another tab: the version
        // that was priced is gone, so the checkout must not convert the cart.
        var cart = await store.CartWithAsync(store.Anonymous, ("MUG-1", 1));
        gateway!.BeforeNextAuthorization(async () =>
            await (await store.Anonymous.PostJson($"/api/v1/carts/{cart}/items", new { sku = "MUG-1", quantity = 1 })).Expect(HttpStatusCode.OK));
        await (await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody())).ExpectProblem(HttpStatusCode.Conflict, "cart_changed");
        Assert.Single(store.Gateway.Journal, op => op.Kind == "void");

        // The cart as it is now checks out with the next number: the refused checkout took none.
        var order = await (await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody())).Expect(HttpStatusCode.Created);
        Assert.Equal(number + 1, order["number"]!.GetValue<long>());
        Assert.Equal(20m, order["subtotal"].Dec());

        // On PostgreSQL the number comes back from the statement that claims the cart.
        if (database == TestDatabases.Postgres)
        {
            Assert.All(log.Statements.Where(s => s.Contains(StorekeepDbContext.OrderNumberSequence, StringComparison.Ordinal)),
                s => Assert.StartsWith("UPDATE carts", s.TrimStart(), StringComparison.Ordinal));
        }

        await store.AssertLedgerMatchesBalancesAsync();
    }

    /// <summary>Runs a test's action once, just before the next authorization reaches the gateway.</summary>
    private sealed class CartChangingGateway(TestPaymentGateway inner) : DelegatingGateway(inner)
    {
        private Func<Task>? _pending;

        public void BeforeNextAuthorization(Func<Task> action) => _pending = action;

        public override async Task<GatewayResult> AuthorizeAsync(AuthorizeRequest request, CancellationToken ct)
        {
            if (Interlocked.Exchange(ref _pending, null) is { } action)
            {
                await action();
            }

            return await base.AuthorizeAsync(request, ct);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Bank_transfer_orders_await_payment_without_touching_the_gateway(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        await store.EnableManualPaymentMethodsAsync("bank_transfer");
        var cart = await store.CartWithAsync(store.Anonymous, ("MUG-1", 2));

        var order = await (await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", new
        {
            email = "b2b@example.com",
            shippingAddress = new { name = "Buyer", line1 = "1 Dock Rd", city = "Leeds", postalCode = "LS1 1AA", country = "GB" },
            payment = new { method = "bank_transfer" },
        })).Expect(HttpStatusCode.Created);

        Assert.Equal("pending", order["paymentStatus"].Str());
        Assert.Empty(store.Gateway.Journal);
        var payments = await (await store.Client.GetAsync($"/api/v1/orders/{order["id"].Str()}/payments")).Expect(HttpStatusCode.OK);
        Assert.Equal("bank_transfer", payments[0]!["method"].Str());
        Assert.Equal("pending", payments[0]!["status"].Str());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Tax_inclusive_prices_extract_tax_and_totals_equal_the_sum_of_their_parts(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddShippingAndTaxAsync();
        await (await store.Client.PatchJson("/api/v1/settings/store", new { pricesIncludeTax = true })).Expect(HttpStatusCode.OK);
        await store.AddProductAsync("BAG-1", 33.33m, main: 10);
        var cart = await store.CartWithAsync(store.Anonymous, ("BAG-1", 3));

        var order = await (await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(country: "DE", region: null))).Expect(HttpStatusCode.Created);

        // 99.99 gross incl. 19 % → net 84.03, tax 15.96; express (only method serving DE) 19.50.
        Assert.Equal(99.99m, order["subtotal"].Dec());
        Assert.Equal(15.96m, order["taxTotal"].Dec());
        Assert.Equal(19.50m, order["shippingTotal"].Dec());
        Assert.Equal(order["subtotal"].Dec() + order["shippingTotal"].Dec(), order["total"].Dec());
        Assert.Equal(order["lines"]!.AsArray().Sum(l => l!["taxAmount"].Dec()), order["taxTotal"].Dec());
    }

    private static async Task AssertNothingHappenedAsync(TestStore store, string cartId, int expectedItems)
    {
        await using var db = store.Db();
        Assert.Equal(0, await db.Orders.CountAsync());
        Assert.Equal(0, await db.Payments.CountAsync());
        Assert.Equal(0, await db.StockLevels.SumAsync(s => s.Reserved));
        Assert.Equal(0, await db.StockMovements.CountAsync(m => m.Type == Storekeep.Inventory.MovementType.Reservation));
        Assert.Equal(0, await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.OrderPlaced));
        var cart = await db.Carts.Include(c => c.Items).SingleAsync(c => c.Id == Guid.Parse(cartId));
        Assert.Equal(Storekeep.Checkout.CartStatus.Active, cart.Status);
        Assert.Equal(expectedItems, cart.Items.Count);
    }
}
