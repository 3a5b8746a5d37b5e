using System.Text;
using System.Text.RegularExpressions;

namespace Storekeep.Catalog;

/// <summary>URL slugs: lowercase ASCII letters and digits separated by single hyphens.</summary>
public static partial class Slugs
{
    public const int MaxLength = 200;

    // The build runs with invariant globalization, where string.Normalize does not decompose
    // accents, so the common Latin letters are folded by hand.
    private static readonly Dictionary<char, string> Folds = BuildFolds();

    public static bool IsValid(string slug) => slug.Length <= MaxLength && SlugPattern().IsMatch(slug) && !Guid.TryParse(slug, out _);

    /// <summary>"Crème Brûlée — 2 pack" → "creme-brulee-2-pack"; text with no usable letters gives <paramref name="fallback"/>.</summary>
    public static string From(string text, string fallback)
    {
        var builder = new StringBuilder(text.Length);
        var pendingHyphen = false;
        foreach (var c in text.ToLowerInvariant())
        {
            var folded = c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c.ToString() : Folds.GetValueOrDefault(c);
            if (folded is null)
            {
                pendingHyphen = builder.Length > 0;
                continue;
            }

            if (pendingHyphen)
            {
                builder.Append('-');
                pendingHyphen = false;
            }

            builder.Append(folded);
        }

        var slug = builder.Length > MaxLength - 8 ? builder.ToString(0, MaxLength - 8).TrimEnd('-') : builder.ToString();
        return slug.Length == 0 || Guid.TryParse(slug, out _) ? fallback : slug;
    }

    /// <summary>The first of <paramref name="baseSlug"/>, base-2, base-3… not in <paramref name="taken"/>.</summary>
    public static string FirstFree(string baseSlug, IReadOnlySet<string> taken)
    {
        if (!taken.Contains(baseSlug))
        {
            return baseSlug;
        }

        for (var n = 2; ; n++)
        {
            var candidate = $"{baseSlug}-{n}";
            if (!taken.Contains(candidate))
            {
                return candidate;
            }
        }
    }

    private static Dictionary<char, string> BuildFolds()
    {
        var folds = new Dictionary<char, string>();
        foreach (var (letters, ascii) in new[]
        {
            ("àáâãäåāăą", "a"), ("çćĉċč", "c"), ("ďđð", "d"), ("èéêëēĕėęě", "e"), ("ĝğġģ", "g"), ("ĥħ", "h"),
            ("ìíîïĩīĭįı", "i"), ("ĵ", "j"), ("ķ", "k"), ("ĺļľŀł", "l"), ("ñńņňŉ", "n"), ("òóôõöøōŏő", "o"),
            ("ŕŗř", "r"), ("śŝşšș", "s"), ("ţťŧț", "t"), ("ùúûüũūŭůűų", "u"), ("ŵ", "w"), ("ýÿŷ", "y"),
            ("źżž", "z"), ("ß", "ss"), ("æ", "ae"), ("œ", "oe"), ("þ", "th"),
        })
        {
            foreach (var letter in letters)
            {
                folds[letter] = ascii;
            }
        }

        return folds;
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex SlugPattern();
}
