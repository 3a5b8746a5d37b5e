using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Storekeep.Access;
using Storekeep.Campaigns;
using Storekeep.Customers;
using Storekeep.Messaging;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Campaigns;

/// <summary>
/// Campaigns on both databases against a real SMTP listener and a local Twilio double: consent
/// enforced, each recipient once (two nodes included), RFC 8058 one-click unsubscribe, tracked
/// opens and clicks, orders attributed within 7 days of a click (checked against raw SQL),
/// variants, scheduling, cancelling and refusals that change nothing.
/// </summary>
public sealed class CampaignTests
{
    private static readonly Dictionary<string, string?> NoDispatcher = new() { ["Campaigns:Dispatcher"] = "false" };

    private static async Task<string> CustomerAsync(HttpClient client, string email, bool acceptsEmail, string tag = "vip", string? phone = null, bool acceptsSms = false, string? firstName = null)
    {
        var created = await client.PostJson("/api/v1/customers", new
        {
            email,
            firstName = firstName ?? email.Split('@')[0],
            phone,
            tags = new[] { tag },
            consent = new { email = new { accepted = acceptsEmail, source = "test" }, sms = new { accepted = acceptsSms, source = "test" } },
        }).Expect(HttpStatusCode.Created);
        return created["id"].Str();
    }

    private static async Task<string> SegmentAsync(HttpClient client, string tag) =>
        (await client.PostJson("/api/v1/segments", new { name = $"Tagged {tag}", match = "all", rules = new[] { new { field = "tag", op = "eq", value = tag } } })
            .Expect(HttpStatusCode.Created))["id"].Str();

    private static Task<JsonNode> CampaignAsync(HttpClient client, object body) =>
        client.PostJson("/api/v1/campaigns", body).Expect(HttpStatusCode.Created);

    private static string Header(MimeMessage message, string name) => message.Headers[name] ?? "";

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task An_email_campaign_reaches_each_consenting_member_once_with_one_click_unsubscribe_tracked_links_and_attributed_orders(string database)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var store = await TestStore.StartAsync(database, settings: smtp.Settings(new Dictionary<string, string?> { ["Campaigns:RatePerSecond"] = "1000", ["Campaigns:PollMilliseconds"] = "50" }));
        await store.Client.PatchJson("/api/v1/settings/store", new { address = "1 Market Street\nSpringfield 12345" }).Expect(HttpStatusCode.OK);
        await store.AddProductAsync("TEA-1", 20m, main: 10);
        var marketing = await store.ClientForAsync(Role.Marketing);
        var ada = await CustomerAsync(marketing, "ada@example.com", acceptsEmail: true, firstName: "Ada <b>");
        await CustomerAsync(marketing, "bob@example.com", acceptsEmail: true);
        await CustomerAsync(marketing, "cy@example.com", acceptsEmail: false); // no consent: never gets it
        await CustomerAsync(marketing, "dee@example.com", acceptsEmail: true, tag: "other"); // not in the segment
        var segment = await SegmentAsync(marketing, "vip");

        var campaign = await CampaignAsync(marketing, new
        {
            name = "Spring teas",
            channel = "email",
            segmentId = segment,
            subject = "New teas for you, {{customer.firstName}}",
            body = "Hello {{customer.firstName}},\n\nOur spring teas are in: https://shop.example.test/products/tea-1.\n\nSee you soon.",
        });
        var id = campaign["id"].Str();
        Assert.Equal("draft", campaign["status"].Str());
        Assert.Equal(0, campaign["recipients"].Int());

        var sent = await marketing.PostAsync($"/api/v1/campaigns/{id}/send", null).Expect(HttpStatusCode.Accepted);
        Assert.Equal(2, sent["recipients"].Int());
        await marketing.PostAsync($"/api/v1/campaigns/{id}/send", null).ExpectProblem(HttpStatusCode.Conflict, "campaign_already_sent");

        var received = await smtp.WaitForAsync(2);
        Assert.Equal(["ada@example.com", "bob@example.com"], received.Select(m => m.To.Mailboxes.Single().Address).Order());
        var toAda = received.Single(m => m.To.Mailboxes.Single().Address == "ada@example.com");
        Assert.Equal("New teas for you, Ada <b>", toAda.Subject);
        Assert.Contains("Hello Ada &lt;b&gt;,", toAda.HtmlBody, StringComparison.Ordinal);
        var unsubscribe = Header(toAda, "List-Unsubscribe");
        Assert.Matches("^<https://shop.example.test/m/u/[0-9a-f]{32}>$", unsubscribe);
        Assert.Equal("List-Unsubscribe=One-Click", Header(toAda, "List-Unsubscribe-Post"));
        var unsubscribeUrl = unsubscribe.Trim('<', '>');
        var token = unsubscribeUrl[(unsubscribeUrl.LastIndexOf('/') + 1)..];
        Assert.Contains($"href=\"{unsubscribeUrl}\"", toAda.HtmlBody, StringComparison.Ordinal); // a visible link too
        Assert.Contains("1 Market Street<br>Springfield 12345", toAda.HtmlBody, StringComparison.Ordinal); // the postal address in the footer
        Assert.Contains($"https://shop.example.test/m/c/{token}/0", toAda.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("https://shop.example.test/products/tea-1", toAda.TextBody, StringComparison.Ordinal);
        Assert.Contains($"src=\"https://shop.example.test/m/o/{token}\"", toAda.HtmlBody, StringComparison.Ordinal);

        // The pixel records an open; the click redirects only to the campaign's own link and records the click.
        var browser = store.CreateBrowserClient(new() { AllowAutoRedirect = false });
        var pixel = await browser.GetAsync($"/m/o/{token}");
        Assert.Equal(HttpStatusCode.OK, pixel.StatusCode);
        Assert.Equal("image/gif", pixel.Content.Headers.ContentType!.MediaType);
        var click = await browser.GetAsync($"/m/c/{token}/0");
        Assert.Equal(HttpStatusCode.Redirect, click.StatusCode);
        Assert.Equal("https://shop.example.test/products/tea-1", click.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/m/c/{token}/1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/m/c/{new string('0', 32)}/0")).StatusCode);

        // Ada orders after her click: the order is the campaign's. Bob's order (no click) is not.
        var cart = await store.CartWithAsync(store.Anonymous, ("TEA-1", 2));
        var order = await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(email: "ada@example.com")).Expect(HttpStatusCode.Created);
        var bobCart = await store.CartWithAsync(store.Anonymous, ("TEA-1", 1));
        await store.Anonymous.PostJson($"/api/v1/carts/{bobCart}/checkout", TestCatalog.CheckoutBody(email: "bob@example.com")).Expect(HttpStatusCode.Created);

        // One-click unsubscribe: a POST without sign-in withdraws consent at once.
        var page = await browser.GetAsync($"/m/u/{token}");
        Assert.Contains("ada@example.com", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var oneClick = await browser.PostAsync($"/m/u/{token}", new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);
        await using (var db = store.Db())
        {
            var customer = await db.Customers.SingleAsync(c => c.Email == "ada@example.com");
            Assert.False(customer.AcceptsEmail);
            Assert.Equal(CampaignTracking.UnsubscribeSource, customer.EmailConsentSource);
        }

        var results = await marketing.GetAsync($"/api/v1/campaigns/{id}").Expect(HttpStatusCode.OK);
        await Eventually.HoldsAsync(async () => (await marketing.GetAsync($"/api/v1/campaigns/{id}").Expect(HttpStatusCode.OK))["sent"].Int() == 2, "both messages recorded as sent");
        results = await marketing.GetAsync($"/api/v1/campaigns/{id}").Expect(HttpStatusCode.OK);
        Assert.Equal(2, results["recipients"].Int());
        Assert.Equal(2, results["sent"].Int());
        Assert.Equal(0, results["failed"].Int());
        Assert.Equal(1, results["opened"].Int());
        Assert.Equal(1, results["clicked"].Int());
        Assert.Equal(1, results["unsubscribed"].Int());
        Assert.Equal(1, results["orders"].Int());
        Assert.Equal(order["total"].Dec(), results["revenue"].Dec());
        Assert.Empty(results["variants"]!.AsArray()); // no variants were asked for

        // The attribution, computed independently in SQL: orders by a recipient within 7 days after their click.
        await using (var db = store.Db())
        {
            var clicked = await db.Set<CampaignRecipient>().Where(r => r.CampaignId == Guid.Parse(id) && r.ClickedAt != null).Select(r => new { r.CustomerId, r.ClickedAt }).ToListAsync();
            var expected = 0m;
            var count = 0;
            foreach (var r in clicked)
            {
                var totals = await db.Database.SqlQueryRaw<long>(
                    "SELECT total AS \"Value\" FROM orders WHERE customer_id = {0} AND status <> 'cancelled' AND created_at >= {1} AND created_at < {2}",
                    r.CustomerId, r.ClickedAt!.Value, r.ClickedAt.Value.AddDays(7)).ToListAsync();
                count += totals.Count;
                expected += totals.Sum() / 100m;
            }

            Assert.Equal(count, results["orders"].Int());
            Assert.Equal(expected, results["revenue"].Dec());
            Assert.Equal(Guid.Parse(ada), clicked.Single().CustomerId);
        }

        // The log shows campaign messages with their campaign.
        var log = await marketing.GetAsync("/api/v1/messages?type=campaign").Expect(HttpStatusCode.OK);
        Assert.Equal(2, log["items"]!.AsArray().Count);
        Assert.All(log["items"]!.AsArray(), m => Assert.Equal(id, m!["campaignId"].Str()));
        Assert.Equal("sent", (await marketing.GetAsync($"/api/v1/campaigns/{id}").Expect(HttpStatusCode.OK))["status"].Str());
        await marketing.PostAsync($"/api/v1/campaigns/{id}/cancel", null).ExpectProblem(HttpStatusCode.Conflict, "campaign_finished");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Two_nodes_dispatching_one_campaign_send_each_recipient_exactly_once(string database)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        var settings = smtp.Settings(new Dictionary<string, string?> { ["Campaigns:RatePerSecond"] = "2000", ["Campaigns:BatchSize"] = "40", ["Campaigns:PollMilliseconds"] = "20" });
        await using var store = await TestStore.StartAsync(database, settings: settings);
        await using var other = await store.StartAnotherNodeAsync(settings);
        const int Customers = 240;
        await using (var db = store.Db())
        {
            for (var i = 0; i < Customers; i++)
            {
                var customer = new Customer { Email = $"c{i:D3}@example.com", FirstName = $"C{i}", CreatedAt = DateTime.UtcNow };
                customer.SetEmailConsent(true, "test", DateTime.UtcNow);
                db.Customers.Add(customer);
                db.Set<CustomerTag>().Add(new CustomerTag { CustomerId = customer.Id, Tag = "bulk" });
            }

            await db.SaveChangesAsync();
        }

        var segment = await SegmentAsync(store.Client, "bulk");
        var campaign = await CampaignAsync(store.Client, new { name = "Everyone", channel = "email", segmentId = segment, subject = "Hi", body = "Hello {{customer.firstName}}" });
        var id = campaign["id"].Str();

        // Both nodes are asked to send at once: one wins, the other is told it is already sending.
        var sends = await Task.WhenAll(
            store.Client.PostAsync($"/api/v1/campaigns/{id}/send", null),
            other.Client.PostAsync($"/api/v1/campaigns/{id}/send", null));
        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Conflict], sends.Select(s => s.StatusCode).Order());

        var received = await smtp.WaitForAsync(Customers, TimeSpan.FromSeconds(90));
        await Eventually.HoldsAsync(async () =>
        {
            await using var db = store.Db();
            return await db.Messages.CountAsync(m => m.CampaignId == Guid.Parse(id) && m.Status == MessageStatus.Sent) == Customers;
        }, "every message recorded as sent", seconds: 60);
        await Task.Delay(500); // a duplicate would arrive now
        var addresses = smtp.Received.Select(m => m.To.Mailboxes.Single().Address).ToList();
        Assert.Equal(Customers, addresses.Count);
        Assert.Equal(Customers, addresses.Distinct().Count());
        await using (var db = store.Db())
        {
            Assert.Equal(Customers, await db.Set<CampaignRecipient>().CountAsync(r => r.CampaignId == Guid.Parse(id) && r.Status == RecipientStatus.Queued));
            Assert.Equal(Customers, await db.Messages.CountAsync(m => m.CampaignId == Guid.Parse(id)));
        }

        var results = await store.Client.GetAsync($"/api/v1/campaigns/{id}").Expect(HttpStatusCode.OK);
        Assert.Equal(Customers, results["sent"].Int());
        Assert.Equal(Customers, results["dispatched"].Int());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Dispatch_keeps_to_the_configured_rate(string database)
    {
        var settings = new Dictionary<string, string?>(NoDispatcher) { ["Campaigns:RatePerSecond"] = "10" };
        await using var store = await TestStore.StartAsync(database, settings: settings);
        for (var i = 0; i < 60; i++)
        {
            await CustomerAsync(store.Client, $"r{i}@example.com", acceptsEmail: true, tag: "rate");
        }

        var segment = await SegmentAsync(store.Client, "rate");
        var id = (await CampaignAsync(store.Client, new { name = "Slow", channel = "email", segmentId = segment, subject = "Hi", body = "Hello" }))["id"].Str();
        var started = DateTime.UtcNow;
        await store.Client.PostAsync($"/api/v1/campaigns/{id}/send", null).Expect(HttpStatusCode.Accepted);
        var dispatcher = store.Services.GetRequiredService<CampaignDispatcher>();
        var first = await dispatcher.DispatchAsync(Guid.Parse(id), CancellationToken.None);
        var second = await dispatcher.DispatchAsync(Guid.Parse(id), CancellationToken.None);
        var elapsed = (DateTime.UtcNow - started).TotalSeconds;
        // The allowance is rate × (elapsed + 1 s): the first second's worth at once, then no more until time passes.
        Assert.InRange(first, 10, 60);
        Assert.True(first + second <= Math.Floor(10 * (elapsed + 1)), $"{first + second} handed over in {elapsed:F2} s at 10/s");
        await using var db = store.Db();
        Assert.Equal(first + second, await db.Messages.CountAsync(m => m.CampaignId == Guid.Parse(id)));
        Assert.Equal(60 - first - second, await db.Set<CampaignRecipient>().CountAsync(r => r.CampaignId == Guid.Parse(id) && r.Status == RecipientStatus.Pending));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task An_sms_campaign_goes_through_twilio_to_consenting_phones_and_records_refusals_as_failed(string database)
    {
        await using var twilio = await TwilioDouble.StartAsync();
        var settings = twilio.Settings();
        settings["Store:PublicUrl"] = "https://shop.example.test";
        settings["Email:PollMilliseconds"] = "50";
        settings["Campaigns:RatePerSecond"] = "1000";
        settings["Campaigns:PollMilliseconds"] = "50";
        await using var store = await TestStore.StartAsync(database, settings: settings);
        await CustomerAsync(store.Client, "p1@example.com", acceptsEmail: false, tag: "sms", phone: "+1 (415) 555-0101", acceptsSms: true);
        await CustomerAsync(store.Client, "p2@example.com", acceptsEmail: false, tag: "sms", phone: "+1 415 555 0102", acceptsSms: true);
        await CustomerAsync(store.Client, "p3@example.com", acceptsEmail: true, tag: "sms", phone: "+1 415 555 0103", acceptsSms: false); // no SMS consent
        await CustomerAsync(store.Client, "p4@example.com", acceptsEmail: false, tag: "sms", phone: "555-0104", acceptsSms: true); // not a full international number
        twilio.Invalid["+14155550102"] = true;
        var segment = await SegmentAsync(store.Client, "sms");
        var id = (await CampaignAsync(store.Client, new { name = "Flash sale", channel = "sms", segmentId = segment, body = "{{store.name}}: 20% off today https://shop.example.test/sale" }))["id"].Str();

        var sent = await store.Client.PostAsync($"/api/v1/campaigns/{id}/send", null).Expect(HttpStatusCode.Accepted);
        Assert.Equal(2, sent["recipients"].Int());
        await Eventually.HoldsAsync(async () =>
        {
            var c = await store.Client.GetAsync($"/api/v1/campaigns/{id}").Expect(HttpStatusCode.OK);
            return c["sent"].Int() == 1 && c["failed"].Int() == 1;
        }, "one SMS sent and one refused");

        Assert.Equal(2, twilio.Received.Count); // a refused number is not retried
        var delivered = twilio.Received.Single(r => r.To == "+14155550101");
        Assert.Equal(TwilioDouble.AccountSid, delivered.AccountSid);
        Assert.Equal(TwilioDouble.From, delivered.From);
        Assert.Equal("Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{TwilioDouble.AccountSid}:{TwilioDouble.AuthToken}")), delivered.Authorization);
        Assert.Matches(@"^Storekeep[^\n]*: 20% off today https://shop\.example\.test/m/c/[0-9a-f]{32}/0\nOpt out: https://shop\.example\.test/m/u/[0-9a-f]{32}$", delivered.Body);
        await using var db = store.Db();
        var failed = await db.Messages.SingleAsync(m => m.CampaignId == Guid.Parse(id) && m.Status == MessageStatus.Failed);
        Assert.Equal("+14155550102", failed.To);
        Assert.Equal(1, failed.Attempts);
        Assert.Contains("21211", failed.LastError, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Variants_split_recipients_by_weight_and_each_gets_its_variants_text(string database)
    {
        await using var store = await TestStore.StartAsync(database, settings: new Dictionary<string, string?>(NoDispatcher) { ["Campaigns:RatePerSecond"] = "1000" });
        for (var i = 0; i < 40; i++)
        {
            await CustomerAsync(store.Client, $"v{i}@example.com", acceptsEmail: true, tag: "ab");
        }

        var segment = await SegmentAsync(store.Client, "ab");
        var created = await CampaignAsync(store.Client, new
        {
            name = "Subject test",
            channel = "email",
            segmentId = segment,
            subject = "Fallback subject",
            variants = new object[]
            {
                new { key = "a", subject = "Subject A", body = "Body A", weight = 1 },
                new { key = "b", body = "Body B", weight = 3 },
            },
        });
        var id = created["id"].Str();
        Assert.Equal(["a", "b"], created["variants"]!.AsArray().Select(v => v!["key"].Str()));
        await store.Client.PostAsync($"/api/v1/campaigns/{id}/send", null).Expect(HttpStatusCode.Accepted);
        var dispatched = await store.Services.GetRequiredService<CampaignDispatcher>().DispatchAsync(Guid.Parse(id), CancellationToken.None);
        Assert.Equal(40, dispatched);

        var results = await store.Client.GetAsync($"/api/v1/campaigns/{id}").Expect(HttpStatusCode.OK);
        var variants = results["variants"]!.AsArray();
        Assert.Equal(40, variants.Sum(v => v!["recipients"].Int()));
        Assert.All(variants, v => Assert.True(v!["recipients"].Int() > 0));
        await using var db = store.Db();
        var messages = await db.Messages.Where(m => m.CampaignId == Guid.Parse(id))
            .Join(db.Set<CampaignRecipient>(), m => m.Id, r => r.Id, (m, r) => new { r.VariantKey, r.CustomerId, m.Subject, m.TextBody }).ToListAsync();
        Assert.Equal(40, messages.Count);
        Assert.All(messages, m =>
        {
            Assert.Equal(m.VariantKey == "a" ? "Subject A" : "Fallback subject", m.Subject);
            Assert.StartsWith(m.VariantKey == "a" ? "Body A" : "Body B", m.TextBody, StringComparison.Ordinal);
            // Sticky: the assignment is a function of campaign and customer alone.
            Assert.Equal(Storekeep.Campaigns.Campaigns.Assign(Guid.Parse(id), m.CustomerId, [new("a", null, "", 1), new("b", null, "", 3)]), m.VariantKey);
        });
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_scheduled_campaign_waits_for_its_time_can_change_until_then_and_a_cancelled_one_sends_nothing(string database)
    {
        await using var store = await TestStore.StartAsync(database, settings: NoDispatcher);
        await CustomerAsync(store.Client, "s1@example.com", acceptsEmail: true, tag: "sched");
        var segment = await SegmentAsync(store.Client, "sched");
        var at = DateTimeOffset.UtcNow.AddSeconds(2);
        var id = (await CampaignAsync(store.Client, new { name = "Later", channel = "email", segmentId = segment, subject = "Soon", body = "Hello", scheduledAt = at }))["id"].Str();
        var scheduled = await store.Client.PostAsync($"/api/v1/campaigns/{id}/send", null).Expect(HttpStatusCode.Accepted);
        Assert.Equal("scheduled", scheduled["status"].Str());
        Assert.Equal(0, scheduled["recipients"].Int());
        var changed = await store.Client.PutJson($"/api/v1/campaigns/{id}", new { name = "Later", channel = "email", segmentId = segment, subject = "Sooner", body = "Hello", scheduledAt = at }).Expect(HttpStatusCode.OK);
        Assert.Equal("Sooner", changed["subject"].Str());

        var dispatcher = store.Services.GetRequiredService<CampaignDispatcher>();
        Assert.Equal(0, await dispatcher.DispatchDueAsync(CancellationToken.None)); // not due yet
        await Task.Delay(at - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, await dispatcher.DispatchDueAsync(CancellationToken.None));
        await store.Client.PutJson($"/api/v1/campaigns/{id}", new { name = "Later", channel = "email", segmentId = segment, subject = "Too late", body = "Hello" })
            .ExpectProblem(HttpStatusCode.Conflict, "campaign_not_editable");

        var second = (await CampaignAsync(store.Client, new { name = "Never", channel = "email", segmentId = segment, subject = "No", body = "No" }))["id"].Str();
        await store.Client.PostAsync($"/api/v1/campaigns/{second}/send", null).Expect(HttpStatusCode.Accepted);
        var cancelled = await store.Client.PostAsync($"/api/v1/campaigns/{second}/cancel", null).Expect(HttpStatusCode.OK);
        Assert.Equal("cancelled", cancelled["status"].Str());
        Assert.Equal(0, await dispatcher.DispatchAsync(Guid.Parse(second), CancellationToken.None));
        await using var db = store.Db();
        Assert.Equal(0, await db.Messages.CountAsync(m => m.CampaignId == Guid.Parse(second)));
        Assert.Equal(1, await db.Set<CampaignRecipient>().CountAsync(r => r.CampaignId == Guid.Parse(second) && r.Status == RecipientStatus.Cancelled));
    }

    [Fact]
    public async Task A_campaign_experiment_counts_each_variants_recipients_and_their_attributed_orders()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, settings: new Dictionary<string, string?>(NoDispatcher) { ["Campaigns:RatePerSecond"] = "1000" });
        await store.AddProductAsync("TEA-1", 20m, main: 10);
        for (var i = 0; i < 30; i++)
        {
            await CustomerAsync(store.Client, $"e{i}@example.com", acceptsEmail: true, tag: "exp");
        }

        var segment = await SegmentAsync(store.Client, "exp");
        var campaign = await CampaignAsync(store.Client, new
        {
            name = "Subject test", channel = "email", segmentId = segment, subject = "Hello",
            variants = new object[] { new { key = "control", body = "Plain https://shop.example.test/a", weight = 1 }, new { key = "treatment", subject = "Hello!", body = "Bold https://shop.example.test/a", weight = 1 } },
        });
        var id = campaign["id"].Str();
        await store.Client.PostJson("/api/v1/experiments", new { name = "Wrong arms", kind = "campaign", metric = "conversion", campaignId = id, variants = new[] { new { key = "control", weight = 1 }, new { key = "b", weight = 1 } } })
            .ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        var experiment = await store.Client.PostJson("/api/v1/experiments", new
        {
            name = "Subject test", kind = "campaign", metric = "conversion", campaignId = id,
            variants = new[] { new { key = "control", weight = 1 }, new { key = "treatment", weight = 1 } },
        }).Expect(HttpStatusCode.Created);
        await store.Client.PostAsync($"/api/v1/campaigns/{id}/send", null).Expect(HttpStatusCode.Accepted);
        await store.Services.GetRequiredService<CampaignDispatcher>().DispatchAsync(Guid.Parse(id), CancellationToken.None);

        // One treatment recipient clicks and orders.
        string token, email;
        await using (var db = store.Db())
        {
            var recipient = await db.Set<CampaignRecipient>().Where(r => r.CampaignId == Guid.Parse(id) && r.VariantKey == "treatment").OrderBy(r => r.Id).FirstAsync();
            (token, email) = (recipient.Token, recipient.Address);
        }

        var browser = store.CreateBrowserClient(new() { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync($"/m/c/{token}/0")).StatusCode);
        var cart = await store.CartWithAsync(store.Anonymous, ("TEA-1", 1));
        var order = await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(email: email)).Expect(HttpStatusCode.Created);

        var results = await store.Client.GetAsync($"/api/v1/experiments/{experiment["id"].Str()}/results").Expect(HttpStatusCode.OK);
        var view = await store.Client.GetAsync($"/api/v1/campaigns/{id}").Expect(HttpStatusCode.OK);
        foreach (var key in new[] { "control", "treatment" })
        {
            var arm = results["variants"]!.AsArray().Single(v => v!["key"].Str() == key)!;
            var variant = view["variants"]!.AsArray().Single(v => v!["key"].Str() == key)!;
            Assert.Equal(variant["recipients"].Int(), arm["visitors"].Int());
            Assert.Equal(key == "treatment" ? 1 : 0, arm["conversions"].Int());
            Assert.Equal(key == "treatment" ? order["total"].Dec() : 0m, arm["revenue"].Dec());
        }
    }

    [Fact]
    public async Task Bad_campaigns_are_refused_with_the_field_and_nothing_is_saved()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, settings: NoDispatcher);
        var segment = await SegmentAsync(store.Client, "x");
        var problem = await store.Client.PostJson("/api/v1/campaigns", new { name = "", channel = "fax", body = "Hi {{customer.password}}" }).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("name"));
        Assert.True(errors.ContainsKey("channel"));
        Assert.True(errors.ContainsKey("segmentId"));
        problem = await store.Client.PostJson("/api/v1/campaigns", new { name = "A", channel = "email", segmentId = segment, subject = "S", body = "Hi {{customer.password}}" }).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains("{{customer.password}}", problem["errors"]!["body"]![0].Str(), StringComparison.Ordinal);
        problem = await store.Client.PostJson("/api/v1/campaigns", new
        {
            name = "A", channel = "email", segmentId = segment, subject = "S",
            variants = new object[] { new { key = "a", body = "x", weight = 1 }, new { key = "a", body = "", weight = 0 } },
        }).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("variants[1].key"));
        Assert.True(errors.ContainsKey("variants[1].body"));
        Assert.True(errors.ContainsKey("variants[1].weight"));
        await store.Client.PostJson("/api/v1/campaigns", new { name = "A", channel = "email", segmentId = Guid.NewGuid(), subject = "S", body = "B" }).ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_segment");
        await store.Client.PostJson("/api/v1/campaigns", new { name = "A", channel = "sms", segmentId = segment, body = new string('x', 1601) }).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await store.Client.PostAsync($"/api/v1/campaigns/{Guid.NewGuid()}/send", null).ExpectProblem(HttpStatusCode.NotFound);
        await using var db = store.Db();
        Assert.Equal(0, await db.Set<Campaign>().CountAsync());

        var support = await store.ClientForAsync(Role.Support);
        Assert.Equal(HttpStatusCode.Forbidden, (await support.GetAsync("/api/v1/campaigns")).StatusCode);
    }

    [Fact]
    public async Task A_test_send_and_a_preview_show_the_message_without_counting_it()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, settings: smtp.Settings(NoDispatcher));
        var ada = await CustomerAsync(store.Client, "ada@example.com", acceptsEmail: true, tag: "t", firstName: "Ada");
        var segment = await SegmentAsync(store.Client, "t");
        var id = (await CampaignAsync(store.Client, new { name = "Hello", channel = "email", segmentId = segment, subject = "Hi {{customer.firstName}}", body = "Dear {{customer.firstName}}, see https://shop.example.test/x" }))["id"].Str();
        var preview = await store.Client.PostJson($"/api/v1/campaigns/{id}/preview", new { customerId = ada }).Expect(HttpStatusCode.OK);
        Assert.Equal("Hi Ada", preview["subject"].Str());
        Assert.Contains("Dear Ada, see", preview["text"].Str(), StringComparison.Ordinal);
        Assert.Contains("Unsubscribe", preview["html"].Str(), StringComparison.Ordinal);
        Assert.DoesNotContain("/m/o/", preview["html"].Str(), StringComparison.Ordinal); // showing a preview fetches no open pixel
        await store.Client.PostJson($"/api/v1/campaigns/{id}/test", new { to = "marketer@example.com" }).Expect(HttpStatusCode.Accepted);
        var test = await smtp.WaitForAsync("marketer@example.com", "[Test] Hi Test");
        Assert.Contains("List-Unsubscribe", test.Headers.Select(h => h.Field));
        var results = await store.Client.GetAsync($"/api/v1/campaigns/{id}").Expect(HttpStatusCode.OK);
        Assert.Equal("draft", results["status"].Str());
        Assert.Equal(0, results["recipients"].Int());
        Assert.Equal(0, results["sent"].Int());
        await store.Client.PostJson($"/api/v1/campaigns/{id}/test", new { to = "not an email" }).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
    }
}
