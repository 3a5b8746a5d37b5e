using System.Globalization;
using Storekeep.Fulfillment;
using Storekeep.Inventory;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Shared;

namespace Storekeep.Demo;

// The life of each demo order after checkout (see OrderLifecycle).
internal sealed partial class DemoStoreBuilder
{
    /// <summary>One order's life after checkout: payment, shipments, delivery, returns, refunds, or cancellation.</summary>
    private sealed class OrderLifecycle(DemoStoreBuilder builder, Order order, List<OrderAllocation> allocations, DateTime placedAt)
    {
        private readonly List<(DateTime At, int Sequence, Action Apply)> _steps = [];
        private readonly List<Shipment> _shipments = [];
        private Payment _payment = null!;

        private Random Rng => builder._rng;

        public void Plan()
        {
            var country = order.ShippingAddress.Country;
            var roll = Rng.NextDouble();
            var method = roll < 0.08 ? PaymentMethod.BankTransfer
                : roll < 0.14 && country is "US" or "DE" ? PaymentMethod.CashOnDelivery
                : PaymentMethod.Card;
            var brands = new[] { "visa", "mastercard", "amex", "discover" };
            _payment = new Payment
            {
                Id = Guid.CreateVersion7(placedAt),
                OrderId = order.Id,
                Method = method,
                Status = PaymentRecordStatus.Pending,
                Gateway = method == PaymentMethod.Card ? TestPaymentGateway.GatewayName : "manual",
                Amount = order.Total,
                Currency = order.Currency,
                CardBrand = method == PaymentMethod.Card ? brands[builder.PickWeighted([50, 30, 12, 8])] : null,
                Last4 = method == PaymentMethod.Card ? Rng.Next(0, 10000).ToString("D4", CultureInfo.InvariantCulture) : null,
                CreatedAt = placedAt,
                UpdatedAt = placedAt,
            };
            builder._data.Payments.Add(_payment);

            var captureAtCheckout = method == PaymentMethod.Card && Rng.NextDouble() < 0.7;
            if (method == PaymentMethod.Card)
            {
                Step(placedAt.AddSeconds(2), () => Authorize(placedAt.AddSeconds(2)));
                if (captureAtCheckout)
                {
                    Step(placedAt.AddSeconds(3), () => Capture(placedAt.AddSeconds(3)));
                }
            }

            if (Rng.NextDouble() < 0.05)
            {
                PlanCancellation(method, captureAtCheckout);
                return;
            }

            var readyAt = placedAt;
            if (method == PaymentMethod.BankTransfer)
            {
                readyAt = placedAt.AddHours(Rng.Next(10, 70)); // inside the store's 3-day hold on unpaid orders
                Step(readyAt, () => ReceiveManualPayment("Bank transfer received.", readyAt));
            }

            PlanFulfillment(readyAt, method, captureAtCheckout);
        }

        public void Run(DateTime historyEnd)
        {
            // Whatever falls after the end of history has not happened yet: recent orders stay open.
            foreach (var step in _steps.OrderBy(s => s.At).ThenBy(s => s.Sequence).TakeWhile(s => s.At < historyEnd))
            {
                step.Apply();
            }
        }

        private void Step(DateTime at, Action apply) => _steps.Add((at, _steps.Count, apply));

        private void PlanCancellation(PaymentMethod method, bool captured)
        {
            // An unpaid bank transfer is cancelled by the server when the default hold runs out, as
            // UnpaidOrderSweep does in a running store.
            var timedOut = method == PaymentMethod.BankTransfer;
            var cancelAt = timedOut
                ? placedAt.AddMinutes(4320)
                : placedAt.AddMinutes(Rng.Next(20, 60 * 36));
            var reason = timedOut ? "payment_timeout" : builder.Pick(DemoCatalogData.CancelReasons);
            var actor = timedOut ? Actor.System : SupportActor;
            Step(cancelAt, () =>
            {
                order.Cancel(reason, actor, cancelAt);
                foreach (var allocation in allocations)
                {
                    var warehouse = builder._data.Warehouses.FindIndex(w => w.Id == allocation.WarehouseId);
                    allocation.Release(allocation.Outstanding);
                    builder.Move(warehouse, allocation.Sku, MovementType.Release, 0, -allocation.Quantity, "order cancelled", actor, $"order:{order.Number}", cancelAt);
                }
            });
            if (method != PaymentMethod.Card)
            {
                return;
            }

            if (captured)
            {
                Step(cancelAt.AddSeconds(5), () => RefundNow(order.Total, "Order cancelled", cancelAt.AddSeconds(5)));
            }
            else
            {
                Step(cancelAt.AddSeconds(5), () =>
                {
                    _payment.Status = PaymentRecordStatus.Voided;
                    _payment.UpdatedAt = cancelAt.AddSeconds(5);
                    order.MarkPaymentVoided(Actor.System, cancelAt.AddSeconds(5));
                });
            }
        }

        private void PlanFulfillment(DateTime readyAt, PaymentMethod method, bool captured)
        {
            var shipAt = NextWorkingTime(readyAt.AddHours(Rng.Next(4, 50)));
            if (method == PaymentMethod.Card && !captured)
            {
                var captureAt = shipAt.AddMinutes(-5);
                Step(captureAt, () => Capture(captureAt));
            }

            // Parts: one per warehouse; a single-warehouse order is sometimes split (item on a later truck).
            var parts = allocations.GroupBy(a => a.WarehouseId)
                .Select(g => g.Select(a => (Allocation: a, Quantity: a.Quantity)).ToList())
                .ToList();
            if (parts.Count == 1 && parts[0].Sum(p => p.Quantity) >= 2 && Rng.NextDouble() < 0.12)
            {
                var whole = parts[0];
                var first = new List<(OrderAllocation, int)>();
                var second = new List<(OrderAllocation, int)>();
                if (whole.Count >= 2)
                {
                    first.AddRange(whole.Take(whole.Count / 2));
                    second.AddRange(whole.Skip(whole.Count / 2));
                }
                else
                {
                    var (allocation, quantity) = whole[0];
                    first.Add((allocation, quantity / 2));
                    second.Add((allocation, quantity - (quantity / 2)));
                }

                parts = [first, second];
            }

            var country = order.ShippingAddress.Country;
            var express = order.ShippingMethod == "express";
            var lastDelivery = DateTime.MinValue;
            for (var i = 0; i < parts.Count; i++)
            {
                var part = parts[i];
                var partShipAt = i == 0 ? shipAt : NextWorkingTime(shipAt.AddHours(Rng.Next(24, 110)));
                var transitDays = express ? Rng.Next(1, 3) : country == "US" ? Rng.Next(2, 6) : country is "CA" or "GB" or "DE" ? Rng.Next(4, 10) : Rng.Next(6, 15);
                var deliverAt = partShipAt.AddDays(transitDays).Date.AddHours(Rng.Next(9, 19)).AddMinutes(Rng.Next(0, 60));
                lastDelivery = Max(lastDelivery, deliverAt);
                var (carrier, tracking) = builder.Carrier(country, express);
                Shipment? shipment = null;
                Step(partShipAt, () => shipment = Ship(part, carrier, tracking, partShipAt));
                Step(deliverAt, () =>
                {
                    shipment!.Status = ShipmentStatus.Delivered;
                    shipment.DeliveredAt = deliverAt;
                    order.MarkDelivered(_shipments.All(s => s.Status == ShipmentStatus.Delivered), new Actor($"carrier:{carrier}"), deliverAt);
                });
            }

            if (method == PaymentMethod.CashOnDelivery)
            {
                Step(lastDelivery.AddMinutes(1), () => ReceiveManualPayment("Cash collected on delivery.", lastDelivery.AddMinutes(1)));
            }

            var roll = Rng.NextDouble();
            if (roll < 0.07)
            {
                PlanReturn(lastDelivery);
            }
            else if (roll < 0.085)
            {
                var at = lastDelivery.AddDays(Rng.Next(1, 6)).AddHours(Rng.Next(1, 8));
                var amount = MinorUnits.Round(order.Subtotal * (0.1m + (Rng.Next(0, 11) / 100m)));
                var reason = builder.Pick(["Late delivery credit", "Damaged packaging goodwill", "Price match"]);
                Step(at, () => RefundNow(amount, reason, at));
            }
        }

        private void PlanReturn(DateTime lastDelivery)
        {
            var requestedAt = lastDelivery.AddDays(Rng.Next(2, 21)).AddHours(Rng.Next(1, 9));
            var receivedAt = NextWorkingTime(requestedAt.AddDays(Rng.Next(4, 11)));
            var everything = Rng.NextDouble() < 0.25;
            var returnLines = everything
                ? order.Lines.Select(l => (l.Sku, l.Quantity)).ToList()
                : [(order.Lines[0].Sku, Rng.Next(1, order.Lines[0].Quantity + 1))];
            var reason = builder.Pick(DemoCatalogData.ReturnReasons);
            var restock = reason is not ("Arrived damaged" or "Item defective") && Rng.NextDouble() < 0.85;
            PendingReturn? pending = null;
            Step(requestedAt, () =>
            {
                var withWarehouses = returnLines.Select(l => (l.Sku, l.Quantity, WarehouseOf(l.Sku))).ToList();
                pending = new PendingReturn(order, reason, restock, requestedAt, withWarehouses);
                builder._pendingReturns.Add(pending);
                order.Note("return_requested", $"Return requested for {returnLines.Sum(l => l.Quantity)} unit(s): {reason}.", SupportActor, requestedAt);
            });
            Step(receivedAt, () =>
            {
                pending!.ReceivedAt = receivedAt;
                order.RecordReturn(returnLines, WarehouseActor, receivedAt);
                if (_payment.CapturedAmount > 0)
                {
                    var amount = everything
                        ? _payment.CapturedAmount - _payment.RefundedAmount
                        : returnLines.Sum(r =>
                        {
                            var line = order.Lines.First(l => l.Sku == r.Sku);
                            return (line.UnitPrice * r.Quantity) + MinorUnits.Round(line.TaxAmount * r.Quantity / line.Quantity);
                        });
                    RefundNow(Math.Min(amount, _payment.CapturedAmount - _payment.RefundedAmount), $"Return: {reason}", receivedAt.AddMinutes(30));
                }
            });
        }

        private int WarehouseOf(string sku)
        {
            var allocation = allocations.Where(a => a.Sku == sku && a.ShippedQuantity > 0).OrderByDescending(a => a.ShippedQuantity).First();
            return builder._data.Warehouses.FindIndex(w => w.Id == allocation.WarehouseId);
        }

        private Shipment Ship(List<(OrderAllocation Allocation, int Quantity)> part, string carrier, string tracking, DateTime at)
        {
            var warehouseId = part[0].Allocation.WarehouseId;
            var warehouse = builder._data.Warehouses.FindIndex(w => w.Id == warehouseId);
            var shipment = new Shipment
            {
                Id = Guid.CreateVersion7(at),
                OrderId = order.Id,
                WarehouseId = warehouseId,
                Carrier = carrier,
                TrackingNumber = tracking,
                Status = ShipmentStatus.Shipped,
                ShippedAt = at,
            };
            var lines = part.GroupBy(p => p.Allocation.Sku).Select(g => (Sku: g.Key, Quantity: g.Sum(p => p.Quantity))).ToList();
            foreach (var (allocation, quantity) in part)
            {
                allocation.Ship(quantity);
                builder.Move(warehouse, allocation.Sku, MovementType.Shipment, -quantity, -quantity, null, WarehouseActor, $"order:{order.Number}", at);
            }

            foreach (var (sku, quantity) in lines)
            {
                shipment.Lines.Add(new ShipmentLine { ShipmentId = shipment.Id, Sku = sku, Quantity = quantity });
            }

            ScanPicks(warehouseId, lines, at);
            order.RecordShipment(lines, carrier, tracking, WarehouseActor, at);
            _shipments.Add(shipment);
            builder._data.Shipments.Add(shipment);
            return shipment;
        }

        /// <summary>
        /// The warehouse scanned what it shipped in the last <see cref="PickScanDays"/> days (the store
        /// started scanning then): one right scan per line, and now and then a wrong item scanned first
        /// (about one line in 50, by order number, so no draw shifts the rest of the demo).
        /// </summary>
        private void ScanPicks(Guid warehouseId, List<(string Sku, int Quantity)> lines, DateTime shippedAt)
        {
            if (shippedAt < builder._end.AddDays(-PickScanDays))
            {
                return;
            }

            var at = shippedAt.AddMinutes(-40);
            for (var i = 0; i < lines.Count; i++)
            {
                var (sku, quantity) = lines[i];
                if ((order.Number * 31 + i) % 50 == 7)
                {
                    var other = builder._variants[(int)(order.Number % builder._variants.Count)].Variant.Sku;
                    other = other == sku ? builder._variants[(int)((order.Number + 1) % builder._variants.Count)].Variant.Sku : other;
                    builder._data.PickScans.Add(new PickScan { OrderId = order.Id, WarehouseId = warehouseId, Code = other, Sku = other, Quantity = 1, Correct = false, ScannedBy = WarehouseActor.Name, ScannedAt = at });
                    at = at.AddSeconds(20);
                }

                builder._data.PickScans.Add(new PickScan { OrderId = order.Id, WarehouseId = warehouseId, Code = sku, Sku = sku, Quantity = quantity, Correct = true, ScannedBy = WarehouseActor.Name, ScannedAt = at });
                at = at.AddSeconds(30);
            }
        }

        private const int PickScanDays = 120;

        private void Authorize(DateTime at)
        {
            _payment.Status = PaymentRecordStatus.Authorized;
            _payment.GatewayReference = "test_auth_" + builder.Hex(32);
            _payment.UpdatedAt = at;
            order.MarkAuthorized(order.Total, Actor.System, at);
        }

        private void Capture(DateTime at)
        {
            _payment.Status = PaymentRecordStatus.Captured;
            _payment.CapturedAmount = order.Total;
            _payment.UpdatedAt = at;
            order.MarkPaid(order.Total, Actor.System, at);
        }

        private void ReceiveManualPayment(string message, DateTime at)
        {
            _payment.Status = PaymentRecordStatus.Captured;
            _payment.CapturedAmount = order.Total;
            _payment.GatewayReference = _payment.Method == PaymentMethod.BankTransfer ? $"BT-{Rng.Next(100000, 999999)}" : $"COD-{order.Number}";
            _payment.UpdatedAt = at;
            order.Note("payment_received", message, SupportActor, at);
            order.MarkPaid(order.Total, SupportActor, at);
        }

        private void RefundNow(decimal amount, string reason, DateTime at)
        {
            amount = Math.Min(amount, _payment.CapturedAmount - _payment.RefundedAmount);
            if (amount <= 0)
            {
                return;
            }

            _payment.RefundedAmount += amount;
            _payment.Status = _payment.RefundedAmount >= _payment.CapturedAmount ? PaymentRecordStatus.Refunded : PaymentRecordStatus.PartiallyRefunded;
            _payment.UpdatedAt = at;
            builder._data.Refunds.Add(new Refund
            {
                Id = Guid.CreateVersion7(at),
                OrderId = order.Id,
                PaymentId = _payment.Id,
                Amount = amount,
                Reason = reason,
                Status = RefundStatus.Succeeded,
                GatewayReference = _payment.Method == PaymentMethod.Card ? "test_refund_" + builder.Hex(32) : null,
                Actor = SupportActor.Name,
                CreatedAt = at,
            });
            order.ApplyRefund(amount, _payment.RefundedAmount, _payment.CapturedAmount, reason, SupportActor, at);
        }
    }
}
