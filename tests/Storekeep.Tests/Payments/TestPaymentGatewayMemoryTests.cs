using Storekeep.Payments;

namespace Storekeep.Tests.Payments;

public sealed class TestPaymentGatewayMemoryTests
{
    [Fact]
    public async Task After_many_authorizations_the_gateway_keeps_only_its_capacity_and_recent_ones_still_work()
    {
        var gateway = new TestPaymentGateway(capacity: 50);
        var references = new List<string>();
        for (var i = 0; i < 500; i++)
        {
            var authorized = await gateway.AuthorizeAsync(new AuthorizeRequest(10m, "USD", "tok_visa", $"auth:{i}"), CancellationToken.None);
            Assert.True(authorized.Approved);
            references.Add(authorized.Reference!);
            await gateway.CaptureAsync(authorized.Reference!, 10m, "USD", $"capture:{i}", CancellationToken.None);
        }

        Assert.Equal(50, gateway.AuthorizationCount);
        Assert.InRange(gateway.Journal.Count, 1, 4 * 50);

        // The most recent authorization still captures, refunds and replays by key.
        var recent = references[^1];
        Assert.True((await gateway.RefundAsync(recent, 4m, "USD", "refund:recent", CancellationToken.None)).Approved);
        Assert.True((await gateway.RefundAsync(recent, 4m, "USD", "refund:recent", CancellationToken.None)).Approved);
        Assert.False((await gateway.RefundAsync(recent, 7m, "USD", "refund:too-much", CancellationToken.None)).Approved);
        var fresh = await gateway.AuthorizeAsync(new AuthorizeRequest(5m, "USD", "tok_visa", "auth:fresh"), CancellationToken.None);
        Assert.True((await gateway.CaptureAsync(fresh.Reference!, 5m, "USD", "capture:fresh", CancellationToken.None)).Approved);
        Assert.Equal(50, gateway.AuthorizationCount);

        // The oldest was forgotten: the gateway says so rather than growing without end.
        var forgotten = await gateway.RefundAsync(references[0], 1m, "USD", "refund:oldest", CancellationToken.None);
        Assert.Equal("unknown_authorization", forgotten.DeclineCode);
    }

    [Fact]
    public void The_default_bound_is_ten_thousand_authorizations() =>
        Assert.Equal(10_000, new TestPaymentGateway().Capacity);
}
