using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Access;
using Storekeep.Accounts;

namespace Storekeep.Tests.Infrastructure;

/// <summary>
/// Drives the server-rendered pages the way a browser without JavaScript would: GET a page, read
/// its form's antiforgery token, POST the form. Clients keep cookies and do not follow redirects,
/// so tests see the 302s and Set-Cookie headers themselves.
/// </summary>
public static partial class HtmlPages
{
    public const string StaffPassword = "staff-password-1";

    /// <summary>An HTTPS client (so Secure cookies are kept) with its own cookie jar.</summary>
    public static HttpClient Browser(this TestStore store) =>
        store.CreateBrowserClient(new WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false,
            HandleCookies = true,
            BaseAddress = new Uri("https://localhost"),
        });

    public static async Task<UserAccount> CreateStaffAsync(this TestStore store, Role role, string? email = null)
    {
        await using var scope = store.Services.CreateAsyncScope();
        var staff = scope.ServiceProvider.GetRequiredService<StaffAccounts>();
        return await staff.CreateAsync(email ?? $"{Permissions.RoleName(role)}-{Guid.NewGuid():N}@staff.test", null, [role], StaffPassword);
    }

    /// <summary>A browser signed in to the back office as a new user of <paramref name="role"/>.</summary>
    public static async Task<HttpClient> SignedInStaffAsync(this TestStore store, Role role) =>
        await store.SignedInStaffAsync((await store.CreateStaffAsync(role)).Email!, StaffPassword);

    /// <summary>A browser signed in to the back office as the existing user <paramref name="email"/>.</summary>
    public static async Task<HttpClient> SignedInStaffAsync(this TestStore store, string email, string password)
    {
        var browser = store.Browser();
        var response = await browser.SubmitFormAsync("/admin/login", new()
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return browser;
    }

    public static async Task<string> GetPageAsync(this HttpClient browser, string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await browser.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"GET {url}: expected {(int)expected}, got {(int)response.StatusCode}\n{html[..Math.Min(html.Length, 2000)]}");
        return html;
    }

    /// <summary>
    /// GETs <paramref name="pageUrl"/>, takes the first form (or the one whose <c>_handler</c> is
    /// <paramref name="formName"/>), fills in its hidden fields plus <paramref name="fields"/>, posts it.
    /// </summary>
    public static async Task<HttpResponseMessage> SubmitFormAsync(this HttpClient browser, string pageUrl, Dictionary<string, string> fields, string? formName = null)
    {
        var (action, values) = await browser.ReadFormAsync(pageUrl, formName);
        return await browser.PostFormAsync(action, values, fields);
    }

    /// <summary>The action and hidden fields of a page's form, to post it later (or twice).</summary>
    public static async Task<(string Action, Dictionary<string, string> Hidden)> ReadFormAsync(this HttpClient browser, string pageUrl, string? formName = null)
    {
        var html = await browser.GetPageAsync(pageUrl);
        var forms = FormPattern().Matches(html).Select(m => m.Value).ToList();
        var form = forms.FirstOrDefault(f => formName is null || f.Contains($"value=\"{formName}\"", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"No form {formName} on {pageUrl}.");
        var action = ActionPattern().Match(form) is { Success: true } a ? WebUtility.HtmlDecode(a.Groups[1].Value) : pageUrl;
        var values = HiddenPattern().Matches(form).ToDictionary(m => WebUtility.HtmlDecode(m.Groups[1].Value), m => WebUtility.HtmlDecode(m.Groups[2].Value));
        return (action, values);
    }

    public static Task<HttpResponseMessage> PostFormAsync(this HttpClient browser, string action, Dictionary<string, string> hidden, Dictionary<string, string> fields)
    {
        var values = new Dictionary<string, string>(hidden);
        foreach (var (name, value) in fields)
        {
            values[name] = value;
        }

        return browser.PostAsync(action, new FormUrlEncodedContent(values));
    }

    [GeneratedRegex("<form[\\s\\S]*?</form>", RegexOptions.IgnoreCase)]
    private static partial Regex FormPattern();

    [GeneratedRegex("<form[^>]*action=\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex ActionPattern();

    [GeneratedRegex("<input[^>]*type=\"hidden\"[^>]*name=\"([^\"]*)\"[^>]*value=\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex HiddenPattern();
}
