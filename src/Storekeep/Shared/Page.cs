using System.Buffers.Text;
using System.Text;

namespace Storekeep.Shared;

/// <summary>One page of a cursor-paginated list: <c>{ items, nextCursor }</c>.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>Opaque cursors: the key of the last item seen, base64url-encoded.</summary>
public static class Cursor
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static string Encode(string key) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(key));

    public static string Encode(long key) => Encode(key.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static string? Decode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            throw InvalidCursor();
        }

        // Keys we issue are printable; anything else would reach the database as a parameter
        // (PostgreSQL refuses NUL outright).
        return text.Length == 0 || text.Any(char.IsControl) ? throw InvalidCursor() : text;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static StorekeepException InvalidCursor() => Errors.BadRequest("invalid_cursor", "The cursor is not one this API issued.");

    public static long? DecodeLong(string? cursor)
    {
        var text = Decode(cursor);
        if (text is null)
        {
            return null;
        }

        return long.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw InvalidCursor();
    }

    public static Guid? DecodeGuid(string? cursor)
    {
        var text = Decode(cursor);
        if (text is null)
        {
            return null;
        }

        return Guid.TryParse(text, out var value)
            ? value
            : throw InvalidCursor();
    }

    /// <summary>A <c>limit</c> query value: <paramref name="defaultLimit"/> when absent, else 1 to <paramref name="max"/> or a 400.</summary>
    public static int Limit(int? limit, int defaultLimit = DefaultLimit, int max = MaxLimit)
    {
        if (limit is null)
        {
            return defaultLimit;
        }

        if (limit < 1 || limit > max)
        {
            throw new RequestValidationException(new Dictionary<string, string[]>
            {
                ["limit"] = [$"'limit' must be between 1 and {max}."],
            });
        }

        return limit.Value;
    }
}
