using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Storekeep.Quotes;
using Storekeep.Tests.Fulfillment;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Quotes;

/// <summary>
/// Sales quotes: priced at the company's list (or negotiated), versioned when edited after sending,
/// emailed with the acceptance link, and accepted into an order at the quoted prices with stock
/// reserved by checkout's guarded path: concurrent acceptances never oversell or make two orders.
/// </summary>
public sealed class QuoteTests
{
    private static readonly object Address = new { name = "Nora Buyer", line1 = "1 Dock Road", city = "New York", region = "NY", postalCode = "10001", country = "US" };

    private static string Day(int daysFromToday) => DateOnly.FromDateTime(DateTime.UtcNow).AddDays(daysFromToday).ToString("yyyy-MM-dd");

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_quote_at_the_company_prices_is_versioned_sent_and_accepted_into_an_order_that_reserves_stock_and_wins_the_deal(string database)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var store = await TestStore.StartAsync(database, settings: smtp.Settings());
        await store.AddProductAsync("MUG-1", 10.00m, main: 50, title: "Blue mug");
        await store.AddProductAsync("TOWEL-1", 5.00m, main: 20, title: "Linen towel");
        await store.AddShippingAndTaxAsync();
        var list = (await store.Client.PostJson("/api/v1/price-lists", new { name = "Wholesale", entries = new[] { new { sku = "MUG-1", price = 8.00m, minimumQuantity = 10 } } })
            .Expect(HttpStatusCode.Created))["id"].Str();
        var company = (await store.Client.PostJson("/api/v1/companies", new { name = "Northwind", country = "US", paymentTerms = "net_30", priceListId = list })
            .Expect(HttpStatusCode.Created))["id"].Str();
        await store.Client.PostJson($"/api/v1/companies/{company}/buyers", new { email = "nora@northwind.test", name = "Nora Buyer" }).Expect(HttpStatusCode.Created);
        var deal = (await store.Client.PostJson("/api/v1/sales/deals", new { title = "Northwind mugs", companyId = company, amount = 100m, expectedCloseDate = Day(30) })
            .Expect(HttpStatusCode.Created))["id"].Str();

        // Tier price for 12 mugs (8.00 from 10), a negotiated towel price; to the company's buyer.
        var quote = await store.Client.PostJson("/api/v1/sales/quotes", new
        {
            companyId = company, dealId = deal, validUntil = Day(14), note = "Volume pricing",
            lines = new object[] { new { sku = "MUG-1", quantity = 12 }, new { sku = "TOWEL-1", quantity = 4, unitPrice = 4.50m } },
        }).Expect(HttpStatusCode.Created);
        var id = quote["id"].Str();
        Assert.Equal(("draft", 1, "nora@northwind.test", 114.00m, "Northwind"), (quote["status"].Str(), quote["version"].Int(), quote["email"].Str(), quote["total"].Dec(), quote["companyName"].Str()));
        Assert.Equal([(8.00m, false, 96.00m), (4.50m, true, 18.00m)],
            quote["lines"]!.AsArray().Select(l => (l!["unitPrice"].Dec(), l["negotiated"]!.GetValue<bool>(), l["lineTotal"].Dec())));
        var acceptUrl = quote["acceptUrl"].Str();
        Assert.StartsWith("https://shop.example.test/quotes/", acceptUrl, StringComparison.Ordinal);

        // Sent: the buyer gets the lines, total and the link.
        Assert.Equal("sent", (await store.Client.PostAsync($"/api/v1/sales/quotes/{id}/send", null).Expect(HttpStatusCode.OK))["status"].Str());
        var email = await smtp.WaitForAsync("nora@northwind.test", $"Quote {quote["number"].Str()} from");
        Assert.Contains("12 × Blue mug (MUG-1) at 8.00 USD — 96.00 USD", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("Total: 114.00 USD", email.TextBody, StringComparison.Ordinal);
        Assert.Contains(acceptUrl, email.TextBody, StringComparison.Ordinal);

        // Editing the sent quote makes version 2, a draft again; version 1's lines are kept.
        var edited = await store.Client.PutJson($"/api/v1/sales/quotes/{id}", new
        {
            lines = new object[] { new { sku = "MUG-1", quantity = 20 }, new { sku = "TOWEL-1", quantity = 4, unitPrice = 4.50m } },
        }).Expect(HttpStatusCode.OK);
        Assert.Equal(("draft", 2, 178.00m), (edited["status"].Str(), edited["version"].Int(), edited["total"].Dec()));
        Assert.Equal([(1, 114.00m), (2, 178.00m)], edited["versions"]!.AsArray().Select(v => (v!["version"].Int(), v["total"].Dec())));
        var first = await store.Client.GetAsync($"/api/v1/sales/quotes/{id}?version=1").Expect(HttpStatusCode.OK);
        Assert.Equal(12, first["lines"]![0]!["quantity"].Int());
        await store.Client.PostAsync($"/api/v1/sales/quotes/{id}/send", null).Expect(HttpStatusCode.OK);

        // Accepted by card: an order at the quoted prices, tax for the address, stock reserved, paid.
        var accepted = await store.Client.PostJson($"/api/v1/sales/quotes/{id}/accept", new { shippingAddress = Address, payment = new { method = "card", token = "tok_visa" } })
            .Expect(HttpStatusCode.Created);
        var order = await store.Client.GetAsync($"/api/v1/orders/{accepted["orderId"].Str()}").Expect(HttpStatusCode.OK);
        Assert.Equal([("MUG-1", 20, 8.00m), ("TOWEL-1", 4, 4.50m)], order["lines"]!.AsArray().Select(l => (l!["sku"].Str(), l["quantity"].Int(), l["unitPrice"].Dec())));
        var tax = new[] { 160.00m, 18.00m }.Sum(t => decimal.Round(t * 0.08875m, 2, MidpointRounding.AwayFromZero));
        Assert.Equal((178.00m, 0m, tax, 178.00m + tax), (order["subtotal"].Dec(), order["shippingTotal"].Dec(), order["taxTotal"].Dec(), order["total"].Dec()));
        Assert.Equal(("paid", "nora@northwind.test"), (order["paymentStatus"].Str(), order["email"].Str()));
        Assert.Equal(20L, (await store.StockAsync("MUG-1", "MAIN")).Reserved);
        Assert.Equal(("accepted", accepted["orderId"].Str()), (accepted["quote"]!["status"].Str(), accepted["quote"]!["orderId"].Str()));

        // The deal is won by the order, its amount now the quote's, and the win is in its history.
        var won = await store.Client.GetAsync($"/api/v1/sales/deals/{deal}").Expect(HttpStatusCode.OK);
        Assert.Equal(("won", accepted["orderId"].Str(), 178.00m), (won["stage"].Str(), won["orderId"].Str(), won["amount"].Dec()));
        var history = (await store.Client.GetAsync($"/api/v1/sales/deals/{deal}/history").Expect(HttpStatusCode.OK)).AsArray();
        Assert.Equal("won", history[^1]!["to"].Str());

        // Accepted once: again, an edit or a resend is refused and changes nothing.
        await store.Client.PostJson($"/api/v1/sales/quotes/{id}/accept", new { shippingAddress = Address, payment = new { method = "card", token = "tok_visa" } })
            .ExpectProblem(HttpStatusCode.Conflict, "quote_already_accepted");
        await store.Client.PutJson($"/api/v1/sales/quotes/{id}", new { note = "late" }).ExpectProblem(HttpStatusCode.Conflict, "quote_already_accepted");
        await store.Client.PostAsync($"/api/v1/sales/quotes/{id}/send", null).ExpectProblem(HttpStatusCode.Conflict, "quote_already_accepted");
        await using var db = store.Db();
        Assert.Equal(1, await db.Orders.CountAsync());
        Assert.Equal(Storekeep.Orders.OrderChannels.Quote, (await db.Orders.SingleAsync()).Channel);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Quotes_accepted_at_once_for_the_last_units_never_oversell_and_one_quote_makes_one_order(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("LAST-1", 30.00m, main: 5);
        await store.AddProductAsync("MANY-1", 1.00m, main: 100);

        // Four quotes for 2 units each of the last 5: exactly two can be accepted.
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var q = await store.Client.PostJson("/api/v1/sales/quotes", new { email = $"buyer{i}@example.test", validUntil = Day(7), lines = new[] { new { sku = "LAST-1", quantity = 2 } } })
                .Expect(HttpStatusCode.Created);
            ids.Add(q["id"].Str());
            await store.Client.PostAsync($"/api/v1/sales/quotes/{ids[^1]}/send", null).Expect(HttpStatusCode.OK);
        }

        var responses = await Task.WhenAll(ids.Select(id => store.Client
            .PostJson($"/api/v1/sales/quotes/{id}/accept", new { shippingAddress = Address, payment = new { method = "card", token = "tok_visa" } })));
        var statuses = responses.Select(r => r.StatusCode).ToList();
        Assert.Equal(2, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(2, statuses.Count(s => s == HttpStatusCode.Conflict));
        foreach (var refused in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
        {
            await refused.ExpectProblem(HttpStatusCode.Conflict, "insufficient_stock");
        }

        Assert.Equal(4L, (await store.StockAsync("LAST-1", "MAIN")).Reserved);
        await using (var db = store.Db())
        {
            Assert.Equal(2, await db.Orders.CountAsync());
            var statusOf = await db.Set<Quote>().AsNoTracking().ToDictionaryAsync(q => q.Id.ToString(), q => q.Status);
            Assert.Equal(2, statusOf.Values.Count(s => s == QuoteStatus.Accepted));
            Assert.Equal(2, statusOf.Values.Count(s => s == QuoteStatus.Sent)); // the refused ones stay open
            var reservedByOrders = await db.OrderAllocations.Where(a => a.Sku == "LAST-1").SumAsync(a => a.Quantity);
            Assert.Equal(4, reservedByOrders);
        }

        // One quote accepted five times at once: one order.
        var one = (await store.Client.PostJson("/api/v1/sales/quotes", new { email = "solo@example.test", validUntil = Day(7), lines = new[] { new { sku = "MANY-1", quantity = 3 } } })
            .Expect(HttpStatusCode.Created))["id"].Str();
        await store.Client.PostAsync($"/api/v1/sales/quotes/{one}/send", null).Expect(HttpStatusCode.OK);
        var again = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => store.Client
            .PostJson($"/api/v1/sales/quotes/{one}/accept", new { shippingAddress = Address, payment = new { method = "card", token = "tok_visa" } })));
        Assert.Equal(1, again.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.All(again.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Equal(3L, (await store.StockAsync("MANY-1", "MAIN")).Reserved);
        await using var check = store.Db();
        Assert.Equal(3, await check.Orders.CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_quote_accepted_on_account_issues_its_invoice_within_the_company_credit_limit(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("CASE-1", 100.00m, main: 50);
        var onTerms = (await store.Client.PostJson("/api/v1/companies", new { name = "Harbour Supplies", country = "US", paymentTerms = "net_30", creditLimit = 250m })
            .Expect(HttpStatusCode.Created))["id"].Str();
        var prepaid = (await store.Client.PostJson("/api/v1/companies", new { name = "Cash Only Co", country = "US", paymentTerms = "prepaid" })
            .Expect(HttpStatusCode.Created))["id"].Str();
        await store.Client.PostJson($"/api/v1/companies/{onTerms}/buyers", new { email = "ap@harbour.test" }).Expect(HttpStatusCode.Created);
        await store.Client.PostJson($"/api/v1/companies/{prepaid}/buyers", new { email = "cash@only.test" }).Expect(HttpStatusCode.Created);
        async Task<string> SentQuoteAsync(string company, int quantity)
        {
            var id = (await store.Client.PostJson("/api/v1/sales/quotes", new { companyId = company, validUntil = Day(10), lines = new[] { new { sku = "CASE-1", quantity } } })
                .Expect(HttpStatusCode.Created))["id"].Str();
            await store.Client.PostAsync($"/api/v1/sales/quotes/{id}/send", null).Expect(HttpStatusCode.OK);
            return id;
        }

        var onAccount = new { shippingAddress = Address, payment = new { method = "terms" } };

        // 2 × 100 on net 30 within the 250 limit: an order awaiting payment and its invoice, due in 30 days.
        var first = await SentQuoteAsync(onTerms, 2);
        var accepted = await store.Client.PostJson($"/api/v1/sales/quotes/{first}/accept", onAccount).Expect(HttpStatusCode.Created);
        var invoices = (await store.Client.GetAsync($"/api/v1/invoices?companyId={onTerms}").Expect(HttpStatusCode.OK))["items"]!.AsArray();
        var invoice = Assert.Single(invoices)!;
        Assert.Equal((accepted["orderTotal"].Dec(), accepted["orderTotal"].Dec(), "open"), (invoice["total"].Dec(), invoice["amountDue"].Dec(), invoice["status"].Str()));
        Assert.Equal(TimeSpan.FromDays(30), invoice["dueAt"]!.GetValue<DateTime>() - invoice["issuedAt"]!.GetValue<DateTime>());
        Assert.Equal("pending", accepted["paymentStatus"].Str());

        // Another 100 would pass the limit: refused, nothing placed, the quote still open.
        var second = await SentQuoteAsync(onTerms, 1);
        await store.Client.PostJson($"/api/v1/sales/quotes/{second}/accept", onAccount).ExpectProblem(HttpStatusCode.Conflict, "credit_limit_exceeded");
        Assert.Equal("sent", (await store.Client.GetAsync($"/api/v1/sales/quotes/{second}").Expect(HttpStatusCode.OK))["status"].Str());

        // A prepaid company cannot take terms; a card still works for it.
        var cash = await SentQuoteAsync(prepaid, 1);
        await store.Client.PostJson($"/api/v1/sales/quotes/{cash}/accept", onAccount).ExpectProblem(HttpStatusCode.UnprocessableEntity, "terms_not_available");
        await store.Client.PostJson($"/api/v1/sales/quotes/{cash}/accept", new { shippingAddress = Address, payment = new { method = "card", token = "tok_visa" } })
            .Expect(HttpStatusCode.Created);

        await using var db = store.Db();
        Assert.Equal(2, await db.Orders.CountAsync());
        Assert.Equal(3L, (await store.StockAsync("CASE-1", "MAIN")).Reserved);
        Assert.Equal(MinorUnitsOf(accepted["orderTotal"].Dec()), await db.Database.SqlQueryRaw<long>("SELECT outstanding AS \"Value\" FROM company_credit").SingleAsync());
    }

    private static long MinorUnitsOf(decimal amount) => (long)(amount * 100m);

    [Fact]
    public async Task Bad_quotes_are_refused_with_the_field_named_and_closed_quotes_cannot_be_accepted()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);
        await store.AddProductAsync("MUG-1", 10.00m, main: 50);
        var lonely = (await store.Client.PostJson("/api/v1/companies", new { name = "No buyers Ltd", country = "US", paymentTerms = "prepaid" })
            .Expect(HttpStatusCode.Created))["id"].Str();

        var problem = await store.Client.PostJson("/api/v1/sales/quotes", new { email = "x@example.test", validUntil = Day(-1), lines = Array.Empty<object>() })
            .ExpectProblem(HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["lines"]);
        Assert.NotNull(problem["errors"]!["validUntil"]);
        problem = await store.Client.PostJson("/api/v1/sales/quotes", new
        {
            validUntil = Day(3), lines = new object[] { new { sku = "MUG-1", quantity = 0 }, new { sku = "MUG-1", quantity = 2, unitPrice = -1m } },
        }).ExpectProblem(HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["email"]);
        Assert.NotNull(problem["errors"]!["lines[0].quantity"]);
        Assert.NotNull(problem["errors"]!["lines[1].sku"]);
        Assert.NotNull(problem["errors"]!["lines[1].unitPrice"]);
        await store.Client.PostJson("/api/v1/sales/quotes", new { email = "x@example.test", validUntil = Day(3), lines = new[] { new { sku = "NOPE", quantity = 1 } } })
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_sku");
        await store.Client.PostJson("/api/v1/sales/quotes", new { companyId = lonely, validUntil = Day(3), lines = new[] { new { sku = "MUG-1", quantity = 1 } } })
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "quote_recipient_missing");
        await store.Client.GetAsync("/api/v1/sales/quotes?status=lost").ExpectProblem(HttpStatusCode.BadRequest);

        // Expired (its last day passed): no acceptance, no resend; listed as expired.
        var expired = (await store.Client.PostJson("/api/v1/sales/quotes", new { email = "late@example.test", validUntil = Day(0), lines = new[] { new { sku = "MUG-1", quantity = 1 } } })
            .Expect(HttpStatusCode.Created))["id"].Str();
        await using (var db = store.Db())
        {
            var quoteId = Guid.Parse(expired);
            await db.Set<Quote>().Where(q => q.Id == quoteId).ExecuteUpdateAsync(u => u.SetProperty(q => q.ValidUntil, DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1)));
        }

        await store.Client.PostJson($"/api/v1/sales/quotes/{expired}/accept", new { shippingAddress = Address, payment = new { method = "card", token = "tok_visa" } })
            .ExpectProblem(HttpStatusCode.Conflict, "quote_expired");
        await store.Client.PostAsync($"/api/v1/sales/quotes/{expired}/send", null).ExpectProblem(HttpStatusCode.Conflict, "quote_expired");
        Assert.Equal(expired, Assert.Single((await store.Client.GetAsync("/api/v1/sales/quotes?status=expired").Expect(HttpStatusCode.OK))["items"]!.AsArray())!["id"].Str());

        // Declined: closed for good. A declined card leaves the quote open and no order.
        var declined = (await store.Client.PostJson("/api/v1/sales/quotes", new { email = "no@example.test", validUntil = Day(5), lines = new[] { new { sku = "MUG-1", quantity = 1 } } })
            .Expect(HttpStatusCode.Created))["id"].Str();
        await store.Client.PostJson($"/api/v1/sales/quotes/{declined}/accept", new { shippingAddress = Address, payment = new { method = "card", token = "tok_chargeDeclined" } })
            .ExpectProblem(HttpStatusCode.PaymentRequired, "payment_declined");
        Assert.Equal("draft", (await store.Client.GetAsync($"/api/v1/sales/quotes/{declined}").Expect(HttpStatusCode.OK))["status"].Str());
        Assert.Equal("declined", (await store.Client.PostAsync($"/api/v1/sales/quotes/{declined}/decline", null).Expect(HttpStatusCode.OK))["status"].Str());
        await store.Client.PostJson($"/api/v1/sales/quotes/{declined}/accept", new { shippingAddress = Address, payment = new { method = "card", token = "tok_visa" } })
            .ExpectProblem(HttpStatusCode.Conflict, "quote_declined");
        await using var check = store.Db();
        Assert.Equal(0, await check.Orders.CountAsync());
        Assert.Equal(0L, (await store.StockAsync("MUG-1", "MAIN")).Reserved);

        // Only sales staff see or write quotes.
        var warehouse = await store.ClientForAsync(Storekeep.Access.Role.Warehouse);
        await warehouse.GetAsync("/api/v1/sales/quotes").ExpectProblem(HttpStatusCode.Forbidden);
        await store.Anonymous.PostJson("/api/v1/sales/quotes", new { }).ExpectProblem(HttpStatusCode.Unauthorized);
    }
}
