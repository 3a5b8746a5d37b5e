using Storekeep.Shared;

namespace Storekeep.Pricing;

/// <summary>Flat-rate shipping, free over a threshold when set, for a list of countries ("*" for all).</summary>
public sealed class ShippingMethod
{
    public Guid Id { get; init; } = Ids.NewId();
    public required string Code { get; set; }
    public required string Name { get; set; }
    public decimal Rate { get; set; }
    public decimal? FreeOver { get; set; }

    /// <summary>Comma-separated ISO 3166-1 alpha-2 codes, or "*".</summary>
    public string Countries { get; set; } = "*";

    public bool IsActive { get; set; } = true;
    public int Position { get; set; }

    /// <summary>
    /// The store's promise: orders by this method leave the warehouse within this many hours. The
    /// fulfillment report's on-time rate is measured against it.
    /// </summary>
    public int ShipWithinHours { get; set; } = DefaultShipWithinHours;

    public const int DefaultShipWithinHours = 48;
    public const int MaxShipWithinHours = 24 * 60;

    public bool Serves(string country) =>
        Countries == "*" || Countries.Split(',').Contains(country, StringComparer.OrdinalIgnoreCase);
}

/// <summary>A tax rate in percent for a country, or one region of it (a region rate wins).</summary>
public sealed class TaxRate
{
    public Guid Id { get; init; } = Ids.NewId();
    public required string Country { get; set; }
    public string? Region { get; set; }
    public required string Name { get; set; }

    /// <summary>Percent, up to four decimals (8.875 means 8.875 %).</summary>
    public decimal Rate { get; set; }
}
