using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.AbandonedCarts;
using Storekeep.Checkout;
using Storekeep.Customers;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.AbandonedCarts;

/// <summary>Abandoned-cart reminders: settings, once-only steps across rounds and nodes, the restore link, the report (docs/marketing.md).</summary>
public sealed partial class AbandonedCartTests
{
    private static readonly Dictionary<string, string?> NoLoop = new() { ["AbandonedCarts:Enabled"] = "false" };

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Settings_are_validated_and_bad_input_changes_nothing(string database)
    {
        await using var store = await TestStore.StartAsync(database, settings: NoLoop);
        var discount = await AddCodeDiscountAsync(store, "COMEBACK10");
        var valid = new
        {
            enabled = true,
            steps = new object[]
            {
                new { delayMinutes = 60, subject = "Still thinking, {{name}}?", body = "Your cart:\n{{cart.items}}" },
                new { delayMinutes = 1440, subject = "10% off", body = "Use {{discount.code}}: {{cart.link}}", discountId = discount },
            },
        };
        var saved = await (await store.Client.PutJson("/api/v1/marketing/abandoned-carts", valid)).Expect(HttpStatusCode.OK);
        Assert.True(saved["enabled"]!.GetValue<bool>());
        Assert.Equal(2, saved["steps"]!.AsArray().Count);
        Assert.Equal(discount.ToString(), saved["steps"]![1]!["discountId"].Str());
        Assert.Equal("Your cart:\n{{cart.items}}", saved["steps"]![0]!["body"].Str());

        await (await store.Client.PutJson("/api/v1/marketing/abandoned-carts", new { enabled = true, steps = new[] { new { delayMinutes = -5, subject = "x", body = "y" } } }))
            .ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await store.Client.PutJson("/api/v1/marketing/abandoned-carts", new { enabled = true, steps = new[] { new { delayMinutes = 60, subject = "", body = "y" } } }))
            .ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await store.Client.PutJson("/api/v1/marketing/abandoned-carts", new { enabled = true, steps = Array.Empty<object>() }))
            .ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await store.Client.PutJson("/api/v1/marketing/abandoned-carts", new
        {
            enabled = true,
            steps = new[] { new { delayMinutes = 120, subject = "a", body = "b" }, new { delayMinutes = 60, subject = "c", body = "d" } },
        })).ExpectProblem(HttpStatusCode.UnprocessableEntity, "abandoned_cart_steps_not_ascending");
        await (await store.Client.PutJson("/api/v1/marketing/abandoned-carts", new
        {
            enabled = true,
            steps = new[] { new { delayMinutes = 60, subject = "a", body = "b", discountId = Guid.NewGuid() } },
        })).ExpectProblem(HttpStatusCode.UnprocessableEntity, "abandoned_cart_discount_invalid");
        await (await store.Client.PutJson("/api/v1/marketing/abandoned-carts", new
        {
            enabled = true,
            steps = new[] { new { delayMinutes = 60, subject = "a", body = "{{order.total}}" } },
        })).ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_placeholder");
        var malformed = await store.Client.SendAsync(new HttpRequestMessage(HttpMethod.Put, "/api/v1/marketing/abandoned-carts")
        {
            Content = new StringContent("{\"enabled\":", System.Text.Encoding.UTF8, "application/json"),
        });
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);

        var after = await (await store.Client.GetAsync("/api/v1/marketing/abandoned-carts")).Expect(HttpStatusCode.OK);
        Assert.Equal(saved.ToJsonString(), after.ToJsonString());

        var support = await store.ClientForAsync(Storekeep.Access.Role.Support);
        Assert.Equal(HttpStatusCode.Forbidden, (await support.GetAsync("/api/v1/marketing/abandoned-carts")).StatusCode);
        var marketing = await store.ClientForAsync(Storekeep.Access.Role.Marketing);
        await (await marketing.PutJson("/api/v1/marketing/abandoned-carts", new { enabled = false, steps = Array.Empty<object>() })).Expect(HttpStatusCode.OK);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_cart_email_is_set_by_patch_and_a_bad_one_is_refused(string database)
    {
        await using var store = await TestStore.StartAsync(database, settings: NoLoop);
        await store.AddProductAsync("MUG-1", 12m, main: 5, title: "Blue mug");
        var cart = await store.CartWithAsync(store.Anonymous, ("MUG-1", 1));
        await (await store.Anonymous.PatchJson($"/api/v1/carts/{cart}", new { email = "not-an-email" })).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await store.Anonymous.PatchJson($"/api/v1/carts/{cart}", new { })).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        var before = await (await store.Anonymous.GetAsync($"/api/v1/carts/{cart}")).Expect(HttpStatusCode.OK);
        Assert.Null(before["email"]);
        var patched = await (await store.Anonymous.PatchJson($"/api/v1/carts/{cart}", new { email = "Grace@Example.com" })).Expect(HttpStatusCode.OK);
        Assert.Equal("grace@example.com", patched["email"].Str());
        await (await store.Anonymous.PatchJson($"/api/v1/carts/{Guid.NewGuid()}", new { email = "a@example.com" })).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Checkout_records_marketing_consent_granted_and_never_withdraws_it(string database)
    {
        await using var store = await TestStore.StartAsync(database, settings: NoLoop);
        await store.AddProductAsync("MUG-1", 12m, main: 5, title: "Blue mug");
        var first = await store.CartWithAsync(store.Anonymous, ("MUG-1", 1));
        await (await store.Anonymous.PostJson($"/api/v1/carts/{first}/checkout", new
        {
            email = "ada@example.com",
            shippingAddress = new { name = "Ada Lovelace", line1 = "12 Analytical Row", city = "New York", region = "NY", postalCode = "10001", country = "US" },
            payment = new { method = "card", token = "tok_visa" },
            marketingConsent = new { email = true, sms = false },
        })).Expect(HttpStatusCode.Created);
        var second = await store.CartWithAsync(store.Anonymous, ("MUG-1", 1));
        await (await store.Anonymous.PostJson($"/api/v1/carts/{second}/checkout", TestCatalog.CheckoutBody())).Expect(HttpStatusCode.Created);

        await using var db = store.Db();
        var customer = await db.Customers.SingleAsync(c => c.Email == "ada@example.com");
        Assert.True(customer.AcceptsEmail);
        Assert.Equal("checkout", customer.EmailConsentSource);
        Assert.NotNull(customer.EmailConsentAt);
        Assert.False(customer.AcceptsSms);
        Assert.Null(customer.SmsConsentAt);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Each_step_goes_once_after_its_delay_across_rounds_and_nodes_and_ordering_stops_the_sequence(string database)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var store = await TestStore.StartAsync(database, settings: smtp.Settings(NoLoop));
        await using var node2 = await store.StartAnotherNodeAsync(smtp.Settings(NoLoop));
        await store.AddProductAsync("MUG-1", 12m, main: 50, title: "Blue mug");
        var discount = await AddCodeDiscountAsync(store, "COMEBACK10");
        await (await store.Client.PutJson("/api/v1/marketing/abandoned-carts", new
        {
            enabled = true,
            steps = new object[]
            {
                new { delayMinutes = 60, subject = "Still thinking, {{name}}?", body = "Your cart:\n{{cart.items}}" },
                new { delayMinutes = 1440, subject = "10% off your cart", body = "Use {{discount.code}} today.", discountId = discount },
            },
        })).Expect(HttpStatusCode.OK);

        var ada = await CartAsync(store, "ada@example.com", ("MUG-1", 2));
        var orders = await CartAsync(store, "bob@example.com", ("MUG-1", 1));
        var noEmail = await store.CartWithAsync(store.Anonymous, ("MUG-1", 1));
        var noItems = await CartAsync(store, "empty@example.com");
        var withdrawn = await CartAsync(store, "nope@example.com", ("MUG-1", 1));
        await using (var db = store.Db())
        {
            var customer = new Customer { Email = "nope@example.com", CreatedAt = DateTime.UtcNow };
            customer.SetEmailConsent(false, "unsubscribe", DateTime.UtcNow);
            db.Customers.Add(customer);
            await db.SaveChangesAsync();
        }

        // Not idle long enough yet: nothing.
        await AgeCartsAsync(store, TimeSpan.FromMinutes(30));
        Assert.Equal(0, await RoundAsync(store));

        // Due: two rounds on this node and one on the other, at once; step 1 goes once per cart.
        await AgeCartsAsync(store, TimeSpan.FromMinutes(31));
        var rounds = await Task.WhenAll(RoundAsync(store), RoundAsync(store), RoundAsync(node2));
        Assert.Equal(2, rounds.Sum());
        Assert.Equal(0, await RoundAsync(node2));

        await using (var db = store.Db())
        {
            var sent = await db.Set<AbandonedCartEmail>().AsNoTracking().ToListAsync();
            Assert.Equal(new[] { ada, orders }.Order(StringComparer.Ordinal), sent.Select(s => s.CartId.ToString()).Order(StringComparer.Ordinal));
            Assert.All(sent, s => Assert.Equal(0, s.StepIndex));
            Assert.Equal(2, await db.Messages.CountAsync(m => m.Type == "abandoned_cart"));
            Assert.False(await db.Set<AbandonedCartEmail>().AnyAsync(s => s.CartId == Guid.Parse(noEmail) || s.CartId == Guid.Parse(noItems) || s.CartId == Guid.Parse(withdrawn)));
        }

        var first = await smtp.WaitForAsync("ada@example.com", "Still thinking, there?");
        Assert.Contains("2 × Blue mug", first.TextBody, StringComparison.Ordinal);
        var link = RestoreLink().Match(first.TextBody!).Value;
        Assert.StartsWith("https://shop.example.test/cart/restore/", link, StringComparison.Ordinal);
        Assert.Contains($"href=\"{link}\"", first.HtmlBody, StringComparison.Ordinal);

        // The link restores the cart in a browser that never saw it.
        var restored = await OpenRestoreLinkAsync(store, link);
        Assert.Equal(ada, restored.CartId);
        Assert.Contains("Blue mug", restored.CartPage, StringComparison.Ordinal);

        // Bob orders; Ada does not. A day later only Ada gets step 2, with the discount code.
        await (await store.Anonymous.PostJson($"/api/v1/carts/{orders}/checkout", TestCatalog.CheckoutBody(email: "bob@example.com"))).Expect(HttpStatusCode.Created);
        await AgeCartsAsync(store, TimeSpan.FromHours(22)); // idle 23 h 01 min: step 2 (24 h) is not due
        Assert.Equal(0, await RoundAsync(store));
        await AgeCartsAsync(store, TimeSpan.FromHours(1));
        Assert.Equal(1, await RoundAsync(store));
        Assert.Equal(0, await RoundAsync(node2));
        var second = await smtp.WaitForAsync("ada@example.com", "10% off your cart");
        Assert.Contains("Use COMEBACK10 today.", second.TextBody, StringComparison.Ordinal);
        Assert.Contains("Use code COMEBACK10 at checkout.", second.TextBody, StringComparison.Ordinal);

        // Step 2's link applies its code to the cart.
        var secondLink = RestoreLink().Match(second.TextBody!).Value;
        await OpenRestoreLinkAsync(store, secondLink);
        var cart = await (await store.Anonymous.GetAsync($"/api/v1/carts/{ada}")).Expect(HttpStatusCode.OK);
        Assert.Contains(cart["discountCodes"]!.AsArray(), c => c!["code"].Str() == "COMEBACK10" && c["applied"]!.GetValue<bool>());

        // An ordered cart's link restores nothing.
        await using (var db = store.Db())
        {
            var bobToken = await db.Set<AbandonedCartEmail>().Where(e => e.CartId == Guid.Parse(orders)).Select(e => e.Token).SingleAsync();
            var browser = store.CreateBrowserClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            var response = await browser.GetAsync($"/cart/restore/{bobToken}");
            Assert.Equal("/cart?error=restore_link_expired", response.Headers.Location?.OriginalString);
            Assert.False(response.Headers.Contains("Set-Cookie") && response.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("storekeep.cart=", StringComparison.Ordinal)));
        }

        await AssertReportMatchesSqlAsync(store);
        Assert.Equal(3, smtp.Received.Count(m => m.Subject is "Still thinking, there?" or "10% off your cart"));
    }

    /// <summary>The report's four figures against the same definitions computed in raw SQL.</summary>
    private static async Task AssertReportMatchesSqlAsync(TestStore store)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var report = await (await store.Client.GetAsync($"/api/v1/marketing/abandoned-carts/report?from={today.AddDays(-3):yyyy-MM-dd}&to={today.AddDays(2):yyyy-MM-dd}"))
            .Expect(HttpStatusCode.OK);
        await using var db = store.Db();
        var idleBefore = DateTime.UtcNow.AddMinutes(-60);
        var windowStart = today.AddDays(-3).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddMinutes(-60);
        var emailed = await db.Database.SqlQuery<long>($"SELECT COUNT(DISTINCT cart_id) AS \"Value\" FROM abandoned_cart_emails").SingleAsync();
        var reminded = await db.Database.SqlQuery<long>($"SELECT COUNT(*) AS \"Value\" FROM abandoned_cart_emails WHERE step_index = 0").SingleAsync();
        var idle = await db.Database.SqlQuery<long>($"""
            SELECT COUNT(*) AS "Value" FROM carts c
            WHERE c.status = 'active' AND c.email IS NOT NULL
              AND EXISTS (SELECT 1 FROM cart_items i WHERE i.cart_id = c.id)
              AND NOT EXISTS (SELECT 1 FROM abandoned_cart_emails e WHERE e.cart_id = c.id AND e.step_index = 0)
              AND c.updated_at <= {idleBefore} AND c.updated_at >= {windowStart}
            """).SingleAsync();
        var recovered = await db.Database.SqlQuery<long>($"""
            SELECT COUNT(*) AS "Value" FROM orders o
            WHERE o.status <> 'cancelled' AND o.cart_id IN (SELECT e.cart_id FROM abandoned_cart_emails e WHERE e.sent_at < o.created_at)
            """).SingleAsync();
        var revenueCents = await db.Database.SqlQuery<long>($"""
            SELECT COALESCE(SUM(o.total), 0) AS "Value" FROM orders o
            WHERE o.status <> 'cancelled' AND o.cart_id IN (SELECT e.cart_id FROM abandoned_cart_emails e WHERE e.sent_at < o.created_at)
            """).SingleAsync();

        Assert.Equal(reminded + idle, report["abandoned"].Int());
        Assert.Equal(emailed, report["emailed"].Int());
        Assert.Equal(recovered, report["recovered"].Int());
        Assert.Equal(revenueCents / 100m, report["recoveredRevenue"].Dec());
        Assert.Equal(3, report["abandoned"].Int()); // Ada and Bob reminded, nope@ idle but withdrawn
        Assert.Equal(1, report["recovered"].Int());
        Assert.True(report["recoveredRevenue"].Dec() > 0);
    }

    internal static async Task<int> RoundAsync(TestStore store)
    {
        await using var scope = store.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AbandonedCartSender>().SendDueAsync(CancellationToken.None);
    }

    /// <summary>Moves every cart's last activity back by <paramref name="by"/>, as if that much time had passed.</summary>
    internal static async Task AgeCartsAsync(TestStore store, TimeSpan by)
    {
        await using var db = store.Db();
        foreach (var cart in await db.Carts.ToListAsync())
        {
            cart.UpdatedAt -= by;
        }

        await db.SaveChangesAsync();
    }

    private static async Task<string> CartAsync(TestStore store, string email, params (string Sku, int Quantity)[] lines)
    {
        var id = await store.CartWithAsync(store.Anonymous, lines);
        await (await store.Anonymous.PatchJson($"/api/v1/carts/{id}", new { email })).Expect(HttpStatusCode.OK);
        return id;
    }

    private static async Task<Guid> AddCodeDiscountAsync(TestStore store, string code)
    {
        var created = await (await store.Client.PostJson("/api/v1/discounts", new { title = "Come back", code, type = "percentage", value = 10m, appliesTo = new { all = true }, status = "active" }))
            .Expect(HttpStatusCode.Created);
        return Guid.Parse(created["id"].Str());
    }

    /// <summary>Follows a restore link in a fresh cookie jar, then opens /cart with the cookie it set.</summary>
    private static async Task<(string CartId, string CartPage)> OpenRestoreLinkAsync(TestStore store, string link)
    {
        var browser = store.CreateBrowserClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var response = await browser.GetAsync(new Uri(link).PathAndQuery);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/cart", response.Headers.Location?.OriginalString);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("storekeep.cart=", StringComparison.Ordinal));
        var cartId = Guid.ParseExact(cookie["storekeep.cart=".Length..cookie.IndexOf(';', StringComparison.Ordinal)], "N").ToString();
        var page = await browser.GetStringAsync("/cart");
        return (cartId, page);
    }

    [GeneratedRegex(@"https://shop\.example\.test/cart/restore/[A-Za-z0-9_-]+")]
    private static partial Regex RestoreLink();
}
