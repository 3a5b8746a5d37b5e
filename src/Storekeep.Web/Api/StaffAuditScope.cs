using Storekeep.Access;
using Storekeep.Audit;

namespace Storekeep.Web.Api;

/// <summary>
/// Requests made with an API key or by signed-in staff are audited: every change they save is
/// written to the audit log under their name. Shoppers' requests are not (their orders have their
/// own timeline).
/// </summary>
public sealed class StaffAuditScope(RequestDelegate next)
{
    private static readonly string[] StaffRoles = Enum.GetValues<Role>().Select(Permissions.RoleName).ToArray();

    public async Task InvokeAsync(HttpContext context)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated == true && StaffRoles.Any(user.IsInRole))
        {
            using (AuditScope.Begin(user.Actor()))
            {
                await next(context);
            }
        }
        else
        {
            await next(context);
        }
    }
}
