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
    /// </summary>
    public async Task<Guid> EnsureAsync(string email, string? name, string? country, DateTime now, CancellationToken ct)
    {
        var id = Ids.NewId();
        var parts = (name ?? "").Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        var first = parts.ElementAtOrDefault(0);
        var last = parts.ElementAtOrDefault(1);
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO customers (id, email, first_name, last_name, country, created_at) VALUES ({id}, {email}, {first}, {last}, {country}, {now}) ON CONFLICT (email) DO NOTHING",
            ct);
        return await db.Customers.Where(c => c.Email == email).Select(c => c.Id).SingleAsync(ct);
    }
}
