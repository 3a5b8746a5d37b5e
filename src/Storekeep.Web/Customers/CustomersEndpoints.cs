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
            .WithSummary("Customers, newest first; q searches email and name.")
            .RequireAuthorization(Permissions.CustomersRead).ProducesValidationProblem();
        customers.MapGet("/{id}", Get).WithName("GetCustomer")
            .WithSummary("One customer by id or email, with order count, total spent and their orders (paginated with limit and cursor), newest first.")
            .RequireAuthorization(Permissions.CustomersRead).ProducesValidationProblem().ProducesProblem(404);
        return api;
    }

    private static async Task<Ok<Page<CustomerSummary>>> List(
        [FromQuery] string? q,
        [FromQuery] int? limit,
        [FromQuery] string? cursor,
        CustomerDirectory customers,
        CancellationToken ct) =>
        TypedResults.Ok(await customers.ListAsync(q, limit, cursor, ct));

    private static async Task<Ok<CustomerDetail>> Get(
        string id,
        [FromQuery] int? limit,
        [FromQuery] string? cursor,
        CustomerDirectory customers,
        CancellationToken ct) =>
        TypedResults.Ok(await customers.GetAsync(id, limit, cursor, ct));
}
