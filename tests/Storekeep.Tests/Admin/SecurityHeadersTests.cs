using System.Net;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Admin;

public sealed class SecurityHeadersTests
{
    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Pages_carry_the_security_headers(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var browser = store.Browser();
        foreach (var url in new[] { "/admin/login", "/" })
        {
            var response = await browser.GetAsync(url);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());
        }
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task The_sign_in_and_antiforgery_cookies_are_http_only_same_site_and_secure_over_https(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var user = await store.CreateStaffAsync(Storekeep.Access.Role.Manager);
        var browser = store.Browser();
        var login = await browser.GetAsync("/admin/login");
        var csrf = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("storekeep.csrf=", StringComparison.Ordinal));
        AssertProtected(csrf, "samesite=strict");

        var signedIn = await browser.SubmitFormAsync("/admin/login", new() { ["Input.Email"] = user.Email!, ["Input.Password"] = HtmlPages.StaffPassword });
        var auth = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("storekeep.auth=", StringComparison.Ordinal));
        AssertProtected(auth, "samesite=lax");
    }

    private static void AssertProtected(string cookie, string sameSite)
    {
        var lower = cookie.ToUpperInvariant();
        Assert.Contains("HTTPONLY", lower, StringComparison.Ordinal);
        Assert.Contains("SECURE", lower, StringComparison.Ordinal);
        Assert.Contains(sameSite.ToUpperInvariant(), lower, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task A_sign_in_form_without_its_antiforgery_token_is_refused(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var user = await store.CreateStaffAsync(Storekeep.Access.Role.Owner);
        var browser = store.Browser();

        var response = await browser.PostAsync("/admin/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "admin-login",
            ["Input.Email"] = user.Email!,
            ["Input.Password"] = HtmlPages.StaffPassword,
        }), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith("storekeep.auth=", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task A_cross_site_form_post_with_another_browsers_token_is_refused(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var victim = await store.SignedInStaffAsync(Storekeep.Access.Role.Owner);

        // An attacker's page can carry a token it got for its own session, never the victim's cookie pair.
        var attackerPage = await store.Browser().GetPageAsync("/admin/login");
        var token = System.Text.RegularExpressions.Regex.Match(attackerPage, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(token);
        var request = new HttpRequestMessage(HttpMethod.Post, "/account/logout")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token), ["returnUrl"] = "/admin" }),
        };
        request.Headers.Add("Origin", "https://evil.example");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        var response = await victim.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        // Still signed in.
        await victim.GetPageAsync("/admin");
    }
}
