using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Storekeep.Access;

namespace Storekeep.Web.Api;

/// <summary>
/// <c>Authorization: Bearer &lt;api key&gt;</c>. Keys are looked up by hash; a short cache keeps the
/// lookup off the hot path. Revoking drops the key from this node's cache at once; other nodes
/// stop accepting it within the cache window.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IMemoryCache cache,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string KeyIdClaim = "storekeep:key_id";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("Use 'Authorization: Bearer <api key>'.");
        }

        var key = header["Bearer ".Length..].Trim();
        if (key.Length is 0 or > 200)
        {
            return AuthenticateResult.Fail("Invalid API key.");
        }

        var cacheKey = CacheKey(ApiKeyService.Hash(key));
        if (!cache.TryGetValue(cacheKey, out ApiKey? apiKey))
        {
            var service = Context.RequestServices.GetRequiredService<ApiKeyService>();
            apiKey = await service.FindActiveAsync(key, Context.RequestAborted);
            cache.Set(cacheKey, apiKey, CacheFor);
        }

        if (apiKey is null)
        {
            return AuthenticateResult.Fail("Invalid API key.");
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, apiKey.Id.ToString()),
                new Claim(ClaimTypes.Name, $"api-key:{apiKey.Name}"),
                new Claim(ClaimTypes.Role, Permissions.RoleName(apiKey.Role)),
                new Claim(KeyIdClaim, apiKey.Id.ToString()),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>Makes this node look the key up again on its next use (after a revoke).</summary>
    public static void Forget(IMemoryCache cache, string keyHash) => cache.Remove(CacheKey(keyHash));

    private static string CacheKey(string keyHash) => "apikey:" + keyHash;

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(401, "unauthorized", "A valid API key is required: send 'Authorization: Bearer <api key>'.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(403, "forbidden", "This API key's role does not have permission for this operation.");

    private async Task WriteProblemAsync(int status, string code, string detail)
    {
        Response.StatusCode = status;
        if (status == 401)
        {
            Response.Headers.WWWAuthenticate = "Bearer";
        }

        var problem = new ProblemDetails { Status = status, Title = Problems.Title(status), Detail = detail };
        problem.Extensions["code"] = code;
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = problem });
    }
}

public static class ActorExtensions
{
    /// <summary>Who is acting, for ledgers and timelines.</summary>
    public static Storekeep.Shared.Actor Actor(this ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && user.Identity.Name is { } name
            ? new Storekeep.Shared.Actor(name)
            : Storekeep.Shared.Actor.Customer;
}
