using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Storefront;

/// <summary>What a shopper's browser does on the storefront, as plain form posts.</summary>
public static partial class ShopperBrowser
{
    public const string Password = "shopper-password-1";

    /// <summary>The product page's "Add to cart" form, as a browser posts it from the shop's own page: sku and quantity, no token.</summary>
    public static async Task<HttpResponseMessage> AddToCartAsync(this HttpClient browser, string sku, string quantity = "1")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/cart/add")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["sku"] = sku, ["quantity"] = quantity }),
        };
        request.Headers.Add("Sec-Fetch-Site", "same-origin");
        return await browser.SendAsync(request);
    }

    public static async Task<string> AntiforgeryTokenAsync(HttpClient browser)
    {
        var html = await browser.GetPageAsync("/account/login");
        return WebUtility.HtmlDecode(TokenPattern().Match(html).Groups[1].Value);
    }

    public static Dictionary<string, string> CheckoutFields(string token = "tok_visa", string email = "ada@example.com") => new()
    {
        ["Input.Email"] = email,
        ["Input.Name"] = "Ada Lovelace",
        ["Input.Line1"] = "12 Analytical Row",
        ["Input.City"] = "New York",
        ["Input.Region"] = "NY",
        ["Input.PostalCode"] = "10001",
        ["Input.Country"] = "US",
        ["Input.PaymentToken"] = token,
    };

    /// <summary>The checkout form as rendered once (its hidden attempt id and token) filled with <paramref name="fields"/>.</summary>
    public static async Task<Dictionary<string, string>> CheckoutFormAsync(this HttpClient browser, Dictionary<string, string> fields)
    {
        var html = await browser.GetPageAsync("/checkout");
        var form = FormPattern().Matches(html).Select(m => m.Value).Single(f => f.Contains("value=\"checkout\"", StringComparison.Ordinal));
        var values = HiddenPattern().Matches(form).ToDictionary(m => WebUtility.HtmlDecode(m.Groups[1].Value), m => WebUtility.HtmlDecode(m.Groups[2].Value));
        foreach (var (name, value) in fields)
        {
            values[name] = value;
        }

        return values;
    }

    /// <summary>Adds <paramref name="sku"/> and checks out; returns the confirmation URL it was sent to.</summary>
    public static async Task<string> BuyAsync(this HttpClient browser, string sku, int quantity = 1, string email = "ada@example.com")
    {
        Assert.Equal(HttpStatusCode.SeeOther, (await browser.AddToCartAsync(sku, quantity.ToString(System.Globalization.CultureInfo.InvariantCulture))).StatusCode);
        var response = await browser.SubmitFormAsync("/checkout", CheckoutFields(email: email), "checkout");
        return await ExpectRedirectAsync(response, "/checkout/confirmation/");
    }

    public static async Task SignUpAsync(this HttpClient browser, string email, string name = "Grace Hopper")
    {
        var response = await browser.SubmitFormAsync("/account/register", new()
        {
            ["Input.Name"] = name,
            ["Input.Email"] = email,
            ["Input.Password"] = Password,
        }, "register");
        await ExpectRedirectAsync(response, "/account/orders");
    }

    public static async Task SignInAsync(this HttpClient browser, string email, string password = Password)
    {
        var response = await browser.SubmitFormAsync("/account/login", new() { ["Input.Email"] = email, ["Input.Password"] = password }, "login");
        await ExpectRedirectAsync(response, "/account");
    }

    /// <summary>The confirmation link in the latest verification email queued for <paramref name="email"/> (site-relative).</summary>
    public static Task<string> VerificationLinkAsync(TestStore store, string email) =>
        LinkInLatestMessageAsync(store, Storekeep.Messaging.MessageTypes.AccountVerification, email, "/account/verify-email?");

    /// <summary>The link to <paramref name="pathPrefix"/> in the latest <paramref name="type"/> message queued for <paramref name="email"/>, as a site-relative URL.</summary>
    public static async Task<string> LinkInLatestMessageAsync(TestStore store, string type, string email, string pathPrefix)
    {
        await using var db = store.Db();
        var text = await db.Messages.AsNoTracking()
            .Where(m => m.Type == type && m.To == email.ToLowerInvariant())
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
            .Select(m => m.TextBody).FirstOrDefaultAsync()
            ?? throw new InvalidOperationException($"No {type} message to {email}.");
        return RelativeLink(text, pathPrefix);
    }

    /// <summary>The first link to <paramref name="pathPrefix"/> in an email's text, without the store's public address.</summary>
    public static string RelativeLink(string text, string pathPrefix)
    {
        var match = LinkPattern().Matches(text).Select(m => new Uri(m.Value)).FirstOrDefault(u => u.PathAndQuery.StartsWith(pathPrefix, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"No link to {pathPrefix} in:\n{text}");
        return match.PathAndQuery;
    }

    /// <summary>Follows the account's email-confirmation link in this browser.</summary>
    public static async Task VerifyEmailAsync(this HttpClient browser, TestStore store, string email)
    {
        var page = await browser.GetPageAsync(await VerificationLinkAsync(store, email));
        Assert.Contains("data-testid=\"email-verified\"", page, StringComparison.Ordinal);
    }

    /// <summary>Asserts a 302/303 to a path starting with <paramref name="pathPrefix"/> and returns that path.</summary>
    public static async Task<string> ExpectRedirectAsync(HttpResponseMessage response, string pathPrefix)
    {
        if (response.StatusCode is not (HttpStatusCode.Redirect or HttpStatusCode.SeeOther))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.Fail($"expected a redirect to {pathPrefix}, got {(int)response.StatusCode}: {body[..Math.Min(body.Length, 3000)]}");
        }

        var location = response.Headers.Location!;
        var path = location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;
        Assert.StartsWith(pathPrefix, path, StringComparison.Ordinal);
        return path;
    }

    public static IReadOnlyList<string> SetCookies(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Where(v => v.StartsWith(name + "=", StringComparison.Ordinal)).ToList() : [];

    [GeneratedRegex("https?://[^\\s\"<>]+")]
    private static partial Regex LinkPattern();

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]*)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("<form[\\s\\S]*?</form>", RegexOptions.IgnoreCase)]
    private static partial Regex FormPattern();

    [GeneratedRegex("<input[^>]*type=\"hidden\"[^>]*name=\"([^\"]*)\"[^>]*value=\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex HiddenPattern();
}
