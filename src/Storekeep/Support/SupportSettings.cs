using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Storekeep.Support;

/// <summary>
/// Support's business hours, read once from configuration: <c>Support:TimeZone</c> (IANA or Windows id,
/// default UTC: the store has no time zone setting of its own), <c>Support:Opens</c> and
/// <c>Support:Closes</c> (HH:mm, default 09:00 and 17:00), <c>Support:WorkingDays</c> (default
/// Mon,Tue,Wed,Thu,Fri). A wrong value stops the app at start with a message naming the setting.
/// </summary>
public sealed class SupportSettings
{
    public SupportSettings(IConfiguration configuration)
    {
        var zoneId = configuration["Support:TimeZone"] is { Length: > 0 } z ? z.Trim() : "UTC";
        TimeZoneInfo zone;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new InvalidOperationException($"Support:TimeZone '{zoneId}' is not a time zone this machine knows (use an IANA id such as Europe/Berlin).", e);
        }

        var opens = Time(configuration, "Support:Opens", new TimeOnly(9, 0));
        var closes = Time(configuration, "Support:Closes", new TimeOnly(17, 0));
        if (closes <= opens)
        {
            throw new InvalidOperationException("Support:Closes must be after Support:Opens.");
        }

        var days = BusinessCalendar.Weekdays;
        if (configuration["Support:WorkingDays"] is { Length: > 0 } text)
        {
            var parsed = new HashSet<DayOfWeek>();
            foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var day = Enum.GetValues<DayOfWeek>().FirstOrDefault(d => d.ToString().StartsWith(part, StringComparison.OrdinalIgnoreCase) && part.Length >= 3, (DayOfWeek)(-1));
                if ((int)day < 0)
                {
                    throw new InvalidOperationException($"Support:WorkingDays: '{part}' is not a day of the week (use Mon,Tue,Wed,Thu,Fri).");
                }

                parsed.Add(day);
            }

            if (parsed.Count == 0)
            {
                throw new InvalidOperationException("Support:WorkingDays needs at least one day.");
            }

            days = parsed;
        }

        Calendar = new BusinessCalendar(zone, opens, closes, days);

        if (configuration["Support:InboundAddress"] is { Length: > 0 } inbound)
        {
            var at = inbound.Trim().LastIndexOf('@');
            if (at < 1 || at == inbound.Trim().Length - 1 || inbound.Trim().Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '+' or '<' or '>'))
            {
                throw new InvalidOperationException($"Support:InboundAddress must be a plain address such as support@shop.example, without '+'; it is '{inbound}'.");
            }

            (InboundLocalPart, InboundDomain) = (inbound.Trim()[..at].ToLowerInvariant(), inbound.Trim()[(at + 1)..].ToLowerInvariant());
        }

        InboundSecret = configuration["Support:InboundSecret"] is { Length: > 0 } secret ? secret : null;
        InboundAuthServId = configuration["Support:InboundAuthServId"] is { Length: > 0 } authserv ? authserv.Trim() : null;
    }

    /// <summary>
    /// <c>Support:InboundAuthServId</c>: the name the receiving mail server (the provider's MX) gives
    /// itself in the <c>Authentication-Results</c> headers it adds. When set, an inbound email counts
    /// as from its <c>From</c> only when such a header says DMARC passed (or, without a DMARC result,
    /// DKIM or SPF passed for the From domain); null trusts <c>From</c> as it is.
    /// </summary>
    public string? InboundAuthServId { get; }

    public BusinessCalendar Calendar { get; }

    /// <summary>The local part of <c>Support:InboundAddress</c> (lower case); null when ticket emails carry no reply address.</summary>
    public string? InboundLocalPart { get; }

    public string? InboundDomain { get; }

    /// <summary><c>Support:InboundSecret</c>: the inbound-email webhook's shared secret; null when the webhook is off.</summary>
    public string? InboundSecret { get; }

    /// <summary>A ticket's reply address, <c>support+t&lt;token&gt;@domain</c>; null without <c>Support:InboundAddress</c>.</summary>
    public string? ReplyAddress(string token) => InboundLocalPart is null ? null : $"{InboundLocalPart}+t{token}@{InboundDomain}";

    private static TimeOnly Time(IConfiguration configuration, string key, TimeOnly fallback)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return TimeOnly.TryParseExact(text.Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time
            : throw new InvalidOperationException($"{key} must be a time of day as HH:mm, not '{text}'.");
    }
}
