using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Fulfillment;

/// <summary>Orders placed through the real checkout API, and the stock numbers tests compare.</summary>
public static class OrderTestData
{
    /// <summary>A card order (tok_visa): authorized, placed and captured, so it is paid.</summary>
    public static Task<JsonNode> PlaceOrderAsync(this TestStore store, params (string Sku, int Quantity)[] lines) =>
        store.PlaceOrderAsync(new { method = "card", token = "tok_visa" }, lines);

    /// <summary>An order paid by "bank_transfer" or "cash_on_delivery": placed, payment pending.</summary>
    public static async Task<JsonNode> PlaceManualOrderAsync(this TestStore store, string method, params (string Sku, int Quantity)[] lines)
    {
        await store.EnableManualPaymentMethodsAsync();
        return await store.PlaceOrderAsync(new { method }, lines);
    }

    public static async Task<JsonNode> PlaceOrderAsync(this TestStore store, object payment, params (string Sku, int Quantity)[] lines)
    {
        var cart = await store.CartWithAsync(store.Anonymous, lines);
        var body = new
        {
            email = "ada@example.com",
            shippingAddress = new { name = "Ada Lovelace", line1 = "12 Analytical Row", city = "New York", region = "NY", postalCode = "10001", country = "US" },
            payment,
        };
        return await (await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", body)).Expect(HttpStatusCode.Created);
    }

    public static async Task<JsonNode> GetOrderAsync(this TestStore store, JsonNode order) =>
        await (await store.Client.GetAsync($"/api/v1/orders/{order["id"].Str()}")).Expect(HttpStatusCode.OK);

    /// <summary>(on hand, reserved) of a SKU in a warehouse, straight from the database.</summary>
    public static async Task<(long OnHand, long Reserved)> StockAsync(this TestStore store, string sku, string warehouse)
    {
        await using var db = store.Db();
        var level = await db.StockLevels.AsNoTracking()
            .Join(db.Warehouses, s => s.WarehouseId, w => w.Id, (s, w) => new { s.Sku, w.Code, s.OnHand, s.Reserved })
            .SingleAsync(s => s.Sku == sku && s.Code == warehouse);
        return (level.OnHand, level.Reserved);
    }

    public static object Ship(string? warehouse, params (string Sku, int Quantity)[] lines) => new
    {
        warehouse,
        lines = lines.Select(l => new { sku = l.Sku, quantity = l.Quantity }).ToArray(),
        carrier = "UPS",
        trackingNumber = "1Z999",
    };

    public static async Task<JsonNode> ShipAsync(this TestStore store, JsonNode order, string? warehouse, params (string Sku, int Quantity)[] lines) =>
        await (await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/shipments", Ship(warehouse, lines))).Expect(HttpStatusCode.Created);

    /// <summary>
    /// Puts the order back to "authorized, capture failed": a fresh, uncaptured authorization of
    /// the same amount at the test gateway, and the payment and order marked authorized.
    /// </summary>
    public static async Task<string> SimulateFailedCaptureAsync(this TestStore store, decimal amount)
    {
        var authorization = await store.Gateway.AuthorizeAsync(new Storekeep.Payments.AuthorizeRequest(amount, "USD", "tok_visa", $"test:{Guid.NewGuid()}"), CancellationToken.None);
        await using var db = store.Db();
        await db.Payments.ExecuteUpdateAsync(u => u
            .SetProperty(p => p.Status, Storekeep.Payments.PaymentRecordStatus.Authorized)
            .SetProperty(p => p.CapturedAmount, 0m)
            .SetProperty(p => p.GatewayReference, authorization.Reference));
        await db.Orders.ExecuteUpdateAsync(u => u.SetProperty(o => o.PaymentStatus, Storekeep.Orders.PaymentStatus.Authorized));
        return authorization.Reference!;
    }

    public static async Task<string> PaymentIdAsync(this TestStore store, JsonNode order)
    {
        var payments = await (await store.Client.GetAsync($"/api/v1/orders/{order["id"].Str()}/payments")).Expect(HttpStatusCode.OK);
        return payments[0]!["id"].Str();
    }
}
