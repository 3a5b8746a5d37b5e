using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;

namespace Storekeep.Web.Api;

public static class SystemEndpoints
{
    public sealed record HealthResponse(string Status, string Database);

    public static IEndpointRouteBuilder MapSystemEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", Health)
            .WithName("Health")
            .WithSummary("200 when the database answers.")
            .WithTags("System")
            .AllowAnonymous();
        return app;
    }

    private static async Task<Results<Ok<HealthResponse>, ProblemHttpResult>> Health(StorekeepDbContext db, CancellationToken ct)
    {
        var provider = db.IsPostgres ? "postgres" : "sqlite";
        return await db.Database.CanConnectAsync(ct)
            ? TypedResults.Ok(new HealthResponse("ok", provider))
            : TypedResults.Problem(statusCode: 503, title: "The database does not answer.", extensions: new Dictionary<string, object?> { ["code"] = "database_unavailable" });
    }
}
