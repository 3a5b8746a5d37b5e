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

    /// <summary>Paid spend over the last 12 months as the Loyalty capability defines it (its tiers rest on it).</summary>
    public long LoyaltySpendMinor { get; init; }
}

/// <summary>RFM settings: the window of paid orders that counts (days, 365 by default).</summary>
public sealed record RfmSettings(int WindowDays)
{
    public static readonly RfmSettings Default = new(365);
}

/// <summary>
/// Every customer's figures as one composable SQL query, so lists, segments and single customers
/// filter and page it in the database. Ranks are window functions over the customers with a paid
/// order in the window; a score is <c>5 − ⌊5·(rank−1)/n⌋</c>, rank 1 being the best (ties share
/// the rank, so they share the score).
/// </summary>
public sealed class CustomerFigures(StorekeepDbContext db, TimeProvider clock, RfmSettings settings)
{
    public DateTime Now => clock.GetUtcNow().UtcDateTime;

    public IQueryable<CustomerFigureRow> Query() => Query(Now);

    public IQueryable<CustomerFigureRow> Query(DateTime now)
    {
        var since = now.AddDays(-settings.WindowDays);
        var postgres = db.Database.IsNpgsql();
        // {0} is now, {1} the window's start, {2} the loyalty tiers' 12-month start: parameters, never text.
        var days = postgres
            ? "FLOOR(EXTRACT(EPOCH FROM ({0} - MAX(o.created_at))) / 86400)"
            : "julianday({0}) - julianday(MAX(o.created_at))";
        var sql = Template.Replace("@refunds", Refunds, StringComparison.Ordinal).Replace("@days", days, StringComparison.Ordinal);
        return db.Database.SqlQuery<CustomerFigureRow>(FormattableStringFactory.Create(sql, now, since, now.AddDays(-LoyaltyLedger.SpendWindowDays)));
    }

    // Net of succeeded refunds; cancelled orders never count towards spend. Every computed column is
    // cast to BIGINT so both databases answer with the same types (PostgreSQL's SUM of bigint is numeric).
    // Each joined subquery is grouped by its join key (the ranks sit beside the GROUP BY, not above
    // it), so PostgreSQL proves it unique and drops it when a query reads none of its columns: a count
    // over profile fields does not rank every buyer (segments bench, docs/performance.md).
    private const string Refunds = "(SELECT order_id, SUM(amount) AS amount FROM refunds WHERE status = 'succeeded' GROUP BY order_id)";

    private const string Template = """
        SELECT c.id AS "CustomerId", c.email AS "Email", c.country AS "Country", c.company AS "Company",
          c.accepts_email AS "AcceptsEmail", c.accepts_sms AS "AcceptsSms",
          CAST(COALESCE(s.orders_count, 0) AS BIGINT) AS "OrdersCount",
          CAST(COALESCE(l.live_orders, 0) AS BIGINT) AS "LiveOrders",
          CAST(COALESCE(l.spent, 0) AS BIGINT) AS "SpentMinor",
          s.first_at AS "FirstOrderAt", s.last_at AS "LastOrderAt",
          CAST(r.recency AS BIGINT) AS "Recency", CAST(r.frequency AS BIGINT) AS "Frequency", CAST(r.monetary AS BIGINT) AS "MonetaryMinor",
          CAST(5 - (5 * (r.r_rank - 1)) / r.n AS BIGINT) AS "RecencyScore",
          CAST(5 - (5 * (r.f_rank - 1)) / r.n AS BIGINT) AS "FrequencyScore",
          CAST(5 - (5 * (r.m_rank - 1)) / r.n AS BIGINT) AS "MonetaryScore",
          CAST(COALESCE(ls.spent, 0) AS BIGINT) AS "LoyaltySpendMinor"
        FROM customers c
        LEFT JOIN (SELECT email, COUNT(*) AS orders_count, MIN(created_at) AS first_at, MAX(created_at) AS last_at FROM orders GROUP BY email) s ON s.email = c.email
        LEFT JOIN (SELECT o.email, COUNT(*) AS live_orders, SUM(o.total - COALESCE(rf.amount, 0)) AS spent
                   FROM orders o LEFT JOIN @refunds rf ON rf.order_id = o.id
                   WHERE o.status <> 'cancelled' GROUP BY o.email) l ON l.email = c.email
        LEFT JOIN (SELECT o.email, CAST(@days AS BIGINT) AS recency,
                     COUNT(*) AS frequency, SUM(o.total - COALESCE(rf.amount, 0)) AS monetary,
                     RANK() OVER (ORDER BY CAST(@days AS BIGINT)) AS r_rank,
                     RANK() OVER (ORDER BY COUNT(*) DESC) AS f_rank,
                     RANK() OVER (ORDER BY SUM(o.total - COALESCE(rf.amount, 0)) DESC) AS m_rank,
                     COUNT(*) OVER () AS n
                   FROM orders o LEFT JOIN @refunds rf ON rf.order_id = o.id
                   WHERE o.status <> 'cancelled' AND o.payment_status IN ('paid', 'partially_refunded') AND o.created_at >= {1}
                   GROUP BY o.email) r ON r.email = c.email
        LEFT JOIN (SELECT o.customer_id, SUM(o.total - COALESCE(pm.refunded, 0)) AS spent
                   FROM orders o LEFT JOIN (SELECT order_id, SUM(refunded_amount) AS refunded FROM payments GROUP BY order_id) pm ON pm.order_id = o.id
                   WHERE o.status <> 'cancelled' AND o.payment_status IN ('paid', 'partially_refunded') AND o.created_at >= {2}
                   GROUP BY o.customer_id) ls ON ls.customer_id = c.id
        """;
}
