using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Tests.Infrastructure;
using Storekeep.Tests.Storefront;

namespace Storekeep.Tests.Accounts;

public sealed class AccountOrderVisibilityTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Registering_with_someone_elses_email_shows_none_of_their_guest_orders_until_the_emailed_link_is_followed(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 12.50m, main: 10);
        var victim = store.Browser();
        var guestConfirmation = await victim.BuyAsync("MUG-1", 1, email: "victim@example.com");
        await using var db = store.Db();
        var guestOrder = await db.Orders.AsNoTracking().SingleAsync();

        var attacker = store.Browser();
        await attacker.SignUpAsync("Victim@Example.com", "Mallory");

        var history = await attacker.GetPageAsync("/account/orders");
        Assert.Contains("data-testid=\"no-orders\"", history, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"verify-email-notice\"", history, StringComparison.Ordinal);
        Assert.DoesNotContain($"Order #{guestOrder.Number}", history, StringComparison.Ordinal);
        await attacker.GetPageAsync($"/account/orders/{guestOrder.Number}", HttpStatusCode.NotFound);
        await attacker.GetPageAsync($"/account/orders/{guestOrder.Number}/return", HttpStatusCode.NotFound);
        await attacker.GetPageAsync(guestConfirmation, HttpStatusCode.NotFound);
        // The browser that ordered still sees its confirmation.
        Assert.Contains($"#{guestOrder.Number}", await victim.GetPageAsync(guestConfirmation), StringComparison.Ordinal);

        // An order placed while signed in belongs to the account at once.
        await attacker.BuyAsync("MUG-1", 1, email: "victim@example.com");
        var account = await db.Users.AsNoTracking().SingleAsync(u => u.NormalizedEmail == "VICTIM@EXAMPLE.COM");
        var ownOrder = await db.Orders.AsNoTracking().SingleAsync(o => o.Id != guestOrder.Id);
        Assert.Equal(account.Id, ownOrder.PlacedByUserId);
        Assert.Null(guestOrder.PlacedByUserId);
        history = await attacker.GetPageAsync("/account/orders");
        Assert.Contains($"data-number=\"{ownOrder.Number}\"", history, StringComparison.Ordinal);
        Assert.DoesNotContain($"data-number=\"{guestOrder.Number}\"", history, StringComparison.Ordinal);
        await attacker.GetPageAsync($"/account/orders/{ownOrder.Number}");
        var sameAccountElsewhere = store.Browser();
        await sameAccountElsewhere.SignInAsync("victim@example.com");
        Assert.Contains($"#{ownOrder.Number}", await sameAccountElsewhere.GetPageAsync($"/checkout/confirmation/{ownOrder.Number}"), StringComparison.Ordinal);
        await sameAccountElsewhere.GetPageAsync(guestConfirmation, HttpStatusCode.NotFound);

        // Whoever can read the mailbox follows the link: now the email is proven, its guest orders appear.
        var verified = await attacker.GetPageAsync(await ShopperBrowser.VerificationLinkAsync(store, "victim@example.com"));
        Assert.Contains("data-testid=\"email-verified\"", verified, StringComparison.Ordinal);
        history = await attacker.GetPageAsync("/account/orders");
        Assert.Contains($"data-number=\"{guestOrder.Number}\"", history, StringComparison.Ordinal);
        Assert.Contains($"data-number=\"{ownOrder.Number}\"", history, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"verify-email-notice\"", history, StringComparison.Ordinal);
        await attacker.GetPageAsync($"/account/orders/{guestOrder.Number}");
        await sameAccountElsewhere.GetPageAsync(guestConfirmation);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_wrong_or_foreign_verification_link_shows_an_error_and_verifies_nothing(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 12.50m, main: 10);
        await store.Browser().BuyAsync("MUG-1", 1, email: "victim@example.com");
        var attacker = store.Browser();
        await attacker.SignUpAsync("victim@example.com", "Mallory");
        await store.Browser().SignUpAsync("mallory@example.com", "Mallory");
        await using var db = store.Db();
        var victimAccount = await db.Users.AsNoTracking().SingleAsync(u => u.NormalizedEmail == "VICTIM@EXAMPLE.COM");

        // Mallory's own valid link, pointed at the other account, and a made-up token.
        var mallorysLink = await ShopperBrowser.VerificationLinkAsync(store, "mallory@example.com");
        var foreign = System.Text.RegularExpressions.Regex.Replace(mallorysLink, "userId=[^&]+", $"userId={victimAccount.Id}");
        foreach (var link in new[] { foreign, $"/account/verify-email?userId={victimAccount.Id}&token=bm90LWEtdG9rZW4", "/account/verify-email" })
        {
            var page = await attacker.GetPageAsync(link, HttpStatusCode.BadRequest);
            Assert.Contains("data-testid=\"verify-email-failed\"", page, StringComparison.Ordinal);
        }

        Assert.False((await db.Users.AsNoTracking().SingleAsync(u => u.Id == victimAccount.Id)).EmailConfirmed);
        Assert.Contains("data-testid=\"no-orders\"", await attacker.GetPageAsync("/account/orders"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registration_queues_a_verification_email_and_an_unverified_shopper_can_have_it_sent_again()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, settings: smtp.Settings());
        var browser = store.Browser();
        await browser.SignUpAsync("ada@example.com", "Ada");

        var first = await smtp.WaitForAsync("ada@example.com", "Confirm your email address");
        var text = first.TextBody ?? "";
        Assert.Contains("https://shop.example.test/account/verify-email?userId=", text, StringComparison.Ordinal);
        var firstLink = ShopperBrowser.RelativeLink(text, "/account/verify-email?");

        var token = await ShopperBrowser.AntiforgeryTokenAsync(browser);
        var resent = await browser.PostAsync("/account/verify-email/resend", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal("/account/orders?verification=sent", await ShopperBrowser.ExpectRedirectAsync(resent, "/account/orders"));
        Assert.Contains("data-testid=\"verification-sent\"", await browser.GetPageAsync("/account/orders?verification=sent"), StringComparison.Ordinal);
        await using var db = store.Db();
        Assert.Equal(2, await db.Messages.CountAsync(m => m.Type == Storekeep.Messaging.MessageTypes.AccountVerification && m.To == "ada@example.com"));

        var confirmed = await browser.GetPageAsync(firstLink);
        Assert.Contains("data-testid=\"email-verified\"", confirmed, StringComparison.Ordinal);
        Assert.True((await db.Users.AsNoTracking().SingleAsync(u => u.NormalizedEmail == "ADA@EXAMPLE.COM")).EmailConfirmed);
    }
}
