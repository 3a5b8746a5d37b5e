using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Storekeep.Access;
using Storekeep.Attribution;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Shared;
using Storekeep.Web.Api;

namespace Storekeep.Web.Orders;

public static class OrdersEndpoints
{
    public static RouteGroupBuilder MapOrdersEndpoints(this RouteGroupBuilder api)
    {
        var orders = api.MapGroup("/orders").WithTags("Orders");

        orders.MapGet("/", List).WithName("ListOrders")
            .WithSummary("Orders, newest first; filter by status, email, paymentStatus, fulfillmentStatus.")
            .RequireAuthorization(Permissions.OrdersRead).ProducesValidationProblem();
        orders.MapGet("/export", Export).WithName("ExportOrders")
            .WithSummary("Orders with their discounts as CSV, streamed by placement time then number; lines=true writes one row per order line.")
            .WithDescription("from and to are inclusive UTC days (yyyy-MM-dd) of placement; status as on the list. Columns in docs/analytics.md, \"Order export\"; discountTotal = the lines' discounts + shippingDiscount. A bad parameter → 400 validation_failed before anything is written.")
            .RequireAuthorization(Permissions.OrdersRead)
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        orders.MapGet("/{id}", Get).WithName("GetOrder")
            .WithSummary("One order by id or number, with its lines and timeline.")
            .RequireAuthorization(Permissions.OrdersRead).ProducesProblem(404);
        orders.MapGet("/{id}/payments", Payments).WithName("ListOrderPayments")
            .WithSummary("The order's payments: method, status, amounts, card brand and last four digits.")
            .RequireAuthorization(Permissions.OrdersRead).ProducesProblem(404);
        orders.MapPost("/{id}/cancel", Cancel).WithName("CancelOrder")
            .WithSummary("Cancel an order before it ships: releases its stock, then voids the authorization or refunds the capture.")
            .WithDescription("Anything shipped → 409 order_already_shipped; cancelled twice → 409 order_already_cancelled.")
            .RequireAuthorization(Permissions.OrdersManage)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        orders.MapPost("/{id}/payments/{paymentId:guid}/capture", CapturePayment).WithName("CapturePayment")
            .WithSummary("Record a bank transfer or cash-on-delivery payment as received, or capture an authorized card payment whose capture failed.")
            .WithDescription("Already received → 409 already_paid; cancelled order → 409 order_cancelled; the gateway refusing → 502 capture_failed.")
            .RequireAuthorization(Permissions.OrdersManage)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(502);
        return api;
    }

    private static async Task<Ok<OrderView>> Cancel(string id, [FromBody] CancelOrderRequest? request, OrderCancellation cancellation, HttpContext http, CancellationToken ct) =>
        TypedResults.Ok(OrderView.From(await cancellation.CancelAsync(id, request, http.User.Actor(), ct), withTimeline: true));

    private static async Task<Ok<PaymentView>> CapturePayment(string id, Guid paymentId, [FromBody] CapturePaymentRequest? request, PaymentService payments, HttpContext http, CancellationToken ct) =>
        TypedResults.Ok(await payments.CaptureAsync(id, paymentId, request, http.User.Actor(), ct));

    private static async Task<Ok<Page<OrderView>>> List(
        [FromQuery] string? status,
        [FromQuery] string? email,
        [FromQuery] string? paymentStatus,
        [FromQuery] string? fulfillmentStatus,
        [FromQuery] int? limit,
        [FromQuery] string? cursor,
        OrderQueries orders,
        CancellationToken ct) =>
        TypedResults.Ok(await orders.ListAsync(new OrderListFilter(status, email, paymentStatus, fulfillmentStatus, limit, cursor), ct));

    private static IResult Export(
        [FromQuery] string? from,
        [FromQuery] string? to,
        [FromQuery] string? status,
        [FromQuery] string? lines,
        OrderCsvExporter exporter,
        TimeProvider clock,
        HttpContext http,
        CancellationToken ct)
    {
        // Checked before the first byte goes out: once streaming starts, the status is 200.
        var filter = new OrderExportFilter(from, to, status, lines);
        OrderCsvExporter.Check(filter);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Stream(body => exporter.ExportAsync(body, filter, null, ct), "text/csv; charset=utf-8", $"orders-{clock.GetUtcNow():yyyy-MM-dd}.csv");
    }

    private static async Task<Ok<OrderView>> Get(string id, OrderQueries orders, Touches touches, CancellationToken ct)
    {
        var order = await orders.GetAsync(id, ct);
        return TypedResults.Ok(OrderView.From(order, withTimeline: true) with { Acquisition = await touches.OfOrderAsync(order.Id, ct) });
    }

    private static async Task<Ok<IReadOnlyList<PaymentView>>> Payments(string id, OrderQueries orders, CancellationToken ct) =>
        TypedResults.Ok(await orders.PaymentsAsync(id, ct));
}
