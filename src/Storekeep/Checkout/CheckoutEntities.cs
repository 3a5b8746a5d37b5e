using Storekeep.Shared;

namespace Storekeep.Checkout;

public enum CartStatus
{
    Active,
    CheckedOut,
}

public sealed class Cart
{
    /// <summary>Whoever holds the id holds the cart (it is public), so it is random, not sequential.</summary>
    public Guid Id { get; init; } = Ids.NewUnguessableId();
    public CartStatus Status { get; set; }
    public required string Currency { get; init; }
    public string? Email { get; set; }

    /// <summary>Bumped on every change; checkout converts exactly the version it priced.</summary>
    public int Version { get; set; }

    public Guid? OrderId { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
    public List<CartItem> Items { get; init; } = [];
}

public sealed class CartItem
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid CartId { get; set; }
    public required string Sku { get; set; }
    public Guid VariantId { get; set; }
    public int Quantity { get; set; }
    public DateTime AddedAt { get; init; }
}

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

/// <summary>The single row of store-wide settings.</summary>
public sealed class StoreSettings
{
    public const int SingletonId = 1;
    public const int MaxAddressLength = 500;
    public int Id { get; init; } = SingletonId;
    public string Name { get; set; } = "Storekeep Demo Store";
    public string Currency { get; set; } = "USD";

    /// <summary>The store's postal address, several lines; shown at the foot of every email.</summary>
    public string? Address { get; set; }

    /// <summary>When true, catalog prices already contain tax and tax is extracted from them.</summary>
    public bool PricesIncludeTax { get; set; }

    /// <summary>
    /// The manual payment methods shoppers may choose, comma-separated names (<c>bank_transfer</c>,
    /// <c>cash_on_delivery</c>). Empty in a new store: an unpaid manual order holds stock, so the
    /// shop opts in.
    /// </summary>
    public string ManualPaymentMethods { get; set; } = "";
}
