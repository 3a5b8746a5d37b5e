using Microsoft.AspNetCore.Http.HttpResults;
using Storekeep.Access;
using Storekeep.Events;
using Storekeep.Shared;
using Storekeep.Web.Api;

namespace Storekeep.Web.Events;

public static class WebhooksEndpoints
{
    public sealed record CreateWebhookRequest(string? Url, IReadOnlyList<string?>? Events);

    public static RouteGroupBuilder MapWebhooksEndpoints(this RouteGroupBuilder api)
    {
        var webhooks = api.MapGroup("/webhooks").WithTags("Webhooks").RequireAuthorization(Permissions.WebhooksManage);
        webhooks.MapPost("/", Create)
            .WithName("CreateWebhook")
            .WithSummary("Subscribes a URL to events; the answer is the only one that shows the signing secret.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        webhooks.MapGet("/", List)
            .WithName("ListWebhooks")
            .WithSummary("Active webhooks.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        webhooks.MapGet("/{id:guid}", Get)
            .WithName("GetWebhook")
            .WithSummary("One webhook (without its secret).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapDelete("/{id:guid}", Delete)
            .WithName("DeleteWebhook")
            .WithSummary("Deactivates a webhook; its pending deliveries are not sent.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapGet("/{id:guid}/deliveries", Deliveries)
            .WithName("ListWebhookDeliveries")
            .WithSummary("The webhook's delivery log, newest first.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapPost("/{id:guid}/deliveries/{deliveryId:guid}/retry", Retry)
            .WithName("RetryWebhookDelivery")
            .WithSummary("Makes a delivery due now (attempts are kept).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<Created<CreatedWebhook>> Create(CreateWebhookRequest request, WebhookService webhooks, CancellationToken ct)
    {
        var created = await webhooks.CreateAsync(request.Url, request.Events, ct);
        return TypedResults.Created($"/api/v1/webhooks/{created.Id}", created);
    }

    private static async Task<Ok<Page<WebhookView>>> List(WebhookService webhooks, int? limit, string? cursor, CancellationToken ct) =>
        TypedResults.Ok(await webhooks.ListAsync(limit, cursor, ct));

    private static async Task<Ok<WebhookView>> Get(Guid id, WebhookService webhooks, CancellationToken ct) =>
        TypedResults.Ok(await webhooks.GetAsync(id, ct));

    private static async Task<NoContent> Delete(Guid id, WebhookService webhooks, CancellationToken ct)
    {
        await webhooks.DeleteAsync(id, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<Page<DeliveryView>>> Deliveries(Guid id, WebhookService webhooks, int? limit, string? cursor, CancellationToken ct) =>
        TypedResults.Ok(await webhooks.DeliveriesAsync(id, limit, cursor, ct));

    private static async Task<Accepted<DeliveryView>> Retry(Guid id, Guid deliveryId, WebhookService webhooks, CancellationToken ct) =>
        TypedResults.Accepted($"/api/v1/webhooks/{id}/deliveries", await webhooks.RetryAsync(id, deliveryId, ct));
}
