using Microsoft.AspNetCore.Http.HttpResults;
using Storekeep.Access;
using Storekeep.Events;
using Storekeep.Shared;
using Storekeep.Web.Api;

namespace Storekeep.Web.Events;

public static class EventsEndpoints
{
    public static RouteGroupBuilder MapEventsEndpoints(this RouteGroupBuilder api)
    {
        var events = api.MapGroup("/events").WithTags("Events");
        events.MapGet("/", List)
            .WithName("ListEvents")
            .WithSummary("The event feed in publication order; resume with ?after=<id of the last event seen>.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .RequireAuthorization(Permissions.EventsRead);
        return api;
    }

    private static async Task<Ok<Page<EventEnvelope>>> List(EventFeed feed, string? after, string? type, int? limit, CancellationToken ct) =>
        TypedResults.Ok(await feed.ReadAsync(after, type, limit, ct));
}
