using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Storekeep.Access;
using Storekeep.Catalog;
using Storekeep.Catalog.ShopifyCsv;
using Storekeep.Shared;
using Storekeep.Web.Api;

namespace Storekeep.Web.Catalog;

/// <param name="Csv">The whole CSV file as text, for clients that only speak JSON.</param>
public sealed record ImportProductsRequest(string? Csv);

/// <summary>The catalog in and out as Shopify's product CSV. Both need <c>catalog.write</c>.</summary>
public static class CatalogImportEndpoints
{
    /// <summary>Larger than the API's 2 MB default: a catalog of tens of thousands of variants is tens of megabytes.</summary>
    public const long MaxImportBytes = 64 * 1024 * 1024;

    public static RouteGroupBuilder MapCatalogImportEndpoints(this RouteGroupBuilder api)
    {
        var products = api.MapGroup("/products").WithTags("Catalog");
        products.MapPost("/import", Import)
            .WithName("ImportProducts")
            .WithSummary("Import Shopify's product CSV (text/csv body, a multipart file, or JSON {csv}); dryRun=true only reports. With any row error nothing is written (422 import_has_errors).")
            .RequireAuthorization(Permissions.CatalogWrite)
            .Accepts<ImportProductsRequest>("application/json", "text/csv", "application/csv", "multipart/form-data")
            .WithMetadata(new RequestSizeLimitAttribute(MaxImportBytes))
            .AddOpenApiOperationTransformer(CsvUploads.Describe("Shopify's product CSV: as the body (text/csv), as the 'file' field of a form, or as the 'csv' property of a JSON object."))
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415).ProducesProblem(422);
        products.MapGet("/export", Export)
            .WithName("ExportProducts")
            .WithSummary("The catalog as Shopify's product CSV, streamed; Variant Inventory Qty is the available stock in the warehouse (default: the one that ships first).")
            .RequireAuthorization(Permissions.CatalogWrite)
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(422);
        return api;
    }

    private static async Task<Results<Ok<ImportReport>, ProblemHttpResult>> Import(
        HttpContext http, bool? dryRun, string? warehouse, ShopifyCsvImporter importer, CancellationToken ct)
    {
        var (csv, problem) = await CsvUploads.ReadAsync(http.Request, "the CSV file", ct);
        if (problem is not null)
        {
            return problem;
        }

        await using (csv)
        {
            var options = new ImportOptions(string.IsNullOrWhiteSpace(warehouse) ? null : warehouse.Trim(), http.User.Actor());
            if (dryRun == true)
            {
                return TypedResults.Ok(await importer.PreviewAsync(csv!, options, ct));
            }

            var report = await importer.ImportAsync(csv!, options, progress: null, ct);
            return report.HasErrors ? throw new ImportHasErrorsException(report) : TypedResults.Ok(report);
        }
    }

    private static async Task<IResult> Export(string? status, string? warehouse, ShopifyCsvExporter exporter, HttpContext http, CancellationToken ct)
    {
        var v = new Validation();
        ProductStatus? wanted = v.Text("status", status, 20) switch
        {
            null => null,
            "active" => ProductStatus.Active,
            "draft" => ProductStatus.Draft,
            "archived" => ProductStatus.Archived,
            _ => Invalid(v),
        };
        v.ThrowIfInvalid();
        var options = new ExportOptions(wanted, string.IsNullOrWhiteSpace(warehouse) ? null : warehouse.Trim());

        // Checked before the first byte goes out: once streaming starts, the status is 200.
        await exporter.CheckAsync(options, ct);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Stream(body => exporter.ExportAsync(body, options, ct), "text/csv; charset=utf-8", "products.csv");
    }

    private static ProductStatus? Invalid(Validation v)
    {
        v.Add("status", "'status' must be 'active', 'draft' or 'archived'.");
        return null;
    }
}
