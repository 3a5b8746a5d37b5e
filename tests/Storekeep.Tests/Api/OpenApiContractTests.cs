using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Api;

/// <summary>The OpenAPI document describes all of the contract in /work/shared/api-v1.md, and describes it well.</summary>
public sealed partial class OpenApiContractTests
{
    /// <summary>Every operation api-v1.md promises (method + path; parameter names do not matter).</summary>
    public static readonly string[] ContractOperations =
    [
        "GET /health",
        "POST /api/v1/products",
        "GET /api/v1/products",
        "GET /api/v1/products/{idOrSlug}",
        "PATCH /api/v1/products/{id}",
        "POST /api/v1/products/{id}/archive",
        "GET /api/v1/categories",
        "POST /api/v1/categories",
        "POST /api/v1/warehouses",
        "GET /api/v1/warehouses",
        "POST /api/v1/inventory/adjustments",
        "POST /api/v1/inventory/transfers",
        "GET /api/v1/inventory/{sku}",
        "GET /api/v1/inventory/movements",
        "POST /api/v1/carts",
        "POST /api/v1/carts/{id}/items",
        "PATCH /api/v1/carts/{id}/items/{sku}",
        "DELETE /api/v1/carts/{id}/items/{sku}",
        "POST /api/v1/carts/{id}/checkout",
        "GET /api/v1/orders/{id}",
        "GET /api/v1/orders",
        "POST /api/v1/orders/{id}/cancel",
        "POST /api/v1/orders/{id}/shipments",
        "POST /api/v1/orders/{id}/returns",
        "POST /api/v1/returns/{id}/receive",
        "POST /api/v1/orders/{id}/refunds",
        "GET /api/v1/orders/{id}/payments",
        "GET /api/v1/events",
        "POST /api/v1/webhooks",
        "GET /api/v1/webhooks/{id}/deliveries",
        "POST /api/v1/webhooks/{id}/deliveries/{deliveryId}/retry",
    ];

    [Fact]
    public async Task Every_operation_of_the_contract_is_in_the_OpenAPI_document()
    {
        var document = await LoadAsync();
        var documented = ApiSurface.Operations(document).Select(o => o.Key).ToHashSet();
        var missing = ContractOperations.Where(operation => !documented.Contains(Normalize(operation))).ToList();

        Assert.True(missing.Count == 0, "Not in /openapi/v1.json:\n" + string.Join("\n", missing));
    }

    [Fact]
    public async Task Every_operation_has_a_summary_and_tags()
    {
        var operations = ApiSurface.Operations(await LoadAsync());
        var bad = operations.Where(o => string.IsNullOrWhiteSpace(o.Node["summary"]?.GetValue<string>())
            || o.Node["tags"] is not JsonArray { Count: > 0 }).ToList();
        Assert.True(operations.Count > 20, "Suspiciously few operations.");
        Assert.True(bad.Count == 0, "Without summary or tags:\n" + string.Join("\n", bad));
    }

    [Fact]
    public async Task Every_operation_that_reads_a_body_describes_it_with_a_schema()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);
        var document = await ApiSurface.OpenApiAsync(store);
        var operations = ApiSurface.Operations(document).ToDictionary(o => o.Key);
        var problems = new List<string>();

        // Routing knows which endpoints read a body (IAcceptsMetadata); the document must say so.
        var accepting = store.Services.GetEndpointsAcceptingBodies();
        foreach (var key in accepting)
        {
            if (!operations.TryGetValue(key, out var op))
            {
                problems.Add($"{key}: not documented");
                continue;
            }

            var content = op.Node["requestBody"]?["content"]?.AsObject();
            if (content is null || content.Count == 0)
            {
                problems.Add($"{key}: no requestBody");
            }
            else if (content.Any(c => c.Value?["schema"] is null))
            {
                problems.Add($"{key}: a requestBody media type without a schema");
            }
        }

        foreach (var op in operations.Values.Where(o => o.Method is "POST" or "PATCH" or "PUT" && o.Node["requestBody"] is not null))
        {
            var json = op.Node["requestBody"]!["content"]?["application/json"]?["schema"];
            if (json is null)
            {
                problems.Add($"{op}: requestBody without an application/json schema");
            }
        }

        Assert.True(accepting.Count > 10, "Suspiciously few endpoints accept a body.");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task Every_error_response_is_a_problem_document()
    {
        var operations = ApiSurface.Operations(await LoadAsync());
        var bad = new List<string>();
        foreach (var op in operations)
        {
            foreach (var (status, response) in op.Node["responses"]?.AsObject() ?? [])
            {
                if (status[0] is not ('4' or '5'))
                {
                    continue;
                }

                var content = response?["content"]?.AsObject();
                if (content is null || content.Count == 0 || content.Any(c => c.Key != "application/problem+json"))
                {
                    bad.Add($"{op} {status}: {string.Join(", ", content?.Select(c => c.Key) ?? ["no content"])}");
                }
            }
        }

        Assert.True(bad.Count == 0, "Error responses not described as application/problem+json:\n" + string.Join("\n", bad));
    }

    [Fact]
    public async Task Protected_operations_declare_the_bearer_scheme_and_their_401_and_403()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);
        var document = await ApiSurface.OpenApiAsync(store);
        var scheme = document["components"]?["securitySchemes"]?["bearer"];
        Assert.NotNull(scheme);
        Assert.Equal("http", scheme["type"]?.GetValue<string>());
        Assert.Equal("bearer", scheme["scheme"]?.GetValue<string>());

        var operations = ApiSurface.Operations(document).ToDictionary(o => o.Key);
        var bad = new List<string>();
        foreach (var endpoint in ApiSurface.Endpoints(store.Services))
        {
            if (!operations.TryGetValue(endpoint.Key, out var op))
            {
                bad.Add($"{endpoint}: not in the document");
                continue;
            }

            var security = op.Node["security"]?.AsArray().SelectMany(r => r!.AsObject().Select(s => s.Key)).ToList() ?? [];
            var responses = op.Node["responses"]?.AsObject() ?? [];
            if (endpoint.IsProtected && (!security.Contains("bearer") || !responses.ContainsKey("401") || !responses.ContainsKey("403")))
            {
                bad.Add($"{endpoint}: protected, but security [{string.Join(", ", security)}], responses [{string.Join(", ", responses.Select(r => r.Key))}]");
            }
            else if (!endpoint.IsProtected && security.Count > 0)
            {
                bad.Add($"{endpoint}: public, but declares security");
            }
        }

        Assert.True(bad.Count == 0, string.Join("\n", bad));
    }

    [Fact]
    public async Task Enums_are_snake_case_strings()
    {
        var document = await LoadAsync();
        var schemas = document["components"]!["schemas"]!.AsObject();
        var enums = new List<(string Name, string[] Values)>();
        var bad = new List<string>();
        foreach (var (name, schema) in schemas)
        {
            if (schema?["enum"] is not JsonArray values)
            {
                continue;
            }

            var texts = values.Where(v => v is not null).Select(v => v!.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : null).ToArray();
            if (texts.Any(t => t is null || !SnakeCase().IsMatch(t)))
            {
                bad.Add($"{name}: {values.ToJsonString()}");
            }

            enums.Add((name, texts.OfType<string>().ToArray()));
        }

        Assert.True(bad.Count == 0, "Enums that are not snake_case strings:\n" + string.Join("\n", bad));
        Assert.Contains(enums, e => e.Name == "OrderStatus" && e.Values.Contains("cancelled"));
        Assert.Contains(enums, e => e.Name == "ProductStatus" && e.Values.SequenceEqual(["draft", "active", "archived"]));
        Assert.Contains(enums, e => e.Name == "FulfillmentStatus" && e.Values.Contains("partially_shipped"));
        var orderStatus = ApiSurface.Resolve(document, schemas["OrderView"]?["properties"]?["status"]);
        Assert.Equal("OrderStatus", schemas.First(s => ReferenceEquals(s.Value, orderStatus)).Key);
    }

    [Fact]
    public async Task Every_schema_reference_resolves()
    {
        var document = await LoadAsync();
        var schemas = document["components"]?["schemas"]?.AsObject() ?? [];
        var unresolved = SchemaReference().Matches(document.ToJsonString())
            .Select(m => m.Groups[1].Value).Distinct().Where(name => !schemas.ContainsKey(name)).ToList();
        Assert.True(unresolved.Count == 0, "Dangling $refs: " + string.Join(", ", unresolved));
    }

    private static string Normalize(string operation)
    {
        var space = operation.IndexOf(' ', StringComparison.Ordinal);
        return operation[..space] + " " + ApiSurface.NormalizePath(operation[(space + 1)..]);
    }

    private static async Task<JsonObject> LoadAsync()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);
        return await ApiSurface.OpenApiAsync(store);
    }

    [GeneratedRegex("^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]
    private static partial Regex SnakeCase();

    [GeneratedRegex("\"#/components/schemas/([^\"]+)\"")]
    private static partial Regex SchemaReference();
}
