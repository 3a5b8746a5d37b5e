using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Storekeep.Analytics;
using Storekeep.Data;

namespace Storekeep.Web.Storefront;

/// <summary>
/// Records a funnel step of the current storefront session. The step is queued in memory and
/// written by <see cref="StorefrontEventWriter"/> in batches, so a page view costs the shopper no
/// database round trip and a busy storefront one insert batch per moment instead of one commit per
/// view. A failure is logged and never reaches the shopper; steps still queued when the process is
/// killed (not stopped) are lost, which a funnel of counts can afford.
/// </summary>
public interface IStorefrontEvents
{
    Task RecordAsync(HttpContext http, string type, Guid? productId = null, string? sku = null, Guid? cartId = null, Guid? orderId = null);
}

public sealed class StorefrontEvents(IServiceScopeFactory scopes, TimeProvider clock, ILogger<StorefrontEvents> logger) : IStorefrontEvents
{
    /// <summary>Beyond this many unwritten steps (the database is down or far behind), new ones are dropped and logged.</summary>
    public const int QueueCapacity = 50_000;
    private const int BatchSize = 1_000;
    private static readonly TimeSpan BatchInterval = TimeSpan.FromMilliseconds(200);

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(
        new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private long _queued;
    private long _written;
    private long _dropped;

    /// <summary>A step as queued: a product view carries the page's slug, resolved to the product when written.</summary>
    private sealed record Pending(string SessionId, string Type, Guid? ProductId, string? ProductSlug, string? Sku, Guid? CartId, Guid? OrderId, DateTime OccurredAt);

    public const string SessionCookie = "storekeep.sid";
    private const string SessionItem = "storekeep.session-id";

    /// <summary>The browser's storefront session id: from its cookie, or new (and set) when it has none.</summary>
    public static string SessionId(HttpContext http) => Session(http).Id;

    internal static (string Id, bool IsNew) Session(HttpContext http)
    {
        if (http.Items[SessionItem] is (string known, bool wasNew))
        {
            return (known, wasNew);
        }

        var cookie = http.Request.Cookies[SessionCookie];
        (string, bool) session;
        if (IsCookieId(cookie))
        {
            session = (cookie, false);
        }
        else
        {
            var id = NewCookieId();
            if (!http.Response.HasStarted)
            {
                // A browser-session cookie: closing the browser ends the session.
                http.Response.Cookies.Append(SessionCookie, id, new CookieOptions
                {
                    HttpOnly = true,
                    SameSite = SameSiteMode.Lax,
                    Secure = http.Request.IsHttps,
                    Path = "/",
                    IsEssential = true,
                });
            }

            session = (id, true);
        }

        http.Items[SessionItem] = session;
        return session;
    }

    /// <summary>A random first-party cookie id (128 bits as 32 lower-case hex digits): the session's, and Attribution's visitor's.</summary>
    internal static string NewCookieId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Whether a cookie value is one of our ids (anything else is ignored and replaced).</summary>
    internal static bool IsCookieId([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? value) => value is { Length: 32 } && value.All(char.IsAsciiHexDigitLower);

    public Task RecordAsync(HttpContext http, string type, Guid? productId = null, string? sku = null, Guid? cartId = null, Guid? orderId = null)
    {
        Enqueue(new Pending(SessionId(http), type, productId, null, sku is { Length: > 64 } ? sku[..64] : sku, cartId, orderId, clock.GetUtcNow().UtcDateTime));
        return Task.CompletedTask;
    }

    /// <summary>A product page was served: the view is recorded against the product its slug names.</summary>
    internal void RecordProductView(HttpContext http, string slug) =>
        Enqueue(new Pending(SessionId(http), StorefrontEventTypes.ProductViewed, null, slug, null, null, null, clock.GetUtcNow().UtcDateTime));

    private void Enqueue(Pending step)
    {
        if (_queue.Writer.TryWrite(step))
        {
            Interlocked.Increment(ref _queued);
        }
        else if (Interlocked.Increment(ref _dropped) % 1_000 == 1)
        {
            logger.LogWarning("The storefront event queue is full ({Capacity} unwritten); {Dropped} steps dropped so far.", QueueCapacity, Interlocked.Read(ref _dropped));
        }
    }

    /// <summary>Waits until every step queued before the call is written (or failed and logged); for tests and shutdown.</summary>
    public async Task FlushAsync(TimeSpan? timeout = null)
    {
        var target = Interlocked.Read(ref _queued);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (Interlocked.Read(ref _written) < target && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
    }

    /// <summary>The writer's loop: whatever has queued up, in batches, until stopped; then what is left.</summary>
    internal async Task WriteQueuedAsync(CancellationToken stoppingToken)
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                // A pause after a batch that did not fill: steps arriving one by one would otherwise
                // each cost a transaction; this way a busy storefront writes a few batches a second.
                if (await WriteBatchAsync(reader) < BatchSize)
                {
                    await Task.Delay(BatchInterval, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            while (reader.TryPeek(out _))
            {
                await WriteBatchAsync(reader);
            }
        }
    }

    /// <summary>Writes up to <see cref="BatchSize"/> queued steps; returns how many it took.</summary>
    private async Task<int> WriteBatchAsync(ChannelReader<Pending> reader)
    {
        var batch = new List<Pending>(BatchSize);
        while (batch.Count < BatchSize && reader.TryRead(out var step))
        {
            batch.Add(step);
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
            var slugs = batch.Select(e => e.ProductSlug).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            var products = slugs.Count == 0
                ? []
                : await db.Products.AsNoTracking().Where(p => slugs.Contains(p.Slug)).Select(p => new { p.Slug, p.Id }).ToDictionaryAsync(p => p.Slug, p => p.Id, StringComparer.Ordinal, CancellationToken.None);
            var rows = batch.Select(e => new StorefrontEvent
            {
                SessionId = e.SessionId,
                Type = e.Type,
                ProductId = e.ProductSlug is { } slug ? (products.TryGetValue(slug, out var id) ? id : null) : e.ProductId,
                Sku = e.Sku,
                CartId = e.CartId,
                OrderId = e.OrderId,
                OccurredAt = e.OccurredAt,
            }).ToList();

            // Without the change tracker (COPY on PostgreSQL): a busy storefront queues thousands of
            // views a second, and tracking each row cost more CPU than serving the cached page.
            await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
            await BulkInsert.WriteAsync(db, rows, CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not record {Count} storefront events.", batch.Count);
        }
        finally
        {
            Interlocked.Add(ref _written, batch.Count);
        }

        return batch.Count;
    }
}

/// <summary>Writes the queued storefront events (see <see cref="StorefrontEvents"/>); on shutdown, what is still queued.</summary>
public sealed class StorefrontEventWriter(StorefrontEvents events) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => events.WriteQueuedAsync(stoppingToken);
}

/// <summary>
/// Gives storefront page requests a session and records product page views. It runs before the
/// output cache, so a product page served from the cache still counts as viewed.
/// </summary>
public sealed class StorefrontSessionMiddleware(RequestDelegate next, StorefrontEvents events)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsGet(context.Request.Method) || !IsStorefrontPage(context.Request.Path))
        {
            await next(context);
            return;
        }

        var (_, isNew) = StorefrontEvents.Session(context);
        await next(context);
        if (context.Response.StatusCode != StatusCodes.Status200OK)
        {
            return;
        }

        if (isNew)
        {
            await events.RecordAsync(context, StorefrontEventTypes.SessionStarted);
        }

        if (ProductSlug(context.Request.Path) is { } slug)
        {
            events.RecordProductView(context, slug);
        }
    }

    internal static bool IsStorefrontPage(PathString path) =>
        path == "/" || path.StartsWithSegments("/p") || path.StartsWithSegments("/c") || path.StartsWithSegments("/search") ||
        path.StartsWithSegments("/cart") || path.StartsWithSegments("/checkout") || path.StartsWithSegments("/account");

    /// <summary>The slug of <c>/p/{slug}</c>, nothing for deeper or other paths.</summary>
    internal static string? ProductSlug(PathString path)
    {
        if (!path.StartsWithSegments("/p", out var rest) || !rest.HasValue)
        {
            return null;
        }

        var slug = rest.Value!.TrimStart('/');
        return slug.Length is > 0 and <= 200 && !slug.Contains('/', StringComparison.Ordinal) ? slug : null;
    }
}
