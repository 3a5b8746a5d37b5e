namespace Storekeep.Access;

/// <summary>
/// The names of the permissions endpoints and pages require. Which roles hold each is declared by
/// the capability's module (<c>StorekeepModule.Permissions</c>), printed in docs/permissions.md and
/// tested in full. A new capability declares its permission names in its own folder.
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

    public static string RoleName(Role role) => role.ToString().ToLowerInvariant();

    public static bool TryParseRole(string? text, out Role role) =>
        Enum.TryParse(text, ignoreCase: true, out role) && Enum.IsDefined(role) && !int.TryParse(text, out _);
}
