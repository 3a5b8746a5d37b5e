using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Storekeep.Data;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Pricing;

public sealed record ShippingMethodRequest(string? Code, string? Name, decimal? Rate, decimal? FreeOver, string[]? Countries, bool? IsActive, int? Position, int? ShipWithinHours = null);

public sealed record ShippingMethodView(Guid Id, string Code, string Name, decimal Rate, decimal? FreeOver, string[] Countries, bool IsActive, int Position, string Currency, int ShipWithinHours);

public sealed record TaxRateRequest(string? Country, string? Region, string? Name, decimal? Rate);

public sealed record TaxRateView(Guid Id, string Country, string? Region, string Name, decimal Rate);

/// <summary>What a price is computed with: the active shipping methods in display order, and every tax rate.</summary>
public sealed record PricingRules(IReadOnlyList<ShippingMethod> ShippingMethods, IReadOnlyList<TaxRate> TaxRates);

/// <summary>
/// Shipping methods and tax rates: what checkout prices with. Read on every checkout, changed
/// rarely, so they are cached briefly and the cache is dropped on every change.
/// </summary>
public sealed class PricingSettings(StorekeepDbContext db, StoreSettingsService store, IMemoryCache cache)
{
    private const string CacheKey = "pricing-rules";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    public async Task<PricingRules> GetAsync(CancellationToken ct)
    {
        if (cache.TryGetValue(CacheKey, out PricingRules? rules) && rules is not null)
        {
            return rules;
        }

        var methods = await db.ShippingMethods.AsNoTracking().Where(m => m.IsActive).OrderBy(m => m.Position).ThenBy(m => m.Code).ToListAsync(ct);
        var rates = await db.TaxRates.AsNoTracking().ToListAsync(ct);
        rules = new PricingRules(methods, rates);
        cache.Set(CacheKey, rules, CacheFor);
        return rules;
    }

    public async Task<IReadOnlyList<ShippingMethodView>> ListShippingMethodsAsync(CancellationToken ct)
    {
        var currency = (await store.GetAsync(ct)).Currency;
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
        var shipWithin = ShipWithinHours(v, request.ShipWithinHours) ?? ShippingMethod.DefaultShipWithinHours;
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
            ShipWithinHours = shipWithin,
        };
        db.ShippingMethods.Add(method);
        await db.SaveChangesAsync(ct);
        cache.Remove(CacheKey);
        return ToView(method, (await store.GetAsync(ct)).Currency);
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
        var shipWithin = ShipWithinHours(v, request.ShipWithinHours) ?? method.ShipWithinHours;
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
        method.ShipWithinHours = shipWithin;
        await db.SaveChangesAsync(ct);
        cache.Remove(CacheKey);
        return ToView(method, (await store.GetAsync(ct)).Currency);
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

    private static ShippingMethodView ToView(ShippingMethod m, string currency) =>
        new(m.Id, m.Code, m.Name, m.Rate, m.FreeOver, m.Countries.Split(','), m.IsActive, m.Position, currency, m.ShipWithinHours);

    private static int? ShipWithinHours(Validation v, int? hours)
    {
        if (hours is < 1 or > ShippingMethod.MaxShipWithinHours)
        {
            v.Add("shipWithinHours", $"shipWithinHours must be between 1 and {ShippingMethod.MaxShipWithinHours} (60 days).");
            return null;
        }

        return hours;
    }

    private static TaxRateView ToView(TaxRate t) => new(t.Id, t.Country, t.Region, t.Name, t.Rate);
}
