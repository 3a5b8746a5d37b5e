using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Storekeep.Tests.Accounts;

/// <summary>
/// RFC 6238 (TOTP: HMAC-SHA1, 30-second steps, 6 digits) written out here, so the tests check the
/// server against the standard rather than against Identity's own implementation.
/// </summary>
public static class Totp
{
    public static string Code(string base32Key, DateTimeOffset at)
    {
        var counter = at.ToUnixTimeSeconds() / 30;
        Span<byte> message = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(message, counter);
#pragma warning disable CA5350 // RFC 6238's default algorithm is HMAC-SHA1; authenticator apps use it.
        var hash = HMACSHA1.HashData(Base32Decode(base32Key), message);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    public static byte[] Base32Decode(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var clean = text.Replace(" ", "", StringComparison.Ordinal).TrimEnd('=').ToUpperInvariant();
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in clean)
        {
            buffer = (buffer << 5) | alphabet.IndexOf(c, StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                bytes.Add((byte)((buffer >> bits) & 0xff));
            }
        }

        return [.. bytes];
    }

    [Fact]
    public static void Matches_the_RFC_6238_test_vector()
    {
        // RFC 6238 appendix B, SHA-1 key "12345678901234567890" at 59 s → 94287082 (8 digits; the last 6 here).
        var key = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        Assert.Equal("287082", Code(key, DateTimeOffset.FromUnixTimeSeconds(59)));
        Assert.Equal("081804", Code(key, DateTimeOffset.FromUnixTimeSeconds(1111111109)));
    }
}
