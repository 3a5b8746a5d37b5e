using System.Data.Common;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Access;
using Storekeep.Tests.Fulfillment;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Sales;

/// <summary>
/// Quotas and commission statements (GET /sales/quotas, GET /sales/commissions) over orders placed
/// through the real checkout by company buyers, on a clock the test moves through Q4 2026, checked
/// against a computation written here over the raw rows (ADO.NET), to the cent.
/// </summary>
public sealed class CommissionTests
{
    private static DateTimeOffset At(int month, int day) => new(2026, month, day, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Quotas_and_commission_statements_equal_an_independent_computation_over_the_raw_rows(string database)
    {
        var clock = new ManualClock(At(10, 1));
        await using var store = await TestStore.StartAsync(database, services: s => s.AddSingleton<TimeProvider>(clock));
        await store.AddShippingAndTaxAsync();
        await store.AddProductAsync("BOX-1", 40m, main: 100);
        await store.AddProductAsync("CRATE-1", 125.50m, main: 100);
        await store.Client.PostJson("/api/v1/discounts", new { title = "Trade", type = "percentage", value = 10m, appliesTo = new { all = true }, status = "active" })
            .Expect(HttpStatusCode.Created);
        await store.EnableManualPaymentMethodsAsync();

        var users = await SalesTests.StaffAsync(store, ("ann@example.com", "Ann Seller", Role.Sales), ("bob@example.com", "Bob Seller", Role.Sales));
        var team = (await store.Client.PostJson("/api/v1/sales/teams", new { name = "Wholesale" }).Expect(HttpStatusCode.Created))["id"].Str();
        var ann = (await store.Client.PostJson("/api/v1/sales/reps", new { userId = users[0], teamId = team }).Expect(HttpStatusCode.Created))["id"].Str();
        var bob = (await store.Client.PostJson("/api/v1/sales/reps", new { userId = users[1], teamId = team }).Expect(HttpStatusCode.Created))["id"].Str();
        var xco = (await store.Client.PostJson("/api/v1/companies", new { name = "X Co", country = "US", paymentTerms = "prepaid", ownerRepId = ann }).Expect(HttpStatusCode.Created))["id"].Str();
        var yco = (await store.Client.PostJson("/api/v1/companies", new { name = "Y Co", country = "US", paymentTerms = "prepaid", ownerRepId = bob }).Expect(HttpStatusCode.Created))["id"].Str();
        await store.Client.PostJson($"/api/v1/companies/{xco}/buyers", new { email = "buyer@x.example" }).Expect(HttpStatusCode.Created);
        await store.Client.PostJson($"/api/v1/companies/{yco}/buyers", new { email = "buyer@y.example" }).Expect(HttpStatusCode.Created);

        // Quotas: validation, upsert, a month and a quarter side by side.
        await store.Client.PutJson("/api/v1/sales/quotas", new { repId = ann, period = "2026-13", amount = 1m }).ExpectProblem(HttpStatusCode.BadRequest);
        await store.Client.PutJson("/api/v1/sales/quotas", new { repId = ann, period = "2026-Q5", amount = 1m }).ExpectProblem(HttpStatusCode.BadRequest);
        await store.Client.PutJson("/api/v1/sales/quotas", new { repId = ann, period = "Q4-2026", amount = 1m }).ExpectProblem(HttpStatusCode.BadRequest);
        await store.Client.PutJson("/api/v1/sales/quotas", new { repId = ann, period = "2026-10", amount = -1m }).ExpectProblem(HttpStatusCode.BadRequest);
        await store.Client.PutJson("/api/v1/sales/quotas", new { repId = Guid.NewGuid(), period = "2026-10", amount = 1m }).ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_rep");
        await store.Client.GetAsync("/api/v1/sales/quotas?period=2026-1").ExpectProblem(HttpStatusCode.BadRequest);
        await store.Client.PutJson("/api/v1/sales/quotas", new { repId = ann, period = "2026-10", amount = 999m }).Expect(HttpStatusCode.OK);
        foreach (var (rep, period, amount) in new[] { (ann, "2026-10", 300m), (ann, "2026-11", 500m), (ann, "2026-q4", 1000m), (bob, "2026-10", 200m), (bob, "2026-11", 250m) })
        {
            var set = await store.Client.PutJson("/api/v1/sales/quotas", new { repId = rep, period, amount }).Expect(HttpStatusCode.OK);
            Assert.Equal(period.ToUpperInvariant(), set["period"].Str());
        }

        // Plans: a tiered one on the invoiced basis for Ann, a paid one for Bob.
        var tiered = await store.Client.PostJson("/api/v1/sales/commission-plans", new
        {
            name = "Tiered", basis = "invoiced", rate = 5m, tiers = new[] { new { fromAttainment = 100m, rate = 10m }, new { fromAttainment = 50m, rate = 7.5m } },
        }).Expect(HttpStatusCode.Created);
        Assert.Equal([50m, 100m], tiered["tiers"]!.AsArray().Select(t => t!["fromAttainment"].Dec()));
        var paid = await store.Client.PostJson("/api/v1/sales/commission-plans", new { name = "On payment", basis = "paid", rate = 4m, tiers = new[] { new { fromAttainment = 80m, rate = 6m } } })
            .Expect(HttpStatusCode.Created);
        await store.Client.PostJson("/api/v1/sales/commission-plans", new { name = "Tiered", basis = "paid", rate = 1m }).ExpectProblem(HttpStatusCode.Conflict, "commission_plan_exists");
        await store.Client.PostJson("/api/v1/sales/commission-plans", new { name = "Odd", basis = "weekly", rate = 1m }).ExpectProblem(HttpStatusCode.BadRequest);
        await store.Client.PostJson("/api/v1/sales/commission-plans", new { name = "Odd", basis = "paid", rate = 1.001m }).ExpectProblem(HttpStatusCode.BadRequest);
        await store.Client.PostJson("/api/v1/sales/commission-plans", new { name = "Odd", basis = "paid", rate = 1m, tiers = new[] { new { fromAttainment = 50m, rate = 150m } } })
            .ExpectProblem(HttpStatusCode.BadRequest);
        await store.Client.PutJson($"/api/v1/sales/reps/{ann}/commission-plan", new { planId = Guid.NewGuid() }).ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_commission_plan");
        await store.Client.PutJson($"/api/v1/sales/reps/{Guid.NewGuid()}/commission-plan", new { planId = tiered["id"].Str() }).ExpectProblem(HttpStatusCode.NotFound);
        await store.Client.PutJson($"/api/v1/sales/reps/{ann}/commission-plan", new { planId = tiered["id"].Str() }).Expect(HttpStatusCode.OK);
        await store.Client.PutJson($"/api/v1/sales/reps/{bob}/commission-plan", new { planId = paid["id"].Str() }).Expect(HttpStatusCode.OK);
        var plans = await store.Client.GetAsync("/api/v1/sales/commission-plans").Expect(HttpStatusCode.OK);
        Assert.Equal([ann], plans.AsArray().Single(p => p!["name"].Str() == "Tiered")!["repIds"]!.AsArray().Select(r => r.Str()));

        // Orders through the checkout, on the clock.
        async Task<JsonNode> Order(int month, int day, string email, object payment, params (string Sku, int Quantity)[] lines)
        {
            clock.Now = At(month, day);
            var cart = await store.CartWithAsync(store.Anonymous, lines);
            var body = new
            {
                email,
                shippingAddress = new { name = "Buyer", line1 = "1 Trade St", city = "New York", region = "NY", postalCode = "10001", country = "US" },
                payment,
            };
            return await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", body).Expect(HttpStatusCode.Created);
        }

        var card = new { method = "card", token = "tok_visa" };
        var transfer = new { method = "bank_transfer" };
        var o1 = await Order(10, 3, "buyer@x.example", card, ("BOX-1", 3));
        var o2 = await Order(10, 10, "buyer@x.example", card, ("CRATE-1", 2));
        var o3 = await Order(10, 15, "buyer@x.example", card, ("BOX-1", 1), ("CRATE-1", 1));
        var o4 = await Order(10, 20, "buyer@y.example", transfer, ("BOX-1", 5));
        var o5 = await Order(11, 8, "buyer@y.example", transfer, ("CRATE-1", 1));
        var o6 = await Order(11, 12, "ada@example.com", card, ("CRATE-1", 3));
        var o7 = await Order(11, 20, "buyer@x.example", card, ("CRATE-1", 4));
        var o8 = await Order(12, 5, "buyer@y.example", card, ("BOX-1", 2));

        // o3 is X's order but won Bob's deal: it is Bob's.
        clock.Now = At(10, 16);
        var deal = await store.Client.PostJson("/api/v1/sales/deals", new { title = "X restock", companyId = xco, amount = 160m, expectedCloseDate = "2026-10-31", ownerRepId = bob })
            .Expect(HttpStatusCode.Created);
        await store.Client.PostJson($"/api/v1/sales/deals/{deal["id"].Str()}/win", new { orderId = o3["id"].Str() }).Expect(HttpStatusCode.OK);

        // o4 is paid in November; o5 is cancelled; o2 has a crate refunded in November, o7 an amount in December.
        clock.Now = At(11, 2);
        await store.Client.PostJson($"/api/v1/orders/{o4["id"].Str()}/payments/{await store.PaymentIdAsync(o4)}/capture", new { reference = "T-1" }).Expect(HttpStatusCode.OK);
        clock.Now = At(11, 9);
        await store.Client.PostJson($"/api/v1/orders/{o5["id"].Str()}/cancel", new { reason = "Changed mind" }).Expect(HttpStatusCode.OK);
        clock.Now = At(11, 5);
        await store.Client.PostJson($"/api/v1/orders/{o2["id"].Str()}/refunds", new { lines = new[] { new { sku = "CRATE-1", quantity = 1 } } }).Expect(HttpStatusCode.Created);
        clock.Now = At(12, 1);
        await store.Client.PostJson($"/api/v1/orders/{o7["id"].Str()}/refunds", new { amount = 30m, reason = "Goodwill" }).Expect(HttpStatusCode.Created);
        // On Dec 20 Ann moves to the paid plan and Y Co to Ann: October and November keep Ann's tiered
        // plan, December and Q4 (ended after the change) take the new one; Y's orders placed before
        // stay Bob's, whatever the company's owner is now.
        clock.Now = At(12, 20);
        await store.Client.PutJson($"/api/v1/sales/reps/{ann}/commission-plan", new { planId = paid["id"].Str() }).Expect(HttpStatusCode.OK);
        await store.Client.PatchJson($"/api/v1/companies/{yco}", new { ownerRepId = ann }).Expect(HttpStatusCode.OK);
        clock.Now = At(12, 21);

        var raw = await Raw.ReadAsync(store);
        Assert.Equal(3, raw.Assignments.Count);
        Assert.Equal(3, raw.OwnerChanges.Count);
        var periods = new[]
        {
            ("2026-10", new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc)),
            ("2026-11", new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc)),
            ("2026-12", new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2027, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
            ("2026-Q4", new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2027, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
        };
        foreach (var (key, start, end) in periods)
        {
            var quotas = await store.Client.GetAsync($"/api/v1/sales/quotas?period={key}").Expect(HttpStatusCode.OK);
            var statements = await store.Client.GetAsync($"/api/v1/sales/commissions?period={key}").Expect(HttpStatusCode.OK);
            long teamQuota = 0, teamAttained = 0;
            foreach (var rep in raw.Reps)
            {
                var quota = raw.Quota(rep.Id, key);
                var attained = raw.Attained(rep.Id, start, end);
                teamQuota += quota ?? 0;
                teamAttained += attained;
                var row = quotas["reps"]!.AsArray().Single(r => r!["repId"].Str() == rep.Id.ToString())!;
                Assert.Equal(Money(quota), Nullable(row["quota"]));
                Assert.Equal(Cents(attained), row["attained"].Dec());
                Assert.Equal(Percent(attained, quota), Nullable(row["attainment"]));

                var statement = statements["reps"]!.AsArray().Single(r => r!["repId"].Str() == rep.Id.ToString())!;
                Assert.Equal(Money(quota), Nullable(statement["quota"]));
                Assert.Equal(Cents(attained), statement["attained"].Dec());
                Assert.Equal(Percent(attained, quota), Nullable(statement["attainment"]));
                var expected = raw.Statement(rep, key, start, end);
                var lines = statement["lines"]!.AsArray()
                    .Select(l => (Order: l!["orderId"].Str(), Kind: l["kind"].Str(), Amount: l["amount"].Dec(), Rate: l["rate"].Dec(), Commission: l["commission"].Dec()))
                    .OrderBy(l => l.Order, StringComparer.Ordinal).ThenBy(l => l.Kind, StringComparer.Ordinal).ThenBy(l => l.Amount).ToList();
                Assert.Equal(
                    expected.Select(l => (Order: l.Order.ToString(), l.Kind, Amount: Cents(l.Amount), l.Rate, Commission: Cents(l.Commission)))
                        .OrderBy(l => l.Order, StringComparer.Ordinal).ThenBy(l => l.Kind, StringComparer.Ordinal).ThenBy(l => l.Amount).ToList(),
                    lines);
                Assert.Equal(Cents(expected.Sum(l => l.Commission)), statement["commission"].Dec());
                Assert.Equal(raw.Rate(rep, key, start, end), statement["rate"].Dec());
            }

            Assert.Equal(Cents(teamQuota), quotas["teams"]![0]!["quota"].Dec());
            Assert.Equal(Cents(teamAttained), quotas["teams"]![0]!["attained"].Dec());
            Assert.Equal(Percent(teamAttained, teamQuota), Nullable(quotas["teams"]![0]!["attainment"]));
            var ranked = quotas["reps"]!.AsArray().Select(r => r!["attained"].Dec()).ToList();
            Assert.Equal(ranked.OrderDescending(), ranked);
        }

        // What the story means, by hand: the cancelled order and the non-buyer's order count for nobody,
        // o3 counts for Bob, the crate refunded in November takes back at October's rate (Ann was at
        // 111.30 % in October: 10 %), and Bob's transfer counts in November on his paid plan.
        var november = await store.Client.GetAsync("/api/v1/sales/commissions?period=2026-11").Expect(HttpStatusCode.OK);
        var october = await store.Client.GetAsync("/api/v1/sales/commissions?period=2026-10").Expect(HttpStatusCode.OK);
        var all = new[] { october, november }.SelectMany(s => s["reps"]!.AsArray()).SelectMany(r => r!["lines"]!.AsArray()).Select(l => l!["orderId"].Str()).ToList();
        Assert.DoesNotContain(o5["id"].Str(), all);
        Assert.DoesNotContain(o6["id"].Str(), all);
        JsonNode Rep(JsonNode s, string id) => s["reps"]!.AsArray().Single(r => r!["repId"].Str() == id)!;
        Assert.Equal(111.30m, Rep(october, ann)["attainment"].Dec());
        Assert.Equal(10m, Rep(october, ann)["rate"].Dec());
        Assert.Contains(Rep(october, bob)["lines"]!.AsArray(), l => l!["orderId"].Str() == o3["id"].Str());
        Assert.DoesNotContain(Rep(october, bob)["lines"]!.AsArray(), l => l!["orderId"].Str() == o4["id"].Str());
        Assert.Contains(Rep(november, bob)["lines"]!.AsArray(), l => l!["orderId"].Str() == o4["id"].Str());
        var refund = Rep(november, ann)["lines"]!.AsArray().Single(l => l!["kind"].Str() == "refund")!;
        Assert.Equal((o2["id"].Str(), -112.95m, 10m, -11.30m), (refund["orderId"].Str(), refund["amount"].Dec(), refund["rate"].Dec(), refund["commission"].Dec()));
        Assert.Equal(7.5m, Rep(november, ann)["rate"].Dec());
        Assert.Equal("Tiered", Rep(november, ann)["planName"].Str());
        var december = await store.Client.GetAsync("/api/v1/sales/commissions?period=2026-12").Expect(HttpStatusCode.OK);
        Assert.Equal(("On payment", "paid"), (Rep(december, ann)["planName"].Str(), Rep(december, ann)["basis"].Str()));
        Assert.Contains(Rep(december, bob)["lines"]!.AsArray(), l => l!["orderId"].Str() == o8["id"].Str());
        var history = await store.Client.GetAsync($"/api/v1/sales/reps/{ann}/commission-plans").Expect(HttpStatusCode.OK);
        Assert.Equal(["Tiered", "On payment"], history.AsArray().Select(h => h!["planName"].Str()));
        Assert.Equal(At(12, 20).UtcDateTime, history[1]!["from"]!.GetValue<DateTime>().ToUniversalTime());

        // A plan's terms are fixed once a rep has been on it (a name is not); an unused plan may change or go.
        await store.Client.PatchJson($"/api/v1/sales/commission-plans/{tiered["id"].Str()}", new { rate = 6m }).ExpectProblem(HttpStatusCode.Conflict, "commission_plan_in_use");
        await store.Client.DeleteAsync($"/api/v1/sales/commission-plans/{tiered["id"].Str()}").ExpectProblem(HttpStatusCode.Conflict, "commission_plan_in_use");
        await store.Client.PatchJson($"/api/v1/sales/commission-plans/{tiered["id"].Str()}", new { name = "On payment" }).ExpectProblem(HttpStatusCode.Conflict, "commission_plan_exists");
        var renamed = await store.Client.PatchJson($"/api/v1/sales/commission-plans/{tiered["id"].Str()}", new { name = "Tiered 2026" }).Expect(HttpStatusCode.OK);
        Assert.Equal(("Tiered 2026", 5m, 2), (renamed["name"].Str(), renamed["rate"].Dec(), renamed["tiers"]!.AsArray().Count));
        var spare = await store.Client.PostJson("/api/v1/sales/commission-plans", new { name = "Spare", basis = "paid", rate = 2m }).Expect(HttpStatusCode.Created);
        await store.Client.PatchJson($"/api/v1/sales/commission-plans/{spare["id"].Str()}", new { rate = 150m }).ExpectProblem(HttpStatusCode.BadRequest);
        var changed = await store.Client.PatchJson($"/api/v1/sales/commission-plans/{spare["id"].Str()}", new { basis = "invoiced", rate = 3m, tiers = new[] { new { fromAttainment = 90m, rate = 4m } } })
            .Expect(HttpStatusCode.OK);
        Assert.Equal(("invoiced", 3m, 90m), (changed["basis"].Str(), changed["rate"].Dec(), changed["tiers"]![0]!["fromAttainment"].Dec()));
        await store.Client.DeleteAsync($"/api/v1/sales/commission-plans/{spare["id"].Str()}").Expect(HttpStatusCode.NoContent);
        await store.Client.DeleteAsync($"/api/v1/sales/commission-plans/{spare["id"].Str()}").ExpectProblem(HttpStatusCode.NotFound);
        var left = await store.Client.GetAsync("/api/v1/sales/commission-plans").Expect(HttpStatusCode.OK);
        Assert.Equal(["On payment", "Tiered 2026"], left.AsArray().Select(p => p!["name"].Str()));
        _ = o1;
    }

    private static decimal Cents(long minor) => minor / 100m;

    private static decimal? Money(long? minor) => minor is { } m ? m / 100m : null;

    private static decimal? Nullable(JsonNode? node) => node is null ? null : node.GetValue<decimal>();

    private static decimal? Percent(long attained, long? quota) =>
        quota is { } q && q > 0 ? Math.Round(attained * 100m / q, 2, MidpointRounding.AwayFromZero) : null;

    private sealed record ExpectedLine(Guid Order, string Kind, long Amount, decimal Rate, long Commission);

    /// <summary>The rows as the database holds them, and the docs' definitions computed over them.</summary>
    private sealed class Raw
    {
        public sealed record RepRow(Guid Id, Guid? Plan);

        public sealed record OrderRow(Guid Id, Guid? Customer, string Status, DateTime Created, bool Inclusive, long Total);

        public sealed record RefundRow(Guid Id, Guid Order, long Amount, string Status, DateTime Created);

        public List<RepRow> Reps { get; } = [];
        public List<OrderRow> Orders { get; } = [];
        public List<(Guid Order, long LineTotal, long Discount, long Tax)> Lines { get; } = [];
        public List<(Guid Order, string Kind, DateTime At)> Timeline { get; } = [];
        public List<RefundRow> Refunds { get; } = [];
        public List<(Guid Refund, long Net)> RefundLines { get; } = [];
        public Dictionary<Guid, Guid?> CustomerCompany { get; } = [];
        public Dictionary<Guid, Guid?> CompanyOwner { get; } = [];
        public List<(Guid? Order, Guid? Owner, string Stage, DateTime? Closed)> Deals { get; } = [];
        public Dictionary<(Guid, string), long> Quotas { get; } = [];
        public Dictionary<Guid, (string Basis, long Rate)> Plans { get; } = [];
        public List<(Guid Rep, Guid? Plan, DateTime At)> Assignments { get; } = [];
        public List<(Guid Company, Guid? Owner, DateTime At)> OwnerChanges { get; } = [];
        public List<(Guid Plan, long From, long Rate)> Tiers { get; } = [];

        public static async Task<Raw> ReadAsync(TestStore store)
        {
            var raw = new Raw();
            await using var db = store.Db();
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync();
            await Each(connection, "SELECT id, commission_plan_id FROM sales_reps", r => raw.Reps.Add(new RepRow(G(r[0]), N(r[1]))));
            await Each(connection, "SELECT id, customer_id, status, created_at, prices_include_tax, total FROM orders",
                r => raw.Orders.Add(new OrderRow(G(r[0]), N(r[1]), (string)r[2], T(r[3]), Convert.ToBoolean(r[4], CultureInfo.InvariantCulture), L(r[5]))));
            await Each(connection, "SELECT order_id, line_total, discount_amount, tax_amount FROM order_lines", r => raw.Lines.Add((G(r[0]), L(r[1]), L(r[2]), L(r[3]))));
            await Each(connection, "SELECT order_id, kind, at FROM order_timeline", r => raw.Timeline.Add((G(r[0]), (string)r[1], T(r[2]))));
            await Each(connection, "SELECT id, order_id, amount, status, created_at FROM refunds", r => raw.Refunds.Add(new RefundRow(G(r[0]), G(r[1]), L(r[2]), (string)r[3], T(r[4]))));
            await Each(connection, "SELECT refund_id, net_amount FROM refund_lines", r => raw.RefundLines.Add((G(r[0]), L(r[1]))));
            await Each(connection, "SELECT id, company_id FROM customers", r => raw.CustomerCompany[G(r[0])] = N(r[1]));
            await Each(connection, "SELECT id, owner_rep_id FROM companies", r => raw.CompanyOwner[G(r[0])] = N(r[1]));
            await Each(connection, "SELECT order_id, owner_rep_id, stage, closed_at FROM sales_deals", r => raw.Deals.Add((N(r[0]), N(r[1]), (string)r[2], r[3] is DBNull ? null : T(r[3]))));
            await Each(connection, "SELECT rep_id, period, amount FROM sales_quotas", r => raw.Quotas[(G(r[0]), (string)r[1])] = L(r[2]));
            await Each(connection, "SELECT id, basis, rate FROM sales_commission_plans", r => raw.Plans[G(r[0])] = ((string)r[1], L(r[2])));
            await Each(connection, "SELECT plan_id, from_attainment, rate FROM sales_commission_plan_tiers", r => raw.Tiers.Add((G(r[0]), L(r[1]), L(r[2]))));
            await Each(connection, "SELECT rep_id, plan_id, at FROM sales_commission_plan_assignments", r => raw.Assignments.Add((G(r[0]), N(r[1]), T(r[2]))));
            await Each(connection, "SELECT company_id, owner_rep_id, at FROM company_owner_changes", r => raw.OwnerChanges.Add((G(r[0]), N(r[1]), T(r[2]))));
            return raw;
        }

        private static async Task Each(DbConnection connection, string sql, Action<object[]> row)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var values = new object[reader.FieldCount];
                reader.GetValues(values);
                row(values);
            }
        }

        private static Guid G(object v) => v is Guid g ? g : Guid.Parse((string)v);

        private static Guid? N(object v) => v is DBNull ? null : G(v);

        private static long L(object v) => Convert.ToInt64(v, CultureInfo.InvariantCulture);

        private static DateTime T(object v) => v switch
        {
            DateTime t => DateTime.SpecifyKind(t, DateTimeKind.Utc),
            DateTimeOffset o => o.UtcDateTime,
            string s => DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
            _ => throw new InvalidOperationException($"A time as {v.GetType()}"),
        };

        /// <summary>The won deal's owner, else the buyer's company's owner.</summary>
        private Guid? RepOf(OrderRow o)
        {
            var won = Deals.Where(d => d.Order == o.Id && d.Stage == "won" && d.Owner != null).OrderBy(d => d.Closed).FirstOrDefault();
            if (won.Owner is { } owner)
            {
                return owner;
            }

            return o.Customer is { } c && CustomerCompany.GetValueOrDefault(c) is { } company ? OwnerAt(company, o.Created) : null;
        }

        /// <summary>The owner of the latest change at or before the order, else the first owner; no change recorded: the current owner.</summary>
        private Guid? OwnerAt(Guid company, DateTime at)
        {
            var changes = OwnerChanges.Where(c => c.Company == company).OrderBy(c => c.At).ToList();
            var before = changes.Where(c => c.At <= at).ToList();
            return changes.Count == 0 ? CompanyOwner.GetValueOrDefault(company) : before.Count > 0 ? before[^1].Owner : changes[0].Owner;
        }

        /// <summary>The plan of the last assignment before the period's end; no assignment recorded: the rep's current plan.</summary>
        private Guid? PlanAt(RepRow rep, DateTime end)
        {
            var changes = Assignments.Where(a => a.Rep == rep.Id).OrderBy(a => a.At).ToList();
            return changes.Count == 0 ? rep.Plan : changes.LastOrDefault(a => a.At < end).Plan;
        }

        private long Net(OrderRow o) => Lines.Where(l => l.Order == o.Id).Sum(l => l.LineTotal - l.Discount - (o.Inclusive ? l.Tax : 0));

        private DateTime? PaidAt(OrderRow o) => Timeline.Where(t => t.Order == o.Id && t.Kind == "payment_captured").Select(t => (DateTime?)t.At).Min();

        private long RefundNet(RefundRow r, OrderRow o)
        {
            var lines = RefundLines.Where(l => l.Refund == r.Id).ToList();
            return lines.Count > 0 ? lines.Sum(l => l.Net) : (long)Math.Round((decimal)r.Amount * Net(o) / o.Total, MidpointRounding.AwayFromZero);
        }

        private IEnumerable<OrderRow> OrdersOf(Guid rep) => Orders.Where(o => o.Status != "cancelled" && RepOf(o) == rep);

        private IEnumerable<(OrderRow Order, RefundRow Refund)> RefundsOf(Guid rep) =>
            OrdersOf(rep).SelectMany(o => Refunds.Where(r => r.Order == o.Id && r.Status == "succeeded").Select(r => (o, r)));

        public long? Quota(Guid rep, string key)
        {
            if (Quotas.TryGetValue((rep, key), out var own))
            {
                return own;
            }

            if (!key.Contains('Q', StringComparison.Ordinal))
            {
                return null;
            }

            var months = new[] { "2026-10", "2026-11", "2026-12" }.Where(m => Quotas.ContainsKey((rep, m))).ToList();
            return months.Count == 0 ? null : months.Sum(m => Quotas[(rep, m)]);
        }

        public long Attained(Guid rep, DateTime start, DateTime end) =>
            OrdersOf(rep).Where(o => o.Created >= start && o.Created < end).Sum(Net)
            - RefundsOf(rep).Where(x => x.Refund.Created >= start && x.Refund.Created < end).Sum(x => RefundNet(x.Refund, x.Order));

        /// <summary>The plan's rate for the period: the highest tier at or below attained ÷ quota, else the base rate.</summary>
        public decimal Rate(RepRow rep, string key, DateTime start, DateTime end)
        {
            if (PlanAt(rep, end) is not { } plan)
            {
                return 0m;
            }

            var quota = Quota(rep.Id, key);
            var rate = Plans[plan].Rate;
            if (quota is { } q && q > 0)
            {
                var attainment = Attained(rep.Id, start, end) * 100m / q;
                foreach (var tier in Tiers.Where(t => t.Plan == plan).OrderBy(t => t.From))
                {
                    if (tier.From / 100m <= attainment)
                    {
                        rate = tier.Rate;
                    }
                }
            }

            return rate / 100m;
        }

        public List<ExpectedLine> Statement(RepRow rep, string key, DateTime start, DateTime end)
        {
            var basis = PlanAt(rep, end) is { } p ? Plans[p].Basis : "invoiced";
            DateTime? When(OrderRow o) => basis == "paid" ? PaidAt(o) : o.Created;
            var rate = Rate(rep, key, start, end);
            var result = new List<ExpectedLine>();
            foreach (var o in OrdersOf(rep.Id))
            {
                if (When(o) is { } at && at >= start && at < end)
                {
                    result.Add(new ExpectedLine(o.Id, "order", Net(o), rate, Commission(Net(o), rate)));
                }
            }

            foreach (var (o, r) in RefundsOf(rep.Id))
            {
                if (When(o) is not { } at || r.Created < start || r.Created >= end)
                {
                    continue;
                }

                // The order's own period of the same kind as this one.
                var (key2, s2, e2) = key.Contains('Q', StringComparison.Ordinal)
                    ? ("2026-Q4", start, end)
                    : (at.ToString("yyyy-MM", CultureInfo.InvariantCulture), new DateTime(at.Year, at.Month, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(at.Year, at.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1));
                var orderRate = Rate(rep, key2, s2, e2);
                result.Add(new ExpectedLine(o.Id, "refund", -RefundNet(r, o), orderRate, Commission(-RefundNet(r, o), orderRate)));
            }

            return result;
        }

        private static long Commission(long amount, decimal rate) => (long)Math.Round(amount * rate / 100m, MidpointRounding.AwayFromZero);
    }
}
