using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Storekeep.Invoices;
using Storekeep.Shared;
using Storekeep.Web.Admin;
using Storekeep.Web.Api;

namespace Storekeep.Web.Invoices;

public static class InvoicesEndpoints
{
    public static RouteGroupBuilder MapInvoicesEndpoints(this RouteGroupBuilder api)
    {
        var invoices = api.MapGroup("/invoices").WithTags("Invoices");
        invoices.MapGet("/", List).WithName("ListInvoices")
            .WithSummary("Invoices, newest first: ?companyId=&status=open|partially_paid|paid|overdue|void (paginated with limit and cursor).")
            .RequireAuthorization(InvoicePermissions.Read).ProducesValidationProblem();
        invoices.MapGet("/aging", Aging).WithName("GetInvoiceAging")
            .WithSummary("Amount due per company in buckets current, 1_30, 31_60, 61_90, over_90 by days past due as of now, and the totals.")
            .RequireAuthorization(InvoicePermissions.Read);
        invoices.MapGet("/{id:guid}", Get).WithName("GetInvoice")
            .WithSummary("One invoice with its payments.")
            .RequireAuthorization(InvoicePermissions.Read).ProducesProblem(404);
        invoices.MapPost("/{id:guid}/payments", Pay).WithName("RecordInvoicePayment")
            .WithSummary("Record a payment {amount, method: bank_transfer|check|cash|card|other, reference?} on an invoice.")
            .WithDescription("At most the amount due (409 invoice_overpaid, nothing recorded); a void invoice → 409 invoice_void. The company's credit in use falls by the amount in the same transaction; the payment that settles the invoice marks its order paid.")
            .RequireAuthorization(InvoicePermissions.Write).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);
        return api;
    }

    private static async Task<Ok<Page<InvoiceView>>> List(
        [FromQuery] string? companyId, [FromQuery] string? status, [FromQuery] int? limit, [FromQuery] string? cursor, Invoicing invoicing, CancellationToken ct) =>
        TypedResults.Ok(await invoicing.ListAsync(companyId, status, limit, cursor, ct));

    private static async Task<Ok<AgingReport>> Aging(Invoicing invoicing, CancellationToken ct) =>
        TypedResults.Ok(await invoicing.AgingAsync(ct));

    private static async Task<Ok<InvoiceView>> Get(Guid id, Invoicing invoicing, CancellationToken ct) =>
        TypedResults.Ok(await invoicing.GetAsync(id, ct));

    private static async Task<Ok<InvoiceView>> Pay(Guid id, InvoicePaymentRequest request, Invoicing invoicing, HttpContext http, CancellationToken ct) =>
        TypedResults.Ok(await invoicing.RecordPaymentAsync(id, request, http.User.Actor(), ct));

    /// <summary>The printable invoice (HTML, print from the browser) for signed-in staff who may read invoices.</summary>
    public static void MapInvoicePrint(this IEndpointRouteBuilder app) =>
        app.MapGet("/invoices/{id:guid}/print", async (Guid id, Invoicing invoicing, HttpContext http) =>
            {
                var print = await invoicing.PrintAsync(id, http.RequestAborted);
                http.Response.Headers.CacheControl = "no-store";
                return Results.Content(Html(print), "text/html; charset=utf-8");
            })
            .RequireAuthorization(StaffPolicies.For(InvoicePermissions.Read))
            .ExcludeFromDescription();

    private const string Style = """
            <style>
            body{font-family:system-ui,sans-serif;margin:2rem;color:#222} table{border-collapse:collapse;width:100%}
            th,td{padding:.35rem .5rem;border-bottom:1px solid #ddd;text-align:left} td.n,th.n{text-align:right}
            .head{display:flex;justify-content:space-between} .status{text-transform:uppercase;font-weight:bold}
            @media print{.noprint{display:none}}
            </style>
            </head>
            """;

    internal static string Html(InvoicePrint p)
    {
        var i = p.Invoice;
        string E(string? s) => WebUtility.HtmlEncode(s ?? "");
        string M(decimal amount) => string.Create(CultureInfo.InvariantCulture, $"{amount:N2} {i.Currency}");
        string D(DateTime at) => at.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Invoice {E(i.Number)}</title>
            {Style}
            <body>
            <p class="noprint"><button onclick="window.print()">Print</button></p>
            <div class="head"><div><h1>{E(p.StoreName)}</h1><div>{E(p.StoreAddress)}</div></div>
            <div><h2 data-testid="invoice-number">Invoice {E(i.Number)}</h2>
            <div>Issued {D(i.IssuedAt)}</div><div data-testid="invoice-due">Due {D(i.DueAt)}</div><div>Order #{i.OrderNumber}</div>
            <div class="status">{E(i.Status.Replace('_', ' '))}</div></div></div>
            <h3>Bill to</h3><div data-testid="invoice-company">{E(p.BillTo)}</div><div>{E(p.ShipToName)}</div>
            <table><thead><tr><th>SKU</th><th>Item</th><th class="n">Qty</th><th class="n">Unit price</th><th class="n">Amount</th></tr></thead><tbody>
            """);
        foreach (var line in p.Lines)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(line.Sku)}</td><td>{E(line.Title)}</td><td class=\"n\">{line.Quantity}</td><td class=\"n\">{M(line.UnitPrice)}</td><td class=\"n\">{M(line.Total)}</td></tr>\n");
        }

        html.Append(CultureInfo.InvariantCulture, $"""
            </tbody></table>
            <table style="width:auto;margin-left:auto;margin-top:1rem">
            <tr><td>Subtotal</td><td class="n">{M(p.Subtotal)}</td></tr>
            {(p.DiscountTotal > 0 ? $"<tr><td>Discounts</td><td class=\"n\">−{M(p.DiscountTotal)}</td></tr>" : "")}
            <tr><td>Shipping</td><td class="n">{M(p.ShippingTotal)}</td></tr>
            <tr><td>Tax{(p.PricesIncludeTax ? " (included)" : "")}</td><td class="n">{M(p.TaxTotal)}</td></tr>
            <tr><th>Total</th><th class="n" data-testid="invoice-total">{M(i.Total)}</th></tr>
            <tr><td>Paid</td><td class="n">{M(i.AmountPaid)}</td></tr>
            <tr><th>Amount due</th><th class="n" data-testid="invoice-amount-due">{M(i.AmountDue)}</th></tr>
            </table>
            <p>Please pay by {D(i.DueAt)}, quoting {E(i.Number)}.</p>
            </body></html>
            """);
        return html.ToString();
    }
}
