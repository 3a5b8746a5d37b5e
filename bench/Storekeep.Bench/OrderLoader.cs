using Npgsql;
using NpgsqlTypes;

namespace Storekeep.Bench;

/// <summary>
/// A deterministic history of <see cref="Total"/> orders over the last 400 days (order <c>i</c> is
/// a pure function of <c>i</c>, placed in number order), bulk-written with binary COPY straight into
/// the app's tables: orders, their 1–3 lines, one payment each, and some refunds. Any subset of
/// indexes can be written, so a small store can be loaded first and grown to the full one later.
/// </summary>
public sealed class OrderLoader
{
    public const int HistoryDays = 400;
    private const int ChunkSize = 50_000;

    private readonly string connectionString;
    private readonly IReadOnlyList<(Guid VariantId, string Sku, long PriceCents)> catalog;
    private readonly DateTime start;
    private readonly long spanTicks;
    private readonly long customers;

    private OrderLoader(string connectionString, long total, long customers, IReadOnlyList<(Guid, string, long)> catalog, string currency, DateTime now)
    {
        this.connectionString = connectionString;
        this.catalog = catalog;
        Total = total;
        Currency = currency;
        Now = now;
        start = now.AddDays(-HistoryDays);
        spanTicks = (now.AddMinutes(-5) - start).Ticks;
        this.customers = Math.Max(1, customers);
    }

    public long Total { get; }

    public string Currency { get; }

    public DateTime Now { get; }

    /// <summary>
    /// Reads the seeded catalog (SKUs, variant ids) and the store currency. The orders' emails come
    /// from <paramref name="customers"/> customers, a few regulars and a long tail of one-off buyers.
    /// </summary>
    public static async Task<OrderLoader> CreateAsync(string connectionString, long total, long customers, DateTime now, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var catalog = new List<(Guid, string, long)>();
        await using (var command = new NpgsqlCommand("SELECT id, sku FROM product_variants ORDER BY sku", connection))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                // Prices from 4.99 to about 99, fixed per SKU.
                catalog.Add((reader.GetGuid(0), reader.GetString(1), 499 + ((catalog.Count * 3_779L) % 9_500)));
            }
        }

        if (catalog.Count == 0)
        {
            throw new InvalidOperationException("Seed the catalog before loading orders.");
        }

        await using var settings = new NpgsqlCommand("SELECT currency FROM store_settings LIMIT 1", connection);
        var currency = await settings.ExecuteScalarAsync(ct) as string ?? "USD";
        return new OrderLoader(connectionString, total, customers, catalog, currency, now);
    }

    /// <summary>
    /// Writes the orders whose index satisfies <paramref name="include"/>; returns how many. Two
    /// connections each take every other block of indexes (the server's COPY work, index upkeep
    /// above all, overlaps the other's row building).
    /// </summary>
    public async Task<long> LoadAsync(Func<long, bool> include, CancellationToken ct)
    {
        const int Writers = 2;
        var blocks = (Total + ChunkSize - 1) / ChunkSize;
        var counts = await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            long written = 0;
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(ct);
            await using (var setup = new NpgsqlCommand("SET synchronous_commit = off", connection))
            {
                await setup.ExecuteNonQueryAsync(ct);
            }

            var chunk = new List<PlannedOrder>(ChunkSize);
            for (var block = (long)w; block < blocks; block += Writers)
            {
                chunk.Clear();
                for (var i = block * ChunkSize; i < Math.Min(Total, (block + 1) * ChunkSize); i++)
                {
                    if (include(i))
                    {
                        chunk.Add(Plan(i));
                    }
                }

                if (chunk.Count > 0)
                {
                    Write(connection, chunk);
                    written += chunk.Count;
                }
            }

            return written;
        }, ct)));

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var sequence = new NpgsqlCommand("SELECT setval('order_numbers', (SELECT max(number) FROM orders))", connection);
        await sequence.ExecuteNonQueryAsync(ct);
        return counts.Sum();
    }

    private PlannedOrder Plan(long i)
    {
        var random = new SplitMix(0x5CA1Eul ^ ((ulong)i * 0x9E3779B97F4A7C15ul));
        var createdAt = start.AddTicks((long)((i + random.NextDouble()) / Total * spanTicks));
        var age = Now - createdAt;

        // Skewed towards the low customer numbers: a few regulars, a long tail of one-off buyers.
        var u = random.NextDouble();
        var customer = (long)(customers * u * u);
        var lineCount = 1 + (int)(random.NextDouble() * random.NextDouble() * 3);
        var lines = new PlannedLine[lineCount];
        long subtotal = 0, tax = 0;
        for (var l = 0; l < lineCount; l++)
        {
            var item = catalog[(int)(random.Next() % (ulong)catalog.Count)];
            var quantity = random.NextDouble() < 0.75 ? 1 : 2 + (int)(random.Next() % 3);
            var lineTotal = item.PriceCents * quantity;
            var lineTax = ((lineTotal * 8) + 50) / 100;
            lines[l] = new PlannedLine(item.VariantId, item.Sku, quantity, item.PriceCents, lineTotal, lineTax);
            subtotal += lineTotal;
            tax += lineTax;
        }

        var shipping = subtotal >= 5_000 ? 0 : 499;
        var total = subtotal + shipping + tax;
        var order = new PlannedOrder
        {
            Id = Guid.CreateVersion7(createdAt),
            Number = 1001 + i,
            Email = $"customer{customer}@example.com",
            CustomerName = $"Customer {customer}",
            CreatedAt = createdAt,
            Subtotal = subtotal,
            Shipping = shipping,
            Tax = tax,
            Total = total,
            Lines = lines,
            PaymentId = Guid.CreateVersion7(createdAt),
            PaymentMethod = "card",
            PaymentStatus = "captured",
            OrderPaymentStatus = "paid",
            Captured = total,
        };

        var roll = random.NextDouble();
        if (roll < 0.03)
        {
            // Cancelled within two days: half before capture (voided), half refunded in full.
            order.Status = "cancelled";
            order.Fulfillment = "unfulfilled";
            order.CancelledAt = Min(createdAt.AddHours(1 + (random.NextDouble() * 47)), Now.AddMinutes(-1));
            if (random.NextDouble() < 0.5)
            {
                order.OrderPaymentStatus = "voided";
                order.PaymentStatus = "voided";
                order.Captured = 0;
            }
            else
            {
                order.OrderPaymentStatus = "refunded";
                order.PaymentStatus = "refunded";
                order.Refunded = total;
                order.Refund = new PlannedRefund(Guid.CreateVersion7(order.CancelledAt.Value), total, "succeeded", order.CancelledAt.Value);
            }

            return order;
        }

        if (age < TimeSpan.FromDays(7))
        {
            order.Status = "open";
            if (roll < 0.08)
            {
                order.PaymentMethod = "bank_transfer";
                order.PaymentStatus = "pending";
                order.OrderPaymentStatus = "pending";
                order.Captured = 0;
                order.Fulfillment = "unfulfilled";
                return order;
            }

            order.Fulfillment = age < TimeSpan.FromDays(2) ? "unfulfilled" : "shipped";
        }
        else
        {
            order.Status = "completed";
            order.Fulfillment = "delivered";
        }

        // 3 % of the paid orders get a partial refund some days later, one in ten of which fails.
        if (random.NextDouble() < 0.03)
        {
            var amount = Math.Max(1, total * (10 + (long)(random.Next() % 41)) / 100);
            var at = Min(createdAt.AddHours(random.NextDouble() * 24 * 20), Now.AddMinutes(-1));
            var succeeded = random.NextDouble() >= 0.1;
            order.Refund = new PlannedRefund(Guid.CreateVersion7(at), amount, succeeded ? "succeeded" : "failed", at);
            if (succeeded)
            {
                order.Refunded = amount;
                order.PaymentStatus = "partially_refunded";
                order.OrderPaymentStatus = "partially_refunded";
            }
        }

        return order;
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private void Write(NpgsqlConnection connection, List<PlannedOrder> orders)
    {
        using (var w = connection.BeginBinaryImport(
            "COPY orders (id, number, status, payment_status, fulfillment_status, email, currency, subtotal, shipping_total, tax_total, total, prices_include_tax, shipping_method, ship_name, ship_line1, ship_city, ship_postal_code, ship_country, channel, created_at, updated_at, cancelled_at) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var o in orders)
            {
                w.StartRow();
                w.Write(o.Id, NpgsqlDbType.Uuid);
                w.Write(o.Number, NpgsqlDbType.Bigint);
                w.Write(o.Status, NpgsqlDbType.Varchar);
                w.Write(o.OrderPaymentStatus, NpgsqlDbType.Varchar);
                w.Write(o.Fulfillment, NpgsqlDbType.Varchar);
                w.Write(o.Email, NpgsqlDbType.Varchar);
                w.Write(Currency, NpgsqlDbType.Varchar);
                w.Write(o.Subtotal, NpgsqlDbType.Bigint);
                w.Write(o.Shipping, NpgsqlDbType.Bigint);
                w.Write(o.Tax, NpgsqlDbType.Bigint);
                w.Write(o.Total, NpgsqlDbType.Bigint);
                w.Write(false, NpgsqlDbType.Boolean);
                w.Write("standard", NpgsqlDbType.Varchar);
                w.Write(o.CustomerName, NpgsqlDbType.Varchar);
                w.Write("1 Bench Street", NpgsqlDbType.Varchar);
                w.Write("Springfield", NpgsqlDbType.Varchar);
                w.Write("12345", NpgsqlDbType.Varchar);
                w.Write("US", NpgsqlDbType.Varchar);
                w.Write(o.Number % 10 == 0 ? "api" : "online_store", NpgsqlDbType.Varchar); // like the demo seeder: every tenth order through the API
                w.Write(o.CreatedAt, NpgsqlDbType.TimestampTz);
                w.Write(o.CancelledAt ?? o.CreatedAt, NpgsqlDbType.TimestampTz);
                if (o.CancelledAt is { } cancelled)
                {
                    w.Write(cancelled, NpgsqlDbType.TimestampTz);
                }
                else
                {
                    w.WriteNull();
                }
            }

            w.Complete();
        }

        using (var w = connection.BeginBinaryImport(
            "COPY order_lines (id, order_id, variant_id, sku, title, quantity, unit_price, line_total, tax_amount, fulfilled_quantity, returned_quantity) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var o in orders)
            {
                var fulfilled = o.Fulfillment is "shipped" or "delivered";
                foreach (var l in o.Lines)
                {
                    w.StartRow();
                    w.Write(Guid.CreateVersion7(o.CreatedAt), NpgsqlDbType.Uuid);
                    w.Write(o.Id, NpgsqlDbType.Uuid);
                    w.Write(l.VariantId, NpgsqlDbType.Uuid);
                    w.Write(l.Sku, NpgsqlDbType.Varchar);
                    w.Write(l.Sku, NpgsqlDbType.Varchar);
                    w.Write(l.Quantity, NpgsqlDbType.Integer);
                    w.Write(l.UnitPrice, NpgsqlDbType.Bigint);
                    w.Write(l.LineTotal, NpgsqlDbType.Bigint);
                    w.Write(l.Tax, NpgsqlDbType.Bigint);
                    w.Write(fulfilled ? l.Quantity : 0, NpgsqlDbType.Integer);
                    w.Write(0, NpgsqlDbType.Integer);
                }
            }

            w.Complete();
        }

        using (var w = connection.BeginBinaryImport(
            "COPY payments (id, order_id, method, status, gateway, amount, captured_amount, refunded_amount, currency, card_brand, last4, created_at, updated_at) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var o in orders)
            {
                var card = o.PaymentMethod == "card";
                w.StartRow();
                w.Write(o.PaymentId, NpgsqlDbType.Uuid);
                w.Write(o.Id, NpgsqlDbType.Uuid);
                w.Write(o.PaymentMethod, NpgsqlDbType.Varchar);
                w.Write(o.PaymentStatus, NpgsqlDbType.Varchar);
                w.Write("test", NpgsqlDbType.Varchar);
                w.Write(o.Total, NpgsqlDbType.Bigint);
                w.Write(o.Captured, NpgsqlDbType.Bigint);
                w.Write(o.Refunded, NpgsqlDbType.Bigint);
                w.Write(Currency, NpgsqlDbType.Varchar);
                if (card)
                {
                    w.Write("visa", NpgsqlDbType.Varchar);
                    w.Write("4242", NpgsqlDbType.Varchar);
                }
                else
                {
                    w.WriteNull();
                    w.WriteNull();
                }

                w.Write(o.CreatedAt, NpgsqlDbType.TimestampTz);
                w.Write(o.Refund?.At ?? o.CreatedAt, NpgsqlDbType.TimestampTz);
            }

            w.Complete();
        }

        using (var w = connection.BeginBinaryImport(
            "COPY refunds (id, order_id, payment_id, amount, reason, status, failure_message, actor, created_at) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var o in orders)
            {
                if (o.Refund is not { } r)
                {
                    continue;
                }

                w.StartRow();
                w.Write(r.Id, NpgsqlDbType.Uuid);
                w.Write(o.Id, NpgsqlDbType.Uuid);
                w.Write(o.PaymentId, NpgsqlDbType.Uuid);
                w.Write(r.Amount, NpgsqlDbType.Bigint);
                w.Write(o.Status == "cancelled" ? "Order cancelled" : "Customer request", NpgsqlDbType.Varchar);
                w.Write(r.Status, NpgsqlDbType.Varchar);
                if (r.Status == "failed")
                {
                    w.Write("Declined by the bank", NpgsqlDbType.Varchar);
                }
                else
                {
                    w.WriteNull();
                }

                w.Write("bench", NpgsqlDbType.Varchar);
                w.Write(r.At, NpgsqlDbType.TimestampTz);
            }

            w.Complete();
        }
    }

    private sealed record PlannedLine(Guid VariantId, string Sku, int Quantity, long UnitPrice, long LineTotal, long Tax);

    private sealed record PlannedRefund(Guid Id, long Amount, string Status, DateTime At);

    private sealed class PlannedOrder
    {
        public Guid Id { get; init; }
        public long Number { get; init; }
        public required string Email { get; init; }
        public required string CustomerName { get; init; }
        public DateTime CreatedAt { get; init; }
        public long Subtotal { get; init; }
        public long Shipping { get; init; }
        public long Tax { get; init; }
        public long Total { get; init; }
        public required PlannedLine[] Lines { get; init; }
        public string Status { get; set; } = "open";
        public string OrderPaymentStatus { get; set; } = "paid";
        public string Fulfillment { get; set; } = "unfulfilled";
        public DateTime? CancelledAt { get; set; }
        public Guid PaymentId { get; init; }
        public required string PaymentMethod { get; set; }
        public required string PaymentStatus { get; set; }
        public long Captured { get; set; }
        public long Refunded { get; set; }
        public PlannedRefund? Refund { get; set; }
    }

    /// <summary>A tiny deterministic generator (SplitMix64), one per order so any order can be rebuilt alone.</summary>
    private struct SplitMix(ulong state)
    {
        private ulong state = state;

        public ulong Next()
        {
            var z = state += 0x9E3779B97F4A7C15ul;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ul;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBul;
            return z ^ (z >> 31);
        }

        public double NextDouble() => (Next() >> 11) * (1.0 / (1ul << 53));
    }
}
