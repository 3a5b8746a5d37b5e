namespace Storekeep.Support;

/// <summary>
/// When the support team works: a time zone, the working days, and the opening and closing time of
/// each working day in that zone (wall-clock, so a day across a DST change still runs 9 to 17 local).
/// </summary>
public sealed record BusinessCalendar(TimeZoneInfo TimeZone, TimeOnly Opens, TimeOnly Closes, IReadOnlySet<DayOfWeek> WorkingDays)
{
    public static readonly IReadOnlySet<DayOfWeek> Weekdays =
        new HashSet<DayOfWeek> { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday };

    /// <summary>Weekdays 9–17 in <paramref name="timeZone"/>.</summary>
    public static BusinessCalendar Default(TimeZoneInfo timeZone) => new(timeZone, new TimeOnly(9, 0), new TimeOnly(17, 0), Weekdays);
}

/// <summary>An interval of UTC time [<see cref="Start"/>, <see cref="End"/>).</summary>
public readonly record struct UtcInterval(DateTime Start, DateTime End);

/// <summary>
/// Business time, as pure functions: how much working time lies between two instants (less the
/// intervals a clock was paused), and when a given amount of working time will have passed. Every
/// instant in and out is UTC; the calendar's time zone only decides where working days begin and end.
/// </summary>
public static class BusinessHours
{
    // A calendar with working days always has one within a week; this bounds the walk for absurd inputs.
    private const int MaxDays = 366 * 20;

    /// <summary>The working time in [<paramref name="from"/>, <paramref name="to"/>) outside <paramref name="pauses"/>; zero when to ≤ from.</summary>
    public static TimeSpan Between(DateTime from, DateTime to, BusinessCalendar calendar, IReadOnlyList<UtcInterval>? pauses = null)
    {
        if (to <= from)
        {
            return TimeSpan.Zero;
        }

        var total = TimeSpan.Zero;
        foreach (var window in Windows(from, calendar))
        {
            if (window.Start >= to)
            {
                break;
            }

            var clipped = new UtcInterval(Max(window.Start, from), Min(window.End, to));
            foreach (var part in Subtract(clipped, pauses))
            {
                total += part.End - part.Start;
            }
        }

        return total;
    }

    /// <summary>Whole business minutes (rounded down) between two instants; see <see cref="Between"/>.</summary>
    public static long Minutes(DateTime from, DateTime to, BusinessCalendar calendar, IReadOnlyList<UtcInterval>? pauses = null) =>
        (long)Math.Floor(Between(from, to, calendar, pauses).TotalMinutes);

    /// <summary>
    /// The earliest instant at which <paramref name="amount"/> of working time outside <paramref name="pauses"/>
    /// has passed since <paramref name="start"/>: the due time of a clock started then. Zero → <paramref name="start"/>.
    /// </summary>
    public static DateTime Add(DateTime start, TimeSpan amount, BusinessCalendar calendar, IReadOnlyList<UtcInterval>? pauses = null)
    {
        if (amount <= TimeSpan.Zero)
        {
            return start;
        }

        var left = amount;
        foreach (var window in Windows(start, calendar))
        {
            foreach (var part in Subtract(new UtcInterval(Max(window.Start, start), window.End), pauses))
            {
                var length = part.End - part.Start;
                if (length >= left)
                {
                    return part.Start + left;
                }

                left -= length;
            }
        }

        throw new InvalidOperationException("The calendar has no working time.");
    }

    /// <summary>The working windows (UTC) of each working day, from the local day holding <paramref name="from"/> on, in order.</summary>
    public static IEnumerable<UtcInterval> Windows(DateTime from, BusinessCalendar calendar)
    {
        if (calendar.WorkingDays.Count == 0 || calendar.Closes <= calendar.Opens)
        {
            yield break;
        }

        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(Utc(from), calendar.TimeZone)).AddDays(-1);
        for (var i = 0; i < MaxDays; i++, day = day.AddDays(1))
        {
            if (!calendar.WorkingDays.Contains(day.DayOfWeek))
            {
                continue;
            }

            var start = ToUtc(day, calendar.Opens, calendar.TimeZone);
            var end = ToUtc(day, calendar.Closes, calendar.TimeZone);
            if (end > start && end > from)
            {
                yield return new UtcInterval(start, end);
            }
        }
    }

    /// <summary>
    /// A local wall-clock time as UTC. A time skipped by a DST change (spring forward) is read as the
    /// instant the clocks jumped to; a repeated one (fall back) as its first occurrence.
    /// </summary>
    private static DateTime ToUtc(DateOnly day, TimeOnly time, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            // Move forward minute by minute to the first wall-clock time that exists (at most a few hours).
            var later = local;
            while (zone.IsInvalidTime(later))
            {
                later = later.AddMinutes(1);
            }

            return TimeZoneInfo.ConvertTimeToUtc(later, zone);
        }

        if (zone.IsAmbiguousTime(local))
        {
            var offset = zone.GetAmbiguousTimeOffsets(local).Max();
            return DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
        }

        return TimeZoneInfo.ConvertTimeToUtc(local, zone);
    }

    /// <summary><paramref name="interval"/> less every pause, as ordered disjoint parts.</summary>
    private static IEnumerable<UtcInterval> Subtract(UtcInterval interval, IReadOnlyList<UtcInterval>? pauses)
    {
        if (interval.End <= interval.Start)
        {
            yield break;
        }

        if (pauses is null || pauses.Count == 0)
        {
            yield return interval;
            yield break;
        }

        var cursor = interval.Start;
        foreach (var pause in pauses.Where(p => p.End > interval.Start && p.Start < interval.End && p.End > p.Start).OrderBy(p => p.Start))
        {
            if (pause.Start > cursor)
            {
                yield return new UtcInterval(cursor, Min(pause.Start, interval.End));
            }

            cursor = Max(cursor, pause.End);
            if (cursor >= interval.End)
            {
                yield break;
            }
        }

        if (cursor < interval.End)
        {
            yield return new UtcInterval(cursor, interval.End);
        }
    }

    private static DateTime Utc(DateTime t) => t.Kind == DateTimeKind.Utc ? t : DateTime.SpecifyKind(t, DateTimeKind.Utc);

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}
