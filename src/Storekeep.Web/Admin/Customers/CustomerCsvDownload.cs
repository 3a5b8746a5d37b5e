using Storekeep.Customers;

namespace Storekeep.Web.Admin.Customers;

public static class CustomerCsvDownload
{
    /// <summary>Customers as CSV (the API's export), for signed-in staff who may read customers; q and tag as on the list.</summary>
    public static void MapCustomerCsvDownload(this IEndpointRouteBuilder app) =>
        app.MapGet("/admin/customers/export.csv", async (HttpContext http, string? q, string? tag, CustomerCsvExporter exporter, TimeProvider clock) =>
            {
                var filter = new CustomerExportFilter(q, tag);
                CustomerCsvExporter.Check(filter);
                http.Response.ContentType = "text/csv; charset=utf-8";
                http.Response.Headers.ContentDisposition = $"attachment; filename=\"customers-{clock.GetUtcNow():yyyy-MM-dd}.csv\"";
                await exporter.ExportAsync(http.Response.Body, filter, null, http.RequestAborted);
            })
            .RequireAuthorization(StaffPolicies.CustomersRead)
            .ExcludeFromDescription();
}
