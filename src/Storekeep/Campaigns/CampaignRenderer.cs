using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Storekeep.Messaging;

namespace Storekeep.Campaigns;

/// <summary>The store's values every campaign message shows, read once per dispatch round.</summary>
public sealed record CampaignStoreValues(string Name, string Address, string PublicUrl);

/// <summary>Who a message is for, as the placeholders see them.</summary>
public sealed record CampaignAudience(string? FirstName, string? LastName, string Email);

/// <summary>
/// Turns a campaign's text into one recipient's message. The body is plain text: blank lines
/// separate paragraphs and every http(s) address becomes a link. Each link goes through the
/// store's click redirect (<c>/m/c/{token}/{n}</c>, n counting the body's links from 0), the HTML
/// carries an open pixel, and every email ends with a visible unsubscribe link and the store's
/// postal address. SMS get the text and a short opt-out link.
/// </summary>
public static partial class CampaignRenderer
{
    public const string FirstName = "customer.firstName";
    public const string LastName = "customer.lastName";
    public const string Email = "customer.email";
    public const string UnsubscribeUrl = "unsubscribe_url";

    /// <summary>The placeholders a campaign may use.</summary>
    public static readonly IReadOnlyList<string> Placeholders =
        [FirstName, LastName, Email, UnsubscribeUrl, BuiltInTemplates.StoreName, BuiltInTemplates.StoreUrl, BuiltInTemplates.StoreAddress];

    private const string PixelUrl = "pixel_url";

    [GeneratedRegex(@"https?://[^\s<>""']+", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Url();

    /// <summary>The body's links in order; a link's index is its number in the click redirect.</summary>
    public static IReadOnlyList<string> LinksIn(string body) => [.. Url().Matches(body).Select(m => Trim(m.Value))];

    public static string OpenUrl(string publicUrl, string token) => $"{publicUrl}/m/o/{token}";

    public static string ClickUrl(string publicUrl, string token, int link) => $"{publicUrl}/m/c/{token}/{link}";

    public static string UnsubscribeLink(string publicUrl, string token) => $"{publicUrl}/m/u/{token}";

    /// <summary>An email: subject, HTML (links tracked, pixel, footer) and text (links tracked, footer).</summary>
    /// <param name="openPixel">False for a preview in the back office: showing it must not fetch the tracking pixel.</param>
    public static RenderedMessage RenderEmail(string subject, string body, CampaignAudience audience, CampaignStoreValues store, string token, bool openPixel = true)
    {
        var values = Values(audience, store, token, body);
        values[PixelUrl] = OpenUrl(store.PublicUrl, token);
        var marked = Marked(body);
        var html = new StringBuilder();
        foreach (var paragraph in marked.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Placeholders survive HTML encoding ({, } and . are not encoded); values are encoded when filled.
            var encoded = WebUtility.HtmlEncode(paragraph).Replace("\n", "<br>", StringComparison.Ordinal);
            html.Append("<p>").Append(LinkPlaceholder().Replace(encoded, m => $"<a href=\"{{{{link.{m.Groups[1].Value}}}}}\">{{{{linktext.{m.Groups[1].Value}}}}}</a>")).Append("</p>\n");
        }

        html.Append("<hr><p style=\"color:#666;font-size:12px\">You receive this email because you agreed to hear from {{store.name}}. ")
            .Append("<a href=\"{{unsubscribe_url}}\">Unsubscribe</a> at any time with one click.<br>{{store.address}}</p>\n");
        if (openPixel)
        {
            html.Append("<img src=\"{{pixel_url}}\" width=\"1\" height=\"1\" alt=\"\">");
        }

        var text = marked + "\n\n--\nYou receive this email because you agreed to hear from {{store.name}}. Unsubscribe: {{unsubscribe_url}}\n{{store.address}}";
        return TemplateRenderer.Render(subject, html.ToString(), text, values);
    }

    /// <summary>An SMS: the text with links tracked, and an opt-out link.</summary>
    public static string RenderSms(string body, CampaignAudience audience, CampaignStoreValues store, string token) =>
        TemplateRenderer.Render("", "", Marked(body) + "\nOpt out: {{unsubscribe_url}}", Values(audience, store, token, body)).Text;

    private static Dictionary<string, string?> Values(CampaignAudience audience, CampaignStoreValues store, string token, string body)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            [FirstName] = audience.FirstName ?? "",
            [LastName] = audience.LastName ?? "",
            [Email] = audience.Email,
            [UnsubscribeUrl] = UnsubscribeLink(store.PublicUrl, token),
            [BuiltInTemplates.StoreName] = store.Name,
            [BuiltInTemplates.StoreUrl] = store.PublicUrl,
            [BuiltInTemplates.StoreAddress] = store.Address,
        };
        var links = LinksIn(body);
        for (var i = 0; i < links.Count; i++)
        {
            values[$"link.{i}"] = ClickUrl(store.PublicUrl, token, i);
            values[$"linktext.{i}"] = links[i];
        }

        return values;
    }

    /// <summary>The body with its n-th link replaced by the placeholder <c>{{link.n}}</c>.</summary>
    private static string Marked(string body)
    {
        var n = 0;
        return Url().Replace(body, m =>
        {
            var url = Trim(m.Value);
            return "{{link." + n++ + "}}" + m.Value[url.Length..];
        });
    }

    [GeneratedRegex(@"\{\{link\.(\d+)\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex LinkPlaceholder();

    private static string Trim(string url) => url.TrimEnd('.', ',', ';', ':', '!', '?', ')', ']');
}
