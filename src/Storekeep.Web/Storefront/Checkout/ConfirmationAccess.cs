using Microsoft.AspNetCore.DataProtection;

namespace Storekeep.Web.Storefront.Checkout;

/// <summary>
/// Which orders this browser placed in the last day: a signed and encrypted cookie listing their
/// ids, so an order's confirmation page opens for the browser that placed it and for nobody
/// guessing order numbers.
/// </summary>
public static class ConfirmationAccess
{
    public const string CookieName = "storekeep.placed";
    private const int MaxOrders = 5;
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    public static void Grant(HttpContext http, Guid orderId)
    {
        var ids = Read(http).Where(id => id != orderId).Prepend(orderId).Take(MaxOrders);
        var protector = Protector(http);
        var value = protector.Protect(string.Join(',', ids.Select(id => id.ToString("N"))), Lifetime);
        http.Response.Cookies.Append(CookieName, value, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = http.Request.IsHttps,
            Path = "/checkout",
            IsEssential = true,
            MaxAge = Lifetime,
        });
    }

    public static bool Allows(HttpContext http, Guid orderId) => Read(http).Contains(orderId);

    private static IReadOnlyList<Guid> Read(HttpContext http)
    {
        if (http.Request.Cookies[CookieName] is not { Length: > 0 } value)
        {
            return [];
        }

        try
        {
            return Protector(http).Unprotect(value).Split(',')
                .Select(text => Guid.TryParseExact(text, "N", out var id) ? id : Guid.Empty)
                .Where(id => id != Guid.Empty).ToList();
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return [];
        }
    }

    private static ITimeLimitedDataProtector Protector(HttpContext http) =>
        http.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector("Storekeep.Storefront.Confirmation").ToTimeLimitedDataProtector();
}
