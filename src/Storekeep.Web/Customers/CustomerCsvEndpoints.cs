using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Storekeep.Access;
using Storekeep.Customers;
using Storekeep.Web.Api;

namespace Storekeep.Web.Customers;

/// <param name="Csv">The whole CSV file as text, for clients that only speak JSON.</param>
public sealed record ImportCustomersRequest(string? Csv);

/// <summary><c>GET /customers/export</c> and <c>POST /customers/import</c>: customers in and out as CSV (docs/crm.md).</summary>
public static class CustomerCsvEndpoints
{
    /// <summary>Half a million customers with names, phones and tags fit well within this.</summary>
    public const long MaxImportBytes = 128 * 1024 * 1024;

    public static RouteGroupBuilder MapCustomerCsvEndpoints(this RouteGroupBuilder api)
    {
        var customers = api.MapGroup("/customers").WithTags("Customers");
        customers.MapGet("/export", Export).WithName("ExportCustomers")
            .WithSummary("Customers with their consent, figures and RFM segment as CSV, streamed in id order; q, tag and segment filter as on the list.")
            .RequireAuthorization(Permissions.CustomersRead)
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        customers.MapPost("/import", Import).WithName("ImportCustomers")
            .WithSummary("Import customers from CSV (a multipart file 'file', a text/csv body or JSON {csv}): upsert by email; dryRun=true only reports.")
            .WithDescription("Columns: email (required), firstName, lastName, phone, country, tags (';'-separated), acceptsEmail, acceptsSms. A row with an error is skipped and listed in errors; the other rows are imported. A file without an email column or that is not CSV → 400 invalid_customer_csv and nothing is written.")
            .RequireAuthorization(CustomerPermissions.Write)
            .Accepts<ImportCustomersRequest>("application/json", "text/csv", "multipart/form-data")
            .WithMetadata(new RequestSizeLimitAttribute(MaxImportBytes))
            .WithMetadata(new RequestFormLimitsAttribute { MultipartBodyLengthLimit = MaxImportBytes })
            .AddOpenApiOperationTransformer(CsvUploads.Describe("The customer CSV: the 'file' field of a form, the body (text/csv), or the 'csv' property of a JSON object."))
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(413).ProducesProblem(415);
        return api;
    }

    private static async Task<IResult> Export(
        [FromQuery] string? q,
        [FromQuery] string? tag,
        [FromQuery] Guid? segment,
        CustomerCsvExporter exporter,
        Storekeep.Segments.Segments segments,
        TimeProvider clock,
        HttpContext http,
        CancellationToken ct)
    {
        // Checked before the first byte goes out: once streaming starts, the status is 200.
        var filter = new CustomerExportFilter(q, tag, segment is { } id ? await segments.MemberIdsAsync(id, ct) : null);
        CustomerCsvExporter.Check(filter);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Stream(body => exporter.ExportAsync(body, filter, null, ct), "text/csv; charset=utf-8", $"customers-{clock.GetUtcNow():yyyy-MM-dd}.csv");
    }

    private static async Task<Results<Ok<CustomerImportReport>, ProblemHttpResult>> Import(
        HttpContext http, bool? dryRun, CustomerCsvImporter importer, CancellationToken ct)
    {
        var (csv, problem) = await CsvUploads.ReadAsync(http.Request, "the customer CSV", ct);
        if (problem is not null)
        {
            return problem;
        }

        await using (csv)
        {
            return TypedResults.Ok(await importer.ImportAsync(csv!, dryRun == true, null, ct));
        }
    }
}
