using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Catalog;

/// <summary>Products and warehouses made through the API, and a fingerprint of everything catalog and stock tables hold.</summary>
internal static class CatalogTestData
{
    public static async Task<JsonNode> CreateProductAsync(HttpClient client, string title, string sku, decimal price = 10m, string status = "active", string? category = null, string? description = null, string? barcode = null)
    {
        var response = await client.PostJson("/api/v1/products", new
        {
            title,
            description,
            category,
            status,
            variants = new[] { new { sku, price, barcode } },
        });
        return await response.Expect(HttpStatusCode.Created);
    }

    public static async Task CreateWarehouseAsync(HttpClient client, string code, int priority = 0) =>
        await (await client.PostJson("/api/v1/warehouses", new { code, name = $"Warehouse {code}", priority })).Expect(HttpStatusCode.Created);

    public static async Task AdjustAsync(HttpClient client, string sku, string warehouse, int quantity, string reason = "count") =>
        await (await client.PostJson("/api/v1/inventory/adjustments", new { sku, warehouse, quantity, reason })).Expect(HttpStatusCode.Created);

    public static Task<HttpResponseMessage> SendRaw(this HttpClient client, HttpMethod method, string url, string body, string contentType = "application/json") =>
        client.SendAsync(new HttpRequestMessage(method, url) { Content = new StringContent(body, Encoding.UTF8, contentType) });

    public static Task<HttpResponseMessage> SendJson(this HttpClient client, HttpMethod method, string url, object body) =>
        client.SendAsync(new HttpRequestMessage(method, url) { Content = JsonContent.Create(body, options: Http.JsonOptions) });

    /// <summary>Everything a catalog or inventory request could change, as one comparable string.</summary>
    public static async Task<string> FingerprintAsync(TestStore store)
    {
        await using var db = store.Db();
        var text = new StringBuilder();
        foreach (var p in await db.Products.AsNoTracking().OrderBy(p => p.Slug).ToListAsync())
        {
            text.Append($"P {p.Id} {p.Title} {p.Slug} {p.Description} {p.CategoryId} {p.Status} {p.UpdatedAt:O} {p.SearchText}\n");
        }

        foreach (var v in await db.Variants.AsNoTracking().OrderBy(v => v.Sku).ToListAsync())
        {
            text.Append($"V {v.ProductId} {v.Sku} {v.Title} {v.Price} {v.CompareAtPrice} {v.Cost} {v.WeightGrams} {v.Barcode} {v.Position}\n");
        }

        foreach (var c in await db.Categories.AsNoTracking().OrderBy(c => c.Slug).ToListAsync())
        {
            text.Append($"C {c.Id} {c.Name} {c.Slug} {c.Description}\n");
        }

        foreach (var w in await db.Warehouses.AsNoTracking().OrderBy(w => w.Code).ToListAsync())
        {
            text.Append($"W {w.Id} {w.Code} {w.Name} {w.Priority}\n");
        }

        foreach (var s in await db.StockLevels.AsNoTracking().OrderBy(s => s.Sku).ThenBy(s => s.WarehouseId).ToListAsync())
        {
            text.Append($"S {s.Sku} {s.WarehouseId} {s.OnHand} {s.Reserved} {s.LowStockThreshold}\n");
        }

        text.Append($"M {await db.StockMovements.CountAsync()} E {await db.OutboxEvents.CountAsync()}\n");
        return text.ToString();
    }

    /// <summary>Sends each bad request, expecting a 4xx problem, and checks afterwards that none of them changed anything.</summary>
    public static async Task ExpectAllRejectedAsync(TestStore store, IEnumerable<(string Name, Func<Task<HttpResponseMessage>> Send)> requests)
    {
        var before = await FingerprintAsync(store);
        foreach (var (name, send) in requests)
        {
            var response = await send();
            var body = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            Assert.True(status is >= 400 and < 500, $"{name}: expected a 4xx, got {status}: {body}");
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{name}: not a problem response: {body}");
            var problem = JsonNode.Parse(body)!;
            Assert.False(string.IsNullOrEmpty(problem["code"]?.GetValue<string>()), $"{name}: problem without a code: {body}");
            Assert.Equal(status, problem["status"]!.GetValue<int>());
        }

        Assert.Equal(before, await FingerprintAsync(store));
    }
}
