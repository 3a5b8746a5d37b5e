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
            .AddOpenApiOperationTransformer(DescribeCsvBodies)
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
        var (csv, problem) = await ReadCsvAsync(http.Request, ct);
        if (problem is not null)
        {
            return problem;
        }

        await using (csv)
        {
            return TypedResults.Ok(await importer.ImportAsync(csv!, dryRun == true, null, ct));
        }
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
                    var buffer = new MemoryStream();
                    await request.Body.CopyToAsync(buffer, ct);
                    buffer.Position = 0;
                    return (buffer, null);
                }

                case "multipart/form-data":
                {
                    var form = await request.ReadFormAsync(ct);
                    var file = form.Files.GetFile("file");
                    return file is null
                        ? (null, Problem(400, "missing_file", "Send the CSV as a form file field named 'file'."))
                        : (file.OpenReadStream(), null);
                }

                case "application/json":
                {
                    using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
                    var root = body.RootElement;
                    var text = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("csv", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                    return string.IsNullOrEmpty(text)
                        ? (null, Problem(400, "missing_file", "'csv' is required: the customer CSV as a string."))
                        : (new MemoryStream(Encoding.UTF8.GetBytes(text)), null);
                }

                default:
                    return (null, Problem(415, "unsupported_media_type",
                        "Send the CSV as multipart/form-data with a 'file' field, as text/csv, or as application/json {\"csv\": \"...\"}."));
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
        body.Description = "The customer CSV: the 'file' field of a form, the body (text/csv), or the 'csv' property of a JSON object.";
        body.Content ??= new Dictionary<string, OpenApiMediaType>();
        body.Content["text/csv"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
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
