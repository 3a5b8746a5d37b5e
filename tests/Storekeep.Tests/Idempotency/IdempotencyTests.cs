using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Idempotency;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Idempotency;

public sealed class IdempotencyTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Keys_are_kept_more_than_a_day_and_purged_after_two(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await (await store.Client.PostJson("/api/v1/warehouses", new { code = "MAIN", name = "Main" }, idempotencyKey: "wh-1")).Expect(HttpStatusCode.Created);
        await using var db = store.Db();
        var record = await db.IdempotencyRecords.SingleAsync();

        Assert.Equal(0, await IdempotencyRetention.PurgeAsync(db, record.CreatedAt.AddHours(25), CancellationToken.None));
        var replay = await store.Client.PostJson("/api/v1/warehouses", new { code = "MAIN", name = "Main" }, idempotencyKey: "wh-1");
        await replay.Expect(HttpStatusCode.Created);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());

        Assert.Equal(1, await IdempotencyRetention.PurgeAsync(db, record.CreatedAt.AddHours(49), CancellationToken.None));
        Assert.Equal(0, await db.IdempotencyRecords.CountAsync());
    }

    [Fact]
    public async Task An_oversized_or_unprintable_key_is_refused()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);

        await (await store.Client.PostJson("/api/v1/warehouses", new { code = "A", name = "A" }, idempotencyKey: new string('k', 256))).ExpectProblem(HttpStatusCode.BadRequest, "invalid_idempotency_key");
        await using var db = store.Db();
        Assert.Equal(0, await db.Warehouses.CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Anonymous_clients_at_different_addresses_sending_the_same_key_each_get_their_own_cart(string database)
    {
        await using var store = await TestStore.StartAsync(database, kestrel: true);
        using var ada = store.ClientFrom("127.0.0.2");
        using var grace = store.ClientFrom("127.0.0.3");
        const string key = "cart-1";

        var adaCart = await ada.PostJson("/api/v1/carts", new { }, key).Expect(HttpStatusCode.Created);
        var graceCart = await grace.PostJson("/api/v1/carts", new { }, key).Expect(HttpStatusCode.Created);
        Assert.NotEqual(adaCart["id"].Str(), graceCart["id"].Str());

        var adaReplay = await ada.PostJson("/api/v1/carts", new { }, key);
        Assert.Equal(adaCart["id"].Str(), (await adaReplay.Expect(HttpStatusCode.Created))["id"].Str());
        Assert.Equal("true", adaReplay.Headers.GetValues("Idempotent-Replayed").Single());
        var graceReplay = await grace.PostJson("/api/v1/carts", new { }, key);
        Assert.Equal(graceCart["id"].Str(), (await graceReplay.Expect(HttpStatusCode.Created))["id"].Str());

        // The same key with another body is still refused, for the client that used it.
        await ada.PostJson("/api/v1/carts", new { email = "ada@example.com" }, key).ExpectProblem(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        await using var db = store.Db();
        Assert.Equal(2, await db.Carts.CountAsync());
    }
}
