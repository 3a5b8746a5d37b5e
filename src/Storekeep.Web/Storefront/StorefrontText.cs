using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;

namespace Storekeep.Web.Storefront;

/// <summary>Formatting shared by the storefront pages: money, availability, descriptions, SEO markup.</summary>
public static partial class StorefrontText
{
    /// <summary>At or below this many units the page says "Only N left".</summary>
    public const long FewLeft = 5;

    public const int MetaDescriptionLength = 160;

    private static readonly JsonSerializerOptions JsonLdOptions = new() { WriteIndented = false };

    public static string Money(decimal amount, string currency)
    {
        var number = amount.ToString("#,##0.00", CultureInfo.InvariantCulture);
        return currency switch
        {
            "USD" => "$" + number,
            "CAD" => "CA$" + number,
            "AUD" => "A$" + number,
            "EUR" => "€" + number,
            "GBP" => "£" + number,
            _ => number + " " + currency,
        };
    }

    public static string MachinePrice(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    public static string Availability(long available) => available switch
    {
        <= 0 => "Out of stock",
        <= FewLeft => $"Only {available} left",
        _ => "In stock",
    };

    public static string SchemaAvailability(long available) =>
        available > 0 ? "https://schema.org/InStock" : "https://schema.org/OutOfStock";

    /// <summary>
    /// Product descriptions may be HTML from a Shopify import. They are never rendered as markup:
    /// scripts and styles are dropped with their content, block ends become paragraph breaks, other
    /// tags are removed and entities decoded; the page then HTML-encodes the text like any other.
    /// </summary>
    public static IReadOnlyList<string> Paragraphs(string? html)
    {
        if (string.IsNullOrWhiteSpace(html))
        {
            return [];
        }

        var text = ScriptOrStyle().Replace(html, " ");
        text = BlockEnd().Replace(text, "\n");
        text = AnyTag().Replace(text, " ");
        text = WebUtility.HtmlDecode(text);
        return text.Split('\n')
            .Select(line => Spaces().Replace(line, " ").Trim())
            .Where(line => line.Length > 0)
            .ToList();
    }

    public static string Summary(string? preferred, string? fallbackHtml, int length = MetaDescriptionLength)
    {
        var text = !string.IsNullOrWhiteSpace(preferred) ? preferred.Trim() : string.Join(' ', Paragraphs(fallbackHtml));
        return text.Length <= length ? text : text[..(length - 1)].TrimEnd() + "…";
    }

    public static string PlaceholderImage(string slug) => $"/images/products/{slug}.svg";

    /// <summary>Absolute URL of this store for <paramref name="pathAndQuery"/>: canonical links, Open Graph, sitemap.</summary>
    public static string Absolute(HttpContext context, string pathAndQuery)
    {
        var request = context.Request;
        return $"{request.Scheme}://{request.Host}{request.PathBase}{pathAndQuery}";
    }

    /// <summary>
    /// A JSON-LD script element. System.Text.Json's default encoder writes &lt; as \u003C, so no
    /// value (a product title, say) can close the script element and inject markup.
    /// </summary>
    public static MarkupString JsonLd(object data)
    {
        var json = JsonSerializer.Serialize(data, JsonLdOptions);
        return new MarkupString($"<script type=\"application/ld+json\">{json}</script>");
    }

    public static object Breadcrumbs(HttpContext context, params (string Name, string Path)[] items) => new Dictionary<string, object>
    {
        ["@context"] = "https://schema.org",
        ["@type"] = "BreadcrumbList",
        ["itemListElement"] = items.Select((item, i) => new Dictionary<string, object>
        {
            ["@type"] = "ListItem",
            ["position"] = i + 1,
            ["name"] = item.Name,
            ["item"] = Absolute(context, item.Path),
        }).ToList(),
    };

    [GeneratedRegex("<(script|style)\\b[^>]*>[\\s\\S]*?(</\\1\\s*>|$)", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptOrStyle();

    [GeneratedRegex("<br\\s*/?>|</(p|div|li|h[1-6]|tr|ul|ol|blockquote)\\s*>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockEnd();

    [GeneratedRegex("<[^>]*>?")]
    private static partial Regex AnyTag();

    [GeneratedRegex("\\s+")]
    private static partial Regex Spaces();
}
