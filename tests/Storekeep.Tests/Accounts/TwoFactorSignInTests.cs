using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Access;
using Storekeep.Accounts;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Accounts;

public sealed partial class TwoFactorSignInTests
{
    private static async Task<(UserAccount User, string Key)> StaffWithTwoFactorAsync(TestStore store)
    {
        var user = await store.CreateStaffAsync(Role.Manager);
        await using var scope = store.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<UserAccount>>();
        var stored = await users.FindByIdAsync(user.Id.ToString());
        Assert.True((await users.ResetAuthenticatorKeyAsync(stored!)).Succeeded);
        Assert.True((await users.SetTwoFactorEnabledAsync(stored!, true)).Succeeded);
        return (stored!, (await users.GetAuthenticatorKeyAsync(stored!))!);
    }

    private static Task<HttpResponseMessage> PasswordAsync(HttpClient browser, string email, string password) =>
        browser.SubmitFormAsync("/admin/login", new() { ["Input.Email"] = email, ["Input.Password"] = password });

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task A_user_with_two_factor_signs_in_with_the_current_authenticator_code(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var (user, key) = await StaffWithTwoFactorAsync(store);
        var browser = store.Browser();

        var password = await PasswordAsync(browser, user.Email!, HtmlPages.StaffPassword);
        Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
        var twoFactorUrl = password.Headers.Location!.PathAndQueryOf();
        Assert.StartsWith("/admin/login/two-factor", twoFactorUrl, StringComparison.Ordinal);
        // Only the password step is done: the back office is still closed.
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/admin")).StatusCode);

        var verified = await browser.SubmitFormAsync(twoFactorUrl, new() { ["Input.Code"] = Totp.Code(key, DateTimeOffset.UtcNow) }, "admin-two-factor");

        Assert.Equal(HttpStatusCode.Redirect, verified.StatusCode);
        Assert.Equal("/admin", verified.Headers.Location!.PathAndQueryOf());
        var dashboard = await browser.GetPageAsync("/admin");
        Assert.Contains(user.Email!, dashboard, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task A_wrong_authenticator_code_is_refused_and_counts_as_a_failed_attempt(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var (user, key) = await StaffWithTwoFactorAsync(store);
        var browser = store.Browser();
        var twoFactorUrl = (await PasswordAsync(browser, user.Email!, HtmlPages.StaffPassword)).Headers.Location!.PathAndQueryOf();
        var right = Totp.Code(key, DateTimeOffset.UtcNow);
        var wrong = ((int.Parse(right, System.Globalization.CultureInfo.InvariantCulture) + 500_000) % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);

        var refused = await browser.SubmitFormAsync(twoFactorUrl, new() { ["Input.Code"] = wrong }, "admin-two-factor");

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("data-testid=\"two-factor-error\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/admin")).StatusCode);
        await using var db = store.Db();
        Assert.Equal(1, await db.Users.Where(u => u.Id == user.Id).Select(u => u.AccessFailedCount).SingleAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task A_recovery_code_signs_in_once(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var (user, _) = await StaffWithTwoFactorAsync(store);
        string code;
        await using (var scope = store.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<UserAccount>>();
            code = (await users.GenerateNewTwoFactorRecoveryCodesAsync((await users.FindByIdAsync(user.Id.ToString()))!, 10))!.First();
        }

        var browser = store.Browser();
        var twoFactorUrl = (await PasswordAsync(browser, user.Email!, HtmlPages.StaffPassword)).Headers.Location!.PathAndQueryOf();
        var used = await browser.SubmitFormAsync(twoFactorUrl, new() { ["Recovery.RecoveryCode"] = code }, "admin-recovery-code");
        Assert.Equal(HttpStatusCode.Redirect, used.StatusCode);
        await browser.GetPageAsync("/admin");

        var again = store.Browser();
        twoFactorUrl = (await PasswordAsync(again, user.Email!, HtmlPages.StaffPassword)).Headers.Location!.PathAndQueryOf();
        var reused = await again.SubmitFormAsync(twoFactorUrl, new() { ["Recovery.RecoveryCode"] = code }, "admin-recovery-code");
        Assert.Equal(HttpStatusCode.OK, reused.StatusCode);
        Assert.Contains("data-testid=\"two-factor-error\"", await reused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Five_wrong_passwords_lock_the_account_even_against_the_right_one(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var user = await store.CreateStaffAsync(Role.Support);
        var browser = store.Browser();

        for (var i = 0; i < 5; i++)
        {
            var failed = await PasswordAsync(browser, user.Email!, "not-the-password-" + i);
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        }

        var locked = await PasswordAsync(browser, user.Email!, HtmlPages.StaffPassword);

        Assert.Equal(HttpStatusCode.OK, locked.StatusCode);
        var html = await locked.Content.ReadAsStringAsync();
        Assert.Contains("locked", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/admin")).StatusCode);
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Staff_turn_on_two_factor_on_their_security_page_and_then_need_a_code(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var user = await store.CreateStaffAsync(Role.Warehouse);
        var browser = store.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await PasswordAsync(browser, user.Email!, HtmlPages.StaffPassword)).StatusCode);

        var page = await browser.GetPageAsync("/admin/account/security");
        var key = KeyPattern().Match(page).Groups[1].Value;
        Assert.Contains("otpauth://totp/Storekeep:", page, StringComparison.Ordinal);
        var enabled = await browser.SubmitFormAsync("/admin/account/security", new() { ["Enable.Code"] = Totp.Code(key, DateTimeOffset.UtcNow) }, "enable-two-factor");
        var html = await enabled.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        Assert.Contains("data-testid=\"recovery-codes\"", html, StringComparison.Ordinal);
        Assert.Equal(10, RecoveryCodePattern().Matches(html.Split("data-testid=\"recovery-codes\"")[1].Split("</ul>")[0]).Count);

        // This browser stays signed in (its cookie was renewed); a new sign-in needs the code.
        await browser.GetPageAsync("/admin");
        var next = await PasswordAsync(store.Browser(), user.Email!, HtmlPages.StaffPassword);
        Assert.StartsWith("/admin/login/two-factor", next.Headers.Location!.PathAndQueryOf(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Opening_the_security_page_keeps_the_persons_sessions_signed_in(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var user = await store.CreateStaffAsync(Role.Sales);
        var browser = store.Browser();
        await PasswordAsync(browser, user.Email!, HtmlPages.StaffPassword);
        await using var db = store.Db();
        var stampBefore = await db.Users.Where(u => u.Id == user.Id).Select(u => u.SecurityStamp).SingleAsync(TestContext.Current.CancellationToken);

        // The first visit creates the authenticator key; the second shows the same one.
        var first = KeyPattern().Match(await browser.GetPageAsync("/admin/account/security")).Groups[1].Value;
        var second = KeyPattern().Match(await browser.GetPageAsync("/admin/account/security")).Groups[1].Value;

        Assert.NotEmpty(first);
        Assert.Equal(first, second);
        // A new stamp would sign this browser and every other out at their next stamp check (a minute).
        var stampAfter = await db.Users.Where(u => u.Id == user.Id).Select(u => u.SecurityStamp).SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(stampBefore, stampAfter);
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Changing_the_password_needs_the_current_one(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var user = await store.CreateStaffAsync(Role.Sales);
        var browser = store.Browser();
        await PasswordAsync(browser, user.Email!, HtmlPages.StaffPassword);

        var refused = await browser.SubmitFormAsync("/admin/account/security", new()
        {
            ["Password.CurrentPassword"] = "wrong-password-1",
            ["Password.NewPassword"] = "brand-new-password-1",
            ["Password.ConfirmPassword"] = "brand-new-password-1",
        }, "change-password");
        Assert.Contains("data-testid=\"security-error\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var changed = await browser.SubmitFormAsync("/admin/account/security", new()
        {
            ["Password.CurrentPassword"] = HtmlPages.StaffPassword,
            ["Password.NewPassword"] = "brand-new-password-1",
            ["Password.ConfirmPassword"] = "brand-new-password-1",
        }, "change-password");
        Assert.Contains("data-testid=\"security-message\"", await changed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await PasswordAsync(store.Browser(), user.Email!, "brand-new-password-1")).StatusCode);
    }

    [GeneratedRegex("data-testid=\"authenticator-key\">([a-z0-9 ]+)<")]
    private static partial Regex KeyPattern();

    [GeneratedRegex("<li>[A-Za-z0-9-]+</li>")]
    private static partial Regex RecoveryCodePattern();
}

internal static class RedirectLocations
{
    /// <summary>The path and query a redirect points to, whether the Location header is absolute or relative.</summary>
    public static string PathAndQueryOf(this Uri location) =>
        (location.IsAbsoluteUri ? location : new Uri(new Uri("https://localhost"), location)).PathAndQuery;
}
