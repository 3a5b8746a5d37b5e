using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Store;

public sealed record StoreSettingsView(string Name, string Currency, bool PricesIncludeTax, string? Address);

/// <param name="Address">The store's postal address (several lines, shown at the foot of emails); "" clears it, null keeps it.</param>
public sealed record UpdateStoreSettingsRequest(string? Name, string? Currency, bool? PricesIncludeTax, string? Address = null);

/// <summary>Which manual payment methods (bank_transfer, cash_on_delivery) checkout offers besides card.</summary>
public sealed record PaymentSettingsView(IReadOnlyList<string> ManualMethods);

public sealed record UpdatePaymentSettingsRequest(string[]? ManualMethods);

/// <summary>
/// The store's own settings: name, currency, whether prices include tax, postal address and the
/// manual payment methods it accepts. Read on every checkout and email, changed rarely, so they
/// are cached briefly and the cache is dropped on every change.
/// </summary>
public sealed class StoreSettingsService(StorekeepDbContext db, IMemoryCache cache)
{
    private const string CacheKey = "store-settings";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    /// <summary>The settings (defaults when none are saved yet), cached; do not modify the returned object.</summary>
    public async Task<StoreSettings> GetAsync(CancellationToken ct)
    {
        if (cache.TryGetValue(CacheKey, out StoreSettings? settings) && settings is not null)
        {
            return settings;
        }

        settings = await Row(db).AsNoTracking().FirstOrDefaultAsync(ct) ?? new StoreSettings();
        cache.Set(CacheKey, settings, CacheFor);
        return settings;
    }

    /// <summary>The store's currency read from the database now (not cached), for reads that show prices.</summary>
    public static async Task<string> CurrencyAsync(StorekeepDbContext db, CancellationToken ct) =>
        await Row(db).AsNoTracking().Select(s => s.Currency).FirstOrDefaultAsync(ct) ?? StoreSettings.DefaultCurrency;

    /// <summary>
    /// The one settings row. There is only ever one (id <see cref="StoreSettings.SingletonId"/>); ordering by
    /// key makes "the first" well defined, so EF does not warn about an unordered First.
    /// </summary>
    public static IQueryable<StoreSettings> Row(StorekeepDbContext db) => db.StoreSettings.OrderBy(s => s.Id);

    public async Task<StoreSettingsView> UpdateStoreAsync(UpdateStoreSettingsRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var name = request.Name is null ? null : v.Required("name", request.Name, 200);
        if (request.Currency is not null && (request.Currency.Length != 3 || !request.Currency.All(char.IsAsciiLetterUpper)))
        {
            v.Add("currency", "'currency' must be a three-letter ISO 4217 code in capitals, e.g. USD.");
        }

        var address = ValidAddress(v, request.Address);
        v.ThrowIfInvalid();
        var settings = await LoadForUpdateAsync(ct);
        if (request.Currency is not null && request.Currency != settings.Currency && await CurrencyLockedAsync(ct))
        {
            throw Errors.Conflict("currency_locked", "The currency cannot change once the store has orders.");
        }

        settings.Name = name ?? settings.Name;
        settings.Currency = request.Currency ?? settings.Currency;
        settings.PricesIncludeTax = request.PricesIncludeTax ?? settings.PricesIncludeTax;
        if (request.Address is not null)
        {
            settings.Address = address;
        }

        await db.SaveChangesAsync(ct);
        cache.Remove(CacheKey);
        return ToView(settings);
    }

    public async Task<StoreSettingsView> GetStoreAsync(CancellationToken ct) => ToView(await GetAsync(ct));

    public async Task<PaymentSettingsView> GetPaymentsAsync(CancellationToken ct) =>
        new(ManualPaymentMethods.Enabled(await GetAsync(ct)));

    /// <summary>Replaces the list of manual methods checkout offers; an empty list leaves card only.</summary>
    public async Task<PaymentSettingsView> UpdatePaymentsAsync(UpdatePaymentSettingsRequest request, CancellationToken ct)
    {
        var v = new Validation();
        if (request.ManualMethods is null)
        {
            v.Add("manualMethods", $"'manualMethods' is required: a list of {string.Join(", ", ManualPaymentMethods.All)} (empty for card only).");
        }
        else if (request.ManualMethods.Length > ManualPaymentMethods.All.Count * 2)
        {
            v.Add("manualMethods", "'manualMethods' lists too many names.");
        }
        else
        {
            foreach (var name in request.ManualMethods.Where(m => ManualPaymentMethods.Parse(m) is null).Distinct())
            {
                v.Add("manualMethods", $"'{Truncate(name ?? "null")}' is not a manual payment method: use {string.Join(" or ", ManualPaymentMethods.All)}.");
            }
        }

        v.ThrowIfInvalid();
        var settings = await LoadForUpdateAsync(ct);
        settings.ManualPaymentMethods = string.Join(',', ManualPaymentMethods.All.Where(request.ManualMethods!.Contains));
        await db.SaveChangesAsync(ct);
        cache.Remove(CacheKey);
        return new PaymentSettingsView(ManualPaymentMethods.Enabled(settings));
    }

    /// <summary>The currency is fixed once orders exist: their amounts are in it.</summary>
    public Task<bool> CurrencyLockedAsync(CancellationToken ct) => db.Orders.AnyAsync(ct);

    /// <summary>The tracked row, added with defaults when the store has none yet.</summary>
    private async Task<StoreSettings> LoadForUpdateAsync(CancellationToken ct)
    {
        var settings = await Row(db).FirstOrDefaultAsync(ct);
        if (settings is null)
        {
            settings = new StoreSettings();
            db.StoreSettings.Add(settings);
        }

        return settings;
    }

    private static string Truncate(string text) => text.Length > 10 ? text[..10] + "…" : text;

    private static StoreSettingsView ToView(StoreSettings s) => new(s.Name, s.Currency, s.PricesIncludeTax, s.Address);

    /// <summary>Several lines (line breaks kept, trimmed per line), at most 500 characters; blank clears it.</summary>
    private static string? ValidAddress(Validation v, string? address)
    {
        if (address is null)
        {
            return null;
        }

        var lines = address.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.Trim()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        var text = string.Join('\n', lines.SkipWhile(l => l.Length == 0));
        if (text.Length > StoreSettings.MaxAddressLength)
        {
            v.Add("address", $"'address' must be at most {StoreSettings.MaxAddressLength} characters.");
        }
        else if (text.Any(c => char.IsControl(c) && c != '\n'))
        {
            v.Add("address", "'address' must not contain control characters other than line breaks.");
        }

        return text.Length == 0 ? null : text;
    }
}
