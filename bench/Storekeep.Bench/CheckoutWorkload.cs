using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Storekeep.Bench;

/// <summary>Which SKUs one simulated buyer puts in the cart.</summary>
public delegate IReadOnlyList<string> SkuPicker(Random random);

public sealed record PhaseTimes(TimeSpan Warmup, TimeSpan Measure);

/// <summary>What one phase (app or raw, at one client count) measured.</summary>
public sealed record PhaseResult(string Name, int Clients, LatencyRecorder Latencies, TimeSpan Measured)
{
    public double Throughput => Measured > TimeSpan.Zero ? Latencies.Count / Measured.TotalSeconds : 0;
}

/// <summary>
/// Drives checkouts two ways from the same number of concurrent clients: through the app's HTTP
/// API, and as the checkout transaction's own statements sent raw through Npgsql (the ceiling the
/// database allows on this machine). Each client runs closed-loop: the next buyer starts when the
/// previous one finished. A request counts when it completes inside the measured window (after the warm-up, before the deadline).
/// </summary>
public static class CheckoutWorkload
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>HTTP: checkouts of carts prepared beforehand (one cart per checkout, taken from <paramref name="carts"/>).</summary>
    public static async Task<PhaseResult> RunAppCheckoutsAsync(
        Uri baseAddress, int clients, ConcurrentQueue<PrebuiltCart> carts, PhaseTimes times, CancellationToken ct)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var checkout = new LatencyRecorder();
        var clock = Stopwatch.StartNew();
        var measureFrom = times.Warmup;
        var deadline = times.Warmup + times.Measure;

        async Task Client(int client)
        {
            for (var i = 0; clock.Elapsed < deadline && !ct.IsCancellationRequested; i++)
            {
                if (!carts.TryDequeue(out var cart))
                {
                    checkout.Note("ran out of prepared carts: raise the number prepared");
                    return;
                }

                var cartId = cart.Id;

                var t0 = Stopwatch.GetTimestamp();
                var ok = false;
                try
                {
                    using var response = await PostAsync(http, $"api/v1/carts/{cartId}/checkout", CheckoutBody(client, i), ct);
                    ok = response.IsSuccessStatusCode;
                    if (!ok)
                    {
                        checkout.Note($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    checkout.Note(e.Message);
                }

                var finished = clock.Elapsed;
                if (finished < measureFrom || finished > deadline)
                {
                    continue;
                }

                if (ok)
                {
                    checkout.Record(Stopwatch.GetElapsedTime(t0));
                }
                else
                {
                    checkout.Error();
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(() => Client(c), ct)));
        return new PhaseResult("app checkout (HTTP)", clients, checkout, times.Measure);
    }

    /// <summary>
    /// HTTP, open loop: checkouts start at a constant rate whether or not earlier ones finished
    /// (as buyers arrive), and each latency runs from the moment its request was due, so queueing
    /// inside the app shows in the figures instead of slowing the load (no coordinated omission).
    /// </summary>
    public static async Task<PhaseResult> RunAppOpenLoopAsync(
        Uri baseAddress, double perSecond, ConcurrentQueue<PrebuiltCart> carts, PhaseTimes times, CancellationToken ct)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var latencies = new LatencyRecorder();
        var total = times.Warmup + times.Measure;
        var count = (int)(total.TotalSeconds * perSecond);
        var inFlight = new List<Task>(count);
        var start = Stopwatch.GetTimestamp();

        async Task Send(int i, TimeSpan due)
        {
            if (!carts.TryDequeue(out var cart))
            {
                latencies.Note("ran out of prepared carts: raise the number prepared");
                latencies.Error();
                return;
            }

            var ok = false;
            try
            {
                using var response = await PostAsync(http, $"api/v1/carts/{cart.Id}/checkout", CheckoutBody(9000, i), ct);
                ok = response.IsSuccessStatusCode;
                if (!ok)
                {
                    latencies.Note($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                latencies.Note(e.Message);
            }

            if (due < times.Warmup)
            {
                return;
            }

            if (ok)
            {
                latencies.Record(Stopwatch.GetElapsedTime(start) - due);
            }
            else
            {
                latencies.Error();
            }
        }

        for (var i = 0; i < count && !ct.IsCancellationRequested; i++)
        {
            var due = TimeSpan.FromSeconds(i / perSecond);
            var wait = due - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, ct);
            }

            inFlight.Add(Task.Run(() => Send(i, due), ct));
        }

        await Task.WhenAll(inFlight);
        return new PhaseResult($"app checkout, open loop at {perSecond:0.#}/s", 0, latencies, times.Measure);
    }

    /// <summary>HTTP: cart building as a buyer does it, <c>POST /carts</c> then one <c>POST /items</c> per SKU; one sample per cart.</summary>
    public static async Task<PhaseResult> RunAppCartBuildingAsync(
        Uri baseAddress, int clients, SkuPicker pick, PhaseTimes times, CancellationToken ct)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var building = new LatencyRecorder();
        var clock = Stopwatch.StartNew();
        var measureFrom = times.Warmup;
        var deadline = times.Warmup + times.Measure;

        async Task Client(int client)
        {
            var random = new Random(client * 7919);
            while (clock.Elapsed < deadline && !ct.IsCancellationRequested)
            {
                var t0 = Stopwatch.GetTimestamp();
                string? cartId;
                try
                {
                    cartId = await BuildCartAsync(http, pick(random), building, ct);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
                {
                    building.Note(e.Message);
                    cartId = null;
                }

                var finished = clock.Elapsed;
                if (finished < measureFrom || finished > deadline)
                {
                    continue;
                }

                if (cartId is null)
                {
                    building.Error();
                }
                else
                {
                    building.Record(Stopwatch.GetElapsedTime(t0));
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(() => Client(c), ct)));
        return new PhaseResult("app cart building (HTTP, 1+n requests)", clients, building, times.Measure);
    }

    /// <summary>
    /// The statements a checkout request issues, in the app's order (see CheckoutService and
    /// InventoryService.ReserveAsync), sent raw: the cart and pricing reads; the order transaction
    /// (order number, customer upsert (and lookup, only when the buyer exists already), cart claim,
    /// stock snapshot, one guarded UPDATE per line, then the inserts of order, lines, allocations, ledger rows, payment, timeline
    /// and outbox in one batch as EF's SaveChanges sends them, commit); then the capture transaction
    /// (guarded order and payment updates, then order update, timeline and outbox in one batch,
    /// commit). The carts it claims were written beforehand (COPY), like the app side's.
    /// </summary>
    public static async Task<PhaseResult> RunRawAsync(
        string connectionString, Guid warehouseId, int clients, ConcurrentQueue<PrebuiltCart> carts, PhaseTimes times, CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = clients + 2, ApplicationName = "storekeep-bench-raw" };
        await using var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        var latencies = new LatencyRecorder();
        var clock = Stopwatch.StartNew();
        var measureFrom = times.Warmup;
        var deadline = times.Warmup + times.Measure;

        async Task Client(int client)
        {
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
                    ok = await RawCheckoutAsync(dataSource, warehouseId, cart, $"raw{client}-{i}@bench.example", ct);
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
        return new PhaseResult("raw checkout tx (Npgsql)", clients, latencies, times.Measure);
    }

    /// <summary>One buyer's whole purchase over HTTP: a cart, <paramref name="quantity"/> of one SKU, a card checkout. Whether the order was placed.</summary>
    public static async Task<bool> BuyAsync(HttpClient http, string sku, int quantity, int buyer, int iteration, LatencyRecorder recorder, CancellationToken ct)
    {
        var cartId = await BuildCartAsync(http, [sku], recorder, ct, quantity);
        if (cartId is null)
        {
            return false;
        }

        using var response = await PostAsync(http, $"api/v1/carts/{cartId}/checkout", CheckoutBody(buyer, iteration), ct);
        if (!response.IsSuccessStatusCode)
        {
            recorder.Note($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }

        return response.IsSuccessStatusCode;
    }

    private static async Task<string?> BuildCartAsync(HttpClient http, IReadOnlyList<string> skus, LatencyRecorder recorder, CancellationToken ct, int quantity = 1)
    {
        using var created = await PostAsync(http, "api/v1/carts", new { }, ct);
        if (!created.IsSuccessStatusCode)
        {
            recorder.Note($"{(int)created.StatusCode} {await created.Content.ReadAsStringAsync(ct)}");
            return null;
        }

        using var cart = JsonDocument.Parse(await created.Content.ReadAsStringAsync(ct));
        var id = cart.RootElement.GetProperty("id").GetString();
        foreach (var sku in skus)
        {
            using var added = await PostAsync(http, $"api/v1/carts/{id}/items", new { sku, quantity }, ct);
            if (!added.IsSuccessStatusCode)
            {
                recorder.Note($"{(int)added.StatusCode} {await added.Content.ReadAsStringAsync(ct)}");
                return null;
            }
        }

        return id;
    }

    /// <summary>JSON with a Content-Length, as a browser or SDK sends it.</summary>
    private static Task<HttpResponseMessage> PostAsync(HttpClient http, string path, object body, CancellationToken ct) =>
        http.PostAsync(
            new Uri(path, UriKind.Relative),
            new StringContent(JsonSerializer.Serialize(body, Json), System.Text.Encoding.UTF8, "application/json"),
            ct);

    private static object CheckoutBody(int client, int iteration) => new
    {
        email = $"app{client}-{iteration}@bench.example",
        shippingAddress = new { name = "Bench Buyer", line1 = "1 Loop Road", city = "Springfield", postalCode = "12345", country = "US" },
        payment = new { method = "card", token = "tok_visa" },
    };

    private static async Task<bool> RawCheckoutAsync(NpgsqlDataSource dataSource, Guid warehouseId, PrebuiltCart cart, string email, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var orderId = Guid.CreateVersion7();
        var cartId = cart.Id;
        var ordered = cart.Skus.Order(StringComparer.Ordinal).ToArray();
        await using var connection = await dataSource.OpenConnectionAsync(ct);

        // Before the transaction, as CheckoutService does: the cart with its items, then the
        // variants with their products for pricing (the app's settings come from a cache).
        await using (var cartRead = new NpgsqlCommand(
            "SELECT c1.id, c1.created_at, c1.currency, c1.email, c1.order_id, c1.price_adjusted, c1.status, c1.updated_at, c1.version, c0.id, c0.added_at, c0.cart_id, c0.quantity, c0.sku, c0.variant_id " +
            "FROM (SELECT c.id, c.created_at, c.currency, c.email, c.order_id, c.price_adjusted, c.status, c.updated_at, c.version FROM carts AS c WHERE c.id = $1 LIMIT 1) AS c1 " +
            "LEFT JOIN cart_items AS c0 ON c1.id = c0.cart_id ORDER BY c1.id", connection))
        {
            cartRead.Parameters.AddWithValue(cart.Id);
            await DrainAsync(cartRead, ct);
        }

        await using (var pricing = new NpgsqlCommand(
            "SELECT p.*, p0.* FROM product_variants AS p INNER JOIN products AS p0 ON p.product_id = p0.id WHERE p.sku = ANY($1)", connection))
        {
            pricing.Parameters.AddWithValue(cart.Skus.ToArray());
            await DrainAsync(pricing, ct);
        }

        await using var transaction = await connection.BeginTransactionAsync(ct);

        long number;
        await using (var next = new NpgsqlCommand("SELECT nextval('order_numbers')", connection, transaction))
        {
            number = (long)(await next.ExecuteScalarAsync(ct))!;
        }

        var customerId = Guid.CreateVersion7();
        int created;
        await using (var upsert = new NpgsqlCommand(
            "INSERT INTO customers (id, email, first_name, last_name, country, created_at, accepts_email, accepts_sms) VALUES ($1, $2, 'Bench', 'Buyer', 'US', $3, FALSE, FALSE) ON CONFLICT (email) DO NOTHING", connection, transaction))
        {
            upsert.Parameters.AddWithValue(customerId);
            upsert.Parameters.AddWithValue(email);
            upsert.Parameters.AddWithValue(now);
            created = await upsert.ExecuteNonQueryAsync(ct);
        }

        if (created == 0)
        {
            await using var customer = new NpgsqlCommand("SELECT id FROM customers WHERE email = $1 LIMIT 2", connection, transaction);
            customer.Parameters.AddWithValue(email);
            customerId = (Guid)(await customer.ExecuteScalarAsync(ct))!;
        }

        await using (var claim = new NpgsqlCommand(
            "UPDATE carts SET status = 'checked_out', order_id = $1, updated_at = $2 WHERE id = $3 AND status = 'active' AND version = $4", connection, transaction))
        {
            claim.Parameters.AddWithValue(orderId);
            claim.Parameters.AddWithValue(now);
            claim.Parameters.AddWithValue(cartId);
            claim.Parameters.AddWithValue(cart.Skus.Count);
            if (await claim.ExecuteNonQueryAsync(ct) != 1)
            {
                return false;
            }
        }

        if (ordered.Length == 1)
        {
            // As InventoryService does for one line: the warehouse chosen inside the guarded update.
            await using var reserveOne = new NpgsqlCommand(
                "UPDATE stock_levels SET reserved = reserved + $1 WHERE id = (SELECT s.id FROM stock_levels AS s INNER JOIN warehouses AS w ON w.id = s.warehouse_id " +
                "WHERE s.sku = $2 AND s.on_hand - s.reserved >= $1 ORDER BY w.priority, w.code COLLATE \"C\" LIMIT 1) AND on_hand - reserved >= $1 " +
                "RETURNING warehouse_id, (SELECT code FROM warehouses WHERE warehouses.id = stock_levels.warehouse_id), on_hand - reserved, COALESCE(reorder_point, low_stock_threshold)", connection, transaction);
            reserveOne.Parameters.AddWithValue(1);
            reserveOne.Parameters.AddWithValue(ordered[0]);
            await using var reader = await reserveOne.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                return false;
            }
        }
        else
        {
            await using (var levels = new NpgsqlCommand(
                "SELECT s.sku, s.warehouse_id, w.code, w.priority, s.on_hand - s.reserved FROM stock_levels AS s INNER JOIN warehouses AS w ON s.warehouse_id = w.id WHERE s.sku = ANY($1)", connection, transaction))
            {
                levels.Parameters.AddWithValue(ordered);
                await using var reader = await levels.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    // The app plans from this snapshot; the guarded updates below decide.
                }
            }

            foreach (var sku in ordered)
            {
                await using var reserve = new NpgsqlCommand(
                    "UPDATE stock_levels SET reserved = reserved + $1 WHERE sku = $2 AND warehouse_id = $3 AND on_hand - reserved >= $1 RETURNING on_hand - reserved, low_stock_threshold", connection, transaction);
                reserve.Parameters.AddWithValue(1L);
                reserve.Parameters.AddWithValue(sku);
                reserve.Parameters.AddWithValue(warehouseId);
                await using var reader = await reserve.ExecuteReaderAsync(ct);
                if (!await reader.ReadAsync(ct))
                {
                    return false;
                }
            }
        }

        var subtotal = BenchDatabase.UnitPriceCents * ordered.Length;
        var paymentId = Guid.CreateVersion7();
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(Command(
            "INSERT INTO orders (id, number, status, payment_status, fulfillment_status, email, customer_id, channel, currency, subtotal, shipping_total, tax_total, total, prices_include_tax, shipping_method, ship_name, ship_line1, ship_city, ship_postal_code, ship_country, cart_id, created_at, updated_at) " +
            "VALUES ($1, $2, 'open', 'authorized', 'unfulfilled', $3, $4, 'online_store', 'USD', $5, 0, 0, $5, FALSE, NULL, 'Bench Buyer', '1 Loop Road', 'Springfield', '12345', 'US', $6, $7, $7)",
            orderId, number, email, customerId, subtotal, cartId, now));
        foreach (var sku in ordered)
        {
            var lineId = Guid.CreateVersion7();
            batch.BatchCommands.Add(Command(
                "INSERT INTO order_lines (id, order_id, variant_id, sku, title, quantity, unit_price, line_total, tax_amount, fulfilled_quantity, returned_quantity) VALUES ($1, $2, $3, $4, $5, 1, $6, $6, 0, 0, 0)",
                lineId, orderId, Guid.CreateVersion7(), sku, $"Bench product {sku}", BenchDatabase.UnitPriceCents));
            batch.BatchCommands.Add(Command(
                "INSERT INTO order_allocations (id, order_id, order_line_id, warehouse_id, sku, quantity, shipped_quantity, released_quantity) VALUES ($1, $2, $3, $4, $5, 1, 0, 0)",
                Guid.CreateVersion7(), orderId, lineId, warehouseId, sku));
            batch.BatchCommands.Add(Command(
                "INSERT INTO stock_movements (id, sku, warehouse_id, type, on_hand_delta, reserved_delta, actor, reference, created_at) VALUES ($1, $2, $3, 'reservation', 0, 1, 'anonymous', $4, $5)",
                Guid.CreateVersion7(), sku, warehouseId, $"order:{number}", now));
        }

        batch.BatchCommands.Add(Command(
            "INSERT INTO payments (id, order_id, method, status, gateway, gateway_reference, amount, captured_amount, refunded_amount, currency, card_brand, last4, created_at, updated_at) VALUES ($1, $2, 'card', 'authorized', 'test', $3, $4, 0, 0, 'USD', 'visa', '4242', $5, $5)",
            paymentId, orderId, $"test_auth_{Guid.NewGuid():N}", subtotal, now));
        batch.BatchCommands.Add(Command(
            "INSERT INTO order_timeline (id, order_id, kind, message, actor, at) VALUES ($1, $2, 'payment_authorized', $3, 'system', $4)",
            Guid.CreateVersion7(), orderId, $"Payment of {subtotal / 100m:0.00} USD authorized.", now));
        batch.BatchCommands.Add(Command(
            $"INSERT INTO outbox_events (id, type, payload, occurred_at) VALUES ($1, '{CheckoutRig.RawOrderPlaced}', $2, $3)",
            Guid.CreateVersion7(), OrderPayload(orderId, number, email, ordered, subtotal, now), now));
        await batch.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);

        // After the commit, as CheckoutService.CaptureAsync does: the capture transaction.
        await using var capture = await connection.BeginTransactionAsync(ct);
        await using (var guard = new NpgsqlCommand(
            "UPDATE orders SET updated_at = $1 WHERE id = $2 AND status = 'open' AND payment_status = 'authorized'", connection, capture))
        {
            guard.Parameters.AddWithValue(NpgsqlDbType.TimestampTz, now);
            guard.Parameters.AddWithValue(orderId);
            await guard.ExecuteNonQueryAsync(ct);
        }

        await using (var captured = new NpgsqlCommand(
            "UPDATE payments SET status = 'captured', captured_amount = $1, updated_at = $2 WHERE id = $3 AND status = 'authorized'", connection, capture))
        {
            captured.Parameters.AddWithValue(subtotal);
            captured.Parameters.AddWithValue(NpgsqlDbType.TimestampTz, now);
            captured.Parameters.AddWithValue(paymentId);
            await captured.ExecuteNonQueryAsync(ct);
        }

        await using var paid = new NpgsqlBatch(connection, capture);
        paid.BatchCommands.Add(Command("UPDATE orders SET payment_status = 'paid', updated_at = $1 WHERE id = $2", now, orderId));
        paid.BatchCommands.Add(Command(
            "INSERT INTO order_timeline (id, order_id, kind, message, actor, at) VALUES ($1, $2, 'payment_captured', $3, 'system', $4)",
            Guid.CreateVersion7(), orderId, $"Payment of {subtotal / 100m:0.00} USD captured.", now));
        paid.BatchCommands.Add(Command(
            $"INSERT INTO outbox_events (id, type, payload, occurred_at) VALUES ($1, '{CheckoutRig.RawOrderPaid}', $2, $3)",
            Guid.CreateVersion7(), OrderPayload(orderId, number, email, ordered, subtotal, now), now));
        await paid.ExecuteNonQueryAsync(ct);
        await capture.CommitAsync(ct);
        return true;
    }

    private static async Task DrainAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            // Read every row, as the app materialises them.
        }
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(value is DateTime
                ? new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.TimestampTz }
                : new NpgsqlParameter { Value = value });
        }

        return command;
    }

    /// <summary>About the size and shape of the app's order.placed payload.</summary>
    private static string OrderPayload(Guid orderId, long number, string email, string[] skus, long subtotalCents, DateTime now) =>
        JsonSerializer.Serialize(new
        {
            id = orderId,
            number,
            email,
            status = "open",
            paymentStatus = "authorized",
            fulfillmentStatus = "unfulfilled",
            currency = "USD",
            subtotal = subtotalCents / 100m,
            shippingTotal = 0m,
            taxTotal = 0m,
            total = subtotalCents / 100m,
            shippingAddress = new { name = "Bench Buyer", line1 = "1 Loop Road", city = "Springfield", postalCode = "12345", country = "US" },
            lines = skus.Select(s => new { sku = s, title = $"Bench product {s}", quantity = 1, unitPrice = BenchDatabase.UnitPriceCents / 100m, lineTotal = BenchDatabase.UnitPriceCents / 100m }),
            createdAt = now,
        }, Json);
}
