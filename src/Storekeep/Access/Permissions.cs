namespace Storekeep.Access;

/// <summary>
/// What each role may do. Endpoints name a permission; this table is the single source of truth
/// (also printed in docs/permissions.md and tested in full).
/// </summary>
public static class Permissions
{
    public const string CatalogWrite = "catalog.write";
    public const string InventoryRead = "inventory.read";
    public const string InventoryWrite = "inventory.write";
    public const string OrdersRead = "orders.read";
    public const string OrdersManage = "orders.manage";
    public const string FulfillmentWrite = "fulfillment.write";
    public const string ReturnsCreate = "returns.create";
    public const string RefundsCreate = "refunds.create";
    public const string CustomersRead = "customers.read";
    public const string EventsRead = "events.read";
    public const string WebhooksManage = "webhooks.manage";
    public const string SettingsManage = "settings.manage";
    public const string ApiKeysManage = "api_keys.manage";
    public const string UsersManage = "users.manage";
    public const string AuditRead = "audit.read";
    public const string MessagesRead = "messages.read";
    public const string MessagesManage = "messages.manage";

    public static readonly IReadOnlyDictionary<string, Role[]> Grants = new Dictionary<string, Role[]>
    {
        [CatalogWrite] = [Role.Owner, Role.Manager, Role.Marketing],
        [InventoryRead] = [Role.Owner, Role.Manager, Role.Warehouse, Role.Sales, Role.Support],
        [InventoryWrite] = [Role.Owner, Role.Manager, Role.Warehouse],
        [OrdersRead] = [Role.Owner, Role.Manager, Role.Sales, Role.Warehouse, Role.Support],
        [OrdersManage] = [Role.Owner, Role.Manager, Role.Sales, Role.Support],
        [FulfillmentWrite] = [Role.Owner, Role.Manager, Role.Warehouse],
        [ReturnsCreate] = [Role.Owner, Role.Manager, Role.Support, Role.Warehouse],
        [RefundsCreate] = [Role.Owner, Role.Manager, Role.Support],
        [CustomersRead] = [Role.Owner, Role.Manager, Role.Sales, Role.Support, Role.Marketing],
        [EventsRead] = [Role.Owner, Role.Manager],
        [WebhooksManage] = [Role.Owner, Role.Manager],
        [SettingsManage] = [Role.Owner, Role.Manager],
        [ApiKeysManage] = [Role.Owner],
        [UsersManage] = [Role.Owner],
        [AuditRead] = [Role.Owner, Role.Manager],
        [MessagesRead] = [Role.Owner, Role.Manager, Role.Support, Role.Marketing],
        [MessagesManage] = [Role.Owner, Role.Manager, Role.Marketing],
    };

    public static string RoleName(Role role) => role.ToString().ToLowerInvariant();

    public static bool TryParseRole(string? text, out Role role) =>
        Enum.TryParse(text, ignoreCase: true, out role) && Enum.IsDefined(role) && !int.TryParse(text, out _);
}
