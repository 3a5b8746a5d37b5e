using FsCheck;
using FsCheck.Fluent;
using Storekeep.Support;

namespace Storekeep.Tests.Support;

/// <summary>
/// Business minutes: hand-computed cases (weekends, overnight, DST changes in both directions,
/// pauses) and FsCheck properties against a minute-by-minute count that shares no code with it.
/// </summary>
public sealed class BusinessHoursTests
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly BusinessCalendar NewYorkHours = BusinessCalendar.Default(NewYork);

    private static DateTime Utc(int year, int month, int day, int hour, int minute = 0) => new(year, month, day, hour, minute, 0, DateTimeKind.Utc);

    private static UtcInterval Pause(DateTime start, DateTime end) => new(start, end);

    [Fact]
    public void Time_within_one_working_day_counts_in_full()
    {
        // Mon 2 Mar 2026, 10:00 → 12:30 New York (EST, UTC−5).
        Assert.Equal(150, BusinessHours.Minutes(Utc(2026, 3, 2, 15), Utc(2026, 3, 2, 17, 30), NewYorkHours));
    }

    [Fact]
    public void The_night_between_two_working_days_does_not_count()
    {
        // Mon 16:00 → Tue 10:00 local: 60 minutes on Monday, 60 on Tuesday.
        Assert.Equal(120, BusinessHours.Minutes(Utc(2026, 3, 2, 21), Utc(2026, 3, 3, 15), NewYorkHours));
    }

    [Fact]
    public void Time_before_opening_and_after_closing_does_not_count()
    {
        // Mon 07:00 → 09:30 local: 30; Mon 16:30 → 23:00: 30.
        Assert.Equal(30, BusinessHours.Minutes(Utc(2026, 3, 2, 12), Utc(2026, 3, 2, 14, 30), NewYorkHours));
        Assert.Equal(30, BusinessHours.Minutes(Utc(2026, 3, 2, 21, 30), Utc(2026, 3, 3, 4), NewYorkHours));
    }

    [Fact]
    public void A_weekend_that_crosses_the_spring_DST_change_counts_only_the_working_hours_either_side()
    {
        // Fri 6 Mar 16:00 EST (21:00Z) → Mon 9 Mar 10:00 EDT (14:00Z): clocks went forward on Sunday 8 March.
        // 60 minutes on Friday, 60 on Monday; the wall-clock span is 65 hours.
        Assert.Equal(120, BusinessHours.Minutes(Utc(2026, 3, 6, 21), Utc(2026, 3, 9, 14), NewYorkHours));
        Assert.Equal(0, BusinessHours.Minutes(Utc(2026, 3, 7, 0), Utc(2026, 3, 9, 13), NewYorkHours)); // Sat 00:00Z → Mon 09:00 EDT
    }

    [Fact]
    public void A_working_day_after_the_autumn_DST_change_still_runs_from_nine_to_five_local()
    {
        var berlin = BusinessCalendar.Default(Berlin);
        // Fri 23 Oct 2026 16:00 CEST (14:00Z) → Mon 26 Oct 10:00 CET (09:00Z); clocks went back on Sunday 25 October.
        Assert.Equal(120, BusinessHours.Minutes(Utc(2026, 10, 23, 14), Utc(2026, 10, 26, 9), berlin));
        // Monday 26 October is a full 8-hour day: 08:00Z to 16:00Z.
        Assert.Equal(480, BusinessHours.Minutes(Utc(2026, 10, 26, 0), Utc(2026, 10, 27, 0), berlin));
        Assert.Equal(Utc(2026, 10, 26, 16), BusinessHours.Add(Utc(2026, 10, 26, 8), TimeSpan.FromMinutes(480), berlin));
    }

    [Fact]
    public void An_opening_time_skipped_by_the_DST_change_opens_when_the_clocks_jump()
    {
        var everyDay = new HashSet<DayOfWeek>(Enum.GetValues<DayOfWeek>());
        var night = new BusinessCalendar(NewYork, new TimeOnly(2, 30), new TimeOnly(4, 0), everyDay);
        // Sun 8 Mar 2026: 02:00 EST jumps to 03:00 EDT, so the day's window is 03:00–04:00 EDT (07:00Z–08:00Z).
        Assert.Equal(60, BusinessHours.Minutes(Utc(2026, 3, 8, 0), Utc(2026, 3, 8, 12), night));
        // The day before, a normal 90-minute window.
        Assert.Equal(90, BusinessHours.Minutes(Utc(2026, 3, 7, 0), Utc(2026, 3, 7, 12), night));
    }

    [Fact]
    public void Paused_intervals_are_left_out_including_one_that_spans_a_night()
    {
        // Mon 10:00 → 16:00 local, paused 11:00–13:00: 360 − 120.
        Assert.Equal(240, BusinessHours.Minutes(Utc(2026, 3, 2, 15), Utc(2026, 3, 2, 21), NewYorkHours,
            [Pause(Utc(2026, 3, 2, 16), Utc(2026, 3, 2, 18))]));
        // Mon 10:00 → Wed 10:00 local is 7 + 8 + 1 hours = 960; paused Mon 16:00 → Tue 12:00 takes 60 + 180.
        Assert.Equal(720, BusinessHours.Minutes(Utc(2026, 3, 2, 15), Utc(2026, 3, 4, 15), NewYorkHours,
            [Pause(Utc(2026, 3, 2, 21), Utc(2026, 3, 3, 17))]));
        // Overlapping pauses count once.
        Assert.Equal(240, BusinessHours.Minutes(Utc(2026, 3, 2, 15), Utc(2026, 3, 2, 21), NewYorkHours,
            [Pause(Utc(2026, 3, 2, 16), Utc(2026, 3, 2, 17, 30)), Pause(Utc(2026, 3, 2, 17), Utc(2026, 3, 2, 18))]));
    }

    [Fact]
    public void Adding_business_minutes_skips_nights_weekends_and_pauses()
    {
        // Fri 6 Mar 16:30 EST + 60 minutes: 30 on Friday, 30 on Monday 9 March (EDT) → 09:30 EDT = 13:30Z.
        Assert.Equal(Utc(2026, 3, 9, 13, 30), BusinessHours.Add(Utc(2026, 3, 6, 21, 30), TimeSpan.FromMinutes(60), NewYorkHours));
        // Created on Saturday: the clock starts on Monday at 09:00.
        Assert.Equal(Utc(2026, 3, 9, 14), BusinessHours.Add(Utc(2026, 3, 7, 15), TimeSpan.FromMinutes(60), NewYorkHours));
        // Mon 10:00 + 120 with a pause 11:00–12:00 → 13:00 local (18:00Z).
        Assert.Equal(Utc(2026, 3, 2, 18), BusinessHours.Add(Utc(2026, 3, 2, 15), TimeSpan.FromMinutes(120), NewYorkHours,
            [Pause(Utc(2026, 3, 2, 16), Utc(2026, 3, 2, 17))]));
        // The defaults: an urgent ticket's 480 resolution minutes from Mon 09:00 end at Mon 17:00.
        Assert.Equal(Utc(2026, 3, 2, 22), BusinessHours.Add(Utc(2026, 3, 2, 14), TimeSpan.FromMinutes(480), NewYorkHours));
    }

    [Fact]
    public void An_empty_or_backward_interval_has_no_business_time()
    {
        Assert.Equal(0, BusinessHours.Minutes(Utc(2026, 3, 2, 15), Utc(2026, 3, 2, 15), NewYorkHours));
        Assert.Equal(0, BusinessHours.Minutes(Utc(2026, 3, 2, 18), Utc(2026, 3, 2, 15), NewYorkHours));
    }

    // ---- Properties ----

    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(200).WithQuietOnSuccess(true);

    private static readonly string[] Zones = ["UTC", "America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata"];

    public sealed record Scenario(BusinessCalendar Calendar, DateTime A, DateTime B, DateTime C, IReadOnlyList<UtcInterval> Pauses, int Amount)
    {
        public override string ToString() =>
            $"{Calendar.TimeZone.Id} {Calendar.Opens}-{Calendar.Closes} [{string.Join(",", Calendar.WorkingDays)}] a={A:O} b={B:O} c={C:O} pauses=[{string.Join("; ", Pauses.Select(p => $"{p.Start:O}..{p.End:O}"))}] amount={Amount}";
    }

    private static readonly DateTime Base = Utc(2026, 1, 1, 0);

    // Instants on whole minutes over 2026, so every zone's DST changes are in range; spans of up to four days.
    private static Gen<Scenario> Scenarios() =>
        from zone in Gen.Elements(Zones)
        from opensHour in Gen.Choose(0, 12)
        from length in Gen.Choose(1, 11)
        from dayMask in Gen.Choose(1, 127)
        from start in Gen.Choose(0, 364 * 24 * 60)
        from first in Gen.Choose(0, 2 * 24 * 60)
        from second in Gen.Choose(0, 2 * 24 * 60)
        from pauseCount in Gen.Choose(0, 3)
        from pauseStarts in Gen.ListOf(Gen.Choose(0, 4 * 24 * 60), pauseCount)
        from pauseLengths in Gen.ListOf(Gen.Choose(0, 24 * 60), pauseCount)
        from amount in Gen.Choose(0, 3 * 8 * 60)
        let a = Base.AddMinutes(start)
        select new Scenario(
            new BusinessCalendar(
                TimeZoneInfo.FindSystemTimeZoneById(zone),
                new TimeOnly(opensHour, 0),
                new TimeOnly(opensHour + length, 0),
                Enum.GetValues<DayOfWeek>().Where(d => (dayMask & (1 << (int)d)) != 0).ToHashSet()),
            a,
            a.AddMinutes(first),
            a.AddMinutes(first + second),
            [.. pauseStarts.Zip(pauseLengths, (s, l) => new UtcInterval(a.AddMinutes(s), a.AddMinutes(s + l)))],
            amount);

    private static readonly Arbitrary<Scenario> Arbitrary = Arb.From(Scenarios());

    /// <summary>The oracle: each minute [t, t+1) counts when its local time is inside working hours on a working day and outside every pause.</summary>
    private static long CountMinuteByMinute(DateTime from, DateTime to, BusinessCalendar calendar, IReadOnlyList<UtcInterval> pauses)
    {
        long count = 0;
        for (var t = from; t < to; t = t.AddMinutes(1))
        {
            var local = TimeZoneInfo.ConvertTimeFromUtc(t, calendar.TimeZone);
            var time = TimeOnly.FromDateTime(local);
            if (calendar.WorkingDays.Contains(local.DayOfWeek) && time >= calendar.Opens && time < calendar.Closes
                && !pauses.Any(p => t >= p.Start && t < p.End))
            {
                count++;
            }
        }

        return count;
    }

    [Fact]
    public void Business_minutes_match_a_minute_by_minute_count() =>
        Prop.ForAll(Arbitrary, s =>
            Assert.Equal(CountMinuteByMinute(s.A, s.C, s.Calendar, s.Pauses), BusinessHours.Minutes(s.A, s.C, s.Calendar, s.Pauses))).Check(Runs);

    [Fact]
    public void Business_time_is_additive_and_never_more_than_wall_time_or_than_without_pauses() =>
        Prop.ForAll(Arbitrary, s =>
        {
            var whole = BusinessHours.Between(s.A, s.C, s.Calendar, s.Pauses);
            Assert.Equal(whole, BusinessHours.Between(s.A, s.B, s.Calendar, s.Pauses) + BusinessHours.Between(s.B, s.C, s.Calendar, s.Pauses));
            Assert.InRange(whole, TimeSpan.Zero, s.C - s.A);
            Assert.True(whole <= BusinessHours.Between(s.A, s.C, s.Calendar));
        }).Check(Runs);

    [Fact]
    public void Adding_business_minutes_is_undone_by_counting_them() =>
        Prop.ForAll(Arbitrary, s =>
        {
            var due = BusinessHours.Add(s.A, TimeSpan.FromMinutes(s.Amount), s.Calendar, s.Pauses);
            Assert.Equal(TimeSpan.FromMinutes(s.Amount), BusinessHours.Between(s.A, due, s.Calendar, s.Pauses));
            // The earliest such instant: a minute earlier, less time had passed.
            if (s.Amount > 0)
            {
                Assert.True(BusinessHours.Between(s.A, due.AddMinutes(-1), s.Calendar, s.Pauses) < TimeSpan.FromMinutes(s.Amount));
            }
        }).Check(Runs);
}
