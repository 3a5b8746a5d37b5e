using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;

namespace Storekeep.Web.Hosting;

public static class OpenApiSetup
{
    public const string BearerScheme = "bearer";

    public static IServiceCollection AddStorekeepOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Storekeep API",
                    Version = "v1",
                    Description = "The Storekeep REST API. Money is in major units with the currency on the owning object; "
                        + "errors are RFC 9457 problem details with a stable `code`.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API key: `Authorization: Bearer <api key>`.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(DescribeAccess);
        });
        return services;
    }

    /// <summary>
    /// Derives what the authorization and rate-limiting metadata already say (bearer requirement,
    /// 401, 403, 429), so no endpoint has to repeat it and a new endpoint cannot forget it.
    /// </summary>
    private static Task DescribeAccess(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var anonymous = metadata.OfType<IAllowAnonymous>().Any();
        var isProtected = !anonymous && metadata.OfType<IAuthorizeData>().Any();
        if (isProtected)
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [],
            });
            AddProblem(operation, context, 401, "No valid API key.");
            AddProblem(operation, context, 403, "The API key's role lacks the permission.");
        }

        if (anonymous && metadata.OfType<EnableRateLimitingAttribute>().Any())
        {
            AddProblem(operation, context, 429, "Too many requests from this address.");
        }

        return Task.CompletedTask;
    }

    private static void AddProblem(OpenApiOperation operation, OpenApiOperationTransformerContext context, int status, string description)
    {
        operation.Responses ??= [];
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses.ContainsKey(key))
        {
            return;
        }

        operation.Responses[key] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", context.Document) },
            },
        };
    }
}
