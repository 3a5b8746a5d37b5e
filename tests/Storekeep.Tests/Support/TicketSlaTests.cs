using Storekeep.Support;

namespace Storekeep.Tests.Support;

/// <summary>The SLA clocks of one ticket, hand-computed, in weekdays 9–17 UTC (Monday 2 March 2026 onwards).</summary>
public sealed class TicketSlaTests
{
    private static readonly BusinessCalendar Utc = BusinessCalendar.Default(TimeZoneInfo.Utc);

    private static DateTime At(int day, int hour, int minute = 0) => new(2026, 3, day, hour, minute, 0, DateTimeKind.Utc);

    [Fact]
    public void A_reply_exactly_at_the_target_is_not_a_breach()
    {
        var sla = TicketSla.Compute(new TicketSla.Facts(At(2, 9), At(2, 10), null, null, []), 60, 480, Utc, At(2, 12));
        Assert.Equal(60, sla.FirstResponseMinutes);
        Assert.False(sla.FirstResponseBreached);
        Assert.Equal(At(2, 10), sla.FirstResponseDueAt);
        Assert.Equal(180, sla.ResolutionMinutes); // still running at noon
        Assert.Equal(At(2, 17), sla.ResolutionDueAt);
    }

    [Fact]
    public void A_past_pause_pushes_the_due_time_and_an_open_one_hides_it()
    {
        // Paused 09:30–11:30: the 60-minute target is met at 12:00 (30 minutes before the pause, 30 after).
        var facts = new TicketSla.Facts(At(2, 9), null, null, null, [new UtcInterval(At(2, 9, 30), At(2, 11, 30))]);
        var sla = TicketSla.Compute(facts, 60, 480, Utc, At(2, 11, 45));
        Assert.Equal(At(2, 12), sla.FirstResponseDueAt);
        Assert.Equal(45, sla.FirstResponseMinutes);
        Assert.False(sla.FirstResponseBreached);
        Assert.False(sla.Paused);

        // Waiting on the customer since 09:30 and still: 30 minutes ran, no due time yet, never breached while it waits.
        var waiting = TicketSla.Compute(new TicketSla.Facts(At(2, 9), null, null, At(2, 9, 30), []), 60, 480, Utc, At(4, 12));
        Assert.True(waiting.Paused);
        Assert.Null(waiting.FirstResponseDueAt);
        Assert.Equal(30, waiting.FirstResponseMinutes);
        Assert.False(waiting.FirstResponseBreached);
    }

    [Fact]
    public void Solving_without_a_reply_stops_the_first_response_clock_too()
    {
        // Created Monday 09:00, solved 12:00 without a public reply; read on Friday.
        var sla = TicketSla.Compute(new TicketSla.Facts(At(2, 9), null, At(2, 12), null, []), 240, 480, Utc, At(6, 16));
        Assert.Equal(180, sla.FirstResponseMinutes);
        Assert.False(sla.FirstResponseBreached);
        Assert.Equal(180, sla.ResolutionMinutes);
        Assert.False(sla.ResolutionBreached);

        // An unanswered open ticket read on Friday has run 4 days 7 hours of business time: both clocks breached.
        var open = TicketSla.Compute(new TicketSla.Facts(At(2, 9), null, null, null, []), 240, 480, Utc, At(6, 16));
        Assert.Equal(4 * 480 + 420, open.ResolutionMinutes);
        Assert.True(open.FirstResponseBreached);
        Assert.True(open.ResolutionBreached);
    }

    [Fact]
    public void The_median_is_the_middle_value_or_the_mean_of_the_two_middle_ones()
    {
        Assert.Null(TicketSla.Median([]));
        Assert.Equal(7, TicketSla.Median([9, 7, 1]));
        Assert.Equal(5.5, TicketSla.Median([10, 1, 7, 4]));
    }
}
