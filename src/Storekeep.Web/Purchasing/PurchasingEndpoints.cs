using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Storekeep.Purchasing;
using Storekeep.Shared;
using Storekeep.Web.Api;

namespace Storekeep.Web.Purchasing;

/// <summary>
/// Suppliers and purchase orders. Reads need <c>purchasing.read</c>; creating, sending and
/// cancelling <c>purchasing.write</c>; receiving goods <c>purchasing.receive</c>.
/// </summary>
public static class PurchasingEndpoints
{
    public static RouteGroupBuilder MapPurchasingEndpoints(this RouteGroupBuilder api)
    {
        var suppliers = api.MapGroup("/suppliers").WithTags("Purchasing");
        suppliers.MapPost("", CreateSupplier)
            .WithName("CreateSupplier")
            .WithSummary("Create a supplier: name, email purchase orders go to, currency (ISO 4217) and lead time in days.")
            .RequireAuthorization(PurchasingPermissions.Write)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        suppliers.MapGet("", ListSuppliers)
            .WithName("ListSuppliers")
            .WithSummary("Suppliers, oldest first.")
            .RequireAuthorization(PurchasingPermissions.Read)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        suppliers.MapGet("/{id}", GetSupplier)
            .WithName("GetSupplier")
            .WithSummary("One supplier with the SKUs it sells the store.")
            .RequireAuthorization(PurchasingPermissions.Read)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        suppliers.MapPost("/{id}/products", SetSupplierProduct)
            .WithName("SetSupplierProduct")
            .WithSummary("Add a SKU to what the supplier sells (201), or change its terms when it is there already (200).")
            .WithDescription("Cost in the supplier's currency; minimumOrderQuantity and packSize default to 1; leadTimeDays overrides the supplier's.")
            .RequireAuthorization(PurchasingPermissions.Write)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);

        var orders = api.MapGroup("/purchase-orders").WithTags("Purchasing");
        orders.MapPost("", CreatePurchaseOrder)
            .WithName("CreatePurchaseOrder")
            .WithSummary("Write a draft purchase order to a supplier for delivery to a warehouse.")
            .WithDescription("A line's unitCost defaults to the supplier's cost for the SKU. Numbered PO-1001, PO-1002, …")
            .RequireAuthorization(PurchasingPermissions.Write)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(422);
        orders.MapGet("", ListPurchaseOrders)
            .WithName("ListPurchaseOrders")
            .WithSummary("Purchase orders, newest first; filter by status (draft, sent, partially_received, received, cancelled) and supplierId.")
            .RequireAuthorization(PurchasingPermissions.Read)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        orders.MapGet("/{id}", GetPurchaseOrder)
            .WithName("GetPurchaseOrder")
            .WithSummary("One purchase order by id or number (PO-1001), with ordered, received and outstanding quantities per line.")
            .RequireAuthorization(PurchasingPermissions.Read)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        orders.MapPost("/{id}/send", SendPurchaseOrder)
            .WithName("SendPurchaseOrder")
            .WithSummary("Send a draft: emailed to the supplier once, after the change commits; its quantities become incoming stock.")
            .WithDescription("Not a draft → 409 purchase_order_not_draft.")
            .RequireAuthorization(PurchasingPermissions.Write)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        orders.MapPost("/{id}/cancel", CancelPurchaseOrder)
            .WithName("CancelPurchaseOrder")
            .WithSummary("Cancel a draft, sent or partially received purchase order: what has not arrived is no longer incoming.")
            .WithDescription("Received or already cancelled → 409 purchase_order_not_cancellable.")
            .RequireAuthorization(PurchasingPermissions.Write)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        orders.MapPost("/{id}/receipts", ReceivePurchaseOrder)
            .WithName("ReceivePurchaseOrder")
            .WithSummary("Receive goods: stock ledger receipts (reference po:PO-1001), moving-average cost, status partially_received or received; all or nothing.")
            .WithDescription("More than is outstanding on a line → 409 receipt_exceeds_outstanding; a draft, cancelled or received order → 409 purchase_order_not_receivable.")
            .RequireAuthorization(PurchasingPermissions.Receive)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        return api;
    }

    private static async Task<Created<SupplierView>> CreateSupplier(CreateSupplierRequest request, Suppliers suppliers, CancellationToken ct)
    {
        var supplier = await suppliers.CreateAsync(request, ct);
        return TypedResults.Created($"/api/v1/suppliers/{supplier.Id}", supplier);
    }

    private static async Task<Ok<Page<SupplierView>>> ListSuppliers(int? limit, string? cursor, Suppliers suppliers, CancellationToken ct) =>
        TypedResults.Ok(await suppliers.ListAsync(limit, cursor, ct));

    private static async Task<Ok<SupplierView>> GetSupplier(string id, Suppliers suppliers, CancellationToken ct) =>
        TypedResults.Ok(await suppliers.GetAsync(id, ct));

    private static async Task<Results<Created<SupplierProductView>, Ok<SupplierProductView>>> SetSupplierProduct(string id, SupplierProductRequest request, Suppliers suppliers, CancellationToken ct)
    {
        var (product, created) = await suppliers.SetProductAsync(id, request, ct);
        return created ? TypedResults.Created((string?)null, product) : TypedResults.Ok(product);
    }

    private static async Task<Created<PurchaseOrderView>> CreatePurchaseOrder(CreatePurchaseOrderRequest request, HttpContext http, PurchaseOrders orders, CancellationToken ct)
    {
        var order = await orders.CreateAsync(request, http.User.Actor(), ct);
        return TypedResults.Created($"/api/v1/purchase-orders/{order.Id}", order);
    }

    private static async Task<Ok<Page<PurchaseOrderView>>> ListPurchaseOrders(
        [FromQuery] string? status,
        [FromQuery] string? supplierId,
        [FromQuery] int? limit,
        [FromQuery] string? cursor,
        PurchaseOrders orders,
        CancellationToken ct) =>
        TypedResults.Ok(await orders.ListAsync(new PurchaseOrderListFilter(status, supplierId, limit, cursor), ct));

    private static async Task<Ok<PurchaseOrderView>> GetPurchaseOrder(string id, PurchaseOrders orders, CancellationToken ct) =>
        TypedResults.Ok(await orders.GetAsync(id, ct));

    private static async Task<Ok<PurchaseOrderView>> SendPurchaseOrder(string id, HttpContext http, PurchaseOrders orders, CancellationToken ct) =>
        TypedResults.Ok(await orders.SendAsync(id, http.User.Actor(), ct));

    private static async Task<Ok<PurchaseOrderView>> CancelPurchaseOrder(string id, HttpContext http, PurchaseOrders orders, CancellationToken ct) =>
        TypedResults.Ok(await orders.CancelAsync(id, http.User.Actor(), ct));

    private static async Task<Created<PurchaseOrderView>> ReceivePurchaseOrder(string id, ReceivePurchaseOrderRequest request, HttpContext http, PurchaseOrders orders, CancellationToken ct) =>
        TypedResults.Created((string?)null, await orders.ReceiveAsync(id, request, http.User.Actor(), ct));
}
