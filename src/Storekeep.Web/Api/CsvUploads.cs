using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;

namespace Storekeep.Web.Api;

/// <summary>
/// A CSV upload in any of three body forms (text/csv, a multipart 'file' field, JSON {csv}), as the
/// catalog and customer imports take it: one reader, one set of problems, one OpenAPI description.
/// </summary>
public static class CsvUploads
{
    public static readonly string[] CsvMediaTypes = ["text/csv", "application/csv"];

    /// <summary>The CSV, buffered (a reader error cannot leave a half-read request behind), or the problem with the request.</summary>
    public static async Task<(Stream? Csv, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, string what, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var mediaType = request.ContentType is { } contentType && Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var parsed)
            ? parsed.MediaType.Value?.ToLowerInvariant()
            : null;
        try
        {
            switch (mediaType)
            {
                case "text/csv" or "application/csv":
                    return (await BufferAsync(request.Body, ct), null);

                case "multipart/form-data":
                {
                    var form = await request.ReadFormAsync(ct);
                    var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
                    if (file is null)
                    {
                        return (null, Problem(400, "missing_file", "Send the CSV as a form file field named 'file'."));
                    }

                    await using var stream = file.OpenReadStream();
                    return (await BufferAsync(stream, ct), null);
                }

                case "application/json":
                {
                    using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
                    var root = body.RootElement;
                    var csv = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("csv", out var c) ? c : default;
                    if (csv.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null or JsonValueKind.String))
                    {
                        throw new JsonException("'csv' is not a string.");
                    }

                    var text = csv.ValueKind == JsonValueKind.String ? csv.GetString() : null;
                    return string.IsNullOrEmpty(text)
                        ? (null, Problem(400, "missing_file", $"'csv' is required: {what} as a string."))
                        : (new MemoryStream(Encoding.UTF8.GetBytes(text)), null);
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

    /// <summary>An OpenAPI transformer: the JSON form comes from the request record; this adds the CSV and multipart forms.</summary>
    public static Func<OpenApiOperation, Microsoft.AspNetCore.OpenApi.OpenApiOperationTransformerContext, CancellationToken, Task> Describe(string description) =>
        (operation, _, _) =>
        {
            operation.RequestBody ??= new OpenApiRequestBody();
            if (operation.RequestBody is not OpenApiRequestBody body)
            {
                return Task.CompletedTask;
            }

            body.Required = true;
            body.Description = description;
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
        };

    public static ProblemHttpResult Problem(int status, string code, string detail)
    {
        var problem = new ProblemDetails { Status = status, Title = Problems.Title(status), Detail = detail, Type = $"https://storekeep.dev/problems/{code.Replace('_', '-')}" };
        problem.Extensions["code"] = code;
        return TypedResults.Problem(problem);
    }

    private static async Task<MemoryStream> BufferAsync(Stream source, CancellationToken ct)
    {
        var buffer = new MemoryStream();
        await source.CopyToAsync(buffer, ct);
        buffer.Position = 0;
        return buffer;
    }
}
