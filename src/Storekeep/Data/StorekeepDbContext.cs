using System.Text;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Storekeep.Access;
using Storekeep.Accounts;
using Storekeep.Analytics;
using Storekeep.Audit;
using Storekeep.Catalog;
using Storekeep.Checkout;
using Storekeep.Customers;
using Storekeep.Events;
using Storekeep.Fulfillment;
using Storekeep.Idempotency;
using Storekeep.Inventory;
using Storekeep.Messaging;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Pricing;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Data;

/// <summary>The one database context; ASP.NET Identity's users and roles live in it too (tables users, roles, user_roles…).</summary>
public sealed class StorekeepDbContext(DbContextOptions<StorekeepDbContext> options)
    : IdentityDbContext<UserAccount, UserRole, Guid>(options), IDataProtectionKeyContext
{
    public const string OrderNumberSequence = "order_numbers";
    public const string ReturnNumberSequence = "return_numbers";

    public DbSet<Category> Categories => Set<Category>();
    public DbSet<Product> Products => Set<Product>();
    public DbSet<ProductVariant> Variants => Set<ProductVariant>();
    public DbSet<ProductImage> ProductImages => Set<ProductImage>();
    public DbSet<Warehouse> Warehouses => Set<Warehouse>();
    public DbSet<StockLevel> StockLevels => Set<StockLevel>();
    public DbSet<StockMovement> StockMovements => Set<StockMovement>();
    public DbSet<Cart> Carts => Set<Cart>();
    public DbSet<CartItem> CartItems => Set<CartItem>();
    public DbSet<CheckoutAttempt> CheckoutAttempts => Set<CheckoutAttempt>();
    public DbSet<ShippingMethod> ShippingMethods => Set<ShippingMethod>();
    public DbSet<TaxRate> TaxRates => Set<TaxRate>();
    public DbSet<StoreSettings> StoreSettings => Set<StoreSettings>();
    public DbSet<Customer> Customers => Set<Customer>();
    public DbSet<Order> Orders => Set<Order>();
    public DbSet<OrderLine> OrderLines => Set<OrderLine>();
    public DbSet<OrderAllocation> OrderAllocations => Set<OrderAllocation>();
    public DbSet<OrderTimelineEntry> OrderTimeline => Set<OrderTimelineEntry>();
    public DbSet<Payment> Payments => Set<Payment>();
    public DbSet<Refund> Refunds => Set<Refund>();
    public DbSet<RefundLine> RefundLines => Set<RefundLine>();
    public DbSet<StripeWebhookEvent> StripeWebhookEvents => Set<StripeWebhookEvent>();
    public DbSet<Shipment> Shipments => Set<Shipment>();
    public DbSet<ShipmentLine> ShipmentLines => Set<ShipmentLine>();
    public DbSet<PickScan> PickScans => Set<PickScan>();
    public DbSet<ReturnRequest> Returns => Set<ReturnRequest>();
    public DbSet<ReturnLine> ReturnLines => Set<ReturnLine>();
    public DbSet<OutboxEvent> OutboxEvents => Set<OutboxEvent>();
    public DbSet<Webhook> Webhooks => Set<Webhook>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<EventSubscription> EventSubscriptions => Set<EventSubscription>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();
    public DbSet<StorefrontEvent> StorefrontEvents => Set<StorefrontEvent>();
    public DbSet<DailySales> DailySales => Set<DailySales>();
    public DbSet<DailyKpi> DailyKpis => Set<DailyKpi>();
    public DbSet<CustomerMonth> CustomerMonths => Set<CustomerMonth>();
    public DbSet<CustomerMonthsShare> CustomerMonthsShares => Set<CustomerMonthsShare>();
    public DbSet<Message> Messages => Set<Message>();
    public DbSet<MessageTemplate> MessageTemplates => Set<MessageTemplate>();

    /// <summary>Cookie and antiforgery keys, shared by every app node on the same database.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public bool IsPostgres => Database.ProviderName == "Npgsql.EntityFrameworkCore.PostgreSQL";

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        QueueRaisedEvents();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        QueueRaisedEvents();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>
    /// Aggregates raise events as they change (an order placed, paid, cancelled); they join the
    /// outbox here, so they commit with the change or not at all. SaveChanges detects changes
    /// itself right after, so this pass does not.
    /// </summary>
    private void QueueRaisedEvents()
    {
        var autoDetect = ChangeTracker.AutoDetectChangesEnabled;
        ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            this.AddRaisedEvents(ChangeTracker.Entries<IRaisesEvents>().Select(e => e.Entity).ToList());
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Money: decimal in code, exact integer cents in the database (see MinorUnits).
        configurationBuilder.Properties<decimal>().HaveConversion<MinorUnitsConverter>();

        // SQLite hands DateTimes back without a kind; everything we store is UTC.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<string>().HaveMaxLength(400);
    }

    /// <summary>The shadow property of <see cref="ConfigureGuestEmailKey"/>.</summary>
    public const string GuestEmailKey = "GuestEmailKey";

    /// <summary>
    /// A guest order's customer key (<c>Analytics.ReportMath.CustomerKey</c>: the email trimmed and
    /// lower-cased), stored by the database itself, with a partial index over guest orders only: the
    /// rollups look a guest's other orders up by it, which without it scanned every order (40–180 ms
    /// each, twice per batch, at 100,000 orders). The app never writes or reads it back.
    /// </summary>
    private void ConfigureGuestEmailKey(Microsoft.EntityFrameworkCore.Metadata.Builders.EntityTypeBuilder<Orders.Order> order)
    {
        // Required: the email never is null, and a nullable key makes EF compare it as "equal or both
        // null", an OR that keeps PostgreSQL from using the index.
        var key = order.Property<string>(GuestEmailKey)
            .IsRequired()
            .HasMaxLength(254)
            .HasComputedColumnSql(IsPostgres ? @"lower(btrim(email, E' \t\n\r\f\v'))" : "lower(trim(email, char(32, 9, 10, 13, 12, 11)))", stored: true)
            .ValueGeneratedNever();
        key.Metadata.SetBeforeSaveBehavior(Microsoft.EntityFrameworkCore.Metadata.PropertySaveBehavior.Ignore);
        key.Metadata.SetAfterSaveBehavior(Microsoft.EntityFrameworkCore.Metadata.PropertySaveBehavior.Ignore);
        order.HasIndex(GuestEmailKey).HasFilter("customer_id IS NULL");
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<UserAccount>().ToTable("users");
        modelBuilder.Entity<UserRole>().ToTable("roles");
        modelBuilder.Entity<IdentityUserRole<Guid>>().ToTable("user_roles");
        modelBuilder.Entity<IdentityUserClaim<Guid>>().ToTable("user_claims");
        modelBuilder.Entity<IdentityUserLogin<Guid>>().ToTable("user_logins");
        modelBuilder.Entity<IdentityUserToken<Guid>>().ToTable("user_tokens");
        modelBuilder.Entity<IdentityRoleClaim<Guid>>().ToTable("role_claims");
        modelBuilder.Entity<DataProtectionKey>().Property(k => k.Xml).HasMaxLength(20000);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(StorekeepDbContext).Assembly);
        if (IsPostgres)
        {
            modelBuilder.HasSequence<long>(OrderNumberSequence).StartsAt(1001);
            modelBuilder.HasSequence<long>(ReturnNumberSequence).StartsAt(1001);
            modelBuilder.HasSequence<long>(Purchasing.PurchaseOrder.NumberSequence).StartsAt(1001);
            modelBuilder.HasSequence<long>(Quotes.Quote.NumberSequence).StartsAt(1001);
        }

        ConfigureGuestEmailKey(modelBuilder.Entity<Orders.Order>());

        // Ids are Guid v7 made in code. Telling EF they are never generated means a new entity
        // reached through a navigation (a timeline entry added by Order.MarkPaid) is inserted,
        // not mistaken for an existing row.
        foreach (var key in modelBuilder.Model.GetEntityTypes().Select(e => e.FindPrimaryKey()).OfType<Microsoft.EntityFrameworkCore.Metadata.IMutableKey>())
        {
            foreach (var property in key.Properties.Where(p => p.ClrType == typeof(Guid)))
            {
                property.ValueGenerated = Microsoft.EntityFrameworkCore.Metadata.ValueGenerated.Never;
            }
        }

        ApplySnakeCaseNames(modelBuilder);
    }

    /// <summary>snake_case tables and columns, so raw SQL and reports read naturally on both databases.</summary>
    private static void ApplySnakeCaseNames(ModelBuilder modelBuilder)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            if (entity.GetTableName() is { } table && !entity.IsOwned())
            {
                entity.SetTableName(ToSnakeCase(table));
            }

            foreach (var property in entity.GetProperties())
            {
                // An owned type shares its owner's row and key column; only its own columns are renamed.
                if (!(entity.IsOwned() && property.IsKey()))
                {
                    property.SetColumnName(ToSnakeCase(property.GetColumnName()));
                }
            }

            if (entity.IsOwned())
            {
                continue;
            }

            foreach (var key in entity.GetKeys())
            {
                key.SetName(ToSnakeCase(key.GetName()!));
            }

            foreach (var fk in entity.GetForeignKeys())
            {
                fk.SetConstraintName(ToSnakeCase(fk.GetConstraintName()!));
            }

            foreach (var index in entity.GetIndexes())
            {
                index.SetDatabaseName(ToSnakeCase(index.GetDatabaseName()!));
            }
        }
    }

    internal static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && name[i - 1] != '_' && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]) ||
                    (i + 1 < name.Length && char.IsLower(name[i + 1]))))
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private sealed class MinorUnitsConverter() : ValueConverter<decimal, long>(
        v => MinorUnits.ToMinor(v),
        v => MinorUnits.FromMinor(v));

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
