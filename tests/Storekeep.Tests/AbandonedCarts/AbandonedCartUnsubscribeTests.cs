using System.Net;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Storekeep.AbandonedCarts;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.AbandonedCarts;

/// <summary>Abandoned-cart reminders are marketing: RFC 8058 one-click unsubscribe and a visible link, honoured at once (docs/marketing.md).</summary>
public sealed partial class AbandonedCartTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_reminder_carries_one_click_unsubscribe_that_withdraws_consent_and_stops_the_sequence_and_a_forged_token_changes_nothing(string database)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var store = await TestStore.StartAsync(database, settings: smtp.Settings(NoLoop));
        await store.AddProductAsync("MUG-1", 12m, main: 50, title: "Blue mug");
        await (await store.Client.PutJson("/api/v1/marketing/abandoned-carts", new
        {
            enabled = true,
            steps = new object[]
            {
                new { delayMinutes = 60, subject = "Still thinking?", body = "Your cart:\n{{cart.items}}" },
                new { delayMinutes = 1440, subject = "Last chance", body = "Your cart is still waiting." },
            },
        })).Expect(HttpStatusCode.OK);

        // Neither shopper is a customer yet: they only gave an email to the cart.
        var grace = await CartAsync(store, "grace@example.com", ("MUG-1", 1));
        var hal = await CartAsync(store, "hal@example.com", ("MUG-1", 1));
        await AgeCartsAsync(store, TimeSpan.FromMinutes(61));
        Assert.Equal(2, await RoundAsync(store));

        var reminder = await smtp.WaitForAsync("grace@example.com", "Still thinking?");
        var header = reminder.Headers["List-Unsubscribe"] ?? "";
        Assert.Matches("^<https://shop.example.test/m/u/[A-Za-z0-9_-]{40,}>$", header);
        Assert.Equal("List-Unsubscribe=One-Click", reminder.Headers["List-Unsubscribe-Post"]);
        var url = header.Trim('<', '>');
        var token = url[(url.LastIndexOf('/') + 1)..];
        Assert.Contains($"href=\"{url}\"", reminder.HtmlBody, StringComparison.Ordinal); // visible in the HTML part
        Assert.Contains($"Unsubscribe: {url}", reminder.TextBody, StringComparison.Ordinal); // and in the text part
        var halToken = Token(await smtp.WaitForAsync("hal@example.com", "Still thinking?"));
        Assert.NotEqual(token, halToken);

        // Forged, altered or foreign tokens: a clear 404 page, and nothing changes.
        var browser = store.CreateBrowserClient(new() { AllowAutoRedirect = false });
        var altered = token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1];
        foreach (var forged in new[] { altered, token[..^4], "not-a-token", new string('A', 140), new string('0', 32) })
        {
            var page = await browser.GetAsync($"/m/u/{forged}");
            Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
            Assert.Contains("not valid", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, (await browser.PostAsync($"/m/u/{forged}", OneClick())).StatusCode);
        }

        await using (var db = store.Db())
        {
            Assert.False(await db.Customers.AnyAsync(c => c.Email == "grace@example.com" || c.Email == "hal@example.com"));
        }

        // GET only shows a confirmation with a button: mail scanners follow links.
        var confirm = await browser.GetAsync($"/m/u/{token}");
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        var confirmPage = await confirm.Content.ReadAsStringAsync();
        Assert.Contains("grace@example.com", confirmPage, StringComparison.Ordinal);
        Assert.Contains("<form method=\"post\">", confirmPage, StringComparison.Ordinal);
        await using (var db = store.Db())
        {
            Assert.False(await db.Customers.AnyAsync(c => c.Email == "grace@example.com"));
        }

        // The one-click POST (no sign-in) withdraws email consent at once; repeating it changes nothing.
        var before = DateTime.UtcNow.AddSeconds(-5);
        var oneClick = await browser.PostAsync($"/m/u/{token}", OneClick());
        Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);
        Assert.Contains("id=\"unsubscribed\"", await oneClick.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        DateTime withdrawnAt;
        await using (var db = store.Db())
        {
            var customer = await db.Customers.AsNoTracking().SingleAsync(c => c.Email == "grace@example.com");
            Assert.False(customer.AcceptsEmail);
            Assert.Equal("unsubscribe_link", customer.EmailConsentSource);
            Assert.True(customer.EmailConsentAt >= before);
            withdrawnAt = customer.EmailConsentAt!.Value;
            Assert.False(await db.Customers.AnyAsync(c => c.Email == "hal@example.com"));
        }

        Assert.Equal(HttpStatusCode.OK, (await browser.PostAsync($"/m/u/{token}", OneClick())).StatusCode);
        Assert.Contains("gets no marketing emails", await browser.GetStringAsync($"/m/u/{token}"), StringComparison.Ordinal);
        await using (var db = store.Db())
        {
            var customer = await db.Customers.AsNoTracking().SingleAsync(c => c.Email == "grace@example.com");
            Assert.Equal(withdrawnAt, customer.EmailConsentAt);
        }

        // The store's own template leaves the link out: it is added at the foot all the same.
        await (await store.Client.PutJson("/api/v1/message-templates/abandoned_cart", new { subject = "{{step.subject}}", html = "<html><body><p>{{step.body}}</p></body></html>", text = "{{step.body}}" }))
            .Expect(HttpStatusCode.OK);

        // A day later step 2 goes to Hal only: Grace's sequence stopped.
        await AgeCartsAsync(store, TimeSpan.FromHours(23));
        Assert.Equal(1, await RoundAsync(store));
        var last = await smtp.WaitForAsync("hal@example.com", "Last chance");
        var lastUrl = (last.Headers["List-Unsubscribe"] ?? "").Trim('<', '>');
        Assert.StartsWith("https://shop.example.test/m/u/", lastUrl, StringComparison.Ordinal);
        Assert.Contains($"href=\"{lastUrl}\">Unsubscribe</a>", last.HtmlBody, StringComparison.Ordinal);
        Assert.InRange(last.HtmlBody!.IndexOf(lastUrl, StringComparison.Ordinal), 0, last.HtmlBody.IndexOf("</body>", StringComparison.Ordinal)); // inside the body
        Assert.Contains($"Unsubscribe: {lastUrl}", last.TextBody, StringComparison.Ordinal);
        await using (var db = store.Db())
        {
            Assert.False(await db.Set<AbandonedCartEmail>().AnyAsync(e => e.CartId == Guid.Parse(grace) && e.StepIndex == 1));
            Assert.True(await db.Set<AbandonedCartEmail>().AnyAsync(e => e.CartId == Guid.Parse(hal) && e.StepIndex == 1));
        }

        Assert.DoesNotContain(smtp.Received, m => m.Subject == "Last chance" && m.To.Mailboxes.Any(a => a.Address == "grace@example.com"));
    }

    private static string Token(MimeMessage message)
    {
        var url = (message.Headers["List-Unsubscribe"] ?? "").Trim('<', '>');
        return url[(url.LastIndexOf('/') + 1)..];
    }

    private static FormUrlEncodedContent OneClick() => new([new("List-Unsubscribe", "One-Click")]);
}
