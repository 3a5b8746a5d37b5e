using System.Net;
using Storekeep.Campaigns;
using Storekeep.Messaging;
using Storekeep.Store;

namespace Storekeep.Web.Campaigns;

/// <summary>
/// The links in campaign messages, on the store's own domain and without sign-in: the open pixel
/// (<c>/m/o/{token}</c>), the click redirect (<c>/m/c/{token}/{n}</c>: only to the campaign's own
/// n-th link, so it is never an open redirect) and the unsubscribe page (<c>/m/u/{token}</c>),
/// whose POST is the RFC 8058 one-click unsubscribe mail clients send. The unsubscribe page also
/// takes the tokens of other marketing email (abandoned-cart reminders, see <see cref="UnsubscribeLinks"/>).
/// A GET never unsubscribes: mail scanners follow links.
/// </summary>
public static class CampaignTrackingEndpoints
{
    // The smallest transparent GIF.
    private static readonly byte[] Pixel = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    public static void MapCampaignTrackingEndpoints(this IEndpointRouteBuilder app)
    {
        var links = app.MapGroup("/m").ExcludeFromDescription().AllowAnonymous();
        links.MapGet("/o/{token}", Open);
        links.MapGet("/c/{token}/{link:int}", Click);
        links.MapGet("/u/{token}", UnsubscribePage);
        links.MapPost("/u/{token}", Unsubscribe).DisableAntiforgery();
    }

    private static async Task<IResult> Open(string token, CampaignTracking tracking, HttpContext http, CancellationToken ct)
    {
        await tracking.OpenAsync(token, ct);
        http.Response.Headers.CacheControl = "no-store";
        return Results.File(Pixel, "image/gif");
    }

    private static async Task<IResult> Click(string token, int link, CampaignTracking tracking, CancellationToken ct) =>
        await tracking.ClickAsync(token, link, ct) is { } url
            ? Results.Redirect(url)
            : Page(HttpStatusCode.NotFound, "Link not found", "<p>This link is not valid any more.</p>");

    private static async Task<IResult> UnsubscribePage(string token, CampaignTracking tracking, UnsubscribeLinks links, StoreSettingsService store, CancellationToken ct)
    {
        var target = await tracking.FindAsync(token, ct) ?? await links.FindAsync(token, ct);
        var name = WebUtility.HtmlEncode((await store.GetAsync(ct)).Name);
        if (target is null)
        {
            return Page(HttpStatusCode.NotFound, "Link not found", "<p>This unsubscribe link is not valid. Reply to any of our messages and we will take you off our lists.</p>");
        }

        var what = target.Channel == "sms" ? "text messages" : "emails";
        var address = WebUtility.HtmlEncode(target.Address);
        return target.AlreadyUnsubscribed
            ? Page(HttpStatusCode.OK, "Unsubscribed", $"<p>{address} gets no marketing {what} from {name}.</p>")
            : Page(HttpStatusCode.OK, "Unsubscribe", $"<p>Stop marketing {what} from {name} to {address}?</p><form method=\"post\"><button type=\"submit\" id=\"unsubscribe\">Unsubscribe</button></form>");
    }

    private static async Task<IResult> Unsubscribe(string token, CampaignTracking tracking, UnsubscribeLinks links, CancellationToken ct) =>
        await tracking.UnsubscribeAsync(token, ct) || await links.UnsubscribeAsync(token, ct)
            ? Page(HttpStatusCode.OK, "Unsubscribed", "<p id=\"unsubscribed\">You are unsubscribed. You will get no more marketing messages from us; order and account messages still arrive.</p>")
            : Page(HttpStatusCode.NotFound, "Link not found", "<p>This unsubscribe link is not valid.</p>");

    private static IResult Page(HttpStatusCode status, string title, string body) => Results.Content(
        $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title></head>" +
        $"<body style=\"font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem\"><h1>{title}</h1>{body}</body></html>",
        "text/html; charset=utf-8", statusCode: (int)status);
}
