using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Loyalty;

namespace Storekeep.Customers;

/// <summary>
/// One customer's figures as computed in SQL (docs/crm.md): the stats over all their orders and,
/// for those with a paid order in the RFM window, the RFM values and 1–5 scores. Amounts are in
/// minor units. Counts are <c>long</c> because PostgreSQL's COUNT and RANK are bigint.
/// </summary>
public sealed class CustomerFigureRow
{
    public Guid CustomerId { get; init; }
    public string Email { get; init; } = "";
    public string? Country { get; init; }
    public string? Company { get; init; }
    public bool AcceptsEmail { get; init; }
    public bool AcceptsSms { get; init; }
    public long OrdersCount { get; init; }
    public long LiveOrders { get; init; }
    public long SpentMinor { get; init; }
    public DateTime? FirstOrderAt { get; init; }
    public DateTime? LastOrderAt { get; init; }
    public long? Recency { get; init; }
    public long? Frequency { get; init; }
    public long? MonetaryMinor { get; init; }
    public long? RecencyScore { get; init; }
    public long? FrequencyScore { get; init; }
    public long? MonetaryScore { get; init; }

    /// <summary>
    /// <see cref="OrdersCount"/> and <see cref="SpentMinor"/> as kept, null without an order: what segment
    /// rules that no customer without orders meets compare, so the database can filter the kept figures
    /// before joining them to customers.
    /// </summary>
    public long? KeptOrdersCount { get; init; }

    public long? KeptSpentMinor { get; init; }

    /// <summary>Paid spend over the last 12 months as the Loyalty capability defines it (its tiers rest on it).</summary>
    public long LoyaltySpendMinor { get; init; }
}

/// <summary>
/// Every customer's figures as one composable SQL query, so lists, segments and single customers
/// filter and page it in the database. The order stats are read from <c>customer_order_stats</c>
/// (<see cref="CustomerOrderStats"/>), as of the last order event its subscriber handled, because
/// grouping a million orders by email on each read takes seconds; the RFM values and scores are
/// those of the last scoring run (<see cref="RfmScoring"/>), because ranking every buyer takes
/// seconds at 500,000 customers. The loyalty spend (a 12-month window moving with the clock) is live.
/// </summary>
public sealed class CustomerFigures(StorekeepDbContext db, TimeProvider clock)
{
    public DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>Every customer, for segments and exports to filter in the database.</summary>
    public IQueryable<CustomerFigureRow> Query() => Build(null);

    /// <summary>
    /// The customers with orders, read from <c>customer_order_stats</c> alone: only the order figures
    /// (<see cref="CustomerFigureRow.CustomerId"/>, <see cref="CustomerFigureRow.Email"/>, the counts,
    /// spend and order dates) hold values; the profile, RFM and loyalty columns are empty. For segment
    /// rules that read nothing else (<see cref="Segments.SegmentRules.OnlyCustomersWithOrdersMeet"/>):
    /// at 500,000 customers this skips a hash join of every customer (docs/performance.md).
    /// </summary>
    public IQueryable<CustomerFigureRow> WithOrders() => db.Database.SqlQuery<CustomerFigureRow>($"""
        SELECT s.customer_id AS "CustomerId", s.email AS "Email", CAST(NULL AS VARCHAR(2)) AS "Country", CAST(NULL AS VARCHAR(200)) AS "Company",
          FALSE AS "AcceptsEmail", FALSE AS "AcceptsSms",
          s.orders_count AS "OrdersCount", s.live_orders AS "LiveOrders", s.spent AS "SpentMinor",
          s.first_order_at AS "FirstOrderAt", s.last_order_at AS "LastOrderAt",
          s.orders_count AS "KeptOrdersCount", s.spent AS "KeptSpentMinor",
          CAST(NULL AS BIGINT) AS "Recency", CAST(NULL AS BIGINT) AS "Frequency", CAST(NULL AS BIGINT) AS "MonetaryMinor",
          CAST(NULL AS BIGINT) AS "RecencyScore", CAST(NULL AS BIGINT) AS "FrequencyScore", CAST(NULL AS BIGINT) AS "MonetaryScore",
          CAST(0 AS BIGINT) AS "LoyaltySpendMinor"
        FROM customer_order_stats s
        WHERE s.customer_id IS NOT NULL
        """);

    /// <summary>
    /// Only the customers with these emails (a page of a list, one profile). The loyalty spend's grouped
    /// subquery is narrowed to them by the orders' customer index: PostgreSQL cannot push an outer filter
    /// into a GROUP BY, and would otherwise group a million orders to keep 50 rows (docs/performance.md).
    /// </summary>
    public IQueryable<CustomerFigureRow> Of(IReadOnlyCollection<string> emails)
    {
        ArgumentNullException.ThrowIfNull(emails);
        return Build(emails.Count == 0 ? [""] : emails);
    }

    private IQueryable<CustomerFigureRow> Build(IReadOnlyCollection<string>? emails)
    {
        // {0} is the loyalty tiers' 12-month start, {1}… the emails: parameters, never text.
        var arguments = new List<object> { Now.AddDays(-LoyaltyLedger.SpendWindowDays) };
        var only = "";
        if (emails is not null)
        {
            only = "IN (" + string.Join(", ", emails.Select((_, i) => $"{{{i + 1}}}")) + ")";
            arguments.AddRange(emails);
        }

        var sql = Template
            .Replace("@refunds", Refunds, StringComparison.Ordinal)
            // All orders: one grouped pass over payments; a few customers' orders: each order's own payments by index.
            .Replace("@payments", only.Length == 0 ? "LEFT JOIN (SELECT order_id, SUM(refunded_amount) AS refunded FROM payments GROUP BY order_id) pm ON pm.order_id = o.id" : "", StringComparison.Ordinal)
            .Replace("@refunded", only.Length == 0 ? "pm.refunded" : "(SELECT SUM(p.refunded_amount) FROM payments p WHERE p.order_id = o.id)", StringComparison.Ordinal)
            .Replace("@buyers", only.Length == 0 ? "" : $"AND o.customer_id IN (SELECT id FROM customers WHERE email {only})", StringComparison.Ordinal)
            .Replace("@customers", only.Length == 0 ? "" : $"WHERE c.email {only}", StringComparison.Ordinal);
        return db.Database.SqlQuery<CustomerFigureRow>(FormattableStringFactory.Create(sql, [.. arguments]));
    }

    // Net of succeeded refunds; cancelled orders never count towards spend. Every computed column is
    // cast to BIGINT so both databases answer with the same types (PostgreSQL's SUM of bigint is numeric).
    // Each joined table or subquery is unique on its join key (a primary key, or grouped by it), so
    // PostgreSQL drops it when a query reads none of its columns: a count over profile fields reads only customers.
    internal const string Refunds = "(SELECT order_id, SUM(amount) AS amount FROM refunds WHERE status = 'succeeded' GROUP BY order_id)";

    private const string Template = """
        SELECT c.id AS "CustomerId", c.email AS "Email", c.country AS "Country", c.company AS "Company",
          c.accepts_email AS "AcceptsEmail", c.accepts_sms AS "AcceptsSms",
          CAST(COALESCE(s.orders_count, 0) AS BIGINT) AS "OrdersCount",
          CAST(COALESCE(s.live_orders, 0) AS BIGINT) AS "LiveOrders",
          CAST(COALESCE(s.spent, 0) AS BIGINT) AS "SpentMinor",
          s.first_order_at AS "FirstOrderAt", s.last_order_at AS "LastOrderAt",
          s.orders_count AS "KeptOrdersCount", s.spent AS "KeptSpentMinor",
          r.recency AS "Recency", r.frequency AS "Frequency", r.monetary AS "MonetaryMinor",
          r.recency_score AS "RecencyScore", r.frequency_score AS "FrequencyScore", r.monetary_score AS "MonetaryScore",
          CAST(COALESCE(ls.spent, 0) AS BIGINT) AS "LoyaltySpendMinor"
        FROM customers c
        LEFT JOIN customer_order_stats s ON s.customer_id = c.id
        LEFT JOIN customer_rfm_scores r ON r.email = c.email
        LEFT JOIN (SELECT o.customer_id, SUM(o.total - COALESCE(@refunded, 0)) AS spent
                   FROM orders o @payments
                   WHERE o.status <> 'cancelled' AND o.payment_status IN ('paid', 'partially_refunded') AND o.created_at >= {0} @buyers
                   GROUP BY o.customer_id) ls ON ls.customer_id = c.id
        @customers
        """;
}
