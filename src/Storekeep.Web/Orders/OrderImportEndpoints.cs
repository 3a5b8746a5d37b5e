using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Storekeep.Orders.Import;
using Storekeep.Shared;
using Storekeep.Web.Api;

namespace Storekeep.Web.Orders;

/// <summary><c>POST /orders/import</c>: another system's order history as a CSV and a column map.</summary>
public static class OrderImportEndpoints
{
    /// <summary>A few years of a busy store's order lines.</summary>
    public const long MaxImportBytes = 256 * 1024 * 1024;

    public static RouteGroupBuilder MapOrderImportEndpoints(this RouteGroupBuilder api)
    {
        api.MapGroup("/orders").WithTags("Orders").MapPost("/import", Import)
            .WithName("ImportOrders")
            .WithSummary("Import order history: multipart/form-data with the CSV as 'file' and the column map (JSON) as 'map'; dryRun=true only reports.")
            .WithDescription("A bad map → 400 invalid_import_map; any bad line → 422 import_has_errors with every error and its line, and nothing is written. Imported orders are paid and delivered, touch no stock and raise no event; orders imported before are counted in alreadyImported and skipped.")
            .RequireAuthorization(OrderImportPermissions.Import)
            .WithMetadata(new RequestSizeLimitAttribute(MaxImportBytes))
            .WithMetadata(new RequestFormLimitsAttribute { MultipartBodyLengthLimit = MaxImportBytes })
            .AddOpenApiOperationTransformer(DescribeForm)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415).ProducesProblem(422);
        return api;
    }

    private static async Task<Results<Ok<OrderImportReport>, ProblemHttpResult>> Import(
        HttpContext http, bool? dryRun, OrderHistoryImporter importer, CancellationToken ct)
    {
        if (http.Request.HasJsonContentType())
        {
            return await ImportJsonAsync(http, dryRun, importer, ct);
        }

        if (!http.Request.HasFormContentType || http.Request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) != true)
        {
            return Problem(415, "unsupported_media_type", "Send multipart/form-data with the CSV as a file field named 'file' and the column map as a field named 'map', or application/json {\"csv\": \"...\", \"map\": {...}}.");
        }

        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(ct);
        }
        catch (InvalidDataException e)
        {
            return Problem(400, "malformed_form", $"The multipart body cannot be read: {e.Message}");
        }

        var file = form.Files.GetFile("file");
        if (file is null)
        {
            return Problem(400, "missing_file", "Send the CSV as a form file field named 'file'.");
        }

        var mapText = form["map"].ToString();
        if (string.IsNullOrWhiteSpace(mapText) && form.Files.GetFile("map") is { } mapFile)
        {
            using var reader = new StreamReader(mapFile.OpenReadStream());
            mapText = await reader.ReadToEndAsync(ct);
        }

        await using var csv = new MemoryStream();
        await file.CopyToAsync(csv, ct);
        csv.Position = 0;
        return await RunAsync(http, csv, OrderImportMap.Parse(mapText), dryRun, importer, ct);
    }

    /// <summary>The same import for scripts that send JSON: <c>{"csv": "...", "map": {...}}</c> (the map as an object or a JSON string).</summary>
    private static async Task<Results<Ok<OrderImportReport>, ProblemHttpResult>> ImportJsonAsync(
        HttpContext http, bool? dryRun, OrderHistoryImporter importer, CancellationToken ct)
    {
        string? csvText;
        string? mapText;
        try
        {
            using var body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: ct);
            var root = body.RootElement;
            csvText = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("csv", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            mapText = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("map", out var m)
                ? m.ValueKind == JsonValueKind.String ? m.GetString() : m.ValueKind == JsonValueKind.Object ? m.GetRawText() : null
                : null;
        }
        catch (JsonException)
        {
            return Problem(400, "malformed_json", "The request body is not valid JSON of the form {\"csv\": \"...\", \"map\": {...}}.");
        }

        if (string.IsNullOrEmpty(csvText))
        {
            return Problem(400, "missing_file", "'csv' is required: the order lines CSV as a string.");
        }

        await using var csv = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csvText));
        return await RunAsync(http, csv, OrderImportMap.Parse(mapText), dryRun, importer, ct);
    }

    private static async Task<Results<Ok<OrderImportReport>, ProblemHttpResult>> RunAsync(
        HttpContext http, MemoryStream csv, OrderImportMap map, bool? dryRun, OrderHistoryImporter importer, CancellationToken ct)
    {
        if (dryRun == true)
        {
            return TypedResults.Ok(await importer.PreviewAsync(csv, map, ct));
        }

        var report = await importer.ImportAsync(csv, map, http.User.Actor(), progress: null, ct);
        return report.HasErrors ? throw new OrderImportHasErrorsException(report) : TypedResults.Ok(report);
    }

    private static ProblemHttpResult Problem(int status, string code, string detail)
    {
        var problem = new ProblemDetails { Status = status, Title = Problems.Title(status), Detail = detail, Type = $"https://storekeep.dev/problems/{code.Replace('_', '-')}" };
        problem.Extensions["code"] = code;
        return TypedResults.Problem(problem);
    }

    private static Task DescribeForm(OpenApiOperation operation, Microsoft.AspNetCore.OpenApi.OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "The order lines CSV ('file') and the column map ('map'): {\"columns\": {field: \"CSV header\"}, \"dateFormat\"?: \"yyyy-MM-dd\", \"currency\"?: \"USD\", \"preset\"?: \"shopify\"}.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { "csv" },
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["csv"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The order lines CSV." },
                            ["map"] = new OpenApiSchema { Type = JsonSchemaType.Object, Description = "The column map (or the same as a JSON string)." },
                        },
                    },
                },
                ["multipart/form-data"] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { "file", "map" },
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["file"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                            ["map"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The column map as JSON." },
                        },
                    },
                },
            },
        };
        return Task.CompletedTask;
    }
}
