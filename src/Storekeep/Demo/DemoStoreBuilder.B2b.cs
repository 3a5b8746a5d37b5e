using System.Globalization;
using System.Security.Cryptography;
using Storekeep.Catalog;
using Storekeep.Companies;
using Storekeep.Customers;
using Storekeep.Fulfillment;
using Storekeep.Inventory;
using Storekeep.Invoices;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Pricing;
using Storekeep.Quotes;
using Storekeep.Sales;
using Storekeep.Shared;
using Storekeep.Support;

namespace Storekeep.Demo;

internal sealed partial class DemoStoreBuilder
{
    private const int B2bHistoryDays = 180;
    private static readonly Actor AccountsActor = new("accounts");

    /// <summary>
    /// Company buyers, six months of orders on terms with their invoices (paid, partly paid, current
    /// and overdue in every aging bucket), the credit they hold, and a handful of quotes. Written as
    /// checkout, Invoicing and SalesQuotes would have written them; drawn from its own random source
    /// and placed after the rest of the history, so nothing else in the demo changes. Stock for each
    /// order is received just before it (bought in for the account), so every balance of the ledger
    /// before and after stays what it was.
    /// </summary>
    private void BuildB2b()
    {
        var rng = new Random(_salesSeed + 29);
        var buyers = BuildBuyers(rng);
        var plans = new List<B2bOrderPlan>();
        foreach (var company in _data.Companies.Where(c => c.PaymentTerms != PaymentTerms.Prepaid))
        {
            var companyBuyers = buyers[company.Id];
            var address = CompanyAddress(rng, company, companyBuyers[0]);
            var count = rng.Next(3, 9);
            var times = Enumerable.Range(0, count)
                .Select(_ => NextWorkingTime(_end.AddDays(-1 - (rng.NextDouble() * (B2bHistoryDays - 1))).Date.AddHours(rng.Next(8, 17)).AddMinutes(rng.Next(60))))
                .Where(t => t < _end)
                .Order()
                .ToList();
            foreach (var at in times)
            {
                plans.Add(PlanOrder(rng, company, companyBuyers[rng.Next(companyBuyers.Count)], address with { }, at));
            }
        }

        DecidePayments(rng, plans);
        plans = WithinCreditLimits(plans);

        // The accepted quote's order: Northwind's latest order at least two weeks old, placed by accepting it.
        var northwind = _data.Companies[0];
        var quoted = plans.Where(p => p.Company == northwind && p.PlacedAt < _end.AddDays(-14)).MaxBy(p => p.PlacedAt);
        if (quoted is not null)
        {
            quoted.FromQuote = true;
        }

        var acceptedQuote = BuildQuotes(rng, buyers, quoted);
        var invoiceNumber = 0L;
        foreach (var plan in plans.OrderBy(p => p.PlacedAt))
        {
            PlaceTermsOrder(rng, plan, ++invoiceNumber);
        }

        if (acceptedQuote is not null && quoted?.Order is { } acceptedOrder)
        {
            acceptedQuote.OrderId = acceptedOrder.Id;
            WonDeal(rng, quoted.Company, acceptedQuote.DealId!.Value, acceptedQuote.CreatedAt.AddDays(-30), quoted.PlacedAt, acceptedOrder);
        }

        // The demo buyer's own question, answered, so their account's support page shows a conversation
        // (its own random source: the other tickets and the rest of the history stay as they were).
        var demoBuyer = buyers[northwind.Id].First(b => b.Email == DemoCredentials.BuyerEmail);
        AddTicket(new Random(_supportSeed + 2), demoBuyer, "Delivery to our second site", "Can our next order go to our warehouse instead of the office?",
            TicketPriority.Normal, TicketStatus.Solved, days: 3, withOrder: true,
            reply: "Yes: enter the warehouse's address as the shipping address at checkout, and the order ships there.", note: null, waiting: false, solved: true);

        _data.InvoiceCounters.Add(new InvoiceCounter { Name = InvoiceCounter.Invoices, LastNumber = invoiceNumber });
        _data.CompanyCredits.AddRange(_data.Invoices.GroupBy(i => i.CompanyId).Select(g => new CompanyCredit
        {
            CompanyId = g.Key,
            Outstanding = g.Where(i => i.Status is InvoiceStatus.Open or InvoiceStatus.PartiallyPaid).Sum(i => i.Total - i.AmountPaid),
        }));
    }

    private Dictionary<Guid, List<Customer>> BuildBuyers(Random rng)
    {
        var result = new Dictionary<Guid, List<Customer>>();
        foreach (var company in _data.Companies)
        {
            var list = new List<Customer>();
            var count = company == _data.Companies[0] ? 2 : rng.Next(1, 4);
            var domain = $"{Slugify(company.Name)}.example";
            for (var i = 0; i < count; i++)
            {
                var first = DemoCatalogData.FirstNames[rng.Next(DemoCatalogData.FirstNames.Length)];
                var last = DemoCatalogData.LastNames[rng.Next(DemoCatalogData.LastNames.Length)];
                var email = company == _data.Companies[0] && i == 0 ? DemoCredentials.BuyerEmail : $"{Ascii(first)}.{Ascii(last)}@{domain}";
                if (list.Any(c => c.Email == email))
                {
                    continue;
                }

                var created = company.CreatedAt.AddDays(rng.Next(1, 20)).AddMinutes(rng.Next(9 * 60, 17 * 60));
                var customer = new Customer
                {
                    Id = Guid.CreateVersion7(created), Email = email, FirstName = first, LastName = last, Company = company.Name,
                    Country = company.Country, CreatedAt = created,
                };
                list.Add(customer);
                _data.Customers.Add(customer);
                _data.CompanyBuyers.Add((customer.Id, company.Id));
            }

            result[company.Id] = list;
        }

        return result;
    }

    private static Address CompanyAddress(Random rng, Company company, Customer buyer)
    {
        var places = DemoCatalogData.Places[company.Country];
        var place = places[rng.Next(places.Length)];
        return new Address
        {
            Name = $"{buyer.FirstName} {buyer.LastName}",
            Line1 = $"{rng.Next(1, 2400)} {DemoCatalogData.Streets[rng.Next(DemoCatalogData.Streets.Length)]}",
            Line2 = company.Name,
            City = place.City,
            Region = place.Region,
            PostalCode = place.Postal,
            Country = company.Country,
        };
    }

    /// <summary>Lines at the company's list prices (Wholesale tiers from 12 units) or the regular ones, shipping and tax as checkout prices them.</summary>
    private B2bOrderPlan PlanOrder(Random rng, Company company, Customer buyer, Address address, DateTime at)
    {
        var onSale = _variants.Where(v => v.Product.Status == ProductStatus.Active && v.AvailableFrom <= at && v.ArchivedAt is null).ToList();
        var list = _data.PriceLists.FirstOrDefault(l => l.Id == company.PriceListId);
        var listed = list is null ? [] : onSale.Where(v => list.Entries.Any(e => e.Sku == v.Variant.Sku)).ToList();
        var pool = listed.Count >= 3 ? listed : onSale;
        var lineCount = rng.Next(1, 4);
        var chosen = new List<SellableVariant>();
        while (chosen.Count < lineCount)
        {
            var candidate = pool[rng.Next(pool.Count)];
            if (!chosen.Contains(candidate))
            {
                chosen.Add(candidate);
            }
        }

        var taxRate = PriceCalculator.TaxRateFor(_data.TaxRates, address.Country, address.Region);
        var lines = chosen.Select(v =>
        {
            var quantity = list is null ? rng.Next(2, 11) : rng.NextDouble() < 0.15 ? rng.Next(48, 61) : rng.Next(12, 31);
            var unit = ListPrice(list, v.Variant, quantity);
            return new B2bLine(v, quantity, unit, MinorUnits.Round(unit * quantity * taxRate / 100m));
        }).ToList();
        var shipping = PriceCalculator.ShippingFor(_data.ShippingMethods.Find(m => m.Code == "standard"), lines.Sum(l => l.Unit * l.Quantity));
        var days = company.PaymentTerms switch { PaymentTerms.Net15 => 15, PaymentTerms.Net30 => 30, _ => 60 };
        return new B2bOrderPlan(company, buyer, address, at, at.AddDays(days), lines, shipping);
    }

    /// <summary>As BuyerPrices and SalesQuotes price: the lowest tier the quantity reaches, never above the regular price.</summary>
    private static decimal ListPrice(PriceLists.PriceList? list, ProductVariant variant, int quantity)
    {
        if (list is null)
        {
            return variant.Price;
        }

        if (list.PercentOff is { } percent)
        {
            return decimal.Round(variant.Price * (100 - percent) / 100m, 2, MidpointRounding.AwayFromZero);
        }

        var tiers = list.Entries.Where(e => e.Sku == variant.Sku && e.MinimumQuantity <= quantity).Select(e => e.Price).ToList();
        return tiers.Count == 0 ? variant.Price : Math.Min(variant.Price, tiers.Min());
    }

    /// <summary>
    /// Older invoices paid in full (some late), recent ones open or partly paid, a few left overdue;
    /// then at least one unpaid invoice in each overdue bucket (1-30, 31-60, 61-90, over 90 days past
    /// due as of the end of history), well inside the bucket so the demo's aging reads the same for weeks.
    /// </summary>
    private void DecidePayments(Random rng, List<B2bOrderPlan> plans)
    {
        foreach (var plan in plans)
        {
            var pastDue = (_end - plan.DueAt).TotalDays;
            var unpaidChance = pastDue <= 0 ? 0.85 : pastDue <= 30 ? 0.35 : pastDue <= 60 ? 0.15 : pastDue <= 90 ? 0.08 : 0.0;
            if (rng.NextDouble() < unpaidChance)
            {
                plan.Unpaid = true;
                if (rng.NextDouble() < 0.35)
                {
                    PayPart(rng, plan);
                }
            }
            else
            {
                var at = plan.DueAt.AddDays(rng.Next(-12, 10)).Date.AddHours(rng.Next(9, 17)).AddMinutes(rng.Next(60));
                at = at < plan.PlacedAt.AddDays(3) ? plan.PlacedAt.AddDays(3) : at;
                if (at < _end)
                {
                    plan.Payments.Add((at, plan.Total));
                }
                else
                {
                    plan.Unpaid = true; // not yet
                }
            }
        }

        (int From, int To)[] buckets = [(5, 25), (35, 55), (65, 85), (100, 170)];
        foreach (var (from, to) in buckets)
        {
            bool InBucket(B2bOrderPlan p) => (_end - p.DueAt).TotalDays >= from && (_end - p.DueAt).TotalDays <= to;
            if (plans.Any(p => p.Unpaid && InBucket(p)))
            {
                continue;
            }

            var middle = (from + to) / 2.0;
            if (plans.Where(InBucket).MinBy(p => Math.Abs((_end - p.DueAt).TotalDays - middle)) is { } chosen)
            {
                chosen.Payments.Clear();
                chosen.Unpaid = true;
                if (from < 60)
                {
                    PayPart(rng, chosen);
                }
            }
        }
    }

    private void PayPart(Random rng, B2bOrderPlan plan)
    {
        var amount = Math.Floor(plan.Total * (0.25m + (rng.Next(0, 36) / 100m)));
        var latest = Min(plan.DueAt, _end.AddHours(-2));
        var at = plan.PlacedAt.AddDays(2).AddHours(rng.NextDouble() * Math.Max(1, (latest - plan.PlacedAt.AddDays(2)).TotalHours));
        if (amount > 0 && at < _end)
        {
            plan.Payments.Add((at, amount));
        }
    }

    /// <summary>
    /// Each invoice was issued only if the company's credit in use then (what its earlier invoices
    /// still owed at that moment) plus the order stayed within its credit limit, as Invoicing checks;
    /// an order that would have gone over was never placed on terms and is left out.
    /// </summary>
    private static List<B2bOrderPlan> WithinCreditLimits(List<B2bOrderPlan> plans)
    {
        var kept = new List<B2bOrderPlan>();
        foreach (var group in plans.GroupBy(p => p.Company))
        {
            var issued = new List<B2bOrderPlan>();
            foreach (var plan in group.OrderBy(p => p.PlacedAt))
            {
                var inUse = issued.Sum(p => p.Total - p.Payments.Where(x => x.At <= plan.PlacedAt).Sum(x => x.Amount));
                if (group.Key.CreditLimit is { } limit && inUse + plan.Total > limit)
                {
                    continue;
                }

                issued.Add(plan);
            }

            kept.AddRange(issued);
        }

        return kept;
    }

    /// <summary>The order, its terms payment and its invoice as checkout (or quote acceptance) writes them; then shipping, delivery and the invoice's payments in time order.</summary>
    private void PlaceTermsOrder(Random rng, B2bOrderPlan plan, long invoiceNumber)
    {
        var at = plan.PlacedAt;
        var lines = plan.Lines.Select(l => OrderLine.For(l.Variant.Variant.Id, l.Variant.Variant.Sku, TitleOf(l.Variant), l.Quantity, l.Unit, l.Unit * l.Quantity, l.Tax, l.Variant.Variant.Cost)).ToList();
        var number = _nextOrderNumber++;
        var order = Order.Place(number, plan.Buyer.Email, plan.Buyer.Id, Currency, plan.Address, "standard", lines, plan.Shipping, lines.Sum(l => l.TaxAmount),
            pricesIncludeTax: false, cartId: null, at, channel: plan.FromQuote ? OrderChannels.Quote : OrderChannels.OnlineStore);
        if (order.Total != plan.Total)
        {
            throw new InvalidOperationException($"Order #{number} totals {order.Total}, planned {plan.Total}.");
        }

        plan.Order = order;
        _data.Orders.Add(order);

        // Bought in for the account just before the order, then reserved as checkout reserves.
        var allocations = new List<OrderAllocation>();
        foreach (var line in order.Lines)
        {
            Move(0, line.Sku, MovementType.Receipt, line.Quantity, 0, "purchase order received (wholesale)", PurchasingActor, null, at.AddMinutes(-30));
            Move(0, line.Sku, MovementType.Reservation, 0, line.Quantity, null, Actor.Customer, $"order:{number}", at);
            var allocation = new OrderAllocation { OrderId = order.Id, OrderLineId = line.Id, WarehouseId = _data.Warehouses[0].Id, Sku = line.Sku, Quantity = line.Quantity };
            allocations.Add(allocation);
            _data.Allocations.Add(allocation);
        }

        var payment = new Payment
        {
            Id = Guid.CreateVersion7(at), OrderId = order.Id, Method = PaymentMethod.Terms, Status = PaymentRecordStatus.Pending, Gateway = PaymentService.ManualGateway,
            Amount = order.Total, Currency = Currency, CreatedAt = at, UpdatedAt = at,
        };
        _data.Payments.Add(payment);
        var invoice = Invoice.Format(invoiceNumber);
        order.Note("invoice_issued", $"Invoice {invoice} issued to {plan.Company.Name}, due {plan.DueAt:yyyy-MM-dd}.", Actor.System, at);
        if (plan.QuoteNumber is { } quoteNumber)
        {
            order.Note("quote_accepted", $"Placed by accepting quote {Quote.Display(quoteNumber)} (version 1).", Actor.Customer, at);
        }

        var steps = new List<(DateTime At, Action Apply)>();
        var shipAt = NextWorkingTime(at.AddHours(rng.Next(18, 60)));
        var deliverAt = shipAt.AddDays(rng.Next(2, 7)).Date.AddHours(rng.Next(9, 18)).AddMinutes(rng.Next(60));
        var (carrier, tracking) = plan.Address.Country switch
        {
            "US" => ("UPS", "1Z" + RandomCode(rng, "0123456789ABCDEF", 6) + RandomCode(rng, "0123456789", 10)),
            "CA" => ("Canada Post", RandomCode(rng, "0123456789", 16)),
            _ => ("DHL Express", RandomCode(rng, "0123456789", 10)),
        };
        Shipment? shipment = null;
        steps.Add((shipAt, () => shipment = ShipWholesale(order, allocations, carrier, tracking, shipAt)));
        steps.Add((deliverAt, () =>
        {
            shipment!.Status = ShipmentStatus.Delivered;
            shipment.DeliveredAt = deliverAt;
            order.MarkDelivered(true, new Actor($"carrier:{carrier}"), deliverAt);
        }));

        var invoiceId = Guid.CreateVersion7(at);
        var paid = 0m;
        foreach (var (payAt, amount) in plan.Payments.OrderBy(p => p.At))
        {
            var method = rng.NextDouble() < 0.7 ? "bank_transfer" : "check";
            var reference = method == "bank_transfer" ? $"BT-{rng.Next(100000, 999999)}" : $"CHK-{rng.Next(1000, 9999)}";
            paid += amount;
            var settles = paid == plan.Total;
            _data.InvoicePayments.Add(new InvoicePayment
            {
                Id = Guid.CreateVersion7(payAt), InvoiceId = invoiceId, Amount = amount, Method = method, Reference = reference, RecordedBy = AccountsActor.Name, RecordedAt = payAt,
            });
            if (settles)
            {
                // The payment that settles the invoice marks the order's terms payment received (Invoicing.RecordPaymentAsync).
                steps.Add((payAt, () =>
                {
                    payment.Status = PaymentRecordStatus.Captured;
                    payment.CapturedAmount = payment.Amount;
                    payment.GatewayReference = invoice;
                    payment.UpdatedAt = payAt;
                    order.MarkPaid(payment.Amount, AccountsActor, payAt);
                    order.Note("payment_received", $"Payment on terms received, reference {invoice}.", AccountsActor, payAt);
                }));
            }
        }

        foreach (var step in steps.Where(s => s.At < _end).OrderBy(s => s.At))
        {
            step.Apply();
        }

        var status = paid == order.Total ? InvoiceStatus.Paid : paid > 0 ? InvoiceStatus.PartiallyPaid : InvoiceStatus.Open;
        var lastPayment = plan.Payments.Count == 0 ? at : plan.Payments.Max(p => p.At);

        // Overdue invoices were reminded within the hour by the reminder job (once each), so first start sends no backlog.
        var remindedAt = plan.DueAt.AddMinutes(rng.Next(5, 60));
        var reminded = remindedAt < _end && (status != InvoiceStatus.Paid || lastPayment > remindedAt);
        var entity = new Invoice
        {
            Id = invoiceId, Number = invoiceNumber, OrderId = order.Id, CompanyId = plan.Company.Id, Currency = Currency, IssuedAt = at, DueAt = plan.DueAt,
            Total = order.Total, AmountPaid = paid, Status = status, ReminderSentAt = reminded ? remindedAt : null, UpdatedAt = Max(at, Max(lastPayment, reminded ? remindedAt : at)),
        };
        _data.Invoices.Add(entity);
    }

    private Shipment ShipWholesale(Order order, List<OrderAllocation> allocations, string carrier, string tracking, DateTime at)
    {
        var shipment = new Shipment
        {
            Id = Guid.CreateVersion7(at), OrderId = order.Id, WarehouseId = _data.Warehouses[0].Id, Carrier = carrier, TrackingNumber = tracking,
            Status = ShipmentStatus.Shipped, ShippedAt = at,
        };
        var lines = allocations.Select(a => (a.Sku, a.Quantity)).ToList();
        var scannedAt = at.AddMinutes(-40);
        foreach (var allocation in allocations)
        {
            allocation.Ship(allocation.Quantity);
            Move(0, allocation.Sku, MovementType.Shipment, -allocation.Quantity, -allocation.Quantity, null, WarehouseActor, $"order:{order.Number}", at);
            shipment.Lines.Add(new ShipmentLine { ShipmentId = shipment.Id, Sku = allocation.Sku, Quantity = allocation.Quantity });

            // The warehouse scans what it ships (for the last 120 days, as the rest of the history).
            if (at >= _end.AddDays(-120))
            {
                _data.PickScans.Add(new PickScan
                {
                    OrderId = order.Id, WarehouseId = shipment.WarehouseId, Code = allocation.Sku, Sku = allocation.Sku, Quantity = allocation.Quantity, Correct = true,
                    ScannedBy = WarehouseActor.Name, ScannedAt = scannedAt,
                });
                scannedAt = scannedAt.AddSeconds(30);
            }
        }

        order.RecordShipment(lines, carrier, tracking, WarehouseActor, at);
        _data.Shipments.Add(shipment);
        return shipment;
    }

    /// <summary>
    /// Six quotes numbered from Q-1001 in the order they were written: the accepted one behind a
    /// Northwind order (and the deal it won), one expired, two sent and still valid (their links
    /// work; Northwind's can be accepted by the demo buyer) and two drafts. The acceptance secrets
    /// are random, as for real quotes: the demo's seed is public.
    /// </summary>
    /// <returns>The accepted quote (its order and deal are set once the order is placed).</returns>
    private Quote? BuildQuotes(Random rng, Dictionary<Guid, List<Customer>> buyers, B2bOrderPlan? accepted)
    {
        var quotes = new List<(Quote Quote, List<QuoteLine> Lines)>();
        var reps = _data.SalesReps.ToDictionary(r => r.Id);
        Company Pick(int index) => _data.Companies.Where(c => buyers[c.Id].Count > 0).ElementAt(index);
        string By(Company c) => c.OwnerRepId is { } rep ? reps[rep].Email : "sales@demo.storekeep.test";
        string To(Company c) => buyers[c.Id].Select(b => b.Email).Order(StringComparer.Ordinal).First();

        if (accepted is not null)
        {
            var created = accepted.PlacedAt.AddDays(-6);
            var company = accepted.Company;
            var quote = NewQuote(company, To(company), By(company), created, TimeOrderedId(created.AddDays(-30)));
            quote.SentAt = created.AddHours(2);
            quote.ValidUntil = DateOnly.FromDateTime(created.AddDays(30));
            quote.Status = QuoteStatus.Accepted;
            quote.ClosedAt = accepted.PlacedAt;
            quote.UpdatedAt = accepted.PlacedAt;
            var lines = accepted.Lines.Select((l, i) => QuoteLineOf(quote, i, l.Variant, l.Quantity, l.Unit)).ToList();
            quotes.Add((quote, lines));
        }

        (Company Company, int DaysAgo, QuoteStatus Status, int ValidDays)[] open =
        [
            (Pick(1), 52, QuoteStatus.Sent, 30), // expired 22 days ago
            (_data.Companies[0], 6, QuoteStatus.Sent, 30),
            (Pick(2), 4, QuoteStatus.Sent, 21),
            (_data.Companies[0], 2, QuoteStatus.Draft, 30),
            (Pick(3), 1, QuoteStatus.Draft, 14),
        ];
        foreach (var (company, daysAgo, status, validDays) in open)
        {
            var created = NextWorkingTime(_end.AddDays(-daysAgo).AddHours(rng.Next(9, 16)).AddMinutes(rng.Next(60)));
            created = created < _end ? created : _end.AddDays(-daysAgo).AddHours(10);
            var quote = NewQuote(company, To(company), By(company), created, null);
            quote.Status = status;
            quote.ValidUntil = DateOnly.FromDateTime(created.AddDays(validDays));
            quote.SentAt = status == QuoteStatus.Sent ? created.AddHours(1) : null;
            quote.UpdatedAt = quote.SentAt ?? created;
            var list = _data.PriceLists.FirstOrDefault(l => l.Id == company.PriceListId);
            var onSale = _variants.Where(v => v.Product.Status == ProductStatus.Active && v.ArchivedAt is null && v.AvailableFrom <= created
                && (list is null || list.PercentOff is not null || list.Entries.Any(e => e.Sku == v.Variant.Sku))).ToList();
            var chosen = new List<SellableVariant>();
            var count = rng.Next(2, 5);
            while (chosen.Count < count)
            {
                var candidate = onSale[rng.Next(onSale.Count)];
                if (!chosen.Contains(candidate))
                {
                    chosen.Add(candidate);
                }
            }

            var lines = chosen.Select((v, i) =>
            {
                var quantity = list is null ? rng.Next(5, 25) : new[] { 12, 24, 36, 48, 60 }[rng.Next(5)];
                return QuoteLineOf(quote, i, v, quantity, ListPrice(list, v.Variant, quantity));
            }).ToList();
            quotes.Add((quote, lines));
        }

        Quote? acceptedQuote = null;
        var number = 1001L;
        foreach (var (quote, lines) in quotes.OrderBy(q => q.Quote.CreatedAt))
        {
            var numbered = new Quote
            {
                Id = quote.Id, Number = number++, Version = 1, Status = quote.Status, CompanyId = quote.CompanyId, Email = quote.Email, DealId = quote.DealId,
                ValidUntil = quote.ValidUntil, Note = quote.Note, Currency = quote.Currency, Total = lines.Sum(l => l.LineTotal), AcceptToken = quote.AcceptToken,
                OrderId = quote.OrderId, CreatedBy = quote.CreatedBy, CreatedAt = quote.CreatedAt, UpdatedAt = quote.UpdatedAt, SentAt = quote.SentAt, ClosedAt = quote.ClosedAt,
            };
            _data.Quotes.Add(numbered);
            _data.QuoteLines.AddRange(lines);
            if (numbered.Status == QuoteStatus.Accepted)
            {
                acceptedQuote = numbered;
                accepted!.QuoteNumber = numbered.Number;
            }
        }

        return acceptedQuote;
    }

    private static Quote NewQuote(Company company, string email, string createdBy, DateTime created, Guid? dealId) => new()
    {
        Id = Guid.CreateVersion7(created), CompanyId = company.Id, Email = email, DealId = dealId, Currency = Currency,
        AcceptToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), CreatedBy = createdBy, CreatedAt = created, UpdatedAt = created,
    };

    private static QuoteLine QuoteLineOf(Quote quote, int position, SellableVariant v, int quantity, decimal unit) => new()
    {
        QuoteId = quote.Id, Version = 1, Position = position, Sku = v.Variant.Sku, Title = TitleOf(v), Quantity = quantity, RegularPrice = v.Variant.Price,
        UnitPrice = unit, Negotiated = false, LineTotal = unit * quantity,
    };

    /// <summary>The deal the accepted quote won: walked through the five stages, won when the order was placed (Deals.WinForOrderAsync).</summary>
    private void WonDeal(Random rng, Company company, Guid id, DateTime created, DateTime wonAt, Order order)
    {
        var deal = new Deal
        {
            Id = id, Title = $"{company.Name}: quarterly restock", CompanyId = company.Id, Amount = order.Subtotal,
            ExpectedCloseDate = DateOnly.FromDateTime(wonAt.AddDays(rng.Next(0, 10))), OwnerRepId = company.OwnerRepId, Source = "existing customer",
            Stage = DealStage.Prospecting, Probability = SalesNames.DefaultProbabilities[DealStage.Prospecting], ForecastCategory = ForecastCategory.Pipeline,
            CreatedAt = created, UpdatedAt = created,
        };
        _data.DealStageChanges.Add(Change(deal, null, DealStage.Prospecting, created));
        var step = (wonAt - created).TotalMinutes / SalesNames.OpenStages.Count;
        for (var i = 1; i < SalesNames.OpenStages.Count; i++)
        {
            var from = deal.Stage;
            deal.Stage = SalesNames.OpenStages[i];
            deal.Probability = SalesNames.DefaultProbabilities[deal.Stage];
            _data.DealStageChanges.Add(Change(deal, from, deal.Stage, created.AddMinutes(step * i)));
        }

        (deal.Stage, deal.Probability, deal.ForecastCategory, deal.ClosedAt, deal.OrderId, deal.UpdatedAt) =
            (DealStage.Won, 100, ForecastCategory.Closed, wonAt, order.Id, wonAt);
        _data.DealStageChanges.Add(Change(deal, DealStage.Closing, DealStage.Won, wonAt));
        _data.Deals.Add(deal);
        _data.SalesActivities.Add(Activity(deal, ActivityType.Call, "Intro call", created.AddDays(1), created.AddDays(1)));
    }

    /// <summary>A line's title as checkout writes it (CheckoutService.OrderTitle).</summary>
    private static string TitleOf(SellableVariant v) =>
        v.Variant.Title is { Length: > 0 } title ? $"{v.Product.Title} — {title}" : v.Product.Title;

    private static string RandomCode(Random rng, string alphabet, int length) =>
        string.Create(length, (rng, alphabet), (span, state) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = state.alphabet[state.rng.Next(state.alphabet.Length)];
            }
        });

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private sealed record B2bLine(SellableVariant Variant, int Quantity, decimal Unit, decimal Tax);

    private sealed class B2bOrderPlan(Company company, Customer buyer, Address address, DateTime placedAt, DateTime dueAt, List<B2bLine> lines, decimal shipping)
    {
        public Company Company { get; } = company;
        public Customer Buyer { get; } = buyer;
        public Address Address { get; } = address;
        public DateTime PlacedAt { get; } = placedAt;
        public DateTime DueAt { get; } = dueAt;
        public List<B2bLine> Lines { get; } = lines;
        public decimal Shipping { get; } = shipping;
        public decimal Total { get; } = lines.Sum(l => (l.Unit * l.Quantity) + l.Tax) + shipping;
        public List<(DateTime At, decimal Amount)> Payments { get; } = [];
        public bool Unpaid { get; set; }
        public bool FromQuote { get; set; }
        public Order? Order { get; set; }
        public long? QuoteNumber { get; set; }
    }
}
