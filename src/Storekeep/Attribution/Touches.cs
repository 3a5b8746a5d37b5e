using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Data;

namespace Storekeep.Attribution;

/// <summary>
/// Reads a visit's channel and keeps it. The rules (docs/marketing.md): <c>utm_source</c> wins, with
/// <c>utm_medium</c> (else "(none)") and <c>utm_campaign</c>; without UTM tags a referrer from another
/// site is the source ("organic" for the big search engines, "referral" for the rest); with neither
/// the visit is "(direct)" / "(none)".
/// </summary>
public sealed class Touches(StorekeepDbContext db)
{
    public const string Direct = "(direct)";
    public const string NoMedium = "(none)";

    /// <summary>How long before an order its first touch may lie.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromDays(30);

    private static readonly string[] SearchEngines = ["google.", "bing.", "duckduckgo.", "yahoo.", "ecosia.", "baidu.", "yandex."];

    public static Touch Classify(string? utmSource, string? utmMedium, string? utmCampaign, string? referrer, string? ownHost, DateTime at)
    {
        var referrerHost = Uri.TryCreate(referrer, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri.Host.ToLowerInvariant() : null;
        if (referrerHost is not null && ownHost is not null && string.Equals(referrerHost, ownHost, StringComparison.OrdinalIgnoreCase))
        {
            referrerHost = null; // moving between our own pages is no referral
        }

        var cleanReferrer = referrerHost is null ? null : Clip(uri!.GetLeftPart(UriPartial.Path), 400);
        if (Tag(utmSource) is { } source)
        {
            return new Touch { Source = source, Medium = Tag(utmMedium) ?? NoMedium, Campaign = Clip(utmCampaign?.Trim(), Touch.CampaignMaxLength), Referrer = cleanReferrer, At = at };
        }

        if (referrerHost is not null)
        {
            var host = referrerHost.StartsWith("www.", StringComparison.Ordinal) ? referrerHost[4..] : referrerHost;
            var medium = SearchEngines.Any(e => host.StartsWith(e, StringComparison.Ordinal) || host.Contains("." + e, StringComparison.Ordinal)) ? "organic" : "referral";
            return new Touch { Source = Clip(host, Touch.SourceMaxLength)!, Medium = medium, Referrer = cleanReferrer, At = at };
        }

        return new Touch { Source = Direct, Medium = NoMedium, At = at };
    }

    /// <summary>UTM values compare in lower case ("Google" and "google" are one channel).</summary>
    private static string? Tag(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : Clip(value.Trim().ToLowerInvariant(), Touch.SourceMaxLength);

    private static string? Clip(string? value, int max) => value is null ? null : value.Length <= max ? value : value[..max];

    /// <summary>
    /// Keeps a visit's touch. A session's first request always counts; later requests only when they
    /// carry UTM tags the session has not recorded yet (a campaign link followed mid-visit; a reload is not a new touch).
    /// </summary>
    public async Task RecordAsync(string visitorId, string sessionId, Touch touch, bool sessionIsNew, CancellationToken ct)
    {
        if (!sessionIsNew)
        {
            var seen = await db.Set<VisitorTouch>().AsNoTracking().AnyAsync(t => t.SessionId == sessionId && t.VisitorId == visitorId
                && t.Touch.Source == touch.Source && t.Touch.Medium == touch.Medium && t.Touch.Campaign == touch.Campaign, ct);
            if (seen)
            {
                return;
            }
        }

        db.Add(new VisitorTouch { VisitorId = visitorId, SessionId = sessionId, Touch = touch });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Inside the checkout transaction: the order's first touch (the visitor's earliest within
    /// <see cref="Window"/> before it) and last touch (the latest before it). Nothing without touches.
    /// </summary>
    public async Task RecordOrderAsync(Guid orderId, string? visitorId, DateTime at, CancellationToken ct)
    {
        if (visitorId is null)
        {
            return;
        }

        var since = at - Window;
        var touches = db.Set<VisitorTouch>().AsNoTracking().Where(t => t.VisitorId == visitorId && t.Touch.At >= since && t.Touch.At <= at);
        var first = await touches.OrderBy(t => t.Touch.At).ThenBy(t => t.Id).Select(t => t.Touch).FirstOrDefaultAsync(ct);
        var last = await touches.OrderByDescending(t => t.Touch.At).ThenByDescending(t => t.Id).Select(t => t.Touch).FirstOrDefaultAsync(ct);
        if (first is null || last is null)
        {
            return;
        }

        db.Add(new OrderAcquisition { OrderId = orderId, VisitorId = visitorId, FirstTouch = first, LastTouch = last });
    }

    /// <summary>The order's recorded touches; null for an order placed without a storefront visit.</summary>
    public async Task<AcquisitionView?> OfOrderAsync(Guid orderId, CancellationToken ct) =>
        await db.Set<OrderAcquisition>().AsNoTracking().Where(a => a.OrderId == orderId).FirstOrDefaultAsync(ct) is { } a
            ? new AcquisitionView(TouchView.From(a.FirstTouch), TouchView.From(a.LastTouch))
            : null;

    /// <summary>
    /// Customers' acquisitions, by the email their orders were placed with (a page of the customer
    /// list, or one customer's detail): the first touch of each one's earliest attributed order, the
    /// last touch of the latest. An email without an attributed order has no entry.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, AcquisitionView>> OfEmailsAsync(IReadOnlyCollection<string> emails, CancellationToken ct)
    {
        var attributed = db.Orders.AsNoTracking().Where(o => emails.Contains(o.Email))
            .Join(db.Set<OrderAcquisition>().AsNoTracking(), o => o.Id, a => a.OrderId, (o, a) => new { o.Email, o.Number, a.FirstTouch, a.LastTouch });
        var bounds = await attributed.GroupBy(x => x.Email).Select(g => new { Email = g.Key, First = g.Min(x => x.Number), Last = g.Max(x => x.Number) }).ToListAsync(ct);
        var numbers = bounds.SelectMany(b => new[] { b.First, b.Last }).Distinct().ToList();
        var touches = await attributed.Where(x => numbers.Contains(x.Number)).ToDictionaryAsync(x => x.Number, ct);
        return bounds.ToDictionary(
            b => b.Email,
            b => new AcquisitionView(TouchView.From(touches[b.First].FirstTouch), TouchView.From(touches[b.Last].LastTouch)));
    }

    /// <summary>The touch's columns, snake_case with <paramref name="prefix"/> (the naming convention does not reach complex types).</summary>
    internal static void Configure(ComplexPropertyBuilder<Touch> touch, string prefix)
    {
        touch.Property(t => t.Source).HasMaxLength(Touch.SourceMaxLength).HasColumnName(prefix + "source");
        touch.Property(t => t.Medium).HasMaxLength(Touch.SourceMaxLength).HasColumnName(prefix + "medium");
        touch.Property(t => t.Campaign).HasMaxLength(Touch.CampaignMaxLength).HasColumnName(prefix + "campaign");
        touch.Property(t => t.Referrer).HasMaxLength(400).HasColumnName(prefix + "referrer");
        touch.Property(t => t.At).HasColumnName(prefix + "at");
    }
}

/// <summary>A touch as the API shows it (<c>acquisition.firstTouch</c>, <c>lastTouch</c>).</summary>
public sealed record TouchView(string Source, string Medium, string? Campaign, string? Referrer, DateTime At)
{
    public static TouchView From(Touch t) => new(t.Source, t.Medium, t.Campaign, t.Referrer, t.At);
}

/// <summary>An order's (or a customer's) first and last touch.</summary>
public sealed record AcquisitionView(TouchView FirstTouch, TouchView LastTouch);
