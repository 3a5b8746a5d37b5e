using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Attribution;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Demo;

/// <summary>
/// The acquisition report on a fresh demo store (docs/marketing.md): paid channels with spend and
/// new customers, CAC and ROAS that tell a story, and every figure equal to a computation from the
/// raw rows of <c>marketing_spend</c>, <c>orders</c> and <c>order_acquisitions</c>.
/// </summary>
public sealed class DemoAcquisitionTests
{
    public sealed record SpendRow(string Source, string? Medium, long Amount, DateOnly Date);

    public sealed record OrderRow(string Email, long Number, long Total, string Status, DateTime CreatedAt, string? LastSource, string? LastMedium);

    [Fact]
    public async Task The_demo_acquisition_report_has_paid_channels_whose_cac_and_roas_equal_raw_sql()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, settings: new Dictionary<string, string?> { ["Seed:Demo"] = "true" });
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var (from, to) = (today.AddDays(-365), today.AddDays(1));
        var report = await store.Client.GetAsync(string.Create(CultureInfo.InvariantCulture, $"/api/v1/analytics/acquisition?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}&touch=last"))
            .Expect(HttpStatusCode.OK);
        var channels = report["channels"]!.AsArray().Select(c => c!).ToList();
        foreach (var c in channels)
        {
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"{c["source"].Str()} / {c["medium"]?.GetValue<string>()}: sessions {c["sessions"].Int()}, orders {c["orders"].Int()}, new {c["newCustomers"].Int()}, "
                + $"revenue {c["revenue"].Dec()}, spend {c["spend"].Dec()}, cac {c["cac"]?.GetValue<decimal>()}, roas {c["roas"]?.GetValue<decimal>()}");
        }

        // Independently: spend from its table, orders with their last touch, new = the email's first counted order ever.
        await using var db = store.Db();
        var spend = (await db.Database.SqlQueryRaw<SpendRow>("SELECT source AS \"Source\", medium AS \"Medium\", amount AS \"Amount\", date AS \"Date\" FROM marketing_spend").ToListAsync())
            .Where(s => s.Date >= from && s.Date < to).ToList();
        var counted = (await db.Database.SqlQueryRaw<OrderRow>(
                "SELECT o.email AS \"Email\", o.number AS \"Number\", o.total AS \"Total\", o.status AS \"Status\", o.created_at AS \"CreatedAt\", " +
                "a.last_source AS \"LastSource\", a.last_medium AS \"LastMedium\" FROM orders o LEFT JOIN order_acquisitions a ON a.order_id = o.id").ToListAsync())
            .Where(o => o.Status != "cancelled").ToList();
        var firstOfEmail = counted.GroupBy(o => o.Email).ToDictionary(g => g.Key, g => g.Min(o => o.Number));
        var inPeriod = counted.Where(o => o.CreatedAt >= from.ToDateTime(TimeOnly.MinValue) && o.CreatedAt < to.ToDateTime(TimeOnly.MinValue)).ToList();

        var paid = spend.Select(s => (s.Source, s.Medium)).Distinct().ToList();
        Assert.True(paid.Count >= 3, $"{paid.Count} channels with spend");
        foreach (var (source, medium) in paid)
        {
            var spent = spend.Where(s => (s.Source, s.Medium) == (source, medium)).Sum(s => s.Amount) / 100m;
            var mine = inPeriod.Where(o => o.LastSource == source && o.LastMedium == medium).ToList();
            var revenue = mine.Sum(o => o.Total) / 100m;
            var fresh = mine.Count(o => firstOfEmail[o.Email] == o.Number);
            var row = channels.Single(c => c["source"].Str() == source && c["medium"]?.GetValue<string>() == medium);
            Assert.True(spent > 0 && fresh > 0, $"{source}/{medium}: spend {spent}, new customers {fresh}");
            Assert.Equal((mine.Count, fresh, revenue, spent), (row["orders"].Int(), row["newCustomers"].Int(), row["revenue"].Dec(), row["spend"].Dec()));
            var cac = Math.Round(spent / fresh, 2, MidpointRounding.AwayFromZero);
            var roas = Math.Round(revenue / spent, 4);
            Assert.Equal(cac, row["cac"].Dec());
            Assert.Equal(roas, row["roas"].Dec());

            // Believable: a CAC of tens of dollars, a ROAS between 1.5 and 6.
            Assert.InRange(cac, 10m, 150m);
            Assert.InRange(roas, 1.5m, 6m);
        }

        // The story: paid social returns clearly less than the other paid channels.
        var roasOf = channels.Where(c => c["roas"] is not null).ToDictionary(c => c["source"].Str(), c => c["roas"].Dec());
        Assert.True(roasOf["facebook"] * 1.5m < roasOf.Where(r => r.Key != "facebook").Min(r => r.Value), string.Join(", ", roasOf));

        // Owned and free channels are there too, and so are orders no visit led to (the API integration's).
        Assert.Contains(channels, c => c["source"].Str() == Touches.Direct && c["orders"].Int() > 0);
        Assert.Contains(channels, c => c["source"].Str() == "google.com" && c["medium"].Str() == "organic" && c["orders"].Int() > 0);
        Assert.Contains(channels, c => c["source"].Str() == "newsletter" && c["medium"].Str() == "email" && c["orders"].Int() > 0);
        Assert.Contains(channels, c => c["source"].Str() == AcquisitionReport.Unattributed && c["orders"].Int() > 0);
        var first = (await store.Client.GetAsync(string.Create(CultureInfo.InvariantCulture, $"/api/v1/analytics/acquisition?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}&touch=first"))
            .Expect(HttpStatusCode.OK))["channels"]!.AsArray();
        Assert.True(first.Count(c => c!["newCustomers"].Int() > 0) >= 6);

        // The back-office page (last 30 days by default) shows the channels.
        var staff = await store.SignedInStaffAsync(Storekeep.Access.Role.Manager);
        var page = await staff.GetPageAsync("/admin/acquisition");
        Assert.Contains("paid_social", page, StringComparison.Ordinal);
        Assert.Contains("cpc", page, StringComparison.Ordinal);
    }
}
