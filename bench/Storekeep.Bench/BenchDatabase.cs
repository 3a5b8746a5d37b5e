using Npgsql;
using NpgsqlTypes;

namespace Storekeep.Bench;

/// <summary>An active cart already in the database, and the SKUs in it (one unit each); its version is the number of SKUs.</summary>
public sealed record PrebuiltCart(Guid Id, IReadOnlyList<string> Skus);

/// <summary>
/// A fresh PostgreSQL database for one run (dropped afterwards), and the bulk seeding of the
/// catalog and stock the scenarios buy from, written with COPY straight into the app's schema.
/// </summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    public const string EnvironmentVariable = "STOREKEEP_BENCH_POSTGRES";
    public const long UnitPriceCents = 1000;

    private readonly string adminConnectionString;

    private BenchDatabase(string adminConnectionString, string name)
    {
        this.adminConnectionString = adminConnectionString;
        Name = name;
        // The admin connection is unpooled (it must not keep the dropped database open); the
        // workload's must be pooled, or every transaction pays a SCRAM handshake. Every side of a
        // scenario (the server, the raw sides, COPY) connects without TLS, as the minimal
        // transaction does: a database on the same machine gains nothing from it (docs/scaling.md),
        // and a ratio must not be a difference of transports.
        ConnectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name, Pooling = true, SslMode = SslMode.Disable }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public Guid WarehouseId { get; private set; }

    private Dictionary<string, Guid> VariantIds { get; } = new(StringComparer.Ordinal);

    public static async Task<BenchDatabase> CreateAsync(CancellationToken ct)
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException($"Set {EnvironmentVariable} to a PostgreSQL connection string, e.g. Host=localhost;Username=postgres;Password=postgres");
        }

        var admin = new NpgsqlConnectionStringBuilder(configured) { Database = "postgres", Pooling = false }.ConnectionString;
        var name = $"storekeep_bench_{DateTime.UtcNow:yyyyMMddHHmmss}_{Guid.NewGuid().ToString("N")[..6]}";
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync(ct);
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync(ct);
        return new BenchDatabase(admin, name);
    }

    /// <summary>
    /// One warehouse, <paramref name="skuCount"/> active products with one variant each
    /// (SKUs <c>BENCH-00000</c>…), each with <paramref name="stockPerSku"/> units on hand.
    /// Runs after the app has migrated the database.
    /// </summary>
    public async Task<IReadOnlyList<string>> SeedAsync(int skuCount, long stockPerSku, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        var now = DateTime.UtcNow;

        WarehouseId = Guid.CreateVersion7();
        await using (var warehouse = new NpgsqlCommand(
            "INSERT INTO warehouses (id, code, name, priority, created_at) VALUES ($1, 'BENCH', 'Bench warehouse', 0, $2)", connection))
        {
            warehouse.Parameters.AddWithValue(WarehouseId);
            warehouse.Parameters.AddWithValue(now);
            await warehouse.ExecuteNonQueryAsync(ct);
        }

        var skus = Enumerable.Range(0, skuCount).Select(i => $"BENCH-{i:D5}").ToList();
        var productIds = skus.Select(_ => Guid.CreateVersion7()).ToList();

        await using (var products = await connection.BeginBinaryImportAsync(
            "COPY products (id, title, slug, status, featured, created_at, updated_at, search_text) FROM STDIN (FORMAT BINARY)", ct))
        {
            for (var i = 0; i < skus.Count; i++)
            {
                await products.StartRowAsync(ct);
                await products.WriteAsync(productIds[i], NpgsqlDbType.Uuid, ct);
                await products.WriteAsync($"Bench product {i}", NpgsqlDbType.Varchar, ct);
                await products.WriteAsync($"bench-product-{i}", NpgsqlDbType.Varchar, ct);
                await products.WriteAsync("active", NpgsqlDbType.Varchar, ct);
                await products.WriteAsync(false, NpgsqlDbType.Boolean, ct);
                await products.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                await products.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                await products.WriteAsync($"bench product {i} {skus[i].ToLowerInvariant()}", NpgsqlDbType.Varchar, ct);
            }

            await products.CompleteAsync(ct);
        }

        await using (var variants = await connection.BeginBinaryImportAsync(
            "COPY product_variants (id, product_id, sku, price, position) FROM STDIN (FORMAT BINARY)", ct))
        {
            for (var i = 0; i < skus.Count; i++)
            {
                await variants.StartRowAsync(ct);
                var variantId = Guid.CreateVersion7();
                VariantIds[skus[i]] = variantId;
                await variants.WriteAsync(variantId, NpgsqlDbType.Uuid, ct);
                await variants.WriteAsync(productIds[i], NpgsqlDbType.Uuid, ct);
                await variants.WriteAsync(skus[i], NpgsqlDbType.Varchar, ct);
                await variants.WriteAsync(UnitPriceCents, NpgsqlDbType.Bigint, ct);
                await variants.WriteAsync(0, NpgsqlDbType.Integer, ct);
            }

            await variants.CompleteAsync(ct);
        }

        await using (var levels = await connection.BeginBinaryImportAsync(
            "COPY stock_levels (id, warehouse_id, sku, on_hand, reserved, low_stock_threshold) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var sku in skus)
            {
                await levels.StartRowAsync(ct);
                await levels.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid, ct);
                await levels.WriteAsync(WarehouseId, NpgsqlDbType.Uuid, ct);
                await levels.WriteAsync(sku, NpgsqlDbType.Varchar, ct);
                await levels.WriteAsync(stockPerSku, NpgsqlDbType.Bigint, ct);
                await levels.WriteAsync(0L, NpgsqlDbType.Bigint, ct);
                await levels.WriteAsync(5L, NpgsqlDbType.Bigint, ct);
            }

            await levels.CompleteAsync(ct);
        }

        await using (var analyze = new NpgsqlCommand("ANALYZE", connection))
        {
            await analyze.ExecuteNonQueryAsync(ct);
        }

        return skus;
    }

    /// <summary>
    /// Active carts written straight into the database (as the cart API would leave them), so a
    /// checkout phase measures checkouts alone; cart building over HTTP is measured on its own.
    /// </summary>
    public async Task<List<PrebuiltCart>> PrebuildCartsAsync(IEnumerable<IReadOnlyList<string>> carts, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        var now = DateTime.UtcNow;
        var built = carts.Select(skus => (Id: Guid.CreateVersion7(), Skus: skus)).ToList();
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY carts (id, status, currency, version, created_at, updated_at) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var cart in built)
            {
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(cart.Id, NpgsqlDbType.Uuid, ct);
                await writer.WriteAsync("active", NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync("USD", NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(cart.Skus.Count, NpgsqlDbType.Integer, ct);
                await writer.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                await writer.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
            }

            await writer.CompleteAsync(ct);
        }

        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY cart_items (id, cart_id, sku, variant_id, quantity, added_at) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var cart in built)
            {
                foreach (var sku in cart.Skus)
                {
                    await writer.StartRowAsync(ct);
                    await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid, ct);
                    await writer.WriteAsync(cart.Id, NpgsqlDbType.Uuid, ct);
                    await writer.WriteAsync(sku, NpgsqlDbType.Varchar, ct);
                    await writer.WriteAsync(VariantIds[sku], NpgsqlDbType.Uuid, ct);
                    await writer.WriteAsync(1, NpgsqlDbType.Integer, ct);
                    await writer.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                }
            }

            await writer.CompleteAsync(ct);
        }

        return built.Select(c => new PrebuiltCart(c.Id, c.Skus)).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
