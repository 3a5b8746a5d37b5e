using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Demo;
using Storekeep.Tests.Infrastructure;
using Storekeep.Web.Hosting;

namespace Storekeep.Tests.Demo;

/// <summary>No documented password opens a store, the demo is seeded only where it is wanted, and test mode says so.</summary>
public sealed class DemoAccessTests
{
    [Fact]
    public async Task Demo_staff_get_a_random_password_that_signs_in_while_the_once_documented_one_does_not()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, settings: new Dictionary<string, string?> { ["Seed:Demo"] = "true" });

        var password = store.Services.GetRequiredService<DemoSignIn>().Password;
        Assert.NotNull(password);
        Assert.Matches("^demo-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$", password);
        await using (var db = store.Db())
        {
            Assert.Equal(password, await DemoCredentials.FindAsync(db, CancellationToken.None));
        }

        var refused = await SignInAsync(store, "manager@demo.storekeep.test", "demo-password-1");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("Email or password is incorrect.", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var accepted = await SignInAsync(store, "manager@demo.storekeep.test", password);
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
    }

    [Fact]
    public async Task The_demo_message_log_starts_with_the_latest_orders_confirmations_kept_as_logged()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, settings: new Dictionary<string, string?> { ["Seed:Demo"] = "true" });
        await using var db = store.Db();

        var latest = await db.Orders.OrderByDescending(o => o.Number).Take(DemoMessages.RecentOrders).Select(o => new { o.Id, o.Email, o.Number }).ToListAsync();
        var all = await db.Messages.AsNoTracking().ToListAsync();
        var messages = all.Where(m => m.Type != Storekeep.Messaging.MessageTypes.Campaign).ToList();
        Assert.Equal(DemoMessages.RecentOrders, messages.Count);

        // Besides them: the demo campaign's emails, one per recipient, sent.
        var campaign = all.Where(m => m.Type == Storekeep.Messaging.MessageTypes.Campaign).ToList();
        Assert.Equal(await db.Set<Storekeep.Campaigns.CampaignRecipient>().CountAsync(), campaign.Count);
        Assert.NotEmpty(campaign);
        Assert.All(campaign, m => Assert.Equal(Storekeep.Messaging.MessageStatus.Sent, m.Status));
        Assert.All(messages, m => Assert.Equal(Storekeep.Messaging.MessageStatus.Logged, m.Status));
        Assert.All(messages, m => Assert.Equal(Storekeep.Messaging.MessageTypes.OrderConfirmation, m.Type));
        Assert.Equal(latest.Select(o => o.Id).Order(), messages.Select(m => m.OrderId!.Value).Order());
        Assert.All(messages, m => Assert.Equal(latest.Single(o => o.Id == m.OrderId).Email, m.To));
        Assert.All(messages, m => Assert.Contains(latest.Single(o => o.Id == m.OrderId).Number.ToString(System.Globalization.CultureInfo.InvariantCulture), m.Subject, StringComparison.Ordinal));
    }

    [Fact]
    public void Demo_passwords_differ_every_time_they_are_made()
    {
        var passwords = Enumerable.Range(0, 1000).Select(_ => DemoCredentials.NewPassword()).ToList();
        Assert.Equal(passwords.Count, passwords.Distinct().Count());
        Assert.All(passwords, p => Assert.Matches("^demo-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$", p));
        Assert.All(passwords, p => Assert.Contains(p[5..], char.IsAsciiDigit)); // Identity's rules want a digit
    }

    [Theory]
    [InlineData(null, null, true)]
    [InlineData(null, "owner@shop.test", false)]
    [InlineData("true", "owner@shop.test", true)]
    [InlineData("true", null, true)]
    [InlineData("false", null, false)]
    [InlineData("False", "owner@shop.test", false)]
    public void The_demo_is_seeded_when_asked_and_otherwise_only_when_no_owner_is_configured(string? seedDemo, string? ownerEmail, bool seeds)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Seed:Demo"] = seedDemo,
            ["Bootstrap:OwnerEmail"] = ownerEmail,
        }).Build();

        Assert.Equal(seeds, DatabaseInitializer.ShouldSeedDemo(configuration));
    }

    [Fact]
    public async Task A_store_started_with_an_owner_and_no_seed_setting_gets_no_demo_data_and_no_demo_accounts()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, settings: new Dictionary<string, string?>
        {
            ["Seed:Demo"] = null,
            ["Bootstrap:OwnerEmail"] = "owner@realshop.test",
            ["Bootstrap:OwnerPassword"] = "owner-password-1",
        });

        await using var db = store.Db();
        Assert.False(await db.Products.AnyAsync());
        Assert.False(await db.Orders.AnyAsync());
        Assert.False(await db.Users.AnyAsync(u => u.Email!.EndsWith("@demo.storekeep.test")));
        Assert.Null(store.Services.GetRequiredService<DemoSignIn>().Password);
        Assert.True(await db.Users.AnyAsync(u => u.Email == "owner@realshop.test"));
    }

    [Fact]
    public async Task Shop_and_back_office_show_a_test_mode_banner_while_the_test_gateway_takes_payments()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);
        var home = await store.Browser().GetPageAsync("/");
        Assert.Contains("data-testid=\"test-mode-banner\"", home, StringComparison.Ordinal);
        var staff = await store.SignedInStaffAsync(Storekeep.Access.Role.Manager);
        var dashboard = await staff.GetPageAsync("/admin");
        Assert.Contains("data-testid=\"test-mode-banner\"", dashboard, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_live_gateway_shows_no_test_mode_banner()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, settings: new Dictionary<string, string?>
        {
            ["Payments:Gateway"] = "stripe",
            ["Payments:Stripe:SecretKey"] = "sk_test_unused",
        });
        var home = await store.Browser().GetPageAsync("/");
        Assert.Contains("site-header", home, StringComparison.Ordinal);
        Assert.DoesNotContain("test-mode-banner", home, StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> SignInAsync(TestStore store, string email, string password) =>
        store.Browser().SubmitFormAsync("/admin/login", new() { ["Input.Email"] = email, ["Input.Password"] = password });
}
