using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Storekeep.Data;

namespace Storekeep.Web.Hosting;

public static class StartupBanner
{
    public static void Print(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var (provider, _) = DatabaseSetup.Resolve(app.Configuration);
        var first = addresses.FirstOrDefault() ?? "http://localhost:5000";
        Console.WriteLine();
        Console.WriteLine($"  Storekeep is running on {provider.ToString().ToLowerInvariant()}.");
        Console.WriteLine($"  Open {first}/ for the shop, {first}/admin for the back office, {first}/api/docs for the API reference.");
        if (app.Services.GetRequiredService<DemoSignIn>().Password is { } demoPassword)
        {
            Console.WriteLine($"  Demo back-office accounts: {DemoStaff.Email(Storekeep.Access.Role.Owner)} (and manager@, sales@, warehouse@, support@, marketing@), password {demoPassword}");
            Console.WriteLine($"  Demo company buyer (shop sign-in, Wholesale prices, pays on terms): {Storekeep.Demo.DemoCredentials.BuyerEmail}, same password");
            Console.WriteLine("  (random for this database; the demo accounts are for trying Storekeep, not for a live store)");
        }

        if (Storekeep.Payments.PaymentGatewaySelection.IsTestMode(app.Configuration))
        {
            Console.WriteLine("  Payments are in test mode (Payments:Gateway=test): no real money moves.");
        }

        Console.WriteLine("  Press Ctrl+C to stop.");
        Console.WriteLine();
    }
}
