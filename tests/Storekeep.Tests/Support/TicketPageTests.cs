using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Support;
using Storekeep.Tests.Infrastructure;
using Storekeep.Tests.Storefront;

namespace Storekeep.Tests.Support;

/// <summary>
/// The storefront's contact page and "my tickets", and the back office's queue and ticket page,
/// as plain page requests and form posts (no browser).
/// </summary>
public sealed class TicketPageTests
{
    [Fact]
    public async Task A_shopper_asks_about_their_order_sees_the_staff_reply_but_not_the_note_and_another_shopper_sees_nothing()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);
        await store.AddProductAsync("MUG-1", 12.50m, main: 10);
        var grace = store.Browser();
        await grace.SignUpAsync("grace@example.com");
        await grace.VerifyEmailAsync(store, "grace@example.com");
        await grace.BuyAsync("MUG-1", 1, email: "grace@example.com");
        long number;
        await using (var db = store.Db())
        {
            number = await db.Orders.Select(o => o.Number).SingleAsync();
        }

        Assert.Contains($"href=\"/contact?order={number}\"", await grace.GetPageAsync($"/account/orders/{number}"), StringComparison.Ordinal);
        var contact = await grace.GetPageAsync($"/contact?order={number}");
        Assert.Contains("data-testid=\"contact-order\"", contact, StringComparison.Ordinal);
        var sent = await grace.SubmitFormAsync($"/contact?order={number}", new()
        {
            ["email"] = "grace@example.com",
            ["subject"] = "Is it gift wrapped?",
            ["body"] = "Could you wrap it?\nThanks",
        }, "contact");
        Assert.Contains("data-testid=\"contact-sent\"", await sent.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Ticket ticket;
        await using (var db = store.Db())
        {
            ticket = await db.Set<Ticket>().Include(t => t.Messages).SingleAsync();
        }

        Assert.Equal(TicketChannel.Web, ticket.Channel);
        Assert.Equal("grace@example.com", ticket.Email);
        Assert.NotNull(ticket.OrderId);
        Assert.Equal("Could you wrap it?\nThanks", Assert.Single(ticket.Messages).Body);

        await store.Client.PostJson($"/api/v1/tickets/{ticket.Id}/messages", new { body = "Secret: she is a VIP", @internal = true }).Expect(HttpStatusCode.Created);
        await store.Client.PostJson($"/api/v1/tickets/{ticket.Id}/messages", new { body = "Yes, gladly!" }).Expect(HttpStatusCode.Created);
        await store.Client.PatchJson($"/api/v1/tickets/{ticket.Id}", new { status = "waiting_on_customer" }).Expect(HttpStatusCode.OK);

        Assert.Contains($"href=\"/account/tickets/{ticket.Id}\"", await grace.GetPageAsync("/account/tickets"), StringComparison.Ordinal);
        var page = await grace.GetPageAsync($"/account/tickets/{ticket.Id}");
        Assert.Contains("Yes, gladly!", page, StringComparison.Ordinal);
        Assert.DoesNotContain("VIP", page, StringComparison.Ordinal);

        // Her answer reopens the ticket (and ends the pause).
        var answered = await grace.SubmitFormAsync($"/account/tickets/{ticket.Id}", new() { ["body"] = "Thank you!" }, "ticket-reply");
        await ShopperBrowser.ExpectRedirectAsync(answered, $"/account/tickets/{ticket.Id}");
        var after = await store.Client.GetAsync($"/api/v1/tickets/{ticket.Id}").Expect(HttpStatusCode.OK);
        Assert.Equal("open", after["status"].Str());
        Assert.Equal(4, after["messages"]!.AsArray().Count);

        var mallory = store.Browser();
        await mallory.SignUpAsync("mallory@example.com", "Mallory");
        await mallory.VerifyEmailAsync(store, "mallory@example.com");
        Assert.Contains("data-testid=\"no-tickets\"", await mallory.GetPageAsync("/account/tickets"), StringComparison.Ordinal);
        await mallory.GetPageAsync($"/account/tickets/{ticket.Id}", HttpStatusCode.NotFound);
        // Asking about someone else's order files a plain question, without the order.
        Assert.DoesNotContain("data-testid=\"contact-order\"", await mallory.GetPageAsync($"/contact?order={number}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Support_staff_see_the_queue_and_a_ticket_with_its_sla_and_other_roles_are_refused()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);
        var ticket = await store.Client.PostJson("/api/v1/tickets", new { email = "bo@example.com", subject = "Broken lid", body = "The lid cracked.", channel = "phone", priority = "urgent" })
            .Expect(HttpStatusCode.Created);
        var support = await store.SignedInStaffAsync(Role.Support);
        var queue = await support.GetPageAsync("/admin/tickets");
        Assert.Contains("Broken lid", queue, StringComparison.Ordinal);
        var detail = await support.GetPageAsync($"/admin/tickets/{ticket["id"].Str()}");
        Assert.Contains("data-testid=\"ticket-sla-first-response\"", detail, StringComparison.Ordinal);
        Assert.Contains("The lid cracked.", detail, StringComparison.Ordinal);

        var warehouse = await store.SignedInStaffAsync(Role.Warehouse);
        var refused = await warehouse.GetAsync("/admin/tickets");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
