using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Data;

namespace Storekeep.Demo;

/// <summary>
/// The password of the demo store's staff accounts, one per database. It is random so that no
/// documented password opens any store, and kept (only for these demo accounts) so that every start
/// can print how to sign in; a real store has no row here.
/// </summary>
public sealed class DemoCredentials
{
    /// <summary>
    /// The demo's well-known company buyer (Northwind Hospitality: Wholesale prices, net 30), who
    /// signs in to the shop with the same password as the demo staff.
    /// </summary>
    public const string BuyerEmail = "buyer@northwind.demo.storekeep.test";

    public int Id { get; init; } = 1;
    public required string Password { get; init; }
    public DateTime CreatedAt { get; init; }

    private const string Alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
    private const string Digits = "23456789";

    /// <summary>Like <c>demo-k7qm-2xvt-9hwp</c>: 60 bits of randomness, easy to read and type.</summary>
    public static string NewPassword()
    {
        Span<char> groups = stackalloc char[14];
        for (var i = 0; i < groups.Length; i++)
        {
            groups[i] = (i + 1) % 5 == 0 ? '-' : Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }

        // Identity's password rules want a digit: one random letter position becomes one.
        var position = RandomNumberGenerator.GetInt32(12);
        groups[position + (position / 4)] = Digits[RandomNumberGenerator.GetInt32(Digits.Length)];
        return $"demo-{groups}";
    }

    /// <summary>The demo staff password of this database, or null when it has no demo accounts.</summary>
    public static Task<string?> FindAsync(StorekeepDbContext db, CancellationToken ct) =>
        db.Set<DemoCredentials>().AsNoTracking().OrderBy(c => c.Id).Select(c => c.Password).FirstOrDefaultAsync(ct);
}

internal sealed class DemoCredentialsConfiguration : IEntityTypeConfiguration<DemoCredentials>
{
    public void Configure(EntityTypeBuilder<DemoCredentials> b)
    {
        b.ToTable("demo_credentials");
        b.Property(c => c.Id).ValueGeneratedNever();
        b.Property(c => c.Password).HasMaxLength(200);
    }
}
