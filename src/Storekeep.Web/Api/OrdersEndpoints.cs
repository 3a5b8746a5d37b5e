using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Storekeep.Access;
using Storekeep.Orders;
using Storekeep.Shared;

namespace Storekeep.Web.Api;

public static class OrdersEndpoints
{
    public static RouteGroupBuilder MapOrdersEndpoints(this RouteGroupBuilder api)
    {
        var orders = api.MapGroup("/orders").WithTags("Orders");

        orders.MapGet("/", List).WithName("ListOrders")
            .WithSummary("Orders, newest first; filter by status, email, paymentStatus, fulfillmentStatus.")
            .RequireAuthorization(Permissions.OrdersRead).ProducesValidationProblem();
        orders.MapGet("/{id}", Get).WithName("GetOrder")
            .WithSummary("One order by id or number, with its lines and timeline.")
            .RequireAuthorization(Permissions.OrdersRead).ProducesProblem(404);
        orders.MapGet("/{id}/payments", Payments).WithName("ListOrderPayments")
            .WithSummary("The order's payments: method, status, amounts, card brand and last four digits.")
            .RequireAuthorization(Permissions.OrdersRead).ProducesProblem(404);
        return api;
    }

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

    private static async Task<Ok<OrderView>> Get(string id, OrderQueries orders, CancellationToken ct) =>
        TypedResults.Ok(OrderView.From(await orders.GetAsync(id, ct), withTimeline: true));

    private static async Task<Ok<IReadOnlyList<PaymentView>>> Payments(string id, OrderQueries orders, CancellationToken ct) =>
        TypedResults.Ok(await orders.PaymentsAsync(id, ct));
}
