using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Caching.Memory;
using Storekeep.Access;
using Storekeep.Web.Api;

namespace Storekeep.Web.Access;

public static class AccessEndpoints
{
    public static RouteGroupBuilder MapAccessEndpoints(this RouteGroupBuilder api)
    {
        var keys = api.MapGroup("/api-keys").WithTags("Access").RequireAuthorization(Permissions.ApiKeysManage);

        keys.MapGet("/", List).WithName("ListApiKeys").WithSummary("API keys with their role and prefix (never the key itself).");
        keys.MapPost("/", Create).WithName("CreateApiKey")
            .WithSummary("Create an API key with a role. The key is in this response only; it is stored hashed.")
            .ProducesValidationProblem();
        keys.MapDelete("/{id:guid}", Revoke).WithName("RevokeApiKey")
            .WithSummary("Revoke an API key: at once on this node, within 10 seconds on the others.")
            .ProducesProblem(404);
        return api;
    }

    private static async Task<Ok<IReadOnlyList<ApiKeyView>>> List(ApiKeyAdministration keys, CancellationToken ct) =>
        TypedResults.Ok(await keys.ListAsync(ct));

    private static async Task<Created<CreatedApiKeyResponse>> Create(CreateApiKeyRequest request, ApiKeyAdministration keys, CancellationToken ct)
    {
        var created = await keys.CreateAsync(request, ct);
        return TypedResults.Created($"/api/v1/api-keys/{created.Id}",
            new CreatedApiKeyResponse(created.Id, created.Name, Permissions.RoleName(created.Role), created.Key, created.Prefix, created.CreatedAt));
    }

    private static async Task<NoContent> Revoke(Guid id, ApiKeyAdministration keys, IMemoryCache cache, CancellationToken ct)
    {
        ApiKeyAuthenticationHandler.Forget(cache, await keys.RevokeAsync(id, ct));
        return TypedResults.NoContent();
    }

    public sealed record CreatedApiKeyResponse(Guid Id, string Name, string Role, string Key, string Prefix, DateTime CreatedAt);
}
