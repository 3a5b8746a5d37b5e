using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Storekeep.Customers;
using Storekeep.Segments;
using Storekeep.Shared;
using Storekeep.Web.Api;

namespace Storekeep.Web.Segments;

public static class SegmentsEndpoints
{
    public static RouteGroupBuilder MapSegmentsEndpoints(this RouteGroupBuilder api)
    {
        var segments = api.MapGroup("/segments").WithTags("Segments");
        segments.MapGet("/", List).WithName("ListSegments")
            .WithSummary("Segments, oldest first, each with its live count.")
            .RequireAuthorization(SegmentPermissions.Read).ProducesValidationProblem();
        segments.MapPost("/", Create).WithName("CreateSegment")
            .WithSummary("Save a segment: {name, match: all|any, rules: [{field, op, value}]}.")
            .WithDescription("Fields: totalSpent, ordersCount, averageOrderValue, lastOrderDaysAgo, firstOrderDaysAgo, country, tag, rfmSegment, purchasedSku, purchasedCategory, acceptsEmail, acceptsSms, loyaltyTier, company; ops eq, ne, gt, gte, lt, lte, in, contains (docs/crm.md says which field takes which). A bad rule → 400 naming it: errors[\"rules[2].field\"]. A name in use → 409 segment_exists.")
            .RequireAuthorization(SegmentPermissions.Write).ProducesValidationProblem().ProducesProblem(409);
        segments.MapGet("/{id:guid}", Get).WithName("GetSegment")
            .WithSummary("One segment with its live count.")
            .RequireAuthorization(SegmentPermissions.Read).ProducesProblem(404);
        segments.MapGet("/{id:guid}/customers", Customers).WithName("ListSegmentCustomers")
            .WithSummary("The segment's customers now, newest first, paginated with limit and cursor.")
            .RequireAuthorization(SegmentPermissions.Read).ProducesValidationProblem().ProducesProblem(404);
        return api;
    }

    private static async Task<Ok<Page<SegmentView>>> List([FromQuery] int? limit, [FromQuery] string? cursor, Storekeep.Segments.Segments segments, CancellationToken ct) =>
        TypedResults.Ok(await segments.ListAsync(limit, cursor, ct));

    private static async Task<Created<SegmentView>> Create(SegmentRequest request, Storekeep.Segments.Segments segments, CancellationToken ct)
    {
        var created = await segments.CreateAsync(request, ct);
        return TypedResults.Created($"/api/v1/segments/{created.Id}", created);
    }

    private static async Task<Ok<SegmentView>> Get(Guid id, Storekeep.Segments.Segments segments, CancellationToken ct) =>
        TypedResults.Ok(await segments.GetAsync(id, ct));

    private static async Task<Ok<Page<CustomerSummary>>> Customers(
        Guid id, [FromQuery] int? limit, [FromQuery] string? cursor, Storekeep.Segments.Segments segments, CustomerDirectory customers, CancellationToken ct) =>
        TypedResults.Ok(await customers.ListAsync(null, null, limit, cursor, ct, await segments.MemberIdsAsync(id, ct)));
}
