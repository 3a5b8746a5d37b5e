using Microsoft.EntityFrameworkCore;
using Npgsql;
using Storekeep.Analytics;
using Storekeep.Audit;
using Storekeep.Catalog;
using Storekeep.Customers;
using Storekeep.Data;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Orders.Import;

/// <summary>
/// Imports another system's order history: a CSV of order lines in, a report out. Every line is
/// read and checked before anything is written; with any error nothing is. Then, in one
/// transaction: draft products for unknown SKUs and categories for their categories (Catalog),
/// customers for unknown emails (Customers), the orders in batches (source "import", paid,
/// delivered, completed; binary COPY on PostgreSQL, see <see cref="CopyOrdersAsync"/>), and the
/// daily sales rollup of the days they touch and the customers' order figures. No stock moves, no
/// event is raised (so no email and no webhook). Orders imported before (same external number)
/// are skipped, so importing a file twice adds nothing.
/// </summary>
public sealed class OrderHistoryImporter(
    StorekeepDbContext db,
    ImportedProducts products,
    CustomerRegistry customers,
    DailySalesRollup rollup,
    CustomerOrderStats customerStats,
    TimeProvider clock)
{
    public const int OrdersPerBatch = 2000;

    /// <summary>Orders built and COPYed at a time on PostgreSQL (bounds the memory of the entities).</summary>
    private const int OrdersPerCopy = 20_000;
    private const int LookupChunk = 2000;

    /// <summary>Beyond this many days the whole rollup is rebuilt at once rather than day by day.</summary>
    private const int DaysRecomputedOneByOne = 60;

    /// <summary>Reads and checks the file against the store and says what an import would do; writes nothing.</summary>
    public async Task<OrderImportReport> PreviewAsync(Stream csv, OrderImportMap map, CancellationToken ct = default)
    {
        var plan = await PlanAsync(csv, map, null, ct);
        return plan.Report(dryRun: true, imported: false);
    }

    /// <summary>Imports the file when it has no errors; otherwise writes nothing and returns the report with every error.</summary>
    public async Task<OrderImportReport> ImportAsync(Stream csv, OrderImportMap map, Actor? actor = null, IProgress<OrderImportProgress>? progress = null, CancellationToken ct = default)
    {
        var plan = await PlanAsync(csv, map, progress, ct);
        if (plan.Errors.Count > 0 || plan.NewOrders.Count == 0)
        {
            return plan.Report(dryRun: false, imported: plan.Errors.Count == 0);
        }

        actor ??= Actor.System;
        var autoDetect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var now = clock.GetUtcNow().UtcDateTime;
            progress?.Report(new OrderImportProgress("Creating products and customers", 0, plan.NewOrders.Count));
            var (newVariants, categoriesCreated) = await products.AddDraftsAsync(plan.NewProducts, ct);
            plan.NewCategories = categoriesCreated;
            foreach (var (sku, id) in newVariants)
            {
                plan.Variants[sku] = id;
            }

            var customerIds = await customers.EnsureImportedAsync(plan.NewCustomers, now, ct);
            foreach (var (email, id) in customerIds)
            {
                plan.CustomersByEmail[email] = id;
            }

            var numbers = await ReserveNumbersAsync(plan.NewOrders.Count, ct);
            if (db.IsPostgres)
            {
                await CopyOrdersAsync(plan, numbers, actor, now, progress, ct);
            }
            else
            {
                var done = 0;
                foreach (var batch in plan.NewOrders.Chunk(OrdersPerBatch))
                {
                    foreach (var source in batch)
                    {
                        var order = ToOrder(plan, source, numbers[done++], actor, now);
                        plan.ImportedIds.Add(order.Id);
                        db.Orders.Add(order);
                    }

                    db.ChangeTracker.DetectChanges();
                    await db.SaveChangesAsync(ct);
                    db.ChangeTracker.Clear();
                    progress?.Report(new OrderImportProgress("Importing orders", done, plan.NewOrders.Count));
                }
            }

            progress?.Report(new OrderImportProgress("Updating the sales figures", 0, 1));
            await RefreshRollupAsync(plan, ct);
            await transaction.CommitAsync(ct);
        }
        catch (Exception e) when (e is DbUpdateException or PostgresException && Transactions.IsUniqueViolation(e))
        {
            db.ChangeTracker.Clear();
            throw Errors.Conflict("import_conflict", "Another import or writer added the same orders, SKUs or customers meanwhile; nothing was written. Import the file again.");
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }

        return plan.Report(dryRun: false, imported: true);
    }

    /// <summary>
    /// PostgreSQL: the orders, their lines and timeline entries, built by <see cref="Order.Imported"/>
    /// as on every database, written with binary COPY in the import's transaction, a batch at a
    /// time. COPY runs no interceptor, so instead of an audit row per order, line and timeline
    /// entry the import leaves one audit row naming its orders (each order's timeline names it too).
    /// </summary>
    private async Task CopyOrdersAsync(Plan plan, long[] numbers, Actor actor, DateTime now, IProgress<OrderImportProgress>? progress, CancellationToken ct)
    {
        var done = 0;
        foreach (var batch in plan.NewOrders.Chunk(OrdersPerCopy))
        {
            var orders = new List<Order>(batch.Length);
            foreach (var source in batch)
            {
                var order = ToOrder(plan, source, numbers[done++], actor, now);
                plan.ImportedIds.Add(order.Id);
                orders.Add(order);
            }

            await PostgresBulkCopy.WriteAsync(db, orders, ct);
            await PostgresBulkCopy.WriteAsync(db, orders.SelectMany(o => o.Lines), ct);
            await PostgresBulkCopy.WriteAsync(db, orders.SelectMany(o => o.Timeline), ct);
            progress?.Report(new OrderImportProgress("Importing orders", done, plan.NewOrders.Count));
        }

        AuditInterceptor.Record(db, now, "imported", nameof(Order), $"{numbers[0]}-{numbers[^1]}", null, new
        {
            Orders = plan.NewOrders.Count,
            Lines = plan.NewOrders.Sum(o => o.Lines.Count),
            FirstNumber = numbers[0],
            LastNumber = numbers[^1],
            Source = OrderSources.Import,
        });
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
    }

    private async Task<Plan> PlanAsync(Stream csv, OrderImportMap map, IProgress<OrderImportProgress>? progress, CancellationToken ct)
    {
        progress?.Report(new OrderImportProgress("Reading the file", 0, 1));
        var file = await OrderCsvReader.ReadAsync(csv, map, progress, ct);
        var plan = new Plan(file) { DefaultCurrency = map.Currency ?? await StoreSettingsService.CurrencyAsync(db, ct) };
        if (file.Errors.Count > 0)
        {
            return plan;
        }

        progress?.Report(new OrderImportProgress("Checking against the store", 0, 1));
        var orders = file.Orders.Where(o => o.CancelledAt is null).ToList();
        plan.Cancelled = file.Orders.Count - orders.Count;

        var imported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in orders.Select(o => o.Number).Chunk(LookupChunk))
        {
            imported.UnionWith(await db.Orders.AsNoTracking()
                .Where(o => o.Source == OrderSources.Import && chunk.Contains(o.ExternalNumber!)).Select(o => o.ExternalNumber!).ToListAsync(ct));
        }

        foreach (var order in orders)
        {
            if (imported.Contains(order.Number))
            {
                plan.AlreadyImported++;
                plan.AlreadyImportedLines += order.Lines.Count;
            }
            else
            {
                plan.NewOrders.Add(order);
            }
        }

        // Oldest first, so Storekeep's numbers follow the history.
        plan.NewOrders.Sort((a, b) => a.PlacedAt!.Value.CompareTo(b.PlacedAt!.Value));
        await PlanProductsAsync(plan, ct);
        await PlanCustomersAsync(plan, ct);
        return plan;
    }

    private async Task PlanProductsAsync(Plan plan, CancellationToken ct)
    {
        var lines = plan.NewOrders.SelectMany(o => o.Lines).ToList();
        foreach (var (sku, id) in await products.VariantIdsAsync(lines.Select(l => l.Sku), ct))
        {
            plan.Variants[sku] = id;
        }

        var drafts = new Dictionary<string, ImportedProductDraft>(StringComparer.Ordinal);
        foreach (var line in lines.Where(l => !plan.Variants.ContainsKey(l.Sku)))
        {
            if (!drafts.ContainsKey(line.Sku))
            {
                drafts[line.Sku] = new ImportedProductDraft(
                    line.Sku,
                    line.Title ?? line.Sku,
                    line.Category,
                    OrderCsvReader.Round(line.LineTotal / line.Quantity),
                    line.Cost is { } cost ? Math.Max(0m, OrderCsvReader.Round(cost / line.Quantity)) : null);
            }
        }

        plan.NewProducts.AddRange(drafts.Values);
        var categories = await products.CategorySlugsAsync(ct);
        plan.NewCategories = plan.NewProducts.Select(d => d.Category).OfType<string>()
            .Select(ImportedProducts.CategorySlug).Distinct(StringComparer.Ordinal).Count(slug => !categories.Contains(slug));
    }

    private async Task PlanCustomersAsync(Plan plan, CancellationToken ct)
    {
        // A customer id that is one of ours (a Guid) matches that customer; another system's id
        // with no email stands for its customer through a placeholder address that can never
        // receive mail (.invalid), so the same id is the same customer on every import.
        var guids = plan.NewOrders.Select(o => Guid.TryParse(o.CustomerId, out var id) ? id : (Guid?)null).OfType<Guid>();
        var byId = await customers.EmailsByIdAsync(guids, ct);
        foreach (var order in plan.NewOrders)
        {
            if (Guid.TryParse(order.CustomerId, out var id) && byId.TryGetValue(id, out var email))
            {
                order.Email ??= email;
                plan.CustomersById[order.Number] = id;
            }
            else if (order.Email is null && order.CustomerId is { } external)
            {
                order.Email = $"{Slugs.From(external, "customer")}@imported.invalid";
            }
        }

        foreach (var (email, id) in await customers.IdsByEmailAsync(plan.NewOrders.Select(o => o.Email).OfType<string>(), ct))
        {
            plan.CustomersByEmail[email] = id;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var order in plan.NewOrders.Where(o => o.Email is not null && !plan.CustomersById.ContainsKey(o.Number)))
        {
            if (!plan.CustomersByEmail.ContainsKey(order.Email!) && seen.Add(order.Email!))
            {
                plan.NewCustomers.Add(new ImportedCustomer(order.Email!, order.CustomerName, order.Company, order.Country));
            }
        }
    }

    private Order ToOrder(Plan plan, ImportedOrder source, long number, Actor actor, DateTime now)
    {
        var customerId = plan.CustomersById.TryGetValue(source.Number, out var byId)
            ? byId
            : source.Email is { } email && plan.CustomersByEmail.TryGetValue(email, out var byEmail) ? byEmail : (Guid?)null;
        var lines = source.Lines.Select(l => new OrderLine
        {
            VariantId = plan.Variants[l.Sku],
            Sku = l.Sku,
            Title = l.Title ?? l.Sku,
            Quantity = l.Quantity,
            UnitPrice = OrderCsvReader.Round(l.LineTotal / l.Quantity),
            LineTotal = l.LineTotal,
            UnitCost = l.Cost is { } cost ? OrderCsvReader.Round(cost / l.Quantity) : null,
        });
        var address = new Address
        {
            Name = source.CustomerName ?? "",
            Line1 = "",
            City = source.City ?? "",
            Region = source.Region,
            PostalCode = source.PostalCode ?? "",
            Country = source.Country ?? "",
        };
        return Order.Imported(number, source.Number, source.Email ?? "", customerId, source.Currency ?? plan.DefaultCurrency, address, source.ShipMode,
            lines, source.Shipping, source.Tax, source.PlacedAt!.Value, source.ShippedAt, source.Channel, actor, now);
    }

    /// <summary>Storekeep numbers for the imported orders, in one round trip.</summary>
    private async Task<long[]> ReserveNumbersAsync(int count, CancellationToken ct)
    {
        if (db.IsPostgres)
        {
            // The sequence of StorekeepDbContext.OrderNumberSequence; one nextval per order, all in one query.
            var numbers = await db.Database
                .SqlQuery<long>($"SELECT nextval('order_numbers') AS \"Value\" FROM generate_series(1, {count})")
                .ToListAsync(ct);
            return [.. numbers.Order()];
        }

        var first = await db.NextOrderNumberAsync(ct);
        return [.. Enumerable.Range(0, count).Select(i => first + i)];
    }

    private async Task RefreshRollupAsync(Plan plan, CancellationToken ct)
    {
        var days = plan.NewOrders.Select(o => DateOnly.FromDateTime(o.PlacedAt!.Value)).ToHashSet();
        if (days.Count > DaysRecomputedOneByOne)
        {
            await rollup.RebuildAsync(ct);
            await customerStats.RebuildAsync(ct);
            return;
        }

        // The imported orders' days, and their customers' first-order days (an earlier order changes who is new).
        await rollup.RefreshOrdersAsync(plan.ImportedIds, ct);
        // The import raises no events, so the customers' order figures are recomputed here.
        await customerStats.RefreshAsync(plan.NewOrders.Select(o => o.Email ?? ""), ct);
    }

    private sealed class Plan(ImportedOrderFile file)
    {
        public ImportedOrderFile File { get; } = file;
        public List<OrderImportError> Errors { get; } = file.Errors;
        public string DefaultCurrency { get; init; } = "USD";
        public List<ImportedOrder> NewOrders { get; } = [];

        /// <summary>The ids of the orders written, for the rollup.</summary>
        public List<Guid> ImportedIds { get; } = [];
        public List<ImportedProductDraft> NewProducts { get; } = [];
        public List<ImportedCustomer> NewCustomers { get; } = [];
        public Dictionary<string, Guid> Variants { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, Guid> CustomersByEmail { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, Guid> CustomersById { get; } = new(StringComparer.Ordinal);
        public int NewCategories { get; set; }
        public int AlreadyImported { get; set; }
        public int AlreadyImportedLines { get; set; }
        public int Cancelled { get; set; }

        public OrderImportReport Report(bool dryRun, bool imported) => new(
            dryRun,
            imported,
            File.Lines,
            NewOrders.Count,
            NewOrders.Sum(o => o.Lines.Count),
            NewProducts.Count,
            NewCategories,
            NewCustomers.Count,
            AlreadyImported,
            AlreadyImportedLines,
            Cancelled,
            NewOrders.Sum(o => o.Lines.Sum(l => l.LineTotal) + o.Shipping + o.Tax),
            Errors);
    }
}
