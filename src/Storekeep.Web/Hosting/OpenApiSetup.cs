using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Storekeep.Web.Hosting;

public static class OpenApiSetup
{
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
                document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API key: `Authorization: Bearer <api key>`.",
                };
                return Task.CompletedTask;
            });
        });
        return services;
    }
}
