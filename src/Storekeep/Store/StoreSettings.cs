using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Storekeep.Store;

/// <summary>The single row of store-wide settings.</summary>
public sealed class StoreSettings
{
    public const int SingletonId = 1;
    public const int MaxAddressLength = 500;

    /// <summary>The currency of a store that has not chosen one.</summary>
    public const string DefaultCurrency = "USD";

    public int Id { get; init; } = SingletonId;
    public string Name { get; set; } = "Storekeep Demo Store";
    public string Currency { get; set; } = DefaultCurrency;

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

internal sealed class StoreSettingsConfiguration : IEntityTypeConfiguration<StoreSettings>
{
    public void Configure(EntityTypeBuilder<StoreSettings> b)
    {
        b.ToTable("store_settings");
        b.Property(s => s.Id).ValueGeneratedNever();
        b.Property(s => s.Address).HasMaxLength(StoreSettings.MaxAddressLength);
    }
}
