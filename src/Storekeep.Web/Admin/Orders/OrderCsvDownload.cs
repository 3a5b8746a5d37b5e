using Storekeep.Orders;

namespace Storekeep.Web.Admin.Orders;

public static class OrderCsvDownload
{
    /// <summary>
    /// Orders as CSV (the API's export, <c>GET /api/v1/orders/export</c>), for signed-in staff who may
    /// read orders: the order list's tab, search and dates, so the file holds what the page lists.
    /// </summary>
    public static void MapOrderCsvDownload(this IEndpointRouteBuilder app) =>
        app.MapGet("/admin/orders/export.csv", async (HttpContext http, string? tab, string? q, string? from, string? to, string? lines, OrderCsvExporter exporter, TimeProvider clock) =>
            {
                var filter = new OrderExportFilter(from, to, Lines: lines, Tab: OrderLabels.ParseTab(tab), Search: q);
                OrderCsvExporter.Check(filter);
                http.Response.ContentType = "text/csv; charset=utf-8";
                http.Response.Headers.CacheControl = "no-store";
                http.Response.Headers.ContentDisposition = $"attachment; filename=\"orders-{clock.GetUtcNow():yyyy-MM-dd}.csv\"";
                await exporter.ExportAsync(http.Response.Body, filter, null, http.RequestAborted);
            })
            .RequireAuthorization(StaffPolicies.OrdersRead)
            .ExcludeFromDescription();
}
