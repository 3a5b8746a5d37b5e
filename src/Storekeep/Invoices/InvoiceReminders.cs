using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Storekeep.Companies;
using Storekeep.Data;
using Storekeep.Messaging;
using Storekeep.Shared;

namespace Storekeep.Invoices;

/// <summary><c>Invoices:ReminderSeconds</c> (default 3600): how often each node looks for overdue invoices to remind; <c>Invoices:RemindersEnabled</c> (default true).</summary>
public sealed class InvoiceReminderSettings(IConfiguration configuration)
{
    public TimeSpan Interval { get; } = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Invoices:ReminderSeconds", 3600)));
    public bool Enabled { get; } = configuration.GetValue("Invoices:RemindersEnabled", true);
}

/// <summary>
/// Emails the company's buyers once per overdue invoice. Each invoice is one transaction: a guarded
/// UPDATE claims it (<c>reminder_sent_at</c> still null, still unpaid), and only the node whose
/// update changed the row queues the messages, which the deliverer sends after that commit.
/// </summary>
public sealed class InvoiceReminders(StorekeepDbContext db, MessageQueue messages, TimeProvider clock)
{
    private const int BatchSize = 200;

    /// <summary>One round; returns how many invoices this call reminded.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var due = await db.Set<Invoice>().AsNoTracking()
            .Where(i => (i.Status == InvoiceStatus.Open || i.Status == InvoiceStatus.PartiallyPaid) && i.DueAt < now && i.ReminderSentAt == null)
            .OrderBy(i => i.DueAt).ThenBy(i => i.Id)
            .Select(i => i.Id)
            .Take(BatchSize)
            .ToListAsync(ct);
        var sent = 0;
        foreach (var id in due)
        {
            if (await RemindAsync(id, now, ct))
            {
                sent++;
            }
        }

        return sent;
    }

    private async Task<bool> RemindAsync(Guid id, DateTime now, CancellationToken ct) =>
        await db.InTransactionAsync(async token =>
        {
            var claimed = await db.Database.ExecuteSqlAsync(
                $"UPDATE invoices SET reminder_sent_at = {now} WHERE id = {id} AND reminder_sent_at IS NULL AND status IN ('open', 'partially_paid') AND due_at < {now}", token);
            if (claimed == 0)
            {
                return false;
            }

            var invoice = await db.Set<Invoice>().AsNoTracking().SingleAsync(i => i.Id == id, token);
            var company = await db.Set<Company>().AsNoTracking().Where(c => c.Id == invoice.CompanyId).Select(c => c.Name).SingleAsync(token);
            var buyers = await db.Customers.AsNoTracking().Where(c => c.CompanyId == invoice.CompanyId)
                .OrderBy(c => c.Email).Select(c => new { c.Id, c.Email, c.FirstName }).ToListAsync(token);
            var number = Invoice.Format(invoice.Number);
            foreach (var buyer in buyers)
            {
                var values = new Dictionary<string, string?>(StringComparer.Ordinal)
                {
                    ["name"] = string.IsNullOrWhiteSpace(buyer.FirstName) ? "there" : buyer.FirstName,
                    ["company.name"] = company,
                    ["invoice.number"] = number,
                    ["invoice.amountDue"] = string.Create(CultureInfo.InvariantCulture, $"{invoice.Total - invoice.AmountPaid:0.00} {invoice.Currency}"),
                    ["invoice.dueAt"] = invoice.DueAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    [MessageQueue.OrderIdValue] = invoice.OrderId.ToString(),
                };
                await messages.QueueAsync(MessageTypes.InvoiceReminder, buyer.Email, values, $"invoice_reminder:{id:N}:{buyer.Id:N}", token);
            }

            return true;
        }, ct);
}

/// <summary>Every node looks for overdue invoices; the guarded claim makes each reminder go out once.</summary>
public sealed class InvoiceReminderService(IServiceScopeFactory scopes, InvoiceReminderSettings settings, TimeProvider clock, ILogger<InvoiceReminderService> logger)
    : PeriodicJob(scopes, clock, logger)
{
    protected override string JobName => "reminding overdue invoices";

    protected override TimeSpan Interval => settings.Interval;

    protected override bool Enabled => settings.Enabled;

    protected override Task RunAsync(IServiceProvider services, DateTime now, CancellationToken ct) =>
        services.GetRequiredService<InvoiceReminders>().SendDueAsync(ct);
}
