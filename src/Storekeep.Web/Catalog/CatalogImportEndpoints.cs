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

    private static readonly string[] CsvMediaTypes = ["text/csv", "application/csv"];

    public static RouteGroupBuilder MapCatalogImportEndpoints(this RouteGroupBuilder api)
    {
        var products = api.MapGroup("/products").WithTags("Catalog");
        products.MapPost("/import", Import)
            .WithName("ImportProducts")
            .WithSummary("Import Shopify's product CSV (text/csv body, a multipart file, or JSON {csv}); dryRun=true only reports. With any row error nothing is written (422 import_has_errors).")
            .RequireAuthorization(Permissions.CatalogWrite)
            .Accepts<ImportProductsRequest>("application/json", "text/csv", "application/csv", "multipart/form-data")
            .WithMetadata(new RequestSizeLimitAttribute(MaxImportBytes))
            .AddOpenApiOperationTransformer(DescribeCsvBodies)
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
        var (csv, problem) = await ReadCsvAsync(http.Request, ct);
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

    /// <summary>The CSV from whichever of the three body forms the client sent, or the problem with the request.</summary>
    private static async Task<(Stream? Csv, ProblemHttpResult? Problem)> ReadCsvAsync(HttpRequest request, CancellationToken ct)
    {
        var mediaType = request.ContentType is { } contentType && Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var parsed)
            ? parsed.MediaType.Value?.ToLowerInvariant()
            : null;
        try
        {
            switch (mediaType)
            {
                case "text/csv" or "application/csv":
                {
                    // Buffered, so a reader error cannot leave a half-read request behind.
                    var buffer = new MemoryStream();
                    await request.Body.CopyToAsync(buffer, ct);
                    buffer.Position = 0;
                    return (buffer, null);
                }

                case "multipart/form-data":
                {
                    var form = await request.ReadFormAsync(ct);
                    var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
                    if (file is null)
                    {
                        return (null, Problem(400, "missing_file", "Send the CSV as a form file field named 'file'."));
                    }

                    var buffer = new MemoryStream();
                    await file.CopyToAsync(buffer, ct);
                    buffer.Position = 0;
                    return (buffer, null);
                }

                case "application/json":
                {
                    var body = await request.ReadFromJsonAsync<ImportProductsRequest>(ct);
                    if (body?.Csv is not { } text)
                    {
                        var v = new Validation();
                        v.Add("csv", "'csv' is required: the CSV file as a string.");
                        v.ThrowIfInvalid();
                        return (null, null);
                    }

                    return (new MemoryStream(Encoding.UTF8.GetBytes(text)), null);
                }

                default:
                    return (null, Problem(415, "unsupported_media_type",
                        $"Send the CSV as {string.Join(" or ", CsvMediaTypes)}, as multipart/form-data with a 'file' field, or as application/json {{\"csv\": \"...\"}}."));
            }
        }
        catch (JsonException)
        {
            return (null, Problem(400, "malformed_json", "The request body is not valid JSON of the form {\"csv\": \"...\"}."));
        }
        catch (InvalidDataException e)
        {
            return (null, Problem(400, "malformed_form", $"The multipart body cannot be read: {e.Message}"));
        }
    }

    private static ProblemHttpResult Problem(int status, string code, string detail)
    {
        var problem = new ProblemDetails { Status = status, Title = Problems.Title(status), Detail = detail, Type = $"https://storekeep.dev/problems/{code.Replace('_', '-')}" };
        problem.Extensions["code"] = code;
        return TypedResults.Problem(problem);
    }

    /// <summary>The JSON form is generated from the record; the CSV and multipart forms are described here.</summary>
    private static Task DescribeCsvBodies(OpenApiOperation operation, Microsoft.AspNetCore.OpenApi.OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        operation.RequestBody ??= new OpenApiRequestBody();
        if (operation.RequestBody is not OpenApiRequestBody body)
        {
            return Task.CompletedTask;
        }

        body.Required = true;
        body.Description = "Shopify's product CSV: as the body (text/csv), as the 'file' field of a form, or as the 'csv' property of a JSON object.";
        body.Content ??= new Dictionary<string, OpenApiMediaType>();
        foreach (var mediaType in CsvMediaTypes)
        {
            body.Content[mediaType] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
        }

        body.Content["multipart/form-data"] = new OpenApiMediaType
        {
            Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Required = new HashSet<string> { "file" },
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["file"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                },
            },
        };
        return Task.CompletedTask;
    }
}
