namespace Storekeep.Web.Cli;

/// <summary>The commands besides serving: migrate, seed-demo, create-api-key.</summary>
public static class StorekeepCli
{
    private static readonly string[] Commands = ["migrate", "seed-demo", "create-api-key", "--help", "-h", "help"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Commands.Contains(args[0], StringComparer.Ordinal);

    public static Task<int> RunAsync(string[] args)
    {
        Console.WriteLine("storekeep: commands are being added (migrate, seed-demo, create-api-key).");
        return Task.FromResult(args.Length > 0 ? 0 : 1);
    }
}
