using MudBlazor;
using Storekeep.Access;
using Storekeep.Events;
using Storekeep.Invoices;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Invoices;

/// <summary>Orders on terms: invoices, partial payments, aging, credit limits and overdue reminders (docs/sales.md, "Terms and invoices").</summary>
public sealed class InvoicesModule : StorekeepModule
{
    public override string Name => "Invoices";

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("terms_not_available", 422, "Paying on terms is only for a signed-in buyer whose company has payment terms (not prepaid)."),
        new("credit_limit_exceeded", 409, "The order would take the company's amount due on open invoices past its credit limit; nothing was placed, no stock held."),
        new("invoice_overpaid", 409, "The payment is more than the invoice's amount due; nothing was recorded (amountDue says how much is due)."),
        new("invoice_void", 409, "The invoice is void (its order was cancelled); payments can no longer be recorded on it."),
        new("terms_payment_by_invoice", 409, "An order on terms is paid by recording payments on its invoice, not by capturing its payment."),
    ];

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(InvoicePermissions.Read, Role.Owner, Role.Manager, Role.Sales, Role.Support),
        new(InvoicePermissions.Write, Role.Owner, Role.Manager),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(18, "Invoices", "/admin/invoices", Icons.Material.Filled.RequestPage, InvoicePermissions.Read),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<Invoicing>();
        services.AddScoped<InvoiceReminders>();
        services.AddEventSubscriber<InvoiceOrderEvents>(InvoiceOrderEvents.SubscriberName);
        services.AddSingleton<InvoiceReminderSettings>();
        services.AddHostedService<InvoiceReminderService>();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapInvoicesEndpoints();

    public override void MapPages(IEndpointRouteBuilder app) => app.MapInvoicePrint();
}
