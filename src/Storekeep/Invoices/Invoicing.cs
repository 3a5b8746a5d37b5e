using Microsoft.EntityFrameworkCore;
using Storekeep.Companies;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Invoices;

/// <summary>
/// Invoices of orders on terms and the credit they take (docs/sales.md, "Terms and invoices").
/// A company's credit in use (<see cref="CompanyCredit"/>) rises when an invoice is issued, by one
/// UPDATE bounded by the company's credit limit, and falls by each payment and when a cancelled
/// order voids its invoice: it always equals Σ amount due of the company's open invoices.
/// </summary>
public sealed class Invoicing(StorekeepDbContext db, PaymentCapture capture, StoreSettingsService storeSettings, TimeProvider clock)
{
    /// <summary>
    /// The company a signed-in storefront account buys for, when that company pays on terms
    /// (not prepaid); else 422 <c>terms_not_available</c>.
    /// </summary>
    public async Task<Guid> TermsCompanyOfAccountAsync(Guid? accountId, CancellationToken ct) =>
        (accountId is { } account ? await TermsCompanyAsync(account, ct) : null) ?? throw TermsNotAvailable();

    /// <summary>The quote's company when it pays on terms (a quote accepted on terms); else 422 <c>terms_not_available</c>.</summary>
    public async Task<Guid> TermsCompanyOfQuoteAsync(Guid? companyId, CancellationToken ct) =>
        await PaysOnTermsAsync(companyId, ct) ? companyId!.Value : throw TermsNotAvailable();

    /// <summary>Whether the company pays on terms (net 15, 30 or 60).</summary>
    public async Task<bool> PaysOnTermsAsync(Guid? companyId, CancellationToken ct) =>
        companyId is { } id && await db.Set<Company>().AnyAsync(c => c.Id == id && c.PaymentTerms != PaymentTerms.Prepaid, ct);

    /// <summary>Whether the checkout offers paying on terms to this signed-in account.</summary>
    public async Task<bool> OffersTermsAsync(Guid accountId, CancellationToken ct) => await TermsCompanyAsync(accountId, ct) is not null;

    private Task<Guid?> TermsCompanyAsync(Guid accountId, CancellationToken ct) =>
        (from u in db.Users
         join c in db.Customers on u.CustomerId equals c.Id
         join co in db.Set<Company>() on c.CompanyId equals co.Id
         where u.Id == accountId && co.PaymentTerms != PaymentTerms.Prepaid
         select (Guid?)co.Id).FirstOrDefaultAsync(ct);

    private static StorekeepException TermsNotAvailable() =>
        Errors.Unprocessable("terms_not_available", "Paying on terms is only for signed-in buyers of a company with payment terms (net 15, 30 or 60); pay by card or another method.");

    /// <summary>
    /// Issues the invoice of an order on terms. MUST run inside the caller's transaction, after the
    /// order was added (<see cref="OrderPlacement.Add"/>): it raises the company's credit in use by the
    /// order's total with one guarded UPDATE bounded by the company's credit limit (409
    /// <c>credit_limit_exceeded</c> otherwise, which rolls the caller's whole transaction back, stock
    /// included), takes the next invoice number and adds the invoice, due after the company's terms.
    /// A prepaid company → 422 <c>terms_not_available</c>.
    /// </summary>
    public async Task<InvoiceView> IssueForOrderAsync(Order order, Guid companyId, DateTime now, CancellationToken ct)
    {
        var company = await db.Set<Company>().AsNoTracking().Where(c => c.Id == companyId)
            .Select(c => new { c.Name, c.PaymentTerms, c.CreditLimit }).FirstOrDefaultAsync(ct)
            ?? throw Errors.Unprocessable("unknown_company", $"There is no company {companyId}.");
        var days = company.PaymentTerms switch
        {
            PaymentTerms.Net15 => 15,
            PaymentTerms.Net30 => 30,
            PaymentTerms.Net60 => 60,
            _ => throw TermsNotAvailable(),
        };

        var total = MinorUnits.ToMinor(order.Total);
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO company_credit (company_id, outstanding) VALUES ({companyId}, 0) ON CONFLICT (company_id) DO NOTHING", ct);

        // One statement decides: concurrent orders of one company queue on its credit row, and each
        // is checked against what the ones before it committed (PostgreSQL re-reads the row it waited for).
        var taken = await db.Database.ExecuteSqlAsync(
            $"""
            UPDATE company_credit SET outstanding = outstanding + {total}
            WHERE company_id = {companyId}
              AND ((SELECT credit_limit FROM companies WHERE id = {companyId}) IS NULL
                   OR outstanding + {total} <= (SELECT credit_limit FROM companies WHERE id = {companyId}))
            """, ct);
        if (taken == 0)
        {
            throw new StorekeepException(ErrorKind.Conflict, "credit_limit_exceeded",
                $"This order ({order.Total:0.00} {order.Currency}) would take {company.Name} past its credit limit of {company.CreditLimit:0.00}; pay some open invoices first, or pay by card.")
            {
                Extensions = new Dictionary<string, object?> { ["creditLimit"] = company.CreditLimit },
            };
        }

        var number = await NextNumberAsync(ct);
        var invoice = new Invoice
        {
            Number = number,
            OrderId = order.Id,
            CompanyId = companyId,
            Currency = order.Currency,
            IssuedAt = now,
            DueAt = now.AddDays(days),
            Total = order.Total,
            AmountPaid = 0m,
            Status = InvoiceStatus.Open,
            UpdatedAt = now,
        };
        db.Set<Invoice>().Add(invoice);
        order.Note("invoice_issued", $"Invoice {Invoice.Format(number)} issued to {company.Name}, due {invoice.DueAt:yyyy-MM-dd}.", Actor.System, now);
        return ToView(invoice, order.Number, company.Name, now, null);
    }

    private async Task<long> NextNumberAsync(CancellationToken ct)
    {
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO invoice_counters (name, last_number) VALUES ({InvoiceCounter.Invoices}, 0) ON CONFLICT (name) DO NOTHING", ct);
        // Not composable (RETURNING): read as a list, never wrapped in a SELECT.
        var numbers = await db.Database
            .SqlQuery<long>($"UPDATE invoice_counters SET last_number = last_number + 1 WHERE name = {InvoiceCounter.Invoices} RETURNING last_number AS \"Value\"")
            .ToListAsync(ct);
        return numbers.Single();
    }

    /// <summary>Newest first, keyset on the (time-ordered) id; <paramref name="status"/> may be <c>overdue</c> (derived).</summary>
    public async Task<Page<InvoiceView>> ListAsync(string? companyId, string? status, int? limit, string? cursor, CancellationToken ct)
    {
        var v = new Validation();
        Guid? company = null;
        if (!string.IsNullOrWhiteSpace(companyId))
        {
            if (Guid.TryParse(companyId, out var parsed))
            {
                company = parsed;
            }
            else
            {
                v.Add("companyId", "'companyId' must be a company id.");
            }
        }

        if (status is not null && !InvoiceStatuses.All.Contains(status, StringComparer.Ordinal))
        {
            v.Add("status", $"'status' must be one of {string.Join(", ", InvoiceStatuses.All)}.");
        }

        v.ThrowIfInvalid();
        var take = Cursor.Limit(limit);
        var after = Cursor.DecodeGuid(cursor);
        var now = clock.GetUtcNow().UtcDateTime;
        var query = Filter(db.Set<Invoice>().AsNoTracking(), status, now);
        if (company is { } c)
        {
            query = query.Where(i => i.CompanyId == c);
        }

        if (after is { } a)
        {
            query = query.Where(i => i.Id.CompareTo(a) < 0);
        }

        var rows = await query.OrderByDescending(i => i.Id).Take(take + 1).ToListAsync(ct);
        var items = await ViewsAsync(rows.Take(take).ToList(), now, ct);
        return new Page<InvoiceView>(items, rows.Count > take ? Cursor.Encode(items[^1].Id.ToString()) : null);
    }

    internal static IQueryable<Invoice> Filter(IQueryable<Invoice> query, string? status, DateTime now) => status switch
    {
        InvoiceStatuses.Open => query.Where(i => i.Status == InvoiceStatus.Open && i.DueAt >= now),
        InvoiceStatuses.PartiallyPaid => query.Where(i => i.Status == InvoiceStatus.PartiallyPaid && i.DueAt >= now),
        InvoiceStatuses.Overdue => query.Where(i => (i.Status == InvoiceStatus.Open || i.Status == InvoiceStatus.PartiallyPaid) && i.DueAt < now),
        InvoiceStatuses.Paid => query.Where(i => i.Status == InvoiceStatus.Paid),
        InvoiceStatuses.Void => query.Where(i => i.Status == InvoiceStatus.Void),
        _ => query,
    };

    public async Task<InvoiceView> GetAsync(Guid id, CancellationToken ct)
    {
        var invoice = await db.Set<Invoice>().AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, ct)
            ?? throw Errors.NotFound("Invoice", id.ToString());
        var payments = await db.Set<InvoicePayment>().AsNoTracking().Where(p => p.InvoiceId == id)
            .OrderBy(p => p.RecordedAt).ThenBy(p => p.Id).ToListAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var view = (await ViewsAsync([invoice], now, ct))[0];
        return view with { Payments = payments.Select(p => new InvoicePaymentView(p.Id, p.Amount, p.Method, p.Reference, p.RecordedBy, p.RecordedAt)).ToList() };
    }

    /// <summary>The invoice of an order, if it has one.</summary>
    public async Task<InvoiceView?> ForOrderAsync(Guid orderId, CancellationToken ct)
    {
        var id = await db.Set<Invoice>().AsNoTracking().Where(i => i.OrderId == orderId).Select(i => (Guid?)i.Id).FirstOrDefaultAsync(ct);
        return id is { } found ? await GetAsync(found, ct) : null;
    }

    /// <summary>
    /// Records a payment: one guarded UPDATE adds it to the invoice only while it is open or partially
    /// paid and the sum stays within the total (else 409 <c>invoice_overpaid</c> or <c>invoice_void</c>,
    /// nothing written); the payment row and the company's credit follow in the same transaction.
    /// The payment that settles the invoice marks the order's terms payment received (Payments).
    /// </summary>
    public async Task<InvoiceView> RecordPaymentAsync(Guid id, InvoicePaymentRequest? request, Actor actor, CancellationToken ct)
    {
        CardNumbers.Refuse(request?.Method, request?.Reference);
        var v = new Validation();
        var amount = v.Money("amount", request?.Amount, required: true, allowZero: false);
        var method = v.Required("method", request?.Method, InvoicePayment.MethodMaxLength);
        if (method.Length > 0 && !InvoicePaymentMethods.All.Contains(method, StringComparer.Ordinal))
        {
            v.Add("method", $"'method' must be one of {string.Join(", ", InvoicePaymentMethods.All)}.");
        }

        var reference = v.Text("reference", request?.Reference, InvoicePayment.ReferenceMaxLength);
        v.ThrowIfInvalid();
        var minor = MinorUnits.ToMinor(amount);

        await db.InTransactionAsync(async token =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var added = await db.Database.ExecuteSqlAsync(
                $"""
                UPDATE invoices SET amount_paid = amount_paid + {minor},
                    status = CASE WHEN amount_paid + {minor} = total THEN 'paid' ELSE 'partially_paid' END,
                    updated_at = {now}
                WHERE id = {id} AND status IN ('open', 'partially_paid') AND amount_paid + {minor} <= total
                """, token);
            var invoice = await db.Set<Invoice>().AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, token)
                ?? throw Errors.NotFound("Invoice", id.ToString());
            if (added == 0)
            {
                throw invoice.Status == InvoiceStatus.Void
                    ? Errors.Conflict("invoice_void", $"Invoice {Invoice.Format(invoice.Number)} is void (its order was cancelled); nothing was recorded.")
                    : new StorekeepException(ErrorKind.Conflict, "invoice_overpaid",
                        $"{amount:0.00} is more than the {invoice.Total - invoice.AmountPaid:0.00} {invoice.Currency} still due on invoice {Invoice.Format(invoice.Number)}; nothing was recorded.")
                    {
                        Extensions = new Dictionary<string, object?> { ["amountDue"] = invoice.Total - invoice.AmountPaid },
                    };
            }

            await ReleaseCreditAsync(invoice.CompanyId, minor, token);
            db.Set<InvoicePayment>().Add(new InvoicePayment
            {
                InvoiceId = id,
                Amount = amount,
                Method = method,
                Reference = reference,
                RecordedBy = actor.Name,
                RecordedAt = now,
            });

            if (invoice.Status == InvoiceStatus.Paid)
            {
                var payment = await db.Payments.AsNoTracking()
                    .FirstOrDefaultAsync(p => p.OrderId == invoice.OrderId && p.Method == PaymentMethod.Terms && p.Status == PaymentRecordStatus.Pending, token);
                if (payment is not null)
                {
                    await capture.RecordManualInTransactionAsync(invoice.OrderId, payment, Invoice.Format(invoice.Number), actor, now, token);
                }
            }
        }, ct);

        return await GetAsync(id, ct);
    }

    /// <summary>
    /// Voids the invoice of a cancelled order and gives back the credit its amount due held. One
    /// guarded UPDATE (only an open or partially paid invoice changes), so a replayed event or a
    /// second call does nothing. A paid invoice stays paid (the money is refunded, if at all, by a person).
    /// </summary>
    public async Task<bool> VoidForCancelledOrderAsync(Guid orderId, DateTime now, CancellationToken ct)
    {
        var voided = await db.Database.SqlQuery<VoidedInvoice>(
            $"""
            UPDATE invoices SET status = 'void', voided_at = {now}, updated_at = {now}
            WHERE order_id = {orderId} AND status IN ('open', 'partially_paid')
            RETURNING company_id AS "CompanyId", total - amount_paid AS "Due"
            """).ToListAsync(ct);
        foreach (var row in voided)
        {
            await ReleaseCreditAsync(row.CompanyId, row.Due, ct);
        }

        return voided.Count > 0;
    }

    private sealed record VoidedInvoice(Guid CompanyId, long Due);

    private async Task ReleaseCreditAsync(Guid companyId, long minor, CancellationToken ct)
    {
        if (minor == 0)
        {
            return;
        }

        var released = await db.Database.ExecuteSqlAsync(
            $"UPDATE company_credit SET outstanding = outstanding - {minor} WHERE company_id = {companyId} AND outstanding >= {minor}", ct);
        if (released == 0)
        {
            // Credit in use is Σ amount due of open invoices: less than one invoice's due is a bug.
            throw new InvalidOperationException($"Company {companyId} has less credit in use than {minor} minor units it is releasing.");
        }
    }

    /// <summary>
    /// Amount due by days past due as of now, per company with any due (open or partially paid), and
    /// in total. Days past due = ⌈(asOf − dueAt) in days⌉; ≤ 0 is current.
    /// </summary>
    public async Task<AgingReport> AgingAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var store = await storeSettings.GetAsync(ct);
        var open = await db.Set<Invoice>().AsNoTracking()
            .Where(i => i.Status == InvoiceStatus.Open || i.Status == InvoiceStatus.PartiallyPaid)
            .Select(i => new { i.CompanyId, i.DueAt, i.Total, i.AmountPaid })
            .ToListAsync(ct);
        var companyIds = open.Select(i => i.CompanyId).Distinct().ToList();
        var companies = await db.Set<Company>().AsNoTracking().Where(c => companyIds.Contains(c.Id))
            .Select(c => new { c.Id, c.Name, c.CreditLimit }).ToDictionaryAsync(c => c.Id, ct);
        var credit = await db.Set<CompanyCredit>().AsNoTracking().Where(c => companyIds.Contains(c.CompanyId))
            .ToDictionaryAsync(c => c.CompanyId, c => c.Outstanding, ct);

        var rows = open.GroupBy(i => i.CompanyId)
            .Select(g => new CompanyAging(g.Key, companies[g.Key].Name, companies[g.Key].CreditLimit, credit.GetValueOrDefault(g.Key),
                Buckets(g.Select(i => (i.DueAt, i.Total - i.AmountPaid)), now)))
            .OrderByDescending(c => c.Buckets.Total).ThenBy(c => c.CompanyName, StringComparer.Ordinal).ThenBy(c => c.CompanyId)
            .ToList();
        return new AgingReport(now, store.Currency, rows, Buckets(open.Select(i => (i.DueAt, i.Total - i.AmountPaid)), now));
    }

    /// <summary>Whole days past due, rounded up; 0 when not yet due.</summary>
    public static int DaysPastDue(DateTime dueAt, DateTime asOf) =>
        asOf <= dueAt ? 0 : (int)Math.Ceiling((asOf - dueAt).TotalDays);

    /// <summary>Amounts due by days past due (<see cref="DaysPastDue"/>): ≤ 0 current, then 1–30, 31–60, 61–90, over 90.</summary>
    public static AgingBuckets Buckets(IEnumerable<(DateTime DueAt, decimal Due)> invoices, DateTime asOf)
    {
        decimal current = 0, d30 = 0, d60 = 0, d90 = 0, over = 0;
        foreach (var (dueAt, due) in invoices)
        {
            switch (DaysPastDue(dueAt, asOf))
            {
                case 0: current += due; break;
                case <= 30: d30 += due; break;
                case <= 60: d60 += due; break;
                case <= 90: d90 += due; break;
                default: over += due; break;
            }
        }

        return new AgingBuckets(current, d30, d60, d90, over, current + d30 + d60 + d90 + over);
    }

    /// <summary>What the printed invoice shows: the store, the company, the order's lines and totals.</summary>
    public async Task<InvoicePrint> PrintAsync(Guid id, CancellationToken ct)
    {
        var invoice = await GetAsync(id, ct);
        var order = await db.Orders.AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Id == invoice.OrderId, ct);
        var store = await storeSettings.GetAsync(ct);
        var lines = order.Lines.OrderBy(l => l.Sku, StringComparer.Ordinal)
            .Select(l => new InvoicePrintLine(l.Sku, l.Title, l.Quantity, l.UnitPrice, l.LineTotal)).ToList();
        return new InvoicePrint(invoice, store.Name, store.Address, invoice.CompanyName, order.ShippingAddress.Name, lines,
            order.Subtotal, order.DiscountTotal, order.ShippingTotal, order.TaxTotal, order.PricesIncludeTax);
    }

    private async Task<List<InvoiceView>> ViewsAsync(List<Invoice> invoices, DateTime now, CancellationToken ct)
    {
        var orderIds = invoices.Select(i => i.OrderId).Distinct().ToList();
        var companyIds = invoices.Select(i => i.CompanyId).Distinct().ToList();
        var numbers = await db.Orders.AsNoTracking().Where(o => orderIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Number, ct);
        var names = await db.Set<Company>().AsNoTracking().Where(c => companyIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        return invoices.Select(i => ToView(i, numbers.GetValueOrDefault(i.OrderId), names.GetValueOrDefault(i.CompanyId, ""), now, null)).ToList();
    }

    internal static InvoiceView ToView(Invoice i, long orderNumber, string companyName, DateTime now, IReadOnlyList<InvoicePaymentView>? payments)
    {
        var unpaid = i.Status is InvoiceStatus.Open or InvoiceStatus.PartiallyPaid;
        var daysPastDue = unpaid ? DaysPastDue(i.DueAt, now) : 0;
        var status = unpaid && daysPastDue > 0 ? InvoiceStatuses.Overdue : StorekeepDbContext.ToSnakeCase(i.Status.ToString());
        return new InvoiceView(i.Id, Invoice.Format(i.Number), i.OrderId, orderNumber, i.CompanyId, companyName, i.Currency, i.IssuedAt, i.DueAt,
            i.Total, i.AmountPaid, i.Status == InvoiceStatus.Void ? 0m : i.Total - i.AmountPaid, status, daysPastDue, i.VoidedAt, i.ReminderSentAt, payments);
    }
}
