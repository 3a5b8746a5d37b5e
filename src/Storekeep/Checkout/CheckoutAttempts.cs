using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Checkout;

/// <param name="Email">From the checkout details the shopper gave.</param>
public sealed record CheckoutAttemptView(
    Guid Id,
    Guid CartId,
    string Gateway,
    string IntentId,
    CheckoutAttemptStatus Status,
    decimal Amount,
    string Currency,
    string? Email,
    Guid? OrderId,
    long? OrderNumber,
    string? FailureCode,
    string? FailureMessage,
    DateTime CreatedAt,
    DateTime UpdatedAt);

public sealed record CheckoutAttemptPage(IReadOnlyList<CheckoutAttemptView> Items, int Total);

/// <summary>
/// Card checkouts by payment intent for the back office, newest first: which are waiting for the
/// shopper, which became orders, and which were voided because no order could be placed (stock
/// sold out during 3-D Secure, the cart changed).
/// </summary>
public sealed class CheckoutAttempts(StorekeepDbContext db)
{
    public async Task<CheckoutAttemptPage> ListAsync(CheckoutAttemptStatus? status, int skip, int take, CancellationToken ct)
    {
        var query = db.CheckoutAttempts.AsNoTracking();
        if (status is { } wanted)
        {
            query = query.Where(a => a.Status == wanted);
        }

        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id)
            .Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, 200))
            .ToListAsync(ct);
        var orderIds = rows.Where(a => a.OrderId is not null).Select(a => a.OrderId!.Value).ToList();
        var numbers = await db.Orders.AsNoTracking().Where(o => orderIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Number, ct);
        return new CheckoutAttemptPage(
            rows.Select(a => new CheckoutAttemptView(
                a.Id, a.CartId, a.Gateway, a.IntentId, a.Status, a.Amount, a.Currency, EmailOf(a.Details), a.OrderId,
                a.OrderId is { } id && numbers.TryGetValue(id, out var number) ? number : null,
                a.FailureCode, a.FailureMessage, a.CreatedAt, a.UpdatedAt)).ToList(),
            total);
    }

    private static string? EmailOf(string details)
    {
        try
        {
            return JsonSerializer.Deserialize<PaymentIntentRequest>(details, StorekeepJson.Options)?.Email;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
