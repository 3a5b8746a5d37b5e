using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Storekeep.Web.Storefront;

/// <summary>
/// Output caching of product pages (<c>/p/{slug}</c>), whole, for guests. The page carries nothing of
/// the visitor's (no antiforgery token: /cart/add checks the request's origin instead; recently viewed
/// is fetched apart), so one copy serves every guest. Rules:
/// <list type="bullet">
/// <item>Only GET/HEAD from a guest: a signed-in shopper (a company buyer sees their own prices) is
/// neither served the shared copy nor stored.</item>
/// <item>Tagged per product and SKU by the page itself (<see cref="StorefrontCache.ProductTags"/>), so a
/// change of one product drops its page only; kept <see cref="StorefrontCache.ProductLifetime"/>.</item>
/// <item>The cookies a page response sets belong to its visitor: the visit's session and visitor ids
/// (set before the cache) and Blazor's antiforgery cookie (set while rendering). <see cref="CookieGuard"/>
/// takes them out of the headers just before the cache copies them and puts them back as the response
/// starts. A response with any other cookie, a status other than 200, or a change of the product while
/// the page was built is not stored.</item>
/// </list>
/// </summary>
public sealed class ProductPageCachePolicy : IOutputCachePolicy
{
    private const string MomentItem = "storekeep.product-page.moment";
    private const string VisitorCookiesItem = "storekeep.product-page.cookies";

    ValueTask IOutputCachePolicy.CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var http = context.HttpContext;
        var request = http.Request;
        var shared = (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            && StringValues.IsNullOrEmpty(request.Headers.Authorization)
            && http.User.Identity?.IsAuthenticated != true;
        context.EnableOutputCaching = true;
        context.AllowCacheLookup = shared;
        context.AllowCacheStorage = shared;
        context.AllowLocking = true;
        context.ResponseExpirationTimeSpan = StorefrontCache.ProductLifetime;
        context.CacheVaryByRules.QueryKeys = "variant"; // the only query the page reads: ?utm_… must not multiply copies
        context.Tags.Add(StorefrontCache.ProductPagesTag);
        if (shared)
        {
            http.Items[MomentItem] = http.RequestServices.GetRequiredService<StorefrontCache>().Now;
        }

        return ValueTask.CompletedTask;
    }

    ValueTask IOutputCachePolicy.ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

    ValueTask IOutputCachePolicy.ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var http = context.HttpContext;
        var changedMeanwhile = http.Items[MomentItem] is not long moment
            || http.RequestServices.GetRequiredService<StorefrontCache>().EvictedSince(moment, context.Tags);
        if (changedMeanwhile || !http.Response.HasStarted || !CookiesAreTheVisitors(http) || http.Response.StatusCode != StatusCodes.Status200OK)
        {
            context.AllowCacheStorage = false;
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Whether every cookie taken out of the copy is one every page gives its visitor (not a sign of a personal page).</summary>
    private static bool CookiesAreTheVisitors(HttpContext http)
    {
        if (http.Items[VisitorCookiesItem] is not StringValues taken)
        {
            return true;
        }

        var antiforgery = http.RequestServices.GetRequiredService<IOptions<AntiforgeryOptions>>().Value.Cookie.Name;
        string?[] visitors = [StorefrontEvents.SessionCookie, Attribution.VisitorCookie.Name, antiforgery];
        return taken.All(cookie => cookie is not null && visitors.Any(name => cookie.StartsWith(name + "=", StringComparison.Ordinal)));
    }

    /// <summary>
    /// Sits between the output cache and the page: on a product page's first byte (the moment the
    /// cache copies the headers) it takes the Set-Cookie headers out, and puts them back as the
    /// response starts, so the stored copy never carries one visitor's cookies to another.
    /// </summary>
    public sealed class CookieGuard(RequestDelegate next)
    {
        public async Task InvokeAsync(HttpContext http)
        {
            if (http.Items[MomentItem] is not long || http.Features.Get<IOutputCacheFeature>() is null)
            {
                await next(http);
                return;
            }

            var response = http.Response;
            var body = response.Body;
            response.Body = new FirstWriteStream(body, () => TakeCookies(http));
            try
            {
                await next(http);
            }
            finally
            {
                response.Body = body;
            }
        }

        private static void TakeCookies(HttpContext http)
        {
            var response = http.Response;
            var cookies = response.Headers.SetCookie;
            if (StringValues.IsNullOrEmpty(cookies))
            {
                return;
            }

            response.Headers.Remove(HeaderNames.SetCookie);
            http.Items[VisitorCookiesItem] = cookies;
            response.OnStarting(() =>
            {
                foreach (var cookie in cookies)
                {
                    response.Headers.Append(HeaderNames.SetCookie, cookie);
                }

                return Task.CompletedTask;
            });
        }
    }

    /// <summary>A write-through stream that runs a callback once, before the first byte or flush reaches the stream below.</summary>
    private sealed class FirstWriteStream(Stream inner, Action beforeFirstWrite) : Stream
    {
        private bool _started;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
            Start();
            inner.Flush();
        }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Start();
            return inner.FlushAsync(cancellationToken);
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Start();
            inner.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Start();
            inner.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Start();
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        private void Start()
        {
            if (!_started)
            {
                _started = true;
                beforeFirstWrite();
            }
        }
    }
}
