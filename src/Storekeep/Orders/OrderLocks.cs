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

    /// <summary>
    /// <see cref="LoadOrderForUpdateAsync"/> for many orders at once (a batch of captures): one
    /// no-op UPDATE locks them all, one query loads them with their lines. Two overlapping batches
    /// whose scans took the rows in different orders could deadlock; PostgreSQL then aborts one,
    /// and the transaction helper runs it again.
    /// </summary>
    public static async Task<Dictionary<Guid, Order>> LoadOrdersForUpdateAsync(this StorekeepDbContext db, IReadOnlyCollection<Guid> orderIds, CancellationToken ct)
    {
        await db.Orders.Where(o => orderIds.Contains(o.Id)).ExecuteUpdateAsync(u => u.SetProperty(o => o.Number, o => o.Number), ct);
        var orders = await db.Orders.Include(o => o.Lines).Where(o => orderIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, ct);
        var missing = orderIds.FirstOrDefault(id => !orders.ContainsKey(id));
        return missing == Guid.Empty ? orders : throw Errors.NotFound("Order", missing.ToString());
    }
}
