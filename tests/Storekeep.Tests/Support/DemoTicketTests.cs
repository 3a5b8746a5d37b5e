using Storekeep.Demo;
using Storekeep.Support;

namespace Storekeep.Tests.Support;

public sealed class DemoTicketTests
{
    [Fact]
    public void The_demo_store_has_tickets_in_every_status_and_one_breached_urgent_question()
    {
        var now = new DateTime(2026, 3, 14, 15, 9, 26, DateTimeKind.Utc); // a Saturday
        var data = DemoStoreBuilder.Build(now);
        Assert.Equal(Enum.GetValues<TicketStatus>().ToHashSet(), data.Tickets.Select(t => t.Status).ToHashSet());
        Assert.All(data.Tickets, t => Assert.True(t.CreatedAt < now));
        Assert.All(data.Tickets, t => Assert.Contains(data.Customers, c => c.Id == t.CustomerId && c.Email == t.Email));
        Assert.All(data.Tickets.Where(t => t.OrderId is not null), t => Assert.Contains(data.Orders, o => o.Id == t.OrderId && o.CustomerId == t.CustomerId));

        var calendar = BusinessCalendar.Default(TimeZoneInfo.Utc);
        var breached = data.Tickets.Where(t =>
        {
            var (first, resolution) = SlaDefaults.For(t.Priority);
            var sla = TicketSla.Compute(Tickets.Facts(t), first, resolution, calendar, now);
            return sla.FirstResponseBreached || sla.ResolutionBreached;
        }).ToList();
        var one = Assert.Single(breached);
        Assert.Equal(TicketPriority.Urgent, one.Priority);
        Assert.Null(one.FirstResponseAt);
    }
}
