using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Scalar.AspNetCore;
using Storekeep.Access;
using Storekeep.Data;
using Storekeep.Payments;
using Storekeep.Shared;
using Storekeep.Web.Api;
using Storekeep.Web.Checkout;

namespace Storekeep.Web.Hosting;

/// <summary>Builds the <c>storekeep</c> web application: services, middleware and endpoints.</summary>
public static class StorekeepApp
{
    public const string PublicRateLimit = "public";

    /// <summary>Sign-in, registration, password reset and verification forms: their POSTs, per client address.</summary>
    public const string SignInRateLimit = "sign-in";

    private const string TooManyRequestsHtml = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Too many attempts · Storekeep</title></head>
        <body><main><h1>Too many attempts</h1>
        <p data-testid="rate-limited">Too many attempts from your network. Wait a minute, then go back and try again.</p>
        </main></body></html>
        """;

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        // Serve package assets (MudBlazor's CSS/JS) from the build output in every environment, not
        // only Development; a published app has them in wwwroot and this does nothing.
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddStorekeep(builder.Configuration);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 2 * 1024 * 1024);

        var app = builder.Build();
        app.UseStorekeep();
        return app;
    }

    public static IServiceCollection AddStorekeep(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddStorekeepDatabase(configuration);
        services.AddMemoryCache();
        services.AddHttpClient();
        services.AddStorekeepModules(configuration);
        services.AddSingleton<DemoSignIn>();
        services.AddHostedService<DatabaseInitializer>();

        services.Configure<Microsoft.AspNetCore.Http.Json.JsonOptions>(options => StorekeepJson.Configure(options.SerializerOptions));
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var status = problem.Status ?? context.HttpContext.Response.StatusCode;
            problem.Extensions.TryAdd("code", Problems.DefaultCode(status));
            problem.Title ??= Problems.Title(status);
            problem.Detail ??= problem.Title;
        });
        services.AddExceptionHandler<ProblemExceptionHandler>();

        services.AddStorekeepUi();
        services.AddAuthorizationBuilder().AddStorekeepPermissions().AddStaffPolicies();

        services.AddOptions<RateLimiterOptions>().Configure<IConfiguration>((options, config) =>
        {
            var permitsPerMinute = config.GetValue("RateLimiting:PublicRequestsPerMinute", 600);
            options.AddPolicy(PublicRateLimit, context =>
                context.User.Identity?.AuthenticationType == ApiKeyAuthenticationHandler.SchemeName
                    ? RateLimitPartition.GetNoLimiter("api-key")
                    : RateLimitPartition.GetTokenBucketLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = permitsPerMinute,
                        TokensPerPeriod = Math.Max(1, permitsPerMinute / 6),
                        ReplenishmentPeriod = TimeSpan.FromSeconds(10),
                        QueueLimit = 0,
                    }));
            // One window per address shared by every account form (shopper and staff), so an attacker
            // cannot multiply their guesses by switching forms; the per-account lockout still applies.
            // Only POSTs count: showing the form costs nothing.
            var signInPerMinute = Math.Max(1, config.GetValue("RateLimiting:SignInPerMinute", 10));
            options.AddPolicy(SignInRateLimit, context =>
                !HttpMethods.IsPost(context.Request.Method)
                    ? RateLimitPartition.GetNoLimiter("")
                    : RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = signInPerMinute,
                        Window = TimeSpan.FromMinutes(1),
                        QueueLimit = 0,
                    }));
            options.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? (int)Math.Ceiling(retryAfter.TotalSeconds) : 10;
                http.Response.Headers.RetryAfter = Math.Max(1, seconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (http.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase))
                {
                    // A person at a form gets a page, not JSON.
                    http.Response.ContentType = "text/html; charset=utf-8";
                    await http.Response.WriteAsync(TooManyRequestsHtml, ct);
                    return;
                }

                var problem = new ProblemDetails { Status = 429, Title = Problems.Title(429), Detail = "Too many requests from this address; retry after a few seconds." };
                problem.Extensions["code"] = "rate_limited";
                await http.RequestServices.GetRequiredService<IProblemDetailsService>()
                    .WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
            };
        });
        services.AddRateLimiter(_ => { });

        services.AddStorekeepOpenApi();
        return services;
    }

    private static AuthorizationBuilder AddStorekeepPermissions(this AuthorizationBuilder authorization)
    {
        foreach (var (permission, roles) in StorekeepModules.PermissionGrants)
        {
            authorization.AddPolicy(permission, policy => policy
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser()
                .RequireRole(roles.Select(Permissions.RoleName)));
        }

        return authorization;
    }

    public static WebApplication UseStorekeep(this WebApplication app)
    {
        app.UseMiddleware<SecurityHeaders>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<ControlCharacterGuard>();
        app.UseMiddleware<Storekeep.Web.Storefront.StorefrontSessionMiddleware>(); // before any output cache: cached product pages still count as viewed
        app.UseMiddleware<Storekeep.Web.Attribution.VisitorTouchMiddleware>(); // in the session just started: a visit's channel is its first page's
        app.UseMiddleware<Storekeep.Web.Experiments.ExperimentVisitorMiddleware>(); // after the visitor cookie, before the output cache: the home page varies by variant
        app.UseAuthentication();
        app.UseCartShopper(); // carts are priced for the signed-in shopper (a company buyer's price list)
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseOutputCache();
        app.UseMiddleware<Storekeep.Web.Storefront.ProductPageCachePolicy.CookieGuard>(); // inside the cache: a stored product page carries no visitor's cookies
        app.UseMiddleware<StaffAuditScope>();
        app.UseAntiforgery();
        app.UseMiddleware<AntiforgeryFailureMiddleware>();
        app.UseMiddleware<IdempotencyMiddleware>();

        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/api/docs", options => options.WithTitle("Storekeep API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
        app.MapSystemEndpoints();

        var api = app.MapGroup("/api/v1").AddEndpointFilter<DomainErrorFilter>();
        api.MapStorekeepApi();
        app.MapStorekeepUi();
        return app;
    }
}
