using Storekeep.Web.Cli;
using Storekeep.Web.Hosting;

if (StorekeepCli.IsCommand(args))
{
    return await StorekeepCli.RunAsync(args);
}

var app = StorekeepApp.Build(args);
app.Lifetime.ApplicationStarted.Register(() => StartupBanner.Print(app));
await app.RunAsync();
return 0;

/// <summary>The entry point, named so tests can host it with WebApplicationFactory.</summary>
public partial class Program;
