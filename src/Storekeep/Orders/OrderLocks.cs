using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Orders;

public static class OrderLocks
{
    /// <summary>
    /// Loads the order for a change, after taking its row lock with a no-op UPDATE: on PostgreSQL
    /// concurrent changes to one order (two shipments, a cancel beside a shipment, two returns)
    /// queue here and each then reads what the previous one committed. SQLite already holds the
    /// database write lock. Call first thing inside the transaction.
    /// </summary>
    public static async Task<Order> LoadOrderForUpdateAsync(this StorekeepDbContext db, Guid orderId, CancellationToken ct)
    {
        var touched = await db.Database.ExecuteSqlAsync($"UPDATE orders SET number = number WHERE id = {orderId}", ct);
        if (touched == 0)
        {
            throw Errors.NotFound("Order", orderId.ToString());
        }

        return await db.Orders.Include(o => o.Lines).SingleAsync(o => o.Id == orderId, ct);
    }
}
