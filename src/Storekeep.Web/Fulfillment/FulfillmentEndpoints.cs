using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Storekeep.Access;
using Storekeep.Fulfillment;
using Storekeep.Payments;
using Storekeep.Web.Api;

namespace Storekeep.Web.Fulfillment;

/// <summary>Shipments, pick lists, returns and refunds of orders.</summary>
public static class FulfillmentEndpoints
{
    public static RouteGroupBuilder MapFulfillmentEndpoints(this RouteGroupBuilder api)
    {
        var orders = api.MapGroup("/orders").WithTags("Fulfillment");
        orders.MapPost("/{id}/shipments", CreateShipment).WithName("CreateShipment")
            .WithSummary("Ship units of a paid (or cash-on-delivery) order from one warehouse, consuming its reservation.")
            .WithDescription("Without 'warehouse' the highest-priority warehouse holding all the units for this order is used. More than is left to ship → 409 shipment_exceeds_order; unpaid → 409 order_not_paid; cancelled → 409 order_cancelled; a SKU not on the order → 422 sku_not_in_order.")
            .RequireAuthorization(Permissions.FulfillmentWrite)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        orders.MapGet("/{id}/shipments", ListShipments).WithName("ListShipments")
            .WithSummary("The order's shipments, oldest first.")
            .RequireAuthorization(Permissions.OrdersRead).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        orders.MapPost("/{id}/shipments/{shipmentId:guid}/deliver", DeliverShipment).WithName("DeliverShipment")
            .WithSummary("Confirm a shipment was delivered; the order is delivered when everything shipped has arrived, and completed when also paid.")
            .RequireAuthorization(Permissions.FulfillmentWrite)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        orders.MapPost("/{id}/returns", CreateReturn).WithName("CreateReturn")
            .WithSummary("Open a return (RMA) for shipped units; more than shipped and not already returned → 409 return_exceeds_shipped.")
            .RequireAuthorization(Permissions.ReturnsCreate)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        orders.MapGet("/{id}/returns", ListReturns).WithName("ListOrderReturns")
            .WithSummary("The order's returns, by RMA number.")
            .RequireAuthorization(Permissions.OrdersRead).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);

        orders.MapPost("/{id}/refunds", CreateRefund).WithName("CreateRefund")
            .WithSummary("Refund an amount, or order lines ({lines: [{sku, quantity}]}: their amounts after discounts plus their tax), through the gateway.")
            .WithDescription("A SKU the order lacks → 422 refund_line_unknown; more units than are left to refund → 422 refund_exceeds_quantity. More than captured less already refunded → 422 refund_exceeds_captured, nothing changes; the gateway refusing → 502 refund_failed, nothing refunded; the gateway not answering → 502 refund_pending (the amount stays reserved; retry with POST /refunds/{refundId}/retry).")
            .RequireAuthorization(Permissions.RefundsCreate)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(422).ProducesProblem(502);
        orders.MapGet("/{id}/refunds", ListRefunds).WithName("ListRefunds")
            .WithSummary("The order's refunds (pending, succeeded and failed), oldest first.")
            .RequireAuthorization(Permissions.OrdersRead).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);

        api.MapPost("/refunds/{refundId:guid}/retry", RetryRefund).WithTags("Fulfillment").WithName("RetryRefund")
            .WithSummary("Send a pending refund (the gateway did not answer) again, with the same idempotency key.")
            .RequireAuthorization(Permissions.RefundsCreate)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(502);

        var returns = api.MapGroup("/returns").WithTags("Fulfillment");
        returns.MapGet("/{returnId:guid}", GetReturn).WithName("GetReturn")
            .WithSummary("One return.")
            .RequireAuthorization(Permissions.OrdersRead).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        returns.MapPost("/{returnId:guid}/receive", ReceiveReturn).WithName("ReceiveReturn")
            .WithSummary("The returned units arrived: back on hand where they shipped from (restock) or written off. Only once (409).")
            .RequireAuthorization(Permissions.FulfillmentWrite)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        api.MapGet("/pick-lists", PickList).WithTags("Fulfillment").WithName("GetPickList")
            .WithSummary("Units to pick in a warehouse: reserved, not shipped, for open paid or cash-on-delivery orders, per SKU.")
            .RequireAuthorization(Permissions.FulfillmentWrite)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(422);
        api.MapPost("/pick-lists/scans", Scan).WithTags("Fulfillment").WithName("ScanPick")
            .WithSummary("Record one scan while picking an order in a warehouse: a SKU or barcode, right or wrong; answers the order's pick progress.")
            .WithDescription("Right = a unit the order still needs from this warehouse (reserved there, not released, not already scanned right). A wrong scan is recorded too (correct: false, with what to do) and counts against pick accuracy (GET /analytics/fulfillment). Unknown order → 404; unknown warehouse → 422 unknown_warehouse.")
            .RequireAuthorization(Permissions.FulfillmentWrite)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(422);
        return api;
    }

    private static async Task<Created<ShipmentView>> CreateShipment(string id, CreateShipmentRequest request, ShipmentService shipments, HttpContext http, CancellationToken ct)
    {
        var shipment = await shipments.CreateAsync(id, request, http.User.Actor(), ct);
        return TypedResults.Created($"/api/v1/orders/{shipment.OrderId}/shipments", shipment);
    }

    private static async Task<Ok<IReadOnlyList<ShipmentView>>> ListShipments(string id, ShipmentService shipments, CancellationToken ct) =>
        TypedResults.Ok(await shipments.ListAsync(id, ct));

    private static async Task<Ok<ShipmentView>> DeliverShipment(string id, Guid shipmentId, ShipmentService shipments, HttpContext http, CancellationToken ct) =>
        TypedResults.Ok(await shipments.DeliverAsync(id, shipmentId, http.User.Actor(), ct));

    private static async Task<Created<ReturnView>> CreateReturn(string id, CreateReturnRequest request, ReturnService returns, HttpContext http, CancellationToken ct)
    {
        var created = await returns.CreateAsync(id, request, http.User.Actor(), ct);
        return TypedResults.Created($"/api/v1/returns/{created.Id}", created);
    }

    private static async Task<Ok<IReadOnlyList<ReturnView>>> ListReturns(string id, ReturnService returns, CancellationToken ct) =>
        TypedResults.Ok(await returns.ListForOrderAsync(id, ct));

    private static async Task<Ok<ReturnView>> GetReturn(Guid returnId, ReturnService returns, CancellationToken ct) =>
        TypedResults.Ok(await returns.GetAsync(returnId, ct));

    private static async Task<Ok<ReturnView>> ReceiveReturn(Guid returnId, ReturnService returns, HttpContext http, CancellationToken ct) =>
        TypedResults.Ok(await returns.ReceiveAsync(returnId, http.User.Actor(), ct));

    private static async Task<Created<RefundView>> CreateRefund(string id, CreateRefundRequest request, RefundService refunds, HttpContext http, CancellationToken ct)
    {
        var refund = await refunds.CreateAsync(id, request, http.User.Actor(), ct);
        return TypedResults.Created($"/api/v1/orders/{refund.OrderId}/refunds", refund);
    }

    private static async Task<Ok<RefundView>> RetryRefund(Guid refundId, RefundService refunds, HttpContext http, CancellationToken ct) =>
        TypedResults.Ok(await refunds.RetryAsync(refundId, http.User.Actor(), ct));

    private static async Task<Ok<IReadOnlyList<RefundView>>> ListRefunds(string id, RefundService refunds, CancellationToken ct) =>
        TypedResults.Ok(await refunds.ListAsync(id, ct));

    private static async Task<Created<PickScanView>> Scan(PickScanRequest request, PickScanning scanning, HttpContext http, CancellationToken ct)
    {
        var scan = await scanning.ScanAsync(request, http.User.Actor(), ct);
        return TypedResults.Created($"/api/v1/orders/{scan.OrderNumber}", scan);
    }

    private static async Task<Ok<PickListView>> PickList([FromQuery] string? warehouse, PickListService pickLists, CancellationToken ct) =>
        TypedResults.Ok(await pickLists.GetAsync(warehouse, ct));
}
