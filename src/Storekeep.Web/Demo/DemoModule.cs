using Storekeep.Demo;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Demo;

/// <summary>The demo store: a realistic catalog and a year of history on first start.</summary>
public sealed class DemoModule : StorekeepModule
{
    public override string Name => "Demo";

    public override void AddServices(IServiceCollection services, IConfiguration configuration) =>
        services.AddScoped<DemoStoreSeeder>();
}
