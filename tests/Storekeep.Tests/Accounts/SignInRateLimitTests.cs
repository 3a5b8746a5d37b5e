using System.Net;
using System.Net.Sockets;
using Storekeep.Tests.Infrastructure;
using Storekeep.Tests.Storefront;

namespace Storekeep.Tests.Accounts;

public sealed class SignInRateLimitTests
{
    private static Dictionary<string, string?> Limit(int perMinute) => new() { ["RateLimiting:SignInPerMinute"] = perMinute.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    /// <summary>One POST of each account form, with fields that change per attempt (a new email for each registration).</summary>
    private static Task<HttpResponseMessage> PostAsync(HttpClient browser, string form, int attempt) => form switch
    {
        "shopper-sign-in" => browser.SubmitFormAsync("/account/login", new() { ["Input.Email"] = "nobody@example.com", ["Input.Password"] = "wrong-password-1" }, "login"),
        "staff-sign-in" => browser.SubmitFormAsync("/admin/login", new() { ["Input.Email"] = "nobody@example.com", ["Input.Password"] = "wrong-password-1" }),
        "registration" => browser.SubmitFormAsync("/account/register", new()
        {
            ["Input.Name"] = "Robot",
            ["Input.Email"] = $"robot{attempt}@example.com",
            ["Input.Password"] = ShopperBrowser.Password,
        }, "register"),
        "shopper-forgot-password" => browser.SubmitFormAsync("/account/forgot-password", new() { ["Input.Email"] = "nobody@example.com" }, "forgot-password"),
        "staff-forgot-password" => browser.SubmitFormAsync("/admin/forgot-password", new() { ["Input.Email"] = "nobody@example.com" }, "admin-forgot-password"),
        _ => throw new ArgumentOutOfRangeException(nameof(form)),
    };

    [Theory]
    [InlineData("shopper-sign-in")]
    [InlineData("staff-sign-in")]
    [InlineData("registration")]
    [InlineData("shopper-forgot-password")]
    [InlineData("staff-forgot-password")]
    public async Task The_eleventh_post_of_an_account_form_in_a_minute_from_one_address_answers_429_with_retry_after(string form)
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, settings: Limit(10));
        var browser = store.Browser();
        for (var attempt = 1; attempt <= 10; attempt++)
        {
            var allowed = await PostAsync(browser, form, attempt);
            Assert.NotEqual(HttpStatusCode.TooManyRequests, allowed.StatusCode);
        }

        var limited = await PostAsync(browser, form, 11);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var retryAfter = Assert.Single(limited.Headers.GetValues("Retry-After"));
        Assert.InRange(int.Parse(retryAfter, System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        // Showing the form is not an attempt: it still opens.
        await browser.GetPageAsync(form.StartsWith("staff", StringComparison.Ordinal) ? "/admin/login" : "/account/login");
    }

    [Fact]
    public async Task Every_account_form_draws_on_one_allowance_per_address_and_a_browser_gets_a_page_saying_so()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, settings: Limit(4));
        var browser = store.Browser();
        await PostAsync(browser, "shopper-sign-in", 1).ExpectStatus(HttpStatusCode.OK);
        await PostAsync(browser, "staff-sign-in", 2).ExpectStatus(HttpStatusCode.OK);
        await PostAsync(browser, "registration", 3).ExpectStatus(HttpStatusCode.Redirect);
        await PostAsync(browser, "shopper-forgot-password", 4).ExpectStatus(HttpStatusCode.OK);

        browser.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        var limited = await PostAsync(browser, "staff-forgot-password", 5);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.Contains("Retry-After"));
        Assert.Contains("data-testid=\"rate-limited\"", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_client_address_keeps_its_own_allowance()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, kestrel: true, settings: Limit(3));
        var port = store.CreateClient().BaseAddress!.Port;
        using var first = ClientFrom(IPAddress.Parse("127.0.0.1"), port);
        using var second = ClientFrom(IPAddress.Parse("127.0.0.2"), port);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await PostAsync(first, "shopper-sign-in", attempt).ExpectStatus(HttpStatusCode.OK);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await PostAsync(first, "shopper-sign-in", 4)).StatusCode);
        await PostAsync(second, "shopper-sign-in", 1).ExpectStatus(HttpStatusCode.OK);
        await PostAsync(second, "staff-sign-in", 2).ExpectStatus(HttpStatusCode.OK);
    }

    /// <summary>A browser whose connections leave from <paramref name="local"/> (Linux routes all of 127/8 to loopback).</summary>
    private static HttpClient ClientFrom(IPAddress local, int port)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = true,
            CookieContainer = new CookieContainer(),
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }
}

internal static class ResponseAssertions
{
    public static async Task<HttpResponseMessage> ExpectStatus(this Task<HttpResponseMessage> pending, HttpStatusCode status)
    {
        var response = await pending;
        if (response.StatusCode != status)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.Fail($"expected {(int)status}, got {(int)response.StatusCode}: {body[..Math.Min(body.Length, 1500)]}");
        }

        return response;
    }
}
