using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Idempotency;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests;

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
}
