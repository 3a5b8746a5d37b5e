using System.Net;
using System.Text.RegularExpressions;

namespace Storekeep.Messaging;

public sealed record RenderedMessage(string Subject, string Html, string Text);

/// <summary>
/// Fills <c>{{name}}</c> placeholders. Values are HTML-encoded in the HTML body (a customer's name
/// cannot inject markup; line breaks become &lt;br&gt;), raw in the text body, and on one line in
/// the subject. A placeholder without a value is left visible, so a mistake shows instead of vanishing.
/// </summary>
public static partial class TemplateRenderer
{
    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_.]+)\s*\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    public static RenderedMessage Render(string subject, string html, string text, IReadOnlyDictionary<string, string?> values) => new(
        Fill(subject, values, v => OneLine(v)),
        Fill(html, values, v => WebUtility.HtmlEncode(v).Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "<br>", StringComparison.Ordinal)),
        Fill(text, values, v => v));

    /// <summary>The placeholder names a template uses, in order of first appearance.</summary>
    public static IReadOnlyList<string> PlaceholdersIn(params string?[] texts) =>
        texts.Where(t => t is not null).SelectMany(t => Placeholder().Matches(t!).Select(m => m.Groups[1].Value)).Distinct(StringComparer.Ordinal).ToList();

    private static string Fill(string template, IReadOnlyDictionary<string, string?> values, Func<string, string> encode) =>
        Placeholder().Replace(template, m => values.TryGetValue(m.Groups[1].Value, out var value) ? encode(value ?? "") : m.Value);

    private static string OneLine(string value) =>
        string.Join(' ', value.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
