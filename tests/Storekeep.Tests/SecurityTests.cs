using System.Net;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests;

public sealed class SecurityTests
{
    [Fact]
    public async Task Public_endpoints_are_rate_limited_per_address_but_api_keys_are_not()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, settings: new Dictionary<string, string?>
        {
            ["RateLimiting:PublicRequestsPerMinute"] = "12",
        });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            statuses.Add((await store.Anonymous.PostJson("/api/v1/carts", new { })).StatusCode);
        }

        Assert.Equal(12, statuses.Count(s => s == HttpStatusCode.Created));
        var limited = await store.Anonymous.PostJson("/api/v1/carts", new { });
        await limited.ExpectProblem(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(limited.Headers.Contains("Retry-After"));

        for (var i = 0; i < 20; i++)
        {
            await (await store.Client.PostJson("/api/v1/carts", new { })).Expect(HttpStatusCode.Created);
        }
    }

    [Fact]
    public async Task Protected_endpoints_answer_401_without_a_key_and_403_for_a_role_without_permission()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);

        await (await store.Anonymous.GetAsync("/api/v1/orders")).ExpectProblem(HttpStatusCode.Unauthorized, "unauthorized");
        using var bogus = store.CreateClient();
        bogus.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "sk_not_a_real_key");
        await (await bogus.GetAsync("/api/v1/orders")).ExpectProblem(HttpStatusCode.Unauthorized, "unauthorized");
        using var marketing = await store.ClientForAsync(Storekeep.Access.Role.Marketing);
        await (await marketing.GetAsync("/api/v1/orders")).ExpectProblem(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Api_keys_are_shown_once_and_stored_only_as_a_hash()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);

        var created = await (await store.Client.PostJson("/api/v1/api-keys", new { name = "warehouse scanner", role = "warehouse" })).Expect(HttpStatusCode.Created);
        var key = created["key"].Str();
        using var scanner = store.CreateClient();
        scanner.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        await (await scanner.GetAsync("/api/v1/warehouses")).Expect(HttpStatusCode.OK);

        var listed = await (await store.Client.GetAsync("/api/v1/api-keys")).Expect(HttpStatusCode.OK);
        Assert.DoesNotContain(key, listed.ToJsonString(), StringComparison.Ordinal);
        await DatabaseScan.AssertNotStoredAsync(store, key);
        await (await store.Client.PostJson("/api/v1/api-keys", new { name = "x", role = "emperor" })).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
    }
}
