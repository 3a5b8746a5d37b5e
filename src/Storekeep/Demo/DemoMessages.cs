using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Messaging;
using Storekeep.Orders;
using Storekeep.Shared;

namespace Storekeep.Demo;

/// <summary>
/// The demo store's message log starts with the confirmations of its latest orders, rendered by the
/// same code as a live store's and marked <c>logged</c>, as a store without SMTP keeps them. Seeded
/// history writes no outbox events (see <see cref="DemoStoreSeeder"/>), so without this the log
/// would be empty until someone checks out.
/// </summary>
public static class DemoMessages
{
    public const int RecentOrders = 25;

    public static async Task<int> AddRecentConfirmationsAsync(StorekeepDbContext db, OrderEmails emails, CancellationToken ct)
    {
        var orders = await db.Orders.AsNoTracking().Include(o => o.Lines)
            .OrderByDescending(o => o.Number).Take(RecentOrders).ToListAsync(ct);
        foreach (var order in orders)
        {
            // As the subscriber would have handled each order's order.placed, one event id each.
            var context = new EventContext(Ids.NewId(), EventTypes.OrderPlaced, 0, order.CreatedAt, OrderEmails.SubscriberName);
            await emails.HandleAsync(OrderEventData.Of<OrderPlaced>(order), context, ct);
        }

        await emails.CompleteBatchAsync(ct);

        var queued = db.ChangeTracker.Entries<Message>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
        foreach (var message in queued)
        {
            message.Status = MessageStatus.Logged;
            message.Attempts = 1;
        }

        await db.SaveChangesAsync(ct);
        return queued.Count;
    }
}
