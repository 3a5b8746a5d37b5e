using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Tests.Fulfillment;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Storefront;

public sealed class CustomerAccountPageTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_guest_order_appears_after_sign_up_and_email_verification_with_its_tracking_and_can_be_returned_but_never_by_another_customer(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 12.50m, main: 10);
        var guest = store.Browser();
        var confirmation = await guest.BuyAsync("MUG-1", 2, email: "grace@example.com");
        await using var db = store.Db();
        var order = await db.Orders.AsNoTracking().SingleAsync();

        var grace = store.Browser();
        await grace.SignUpAsync("Grace@Example.com");
        await grace.VerifyEmailAsync(store, "grace@example.com");
        var history = await grace.GetPageAsync("/account/orders");
        Assert.Contains($"data-testid=\"account-order\" data-number=\"{order.Number}\"", history, StringComparison.Ordinal);
        Assert.Contains(
            order.Id,
            await db.Users.AsNoTracking().Where(u => u.Email == "grace@example.com")
                .Join(db.Orders, u => u.CustomerId, o => o.CustomerId, (u, o) => o.Id).ToListAsync());

        var mallory = store.Browser();
        await mallory.SignUpAsync("mallory@example.com", "Mallory");
        Assert.Contains("data-testid=\"no-orders\"", await mallory.GetPageAsync("/account/orders"), StringComparison.Ordinal);
        await mallory.GetPageAsync($"/account/orders/{order.Number}", HttpStatusCode.NotFound);
        await mallory.GetPageAsync($"/account/orders/{order.Number}/return", HttpStatusCode.NotFound);
        await mallory.GetPageAsync(confirmation, HttpStatusCode.NotFound);
        Assert.Contains($"#{order.Number}", await grace.GetPageAsync(confirmation), StringComparison.Ordinal);

        Assert.Contains("data-testid=\"no-shipments\"", await grace.GetPageAsync($"/account/orders/{order.Number}"), StringComparison.Ordinal);
        await (await store.Client.PostJson($"/api/v1/orders/{order.Id}/shipments", OrderTestData.Ship(null, ("MUG-1", 2)))).Expect(HttpStatusCode.Created);
        var detail = await grace.GetPageAsync($"/account/orders/{order.Number}");
        Assert.Contains("href=\"https://www.ups.com/track?tracknum=1Z999\" rel=\"noopener noreferrer\" data-testid=\"tracking-number\">1Z999<", detail, StringComparison.Ordinal);

        var requested = await grace.SubmitFormAsync($"/account/orders/{order.Number}/return", new()
        {
            ["qty:MUG-1"] = "1",
            ["reason"] = "Too small",
        }, "return");

        var back = await ShopperBrowser.ExpectRedirectAsync(requested, $"/account/orders/{order.Number}?returned=RMA-");
        var rma = await db.Returns.AsNoTracking().Include(r => r.Lines).SingleAsync();
        Assert.Equal(order.Id, rma.OrderId);
        Assert.Equal("Too small", rma.Reason);
        Assert.Equal(1, rma.Lines.Sum(l => l.Quantity));
        Assert.Contains("data-testid=\"return-requested\"", await grace.GetPageAsync(back), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Account_pages_need_a_signed_in_shopper_and_sign_in_locks_out_after_failures(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var browser = store.Browser();

        var anonymous = await browser.GetAsync("/account/orders");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("/account/login", anonymous.Headers.Location!.OriginalString, StringComparison.Ordinal);

        await store.Browser().SignUpAsync("ada@example.com", "Ada");
        for (var i = 0; i < 5; i++)
        {
            var wrong = await browser.SubmitFormAsync("/account/login", new() { ["Input.Email"] = "ada@example.com", ["Input.Password"] = "wrong-password-1" }, "login");
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }

        var locked = await browser.SubmitFormAsync("/account/login", new() { ["Input.Email"] = "ada@example.com", ["Input.Password"] = ShopperBrowser.Password }, "login");
        Assert.Contains("locked", await locked.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var other = store.Browser();
        await other.SignUpAsync("bob@example.com", "Bob");
        var fresh = store.Browser();
        var signedIn = await fresh.SubmitFormAsync("/account/login?returnUrl=%2Faccount%2Forders", new() { ["Input.Email"] = "bob@example.com", ["Input.Password"] = ShopperBrowser.Password }, "login");
        Assert.Equal("/account/orders", await ShopperBrowser.ExpectRedirectAsync(signedIn, "/account/orders"));
        Assert.Contains("bob@example.com", await fresh.GetPageAsync("/account/orders"), StringComparison.Ordinal);
    }
}
