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

public sealed record CreateApiKeyRequest(string? Name, string? Role);

public sealed record ApiKeyView(Guid Id, string Name, string Role, string Prefix, DateTime CreatedAt, DateTime? RevokedAt);

/// <summary>The API of API keys: list, create (the key is returned once), revoke.</summary>
public sealed class ApiKeyAdministration(StorekeepDbContext db, ApiKeyService keys, TimeProvider clock)
{
    public async Task<IReadOnlyList<ApiKeyView>> ListAsync(CancellationToken ct) =>
        (await db.ApiKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ToListAsync(ct))
        .Select(k => new ApiKeyView(k.Id, k.Name, Permissions.RoleName(k.Role), k.Prefix, k.CreatedAt, k.RevokedAt)).ToList();

    public async Task<CreatedApiKey> CreateAsync(CreateApiKeyRequest request, CancellationToken ct)
    {
        var v = new Storekeep.Shared.Validation();
        var name = v.Required("name", request.Name, 100);
        if (!Permissions.TryParseRole(request.Role, out var role))
        {
            v.Add("role", $"'role' must be one of: {string.Join(", ", Enum.GetValues<Role>().Select(Permissions.RoleName))}.");
        }

        v.ThrowIfInvalid();
        return await keys.CreateAsync(name, role, ct);
    }

    /// <summary>Revokes the key and returns its hash, so the caller can drop it from any lookup cache.</summary>
    public async Task<string> RevokeAsync(Guid id, CancellationToken ct)
    {
        var hash = await db.ApiKeys.Where(k => k.Id == id).Select(k => k.Hash).FirstOrDefaultAsync(ct)
            ?? throw Storekeep.Shared.Errors.NotFound("API key", id.ToString());
        var now = clock.GetUtcNow().UtcDateTime;
        await db.InTransactionAsync(async token =>
        {
            var revoked = await db.ApiKeys.Where(k => k.Id == id && k.RevokedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(k => k.RevokedAt, now), token);
            if (revoked > 0)
            {
                // A bulk update bypasses the audit interceptor; revoking a key is worth a record.
                Storekeep.Audit.AuditInterceptor.Record(db, now, "updated", nameof(ApiKey), id.ToString(), new { RevokedAt = (DateTime?)null }, new { RevokedAt = now });
            }

            return revoked;
        }, ct);
        return hash;
    }
}
