using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Storekeep.Campaigns;
using Storekeep.Messaging;
using Storekeep.Shared;

namespace Storekeep.Web.Campaigns;

public static class CampaignEndpoints
{
    public static RouteGroupBuilder MapCampaignEndpoints(this RouteGroupBuilder api)
    {
        var campaigns = api.MapGroup("/campaigns").WithTags("Campaigns");
        campaigns.MapGet("/", List).WithName("ListCampaigns")
            .WithSummary("Campaigns, newest first, with their progress.")
            .RequireAuthorization(CampaignPermissions.Read).ProducesValidationProblem();
        campaigns.MapPost("/", Create).WithName("CreateCampaign")
            .WithSummary("Draft a campaign: {name, channel: email|sms, segmentId, subject, body, variants?: [{key, subject?, body, weight}], scheduledAt?}.")
            .WithDescription("Placeholders: {{customer.firstName}}, {{customer.lastName}}, {{customer.email}}, {{store.name}}, {{store.url}}, {{store.address}}, {{unsubscribe_url}}. Links in the body are tracked; every email ends with an unsubscribe link and the store's address.")
            .RequireAuthorization(CampaignPermissions.Write).ProducesValidationProblem().ProducesProblem(422);
        campaigns.MapGet("/{id:guid}", Get).WithName("GetCampaign")
            .WithSummary("A campaign with its results: recipients, sent, failed, opened, clicked, unsubscribed, orders, revenue, overall and per variant.")
            .RequireAuthorization(CampaignPermissions.Read).ProducesProblem(404);
        campaigns.MapPut("/{id:guid}", Update).WithName("UpdateCampaign")
            .WithSummary("Replace a draft's or scheduled campaign's content (409 campaign_not_editable once sending began).")
            .RequireAuthorization(CampaignPermissions.Write).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        campaigns.MapPost("/{id:guid}/send", Send).WithName("SendCampaign")
            .WithSummary("Send now, or at scheduledAt when it is in the future. Recipients are written at once; messages leave at Campaigns:RatePerSecond.")
            .RequireAuthorization(CampaignPermissions.Write).ProducesProblem(404).ProducesProblem(409);
        campaigns.MapPost("/{id:guid}/cancel", Cancel).WithName("CancelCampaign")
            .WithSummary("Stop a campaign: recipients not yet in the outbox get nothing.")
            .RequireAuthorization(CampaignPermissions.Write).ProducesProblem(404).ProducesProblem(409);
        campaigns.MapPost("/{id:guid}/preview", Preview).WithName("PreviewCampaign")
            .WithSummary("The message as a customer (customerId) or a sample customer would get it, for a variant.")
            .RequireAuthorization(CampaignPermissions.Read).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(422);
        campaigns.MapPost("/{id:guid}/test", Test).WithName("TestCampaign")
            .WithSummary("Send one copy to an address of your choice ({to, variant?}); logged with the campaign, never counted in its results.")
            .RequireAuthorization(CampaignPermissions.Write).ProducesValidationProblem().ProducesProblem(404);
        return api;
    }

    private static async Task<Ok<Page<CampaignSummary>>> List([FromQuery] int? limit, [FromQuery] string? cursor, Storekeep.Campaigns.Campaigns campaigns, CancellationToken ct) =>
        TypedResults.Ok(await campaigns.ListAsync(limit, cursor, ct));

    private static async Task<Created<CampaignView>> Create(CampaignRequest request, Storekeep.Campaigns.Campaigns campaigns, CancellationToken ct)
    {
        var created = await campaigns.CreateAsync(request, ct);
        return TypedResults.Created($"/api/v1/campaigns/{created.Id}", created);
    }

    private static async Task<Ok<CampaignView>> Get(Guid id, Storekeep.Campaigns.Campaigns campaigns, CancellationToken ct) =>
        TypedResults.Ok(await campaigns.GetAsync(id, ct));

    private static async Task<Ok<CampaignView>> Update(Guid id, CampaignRequest request, Storekeep.Campaigns.Campaigns campaigns, CancellationToken ct) =>
        TypedResults.Ok(await campaigns.UpdateAsync(id, request, ct));

    private static async Task<Accepted<CampaignView>> Send(Guid id, Storekeep.Campaigns.Campaigns campaigns, CampaignSignal signal, CancellationToken ct)
    {
        var sent = await campaigns.SendAsync(id, ct);
        signal.Notify();
        return TypedResults.Accepted($"/api/v1/campaigns/{id}", sent);
    }

    private static async Task<Ok<CampaignView>> Cancel(Guid id, Storekeep.Campaigns.Campaigns campaigns, CancellationToken ct) =>
        TypedResults.Ok(await campaigns.CancelAsync(id, ct));

    private static async Task<Ok<CampaignPreview>> Preview(Guid id, CampaignPreviewRequest request, Storekeep.Campaigns.Campaigns campaigns, CancellationToken ct) =>
        TypedResults.Ok(await campaigns.PreviewAsync(id, request, ct));

    private static async Task<Accepted<MessageView>> Test(Guid id, CampaignTestRequest request, Storekeep.Campaigns.Campaigns campaigns, CancellationToken ct)
    {
        var message = await campaigns.TestAsync(id, request, ct);
        return TypedResults.Accepted($"/api/v1/messages/{message.Id}", message);
    }
}
