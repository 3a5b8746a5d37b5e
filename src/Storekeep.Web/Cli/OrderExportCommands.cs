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
        var clock = Stopwatch.StartNew();
        int written;
        await using (var stream = new FileStream(file.FullName, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            if (console.Profile.Capabilities.Interactive)
            {
                var total = await exporter.CountAsync(filter, ct);
                written = 0;
                await console.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .StartAsync(async context =>
                    {
                        var task = context.AddTask("Exporting orders", maxValue: Math.Max(1, total));
                        written = await exporter.ExportAsync(stream, filter, new ImmediateProgress<int>(n => task.Value = n), ct);
                        task.Value = task.MaxValue;
                    });
            }
            else
            {
                written = await exporter.ExportAsync(stream, filter, null, ct);
            }
        }

        console.MarkupLine($"[green]Exported {CliOutput.Count(written)} order(s) to {Markup.Escape(file.FullName)} in {clock.Elapsed.TotalSeconds:0.0} s.[/]");
        return StorekeepCli.Ok;
    }
}
