namespace Storekeep.Support;

/// <summary>
/// A ticket's SLA clocks as a pure function of its times (docs/support.md). Both clocks start when the
/// ticket is created and run in business time only, never while it waits on the customer.
/// The first-response clock stops at the first public staff reply (or at resolution, if that comes
/// first); the resolution clock stops when the ticket is solved or closed. A clock is breached when
/// the business time it ran (up to its stop, or up to now while it runs) exceeds its target.
/// </summary>
public static class TicketSla
{
    public sealed record Facts(DateTime CreatedAt, DateTime? FirstResponseAt, DateTime? ResolvedAt, DateTime? PausedSince, IReadOnlyList<UtcInterval> Pauses);

    public static TicketSlaView Compute(Facts ticket, int firstResponseMinutes, int resolutionMinutes, BusinessCalendar calendar, DateTime now)
    {
        var firstStop = Earliest(ticket.FirstResponseAt, ticket.ResolvedAt);
        var first = Clock(ticket, firstStop, firstResponseMinutes, calendar, now);
        var resolution = Clock(ticket, ticket.ResolvedAt, resolutionMinutes, calendar, now);
        return new TicketSlaView(
            firstResponseMinutes, first.DueAt, ticket.FirstResponseAt, first.Minutes, first.Breached,
            resolutionMinutes, resolution.DueAt, ticket.ResolvedAt, resolution.Minutes, resolution.Breached,
            ticket.PausedSince is not null);
    }

    /// <summary>Business time a clock ran from creation to <paramref name="stop"/> (or now), pauses excluded.</summary>
    public static TimeSpan Elapsed(Facts ticket, DateTime? stop, BusinessCalendar calendar, DateTime now)
    {
        var end = stop ?? now;
        return BusinessHours.Between(ticket.CreatedAt, end, calendar, PausesUntil(ticket, end));
    }

    private static (DateTime? DueAt, long Minutes, bool Breached) Clock(Facts ticket, DateTime? stop, int targetMinutes, BusinessCalendar calendar, DateTime now)
    {
        var target = TimeSpan.FromMinutes(targetMinutes);
        var elapsed = Elapsed(ticket, stop, calendar, now);

        // The due time walks the closed pauses (those begun before the clock stopped); while an open
        // pause began before it, the due time is not known yet.
        var end = stop ?? now;
        var closed = ticket.Pauses.Where(p => p.Start < end).ToList();
        DateTime? due = BusinessHours.Add(ticket.CreatedAt, target, calendar, closed);
        if (stop is null && ticket.PausedSince is { } since && since < due)
        {
            due = null;
        }

        return (due, (long)Math.Floor(elapsed.TotalMinutes), elapsed > target);
    }

    /// <summary>Every pause, the open one running to <paramref name="end"/>.</summary>
    private static List<UtcInterval> PausesUntil(Facts ticket, DateTime end)
    {
        var pauses = ticket.Pauses.ToList();
        if (ticket.PausedSince is { } since && since < end)
        {
            pauses.Add(new UtcInterval(since, end));
        }

        return pauses;
    }

    private static DateTime? Earliest(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : a < b ? a : b;

    /// <summary>The middle value (the mean of the two middle ones for an even count); null for none.</summary>
    public static double? Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        if (sorted.Count == 0)
        {
            return null;
        }

        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
