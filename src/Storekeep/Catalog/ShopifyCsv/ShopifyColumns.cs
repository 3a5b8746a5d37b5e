namespace Storekeep.Catalog.ShopifyCsv;

/// <summary>The columns of Shopify's product CSV, in the order Shopify writes them.</summary>
public static class ShopifyColumns
{
    public const string Handle = "Handle";
    public const string Title = "Title";
    public const string Body = "Body (HTML)";
    public const string Vendor = "Vendor";
    public const string ProductCategory = "Product Category";
    public const string Type = "Type";
    public const string Tags = "Tags";
    public const string Published = "Published";
    public const string Option1Name = "Option1 Name";
    public const string Option1Value = "Option1 Value";
    public const string Option2Name = "Option2 Name";
    public const string Option2Value = "Option2 Value";
    public const string Option3Name = "Option3 Name";
    public const string Option3Value = "Option3 Value";
    public const string VariantSku = "Variant SKU";
    public const string VariantGrams = "Variant Grams";
    public const string VariantInventoryTracker = "Variant Inventory Tracker";
    public const string VariantInventoryQty = "Variant Inventory Qty";
    public const string VariantInventoryPolicy = "Variant Inventory Policy";
    public const string VariantFulfillmentService = "Variant Fulfillment Service";
    public const string VariantPrice = "Variant Price";
    public const string VariantCompareAtPrice = "Variant Compare At Price";
    public const string VariantRequiresShipping = "Variant Requires Shipping";
    public const string VariantTaxable = "Variant Taxable";
    public const string VariantBarcode = "Variant Barcode";
    public const string ImageSrc = "Image Src";
    public const string ImagePosition = "Image Position";
    public const string ImageAltText = "Image Alt Text";
    public const string GiftCard = "Gift Card";
    public const string SeoTitle = "SEO Title";
    public const string SeoDescription = "SEO Description";
    public const string VariantImage = "Variant Image";
    public const string VariantWeightUnit = "Variant Weight Unit";
    public const string CostPerItem = "Cost per item";
    public const string Status = "Status";

    public static readonly IReadOnlyList<string> All =
    [
        Handle, Title, Body, Vendor, ProductCategory, Type, Tags, Published,
        Option1Name, Option1Value, Option2Name, Option2Value, Option3Name, Option3Value,
        VariantSku, VariantGrams, VariantInventoryTracker, VariantInventoryQty, VariantInventoryPolicy,
        VariantFulfillmentService, VariantPrice, VariantCompareAtPrice, VariantRequiresShipping, VariantTaxable,
        VariantBarcode, ImageSrc, ImagePosition, ImageAltText, GiftCard, SeoTitle, SeoDescription,
        VariantImage, VariantWeightUnit, CostPerItem, Status,
    ];

    /// <summary>A row with any of these filled describes a variant; a row with none of them only adds an image.</summary>
    internal static readonly IReadOnlyList<string> VariantFields =
    [
        Option1Value, Option2Value, Option3Value, VariantSku, VariantGrams, VariantInventoryQty,
        VariantPrice, VariantCompareAtPrice, VariantBarcode, VariantImage, CostPerItem,
    ];
}
