using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Customers;

/// <summary>
/// The one place customer records are created: checkout and shopper sign-up both come here, so
/// the rule "one customer per email, created by whoever comes first" lives in one statement.
/// </summary>
public sealed class CustomerRegistry(StorekeepDbContext db)
{
    /// <summary>
    /// The id of the customer with <paramref name="email"/> (already normalised), creating it from
    /// <paramref name="name"/> ("First Last") and <paramref name="country"/> if absent. An existing
    /// record is left as it is. Insert-if-absent in one statement, so concurrent first orders by one
    /// email, or a first order racing sign-up, cannot collide. Runs in the caller's transaction.
    /// A new customer's past orders (as a guest) are linked to it in <c>customer_order_stats</c>, unless
    /// <paramref name="orderFollows"/>: checkout and quote acceptance place an order in the same
    /// transaction, whose event recomputes and links the figures anyway (one statement less per first order).
    /// </summary>
    public async Task<Guid> EnsureAsync(string email, string? name, string? country, DateTime now, CancellationToken ct, bool orderFollows = false)
    {
        var id = Ids.NewId();
        var parts = (name ?? "").Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        var first = parts.ElementAtOrDefault(0);
        var last = parts.ElementAtOrDefault(1);
        var created = await db.Database.ExecuteSqlAsync(
            $"INSERT INTO customers (id, email, first_name, last_name, country, created_at, accepts_email, accepts_sms) VALUES ({id}, {email}, {first}, {last}, {country}, {now}, FALSE, FALSE) ON CONFLICT (email) DO NOTHING",
            ct);
        if (created == 1)
        {
            if (!orderFollows)
            {
                await new CustomerOrderStats(db).LinkAsync([email], ct);
            }

            // Inserted: the id is ours, so a new buyer's checkout spares a round trip.
            return id;
        }

        return await db.Customers.Where(c => c.Email == email).Select(c => c.Id).SingleAsync(ct);
    }

    /// <summary>
    /// Makes the customer a buyer of <paramref name="companyId"/> (null: of none). A customer buys for
    /// one company at a time: linking it to another moves it. Runs in the caller's transaction.
    /// </summary>
    public Task<int> SetCompanyAsync(Guid customerId, Guid? companyId, CancellationToken ct) =>
        db.Customers.Where(c => c.Id == customerId).ExecuteUpdateAsync(u => u.SetProperty(c => c.CompanyId, companyId), ct);

    /// <summary>Where consent given at checkout comes from, as recorded on the customer.</summary>
    public const string CheckoutConsentSource = "checkout";

    /// <summary>
    /// Records marketing consent the customer gave (<paramref name="email"/>, <paramref name="sms"/>)
    /// with its time and <paramref name="source"/>, and the <paramref name="phone"/> given with it
    /// (E.164; null leaves the customer's phone as it is). Only grants: false leaves the customer's
    /// earlier answer as it is. Runs in the caller's transaction (saved with it).
    /// </summary>
    public async Task GrantConsentAsync(Guid customerId, bool email, bool sms, string source, DateTime now, CancellationToken ct, string? phone = null)
    {
        if (!email && !sms && phone is null)
        {
            return;
        }

        var customer = await db.Customers.SingleAsync(c => c.Id == customerId, ct);

        // The latest number the shopper gave replaces the old one: SMS consent is for this number.
        if (phone is not null)
        {
            customer.Phone = phone;
        }

        if (email)
        {
            customer.SetEmailConsent(true, source, now);
        }

        if (sms)
        {
            customer.SetSmsConsent(true, source, now);
        }
    }

    /// <summary>
    /// The ids of the customers with these emails (already normalised), creating those absent from
    /// the order history import's name, company and country. Runs in the caller's transaction;
    /// saves in batches and clears the change tracker.
    /// </summary>
    public async Task<Dictionary<string, Guid>> EnsureImportedAsync(IReadOnlyList<ImportedCustomer> customers, DateTime now, CancellationToken ct)
    {
        var ids = await IdsByEmailAsync(customers.Select(c => c.Email), ct);
        foreach (var batch in customers.Where(c => !ids.ContainsKey(c.Email)).DistinctBy(c => c.Email, StringComparer.Ordinal).Chunk(1000))
        {
            foreach (var customer in batch)
            {
                var parts = (customer.Name ?? "").Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
                var created = new Customer
                {
                    Email = customer.Email,
                    FirstName = parts.ElementAtOrDefault(0),
                    LastName = parts.ElementAtOrDefault(1),
                    Company = customer.Company,
                    Country = customer.Country,
                    CreatedAt = now,
                };
                db.Customers.Add(created);
                ids[customer.Email] = created.Id;
            }

            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }

        return ids;
    }

    /// <summary>The id of each customer among <paramref name="emails"/> (normalised) that exists.</summary>
    public async Task<Dictionary<string, Guid>> IdsByEmailAsync(IEnumerable<string> emails, CancellationToken ct)
    {
        var ids = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var chunk in emails.Distinct(StringComparer.Ordinal).Chunk(2000))
        {
            foreach (var found in await db.Customers.AsNoTracking().Where(c => chunk.Contains(c.Email)).Select(c => new { c.Email, c.Id }).ToListAsync(ct))
            {
                ids[found.Email] = found.Id;
            }
        }

        return ids;
    }

    /// <summary>Which of <paramref name="ids"/> are customers, with their emails.</summary>
    public async Task<Dictionary<Guid, string>> EmailsByIdAsync(IEnumerable<Guid> ids, CancellationToken ct)
    {
        var emails = new Dictionary<Guid, string>();
        foreach (var chunk in ids.Distinct().Chunk(2000))
        {
            foreach (var found in await db.Customers.AsNoTracking().Where(c => chunk.Contains(c.Id)).Select(c => new { c.Email, c.Id }).ToListAsync(ct))
            {
                emails[found.Id] = found.Email;
            }
        }

        return emails;
    }
}

/// <summary>A customer an order history import names (email normalised).</summary>
public sealed record ImportedCustomer(string Email, string? Name, string? Company, string? Country);
