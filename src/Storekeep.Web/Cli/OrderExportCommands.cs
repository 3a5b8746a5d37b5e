using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Shared;

namespace Storekeep.Web.Cli;

/// <summary>
/// <c>storekeep orders export FILE.csv [--from DATE] [--to DATE] [--status STATUS] [--lines]</c>: orders with
/// their discounts as CSV, as <c>GET /api/v1/orders/export</c> writes them (docs/analytics.md, "Order export").
/// </summary>
internal static class OrderExportCommands
{
    public static void Add(RootCommand root, IReadOnlyDictionary<string, string?>? configuration, IAnsiConsole console)
    {
        var file = new Argument<FileInfo>("file") { Description = "Where to write the CSV (replaced if it exists)." };
        var from = new Option<string?>("--from") { Description = "First day of placement, UTC (yyyy-MM-dd), included.", HelpName = "date" };
        var to = new Option<string?>("--to") { Description = "Last day of placement, UTC (yyyy-MM-dd), included.", HelpName = "date" };
        var status = new Option<string?>("--status") { Description = "Only orders with this status.", HelpName = "open|cancelled|completed" };
        var lines = new Option<bool>("--lines") { Description = "One row per order line instead of one per order." };
        var export = new Command("export", "Export orders with their discounts as CSV.") { file, from, to, status, lines };
        export.SetAction((parsed, ct) => StorekeepCli.GuardAsync(console, () =>
            ExportAsync(configuration, console, parsed.GetValue(file)!,
                new OrderExportFilter(parsed.GetValue(from), parsed.GetValue(to), parsed.GetValue(status), parsed.GetValue(lines) ? "true" : null), ct)));

        root.Subcommands.Add(new Command("orders", "Orders out as CSV.") { export });
    }

    private static async Task<int> ExportAsync(IReadOnlyDictionary<string, string?>? configuration, IAnsiConsole console, FileInfo file, OrderExportFilter filter, CancellationToken ct)
    {
        try
        {
            OrderCsvExporter.Check(filter);
        }
        catch (RequestValidationException e)
        {
            foreach (var message in e.Errors.SelectMany(kv => kv.Value))
            {
                console.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
            }

            return StorekeepCli.Usage;
        }

        await using var app = StorekeepCli.BuildServices(configuration);
        await using var scope = app.Services.CreateAsyncScope();
        await StorekeepCli.MigrateAsync(scope.ServiceProvider.GetRequiredService<StorekeepDbContext>(), ct);
        var exporter = scope.ServiceProvider.GetRequiredService<OrderCsvExporter>();
        await CliOutput.ExportToFileAsync(console, file, "order", token => exporter.CountAsync(filter, token), (stream, progress, token) => exporter.ExportAsync(stream, filter, progress, token), ct);
        return StorekeepCli.Ok;
    }
}
