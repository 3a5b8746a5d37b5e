using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Messaging;
using Storekeep.Tests.Fulfillment;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Messaging;

public sealed class MessageApiTests
{
    private static readonly Dictionary<string, string?> Quiet = new() { ["Email:Deliverer"] = "false", ["Store:PublicUrl"] = "https://shop.example.test" };

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_message_log_filters_by_recipient_type_and_status_and_pages_newest_first(string database)
    {
        await using var store = await TestStore.StartAsync(database, settings: Quiet);
        var ada = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            ada.AddRange(await store.QueueAsync((MessageTypes.PasswordReset, "ada@example.com", MessageTestData.Link())));
        }

        await store.QueueAsync(
            (MessageTypes.AccountVerification, "ada@example.com", MessageTestData.Link()),
            (MessageTypes.PasswordReset, "grace@example.com", MessageTestData.Link("Grace")));

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await store.Client.GetAsync($"/api/v1/messages?to=ADA@example.com&type=password_reset&limit=2{(cursor is null ? "" : "&cursor=" + cursor)}")).Expect(HttpStatusCode.OK);
            var items = page["items"]!.AsArray();
            Assert.InRange(items.Count, 1, 2);
            Assert.All(items, m =>
            {
                Assert.Equal("ada@example.com", m!["to"].Str());
                Assert.Equal("password_reset", m["type"].Str());
                Assert.Equal("pending", m["status"].Str());
                Assert.Equal(0, m["attempts"].Int());
                Assert.Null(m["sentAt"]);
                Assert.Null(m["campaignId"]);
                Assert.Equal("Reset your Storekeep Demo Store password", m["subject"].Str());
            });
            seen.AddRange(items.Select(m => m!["id"].Str()));
            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);

        Assert.Equal(ada.AsEnumerable().Reverse().Select(id => id.ToString()), seen);
        var all = await (await store.Client.GetAsync("/api/v1/messages")).Expect(HttpStatusCode.OK);
        Assert.Equal(7, all["items"]!.AsArray().Count);
        var sent = await (await store.Client.GetAsync("/api/v1/messages?status=sent")).Expect(HttpStatusCode.OK);
        Assert.Empty(sent["items"]!.AsArray());

        await (await store.Client.GetAsync("/api/v1/messages?status=lost")).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await store.Client.GetAsync("/api/v1/messages?type=newsletter")).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await store.Client.GetAsync("/api/v1/messages?cursor=not-ours")).ExpectProblem(HttpStatusCode.BadRequest, "invalid_cursor");
        await (await store.Client.GetAsync("/api/v1/messages?limit=0")).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await store.Client.GetAsync($"/api/v1/messages/{Guid.NewGuid()}")).ExpectProblem(HttpStatusCode.NotFound, "not_found");
        await (await store.Client.PostJson($"/api/v1/messages/{Guid.NewGuid()}/retry", new { })).ExpectProblem(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Reset_and_verification_emails_never_show_their_link_in_the_log()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, settings: Quiet);
        var ids = await store.QueueAsync((MessageTypes.PasswordReset, "ada@example.com", MessageTestData.Link(link: "https://shop.example.test/reset?token=SECRET")));
        var response = await store.Client.GetAsync($"/api/v1/messages/{ids[0]}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("SECRET", text, StringComparison.Ordinal);
        var detail = await response.Json();
        Assert.True(detail["bodyHidden"]!.GetValue<bool>());
        Assert.Null(detail["htmlBody"]);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task An_edited_template_changes_the_next_email_and_a_reset_brings_the_default_back(string database)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var store = await TestStore.StartAsync(database, settings: smtp.Settings());
        await store.Client.PatchJson("/api/v1/settings/store", new { name = "Mugs & Co", address = "1 Market Street\nSpringfield 12345" });
        var saved = await (await store.Client.PutJson("/api/v1/message-templates/order_confirmation", new
        {
            subject = "Thanks {{name}} for order {{order.number}}",
            html = "<p>Dear {{name}}, you owe {{order.total}}.</p><footer>{{store.address}}</footer>",
            text = "Dear {{name}}, you owe {{order.total}}.\n{{store.name}}\n{{store.address}}",
        })).Expect(HttpStatusCode.OK);
        Assert.True(saved["customized"]!.GetValue<bool>());

        await store.AddProductAsync("MUG-1", 12m, main: 5);
        var first = await store.PlaceOrderAsync(("MUG-1", 1));
        var custom = await smtp.WaitForAsync("ada@example.com", $"Thanks Ada Lovelace for order {first["number"]}");
        Assert.Contains("you owe", custom.TextBody, StringComparison.Ordinal);
        Assert.Contains("Mugs & Co\n1 Market Street\nSpringfield 12345", custom.TextBody!.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("1 Market Street<br>Springfield 12345", custom.HtmlBody, StringComparison.Ordinal);
        Assert.Equal("Mugs & Co", custom.From.Mailboxes.Single().Name);

        var preview = await (await store.Client.PostJson("/api/v1/message-templates/order_confirmation/preview", new { subject = "Hi {{name}} {{nope}}" })).Expect(HttpStatusCode.OK);
        Assert.Equal("Hi Ada Lovelace {{nope}}", preview["subject"].Str());
        Assert.Contains("you owe 37.50 USD", preview["text"].Str(), StringComparison.Ordinal);
        Assert.Equal("nope", Assert.Single(preview["unknownPlaceholders"]!.AsArray())!.GetValue<string>());

        var reset = await (await store.Client.DeleteAsync("/api/v1/message-templates/order_confirmation")).Expect(HttpStatusCode.OK);
        Assert.False(reset["customized"]!.GetValue<bool>());
        var second = await store.PlaceOrderAsync(("MUG-1", 1));
        var standard = await smtp.WaitForAsync("ada@example.com", $"Order #{second["number"]} confirmed");
        Assert.Contains("Thank you for your order", standard.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Values_are_html_encoded_in_the_html_body_and_raw_in_the_text_body()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, settings: smtp.Settings());
        await store.QueueAsync((MessageTypes.AccountVerification, "ada@example.com", MessageTestData.Link(name: "<b>Ada</b> & \"friends\"")));
        var email = (await smtp.WaitForAsync(1)).Single();
        Assert.Contains("Hello &lt;b&gt;Ada&lt;/b&gt; &amp; &quot;friends&quot;,", email.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>Ada</b>", email.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("Hello <b>Ada</b> & \"friends\",", email.TextBody, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Bad_template_edits_are_refused_with_a_problem_and_change_nothing(string database)
    {
        await using var store = await TestStore.StartAsync(database, settings: Quiet);
        const string url = "/api/v1/message-templates/refund";
        await (await store.Client.PutJson("/api/v1/message-templates/newsletter", new { subject = "s", html = "h", text = "t" })).ExpectProblem(HttpStatusCode.NotFound, "not_found");
        await (await store.Client.GetAsync("/api/v1/message-templates/newsletter")).ExpectProblem(HttpStatusCode.NotFound, "not_found");
        await (await store.Client.PostJson("/api/v1/message-templates/newsletter/preview", new { })).ExpectProblem(HttpStatusCode.NotFound, "not_found");
        var empty = await (await store.Client.PutJson(url, new { subject = " ", html = "<p>x</p>", text = "x" })).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(empty["errors"]!["subject"]);
        var missing = await (await store.Client.PutJson(url, new { subject = "s" })).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(missing["errors"]!["html"]);
        Assert.NotNull(missing["errors"]!["text"]);
        var huge = await (await store.Client.PutJson(url, new { subject = "s", html = new string('x', MessageTemplate.MaxHtmlLength + 1), text = "t" })).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(huge["errors"]!["html"]);
        await (await store.Client.PutJson(url, new { subject = "s\u0000", html = "h", text = "t" })).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        var unknown = await (await store.Client.PutJson(url, new { subject = "Refund {{refund.amount}}", html = "{{tracking.link}}", text = "{{ secret }}" })).ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_placeholder");
        Assert.Equal(["tracking.link", "secret"], unknown["placeholders"]!.AsArray().Select(p => p!.GetValue<string>()));
        await (await store.Client.PatchJson("/api/v1/settings/store", new { address = new string('a', 501) })).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");

        var template = await (await store.Client.GetAsync(url)).Expect(HttpStatusCode.OK);
        Assert.False(template["customized"]!.GetValue<bool>());
        Assert.Equal(BuiltInTemplates.Find(MessageTypes.Refund)!.Subject, template["subject"].Str());
        Assert.Contains("refund.amount", template["placeholders"]!.AsArray().Select(p => p!.GetValue<string>()));
        await using var db = store.Db();
        Assert.Equal(0, await db.MessageTemplates.CountAsync());
        Assert.Null((await db.StoreSettings.SingleOrDefaultAsync())?.Address);
        var list = await (await store.Client.GetAsync("/api/v1/message-templates")).Expect(HttpStatusCode.OK);
        Assert.Equal(MessageTypes.All, list.AsArray().Select(t => t!["key"].Str()));
    }

    [Fact]
    public async Task Support_reads_the_log_marketing_edits_templates_and_others_are_refused()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, settings: Quiet);
        var id = (await store.QueueAsync((MessageTypes.AccountVerification, "ada@example.com", MessageTestData.Link())))[0];
        var body = new { subject = "Welcome {{name}}", html = "<a href=\"{{link}}\">Confirm</a>", text = "{{link}}" };

        Assert.Equal(HttpStatusCode.Unauthorized, (await store.Anonymous.GetAsync("/api/v1/messages")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await store.Anonymous.GetAsync("/api/v1/message-templates")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await store.Anonymous.PostJson($"/api/v1/messages/{id}/retry", new { })).StatusCode);

        var warehouse = await store.ClientForAsync(Role.Warehouse);
        Assert.Equal(HttpStatusCode.Forbidden, (await warehouse.GetAsync("/api/v1/messages")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await warehouse.GetAsync($"/api/v1/messages/{id}")).StatusCode);

        var support = await store.ClientForAsync(Role.Support);
        await (await support.GetAsync("/api/v1/messages")).Expect(HttpStatusCode.OK);
        await (await support.GetAsync($"/api/v1/messages/{id}")).Expect(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Forbidden, (await support.PostJson($"/api/v1/messages/{id}/retry", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await support.PutJson("/api/v1/message-templates/account_verification", body)).StatusCode);

        var sales = await store.ClientForAsync(Role.Sales);
        Assert.Equal(HttpStatusCode.Forbidden, (await sales.GetAsync("/api/v1/message-templates")).StatusCode);

        var marketing = await store.ClientForAsync(Role.Marketing);
        await (await marketing.PutJson("/api/v1/message-templates/account_verification", body)).Expect(HttpStatusCode.OK);
        await (await marketing.PostJson($"/api/v1/messages/{id}/retry", new { })).Expect(HttpStatusCode.Accepted);
        await using var db = store.Db();
        Assert.Equal("Welcome {{name}}", (await db.MessageTemplates.SingleAsync()).Subject);
    }
}
