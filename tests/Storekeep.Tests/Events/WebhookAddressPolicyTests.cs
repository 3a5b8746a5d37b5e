using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Tests.Infrastructure;
using static Storekeep.Tests.Events.EventTestData;

namespace Storekeep.Tests.Events;

/// <summary>Webhooks never reach loopback, private or metadata addresses unless the owner allows it.</summary>
public sealed class WebhookAddressPolicyTests
{
    private static readonly Dictionary<string, string?> PolicyOn = new() { ["Webhooks:AllowPrivateNetworks"] = "false" };

    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("127.255.0.9", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("0.1.2.3", false)]
    [InlineData("10.0.0.5", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("100.127.255.254", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("239.255.255.250", false)]
    [InlineData("255.255.255.255", false)]
    [InlineData("::", false)]
    [InlineData("::1", false)]
    [InlineData("fc00::1", false)]
    [InlineData("fd12:3456::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("febf::1", false)]
    [InlineData("ff02::1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("::ffff:10.1.2.3", false)]
    [InlineData("::ffff:169.254.169.254", false)]
    [InlineData("64:ff9b::a9fe:a9fe", false)]
    [InlineData("172.15.255.255", true)]
    [InlineData("172.32.0.1", true)]
    [InlineData("100.63.255.255", true)]
    [InlineData("100.128.0.1", true)]
    [InlineData("11.0.0.1", true)]
    [InlineData("93.184.215.14", true)]
    [InlineData("8.8.8.8", true)]
    [InlineData("::ffff:8.8.8.8", true)]
    [InlineData("2606:4700:4700::1111", true)]
    [InlineData("64:ff9b::808:808", true)]
    public void The_address_policy_allows_only_public_internet_addresses(string address, bool allowed) =>
        Assert.Equal(allowed, WebhookAddressPolicy.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public async Task Registering_a_webhook_to_an_internal_address_fails_with_422_and_stores_nothing_while_a_public_one_registers()
    {
        // One store for every address: each refusal must leave the webhook table empty.
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, settings: PolicyOn);
        string[] urls =
        [
            "http://127.0.0.1/", "http://10.0.0.5/", "http://169.254.169.254/latest", "http://[::1]/", "http://[fe80::1]/",
            "http://100.64.0.1/", "http://[::ffff:127.0.0.1]/", "http://localhost/", "https://192.168.0.10:8443/hooks", "http://0.0.0.0:5000/",
        ];
        foreach (var url in urls)
        {
            var problem = await store.Client.PostJson("/api/v1/webhooks", new { url, events = new[] { "*" } })
                .ExpectProblem(HttpStatusCode.UnprocessableEntity, WebhookAddressPolicy.NotAllowedCode);
            Assert.Contains("address", problem["detail"].Str(), StringComparison.Ordinal);
            await using var db = store.Db();
            Assert.True(await db.Webhooks.CountAsync() == 0, $"{url} was stored.");
        }

        // A public address passes the same policy.
        await store.Client.PostJson("/api/v1/webhooks", new { url = "https://93.184.215.14/hooks", events = new[] { "*" } })
            .Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Registering_a_webhook_whose_host_does_not_resolve_fails_with_422_saying_so()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, settings: PolicyOn);

        var problem = await store.Client.PostJson("/api/v1/webhooks", new { url = "https://no-such-host.invalid/hooks", events = new[] { "*" } })
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, WebhookAddressPolicy.NotAllowedCode);

        Assert.Contains("does not resolve", problem["detail"].Str(), StringComparison.Ordinal);
        await using var db = store.Db();
        Assert.Equal(0, await db.Webhooks.CountAsync());
    }

    [Fact]
    public async Task With_private_networks_allowed_a_loopback_webhook_registers()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, settings: new Dictionary<string, string?> { ["Webhooks:AllowPrivateNetworks"] = "true" });

        await store.Client.PostJson("/api/v1/webhooks", new { url = "http://127.0.0.1:9/hooks", events = new[] { "*" } })
            .Expect(HttpStatusCode.Created);
    }

    /// <summary>
    /// A webhook stored while it was allowed (or whose name since moved to an internal address) is
    /// checked again when connecting: the receiver gets nothing and the delivery says why.
    /// </summary>
    [Theory]
    [MemberData(nameof(HostsOnLoopback))]
    public async Task A_stored_webhook_pointing_inside_is_not_sent_and_its_delivery_says_why(string database, string host)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var store = await TestStore.StartAsync(database, settings: PolicyOn);
        await using (var db = store.Db())
        {
            db.Webhooks.Add(new Webhook { Url = $"http://{host}:{receiver.Port}/hooks", Events = "*", Secret = WebhookSignature.NewSecret(), CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        await AddEventsAsync(store, 1);

        await Eventually.HoldsAsync(async () =>
        {
            await using var db = store.Db();
            return await db.WebhookDeliveries.AnyAsync(d => d.Attempts >= 2);
        }, "the delivery was attempted and failed twice");
        await using var check = store.Db();
        var delivery = await check.WebhookDeliveries.SingleAsync();
        Assert.Equal(DeliveryStatus.Pending, delivery.Status);
        Assert.Null(delivery.LastStatusCode);
        Assert.Null(delivery.DeliveredAt);
        Assert.Contains("internal addresses", delivery.LastError, StringComparison.Ordinal);
        Assert.Contains(WebhookAddressPolicy.NotAllowedCode, delivery.LastError, StringComparison.Ordinal);
        Assert.Empty(receiver.Received);
    }

    public static TheoryData<string, string> HostsOnLoopback()
    {
        var data = new TheoryData<string, string>();
        // The policy is the same code on either database: SQLite shows it.
        data.Add(TestDatabases.Sqlite, "127.0.0.1");
        data.Add(TestDatabases.Sqlite, "localhost");

        return data;
    }
}
