using Storekeep.Shared;

namespace Storekeep.Catalog;

public enum ProductStatus
{
    Draft,
    Active,
    Archived,
}

public sealed class Category
{
    public Guid Id { get; init; } = Ids.NewId();
    public required string Name { get; set; }
    public required string Slug { get; set; }
    public string? Description { get; set; }
    public DateTime CreatedAt { get; init; }
}

public sealed class Product
{
    public Guid Id { get; init; } = Ids.NewId();
    public required string Title { get; set; }
    public required string Slug { get; set; }
    public string? Description { get; set; }
    public Guid? CategoryId { get; set; }
    public Category? Category { get; set; }
    public ProductStatus Status { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }

    public string? Vendor { get; set; }
    public string? ProductType { get; set; }

    /// <summary>Comma-separated, as Shopify keeps them.</summary>
    public string? Tags { get; set; }

    /// <summary>Shown on the storefront home page.</summary>
    public bool Featured { get; set; }

    /// <summary>Search engine title and description; the storefront falls back to the title and description.</summary>
    public string? SeoTitle { get; set; }
    public string? SeoDescription { get; set; }

    /// <summary>Names of up to three options (Size, Color, Material); variants carry the values.</summary>
    public string? Option1Name { get; set; }
    public string? Option2Name { get; set; }
    public string? Option3Name { get; set; }

    public List<ProductImage> Images { get; init; } = [];

    public const int SearchTextMaxLength = 30000;

    /// <summary>Lower-cased title, description, SKUs and barcodes: what text search matches.</summary>
    public string SearchText { get; set; } = "";

    public List<ProductVariant> Variants { get; init; } = [];

    /// <summary>
    /// Identifiers come before the description so that, when a long description pushes the text over
    /// the column's length, only the end of the description stops being searchable.
    /// </summary>
    public void RefreshSearchText()
    {
        var text = string.Join(' ',
            new[] { Title }
                .Concat(Variants.SelectMany(v => new[] { v.Sku, v.Barcode ?? "", v.Title ?? "" }))
                .Append(Description ?? "")
                .Where(part => part.Length > 0))
            .ToLowerInvariant();
        SearchText = text.Length > SearchTextMaxLength ? text[..SearchTextMaxLength] : text;
    }
}

public sealed class ProductVariant
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid ProductId { get; set; }
    public Product? Product { get; set; }
    public required string Sku { get; set; }
    public string? Title { get; set; }
    public decimal Price { get; set; }
    public decimal? CompareAtPrice { get; set; }
    public decimal? Cost { get; set; }
    public int? WeightGrams { get; set; }
    public string? Barcode { get; set; }
    public int Position { get; set; }

    public string? Option1 { get; set; }
    public string? Option2 { get; set; }
    public string? Option3 { get; set; }

    /// <summary>The image shown when this variant is chosen.</summary>
    public string? ImageUrl { get; set; }
}

/// <summary>A product picture by URL (files are hosted elsewhere, as Shopify exports point at its CDN).</summary>
public sealed class ProductImage
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid ProductId { get; set; }
    public required string Url { get; set; }
    public string? AltText { get; set; }
    public int Position { get; set; }
}
