using Storekeep.Catalog;
using Storekeep.Customers;
using Storekeep.Fulfillment;
using Storekeep.Inventory;
using Storekeep.Orders;
using Storekeep.Pricing;
using Storekeep.Shared;

namespace Storekeep.Demo;

// The demo history: customers, two years imported from a previous platform, then a year of orders placed day by day, and the returns they lead to.
internal sealed partial class DemoStoreBuilder
{
    // ---------------------------------------------------------------- customers

    private void BuildCustomers()
    {
        var emails = new HashSet<string>(StringComparer.Ordinal);
        string[] domains = ["example.com", "example.org", "example.net"];
        var list = new List<(Customer, double, Address)>();
        for (var i = 0; i < CustomerCount; i++)
        {
            var first = Pick(DemoCatalogData.FirstNames);
            var last = Pick(DemoCatalogData.LastNames);
            var local = $"{Ascii(first)}.{Ascii(last)}";
            var email = $"{local}@{domains[i % 3]}";
            for (var n = 2; !emails.Add(email); n++)
            {
                email = $"{local}{n}@{domains[i % 3]}";
            }

            var country = PickCountry();
            var created = _rng.NextDouble() < 0.22
                ? _start.AddDays(-_rng.Next(1, 600))
                : _end.AddDays(-HistoryDays * (1 - Math.Sqrt(_rng.NextDouble())));
            created = created.Date.AddMinutes(_rng.Next(0, 24 * 60));
            var customer = new Customer
            {
                Id = Guid.CreateVersion7(created),
                Email = email,
                FirstName = first,
                LastName = last,
                Company = _rng.NextDouble() < 0.18 ? Pick(DemoCatalogData.Companies) : null,
                Phone = _rng.NextDouble() < 0.4 ? Phone(country) : null,
                Country = country,
                CreatedAt = created,
            };
            list.Add((customer, Math.Exp(Normal()), NewAddress($"{first} {last}", country)));
        }

        list.Sort((a, b) => a.Item1.CreatedAt.CompareTo(b.Item1.CreatedAt));
        _customers.AddRange(list);
        _data.Customers.AddRange(list.Select(c => c.Item1));
        _customerWeights = new double[list.Count];
        var total = 0.0;
        for (var i = 0; i < list.Count; i++)
        {
            total += list[i].Item2;
            _customerWeights[i] = total;
        }
    }

    private Address NewAddress(string name, string country)
    {
        var place = Pick(DemoCatalogData.Places[country]);
        return new Address
        {
            Name = name,
            Line1 = $"{_rng.Next(1, 2400)} {Pick(DemoCatalogData.Streets)}",
            Line2 = _rng.NextDouble() < 0.2 ? $"Apt {_rng.Next(1, 40)}{(char)('A' + _rng.Next(0, 6))}" : null,
            City = place.City,
            Region = place.Region,
            PostalCode = place.Postal,
            Country = country,
        };
    }

    // ---------------------------------------------------------------- orders

    private void BuildHistory()
    {
        // The store grew from 6 to 14 orders a day over its year on Storekeep.
        ForEachOrderTime(_start, HistoryDays, 6, 8, (daysBack, day) => StockHousekeeping(daysBack, day),
            day => _variants.Where(v => v.AvailableFrom <= day && (v.ArchivedAt is null || v.ArchivedAt > day)).ToList(),
            PlaceOrder);
    }

    /// <summary>
    /// The two years before that, as the merchant imported them from their previous platform
    /// (docs/order-import.md): orders of today's catalog, paid and delivered, that never touched
    /// Storekeep's stock, payments or shipments, so forecasts and cohorts have three years to read.
    /// </summary>
    private void BuildImportedHistory()
    {
        var catalog = _variants.Where(v => v.ArchivedAt is null || v.ArchivedAt > _start).ToList();
        ForEachOrderTime(_start.AddDays(-ImportedHistoryDays), ImportedHistoryDays, 2, 4, (_, _) => { }, _ => catalog, PlaceImportedOrder);
    }

    /// <summary>
    /// Days from <paramref name="first"/> on, each with a Poisson number of orders: a rate growing
    /// linearly from <paramref name="baseRate"/> by <paramref name="growthOverPeriod"/>, shaped by
    /// weekday, month, Black Friday and Cyber Monday; every order's time goes to <paramref name="place"/>
    /// with the variants on sale that day, weighted by popularity (1.7× in their peak months).
    /// </summary>
    private void ForEachOrderTime(
        DateTime first, int days, double baseRate, double growthOverPeriod, Action<int, DateTime> startOfDay,
        Func<DateTime, List<SellableVariant>> onSale, Action<DateTime, List<SellableVariant>, double[], int> place)
    {
        var blackFriday = BlackFridays();
        var customersSigned = 0;
        for (var daysBack = days; daysBack >= 1; daysBack--)
        {
            var day = first.AddDays(days - daysBack);
            startOfDay(daysBack, day);

            var growth = baseRate + (growthOverPeriod * (days - daysBack) / days);
            var lambda = growth * WeekdayFactor[(int)day.DayOfWeek] * MonthFactor[day.Month - 1];
            if (blackFriday.Contains(day))
            {
                lambda *= 2.6;
            }
            else if (blackFriday.Contains(day.AddDays(-3)))
            {
                lambda *= 2.1; // Cyber Monday
            }
            else if (day.Month == 12 && day.Day > 20)
            {
                lambda *= 0.6;
            }

            var times = Enumerable.Range(0, Poisson(lambda))
                .Select(_ => day.AddHours(PickWeighted(HourWeights)).AddSeconds(_rng.Next(0, 3600)))
                .Order()
                .ToList();
            if (times.Count == 0)
            {
                continue;
            }

            var sellable = onSale(day);
            var weights = new double[sellable.Count];
            var cumulative = 0.0;
            for (var i = 0; i < sellable.Count; i++)
            {
                cumulative += sellable[i].Popularity * (sellable[i].Template.PeakMonths.Contains(day.Month) ? 1.7 : 1.0);
                weights[i] = cumulative;
            }

            foreach (var at in times)
            {
                while (customersSigned < _customers.Count && _customers[customersSigned].Customer.CreatedAt <= at)
                {
                    customersSigned++;
                }

                place(at, sellable, weights, customersSigned);
            }
        }
    }

    private void PlaceOrder(DateTime at, List<SellableVariant> sellable, double[] weights, int customersSigned)
    {
        var (customer, email, address, method, lines, shipping) = NewOrder(at, sellable, weights, customersSigned);
        var discounted = WithDiscounts(_nextOrderNumber, at, customer, email, address, method, lines);

        // Every tenth order came from a staff integration's API key (deterministic: draws nothing from the random sequence).
        var channel = _nextOrderNumber % 10 == 0 ? OrderChannels.Api : OrderChannels.OnlineStore;
        var order = discounted is null
            ? Order.Place(_nextOrderNumber++, email, customer?.Id, Currency, address, method, lines, shipping,
                lines.Sum(l => l.TaxAmount), pricesIncludeTax: false, cartId: RecoveredCartOf(_nextOrderNumber - 1, at), at, channel: channel)
            : Order.Place(_nextOrderNumber++, email, customer?.Id, Currency, address, method, discounted.Lines, discounted.Shipping,
                discounted.Tax, pricesIncludeTax: false, cartId: RecoveredCartOf(_nextOrderNumber - 1, at), at, channel: channel, shippingDiscount: discounted.ShippingDiscount);
        _data.Orders.Add(order);
        if (discounted is not null)
        {
            RecordDiscountUses(order, discounted.Promotion, at);
        }

        var allocations = Reserve(order, at);
        var lifecycle = new OrderLifecycle(this, order, allocations, at);
        lifecycle.Plan();
        lifecycle.Run(_end);
    }

    private void PlaceImportedOrder(DateTime at, List<SellableVariant> sellable, double[] weights, int customersSigned)
    {
        var (customer, email, address, method, lines, shipping) = NewOrder(at, sellable, weights, customersSigned);
        var number = _nextOrderNumber++;
        var shippedAt = at.AddHours(18 + _rng.Next(0, 60));
        _data.Orders.Add(Order.Imported(number, $"#{number + 8000}", email, customer?.Id, Currency, address, method, lines, shipping,
            lines.Sum(l => l.TaxAmount), at, shippedAt, null, ImportActor, _start));
    }

    /// <summary>A buyer (a signed-up customer 84% of the time, else a guest), their lines, shipping method and cost.</summary>
    private (Customer? Customer, string Email, Address Address, string Method, List<OrderLine> Lines, decimal Shipping) NewOrder(
        DateTime at, List<SellableVariant> sellable, double[] weights, int customersSigned)
    {
        Customer? customer = null;
        Address address;
        string email;
        if (customersSigned > 0 && _rng.NextDouble() < 0.84)
        {
            var index = Array.BinarySearch(_customerWeights, 0, customersSigned, _rng.NextDouble() * _customerWeights[customersSigned - 1]);
            var chosen = _customers[Math.Min(index < 0 ? ~index : index, customersSigned - 1)];
            customer = chosen.Customer;
            email = customer.Email;
            address = chosen.Address with { }; // an order owns its copy of the address
        }
        else
        {
            var first = Pick(DemoCatalogData.FirstNames);
            var last = Pick(DemoCatalogData.LastNames);
            email = $"{Ascii(first)}{_rng.Next(10, 99)}@example.net";
            address = NewAddress($"{first} {last}", PickCountry());
        }

        // Lines: distinct SKUs, mostly one unit each.
        var lineCount = PickWeighted([55, 28, 12, 5]) + 1;
        var chosenVariants = new List<SellableVariant>();
        for (var attempt = 0; chosenVariants.Count < lineCount && attempt < 12; attempt++)
        {
            var index = Array.BinarySearch(weights, _rng.NextDouble() * weights[^1]);
            var variant = sellable[Math.Min(index < 0 ? ~index : index, sellable.Count - 1)];
            if (!chosenVariants.Contains(variant))
            {
                chosenVariants.Add(variant);
            }
        }

        var taxRate = PriceCalculator.TaxRateFor(_data.TaxRates, address.Country, address.Region);
        var lines = chosenVariants.Select(v =>
        {
            var quantity = PickWeighted([80, 15, 5]) + 1;
            var lineTotal = v.Variant.Price * quantity;
            return new OrderLine
            {
                Id = Guid.CreateVersion7(at),
                VariantId = v.Variant.Id,
                Sku = v.Variant.Sku,
                Title = v.Variant.Title is null ? v.Product.Title : $"{v.Product.Title} - {v.Variant.Title}",
                Quantity = quantity,
                UnitPrice = v.Variant.Price,
                LineTotal = lineTotal,
                TaxAmount = MinorUnits.Round(lineTotal * taxRate / 100m),
                UnitCost = v.Variant.Cost,
            };
        }).ToList();

        var subtotal = lines.Sum(l => l.LineTotal);
        var domestic = address.Country is "US" or "CA" or "GB" or "DE";
        var method = !domestic ? "international" : _rng.NextDouble() < 0.12 ? "express" : "standard";
        var shipping = PriceCalculator.ShippingFor(_data.ShippingMethods.Find(m => m.Code == method), subtotal);
        return (customer, email, address, method, lines, shipping);
    }

    private List<OrderAllocation> Reserve(Order order, DateTime at)
    {
        var requests = order.Lines.Select(l => new StockRequest(l.Sku, l.Quantity)).ToList();
        foreach (var request in requests)
        {
            var available = _available[(request.Sku, 0)] + _available[(request.Sku, 1)];
            if (available < request.Quantity)
            {
                // Out of stock in both warehouses: the buyer had it on back order, a rush PO came in first.
                Receive(0, request.Sku, request.Quantity - available + _rng.Next(30, 90), at.AddHours(-2), "purchase order received (rush)");
            }
        }

        var levels = requests
            .SelectMany(r => new[] { 0, 1 }.Select(w => new InventoryService.LevelSnapshot(r.Sku, _data.Warehouses[w].Id, _data.Warehouses[w].Code, _data.Warehouses[w].Priority, _available[(r.Sku, w)])))
            .ToList();
        var plan = InventoryService.Plan(requests, levels);
        var result = new List<OrderAllocation>();
        foreach (var allocation in plan)
        {
            var warehouse = _data.Warehouses.FindIndex(w => w.Id == allocation.WarehouseId);
            _available[(allocation.Sku, warehouse)] -= allocation.Quantity;
            Move(warehouse, allocation.Sku, MovementType.Reservation, 0, allocation.Quantity, null, Actor.Customer, $"order:{order.Number}", at);
            var line = order.Lines.First(l => l.Sku == allocation.Sku);
            var entity = new OrderAllocation { OrderId = order.Id, OrderLineId = line.Id, WarehouseId = allocation.WarehouseId, Sku = allocation.Sku, Quantity = allocation.Quantity };
            result.Add(entity);
            _data.Allocations.Add(entity);
        }

        return result;
    }

    private void FinishReturns()
    {
        // RMA numbers follow the order in which returns were requested.
        var number = 1001L;
        foreach (var pending in _pendingReturns.OrderBy(p => p.RequestedAt).ThenBy(p => p.Order.Number))
        {
            var request = new ReturnRequest
            {
                Id = Guid.CreateVersion7(pending.RequestedAt),
                Number = number++,
                OrderId = pending.Order.Id,
                Reason = pending.Reason,
                Restock = pending.Restock,
                Status = pending.ReceivedAt is null ? ReturnStatus.Requested : ReturnStatus.Received,
                Actor = SupportActor.Name,
                CreatedAt = pending.RequestedAt,
                ReceivedAt = pending.ReceivedAt,
            };
            foreach (var (sku, quantity, _) in pending.Lines)
            {
                request.Lines.Add(new ReturnLine { ReturnId = request.Id, Sku = sku, Quantity = quantity });
            }

            if (pending.ReceivedAt is { } receivedAt)
            {
                foreach (var (sku, quantity, warehouse) in pending.Lines)
                {
                    if (pending.Restock)
                    {
                        Move(warehouse, sku, MovementType.Return, quantity, 0, "returned to stock", WarehouseActor, $"return:{request.RmaNumber}", receivedAt);
                    }
                    else
                    {
                        Move(warehouse, sku, MovementType.WriteOff, 0, 0, "returned, written off", WarehouseActor, $"return:{request.RmaNumber}", receivedAt);
                    }
                }
            }

            _data.Returns.Add(request);
        }
    }

    private sealed class PendingReturn(Order order, string reason, bool restock, DateTime requestedAt, List<(string Sku, int Quantity, int Warehouse)> lines)
    {
        public Order Order { get; } = order;
        public string Reason { get; } = reason;
        public bool Restock { get; } = restock;
        public DateTime RequestedAt { get; } = requestedAt;
        public List<(string Sku, int Quantity, int Warehouse)> Lines { get; } = lines;
        public DateTime? ReceivedAt { get; set; }
    }
}
