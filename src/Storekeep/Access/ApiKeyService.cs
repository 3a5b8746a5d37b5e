using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;

namespace Storekeep.Access;

public sealed record CreatedApiKey(Guid Id, string Name, Role Role, string Key, string Prefix, DateTime CreatedAt);

public sealed class ApiKeyService(StorekeepDbContext db, TimeProvider clock)
{
    public const string KeyPrefix = "sk_";

    public static string Hash(string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Creates a key and returns it in full: the only time anyone sees it.</summary>
    public async Task<CreatedApiKey> CreateAsync(string name, Role role, CancellationToken ct, string? key = null)
    {
        key ??= KeyPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
            .Replace('+', 'A').Replace('/', 'B').TrimEnd('=');
        var apiKey = new ApiKey
        {
            Name = name,
            Prefix = key[..Math.Min(10, key.Length)],
            Hash = Hash(key),
            Role = role,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.ApiKeys.Add(apiKey);
        await db.SaveChangesAsync(ct);
        return new CreatedApiKey(apiKey.Id, apiKey.Name, role, key, apiKey.Prefix, apiKey.CreatedAt);
    }

    /// <summary>Makes sure a configured key exists as an owner key (Bootstrap:ApiKey).</summary>
    public async Task EnsureBootstrapKeyAsync(string key, CancellationToken ct)
    {
        var hash = Hash(key);
        if (!await db.ApiKeys.AnyAsync(k => k.Hash == hash, ct))
        {
            try
            {
                await CreateAsync("bootstrap", Role.Owner, ct, key);
            }
            catch (DbUpdateException e) when (Transactions.IsUniqueViolation(e))
            {
                // Another node created it at the same moment.
            }
        }
    }

    public Task<ApiKey?> FindActiveAsync(string key, CancellationToken ct)
    {
        var hash = Hash(key);
        return db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Hash == hash && k.RevokedAt == null, ct);
    }
}
