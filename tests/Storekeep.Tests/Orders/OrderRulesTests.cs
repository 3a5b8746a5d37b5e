using Storekeep.Events;
using Storekeep.Orders;
using Storekeep.Shared;

namespace Storekeep.Tests.Orders;

/// <summary>The order aggregate's own rules, without a database: what it allows and what its views say it allows.</summary>
public sealed class OrderRulesTests
{
    private static readonly DateTime Now = new(2026, 1, 5, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Shipping_more_than_was_ordered_is_refused_and_changes_no_line()
    {
        var order = Place();
        order.MarkPaid(30m, Actor.System, Now);

        var refused = Assert.Throws<StorekeepException>(() => order.RecordShipment([("MUG-1", 1), ("tee-1", 2)], "UPS", "1Z", Actor.System, Now));

        Assert.Equal("shipment_exceeds_order", refused.Code);
        Assert.Contains("'tee-1'", refused.Message, StringComparison.Ordinal);
        // The first line counted before the second refused; the service's transaction rolls both back.
        Assert.Equal(0, order.Lines.Single(l => l.Sku == "TEE-1").FulfilledQuantity);
    }

    [Fact]
    public void Returning_more_than_was_shipped_is_refused()
    {
        var order = Place();
        order.MarkPaid(30m, Actor.System, Now);
        order.RecordShipment([("MUG-1", 1)], "UPS", "1Z", Actor.System, Now);

        var refused = Assert.Throws<StorekeepException>(() => order.RecordReturn([("MUG-1", 2)], Actor.System, Now));

        Assert.Equal("return_exceeds_shipped", refused.Code);
        Assert.Equal(0, order.Lines.Single(l => l.Sku == "MUG-1").ReturnedQuantity);
    }

    [Fact]
    public void An_order_can_ship_once_paid_or_cash_on_delivery_and_can_cancel_until_something_ships()
    {
        var order = Place();
        Assert.Equal((false, true, true), (order.CanShip(cashOnDelivery: false), order.CanShip(cashOnDelivery: true), order.CanCancel));
        Assert.Equal((false, true, true), (View(order).CanShip(false), View(order).CanShip(true), View(order).CanCancel()));

        order.MarkPaid(30m, Actor.System, Now);
        order.RecordShipment([("MUG-1", 2)], "UPS", "1Z", Actor.System, Now);
        Assert.Equal((true, false), (order.CanShip(cashOnDelivery: false), order.CanCancel));
        Assert.Equal((true, false), (View(order).CanShip(false), View(order).CanCancel()));
        Assert.Equal("order_already_shipped", Assert.Throws<StorekeepException>(() => order.Cancel(null, Actor.System, Now)).Code);

        order.RecordShipment([("TEE-1", 1)], "UPS", "1Z", Actor.System, Now);
        Assert.Equal((false, false), (order.CanShip(cashOnDelivery: true), View(order).CanShip(true)));
    }

    [Fact]
    public void A_cancelled_order_can_neither_ship_nor_cancel_again()
    {
        var order = Place();
        order.Cancel("changed mind", Actor.System, Now);

        Assert.Equal((false, false), (order.CanShip(cashOnDelivery: true), order.CanCancel));
        Assert.Equal((false, false), (View(order).CanShip(true), View(order).CanCancel()));
        Assert.Equal("order_already_cancelled", Assert.Throws<StorekeepException>(() => order.Cancel(null, Actor.System, Now)).Code);
    }

    [Fact]
    public void The_order_raises_its_own_events_each_carrying_the_order_as_it_is_taken()
    {
        var order = Place();
        order.MarkAuthorized(30m, Actor.System, Now);
        var placed = Assert.Single(Take(order));
        Assert.Equal(EventTypes.OrderPlaced, placed.Type);
        Assert.Equal(PaymentStatus.Authorized, Assert.IsType<OrderPlaced>(placed.Payload).PaymentStatus);
        Assert.Empty(Take(order)); // taken once

        order.MarkPaid(30m, Actor.System, Later(1));
        order.RecordShipment([("MUG-1", 2), ("TEE-1", 1)], "UPS", "1Z", Actor.System, Later(2));
        order.MarkDelivered(allShipmentsDelivered: false, Actor.System, Later(3));
        order.MarkDelivered(allShipmentsDelivered: true, Actor.System, Later(4));
        order.MarkDelivered(allShipmentsDelivered: true, Actor.System, Later(5)); // already delivered: nothing new
        var raised = Take(order);
        Assert.Equal([EventTypes.OrderPaid, EventTypes.OrderDelivered], raised.Select(e => e.Type));
        Assert.Equal([Later(1), Later(4)], raised.Select(e => e.OccurredAt));
        Assert.Equal(OrderStatus.Completed, Assert.IsType<OrderDelivered>(raised[1].Payload).Status);

        var cancelled = Place();
        Take(cancelled);
        cancelled.Cancel("changed mind", Actor.System, Now);
        Assert.Equal(OrderStatus.Cancelled, Assert.IsType<OrderCancelled>(Assert.Single(Take(cancelled)).Payload).Status);
    }

    private static IReadOnlyList<RaisedEvent> Take(IRaisesEvents order) => order.TakeRaisedEvents();

    private static DateTime Later(int minutes) => Now.AddMinutes(minutes);

    private static OrderView View(Order order) => OrderView.From(order);

    private static Order Place() => Order.Place(
        1001,
        "ada@example.com",
        null,
        "USD",
        new Address { Name = "Ada Lovelace", Line1 = "12 Analytical Row", City = "New York", PostalCode = "10001", Country = "US" },
        null,
        [
            new OrderLine { Sku = "MUG-1", Title = "Mug", Quantity = 2, UnitPrice = 10m, LineTotal = 20m },
            new OrderLine { Sku = "TEE-1", Title = "Tee", Quantity = 1, UnitPrice = 10m, LineTotal = 10m },
        ],
        0m,
        0m,
        pricesIncludeTax: false,
        null,
        Now);
}
