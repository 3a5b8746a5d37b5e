using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Checkout;

public sealed record StoreSettingsView(string Name, string Currency, bool PricesIncludeTax, string? Address);

/// <param name="Address">The store's postal address (several lines, shown at the foot of emails); "" clears it, null keeps it.</param>
public sealed record UpdateStoreSettingsRequest(string? Name, string? Currency, bool? PricesIncludeTax, string? Address = null);

/// <summary>Which manual payment methods (bank_transfer, cash_on_delivery) checkout offers besides card.</summary>
public sealed record PaymentSettingsView(IReadOnlyList<string> ManualMethods);

public sealed record UpdatePaymentSettingsRequest(string[]? ManualMethods);

public sealed record ShippingMethodRequest(string? Code, string? Name, decimal? Rate, decimal? FreeOver, string[]? Countries, bool? IsActive, int? Position);

public sealed record ShippingMethodView(Guid Id, string Code, string Name, decimal Rate, decimal? FreeOver, string[] Countries, bool IsActive, int Position, string Currency);

public sealed record TaxRateRequest(string? Country, string? Region, string? Name, decimal? Rate);

public sealed record TaxRateView(Guid Id, string Country, string? Region, string Name, decimal Rate);

/// <summary>
/// Store settings, shipping methods and tax rates: what checkout prices with. Read on every
/// checkout, changed rarely, so they are cached briefly and the cache is dropped on every change.
/// </summary>
public sealed class CheckoutSettings(StorekeepDbContext db, IMemoryCache cache)
{
    private const string CacheKey = "checkout-settings";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    public sealed record Snapshot(StoreSettings Store, IReadOnlyList<ShippingMethod> ShippingMethods, IReadOnlyList<TaxRate> TaxRates);

    public async Task<Snapshot> GetAsync(CancellationToken ct)
    {
        if (cache.TryGetValue(CacheKey, out Snapshot? snapshot) && snapshot is not null)
        {
            return snapshot;
        }

        var store = await db.StoreSettings.AsNoTracking().FirstOrDefaultAsync(ct) ?? new StoreSettings();
        var methods = await db.ShippingMethods.AsNoTracking().Where(m => m.IsActive).OrderBy(m => m.Position).ThenBy(m => m.Code).ToListAsync(ct);
        var rates = await db.TaxRates.AsNoTracking().ToListAsync(ct);
        snapshot = new Snapshot(store, methods, rates);
        cache.Set(CacheKey, snapshot, CacheFor);
        return snapshot;
    }

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
        var settings = await db.StoreSettings.FirstOrDefaultAsync(ct);
        if (settings is null)
        {
            settings = new StoreSettings();
            db.StoreSettings.Add(settings);
        }

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

    public async Task<StoreSettingsView> GetStoreAsync(CancellationToken ct) => ToView((await GetAsync(ct)).Store);

    public async Task<PaymentSettingsView> GetPaymentsAsync(CancellationToken ct) =>
        new(ManualPaymentMethods.Enabled((await GetAsync(ct)).Store));

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
        var settings = await db.StoreSettings.FirstOrDefaultAsync(ct);
        if (settings is null)
        {
            settings = new StoreSettings();
            db.StoreSettings.Add(settings);
        }

        settings.ManualPaymentMethods = string.Join(',', ManualPaymentMethods.All.Where(request.ManualMethods!.Contains));
        await db.SaveChangesAsync(ct);
        cache.Remove(CacheKey);
        return new PaymentSettingsView(ManualPaymentMethods.Enabled(settings));
    }

    public async Task<IReadOnlyList<ShippingMethodView>> ListShippingMethodsAsync(CancellationToken ct)
    {
        var currency = (await GetAsync(ct)).Store.Currency;
        var methods = await db.ShippingMethods.AsNoTracking().OrderBy(m => m.Position).ThenBy(m => m.Code).ToListAsync(ct);
        return methods.Select(m => ToView(m, currency)).ToList();
    }

    public async Task<ShippingMethodView> CreateShippingMethodAsync(ShippingMethodRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var code = v.Code("code", request.Code, 32);
        var name = v.Required("name", request.Name, 100);
        var rate = v.Money("rate", request.Rate);
        var freeOver = request.FreeOver is null ? (decimal?)null : v.Money("freeOver", request.FreeOver);
        var countries = ValidateCountries(v, request.Countries);
        v.ThrowIfInvalid();
        if (await db.ShippingMethods.AnyAsync(m => m.Code == code, ct))
        {
            throw Errors.Conflict("shipping_method_code_taken", $"A shipping method with code '{code}' already exists.");
        }

        var method = new ShippingMethod
        {
            Code = code,
            Name = name,
            Rate = rate,
            FreeOver = freeOver,
            Countries = countries,
            IsActive = request.IsActive ?? true,
            Position = request.Position ?? 0,
        };
        db.ShippingMethods.Add(method);
        await db.SaveChangesAsync(ct);
        cache.Remove(CacheKey);
        return ToView(method, (await GetAsync(ct)).Store.Currency);
    }

    /// <summary>Replaces a method's fields; fields left out (null) keep their value.</summary>
    public async Task<ShippingMethodView> UpdateShippingMethodAsync(Guid id, ShippingMethodRequest request, CancellationToken ct)
    {
        var method = await db.ShippingMethods.SingleOrDefaultAsync(m => m.Id == id, ct) ?? throw Errors.NotFound("Shipping method", id.ToString());
        var v = new Validation();
        var code = request.Code is null ? method.Code : v.Code("code", request.Code, 32);
        var name = request.Name is null ? method.Name : v.Required("name", request.Name, 100);
        var rate = request.Rate is null ? method.Rate : v.Money("rate", request.Rate);
        var freeOver = request.FreeOver is null ? null : (decimal?)v.Money("freeOver", request.FreeOver);
        var countries = request.Countries is null ? method.Countries : ValidateCountries(v, request.Countries);
        v.ThrowIfInvalid();
        if (code != method.Code && await db.ShippingMethods.AnyAsync(m => m.Code == code, ct))
        {
            throw Errors.Conflict("shipping_method_code_taken", $"A shipping method with code '{code}' already exists.");
        }

        method.Code = code;
        method.Name = name;
        method.Rate = rate;
        method.FreeOver = freeOver;
        method.Countries = countries;
        method.IsActive = request.IsActive ?? method.IsActive;
        method.Position = request.Position ?? method.Position;
        await db.SaveChangesAsync(ct);
        cache.Remove(CacheKey);
        return ToView(method, (await GetAsync(ct)).Store.Currency);
    }

    /// <summary>Orders keep their own copy of the method they used, so deleting one changes no order.</summary>
    public async Task DeleteShippingMethodAsync(Guid id, CancellationToken ct)
    {
        var method = await db.ShippingMethods.SingleOrDefaultAsync(m => m.Id == id, ct) ?? throw Errors.NotFound("Shipping method", id.ToString());
        db.ShippingMethods.Remove(method);
        await db.SaveChangesAsync(ct);
        cache.Remove(CacheKey);
    }

    public async Task<TaxRateView> UpdateTaxRateAsync(Guid id, TaxRateRequest request, CancellationToken ct)
    {
        var rate = await db.TaxRates.SingleOrDefaultAsync(t => t.Id == id, ct) ?? throw Errors.NotFound("Tax rate", id.ToString());
        var v = new Validation();
        var name = request.Name is null ? rate.Name : v.Required("name", request.Name, 100);
        if (request.Rate is { } percent && (percent < 0 || percent > 100 || decimal.Round(percent, 4) != percent))
        {
            v.Add("rate", "'rate' must be a percentage from 0 to 100 with at most four decimals.");
        }

        v.ThrowIfInvalid();
        rate.Name = name;
        rate.Rate = request.Rate ?? rate.Rate;
        await db.SaveChangesAsync(ct);
        cache.Remove(CacheKey);
        return ToView(rate);
    }

    public async Task DeleteTaxRateAsync(Guid id, CancellationToken ct)
    {
        var rate = await db.TaxRates.SingleOrDefaultAsync(t => t.Id == id, ct) ?? throw Errors.NotFound("Tax rate", id.ToString());
        db.TaxRates.Remove(rate);
        await db.SaveChangesAsync(ct);
        cache.Remove(CacheKey);
    }

    /// <summary>The currency is fixed once orders exist: their amounts are in it.</summary>
    public Task<bool> CurrencyLockedAsync(CancellationToken ct) => db.Orders.AnyAsync(ct);

    public async Task<IReadOnlyList<TaxRateView>> ListTaxRatesAsync(CancellationToken ct) =>
        (await db.TaxRates.AsNoTracking().OrderBy(t => t.Country).ThenBy(t => t.Region).ToListAsync(ct)).Select(ToView).ToList();

    public async Task<TaxRateView> CreateTaxRateAsync(TaxRateRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var country = v.Required("country", request.Country, 2).ToUpperInvariant();
        if (country.Length > 0 && !Countries.IsValid(country))
        {
            v.Add("country", "'country' must be an ISO 3166-1 alpha-2 code, e.g. US.");
        }

        var region = v.Text("region", request.Region, 64)?.ToUpperInvariant();
        var name = v.Required("name", request.Name, 100);
        if (request.Rate is null)
        {
            v.Add("rate", "'rate' is required (percent, e.g. 8.875).");
        }
        else if (request.Rate < 0 || request.Rate > 100 || decimal.Round(request.Rate.Value, 4) != request.Rate)
        {
            v.Add("rate", "'rate' must be a percentage from 0 to 100 with at most four decimals.");
        }

        v.ThrowIfInvalid();
        if (await db.TaxRates.AnyAsync(t => t.Country == country && t.Region == region, ct))
        {
            throw Errors.Conflict("tax_rate_exists", $"A tax rate for {country}{(region is null ? "" : "/" + region)} already exists.");
        }

        var rate = new TaxRate { Country = country, Region = region, Name = name, Rate = request.Rate!.Value };
        db.TaxRates.Add(rate);
        await db.SaveChangesAsync(ct);
        cache.Remove(CacheKey);
        return ToView(rate);
    }

    private static string ValidateCountries(Validation v, string[]? countries)
    {
        if (countries is null || countries.Length == 0)
        {
            return "*";
        }

        if (countries.Length > 300)
        {
            v.Add("countries", "'countries' lists too many codes.");
            return "*";
        }

        if (countries.Contains("*"))
        {
            return "*";
        }

        var codes = countries.Select(c => (c ?? "").Trim().ToUpperInvariant()).Distinct().ToList();
        foreach (var code in codes.Where(c => !Countries.IsValid(c)))
        {
            v.Add("countries", $"'{Truncate(code)}' is not an ISO 3166-1 alpha-2 country code.");
        }

        return string.Join(',', codes);
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

    private static ShippingMethodView ToView(ShippingMethod m, string currency) =>
        new(m.Id, m.Code, m.Name, m.Rate, m.FreeOver, m.Countries.Split(','), m.IsActive, m.Position, currency);

    private static TaxRateView ToView(TaxRate t) => new(t.Id, t.Country, t.Region, t.Name, t.Rate);
}
