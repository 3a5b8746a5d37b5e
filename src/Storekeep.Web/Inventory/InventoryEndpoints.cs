using Microsoft.AspNetCore.Http.HttpResults;
using Storekeep.Access;
using Storekeep.Inventory;
using Storekeep.Shared;
using Storekeep.Web.Api;

namespace Storekeep.Web.Inventory;

/// <summary>Warehouses, stock balances and the stock ledger. Reads need <c>inventory.read</c>, changes <c>inventory.write</c>.</summary>
public static class InventoryEndpoints
{
    public static RouteGroupBuilder MapInventoryEndpoints(this RouteGroupBuilder api)
    {
        var warehouses = api.MapGroup("/warehouses").WithTags("Inventory");
        warehouses.MapPost("", CreateWarehouse)
            .WithName("CreateWarehouse")
            .WithSummary("Create a warehouse; lower priority ships first.")
            .RequireAuthorization(Permissions.InventoryWrite)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(409);
        warehouses.MapGet("", ListWarehouses)
            .WithName("ListWarehouses")
            .WithSummary("Warehouses, alphabetical by code.")
            .RequireAuthorization(Permissions.InventoryRead)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403);

        var inventory = api.MapGroup("/inventory").WithTags("Inventory");
        inventory.MapPost("/adjustments", Adjust)
            .WithName("AdjustStock")
            .WithSummary("Add or remove on-hand stock of a SKU in a warehouse; removing more than is available is 409 insufficient_stock.")
            .RequireAuthorization(Permissions.InventoryWrite)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(409).ProducesProblem(422);
        inventory.MapPost("/transfers", Transfer)
            .WithName("TransferStock")
            .WithSummary("Move available stock of a SKU from one warehouse to another: two ledger rows with one reference.")
            .RequireAuthorization(Permissions.InventoryWrite)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(409).ProducesProblem(422);
        inventory.MapGet("/movements", ListMovements)
            .WithName("ListStockMovements")
            .WithSummary("The stock ledger, newest first, optionally for one SKU.")
            .RequireAuthorization(Permissions.InventoryRead)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403);
        inventory.MapGet("/low-stock", ListLowStock)
            .WithName("ListLowStock")
            .WithSummary("Stock levels whose available quantity is at or under their low-stock threshold.")
            .RequireAuthorization(Permissions.InventoryRead)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403);
        inventory.MapGet("/{sku}", GetStock)
            .WithName("GetStock")
            .WithSummary("On hand, reserved and available stock of a SKU, in total and per warehouse.")
            .RequireAuthorization(Permissions.InventoryRead)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        inventory.MapPatch("/{sku}/warehouses/{code}", SetLowStockThreshold)
            .WithName("SetLowStockThreshold")
            .WithSummary("Set the low-stock threshold of a SKU in a warehouse.")
            .RequireAuthorization(Permissions.InventoryWrite)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        return api;
    }

    private static async Task<Created<WarehouseView>> CreateWarehouse(CreateWarehouseRequest request, WarehouseService warehouses, CancellationToken ct) =>
        TypedResults.Created((string?)null, await warehouses.CreateAsync(request, ct));

    private static async Task<Ok<Page<WarehouseView>>> ListWarehouses(int? limit, string? cursor, WarehouseService warehouses, CancellationToken ct) =>
        TypedResults.Ok(await warehouses.ListAsync(limit, cursor, ct));

    private static async Task<Created<MovementView>> Adjust(AdjustStockRequest request, HttpContext http, StockService stock, CancellationToken ct) =>
        TypedResults.Created((string?)null, await stock.AdjustAsync(request, http.User.Actor(), ct));

    private static async Task<Created<TransferView>> Transfer(TransferStockRequest request, HttpContext http, StockService stock, CancellationToken ct) =>
        TypedResults.Created((string?)null, await stock.TransferAsync(request, http.User.Actor(), ct));

    private static async Task<Ok<Page<MovementView>>> ListMovements(string? sku, int? limit, string? cursor, StockService stock, CancellationToken ct) =>
        TypedResults.Ok(await stock.ListMovementsAsync(sku, limit, cursor, ct));

    private static async Task<Ok<Page<StockLevelView>>> ListLowStock(int? limit, string? cursor, StockService stock, CancellationToken ct) =>
        TypedResults.Ok(await stock.ListLowStockAsync(limit, cursor, ct));

    private static async Task<Ok<SkuStockView>> GetStock(string sku, StockService stock, CancellationToken ct) =>
        TypedResults.Ok(await stock.GetAsync(RouteSku(sku), ct));

    private static async Task<Ok<StockLevelView>> SetLowStockThreshold(string sku, string code, SetLowStockThresholdRequest request, StockService stock, CancellationToken ct) =>
        TypedResults.Ok(await stock.SetLowStockThresholdAsync(RouteSku(sku), Uri.UnescapeDataString(code), request, ct));

    /// <summary>SKUs may contain '/', which a path segment carries as %2F and routing leaves encoded.</summary>
    private static string RouteSku(string sku) => Uri.UnescapeDataString(sku);
}
