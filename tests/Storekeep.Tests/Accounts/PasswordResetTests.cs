using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Accounts;
using Storekeep.Messaging;
using Storekeep.Tests.Admin;
using Storekeep.Tests.Infrastructure;
using Storekeep.Tests.Storefront;

namespace Storekeep.Tests.Accounts;

public sealed class PasswordResetTests
{
    private const string NewPassword = "brand-new-password-7";

    private static Task<HttpResponseMessage> ForgotAsync(HttpClient browser, AccountKind kind, string email) => kind == AccountKind.Staff
        ? browser.SubmitFormAsync("/admin/forgot-password", new() { ["Input.Email"] = email }, "admin-forgot-password")
        : browser.SubmitFormAsync("/account/forgot-password", new() { ["Input.Email"] = email }, "forgot-password");

    private static Dictionary<string, string> Passwords(string password, string? confirmation = null) => new()
    {
        ["Input.Password"] = password,
        ["Input.ConfirmPassword"] = confirmation ?? password,
    };

    [Fact]
    public async Task A_shopper_chooses_a_new_password_through_the_emailed_link_which_works_only_once()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);
        await store.Browser().SignUpAsync("ada@example.com", "Ada");
        await using var db = store.Db();
        var before = await db.Users.AsNoTracking().SingleAsync(u => u.NormalizedEmail == "ADA@EXAMPLE.COM");
        var browser = store.Browser();

        var asked = await ForgotAsync(browser, AccountKind.Shopper, "ada@example.com").ExpectStatus(HttpStatusCode.OK);
        Assert.Contains("data-testid=\"reset-requested\"", await asked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var link = await ShopperBrowser.LinkInLatestMessageAsync(store, MessageTypes.PasswordReset, "ada@example.com", "/account/reset-password?");
        Assert.Contains(before.Id.ToString(), link, StringComparison.Ordinal);

        var (action, form) = await browser.ReadFormAsync(link, "reset-password");
        var weak = await (await browser.PostFormAsync(action, form, Passwords("short"))).Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"reset-password-error\"", weak, StringComparison.Ordinal);
        var mismatch = await (await browser.PostFormAsync(action, form, Passwords(NewPassword, NewPassword + "x"))).Content.ReadAsStringAsync();
        Assert.Contains("The two passwords are not the same.", mismatch, StringComparison.Ordinal);

        var reset = await (await browser.PostFormAsync(action, form, Passwords(NewPassword))).Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"password-reset-done\"", reset, StringComparison.Ordinal);

        // The link is spent: the page says so, and posting the same form again changes nothing.
        Assert.Contains("data-testid=\"reset-link-invalid\"", await browser.GetPageAsync(link, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        var replay = await (await browser.PostFormAsync(action, form, Passwords("attacker-password-9"))).Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"reset-link-invalid\"", replay, StringComparison.Ordinal);

        var after = await db.Users.AsNoTracking().SingleAsync(u => u.Id == before.Id);
        Assert.NotEqual(before.SecurityStamp, after.SecurityStamp); // other sessions end at their next stamp check
        Assert.True(after.EmailConfirmed); // following the emailed link proved the mailbox
        var old = await store.Browser().SubmitFormAsync("/account/login", new() { ["Input.Email"] = "ada@example.com", ["Input.Password"] = ShopperBrowser.Password }, "login");
        Assert.Contains("data-testid=\"login-error\"", await old.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await store.Browser().SignInAsync("ada@example.com", NewPassword);
        var attacker = await store.Browser().SubmitFormAsync("/account/login", new() { ["Input.Email"] = "ada@example.com", ["Input.Password"] = "attacker-password-9" }, "login");
        Assert.Contains("data-testid=\"login-error\"", await attacker.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_staff_member_resets_on_the_back_office_pages_and_the_link_does_not_open_the_shopper_page()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);
        var staff = await store.CreateStaffAsync(Role.Manager, "manager@example.com");
        var browser = store.Browser();

        await ForgotAsync(browser, AccountKind.Staff, "manager@example.com").ExpectStatus(HttpStatusCode.OK);
        var link = await ShopperBrowser.LinkInLatestMessageAsync(store, MessageTypes.PasswordReset, "manager@example.com", "/admin/reset-password?");
        var onShopperPage = link.Replace("/admin/reset-password", "/account/reset-password", StringComparison.Ordinal);
        Assert.Contains("data-testid=\"reset-link-invalid\"", await browser.GetPageAsync(onShopperPage, HttpStatusCode.BadRequest), StringComparison.Ordinal);

        var done = await browser.SubmitFormAsync(link, Passwords(NewPassword), "admin-reset-password");
        Assert.Contains("data-testid=\"password-reset-done\"", await done.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var signIn = await store.Browser().SubmitFormAsync("/admin/login", new() { ["Input.Email"] = staff.Email!, ["Input.Password"] = NewPassword });
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/admin", signIn.Headers.Location!.PathAndQueryOf());
    }

    [Fact]
    public async Task Unknown_emails_and_the_other_kind_of_account_get_the_same_answer_and_no_email()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);
        await store.Browser().SignUpAsync("ada@example.com", "Ada");
        await store.CreateStaffAsync(Role.Sales, "sales@example.com");
        var browser = store.Browser();

        var answers = new List<string>();
        foreach (var (kind, email) in new[] { (AccountKind.Shopper, "nobody@example.com"), (AccountKind.Shopper, "sales@example.com"), (AccountKind.Staff, "nobody@example.com"), (AccountKind.Staff, "ada@example.com") })
        {
            var response = await ForgotAsync(browser, kind, email).ExpectStatus(HttpStatusCode.OK);
            var html = await response.Content.ReadAsStringAsync();
            Assert.Contains($"If an account exists for {email}, we sent it a link", html, StringComparison.Ordinal);
            answers.Add(html.Replace(email, "EMAIL", StringComparison.Ordinal));
        }

        Assert.All(answers, answer => Assert.Equal(NoticeOf(answers[0]), NoticeOf(answer)));
        var known = await ForgotAsync(browser, AccountKind.Shopper, "ada@example.com").ExpectStatus(HttpStatusCode.OK);
        Assert.Equal(
            NoticeOf(answers[0]),
            NoticeOf((await known.Content.ReadAsStringAsync()).Replace("ada@example.com", "EMAIL", StringComparison.Ordinal)));
        await using var db = store.Db();
        var queued = await db.Messages.AsNoTracking().Where(m => m.Type == MessageTypes.PasswordReset).Select(m => m.To).ToListAsync();
        Assert.Equal(["ada@example.com"], queued);
    }

    private static string NoticeOf(string html)
    {
        var start = html.IndexOf("data-testid=\"reset-requested\"", StringComparison.Ordinal);
        return html[start..html.IndexOf("</p>", start, StringComparison.Ordinal)];
    }
}
