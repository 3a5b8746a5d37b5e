using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Accounts;
using Storekeep.Access;
using Storekeep.Messaging;
using Storekeep.Support;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Support;

/// <summary>
/// Tickets over the API on both databases: the conversation, a public reply emailed once after
/// commit (never an internal note), status changes that pause and stop the SLA clocks, refusals
/// that change nothing, the breach list and the report against figures computed by hand.
/// </summary>
public sealed class TicketApiTests
{
    private static Task<JsonNode> CreateAsync(HttpClient client, object body) =>
        client.PostJson("/api/v1/tickets", body).Expect(HttpStatusCode.Created);

    private static async Task<(int Tickets, int Messages, int Pauses, int Emails)> CountsAsync(TestStore store)
    {
        await using var db = store.Db();
        return (await db.Set<Ticket>().CountAsync(), await db.Set<TicketMessage>().CountAsync(), await db.Set<TicketPause>().CountAsync(), await db.Messages.CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_public_reply_is_emailed_once_after_commit_an_internal_note_never_and_statuses_drive_the_clocks(string database)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var store = await TestStore.StartAsync(database, settings: smtp.Settings());
        await store.AddProductAsync("TEA-1", 20m, main: 10);
        var cart = await store.CartWithAsync(store.Anonymous, ("TEA-1", 1));
        var order = await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(email: "ada@example.com")).Expect(HttpStatusCode.Created);
        var support = await store.ClientForAsync(Role.Support);

        var created = await CreateAsync(support, new
        {
            email = "Ada@Example.com",
            subject = "Where is my tea?",
            body = "I ordered last week.\nNothing yet.",
            orderId = order["id"].Str(),
            channel = "email",
            priority = "high",
        });
        var id = created["id"].Str();
        Assert.Equal("open", created["status"].Str());
        Assert.Equal("high", created["priority"].Str());
        Assert.Equal("ada@example.com", created["email"].Str());
        Assert.Equal(order["number"]!.GetValue<long>(), created["order"]!["number"]!.GetValue<long>());
        Assert.Equal("ada@example.com", created["customer"]!["email"].Str());
        Assert.Equal(240, created["sla"]!["firstResponseTargetMinutes"].Int());
        Assert.Equal(1440, created["sla"]!["resolutionTargetMinutes"].Int());
        Assert.Null(created["sla"]!["firstResponseAt"]);
        var first = Assert.Single(created["messages"]!.AsArray());
        Assert.Equal("customer", first!["author"].Str());
        Assert.Equal("I ordered last week.\nNothing yet.", first["body"].Str());

        var noted = await support.PostJson($"/api/v1/tickets/{id}/messages", new { body = "Checked the warehouse: shipped Tuesday.", @internal = true }).Expect(HttpStatusCode.Created);
        Assert.Null(noted["sla"]!["firstResponseAt"]); // a note is no response to the customer
        var replied = await support.PostJson($"/api/v1/tickets/{id}/messages", new { body = "Hello Ada,\nyour tea is on its way.", @internal = false }).Expect(HttpStatusCode.Created);
        Assert.NotNull(replied["sla"]!["firstResponseAt"]);
        Assert.Equal(3, replied["messages"]!.AsArray().Count);

        var email = await smtp.WaitForAsync("ada@example.com", "Re: Where is my tea?");
        Assert.Contains("your tea is on its way.", email.TextBody, StringComparison.Ordinal);
        Assert.Contains($"/account/tickets/{id}", email.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("warehouse", email.TextBody, StringComparison.Ordinal);
        await using (var db = store.Db())
        {
            var message = await db.Messages.SingleAsync(m => m.Type == MessageTypes.TicketReply);
            var reply = await db.Set<TicketMessage>().SingleAsync(m => m.TicketId == Guid.Parse(id) && m.Author == "staff" && !m.Internal);
            Assert.Equal($"ticket_reply:{reply.Id}", message.DedupeKey);
            Assert.Equal(message.Id, reply.EmailMessageId);
            await Eventually.HoldsAsync(async () =>
            {
                await using var check = store.Db();
                return await check.Messages.AnyAsync(m => m.Id == message.Id && m.Status == MessageStatus.Sent);
            }, "the reply recorded as sent");
        }

        await Task.Delay(300);
        Assert.Single(smtp.Received, m => m.Subject == "Re: Where is my tea?");

        // Waiting on the customer pauses the clocks; answering again closes the pause.
        var waiting = await support.PatchJson($"/api/v1/tickets/{id}", new { status = "waiting_on_customer" }).Expect(HttpStatusCode.OK);
        Assert.True(waiting["sla"]!["paused"]!.GetValue<bool>());
        var reopened = await support.PatchJson($"/api/v1/tickets/{id}", new { status = "open", priority = "urgent" }).Expect(HttpStatusCode.OK);
        Assert.False(reopened["sla"]!["paused"]!.GetValue<bool>());
        Assert.Equal(60, reopened["sla"]!["firstResponseTargetMinutes"].Int());
        await using (var db = store.Db())
        {
            var pause = await db.Set<TicketPause>().SingleAsync();
            Assert.True(pause.EndedAt >= pause.StartedAt);
        }

        var solved = await support.PatchJson($"/api/v1/tickets/{id}", new { status = "solved" }).Expect(HttpStatusCode.OK);
        Assert.NotNull(solved["sla"]!["resolvedAt"]);
        var closed = await support.PatchJson($"/api/v1/tickets/{id}", new { status = "closed" }).Expect(HttpStatusCode.OK);
        Assert.Equal(solved["sla"]!["resolvedAt"].Str(), closed["sla"]!["resolvedAt"].Str()); // closing keeps when it was solved

        var before = await CountsAsync(store);
        await support.PostJson($"/api/v1/tickets/{id}/messages", new { body = "One more thing" }).ExpectProblem(HttpStatusCode.Conflict, "ticket_closed");
        await support.PatchJson($"/api/v1/tickets/{id}", new { status = "open" }).ExpectProblem(HttpStatusCode.Conflict, "ticket_closed");
        Assert.Equal(before, await CountsAsync(store));
        await Task.Delay(300);
        Assert.Single(smtp.Received, m => m.Subject == "Re: Where is my tea?");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Bad_input_is_refused_with_a_problem_and_changes_nothing(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var ticket = await CreateAsync(store.Client, new { email = "bo@example.com", subject = "Hi", body = "Question", channel = "phone" });
        var id = ticket["id"].Str();
        Assert.Equal("normal", ticket["priority"].Str());
        Assert.Null(ticket["customer"]); // no customer with that email yet
        var before = await CountsAsync(store);

        var badEmail = await store.Client.PostJson("/api/v1/tickets", new { email = "not-an-email", subject = "Hi", body = "x", channel = "web" }).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(badEmail["errors"]!["email"]);
        var badChannel = await store.Client.PostJson("/api/v1/tickets", new { email = "bo@example.com", subject = "Hi", body = "x", channel = "fax", priority = "asap" }).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(badChannel["errors"]!["channel"]);
        Assert.NotNull(badChannel["errors"]!["priority"]);
        await store.Client.PostJson("/api/v1/tickets", new { email = "bo@example.com", subject = "Hi", body = new string('x', 20_001), channel = "web" }).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await store.Client.PostJson("/api/v1/tickets", new { email = "bo@example.com", subject = "Hi", body = "x", channel = "web", orderId = Guid.NewGuid() }).ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_order");
        var badStatus = await store.Client.PatchJson($"/api/v1/tickets/{id}", new { status = "done" }).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains("waiting_on_customer", badStatus["errors"]!["status"]![0].Str(), StringComparison.Ordinal);
        await store.Client.PatchJson($"/api/v1/tickets/{id}", new { status = "solved", assigneeId = Guid.NewGuid().ToString() }).ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_assignee");
        await store.Client.PatchJson($"/api/v1/tickets/{Guid.NewGuid()}", new { status = "solved" }).ExpectProblem(HttpStatusCode.NotFound, "not_found");
        await store.Client.PostJson($"/api/v1/tickets/{id}/messages", new { body = "  " }).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await store.Client.GetAsync("/api/v1/tickets?status=done").ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await store.Client.PutJson("/api/v1/support/sla-policies", new { policies = new[] { new { priority = "urgent", firstResponseMinutes = 90, resolutionMinutes = 30 } } })
            .ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");

        Assert.Equal(before, await CountsAsync(store));
        var after = await store.Client.GetAsync($"/api/v1/tickets/{id}").Expect(HttpStatusCode.OK);
        Assert.Equal("open", after["status"].Str());
        Assert.Null(after["assigneeId"]);

        // A staff member can be assigned, and unassigned with none.
        Guid owner;
        await using (var scope = store.Services.CreateAsyncScope())
        {
            var staff = scope.ServiceProvider.GetRequiredService<StaffAccounts>();
            await staff.EnsureRolesAsync();
            owner = (await staff.CreateAsync("grace@example.com", "Grace", [Role.Support], "Correct-Horse-Battery-9")).Id;
        }

        var assigned = await store.Client.PatchJson($"/api/v1/tickets/{id}", new { assigneeId = owner.ToString() }).Expect(HttpStatusCode.OK);
        Assert.Equal(owner.ToString(), assigned["assigneeId"].Str());
        var mine = await store.Client.GetAsync($"/api/v1/tickets?assignee={owner}").Expect(HttpStatusCode.OK);
        Assert.Equal(id, Assert.Single(mine["items"]!.AsArray())!["id"].Str());
        var unassigned = await store.Client.PatchJson($"/api/v1/tickets/{id}", new { assigneeId = "none" }).Expect(HttpStatusCode.OK);
        Assert.Null(unassigned["assigneeId"]);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Sla_policies_default_then_change_and_the_breach_list_holds_only_breached_tickets(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var policies = await store.Client.GetAsync("/api/v1/support/sla-policies").Expect(HttpStatusCode.OK);
        var urgent = policies["policies"]!.AsArray().Single(p => p!["priority"].Str() == "urgent")!;
        Assert.Equal(60, urgent["firstResponseMinutes"].Int());
        Assert.Equal(480, urgent["resolutionMinutes"].Int());
        Assert.Equal("UTC", policies["timeZone"].Str());
        Assert.Equal(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"], policies["workingDays"]!.AsArray().Select(d => d.Str()));

        var changed = await store.Client.PutJson("/api/v1/support/sla-policies", new { policies = new[] { new { priority = "low", firstResponseMinutes = 100, resolutionMinutes = 200 } } }).Expect(HttpStatusCode.OK);
        var low = changed["policies"]!.AsArray().Single(p => p!["priority"].Str() == "low")!;
        Assert.Equal(100, low["firstResponseMinutes"].Int());
        Assert.Equal(60, changed["policies"]!.AsArray().Single(p => p!["priority"].Str() == "urgent")!["firstResponseMinutes"].Int());

        var old = await CreateAsync(store.Client, new { email = "old@example.com", subject = "Old", body = "Waiting for ages", channel = "web", priority = "urgent" });
        var fresh = await CreateAsync(store.Client, new { email = "new@example.com", subject = "New", body = "Just asked", channel = "web", priority = "low" });
        // The old ticket was opened three weeks ago: far more than 60 and 480 business minutes.
        await using (var db = store.Db())
        {
            var threeWeeksAgo = DateTime.UtcNow.AddDays(-21);
            await db.Set<Ticket>().Where(t => t.Id == Guid.Parse(old["id"].Str())).ExecuteUpdateAsync(u => u.SetProperty(t => t.CreatedAt, threeWeeksAgo));
        }

        var breached = await store.Client.GetAsync("/api/v1/tickets?breached=true").Expect(HttpStatusCode.OK);
        var only = Assert.Single(breached["items"]!.AsArray())!;
        Assert.Equal(old["id"].Str(), only["id"].Str());
        Assert.True(only["sla"]!["firstResponseBreached"]!.GetValue<bool>());
        Assert.True(only["sla"]!["resolutionBreached"]!.GetValue<bool>());
        var all = await store.Client.GetAsync("/api/v1/tickets?limit=1").Expect(HttpStatusCode.OK);
        Assert.Equal(fresh["id"].Str(), Assert.Single(all["items"]!.AsArray())!["id"].Str());
        var next = await store.Client.GetAsync($"/api/v1/tickets?limit=1&cursor={all["nextCursor"].Str()}").Expect(HttpStatusCode.OK);
        Assert.Equal(old["id"].Str(), Assert.Single(next["items"]!.AsArray())!["id"].Str());
        Assert.Null(next["nextCursor"]);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_report_counts_and_medians_match_figures_worked_out_by_hand(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        // Business hours are weekdays 9–17 UTC. Week of Monday 2 March 2026.
        static DateTime At(int day, int hour, int minute = 0) => new(2026, 3, day, hour, minute, 0, DateTimeKind.Utc);
        var tickets = new (DateTime Created, DateTime? Responded, DateTime? Resolved, string Priority, (DateTime, DateTime)? Pause)[]
        {
            // Urgent (60/480). Responded after 30, solved after 5 h: within both.
            (At(2, 9), At(2, 9, 30), At(2, 14), "urgent", null),
            // Urgent. Responded Mon 16:30 → Tue 09:30: 60 business minutes (not breached: 60 is not over 60);
            // solved Tue 16:00: 30 + 420 = 450.
            (At(2, 16, 30), At(3, 9, 30), At(3, 16), "urgent", null),
            // Normal (480/2880). Created Friday 15:00, responded Monday 11:00: 120 + 120 = 240; not solved.
            (At(6, 15), At(9, 11), null, "normal", null),
            // High (240/1440). Created Tue 09:00, paused 10:00–15:00 (waiting on the customer), responded 17:00:
            // 60 + 120 = 180 minutes; solved Wed 17:00: 180 + 480 = 660.
            (At(3, 9), At(3, 17), At(4, 17), "high", (At(3, 10), At(3, 15))),
            // Low (1440/5760). Never answered, created Wed 10:00: both clocks have run for months by now.
            (At(4, 10), null, null, "low", null),
            // Urgent, created Thursday 08:00: responded 11:00 = 120 (breached, over 60); solved 18:00 = 480 (not over 480).
            (At(5, 8), At(5, 11), At(5, 18), "urgent", null),
            // Opened the week before: outside the range, and so is its resolution.
            (At(1, 10), At(2, 10), At(1, 12), "normal", null),
        };
        await using (var db = store.Db())
        {
            foreach (var (created, responded, resolved, priority, pause) in tickets)
            {
                var ticket = new Ticket
                {
                    Email = "x@example.com",
                    Subject = "Report",
                    Channel = TicketChannel.Web,
                    Priority = Enum.Parse<TicketPriority>(priority, ignoreCase: true),
                    Status = resolved is null ? TicketStatus.Open : TicketStatus.Solved,
                    CreatedAt = created,
                    UpdatedAt = created,
                    FirstResponseAt = responded,
                    ResolvedAt = resolved,
                };
                if (pause is var (start, end))
                {
                    ticket.Pauses.Add(new TicketPause { TicketId = ticket.Id, StartedAt = start, EndedAt = end });
                }

                db.Set<Ticket>().Add(ticket);
            }

            await db.SaveChangesAsync();
        }

        var report = await store.Client.GetAsync("/api/v1/tickets/report?from=2026-03-02&to=2026-03-09").Expect(HttpStatusCode.OK);
        // Opened Mon 2 – Sun 8 March: the first six (the Monday-9 response still counts for its ticket).
        Assert.Equal(6, report["opened"].Int());
        // Solved in range: tickets 1, 2, 4, 6, and not the one solved on 1 March.
        Assert.Equal(4, report["solved"].Int());
        // First responses of opened tickets: 30, 60, 240, 180, 120 (the sixth: 08:00 starts at 09:00) → median 120.
        Assert.Equal(120.0, report["firstResponseMinutesMedian"]!.GetValue<double>());
        // Resolutions of solved tickets: 300, 450, 660, 480 (09:00–17:00 Thursday) → (450 + 480) / 2.
        Assert.Equal(465.0, report["resolutionMinutesMedian"]!.GetValue<double>());
        // First response breached: the sixth (120 > 60) and the unanswered low one; resolution: none of the solved (480 is not over 480),
        // and the unsolved normal and low ones have run three weeks of business time: over 2880 and 5760.
        Assert.Equal(2, report["breachedFirstResponse"].Int());
        Assert.Equal(2, report["breachedResolution"].Int());
        await store.Client.GetAsync("/api/v1/tickets/report?from=2026-03-09&to=2026-03-02").ExpectProblem(HttpStatusCode.BadRequest);
    }
}
