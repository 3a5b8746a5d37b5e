using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Storekeep.Access;
using Storekeep.Customers;
using Storekeep.Shared;
using Storekeep.Web.Api;

namespace Storekeep.Web.Customers;

public static class CustomersEndpoints
{
    public static RouteGroupBuilder MapCustomersEndpoints(this RouteGroupBuilder api)
    {
        var customers = api.MapGroup("/customers").WithTags("Customers");

        customers.MapGet("/", List).WithName("ListCustomers")
            .WithSummary("Customers, newest first, with their stats and RFM; q searches email and name, tag matches a tag exactly, segment (an id) keeps its members.")
            .RequireAuthorization(Permissions.CustomersRead).ProducesValidationProblem().ProducesProblem(404);
        customers.MapGet("/{id}", Get).WithName("GetCustomer")
            .WithSummary("One customer by id or email, with order count, total spent and their orders (paginated with limit and cursor), newest first.")
            .RequireAuthorization(Permissions.CustomersRead).ProducesValidationProblem().ProducesProblem(404);
        customers.MapGet("/{id:guid}/timeline", Timeline).WithName("GetCustomerTimeline")
            .WithSummary("What happened with the customer, newest first: orders, messages, tickets, the note and loyalty entries (paginated with limit and cursor).")
            .RequireAuthorization(Permissions.CustomersRead).ProducesValidationProblem().ProducesProblem(404);
        customers.MapPost("/", Create).WithName("CreateCustomer")
            .WithSummary("Create a customer with names, phone, company, country, tags, note and consent.")
            .WithDescription("An email already in use → 409 customer_exists. Consent: {email: {accepted, source}, sms: {accepted, source}}; the time is the server's.")
            .RequireAuthorization(CustomerPermissions.Write).ProducesValidationProblem().ProducesProblem(409);
        customers.MapPatch("/{id:guid}", Update).WithName("UpdateCustomer")
            .WithSummary("Change a customer's names, phone, company, tags (replaced whole), note (\"\" clears it) or consent; missing fields stay as they are.")
            .RequireAuthorization(CustomerPermissions.Write).ProducesValidationProblem().ProducesProblem(404);
        customers.MapPost("/rfm/score", Score).WithName("ScoreCustomerRfm")
            .WithSummary("Rescore every customer's RFM now (it is also rescored hourly): answers when it scored and how many customers have scores.")
            .WithDescription("Waits for a scoring run in progress on another node, then scores, so the answer counts every order committed before the call.")
            .RequireAuthorization(CustomerPermissions.Write);
        return api;
    }

    private static async Task<Ok<RfmScoringRun>> Score(RfmScoring scoring, CancellationToken ct) =>
        TypedResults.Ok(await scoring.ScoreAsync(ct));

    private static async Task<Ok<Page<CustomerSummary>>> List(
        [FromQuery] string? q,
        [FromQuery] string? tag,
        [FromQuery] Guid? segment,
        [FromQuery] int? limit,
        [FromQuery] string? cursor,
        CustomerDirectory customers,
        Storekeep.Segments.Segments segments,
        CancellationToken ct) =>
        TypedResults.Ok(await customers.ListAsync(q, tag, limit, cursor, ct, segment is { } id ? await segments.MemberIdsAsync(id, ct) : null));

    private static async Task<Ok<Page<CustomerTimelineEntry>>> Timeline(
        Guid id,
        [FromQuery] int? limit,
        [FromQuery] string? cursor,
        CustomerTimeline timeline,
        CancellationToken ct) =>
        TypedResults.Ok(await timeline.GetAsync(id, limit, cursor, ct));

    private static async Task<Created<CustomerDetail>> Create(CustomerCreateRequest request, CustomerProfiles profiles, CustomerDirectory customers, CancellationToken ct)
    {
        var id = await profiles.CreateAsync(request, ct);
        return TypedResults.Created($"/api/v1/customers/{id}", await customers.GetAsync(id, null, null, ct));
    }

    private static async Task<Ok<CustomerDetail>> Update(Guid id, CustomerPatchRequest request, CustomerProfiles profiles, CustomerDirectory customers, CancellationToken ct)
    {
        await profiles.UpdateAsync(id, request, ct);
        return TypedResults.Ok(await customers.GetAsync(id, null, null, ct));
    }

    private static async Task<Ok<CustomerDetail>> Get(
        string id,
        [FromQuery] int? limit,
        [FromQuery] string? cursor,
        CustomerDirectory customers,
        CancellationToken ct) =>
        TypedResults.Ok(await customers.GetAsync(id, limit, cursor, ct));
}
