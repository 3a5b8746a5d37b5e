using System.Text.Json.Nodes;
using Storekeep.Catalog;
using Storekeep.Events;
using Storekeep.Inventory;
using Storekeep.Orders;
using Storekeep.Shared;

namespace Storekeep.Tests.Events;

/// <summary>Typed event records keep the wire names and the payload JSON the feed and webhooks have always carried.</summary>
public sealed class TypedEventTests
{
    [Fact]
    public void Order_events_serialize_to_the_order_payload_under_their_own_wire_names()
    {
        var order = Order.Place(
            1042,
            "ada@example.com",
            null,
            "USD",
            new Address { Name = "Ada", Line1 = "1 Row", City = "Paris", PostalCode = "75001", Country = "FR" },
            "standard",
            [new OrderLine { Sku = "MUG-1", Title = "Blue mug", Quantity = 2, UnitPrice = 12m, LineTotal = 24m }],
            4.99m,
            0m,
            false,
            null,
            DateTime.UtcNow);
        var line = order.Lines.Single();

        // The positional record's order and names, written out by hand.
        var expected = StorekeepJson.Serialize(new
        {
            orderId = order.Id,
            number = 1042L,
            email = "ada@example.com",
            currency = "USD",
            total = order.Total,
            status = order.Status,
            paymentStatus = order.PaymentStatus,
            fulfillmentStatus = order.FulfillmentStatus,
            lines = new[] { new { sku = "MUG-1", title = "Blue mug", quantity = 2, unitPrice = 12m, lineTotal = 24m, taxAmount = line.TaxAmount, fulfilledQuantity = 0, returnedQuantity = 0, discountTotal = 0m, refundedQuantity = 0, discountAllocations = Array.Empty<object>() } },
        });

        Assert.Equal(expected, StorekeepJson.Serialize(OrderEventData.Of<OrderPaid>(order)));
        Assert.Equal(expected, StorekeepJson.Serialize(OrderEventData.Of<OrderPlaced>(order)));
        Assert.Equal(expected, StorekeepJson.Serialize(OrderEventData.From(order)));
        Assert.Equal(
            [EventTypes.OrderPlaced, EventTypes.OrderPaid, EventTypes.OrderDelivered, EventTypes.OrderCancelled],
            new[] { OrderPlaced.EventType, OrderPaid.EventType, OrderDelivered.EventType, OrderCancelled.EventType });
    }

    [Fact]
    public void Product_and_stock_events_keep_their_payload_shape()
    {
        var id = Guid.NewGuid();
        var product = new ProductUpdated { ProductId = id, Slug = "mug", Title = "Mug", Status = ProductStatus.Active, Skus = ["MUG-1", "MUG-2"] };
        Assert.Equal(
            StorekeepJson.Serialize(new { productId = id, slug = "mug", title = "Mug", status = ProductStatus.Active, skus = new[] { "MUG-1", "MUG-2" } }),
            StorekeepJson.Serialize(product));
        Assert.Equal("product.updated", ProductUpdated.EventType);
        Assert.Equal("product.created", ProductCreated.EventType);

        var low = JsonNode.Parse(StorekeepJson.Serialize(new StockLow("MUG-1", "MAIN", 2, 5)))!;
        Assert.Equal("""{"sku":"MUG-1","warehouse":"MAIN","available":2,"threshold":5}""", low.ToJsonString());
        Assert.Equal("inventory.low_stock", StockLow.EventType);
    }
}
