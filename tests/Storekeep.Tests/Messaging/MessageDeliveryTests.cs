using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Storekeep.Data;
using Storekeep.Messaging;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Messaging;

public sealed class MessageDeliveryTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_change_that_rolls_back_queues_no_message(string database)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var store = await TestStore.StartAsync(database, settings: smtp.Settings());
        await using (var scope = store.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
            var queue = scope.ServiceProvider.GetRequiredService<MessageQueue>();
            await Assert.ThrowsAsync<InvalidOperationException>(() => db.InTransactionAsync(async ct =>
            {
                await queue.QueueAsync(MessageTypes.PasswordReset, "ada@example.com", MessageTestData.Link(), null, ct);
                await db.SaveChangesAsync(ct);
                throw new InvalidOperationException("The change that justified the email failed.");
            }));
        }

        // A checkout refused for lack of stock commits nothing, so no confirmation either.
        await store.AddProductAsync("MUG-1", 10m, main: 1);
        var cart = await store.CartWithAsync(store.Anonymous, ("MUG-1", 1));
        await using (var db = store.Db())
        {
            await db.StockLevels.ExecuteUpdateAsync(u => u.SetProperty(s => s.OnHand, 0));
        }

        var refused = await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody());
        Assert.Equal(System.Net.HttpStatusCode.Conflict, refused.StatusCode);

        await Task.Delay(500);
        await using var check = store.Db();
        Assert.Equal(0, await check.Messages.CountAsync());
        Assert.Empty(smtp.Received);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_same_dedupe_key_never_queues_a_second_message(string database)
    {
        await using var store = await TestStore.StartAsync(database, settings: new Dictionary<string, string?> { ["Email:Deliverer"] = "false" });
        for (var i = 0; i < 2; i++)
        {
            await using var scope = store.Services.CreateAsyncScope();
            var queue = scope.ServiceProvider.GetRequiredService<MessageQueue>();
            var first = await queue.QueueAsync(MessageTypes.PasswordReset, "ada@example.com", MessageTestData.Link(), "password_reset:fact-1", CancellationToken.None);
            var again = await queue.QueueAsync(MessageTypes.PasswordReset, "ada@example.com", MessageTestData.Link(), "password_reset:fact-1", CancellationToken.None);
            Assert.Equal(first.Id, again.Id);
            await scope.ServiceProvider.GetRequiredService<StorekeepDbContext>().SaveChangesAsync();
        }

        await using var db = store.Db();
        Assert.Equal(1, await db.Messages.CountAsync(m => m.DedupeKey == "password_reset:fact-1"));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task While_smtp_is_down_attempts_grow_and_once_it_is_up_the_email_arrives_exactly_once(string database)
    {
        await using var smtp = SmtpTestServer.Down();
        await using var store = await TestStore.StartAsync(database, settings: smtp.Settings(new Dictionary<string, string?> { ["Email:MaxAttempts"] = "1000" }));
        var id = (await store.QueueAsync((MessageTypes.PasswordReset, "ada@example.com", MessageTestData.Link())))[0];

        var failing = await store.WaitForMessageAsync(id, m => m.Attempts >= 3, "attempted three times");
        Assert.Equal(MessageStatus.Pending, failing.Status);
        Assert.NotNull(failing.LastError);
        Assert.Null(failing.SentAt);

        await smtp.StartListeningAsync();
        var sent = await store.WaitForMessageAsync(id, m => m.Status == MessageStatus.Sent, "sent");
        Assert.True(sent.Attempts > 3);
        Assert.NotNull(sent.SentAt);
        await Task.Delay(1000);
        var email = Assert.Single(smtp.Received);
        Assert.Equal($"{id:N}@example.test", email.MessageId);
        Assert.Contains("https://shop.example.test/account/verify?token=abc", email.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Messages_share_kept_smtp_connections_and_one_the_server_dropped_is_replaced_without_losing_or_doubling_a_message()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, settings: smtp.Settings());
        var first = await store.QueueAsync(Enumerable.Range(0, 20).Select(i => (MessageTypes.PasswordReset, $"reader{i}@example.com", MessageTestData.Link())).ToArray());
        await smtp.WaitForAsync(first.Count);

        // Email:Concurrency is 2: twenty messages go over at most two kept connections, not twenty.
        Assert.InRange(smtp.Sessions, 1, 2);

        // The server goes away and comes back: the kept connections are dead, and the next messages
        // find out only when they try them.
        await smtp.StopListeningAsync();
        await smtp.StartListeningAsync();
        var sessionsBefore = smtp.Sessions;
        var second = await store.QueueAsync(Enumerable.Range(0, 5).Select(i => (MessageTypes.PasswordReset, $"late{i}@example.com", MessageTestData.Link())).ToArray());
        foreach (var id in second)
        {
            await store.WaitForMessageAsync(id, m => m.Status == MessageStatus.Sent, "sent");
        }

        await Task.Delay(500);
        var all = first.Concat(second).Select(id => $"{id:N}@example.test").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(all, smtp.Received.Select(m => m.MessageId ?? "").Order(StringComparer.Ordinal).ToList());
        Assert.InRange(smtp.Sessions - sessionsBefore, 1, 2);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task After_max_attempts_a_message_is_failed_and_a_manual_retry_sends_it(string database)
    {
        await using var smtp = SmtpTestServer.Down();
        await using var store = await TestStore.StartAsync(database, settings: smtp.Settings(new Dictionary<string, string?> { ["Email:MaxAttempts"] = "2" }));
        var id = (await store.QueueAsync((MessageTypes.AccountVerification, "ada@example.com", MessageTestData.Link())))[0];
        var failed = await store.WaitForMessageAsync(id, m => m.Status == MessageStatus.Failed, "failed");
        Assert.Equal(2, failed.Attempts);
        await Task.Delay(300);
        Assert.Equal(2, (await store.MessageAsync(id)).Attempts);

        await smtp.StartListeningAsync();
        var retried = await (await store.Client.PostJson($"/api/v1/messages/{id}/retry", new { })).Expect(System.Net.HttpStatusCode.Accepted);
        Assert.Equal(id.ToString(), retried["id"].Str());
        await store.WaitForMessageAsync(id, m => m.Status == MessageStatus.Sent, "sent");
        await smtp.WaitForAsync(1);

        await (await store.Client.PostJson($"/api/v1/messages/{id}/retry", new { })).ExpectProblem(System.Net.HttpStatusCode.Conflict, "message_already_sent");
        await Task.Delay(500);
        Assert.Single(smtp.Received);
        Assert.Equal(MessageStatus.Sent, (await store.MessageAsync(id)).Status);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Without_smtp_a_message_is_logged_and_kept_and_a_node_with_smtp_sends_it_on_retry(string database)
    {
        await using var store = await TestStore.StartAsync(database, settings: new Dictionary<string, string?>
        {
            ["Email:PollMilliseconds"] = "50",
            ["Store:PublicUrl"] = "https://shop.example.test",
        });
        var id = (await store.QueueAsync((MessageTypes.AccountVerification, "Ada@Example.com", MessageTestData.Link())))[0];

        var logged = await store.WaitForMessageAsync(id, m => m.Status == MessageStatus.Logged, "logged");
        Assert.Equal(0, logged.Attempts);
        Assert.Contains("Email:Smtp:Host", logged.LastError, StringComparison.Ordinal);
        var listed = await (await store.Client.GetAsync("/api/v1/messages?status=logged&to=ada@example.com")).Expect(System.Net.HttpStatusCode.OK);
        var item = Assert.Single(listed["items"]!.AsArray())!;
        Assert.Equal(id.ToString(), item["id"].Str());
        Assert.Equal("logged", item["status"].Str());
        Assert.Equal("ada@example.com", item["to"].Str());
        Assert.Equal("email", item["channel"].Str());

        // SMTP configured later (here: a second node that has it; this node's sender is stopped) and retry pressed.
        await using var smtp = await SmtpTestServer.StartAsync();
        var withoutSmtp = store.Services.GetServices<IHostedService>().OfType<MessageDeliveryService>().Single();
        await withoutSmtp.StopAsync(CancellationToken.None);
        await using var node = await store.StartAnotherNodeAsync(smtp.Settings());
        await (await store.Client.PostJson($"/api/v1/messages/{id}/retry", new { })).Expect(System.Net.HttpStatusCode.Accepted);
        var email = (await smtp.WaitForAsync(1)).Single();
        Assert.Equal("ada@example.com", email.To.Mailboxes.Single().Address);
        await store.WaitForMessageAsync(id, m => m.Status == MessageStatus.Sent, "sent");
    }

    /// <summary>
    /// After the batch's claim, a message costs two statements: the renewal of its lease, which
    /// answers the message too, and its outcome.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Each_claimed_message_is_read_by_the_statement_that_renews_its_lease(string database)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        var log = new StatementLog();
        await using var store = await TestStore.StartAsync(database, settings: smtp.Settings(), services: log.AddTo);
        const int count = 6;
        log.Clear();
        var ids = await store.QueueAsync(Enumerable.Range(0, count)
            .Select(i => (MessageTypes.PasswordReset, $"user{i}@example.com", MessageTestData.Link($"User {i}")))
            .ToArray());
        foreach (var id in ids)
        {
            await store.WaitForMessageAsync(id, m => m.Status == MessageStatus.Sent, "sent");
        }

        Assert.Equal(count, smtp.Received.Count);
        var perMessage = log.Statements
            .Select(s => s.Replace("\"", "", StringComparison.Ordinal))
            .Where(s => (s.Contains("UPDATE messages ", StringComparison.Ordinal) || s.Contains("FROM messages ", StringComparison.Ordinal))
                && !s.Contains("ORDER BY next_attempt_at", StringComparison.Ordinal))
            .ToList();
        Assert.True(perMessage.Count == 2 * count, string.Join("\n---\n", perMessage));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Two_nodes_sending_many_messages_deliver_every_one_exactly_once(string database)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        var settings = smtp.Settings(new Dictionary<string, string?> { ["Email:Concurrency"] = "4", ["Email:PollMilliseconds"] = "20" });
        await using var store = await TestStore.StartAsync(database, settings: settings);
        await using var second = await store.StartAnotherNodeAsync(settings);

        const int count = 80;
        var ids = await store.QueueAsync(Enumerable.Range(0, count)
            .Select(i => (MessageTypes.PasswordReset, $"user{i}@example.com", MessageTestData.Link($"User {i}")))
            .ToArray());

        await smtp.WaitForAsync(count, TimeSpan.FromSeconds(60));
        await Task.Delay(1500);
        var received = smtp.Received;
        Assert.Equal(count, received.Count);
        Assert.Equal(ids.Select(id => $"{id:N}@example.test").Order(StringComparer.Ordinal), received.Select(m => m.MessageId).Order(StringComparer.Ordinal));
        await using var db = store.Db();
        Assert.Equal(count, await db.Messages.CountAsync(m => m.Status == MessageStatus.Sent && m.Attempts == 1));
    }
}
