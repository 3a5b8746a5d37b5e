using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Storekeep.Attribution;
using Storekeep.Shared;
using Storekeep.Web.Api;

namespace Storekeep.Web.Attribution;

public static class AttributionEndpoints
{
    public static RouteGroupBuilder MapAttributionEndpoints(this RouteGroupBuilder api)
    {
        var spend = api.MapGroup("/marketing/spend").WithTags("Attribution");
        spend.MapPost("/", AddSpend).WithName("AddMarketingSpend")
            .WithSummary("Record what marketing cost on one day for one channel: {date, source, medium?, campaign?, amount} in the store currency.")
            .RequireAuthorization(AttributionPermissions.Write).ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        spend.MapGet("/", ListSpend).WithName("ListMarketingSpend")
            .WithSummary("Spend entries, newest first (limit, cursor).")
            .RequireAuthorization(AttributionPermissions.Read).ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        spend.MapPost("/import", ImportSpend).WithName("ImportMarketingSpend")
            .WithSummary("Import spend as CSV (columns date,source,medium,campaign,amount): text/csv, or multipart/form-data field 'file'. All rows or none.")
            .Accepts<SpendImportRequest>("application/json", "text/csv", "multipart/form-data")
            .RequireAuthorization(AttributionPermissions.Write).ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(415);

        api.MapGet("/analytics/acquisition", Report).WithTags("Attribution").WithName("GetAcquisitionReport")
            .WithSummary("Per channel: sessions, orders, newCustomers, revenue, spend, cac (spend / newCustomers) and roas (revenue / spend), by first or last touch.")
            .RequireAuthorization(AttributionPermissions.Read).ProducesValidationProblem().ProducesProblem(400).ProducesProblem(401).ProducesProblem(403);
        return api;
    }

    private static async Task<Created<MarketingSpendView>> AddSpend(MarketingSpendRequest request, MarketingSpendLedger ledger, CancellationToken ct)
    {
        var added = await ledger.AddAsync(request, ct);
        return TypedResults.Created($"/api/v1/marketing/spend/{added.Id}", added);
    }

    private static async Task<Ok<Page<MarketingSpendView>>> ListSpend([FromQuery] int? limit, [FromQuery] string? cursor, MarketingSpendLedger ledger, CancellationToken ct) =>
        TypedResults.Ok(await ledger.ListAsync(limit, cursor, ct));

    /// <summary>The body is the CSV (text/csv), a form with it as 'file', or JSON {csv}; other media types are refused with 415 before this runs.</summary>
    private static async Task<Ok<SpendImportResult>> ImportSpend(HttpContext http, MarketingSpendLedger ledger, CancellationToken ct)
    {
        await using var csv = new MemoryStream();
        if (http.Request.HasFormContentType)
        {
            var form = await http.Request.ReadFormAsync(ct);
            if ((form.Files.GetFile("file") ?? form.Files.FirstOrDefault()) is not { } file)
            {
                throw new RequestValidationException(new Dictionary<string, string[]> { ["file"] = ["Send the CSV as a form file field named 'file'."] });
            }

            await file.CopyToAsync(csv, ct);
        }
        else if (http.Request.HasJsonContentType())
        {
            SpendImportRequest? body;
            try
            {
                body = await http.Request.ReadFromJsonAsync<SpendImportRequest>(ct);
            }
            catch (System.Text.Json.JsonException)
            {
                throw Errors.BadRequest("malformed_json", "The request body is not valid JSON of the form {\"csv\": \"...\"}.");
            }

            if (body?.Csv is not { Length: > 0 } text)
            {
                throw new RequestValidationException(new Dictionary<string, string[]> { ["csv"] = ["'csv' is required: the CSV file as a string."] });
            }

            await csv.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text), ct);
        }
        else
        {
            await http.Request.Body.CopyToAsync(csv, ct);
        }

        csv.Position = 0;
        return TypedResults.Ok(await ledger.ImportAsync(csv, ct));
    }

    private static async Task<Ok<AcquisitionReportView>> Report(
        [FromQuery] string? from, [FromQuery] string? to, [FromQuery] string? touch, AcquisitionReport report, CancellationToken ct) =>
        TypedResults.Ok(await report.RunAsync(from, to, touch, ct));
}
