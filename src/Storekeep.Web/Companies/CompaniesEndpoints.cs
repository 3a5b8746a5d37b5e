using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Storekeep.Companies;
using Storekeep.Sales;
using Storekeep.Shared;

namespace Storekeep.Web.Companies;

/// <summary>Companies and their buyers: reads need <c>sales.read</c>, changes <c>sales.write</c>.</summary>
public static class CompaniesEndpoints
{
    public static RouteGroupBuilder MapCompaniesEndpoints(this RouteGroupBuilder api)
    {
        var companies = api.MapGroup("/companies").WithTags("Companies");
        companies.MapPost("", Create)
            .WithName("CreateCompany")
            .WithSummary("Create a company: name, country (ISO 3166-1 alpha-2), region, industry, priceListId (its buyers' prices), paymentTerms (prepaid, net_15, net_30, net_60), creditLimit in the store currency, ownerRepId.")
            .WithDescription("Without ownerRepId the first matching territory assigns an owner. An unknown rep → 422 unknown_rep; an unknown price list → 422 unknown_price_list (nothing created).")
            .RequireAuthorization(SalesPermissions.Write)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(422);
        companies.MapGet("", List)
            .WithName("ListCompanies")
            .WithSummary("Companies, oldest first; filter by ownerRepId.")
            .RequireAuthorization(SalesPermissions.Read)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        companies.MapGet("/{id}", Get)
            .WithName("GetCompany")
            .WithSummary("One company with its buyers.")
            .RequireAuthorization(SalesPermissions.Read)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        companies.MapPatch("/{id}", Update)
            .WithName("UpdateCompany")
            .WithSummary("Change a company's fields; omitted fields stay.")
            .WithDescription("An unknown ownerRepId → 422 unknown_rep; an unknown priceListId → 422 unknown_price_list (nothing changed).")
            .RequireAuthorization(SalesPermissions.Write)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(422);
        companies.MapPost("/{id}/buyers", AddBuyer)
            .WithName("AddCompanyBuyer")
            .WithSummary("Make the customer with this email a buyer of the company, creating the customer when new (201) or linking an existing one (200).")
            .RequireAuthorization(SalesPermissions.Write)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        return api;
    }

    private static async Task<Created<CompanyView>> Create(CreateCompanyRequest request, Storekeep.Companies.Companies companies, CancellationToken ct)
    {
        var company = await companies.CreateAsync(request, ct);
        return TypedResults.Created($"/api/v1/companies/{company.Id}", company);
    }

    private static async Task<Ok<Page<CompanyView>>> List([FromQuery] string? ownerRepId, [FromQuery] int? limit, [FromQuery] string? cursor, Storekeep.Companies.Companies companies, CancellationToken ct) =>
        TypedResults.Ok(await companies.ListAsync(ownerRepId, limit, cursor, ct));

    private static async Task<Ok<CompanyView>> Get(string id, Storekeep.Companies.Companies companies, CancellationToken ct) =>
        TypedResults.Ok(await companies.GetAsync(id, ct));

    private static async Task<Ok<CompanyView>> Update(string id, UpdateCompanyRequest request, Storekeep.Companies.Companies companies, CancellationToken ct) =>
        TypedResults.Ok(await companies.UpdateAsync(id, request, ct));

    private static async Task<Results<Created<BuyerView>, Ok<BuyerView>>> AddBuyer(string id, AddBuyerRequest request, Storekeep.Companies.Companies companies, CancellationToken ct)
    {
        var (buyer, created) = await companies.AddBuyerAsync(id, request, ct);
        return created ? TypedResults.Created((string?)null, buyer) : TypedResults.Ok(buyer);
    }
}
