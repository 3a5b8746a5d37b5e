using Storekeep.Access;

namespace Storekeep.Web.Admin;

/// <summary>
/// Authorization policies for signed-in staff, one per permission in <see cref="StorekeepModules.PermissionGrants"/>
/// (the same table the API uses), checked by the server on every page and every action.
/// Use as <c>@attribute [Authorize(Policy = StaffPolicies.OrdersRead)]</c>.
/// </summary>
public static class StaffPolicies
{
    public const string Prefix = "staff:";
    public const string AnyStaff = "staff";

    public const string CatalogWrite = Prefix + Permissions.CatalogWrite;
    public const string InventoryRead = Prefix + Permissions.InventoryRead;
    public const string InventoryWrite = Prefix + Permissions.InventoryWrite;
    public const string OrdersRead = Prefix + Permissions.OrdersRead;
    public const string OrdersManage = Prefix + Permissions.OrdersManage;
    public const string FulfillmentWrite = Prefix + Permissions.FulfillmentWrite;
    public const string ReturnsCreate = Prefix + Permissions.ReturnsCreate;
    public const string RefundsCreate = Prefix + Permissions.RefundsCreate;
    public const string CustomersRead = Prefix + Permissions.CustomersRead;
    public const string EventsRead = Prefix + Permissions.EventsRead;
    public const string WebhooksManage = Prefix + Permissions.WebhooksManage;
    public const string SettingsManage = Prefix + Permissions.SettingsManage;
    public const string ApiKeysManage = Prefix + Permissions.ApiKeysManage;
    public const string UsersManage = Prefix + Permissions.UsersManage;
    public const string AuditRead = Prefix + Permissions.AuditRead;
    public const string MessagesRead = Prefix + Permissions.MessagesRead;
    public const string MessagesManage = Prefix + Permissions.MessagesManage;

    public static string For(string permission) => Prefix + permission;
}
