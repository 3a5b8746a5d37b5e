namespace Storekeep.Orders;

/// <summary>A postal address, stored with the order it belongs to.</summary>
public sealed record Address
{
    public required string Name { get; init; }
    public required string Line1 { get; init; }
    public string? Line2 { get; init; }
    public required string City { get; init; }
    public string? Region { get; init; }
    public required string PostalCode { get; init; }

    /// <summary>ISO 3166-1 alpha-2, upper case.</summary>
    public required string Country { get; init; }
}
