using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Storekeep.Access;
using Storekeep.Support;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Support;

/// <summary>
/// Customers answer ticket emails by email: the reply to a real SMTP-delivered ticket email,
/// posted raw to the inbound webhook, lands on its ticket (quoted text cut, the ticket reopened),
/// once however often it is delivered; a wrong secret, a stranger or no ticket are handled.
/// </summary>
public sealed class InboundEmailTests
{
    private const string Path = "/api/v1/support/inbound-email";
    private const string Secret = "inbound-test-secret";

    private static Dictionary<string, string?> Settings(SmtpTestServer smtp) => smtp.Settings(new Dictionary<string, string?>
    {
        ["Support:InboundAddress"] = "Support@shop.example.test",
        ["Support:InboundSecret"] = Secret,
    });

    private static HttpRequestMessage Post(MimeMessage mime, string? secret = Secret, string contentType = "message/rfc822")
    {
        using var buffer = new MemoryStream();
        mime.WriteTo(buffer);
        var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new ByteArrayContent(buffer.ToArray()) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        if (secret is not null)
        {
            request.Headers.Add("X-Storekeep-Inbound-Secret", secret);
        }

        return request;
    }

    /// <summary>A customer's answer as a mail client writes it: their text, then the quoted email.</summary>
    private static MimeMessage Reply(MimeMessage original, string from, string text, string? messageId = null)
    {
        var reply = new MimeMessage();
        reply.From.Add(MailboxAddress.Parse(from));
        reply.To.AddRange(original.ReplyTo.Count > 0 ? original.ReplyTo : original.From);
        reply.Subject = original.Subject!.StartsWith("Re:", StringComparison.Ordinal) ? original.Subject : "Re: " + original.Subject;
        reply.MessageId = messageId ?? MimeKit.Utils.MimeUtils.GenerateMessageId("customer.example");
        reply.InReplyTo = original.MessageId;
        reply.References.Add(original.MessageId!);
        var quoted = string.Join("\n", (original.TextBody ?? "").Split('\n').Select(l => "> " + l));
        reply.Body = new TextPart("plain") { Text = $"{text}\n\nOn Fri, 4 Dec 2026 at 10:00, Storekeep <shop@example.test> wrote:\n{quoted}\n" };
        return reply;
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_customers_email_reply_lands_on_its_ticket_once_and_reopens_it(string database)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var store = await TestStore.StartAsync(database, settings: Settings(smtp));
        var support = await store.ClientForAsync(Role.Support);
        var id = (await support.PostJson("/api/v1/tickets", new { email = "ada@example.com", subject = "Where is my tea?", body = "Ordered last week.", channel = "web" })
            .Expect(HttpStatusCode.Created))["id"].Str();
        await support.PostJson($"/api/v1/tickets/{id}/messages", new { body = "Hello Ada,\nwhich order number?" }).Expect(HttpStatusCode.Created);
        await support.PatchJson($"/api/v1/tickets/{id}", new { status = "waiting_on_customer" }).Expect(HttpStatusCode.OK);

        var reference = Tickets.Reference(Guid.Parse(id));
        var email = await smtp.WaitForAsync("ada@example.com", $"Re: Where is my tea? [{reference}]");
        var replyTo = Assert.Single(email.ReplyTo.Mailboxes).Address;
        Assert.Matches(@"^support\+t[0-9a-f]{32}@shop\.example\.test$", replyTo);

        var reply = Reply(email, "Ada@Example.com", "It is order 1042.\nThanks!");
        var added = await store.Anonymous.SendAsync(Post(reply)).Expect(HttpStatusCode.OK);
        Assert.Equal((id, "added"), (added["ticketId"].Str(), added["outcome"].Str()));
        var ticket = await support.GetAsync($"/api/v1/tickets/{id}").Expect(HttpStatusCode.OK);
        Assert.Equal("open", ticket["status"].Str()); // waiting_on_customer → open: the clocks run again
        Assert.False(ticket["sla"]!["paused"]!.GetValue<bool>());
        var last = ticket["messages"]!.AsArray()[^1]!;
        Assert.Equal(("customer", "It is order 1042.\nThanks!"), (last["author"].Str(), last["body"].Str()));

        // The provider delivers it again: nothing more is added.
        var again = await store.Anonymous.SendAsync(Post(reply)).Expect(HttpStatusCode.OK);
        Assert.Equal((id, "duplicate"), (again["ticketId"].Str(), again["outcome"].Str()));
        await using (var db = store.Db())
        {
            Assert.Equal(3, await db.Set<TicketMessage>().CountAsync(m => m.TicketId == Guid.Parse(id)));
            Assert.Equal(1, await db.Set<TicketMessage>().CountAsync(m => m.InboundMessageId == reply.MessageId));
            Assert.Equal(1, await db.Set<TicketPause>().CountAsync(p => p.TicketId == Guid.Parse(id)));
        }

        // Without the token in the address, In-Reply-To still finds the ticket (HTML only, converted).
        var threaded = Reply(email, "ada@example.com", "unused");
        threaded.To.Clear();
        threaded.To.Add(MailboxAddress.Parse("support@shop.example.test"));
        threaded.Body = new TextPart("html") { Text = "<p>Also: <b>green</b> tea.</p><blockquote>On Fri, 4 Dec 2026, Storekeep wrote:<br>&gt; which order?</blockquote>" };
        var byThread = await store.Anonymous.SendAsync(Post(threaded, contentType: "text/plain")).Expect(HttpStatusCode.OK);
        Assert.Equal((id, "added"), (byThread["ticketId"].Str(), byThread["outcome"].Str()));
        var messages = (await support.GetAsync($"/api/v1/tickets/{id}").Expect(HttpStatusCode.OK))["messages"]!.AsArray();
        Assert.Equal("Also: green tea.", messages[^1]!["body"].Str());
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task With_the_receiving_server_named_only_mail_it_authenticated_for_the_from_domain_is_taken(string database)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        var settings = Settings(smtp);
        settings["Support:InboundAuthServId"] = "mx.shop.example.test";
        await using var store = await TestStore.StartAsync(database, settings: settings);
        var support = await store.ClientForAsync(Role.Support);
        var id = (await support.PostJson("/api/v1/tickets", new { email = "ada@example.com", subject = "Where is my tea?", body = "Ordered last week.", channel = "web" })
            .Expect(HttpStatusCode.Created))["id"].Str();
        await support.PostJson($"/api/v1/tickets/{id}/messages", new { body = "Which order?" }).Expect(HttpStatusCode.Created);
        var email = await smtp.WaitForAsync("ada@example.com", $"Re: Where is my tea? [{Tickets.Reference(Guid.Parse(id))}]");

        MimeMessage Signed(string text, params string[] results)
        {
            var reply = Reply(email, "ada@example.com", text);
            foreach (var result in results)
            {
                reply.Headers.Add(HeaderId.AuthenticationResults, result);
            }

            return reply;
        }

        async Task<List<string>> BodiesAsync()
        {
            await using var db = store.Db();
            return await db.Set<TicketMessage>().Where(m => m.TicketId == Guid.Parse(id)).OrderBy(m => m.CreatedAt).Select(m => m.Body).ToListAsync();
        }

        var before = await BodiesAsync();
        // Refused: no header at all; DMARC failed; a pass written by someone else's server (the sender can add any header);
        // no DMARC result and DKIM passed for another domain only.
        foreach (var refused in new[]
        {
            Signed("no header"),
            Signed("dmarc failed", "mx.shop.example.test; dmarc=fail header.from=example.com; spf=pass smtp.mailfrom=example.com"),
            Signed("forged pass", "evil.example.net; dmarc=pass header.from=example.com"),
            Signed("other domain", "mx.shop.example.test; dkim=pass header.d=mailer.example.net; spf=fail smtp.mailfrom=example.com"),
        })
        {
            await store.Anonymous.SendAsync(Post(refused)).ExpectProblem(HttpStatusCode.UnprocessableEntity, "sender_unverified");
        }

        Assert.Equal(before, await BodiesAsync());

        // Taken: DMARC passed; or, without DMARC, SPF passed for a subdomain of the From domain.
        await store.Anonymous.SendAsync(Post(Signed("dmarc passed", "mx.shop.example.test; dmarc=pass header.from=example.com"))).Expect(HttpStatusCode.OK);
        await store.Anonymous.SendAsync(Post(Signed("spf aligned", "mx.shop.example.test; spf=pass smtp.mailfrom=bounces@mail.example.com; dkim=none"))).Expect(HttpStatusCode.OK);
        Assert.Equal([.. before, "dmarc passed", "spf aligned"], await BodiesAsync());
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Wrong_secrets_strangers_and_unknown_tickets_are_handled_and_change_nothing_they_should_not(string database)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var store = await TestStore.StartAsync(database, settings: Settings(smtp));
        var support = await store.ClientForAsync(Role.Support);
        var id = (await support.PostJson("/api/v1/tickets", new { email = "ada@example.com", subject = "Where is my tea?", body = "Ordered last week.", channel = "web" })
            .Expect(HttpStatusCode.Created))["id"].Str();
        await support.PostJson($"/api/v1/tickets/{id}/messages", new { body = "Which order?" }).Expect(HttpStatusCode.Created);
        var email = await smtp.WaitForAsync("ada@example.com", $"Re: Where is my tea? [{Tickets.Reference(Guid.Parse(id))}]");

        async Task<int> MessagesAsync()
        {
            await using var db = store.Db();
            return await db.Set<TicketMessage>().CountAsync();
        }

        var before = await MessagesAsync();
        await store.Anonymous.SendAsync(Post(Reply(email, "ada@example.com", "Hi"), secret: "wrong")).ExpectProblem(HttpStatusCode.Forbidden, "invalid_inbound_secret");
        await store.Anonymous.SendAsync(Post(Reply(email, "ada@example.com", "Hi"), secret: null)).ExpectProblem(HttpStatusCode.Forbidden, "invalid_inbound_secret");
        await store.Anonymous.SendAsync(Post(Reply(email, "mallory@example.com", "Hi"))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "sender_mismatch");
        using (var garbage = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new StringContent("just some text, no headers", Encoding.UTF8, "text/plain") })
        {
            garbage.Headers.Add("X-Storekeep-Inbound-Secret", Secret);
            await store.Anonymous.SendAsync(garbage).ExpectProblem(HttpStatusCode.BadRequest, "unreadable_email");
        }

        Assert.Equal(before, await MessagesAsync());

        // An unknown token (and no thread) opens a new email ticket from the sender and subject.
        var fresh = new MimeMessage();
        fresh.From.Add(MailboxAddress.Parse("Bob <bob@example.com>"));
        fresh.To.Add(MailboxAddress.Parse($"support+t{new string('a', 32)}@shop.example.test"));
        fresh.Subject = "Do you ship to Norway?";
        fresh.MessageId = "bob-1@customer.example";
        fresh.Body = new TextPart("plain") { Text = "Hello,\nDo you ship to Norway?\n> not a quote of ours, but quoted\n" };
        var created = await store.Anonymous.SendAsync(Post(fresh)).Expect(HttpStatusCode.OK);
        Assert.Equal("created", created["outcome"].Str());
        var ticket = await support.GetAsync($"/api/v1/tickets/{created["ticketId"].Str()}").Expect(HttpStatusCode.OK);
        Assert.Equal(("bob@example.com", "Do you ship to Norway?", "email", "open"), (ticket["email"].Str(), ticket["subject"].Str(), ticket["channel"].Str(), ticket["status"].Str()));
        Assert.Equal("Hello,\nDo you ship to Norway?", Assert.Single(ticket["messages"]!.AsArray())!["body"].Str());
        var replay = await store.Anonymous.SendAsync(Post(fresh)).Expect(HttpStatusCode.OK);
        Assert.Equal((created["ticketId"].Str(), "duplicate"), (replay["ticketId"].Str(), replay["outcome"].Str()));
        await using (var db = store.Db())
        {
            Assert.Equal(2, await db.Set<Ticket>().CountAsync());
        }

        // Without Support:InboundSecret the webhook does not exist.
        await using var plain = await TestStore.StartAsync(database);
        await plain.Anonymous.SendAsync(Post(fresh)).ExpectProblem(HttpStatusCode.NotFound, "not_found");
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task A_reply_with_a_large_attachment_passes_the_api_wide_2_mb_limit(string database)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var store = await TestStore.StartAsync(database, kestrel: true, settings: Settings(smtp));
        var mail = new MimeMessage();
        mail.From.Add(MailboxAddress.Parse("cy@example.com"));
        mail.To.Add(MailboxAddress.Parse("support@shop.example.test"));
        mail.Subject = "Photo of the damage";
        mail.MessageId = "cy-1@customer.example";
        var body = new BodyBuilder { TextBody = "The box arrived crushed, photo attached." };
        body.Attachments.Add("photo.jpg", new byte[3 * 1024 * 1024]);
        mail.Body = body.ToMessageBody();
        var created = await store.Client.SendAsync(Post(mail)).Expect(HttpStatusCode.OK);
        Assert.Equal("created", created["outcome"].Str());
        var ticket = await store.Client.GetAsync($"/api/v1/tickets/{created["ticketId"].Str()}").Expect(HttpStatusCode.OK);
        Assert.Equal("The box arrived crushed, photo attached.", Assert.Single(ticket["messages"]!.AsArray())!["body"].Str());
    }

    [Fact]
    public void Quoted_text_is_cut_at_the_attribution_and_quote_marks()
    {
        Assert.Equal("Yes please.", InboundEmails.StripQuoted("Yes please.\r\n\r\nOn Fri, Dec 4, 2026 at 10:00 AM Storekeep <\r\nshop@example.test> wrote:\r\n> Shall we?\r\n"));
        Assert.Equal("Yes.\n\nBest,\nAda", InboundEmails.StripQuoted("Yes.\n> quoted\n\nBest,\nAda\n-----Original Message-----\nFrom: shop"));
        Assert.Equal("On Monday it arrived, thanks.", InboundEmails.StripQuoted("On Monday it arrived, thanks."));
    }
}
