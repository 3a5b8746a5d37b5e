namespace Storekeep.Catalog;

// Request properties are nullable so a missing field is a validation error, not a JSON error.

public sealed record VariantInput(
    string? Sku,
    string? Title,
    decimal? Price,
    decimal? CompareAtPrice,
    decimal? Cost,
    int? WeightGrams,
    string? Barcode);

public sealed record CreateProductRequest(
    string? Title,
    string? Slug,
    string? Description,
    string? Category,
    string? Status,
    IReadOnlyList<VariantInput?>? Variants);

/// <summary>
/// Absent (or null) fields stay as they are. <c>description: ""</c> and <c>category: ""</c> clear them.
/// <c>variants</c> updates the variants whose SKU matches and adds the others.
/// </summary>
public sealed record UpdateProductRequest(
    string? Title,
    string? Slug,
    string? Description,
    string? Category,
    string? Status,
    IReadOnlyList<VariantInput?>? Variants);

public sealed record CreateCategoryRequest(string? Name, string? Slug, string? Description);

public sealed record ProductQuery(string? Q, string? Category, string? Status, int? Limit, string? Cursor);

public sealed record CategoryRef(Guid Id, string Name, string Slug);

/// <param name="Cost">Only shown to callers who may write the catalog; null for the public.</param>
public sealed record VariantView(
    Guid Id,
    string Sku,
    string? Title,
    decimal Price,
    decimal? CompareAtPrice,
    decimal? Cost,
    int? WeightGrams,
    string? Barcode,
    int Position);

public sealed record ProductView(
    Guid Id,
    string Title,
    string Slug,
    string? Description,
    string Currency,
    ProductStatus Status,
    CategoryRef? Category,
    IReadOnlyList<VariantView> Variants,
    DateTime CreatedAt,
    DateTime UpdatedAt);

public sealed record CategoryView(Guid Id, string Name, string Slug, string? Description, DateTime CreatedAt);

/// <summary>The payload of <c>product.created</c> and <c>product.updated</c>: each event below is this shape under its own name.</summary>
public record ProductChanged
{
    public Guid ProductId { get; init; }
    public string Slug { get; init; } = "";
    public string Title { get; init; } = "";
    public ProductStatus Status { get; init; }
    public IReadOnlyList<string> Skus { get; init; } = [];
}

/// <summary>product.created: a product was added (by hand or by a CSV import).</summary>
public sealed record ProductCreated : ProductChanged, Events.IEvent
{
    public static string EventType => Events.EventTypes.ProductCreated;
}

/// <summary>product.updated: a product's details, status or variants changed.</summary>
public sealed record ProductUpdated : ProductChanged, Events.IEvent
{
    public static string EventType => Events.EventTypes.ProductUpdated;
}
