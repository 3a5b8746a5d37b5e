using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Storekeep.Bench;

/// <summary>
/// The physical limit of a checkout on this machine (issue 16): the least a correct checkout must
/// send, through Npgsql with prepared statements, no TLS, one connection held per client. Two round
/// trips: one read of the cart with its prices, then one batch that is the whole transaction —
/// a guarded stock decrement per line (SKU order), the order, its lines, the payment (already
/// captured) and the outbox row (the app's <c>order.placed</c> under a type the server ignores), committed by the batch's Sync. No customer
/// upsert, no cart claim (the unique index on <c>orders.cart_id</c> already refuses a second order
/// for a cart), no ledger, allocations or timeline, no capture transaction. It writes the app's own
/// tables, so their indexes and constraints count.
/// </summary>
public static class MinimalCheckout
{
    public const string PhaseName = "minimal tx (physical limit)";

    /// <summary>Orders it writes are told apart by this e-mail prefix.</summary>
    public const string EmailPrefix = "minimal";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string CartRead =
        "SELECT ci.sku, ci.quantity, ci.variant_id, v.price, p.title FROM carts AS c " +
        "JOIN cart_items AS ci ON ci.cart_id = c.id JOIN product_variants AS v ON v.id = ci.variant_id JOIN products AS p ON p.id = v.product_id " +
        "WHERE c.id = $1 AND c.status = 'active'";

    // The guarded decrement, wrapped so that a refusal (0 rows) raises division_by_zero: the batch's
    // implicit transaction then rolls back at its Sync, within the same round trip.
    private const string Decrement =
        "WITH d AS (UPDATE stock_levels SET reserved = reserved + $1 WHERE sku = $2 AND warehouse_id = $3 AND on_hand - reserved >= $1 RETURNING 1) " +
        "SELECT 1 / count(*) FROM d";

    private const string OrderInsert =
        "INSERT INTO orders (id, number, status, payment_status, fulfillment_status, email, channel, currency, subtotal, shipping_total, tax_total, total, prices_include_tax, ship_name, ship_line1, ship_city, ship_postal_code, ship_country, cart_id, created_at, updated_at) " +
        "VALUES ($1, nextval('order_numbers'), 'open', 'paid', 'unfulfilled', $2, 'online_store', 'USD', $3, 0, 0, $3, FALSE, 'Bench Buyer', '1 Loop Road', 'Springfield', '12345', 'US', $4, $5, $5)";

    private const string LineInsert =
        "INSERT INTO order_lines (id, order_id, variant_id, sku, title, quantity, unit_price, line_total, tax_amount, fulfilled_quantity, returned_quantity) " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 0, 0)";

    private const string PaymentInsert =
        "INSERT INTO payments (id, order_id, method, status, gateway, gateway_reference, amount, captured_amount, refunded_amount, currency, card_brand, last4, created_at, updated_at) " +
        "VALUES ($1, $2, 'card', 'captured', 'test', $3, $4, $4, 0, 'USD', 'visa', '4242', $5, $5)";

    private const string OutboxInsert =
        $"INSERT INTO outbox_events (id, type, payload, occurred_at) VALUES ($1, '{CheckoutRig.RawOrderPlaced}', $2, $3)";

    private const string DivisionByZero = "22012";

    /// <summary>Closed loop, like the other sides: <paramref name="clients"/> connections, one checkout after another.</summary>
    public static async Task<PhaseResult> RunAsync(
        string connectionString, Guid warehouseId, int clients, ConcurrentQueue<PrebuiltCart> carts, PhaseTimes times, CancellationToken ct)
    {
        await using var dataSource = CreateDataSource(connectionString, clients);
        var latencies = new LatencyRecorder();
        var clock = Stopwatch.StartNew();
        var measureFrom = times.Warmup;
        var deadline = times.Warmup + times.Measure;

        async Task Client(int client)
        {
            // One connection for the whole phase: a pool return would add a reset to the next statement.
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            for (var i = 0; clock.Elapsed < deadline && !ct.IsCancellationRequested; i++)
            {
                if (!carts.TryDequeue(out var cart))
                {
                    latencies.Note("ran out of prepared carts: raise the number prepared");
                    return;
                }

                var t0 = Stopwatch.GetTimestamp();
                bool ok;
                try
                {
                    ok = await CheckoutAsync(connection, warehouseId, cart.Id, $"{EmailPrefix}{client}-{i}@bench.example", ct);
                    if (!ok)
                    {
                        latencies.Note($"cart {cart.Id}: not enough stock or the cart is gone");
                    }
                }
                catch (PostgresException e)
                {
                    latencies.Note(e.Message);
                    ok = false;
                }

                var elapsed = Stopwatch.GetElapsedTime(t0);
                var finished = clock.Elapsed;
                if (finished < measureFrom || finished > deadline)
                {
                    continue;
                }

                if (ok)
                {
                    latencies.Record(elapsed);
                }
                else
                {
                    latencies.Error();
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(() => Client(c), ct)));
        return new PhaseResult(PhaseName, clients, latencies, times.Measure);
    }

    /// <summary>
    /// Proves the guard before anything is measured: a cart asking for more than there is must
    /// leave no order and no reservation behind (the batch's inserts after the refused decrement
    /// must roll back with it). Takes one cart from <paramref name="carts"/>.
    /// </summary>
    public static async Task<string?> ProbeGuardAsync(string connectionString, Guid warehouseId, ConcurrentQueue<PrebuiltCart> carts, CancellationToken ct)
    {
        if (!carts.TryDequeue(out var cart))
        {
            return "no cart left for the guard probe";
        }

        await using var dataSource = CreateDataSource(connectionString, 1);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var last = cart.Skus.Order(StringComparer.Ordinal).Last();
        await using (var greedy = new NpgsqlCommand("UPDATE cart_items SET quantity = $1 WHERE cart_id = $2 AND sku = $3", connection))
        {
            greedy.Parameters.Add(new NpgsqlParameter<int> { TypedValue = int.MaxValue });
            greedy.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = cart.Id });
            greedy.Parameters.Add(new NpgsqlParameter<string> { TypedValue = last });
            await greedy.ExecuteNonQueryAsync(ct);
        }

        var before = await ReservedAsync(connection, warehouseId, cart.Skus, ct);
        var ok = await CheckoutAsync(connection, warehouseId, cart.Id, $"{EmailPrefix}-probe@bench.example", ct);
        var after = await ReservedAsync(connection, warehouseId, cart.Skus, ct);
        await using var orders = new NpgsqlCommand("SELECT count(*) FROM orders WHERE cart_id = $1", connection);
        orders.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = cart.Id });
        var written = (long)(await orders.ExecuteScalarAsync(ct))!;
        if (ok || written != 0 || before != after)
        {
            return $"guard probe failed: checkout {(ok ? "succeeded" : "refused")}, {written} order(s) written, reserved {before} → {after}";
        }

        return null;
    }

    /// <summary>
    /// After a run, in raw SQL: every unit that left stock (on hand given up or reserved) belongs to
    /// a committed order's line, SKU by SKU, and no level is negative. Covers every side's orders.
    /// </summary>
    public static async Task<string?> VerifyStockAsync(string connectionString, long stockPerSku, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "WITH sold AS (SELECT l.sku, sum(l.quantity)::bigint AS units FROM order_lines AS l JOIN orders AS o ON o.id = l.order_id GROUP BY l.sku), " +
            "consumed AS (SELECT sku, sum($1 - on_hand + reserved)::bigint AS units, bool_or(reserved < 0 OR on_hand - reserved < 0) AS negative FROM stock_levels GROUP BY sku) " +
            "SELECT count(*) FILTER (WHERE coalesce(c.units, 0) <> coalesce(s.units, 0)), count(*) FILTER (WHERE c.negative), " +
            "coalesce(sum(c.units), 0)::bigint, coalesce(sum(s.units), 0)::bigint, " +
            "(SELECT count(*) FROM orders WHERE email LIKE $2) " +
            "FROM consumed AS c FULL JOIN sold AS s ON s.sku = c.sku", connection);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = stockPerSku });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = EmailPrefix + "%" });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var (mismatched, negative, consumed, sold, minimalOrders) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
        var summary = $"stock check: {consumed:N0} units consumed, {sold:N0} units in committed order lines ({minimalOrders:N0} orders by the minimal transaction); {mismatched} SKU(s) differ, {negative} negative";
        Console.WriteLine(summary);
        return mismatched == 0 && negative == 0 && consumed == sold ? null : summary;
    }

    private static NpgsqlDataSource CreateDataSource(string connectionString, int clients) =>
        NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString)
        {
            MaxPoolSize = clients + 2,
            SslMode = SslMode.Disable,
            ApplicationName = "storekeep-bench-minimal",
        }.ConnectionString);

    /// <summary>One checkout: false when the cart is not active any more or a decrement was refused (nothing written).</summary>
    private static async Task<bool> CheckoutAsync(NpgsqlConnection connection, Guid warehouseId, Guid cartId, string email, CancellationToken ct)
    {
        var lines = new List<(string Sku, int Quantity, Guid VariantId, long Price, string Title)>(4);
        await using (var read = new NpgsqlCommand(CartRead, connection))
        {
            read.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = cartId });
            await read.PrepareAsync(ct);
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                lines.Add((reader.GetString(0), reader.GetInt32(1), reader.GetGuid(2), reader.GetInt64(3), reader.GetString(4)));
            }
        }

        if (lines.Count == 0)
        {
            return false;
        }

        // SKU order, so that two transactions never wait on each other's rows the other way round.
        lines.Sort((a, b) => string.CompareOrdinal(a.Sku, b.Sku));
        var now = DateTime.UtcNow;
        var orderId = Guid.CreateVersion7();
        var subtotal = lines.Sum(l => l.Price * l.Quantity);

        await using var batch = new NpgsqlBatch(connection);
        foreach (var line in lines)
        {
            batch.BatchCommands.Add(Command(Decrement, P((long)line.Quantity), P(line.Sku), P(warehouseId)));
        }

        batch.BatchCommands.Add(Command(OrderInsert, P(orderId), P(email), P(subtotal), P(cartId), P(now)));
        foreach (var line in lines)
        {
            batch.BatchCommands.Add(Command(
                LineInsert, P(Guid.CreateVersion7()), P(orderId), P(line.VariantId), P(line.Sku), P(line.Title), P(line.Quantity), P(line.Price), P(line.Price * line.Quantity)));
        }

        batch.BatchCommands.Add(Command(PaymentInsert, P(Guid.CreateVersion7()), P(orderId), P($"test_{Guid.NewGuid():N}"), P(subtotal), P(now)));
        batch.BatchCommands.Add(Command(OutboxInsert, P(Guid.CreateVersion7()), P(Payload(orderId, email, lines, subtotal, now)), P(now)));
        await batch.PrepareAsync(ct);
        try
        {
            await batch.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == DivisionByZero)
        {
            return false;
        }

        return true;
    }

    private static async Task<string> ReservedAsync(NpgsqlConnection connection, Guid warehouseId, IReadOnlyList<string> skus, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT string_agg(sku || '=' || reserved, ', ' ORDER BY sku) FROM stock_levels WHERE warehouse_id = $1 AND sku = ANY($2)", connection);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = warehouseId });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. skus] });
        return (string)(await command.ExecuteScalarAsync(ct))!;
    }

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter P<T>(T value) => value is DateTime
        ? new NpgsqlParameter<T> { TypedValue = value, NpgsqlDbType = NpgsqlDbType.TimestampTz }
        : new NpgsqlParameter<T> { TypedValue = value };

    /// <summary>About the size and shape of the app's order.placed payload.</summary>
    private static string Payload(Guid orderId, string email, List<(string Sku, int Quantity, Guid VariantId, long Price, string Title)> lines, long subtotal, DateTime now) =>
        JsonSerializer.Serialize(new
        {
            id = orderId,
            email,
            status = "open",
            paymentStatus = "paid",
            fulfillmentStatus = "unfulfilled",
            currency = "USD",
            subtotal = subtotal / 100m,
            shippingTotal = 0m,
            taxTotal = 0m,
            total = subtotal / 100m,
            shippingAddress = new { name = "Bench Buyer", line1 = "1 Loop Road", city = "Springfield", postalCode = "12345", country = "US" },
            lines = lines.Select(l => new { sku = l.Sku, title = l.Title, quantity = l.Quantity, unitPrice = l.Price / 100m, lineTotal = l.Price * l.Quantity / 100m }),
            createdAt = now,
        }, Json);
}
