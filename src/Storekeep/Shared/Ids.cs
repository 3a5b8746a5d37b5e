using System.Security.Cryptography;

namespace Storekeep.Shared;

/// <summary>
/// Guid v7 ids that strictly increase within this process. <see cref="Guid.CreateVersion7()"/> is
/// random within a millisecond, so two rows written in the same millisecond could list in the
/// wrong order; here a new id that would not sort after the previous one becomes the previous one
/// plus one (RFC 9562, monotonic random). Across nodes, ids still sort by millisecond.
/// </summary>
public static class Ids
{
    private static readonly Lock Gate = new();
    private static readonly byte[] Last = new byte[16];

    public static Guid NewId()
    {
        Span<byte> candidate = stackalloc byte[16];
        Guid.CreateVersion7().TryWriteBytes(candidate, bigEndian: true, out _);
        lock (Gate)
        {
            if (candidate.SequenceCompareTo(Last) <= 0)
            {
                Last.CopyTo(candidate);
                Increment(candidate);
            }

            candidate.CopyTo(Last);
        }

        return new Guid(candidate, bigEndian: true);
    }

    /// <summary>
    /// 122 random bits from the cryptographic generator (a version 4 Guid), for an id that is the
    /// only key to what it names, such as a shopper's cart: <see cref="NewId"/> makes ids in the
    /// same millisecond one apart, so one would lead to the next.
    /// </summary>
    public static Guid NewUnguessableId()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>Adds one to the 74 random bits, leaving the timestamp, version and variant alone.</summary>
    private static void Increment(Span<byte> id)
    {
        for (var i = 15; i >= 9; i--)
        {
            if (++id[i] != 0)
            {
                return;
            }
        }

        // Byte 8: two variant bits, then six random bits.
        var low = (id[8] & 0x3F) + 1;
        id[8] = (byte)((id[8] & 0xC0) | (low & 0x3F));
        if (low <= 0x3F)
        {
            return;
        }

        // Bytes 6–7: four version bits, then twelve random bits (2^62 ids in one millisecond first).
        var randA = (((id[6] & 0x0F) << 8) | id[7]) + 1;
        id[6] = (byte)((id[6] & 0xF0) | ((randA >> 8) & 0x0F));
        id[7] = (byte)randA;
    }
}
