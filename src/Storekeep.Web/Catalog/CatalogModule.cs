using MudBlazor;
using Storekeep.Access;
using Storekeep.Catalog;
using Storekeep.Catalog.ShopifyCsv;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Web.Admin.CatalogImport;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Catalog;

/// <summary>Products, variants, categories, images, and the Shopify CSV import and export.</summary>
public sealed class CatalogModule : StorekeepModule
{
    public override string Name => "Catalog";

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("slug_taken", 409, "Another product or category already has this slug."),
        new("sku_taken", 409, "Another variant already has this SKU."),
        new("unknown_category", 422, "No category has this id or slug."),
        new("price_not_positive", 422, "A bulk price change would take a price to zero or below; nothing was changed."),
        new("import_has_errors", 422, "The CSV has row errors; nothing was imported (the report lists them)."),
        new("import_conflict", 409, "A concurrent writer took a SKU mid-import; earlier batches stay, importing again completes it."),
        new("missing_file", 400, "The multipart body has no field named file."),
        new("malformed_form", 400, "The multipart body cannot be read."),
    ];

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(Storekeep.Access.Permissions.CatalogWrite, Role.Owner, Role.Manager, Role.Marketing),
    ];

    public override IEnumerable<string> EventTypes => [Storekeep.Events.EventTypes.ProductCreated, Storekeep.Events.EventTypes.ProductUpdated];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(20, "Products", "/admin/products", Icons.Material.Filled.Inventory2, Storekeep.Access.Permissions.InventoryRead),
        new(30, "Import / export", "/admin/products/import", Icons.Material.Filled.UploadFile, Storekeep.Access.Permissions.CatalogWrite),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<CatalogService>();
        services.AddScoped<ShopifyCsvImporter>();
        services.AddScoped<ImportedProducts>();
        services.AddReplicaReader<ShopifyCsvExporter>();
        services.AddSingleton<CatalogChangeSignal>();
        services.AddReplicaReader<StorefrontCatalog>();
        services.AddScoped<ProductBulkChanges>();
    }

    public override void MapApi(RouteGroupBuilder api)
    {
        api.MapCatalogEndpoints();
        api.MapCatalogImportEndpoints();
    }

    public override void MapPages(IEndpointRouteBuilder app) => app.MapCatalogCsvDownload();
}
