using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Storekeep.Accounts;
using Storekeep.Data;
using Storekeep.Fulfillment;
using Storekeep.Orders;
using Storekeep.Shared;

namespace Storekeep.Customers;

public sealed record CustomerOrderSummary(long Number, DateTime PlacedAt, OrderStatus Status, PaymentStatus PaymentStatus, FulfillmentStatus FulfillmentStatus, decimal Total, string Currency, int Units);

public sealed record CustomerOrderDetail(OrderView Order, IReadOnlyList<ShipmentView> Shipments, IReadOnlyList<ReturnView> Returns);

/// <summary>
/// Shopper accounts: sign-up links the account to the customer record of its email (created by
/// the first order, or now). Order history is what the account placed while signed in and, once
/// the email is verified through the emailed link, every order of that customer, so guest orders
/// placed earlier with the same email appear too (docs/security.md, section 2).
/// </summary>
public sealed class CustomerAccounts(
    StorekeepDbContext db,
    UserManager<UserAccount> users,
    OrderQueries orders,
    ShipmentService shipments,
    ReturnService returns,
    AccountEmails emails,
    CustomerRegistry customers,
    TimeProvider clock)
{
    public const int MaxHistory = 100;

    public async Task<UserAccount> RegisterAsync(string? email, string? password, string? name, CancellationToken ct)
    {
        var v = new Validation();
        var normalized = v.Email("email", email);
        var displayName = v.Required("name", name, 200);
        var secret = v.Required("password", password, 200);
        v.ThrowIfInvalid();

        var now = clock.GetUtcNow().UtcDateTime;
        var customerId = await customers.EnsureAsync(normalized!, displayName, country: null, now, ct);
        var user = UserAccount.ForShopper(normalized!, displayName, customerId, now);
        var result = await users.CreateAsync(user, secret);
        if (!result.Succeeded)
        {
            var errors = new Validation();
            foreach (var error in result.Errors)
            {
                var field = error.Code.Contains("Password", StringComparison.Ordinal) ? "password" : "email";
                errors.Add(field, error.Code is "DuplicateEmail" or "DuplicateUserName"
                    ? "An account with this email already exists; sign in instead."
                    : error.Description);
            }

            errors.ThrowIfInvalid();
        }

        // Saved after the account: no email for an account that does not exist.
        await emails.SendVerificationAsync(user, ct);
        return user;
    }

    /// <summary>Sends the confirmation link again (a new token; older links keep working until they expire).</summary>
    public Task ResendVerificationAsync(UserAccount account, CancellationToken ct) => emails.SendVerificationAsync(account, ct);

    public async Task<IReadOnlyList<CustomerOrderSummary>> OrdersAsync(UserAccount account, CancellationToken ct)
    {
        var list = await Visible(account).AsNoTracking()
            .OrderByDescending(o => o.Number).Take(MaxHistory)
            .Select(o => new { o.Number, o.CreatedAt, o.Status, o.PaymentStatus, o.FulfillmentStatus, o.Total, o.Currency, Units = o.Lines.Sum(l => l.Quantity) })
            .ToListAsync(ct);
        return list.Select(o => new CustomerOrderSummary(o.Number, o.CreatedAt, o.Status, o.PaymentStatus, o.FulfillmentStatus, o.Total, o.Currency, o.Units)).ToList();
    }

    /// <summary>The order if this account may see it; null otherwise (the page answers 404 either way).</summary>
    public async Task<CustomerOrderDetail?> OrderAsync(UserAccount account, long number, CancellationToken ct)
    {
        if (!await CanSeeAsync(account, number, ct))
        {
            return null;
        }

        var reference = number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var order = await orders.GetAsync(reference, ct);
        return new CustomerOrderDetail(OrderView.From(order), await shipments.ListAsync(reference, ct), await returns.ListForOrderAsync(reference, ct));
    }

    /// <summary>Asks for a return of shipped units of an order this account may see; staff receive it later.</summary>
    public async Task<ReturnView?> RequestReturnAsync(UserAccount account, long number, IReadOnlyList<ItemLineRequest> lines, string? reason, CancellationToken ct)
    {
        if (!await CanSeeAsync(account, number, ct))
        {
            return null;
        }

        var request = new CreateReturnRequest(lines, reason, Restock: true);
        return await returns.CreateAsync(number.ToString(System.Globalization.CultureInfo.InvariantCulture), request, Actor.Customer, ct);
    }

    public Task<bool> CanSeeAsync(UserAccount account, long number, CancellationToken ct) =>
        Visible(account).AnyAsync(o => o.Number == number, ct);

    /// <summary>
    /// What an account may see: the orders placed while signed in to it and, once its email is
    /// verified, every order of its customer record (guest orders with that email included).
    /// Before verification anyone could have typed someone else's address at sign-up.
    /// </summary>
    private IQueryable<Order> Visible(UserAccount account)
    {
        var accountId = account.Id;
        return account is { EmailConfirmed: true, CustomerId: { } customerId }
            ? db.Orders.Where(o => o.PlacedByUserId == accountId || o.CustomerId == customerId)
            : db.Orders.Where(o => o.PlacedByUserId == accountId);
    }
}
