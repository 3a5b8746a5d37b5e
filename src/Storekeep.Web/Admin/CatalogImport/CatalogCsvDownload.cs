using Storekeep.Catalog.ShopifyCsv;

namespace Storekeep.Web.Admin.CatalogImport;

public static class CatalogCsvDownload
{
    /// <summary>The whole catalog as a Shopify product CSV, for signed-in staff who may edit the catalog.</summary>
    public static void MapCatalogCsvDownload(this IEndpointRouteBuilder app) =>
        app.MapGet("/admin/products/export.csv", async (HttpContext http, ShopifyCsvExporter exporter, TimeProvider clock) =>
            {
                http.Response.ContentType = "text/csv; charset=utf-8";
                http.Response.Headers.ContentDisposition = $"attachment; filename=\"products-{clock.GetUtcNow():yyyy-MM-dd}.csv\"";
                await exporter.ExportAsync(http.Response.Body, null, http.RequestAborted);
            })
            .RequireAuthorization(StaffPolicies.CatalogWrite)
            .ExcludeFromDescription();
}
