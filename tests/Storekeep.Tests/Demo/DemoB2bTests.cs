using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Demo;
using Storekeep.Invoices;
using Storekeep.Tests.Infrastructure;
using Storekeep.Tests.Storefront;
using Storekeep.Web.Hosting;

namespace Storekeep.Tests.Demo;

/// <summary>
/// The demo store's B2B side on first start: company buyers, orders on terms with their invoices
/// across the aging buckets, the credit they hold (checked against raw SQL), the well-known buyer's
/// shop sign-in with Wholesale prices, and quotes numbered so that new ones do not collide.
/// </summary>
public sealed class DemoB2bTests
{
    private static readonly Dictionary<string, string?> SeedDemo = new() { ["Seed:Demo"] = "true" };

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_demo_has_buyers_terms_invoices_in_several_aging_buckets_credit_that_adds_up_and_quotes(string database)
    {
        await using var store = await TestStore.StartAsync(database, settings: SeedDemo);
        await using var db = store.Db();
        var now = DateTime.UtcNow;

        // Every invoice bills exactly its order's total, and its order is paid on terms (raw SQL, minor units).
        var invoices = await db.Database.SqlQueryRaw<InvoiceRow>(
            """
            SELECT i.company_id AS "CompanyId", i.status AS "Status", i.total AS "Total", i.amount_paid AS "AmountPaid", i.due_at AS "DueAt",
                   o.total AS "OrderTotal", p.method AS "Method", p.status AS "PaymentStatus"
            FROM invoices i JOIN orders o ON o.id = i.order_id JOIN payments p ON p.order_id = o.id
            """).ToListAsync();
        Assert.InRange(invoices.Count, 40, 200);
        Assert.All(invoices, i => Assert.Equal(i.OrderTotal, i.Total));
        Assert.All(invoices, i => Assert.Equal("terms", i.Method));
        Assert.All(invoices, i => Assert.Equal(i.Status == "paid" ? "captured" : "pending", i.PaymentStatus));
        Assert.All(invoices, i => Assert.True(i.Status switch
        {
            "paid" => i.AmountPaid == i.Total,
            "open" => i.AmountPaid == 0,
            "partially_paid" => i.AmountPaid > 0 && i.AmountPaid < i.Total,
            _ => false,
        }, $"{i.Status}: {i.AmountPaid} of {i.Total}"));
        Assert.Contains(invoices, i => i.Status == "paid");
        Assert.Contains(invoices, i => i.Status == "partially_paid");
        Assert.Contains(invoices, i => i.Status == "open" && i.DueAt > now);

        // Unpaid amounts fall in at least three buckets of days past due (the current one aside, at least two overdue ones).
        var unpaid = invoices.Where(i => i.Status is "open" or "partially_paid").ToList();
        var buckets = unpaid.GroupBy(i => Invoicing.DaysPastDue(i.DueAt, now) switch { 0 => 0, <= 30 => 1, <= 60 => 2, <= 90 => 3, _ => 4 })
            .Where(g => g.Sum(i => i.Total - i.AmountPaid) > 0).Select(g => g.Key).Order().ToList();
        Assert.True(buckets.Count >= 3 && buckets.Count(b => b > 0) >= 2, string.Join(",", buckets));

        // Credit in use is Σ amount due of open invoices, company by company, and within each credit limit.
        var credit = await db.Database.SqlQueryRaw<CreditRow>(
            """
            SELECT c.id AS "CompanyId", c.credit_limit AS "CreditLimit", cc.outstanding AS "Outstanding",
                   (SELECT CAST(SUM(i.total - i.amount_paid) AS BIGINT) FROM invoices i WHERE i.company_id = c.id AND i.status IN ('open', 'partially_paid')) AS "Due"
            FROM companies c LEFT JOIN company_credit cc ON cc.company_id = c.id
            """).ToListAsync();
        Assert.Equal(25, credit.Count);
        Assert.All(credit, c =>
        {
            Assert.Equal(c.Due ?? 0, c.Outstanding ?? 0);
            Assert.True(c.CreditLimit is null || (c.Outstanding ?? 0) <= c.CreditLimit, $"{c.CompanyId}: {c.Outstanding} over {c.CreditLimit}");
        });
        Assert.True(credit.Count(c => c.Outstanding > 0) >= 5);

        // The aging report shows it: overdue money in at least two buckets, totals equal to what is due.
        var aging = await store.Client.GetAsync("/api/v1/invoices/aging").Expect(HttpStatusCode.OK);
        var totals = aging["totals"]!;
        Assert.True(new[] { "1_30", "31_60", "61_90", "over_90" }.Count(b => totals[b].Dec() > 0) >= 2, totals.ToJsonString());
        Assert.Equal(unpaid.Sum(i => i.Total - i.AmountPaid) / 100m, totals["total"].Dec());

        // Every company has a buyer; the well-known buyer signs in to the shop and pays Wholesale prices from 12 units.
        Assert.Equal(25, await db.Customers.Where(c => c.CompanyId != null).Select(c => c.CompanyId).Distinct().CountAsync());
        var password = store.Services.GetRequiredService<DemoSignIn>().Password!;
        var buyer = store.Browser();
        await buyer.SignInAsync(DemoCredentials.BuyerEmail, password);
        var entry = await db.Set<Storekeep.PriceLists.PriceListEntry>().AsNoTracking()
            .Where(e => e.MinimumQuantity == 12 && db.Set<Storekeep.PriceLists.PriceList>().Any(l => l.Id == e.PriceListId && l.Name == "Wholesale"))
            .OrderBy(e => e.Sku).FirstAsync();
        var cart = await store.CartWithAsync(buyer, (entry.Sku, 12));
        var view = await buyer.GetAsync($"/api/v1/carts/{cart}").Expect(HttpStatusCode.OK);
        var item = view["items"]![0]!;
        Assert.Equal(entry.Price, item["unitPrice"].Dec());
        Assert.True(item["unitPrice"].Dec() < item["regularPrice"].Dec(), item.ToJsonString());
        Assert.NotNull(view["priceListId"]);
        await buyer.AddToCartAsync(entry.Sku, "12");
        Assert.Contains("value=\"terms\"", await buyer.GetPageAsync("/checkout"), StringComparison.Ordinal);

        // Quotes: two drafts, two sent and valid, one expired, one accepted (its order paid on terms).
        var quotes = (await store.Client.GetAsync("/api/v1/sales/quotes?limit=100").Expect(HttpStatusCode.OK))["items"]!.AsArray();
        Assert.Equal(
            ["accepted", "draft", "draft", "expired", "sent", "sent"],
            quotes.Select(q => q!["status"].Str()).Order(StringComparer.Ordinal));
        var numbers = quotes.Select(q => long.Parse(q!["number"].Str()[2..], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(1001, quotes.Count).Select(n => (long)n), numbers.Order());
        var accepted = quotes.Single(q => q!["status"].Str() == "accepted")!;
        var acceptedOrder = await store.Client.GetAsync($"/api/v1/orders/{accepted["orderId"].Str()}").Expect(HttpStatusCode.OK);
        Assert.Equal(accepted["total"].Dec(), acceptedOrder["subtotal"].Dec());
        Assert.True(await db.Set<Invoice>().AnyAsync(i => i.OrderId == Guid.Parse(accepted["orderId"].Str())));
        Assert.True(await db.Set<Storekeep.Sales.Deal>().AnyAsync(d => d.OrderId == Guid.Parse(accepted["orderId"].Str()) && d.Stage == Storekeep.Sales.DealStage.Won));

        // A sent quote's acceptance link opens its page.
        var sent = quotes.First(q => q!["status"].Str() == "sent")!;
        var detail = await store.Client.GetAsync($"/api/v1/sales/quotes/{sent["id"].Str()}").Expect(HttpStatusCode.OK);
        var link = new Uri(detail["acceptUrl"].Str()).PathAndQuery;
        Assert.Contains(sent["number"].Str(), await store.Browser().GetPageAsync(link), StringComparison.Ordinal);

        // A new quote after seeding takes the next number, colliding with none of the demo's.
        var sku = entry.Sku;
        var created = await store.Client.PostJson("/api/v1/sales/quotes", new
        {
            email = "new.buyer@example.com", validUntil = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(14).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            lines = new[] { new { sku, quantity = 2 } },
        }).Expect(HttpStatusCode.Created);
        Assert.Equal($"Q-{numbers.Max() + 1}", created["number"].Str());
    }

    private sealed record InvoiceRow(Guid CompanyId, string Status, long Total, long AmountPaid, DateTime DueAt, long OrderTotal, string Method, string PaymentStatus);

    private sealed record CreditRow(Guid CompanyId, long? CreditLimit, long? Outstanding, long? Due);
}
