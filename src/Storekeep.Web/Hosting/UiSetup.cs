using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using MudBlazor.Services;
using Storekeep.Access;
using Storekeep.Accounts;
using Storekeep.Data;
using Storekeep.Web.Admin;
using Storekeep.Web.Admin.CatalogImport;
using Storekeep.Web.Api;
using Storekeep.Web.Components;
using Storekeep.Web.Storefront;

namespace Storekeep.Web.Hosting;

/// <summary>
/// The web interface: the storefront (static server rendering) and the back office at /admin
/// (interactive server rendering with MudBlazor), signed in with ASP.NET Core Identity cookies.
/// </summary>
public static class UiSetup
{
    /// <summary>Picks the API key handler when a request carries a bearer token, the Identity cookie otherwise.</summary>
    public const string SelectingScheme = "Storekeep";

    private const string AccessDeniedHtml = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Not allowed · Storekeep</title><link rel="stylesheet" href="/css/admin.css"></head>
        <body><main class="bare"><section class="access-denied" role="alert"><h1>Not allowed</h1>
        <p>Your role does not give you access to this page. Ask the store owner if you need it.</p>
        <p><a href="/admin">Back to the dashboard</a></p></section></main></body></html>
        """;

    public static IServiceCollection AddStorekeepUi(this IServiceCollection services)
    {
        // Cookies are marked Secure whenever the request came over HTTPS (directly or through a
        // TLS-terminating proxy that sets X-Forwarded-Proto, with ASPNETCORE_FORWARDEDHEADERS_ENABLED=true);
        // plain HTTP remains for the laptop demo.
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddCascadingAuthenticationState();
        // An open back-office tab re-checks its user's security stamp (role removed, locked, deleted).
        services.AddScoped<AuthenticationStateProvider, Admin.Account.StaffRevalidatingAuthenticationStateProvider>();

        services.AddIdentityCore<UserAccount>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 10;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequireUppercase = false;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                options.SignIn.RequireConfirmedAccount = false;
                options.Tokens.PasswordResetTokenProvider = PasswordResetTokenProvider.ProviderName;
            })
            .AddRoles<UserRole>()
            .AddEntityFrameworkStores<StorekeepDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders()
            .AddTokenProvider<PasswordResetTokenProvider>(PasswordResetTokenProvider.ProviderName);

        // Keys in the database so every app node can read the cookies the others wrote.
        services.AddDataProtection().SetApplicationName("storekeep").PersistKeysToDbContext<StorekeepDbContext>();

        services.AddAuthentication(options =>
            {
                options.DefaultScheme = SelectingScheme;
                options.DefaultChallengeScheme = SelectingScheme;
            })
            .AddPolicyScheme(SelectingScheme, "API key or sign-in cookie", options => options.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.Count > 0 ? ApiKeyAuthenticationHandler.SchemeName : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddIdentityCookies();

        services.ConfigureApplicationCookie(options =>
        {
            options.Cookie.Name = "storekeep.auth";
            options.Cookie.HttpOnly = true;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.ExpireTimeSpan = TimeSpan.FromHours(12);
            options.SlidingExpiration = true;
            options.LoginPath = "/account/login";
            options.AccessDeniedPath = "/admin/access-denied";
            // Staff sign in at /admin/login, shoppers at /account/login.
            options.Events.OnRedirectToLogin = context =>
            {
                var login = context.Request.Path.StartsWithSegments("/admin") ? "/admin/login" : "/account/login";
                context.Response.Redirect(login + "?returnUrl=" + Uri.EscapeDataString(context.Request.PathBase + context.Request.Path + context.Request.QueryString));
                return Task.CompletedTask;
            };
            options.Events.OnRedirectToAccessDenied = context =>
            {
                // A forbidden page answers 403 with a page saying so, not a redirect that looks like success.
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                context.Response.ContentType = "text/html; charset=utf-8";
                return context.Response.WriteAsync(AccessDeniedHtml);
            };
        });
        foreach (var scheme in new[] { IdentityConstants.TwoFactorUserIdScheme, IdentityConstants.TwoFactorRememberMeScheme, IdentityConstants.ExternalScheme })
        {
            services.Configure<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>(scheme, options =>
            {
                options.Cookie.HttpOnly = true;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.Cookie.SameSite = SameSiteMode.Lax;
            });
        }

        // Role changes, lockouts and password resets reach signed-in sessions within a minute.
        services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = TimeSpan.FromMinutes(1));

        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "storekeep.csrf";
            options.Cookie.HttpOnly = true;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.Cookie.SameSite = SameSiteMode.Strict;
        });

        services.AddScoped<StaffAuthorization>();
        return services;
    }

    public static AuthorizationBuilder AddStaffPolicies(this AuthorizationBuilder authorization)
    {
        authorization.AddPolicy(StaffPolicies.AnyStaff, policy => policy
            .AddAuthenticationSchemes(IdentityConstants.ApplicationScheme)
            .RequireAuthenticatedUser()
            .RequireRole(Enum.GetValues<Role>().Select(Permissions.RoleName)));
        foreach (var (permission, roles) in StorekeepModules.PermissionGrants)
        {
            authorization.AddPolicy(StaffPolicies.For(permission), policy => policy
                .AddAuthenticationSchemes(IdentityConstants.ApplicationScheme)
                .RequireAuthenticatedUser()
                .RequireRole(roles.Select(Permissions.RoleName)));
        }

        return authorization;
    }

    public static WebApplication MapStorekeepUi(this WebApplication app)
    {
        app.MapStaticAssets();
        // Browsers ask for /favicon.ico on any page that names no icon (the bare 403 page, JSON
        // opened in a tab); the answer is the store's icon, not a 404 in every console.
        app.MapGet("/favicon.ico", () => Results.Redirect("/favicon.svg", permanent: true)).AllowAnonymous().ExcludeFromDescription();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapAdminAccountEndpoints();
        app.MapStorekeepPages();
        return app;
    }
}
