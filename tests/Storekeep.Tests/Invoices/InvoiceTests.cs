using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Access;
using Storekeep.Accounts;
using Storekeep.Checkout;
using Storekeep.Data;
using Storekeep.Invoices;
using Storekeep.Orders;
using Storekeep.Shared;
using Storekeep.Tests.Fulfillment;
using Storekeep.Tests.Infrastructure;
using Storekeep.Tests.Storefront;

namespace Storekeep.Tests.Invoices;

/// <summary>Issue 15, terms and invoices: checkout on terms, credit limits, payments, aging, voids, reminders.</summary>
public sealed class InvoiceTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_terms_checkout_issues_an_invoice_due_after_the_terms_that_is_paid_in_parts_and_never_overpaid(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("CASE-1", 40m, main: 10);
        var company = await CompanyAsync(store, "Acme Cafés", "net_30", 1000m);
        var buyer = await BuyerAsync(store, company, "buyer@acme.example");
        var prepaid = await CompanyAsync(store, "Cash Only Ltd", "prepaid", null);
        var prepaidBuyer = await BuyerAsync(store, prepaid, "buyer@cashonly.example");

        // Not signed in (the API's checkout), or a buyer of a prepaid company: no terms, nothing placed.
        var cart = await store.CartWithAsync(store.Anonymous, ("CASE-1", 2));
        await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TermsBody("buyer@acme.example"))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "terms_not_available");
        var refused = await Assert.ThrowsAsync<StorekeepException>(() => TermsCheckoutAsync(store, prepaidBuyer, cart, "buyer@cashonly.example"));
        Assert.Equal("terms_not_available", refused.Code);
        Assert.Equal((10L, 0L), await store.StockAsync("CASE-1", "MAIN"));

        var order = await TermsCheckoutAsync(store, buyer, cart, "buyer@acme.example");
        Assert.Equal((PaymentStatus.Pending, 80m), (order.PaymentStatus, order.Total));
        Assert.Equal((10L, 2L), await store.StockAsync("CASE-1", "MAIN"));

        var list = await store.Client.GetAsync($"/api/v1/invoices?companyId={company}").Expect(HttpStatusCode.OK);
        var invoice = Assert.Single(list["items"]!.AsArray())!;
        var id = invoice["id"].Str();
        Assert.Equal(("INV-000001", "open", order.Id.ToString()), (invoice["number"].Str(), invoice["status"].Str(), invoice["orderId"].Str()));
        Assert.Equal((80m, 0m, 80m), (invoice["total"].Dec(), invoice["amountPaid"].Dec(), invoice["amountDue"].Dec()));
        var issuedAt = invoice["issuedAt"]!.GetValue<DateTime>();
        Assert.Equal(issuedAt.AddDays(30), invoice["dueAt"]!.GetValue<DateTime>());
        Assert.Equal(8000L, await OutstandingAsync(store, company));

        // The unpaid-order sweep leaves a terms order alone however old, and it ships before it is paid.
        await using (var db = store.Db())
        {
            await db.Database.ExecuteSqlAsync($"UPDATE orders SET created_at = {DateTime.UtcNow.AddDays(-20)} WHERE id = {order.Id}");
        }

        await using (var scope = store.Services.CreateAsyncScope())
        {
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<UnpaidOrderSweep>().SweepAsync(CancellationToken.None));
        }

        var orderJson = await store.Client.GetAsync($"/api/v1/orders/{order.Id}").Expect(HttpStatusCode.OK);
        Assert.Equal("open", orderJson["status"].Str());
        await store.ShipAsync(orderJson, null, ("CASE-1", 1));

        // Its payment is taken on the invoice, not captured on the order.
        await store.Client.PostJson($"/api/v1/orders/{order.Id}/payments/{await store.PaymentIdAsync(orderJson)}/capture", new { reference = "x" })
            .ExpectProblem(HttpStatusCode.Conflict, "terms_payment_by_invoice");

        await store.Client.PostJson($"/api/v1/invoices/{id}/payments", new { amount = 0m, method = "bank_transfer" })
            .ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await store.Client.PostJson($"/api/v1/invoices/{id}/payments", new { amount = 10m, method = "bitcoin" })
            .ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");

        var first = await store.Client.PostJson($"/api/v1/invoices/{id}/payments", new { amount = 30m, method = "bank_transfer", reference = "BT-1" }, "pay-1").Expect(HttpStatusCode.OK);
        Assert.Equal(("partially_paid", 30m, 50m), (first["status"].Str(), first["amountPaid"].Dec(), first["amountDue"].Dec()));
        var replay = await store.Client.PostJson($"/api/v1/invoices/{id}/payments", new { amount = 30m, method = "bank_transfer", reference = "BT-1" }, "pay-1");
        await replay.Expect(HttpStatusCode.OK);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(5000L, await OutstandingAsync(store, company));

        var over = await store.Client.PostJson($"/api/v1/invoices/{id}/payments", new { amount = 50.01m, method = "check" })
            .ExpectProblem(HttpStatusCode.Conflict, "invoice_overpaid");
        Assert.Equal(50m, over["amountDue"].Dec());
        await using (var db = store.Db())
        {
            Assert.Equal(3000L, await db.Database.SqlQuery<long>($"SELECT amount_paid AS \"Value\" FROM invoices WHERE id = {Guid.Parse(id)}").SingleAsync());
            Assert.Equal(1, await db.Set<InvoicePayment>().CountAsync());
        }

        Assert.Equal(5000L, await OutstandingAsync(store, company));
        Assert.Equal("pending", (await store.GetOrderAsync(orderJson))["paymentStatus"].Str());

        var paid = await store.Client.PostJson($"/api/v1/invoices/{id}/payments", new { amount = 50m, method = "check", reference = "CHK-7" }).Expect(HttpStatusCode.OK);
        Assert.Equal(("paid", 80m, 0m), (paid["status"].Str(), paid["amountPaid"].Dec(), paid["amountDue"].Dec()));
        Assert.Equal([30m, 50m], paid["payments"]!.AsArray().Select(p => p!["amount"].Dec()));
        Assert.Equal(0L, await OutstandingAsync(store, company));
        Assert.Equal("paid", (await store.GetOrderAsync(orderJson))["paymentStatus"].Str());
        await store.Client.PostJson($"/api/v1/invoices/{id}/payments", new { amount = 0.01m, method = "cash" })
            .ExpectProblem(HttpStatusCode.Conflict, "invoice_overpaid");

        var paidList = await store.Client.GetAsync("/api/v1/invoices?status=paid").Expect(HttpStatusCode.OK);
        Assert.Equal(id, Assert.Single(paidList["items"]!.AsArray())!["id"].Str());
        Assert.Empty((await store.Client.GetAsync("/api/v1/invoices?status=open").Expect(HttpStatusCode.OK))["items"]!.AsArray());
        await store.Client.GetAsync("/api/v1/invoices?status=late").ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await store.AssertLedgerMatchesBalancesAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Concurrent_terms_checkouts_take_exactly_the_orders_the_credit_limit_allows(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("PALLET-1", 100m, main: 50);
        var company = await CompanyAsync(store, "Busy Bistro", "net_15", 250m);
        const int buyers = 8;
        var accounts = new Guid[buyers];
        var carts = new string[buyers];
        for (var i = 0; i < buyers; i++)
        {
            accounts[i] = await BuyerAsync(store, company, $"buyer{i}@bistro.example");
            carts[i] = await store.CartWithAsync(store.Anonymous, ("PALLET-1", 1));
        }

        var outcomes = await Task.WhenAll(Enumerable.Range(0, buyers).Select(async i =>
        {
            try
            {
                await TermsCheckoutAsync(store, accounts[i], carts[i], $"buyer{i}@bistro.example");
                return "placed";
            }
            catch (StorekeepException e)
            {
                return e.Code;
            }
        }));

        // 2 × 100 ≤ 250 < 3 × 100.
        Assert.Equal(2, outcomes.Count(o => o == "placed"));
        Assert.Equal(buyers - 2, outcomes.Count(o => o == "credit_limit_exceeded"));
        await using var db = store.Db();
        Assert.Equal(2, await db.Orders.CountAsync());
        Assert.Equal(2, await db.Set<Invoice>().CountAsync());
        Assert.Equal(2L, await db.StockLevels.Where(s => s.Sku == "PALLET-1").SumAsync(s => s.Reserved));
        Assert.Equal(buyers - 2, await db.Carts.CountAsync(c => c.Status == CartStatus.Active));
        var due = await db.Database.SqlQuery<long>(
            $"SELECT COALESCE(SUM(total - amount_paid), 0) AS \"Value\" FROM invoices WHERE company_id = {company} AND status IN ('open', 'partially_paid')").SingleAsync();
        Assert.Equal(20000L, due);
        Assert.Equal(due, await OutstandingAsync(store, company));
        var numbers = await db.Set<Invoice>().Select(i => i.Number).OrderBy(n => n).ToListAsync();
        Assert.Equal([1L, 2L], numbers);
        await store.AssertLedgerMatchesBalancesAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Cancelling_an_order_voids_its_invoice_once_and_gives_its_credit_back(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("CASE-1", 25m, main: 10);
        var company = await CompanyAsync(store, "Corner Deli", "net_60", 100m);
        var buyer = await BuyerAsync(store, company, "deli@corner.example");
        var kept = await TermsCheckoutAsync(store, buyer, await store.CartWithAsync(store.Anonymous, ("CASE-1", 1)), "deli@corner.example");
        var cancelled = await TermsCheckoutAsync(store, buyer, await store.CartWithAsync(store.Anonymous, ("CASE-1", 3)), "deli@corner.example");
        Assert.Equal(10000L, await OutstandingAsync(store, company));

        // At the limit: one more unit is refused and leaves nothing behind.
        var extra = await store.CartWithAsync(store.Anonymous, ("CASE-1", 1));
        var refused = await Assert.ThrowsAsync<StorekeepException>(() => TermsCheckoutAsync(store, buyer, extra, "deli@corner.example"));
        Assert.Equal("credit_limit_exceeded", refused.Code);
        Assert.Equal((10L, 4L), await store.StockAsync("CASE-1", "MAIN"));

        var invoice = await InvoiceOfAsync(store, cancelled.Id);
        await store.Client.PostJson($"/api/v1/invoices/{invoice["id"].Str()}/payments", new { amount = 15m, method = "bank_transfer" }).Expect(HttpStatusCode.OK);
        Assert.Equal(8500L, await OutstandingAsync(store, company));

        await store.Client.PostJson($"/api/v1/orders/{cancelled.Id}/cancel", new { reason = "changed their mind" }).Expect(HttpStatusCode.OK);
        await store.SubscribersCaughtUpAsync();
        var voided = await store.Client.GetAsync($"/api/v1/invoices/{invoice["id"].Str()}").Expect(HttpStatusCode.OK);
        Assert.Equal(("void", 0m, 15m), (voided["status"].Str(), voided["amountDue"].Dec(), voided["amountPaid"].Dec()));
        Assert.Equal(2500L, await OutstandingAsync(store, company));
        Assert.Equal((10L, 1L), await store.StockAsync("CASE-1", "MAIN"));

        // Handling the event again changes nothing; a void invoice takes no payment.
        await using (var scope = store.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
            var again = await db.InTransactionAsync(ct => scope.ServiceProvider.GetRequiredService<Invoicing>().VoidForCancelledOrderAsync(cancelled.Id, DateTime.UtcNow, ct));
            Assert.False(again);
        }

        Assert.Equal(2500L, await OutstandingAsync(store, company));
        await store.Client.PostJson($"/api/v1/invoices/{invoice["id"].Str()}/payments", new { amount = 1m, method = "cash" })
            .ExpectProblem(HttpStatusCode.Conflict, "invoice_void");

        // The freed credit takes the refused order now.
        await TermsCheckoutAsync(store, buyer, extra, "deli@corner.example");
        Assert.Equal(5000L, await OutstandingAsync(store, company));
        Assert.Equal("open", (await InvoiceOfAsync(store, kept.Id))["status"].Str());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Aging_buckets_equal_an_independent_computation_and_each_overdue_invoice_is_reminded_once(string database)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var store = await TestStore.StartAsync(database, settings: smtp.Settings(new Dictionary<string, string?> { ["Invoices:ReminderSeconds"] = "1" }));
        await store.AddProductAsync("CASE-1", 10m, main: 100);
        var acme = await CompanyAsync(store, "Acme Cafés", "net_30", null);
        var acmeBuyers = new[] { await BuyerAsync(store, acme, "ann@acme.example"), await BuyerAsync(store, acme, "bob@acme.example") };
        var deli = await CompanyAsync(store, "Corner Deli", "net_15", 5000m);
        var deliBuyer = await BuyerAsync(store, deli, "dee@deli.example");

        var offsets = new[] { 5.0, -0.04, -1.0, -30.0, -30.5, -45, -61, -89.9, -95, -400 };
        var orders = new List<(Order Order, Guid Company)>();
        for (var i = 0; i < offsets.Length; i++)
        {
            var (account, company, email) = i % 3 == 2 ? (deliBuyer, deli, "dee@deli.example") : (acmeBuyers[i % 2], acme, i % 2 == 0 ? "ann@acme.example" : "bob@acme.example");
            orders.Add((await TermsCheckoutAsync(store, account, await store.CartWithAsync(store.Anonymous, ("CASE-1", i + 1)), email), company));
        }

        // Paid before anything is due (the node's own job reminds every second), then the test moves the due dates.
        var partly = await InvoiceOfAsync(store, orders[3].Order.Id);
        await store.Client.PostJson($"/api/v1/invoices/{partly["id"].Str()}/payments", new { amount = 1.5m, method = "bank_transfer" }).Expect(HttpStatusCode.OK);
        var settled = await InvoiceOfAsync(store, orders[6].Order.Id);
        await store.Client.PostJson($"/api/v1/invoices/{settled["id"].Str()}/payments", new { amount = settled["total"].Dec(), method = "bank_transfer" }).Expect(HttpStatusCode.OK);
        Assert.Equal(0, await RemindAsync(store));
        await using (var db = store.Db())
        {
            for (var i = 0; i < offsets.Length; i++)
            {
                await db.Database.ExecuteSqlAsync($"UPDATE invoices SET due_at = {DateTime.UtcNow.AddDays(offsets[i])} WHERE order_id = {orders[i].Order.Id}");
            }
        }

        var aging = await store.Client.GetAsync("/api/v1/invoices/aging").Expect(HttpStatusCode.OK);
        var asOf = aging["asOf"]!.GetValue<DateTime>();
        var expected = await IndependentAgingAsync(store, asOf);
        foreach (var company in new[] { acme, deli })
        {
            var row = aging["companies"]!.AsArray().Single(c => c!["companyId"].Str() == company.ToString())!;
            Assert.Equal(expected[company], Buckets(row["buckets"]!));
            Assert.Equal(await OutstandingAsync(store, company), MinorUnits.ToMinor(row["outstanding"].Dec()));
            Assert.Equal(MinorUnits.ToMinor(row["buckets"]!["total"].Dec()), await OutstandingAsync(store, company));
        }

        var totals = expected.Values.Aggregate(new long[5], (sum, b) => sum.Zip(b, (x, y) => x + y).ToArray());
        Assert.Equal(totals, Buckets(aging["totals"]!));
        var overdue = await store.Client.GetAsync("/api/v1/invoices?status=overdue").Expect(HttpStatusCode.OK);
        Assert.Equal(8, overdue["items"]!.AsArray().Count);
        Assert.All(overdue["items"]!.AsArray(), i => Assert.True(i!["daysPastDue"].Int() > 0));

        // The node's own job and two more rounds race; each overdue invoice goes out once to each buyer of its company.
        var rounds = await Task.WhenAll(RemindAsync(store), RemindAsync(store));
        Assert.True(rounds.Sum() <= 8);
        var overdueOrders = orders.Where((o, i) => offsets[i] < 0 && i != 6).ToList();
        var expectedMails = overdueOrders.Sum(o => o.Company == acme ? 2 : 1);
        static List<MimeKit.MimeMessage> Reminders(SmtpTestServer smtp) => [.. smtp.Received.Where(m => (m.Subject ?? "").Contains("is overdue", StringComparison.Ordinal))];
        await Eventually.HoldsAsync(() => Task.FromResult(Reminders(smtp).Count >= expectedMails), "every reminder delivered", 60);
        await Task.Delay(TimeSpan.FromSeconds(3)); // a few more rounds of the job: nothing more goes out
        Assert.Equal(0, await RemindAsync(store));
        Assert.Equal(expectedMails, Reminders(smtp).Count);
        var toAnn = Reminders(smtp).Where(m => m.To.ToString().Contains("ann@acme.example", StringComparison.Ordinal)).ToList();
        Assert.Equal(overdueOrders.Count(o => o.Company == acme), toAnn.Count);
        Assert.All(toAnn, m => Assert.Contains("Acme Cafés", m.TextBody ?? "", StringComparison.Ordinal));
        Assert.Equal(toAnn.Count, toAnn.Select(m => m.Subject).Distinct().Count());
        await using (var db = store.Db())
        {
            Assert.Equal(8, await db.Set<Invoice>().CountAsync(i => i.ReminderSentAt != null));
        }
    }

    [Fact]
    public async Task The_storefront_checkout_offers_terms_only_to_a_signed_in_buyer_of_a_company_on_terms()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);
        await store.AddProductAsync("CASE-1", 20m, main: 10);
        var company = await CompanyAsync(store, "Acme Cafés", "net_15", 500m);

        var stranger = store.Browser();
        await stranger.SignUpAsync("stranger@example.com");
        await stranger.AddToCartAsync("CASE-1");
        Assert.DoesNotContain("value=\"terms\"", await stranger.GetPageAsync("/checkout"), StringComparison.Ordinal);
        var refused = await stranger.SubmitFormAsync("/checkout", new(ShopperBrowser.CheckoutFields(email: "stranger@example.com")) { ["Input.PaymentMethod"] = "terms" }, "checkout");
        Assert.Contains("Choose one of the payment methods offered.", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var buyer = store.Browser();
        await buyer.SignUpAsync("ann@acme.example", "Ann Buyer");
        await store.Client.PostJson($"/api/v1/companies/{company}/buyers", new { email = "ann@acme.example" }).Expect(HttpStatusCode.OK);
        await buyer.AddToCartAsync("CASE-1", "3");
        var page = await buyer.GetPageAsync("/checkout");
        Assert.Contains("value=\"terms\"", page, StringComparison.Ordinal);
        Assert.Contains("On account (pay by invoice)", page, StringComparison.Ordinal);
        var response = await buyer.SubmitFormAsync("/checkout", new(ShopperBrowser.CheckoutFields(email: "ann@acme.example")) { ["Input.PaymentMethod"] = "terms" }, "checkout");
        await ShopperBrowser.ExpectRedirectAsync(response, "/checkout/confirmation/");

        await using var db = store.Db();
        var order = await db.Orders.AsNoTracking().SingleAsync();
        var invoice = await db.Set<Invoice>().AsNoTracking().SingleAsync();
        Assert.Equal((order.Id, company, 60m, order.CreatedAt.AddDays(15)), (invoice.OrderId, invoice.CompanyId, invoice.Total, invoice.DueAt));
        Assert.Equal(PaymentStatus.Pending, order.PaymentStatus);
        Assert.Equal(6000L, await OutstandingAsync(store, company));

        // The printable invoice, for staff who may read invoices.
        using var support = await store.SignedInStaffAsync(Role.Support);
        var print = await support.GetPageAsync($"/invoices/{invoice.Id}/print");
        Assert.Contains("data-testid=\"invoice-number\">Invoice INV-000001<", print, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"invoice-total\">60.00 USD<", print, StringComparison.Ordinal);
        Assert.Contains($"data-testid=\"invoice-due\">Due {invoice.DueAt:yyyy-MM-dd}<", print, StringComparison.Ordinal);
        Assert.Contains("CASE-1", print, StringComparison.Ordinal);
        Assert.Contains("Acme Cafés", System.Net.WebUtility.HtmlDecode(print), StringComparison.Ordinal);
        using var warehouse = await store.SignedInStaffAsync(Role.Warehouse);
        await warehouse.GetPageAsync($"/invoices/{invoice.Id}/print", HttpStatusCode.Forbidden);
    }

    private static long[] Buckets(JsonNode b) =>
        [.. new[] { "current", "1_30", "31_60", "61_90", "over_90" }.Select(k => MinorUnits.ToMinor(b[k].Dec()))];

    /// <summary>The aging over the raw rows, in minor units: days past due rounded up, buckets by the docs.</summary>
    private static async Task<Dictionary<Guid, long[]>> IndependentAgingAsync(TestStore store, DateTime asOf)
    {
        await using var db = store.Db();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT company_id, due_at, total, amount_paid FROM invoices WHERE status IN ('open', 'partially_paid')";
        var result = new Dictionary<Guid, long[]>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var company = reader.GetValue(0) is Guid g ? g : Guid.Parse(reader.GetString(0));
            var dueAt = DateTime.SpecifyKind(reader.GetDateTime(1), DateTimeKind.Utc);
            var amount = reader.GetInt64(2) - reader.GetInt64(3);
            var late = (asOf - dueAt).TotalDays;
            var bucket = late <= 0 ? 0 : late <= 30 ? 1 : late <= 60 ? 2 : late <= 90 ? 3 : 4;
            if (!result.TryGetValue(company, out var buckets))
            {
                result[company] = buckets = new long[5];
            }

            buckets[bucket] += amount;
        }

        return result;
    }

    private static async Task<int> RemindAsync(TestStore store)
    {
        await using var scope = store.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<InvoiceReminders>().SendDueAsync(CancellationToken.None);
    }

    private static async Task<JsonNode> InvoiceOfAsync(TestStore store, Guid orderId)
    {
        await using var db = store.Db();
        var id = await db.Set<Invoice>().Where(i => i.OrderId == orderId).Select(i => i.Id).SingleAsync();
        return await store.Client.GetAsync($"/api/v1/invoices/{id}").Expect(HttpStatusCode.OK);
    }

    internal static async Task<Guid> CompanyAsync(TestStore store, string name, string terms, decimal? creditLimit)
    {
        var company = await store.Client.PostJson("/api/v1/companies", new { name, country = "US", paymentTerms = terms, creditLimit }).Expect(HttpStatusCode.Created);
        return Guid.Parse(company["id"].Str());
    }

    /// <summary>A buyer of the company with a storefront account (as a shopper who signed up), returning the account's id.</summary>
    internal static async Task<Guid> BuyerAsync(TestStore store, Guid company, string email)
    {
        var buyer = await (await store.Client.PostJson($"/api/v1/companies/{company}/buyers", new { email, name = "Buyer " + email[..3] })).Json();
        var customerId = Guid.Parse(buyer["customerId"].Str());
        await using var db = store.Db();
        var account = UserAccount.ForShopper(email, null, customerId, DateTime.UtcNow);
        account.NormalizedEmail = email.ToUpperInvariant();
        account.NormalizedUserName = email.ToUpperInvariant();
        db.Users.Add(account);
        await db.SaveChangesAsync();
        return account.Id;
    }

    private static CheckoutRequest TermsRequest(string email) =>
        new(email, new AddressRequest("Ada Lovelace", "12 Analytical Row", null, "New York", "NY", "10001", "US"), null, new PaymentRequest("terms", null));

    private static object TermsBody(string email) => new
    {
        email,
        shippingAddress = new { name = "Ada Lovelace", line1 = "12 Analytical Row", city = "New York", region = "NY", postalCode = "10001", country = "US" },
        payment = new { method = "terms" },
    };

    /// <summary>A storefront checkout by the signed-in account (the checkout page passes the account as the origin's).</summary>
    internal static async Task<Order> TermsCheckoutAsync(TestStore store, Guid accountId, string cartId, string email)
    {
        await using var scope = store.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CheckoutService>().CheckoutAsync(
            Guid.Parse(cartId), TermsRequest(email), Actor.Customer, new CheckoutOrigin("203.0.113.7", Trusted: false) { AccountId = accountId }, CancellationToken.None);
    }

    private static async Task<long> OutstandingAsync(TestStore store, Guid company)
    {
        await using var db = store.Db();
        return await db.Database.SqlQuery<long>($"SELECT outstanding AS \"Value\" FROM company_credit WHERE company_id = {company}").SingleOrDefaultAsync();
    }
}
