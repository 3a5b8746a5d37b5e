using Storekeep.Access;

namespace Storekeep.Tests.Api;

/// <summary>One line of <see cref="AccessTable"/>: who may call an endpoint, and by which permission.</summary>
public sealed record ExpectedAccess(string Method, string Route, string Permission, IReadOnlySet<Role> Roles)
{
    public bool IsPublic => Permission == AccessTable.Public;

    public string Key => $"{Method} {ApiSurface.NormalizePath(Route)}";

    public override string ToString() => $"{Method} {Route}";
}

/// <summary>
/// Who may call each API endpoint, written by hand and never generated: the permission matrix holds
/// the server's answers and the endpoints' metadata (with the roles the modules grant) against it, so
/// changing a grant or an endpoint's permission in the code fails a test until this table says the
/// same. A new endpoint needs its line here. One line per endpoint: method, route, the permission it
/// demands (or <c>public</c>: anyone, without a key), and the roles that get past authorization.
/// </summary>
public static class AccessTable
{
    public const string Public = "public";

    private const string Table = """
        GET    /api/v1/analytics/dashboard                         orders.read       owner manager sales warehouse support
        GET    /api/v1/analytics/kpis                              analytics.read    owner manager
        GET    /api/v1/analytics/cohorts                           analytics.read    owner manager
        GET    /api/v1/analytics/customers                         analytics.read    owner manager
        GET    /api/v1/analytics/fulfillment                       analytics.read    owner manager
        GET    /api/v1/analytics/funnel                            analytics.read    owner manager
        GET    /api/v1/analytics/acquisition                       marketing.read    owner manager marketing
        GET    /api/v1/api-keys                                    api_keys.manage   owner
        POST   /api/v1/api-keys                                    api_keys.manage   owner
        DELETE /api/v1/api-keys/{id}                               api_keys.manage   owner
        GET    /api/v1/campaigns                                   campaigns.read    owner manager marketing
        POST   /api/v1/campaigns                                   campaigns.write   owner manager marketing
        GET    /api/v1/campaigns/{id}                              campaigns.read    owner manager marketing
        PUT    /api/v1/campaigns/{id}                              campaigns.write   owner manager marketing
        POST   /api/v1/campaigns/{id}/send                         campaigns.write   owner manager marketing
        POST   /api/v1/campaigns/{id}/cancel                       campaigns.write   owner manager marketing
        POST   /api/v1/campaigns/{id}/preview                      campaigns.read    owner manager marketing
        POST   /api/v1/campaigns/{id}/test                         campaigns.write   owner manager marketing
        POST   /api/v1/carts                                       public
        GET    /api/v1/carts/{cartId}                              public
        PATCH  /api/v1/carts/{cartId}                              public
        POST   /api/v1/carts/{cartId}/payment-intent               public
        POST   /api/v1/carts/{cartId}/checkout                     public
        POST   /api/v1/carts/{cartId}/items                        public
        POST   /api/v1/carts/{cartId}/discount-codes               public
        DELETE /api/v1/carts/{cartId}/discount-codes/{code}        public
        POST   /api/v1/carts/{cartId}/loyalty-redemption           public
        DELETE /api/v1/carts/{cartId}/loyalty-redemption           public
        PATCH  /api/v1/carts/{cartId}/items/{sku}                  public
        DELETE /api/v1/carts/{cartId}/items/{sku}                  public
        POST   /api/v1/carts/{cartId}/quote                        public
        GET    /api/v1/categories                                  public
        POST   /api/v1/categories                                  catalog.write     owner manager marketing
        GET    /api/v1/companies                                   sales.read        owner manager sales
        POST   /api/v1/companies                                   sales.write       owner manager sales
        GET    /api/v1/companies/{id}                              sales.read        owner manager sales
        PATCH  /api/v1/companies/{id}                              sales.write       owner manager sales
        POST   /api/v1/companies/{id}/buyers                       sales.write       owner manager sales
        GET    /api/v1/customers                                   customers.read    owner manager sales support marketing
        GET    /api/v1/customers/{id}                              customers.read    owner manager sales support marketing
        POST   /api/v1/customers                                   customers.write   owner manager support marketing
        GET    /api/v1/customers/export                            customers.read    owner manager sales support marketing
        POST   /api/v1/customers/import                            customers.write   owner manager support marketing
        PATCH  /api/v1/customers/{id}                              customers.write   owner manager support marketing
        POST   /api/v1/customers/rfm/score                         customers.write   owner manager support marketing
        GET    /api/v1/customers/{id}/timeline                     customers.read    owner manager sales support marketing
        GET    /api/v1/customers/{id}/loyalty                      loyalty.read      owner manager support marketing
        POST   /api/v1/customers/{id}/loyalty/adjustments          loyalty.write     owner manager marketing
        GET    /api/v1/discounts                                   discounts.read    owner manager marketing
        POST   /api/v1/discounts                                   discounts.write   owner manager marketing
        GET    /api/v1/discounts/{id}                              discounts.read    owner manager marketing
        PATCH  /api/v1/discounts/{id}                              discounts.write   owner manager marketing
        POST   /api/v1/discounts/{id}/deactivate                   discounts.write   owner manager marketing
        GET    /api/v1/events                                      events.read       owner manager
        GET    /api/v1/experiments                                 experiments.read  owner manager marketing
        POST   /api/v1/experiments                                 experiments.write owner manager marketing
        GET    /api/v1/experiments/{id}                            experiments.read  owner manager marketing
        GET    /api/v1/experiments/{id}/results                    experiments.read  owner manager marketing
        POST   /api/v1/experiments/{id}/start                      experiments.write owner manager marketing
        POST   /api/v1/experiments/{id}/stop                       experiments.write owner manager marketing
        POST   /api/v1/inventory/adjustments                       inventory.write   owner manager warehouse
        GET    /api/v1/inventory/low-stock                         inventory.read    owner manager sales warehouse support
        GET    /api/v1/inventory/movements                         inventory.read    owner manager sales warehouse support
        POST   /api/v1/inventory/transfers                         inventory.write   owner manager warehouse
        GET    /api/v1/inventory/{sku}                             inventory.read    owner manager sales warehouse support
        PATCH  /api/v1/inventory/{sku}/warehouses/{code}           inventory.write   owner manager warehouse
        GET    /api/v1/invoices                                    invoices.read     owner manager sales support
        GET    /api/v1/invoices/aging                              invoices.read     owner manager sales support
        GET    /api/v1/invoices/{id}                               invoices.read     owner manager sales support
        POST   /api/v1/invoices/{id}/payments                      invoices.write    owner manager
        GET    /api/v1/loyalty/program                             loyalty.read      owner manager support marketing
        GET    /api/v1/marketing/spend                             marketing.read    owner manager marketing
        GET    /api/v1/marketing/abandoned-carts                   marketing.read    owner manager marketing
        PUT    /api/v1/marketing/abandoned-carts                   marketing.write   owner manager marketing
        GET    /api/v1/marketing/abandoned-carts/report            marketing.read    owner manager marketing
        POST   /api/v1/marketing/spend                             marketing.write   owner manager marketing
        POST   /api/v1/marketing/spend/import                      marketing.write   owner manager marketing
        PUT    /api/v1/loyalty/program                             loyalty.write     owner manager marketing
        GET    /api/v1/message-templates                           messages.manage   owner manager marketing
        GET    /api/v1/message-templates/{key}                     messages.manage   owner manager marketing
        PUT    /api/v1/message-templates/{key}                     messages.manage   owner manager marketing
        DELETE /api/v1/message-templates/{key}                     messages.manage   owner manager marketing
        POST   /api/v1/message-templates/{key}/preview             messages.manage   owner manager marketing
        GET    /api/v1/messages                                    messages.read     owner manager support marketing
        GET    /api/v1/messages/{id}                               messages.read     owner manager support marketing
        POST   /api/v1/messages/{id}/retry                         messages.manage   owner manager marketing
        GET    /api/v1/orders                                      orders.read       owner manager sales warehouse support
        POST   /api/v1/orders/import                               orders.import     owner manager
        GET    /api/v1/orders/export                               orders.read       owner manager sales warehouse support
        GET    /api/v1/orders/{id}                                 orders.read       owner manager sales warehouse support
        POST   /api/v1/orders/{id}/cancel                          orders.manage     owner manager sales support
        GET    /api/v1/orders/{id}/payments                        orders.read       owner manager sales warehouse support
        POST   /api/v1/orders/{id}/payments/{paymentId}/capture    orders.manage     owner manager sales support
        GET    /api/v1/orders/{id}/refunds                         orders.read       owner manager sales warehouse support
        POST   /api/v1/orders/{id}/refunds                         refunds.create    owner manager support
        GET    /api/v1/orders/{id}/returns                         orders.read       owner manager sales warehouse support
        POST   /api/v1/orders/{id}/returns                         returns.create    owner manager warehouse support
        GET    /api/v1/orders/{id}/shipments                       orders.read       owner manager sales warehouse support
        POST   /api/v1/orders/{id}/shipments                       fulfillment.write owner manager warehouse
        POST   /api/v1/orders/{id}/shipments/{shipmentId}/deliver  fulfillment.write owner manager warehouse
        POST   /api/v1/payments/stripe/webhook                     public
        GET    /api/v1/pick-lists                                  fulfillment.write owner manager warehouse
        POST   /api/v1/pick-lists/scans                            fulfillment.write owner manager warehouse
        GET    /api/v1/planning/abc                                planning.read     owner manager
        GET    /api/v1/planning/forecast                           planning.read     owner manager
        GET    /api/v1/planning/forecast-accuracy                  planning.read     owner manager
        GET    /api/v1/planning/inventory-health                   planning.read     owner manager
        GET    /api/v1/planning/replenishment                      planning.read     owner manager
        POST   /api/v1/planning/replenishment/purchase-orders      purchasing.write  owner manager
        GET    /api/v1/products                                    public
        POST   /api/v1/products                                    catalog.write     owner manager marketing
        GET    /api/v1/products/export                             catalog.write     owner manager marketing
        POST   /api/v1/products/import                             catalog.write     owner manager marketing
        GET    /api/v1/products/{idOrSlug}                         public
        GET    /api/v1/products/{sku}/also-bought                  public
        PATCH  /api/v1/products/{id}                               catalog.write     owner manager marketing
        POST   /api/v1/products/{id}/archive                       catalog.write     owner manager marketing
        GET    /api/v1/recommendations/pairs                       recommendations.read   owner manager marketing
        POST   /api/v1/recommendations/rebuild                     recommendations.write  owner manager marketing
        GET    /api/v1/purchase-orders                             purchasing.read   owner manager warehouse
        POST   /api/v1/purchase-orders                             purchasing.write  owner manager
        GET    /api/v1/purchase-orders/{id}                        purchasing.read   owner manager warehouse
        POST   /api/v1/purchase-orders/{id}/cancel                 purchasing.write  owner manager
        POST   /api/v1/purchase-orders/{id}/receipts               purchasing.receive owner manager warehouse
        POST   /api/v1/purchase-orders/{id}/send                   purchasing.write  owner manager
        POST   /api/v1/refunds/{refundId}/retry                    refunds.create    owner manager support
        GET    /api/v1/returns/{returnId}                          orders.read       owner manager sales warehouse support
        POST   /api/v1/returns/{returnId}/receive                  fulfillment.write owner manager warehouse
        GET    /api/v1/price-lists                                 price_lists.read  owner manager sales
        POST   /api/v1/price-lists                                 price_lists.write owner manager
        GET    /api/v1/price-lists/{id}                            price_lists.read  owner manager sales
        PUT    /api/v1/price-lists/{id}                            price_lists.write owner manager
        GET    /api/v1/price-lists/{id}/prices                     price_lists.read  owner manager sales
        POST   /api/v1/sales/activities/{id}/done                  sales.write       owner manager sales
        GET    /api/v1/sales/activities                            sales.read        owner manager sales
        GET    /api/v1/sales/commission-plans                      sales.manage      owner manager
        POST   /api/v1/sales/commission-plans                      sales.manage      owner manager
        PATCH  /api/v1/sales/commission-plans/{id}                 sales.manage      owner manager
        DELETE /api/v1/sales/commission-plans/{id}                 sales.manage      owner manager
        GET    /api/v1/sales/commissions                           sales.manage      owner manager
        GET    /api/v1/sales/deals                                 sales.read        owner manager sales
        POST   /api/v1/sales/deals                                 sales.write       owner manager sales
        GET    /api/v1/sales/deals/{id}                            sales.read        owner manager sales
        PATCH  /api/v1/sales/deals/{id}                            sales.write       owner manager sales
        POST   /api/v1/sales/deals/{id}/activities                 sales.write       owner manager sales
        GET    /api/v1/sales/deals/{id}/history                    sales.read        owner manager sales
        POST   /api/v1/sales/deals/{id}/lose                       sales.write       owner manager sales
        POST   /api/v1/sales/deals/{id}/stage                      sales.write       owner manager sales
        POST   /api/v1/sales/deals/{id}/win                        sales.write       owner manager sales
        GET    /api/v1/sales/quotes                                sales.read        owner manager sales
        POST   /api/v1/sales/quotes                                sales.write       owner manager sales
        GET    /api/v1/sales/quotes/{id}                           sales.read        owner manager sales
        PUT    /api/v1/sales/quotes/{id}                           sales.write       owner manager sales
        POST   /api/v1/sales/quotes/{id}/accept                    sales.write       owner manager sales
        POST   /api/v1/sales/quotes/{id}/decline                   sales.write       owner manager sales
        POST   /api/v1/sales/quotes/{id}/payment-intent            sales.write       owner manager sales
        POST   /api/v1/sales/quotes/{id}/send                      sales.write       owner manager sales
        GET    /api/v1/sales/forecast-accuracy                     sales.read        owner manager sales
        GET    /api/v1/sales/metrics                               sales.read        owner manager sales
        GET    /api/v1/sales/quotas                                sales.read        owner manager sales
        PUT    /api/v1/sales/quotas                                sales.manage      owner manager
        GET    /api/v1/sales/reps                                  sales.read        owner manager sales
        POST   /api/v1/sales/reps                                  sales.manage      owner manager
        PUT    /api/v1/sales/reps/{id}/commission-plan             sales.manage      owner manager
        GET    /api/v1/sales/reps/{id}/commission-plans            sales.manage      owner manager
        GET    /api/v1/sales/stages                                sales.read        owner manager sales
        PUT    /api/v1/sales/stages                                sales.manage      owner manager
        GET    /api/v1/sales/teams                                 sales.read        owner manager sales
        POST   /api/v1/sales/teams                                 sales.manage      owner manager
        GET    /api/v1/sales/territories                           sales.read        owner manager sales
        POST   /api/v1/sales/territories                           sales.manage      owner manager
        GET    /api/v1/segments                                    segments.read     owner manager marketing
        POST   /api/v1/segments                                    segments.write    owner manager marketing
        GET    /api/v1/segments/{id}                               segments.read     owner manager marketing
        GET    /api/v1/segments/{id}/customers                     segments.read     owner manager marketing
        GET    /api/v1/settings/payments                           settings.manage   owner manager
        PATCH  /api/v1/settings/payments                           settings.manage   owner manager
        GET    /api/v1/settings/store                              settings.manage   owner manager
        PATCH  /api/v1/settings/store                              settings.manage   owner manager
        GET    /api/v1/shipping-methods                            settings.manage   owner manager
        POST   /api/v1/shipping-methods                            settings.manage   owner manager
        POST   /api/v1/sms/inbound                                 public
        GET    /api/v1/suppliers                                   purchasing.read   owner manager warehouse
        POST   /api/v1/suppliers                                   purchasing.write  owner manager
        GET    /api/v1/suppliers/{id}                              purchasing.read   owner manager warehouse
        POST   /api/v1/suppliers/{id}/products                     purchasing.write  owner manager
        POST   /api/v1/support/inbound-email                       public
        GET    /api/v1/support/sla-policies                        tickets.read      owner manager support
        PUT    /api/v1/support/sla-policies                        tickets.write     owner manager support
        GET    /api/v1/tax-rates                                   settings.manage   owner manager
        POST   /api/v1/tax-rates                                   settings.manage   owner manager
        GET    /api/v1/tickets                                     tickets.read      owner manager support
        POST   /api/v1/tickets                                     tickets.write     owner manager support
        GET    /api/v1/tickets/report                              tickets.read      owner manager support
        GET    /api/v1/tickets/{id}                                tickets.read      owner manager support
        PATCH  /api/v1/tickets/{id}                                tickets.write     owner manager support
        POST   /api/v1/tickets/{id}/messages                       tickets.write     owner manager support
        GET    /api/v1/warehouses                                  inventory.read    owner manager sales warehouse support
        POST   /api/v1/warehouses                                  inventory.write   owner manager warehouse
        GET    /api/v1/webhooks                                    webhooks.manage   owner manager
        POST   /api/v1/webhooks                                    webhooks.manage   owner manager
        GET    /api/v1/webhooks/{id}                               webhooks.manage   owner manager
        DELETE /api/v1/webhooks/{id}                               webhooks.manage   owner manager
        GET    /api/v1/webhooks/{id}/deliveries                    webhooks.manage   owner manager
        POST   /api/v1/webhooks/{id}/deliveries/{deliveryId}/retry webhooks.manage   owner manager
        GET    /health                                             public
        """;

    public static IReadOnlyList<ExpectedAccess> Entries { get; } = Parse(Table);

    public static ExpectedAccess? Find(string method, string route) =>
        Entries.FirstOrDefault(e => e.Key == $"{method} {ApiSurface.NormalizePath(route)}");

    /// <summary>The line this table would need for an endpoint, as its metadata describes it.</summary>
    public static string LineFor(EndpointAccess endpoint) =>
        endpoint.Anonymous
            ? $"{endpoint.Method} {endpoint.Route} {Public}"
            : $"{endpoint.Method} {endpoint.Route} {string.Join(",", endpoint.Permissions)} {string.Join(" ", endpoint.Roles.Select(Permissions.RoleName))}";

    private static List<ExpectedAccess> Parse(string table)
    {
        var entries = new List<ExpectedAccess>();
        foreach (var line in table.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var roles = words.Skip(3).Select(word => Permissions.TryParseRole(word, out var role)
                ? role
                : throw new InvalidOperationException($"Unknown role '{word}' in the access table: {line}")).ToHashSet();
            if (words[2] == Public && roles.Count > 0)
            {
                throw new InvalidOperationException($"A public endpoint lists no roles: {line}");
            }

            entries.Add(new ExpectedAccess(words[0], words[1], words[2], roles));
        }

        return entries;
    }
}
