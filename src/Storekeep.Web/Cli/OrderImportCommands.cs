using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Storekeep.Data;
using Storekeep.Orders.Import;
using Storekeep.Shared;

namespace Storekeep.Web.Cli;

/// <summary>
/// <c>storekeep import orders FILE.csv --map MAP.json [--dry-run]</c>: another system's order history
/// (paid, delivered orders that touch no stock and send nothing). <c>--map</c> may be omitted with
/// <c>--preset shopify</c>.
/// </summary>
internal static class OrderImportCommands
{

    public static void Add(RootCommand root, IReadOnlyDictionary<string, string?>? configuration, IAnsiConsole console)
    {
        var file = new Argument<FileInfo>("file") { Description = "The CSV of order lines to import." };
        var map = new Option<FileInfo?>("--map") { Description = "MAP.json: {\"columns\": {field: \"CSV header\"}, \"dateFormat\"?, \"currency\"?, \"preset\"?}.", HelpName = "file" };
        var preset = new Option<string?>("--preset") { Description = "Read a known export without a map.", HelpName = "shopify" };
        preset.AcceptOnlyFromAmong(OrderImportMap.ShopifyPreset);
        var dryRun = new Option<bool>("--dry-run") { Description = "Check the file and report what would be imported; write nothing." };
        var orders = new Command("orders", "Import order history from a CSV of order lines: paid, delivered orders that touch no stock and send no email. With any line error nothing is written; orders imported before are skipped.")
        {
            file, map, preset, dryRun,
        };
        orders.SetAction((parsed, ct) => StorekeepCli.GuardAsync(console, () =>
            ImportAsync(configuration, console, parsed.GetValue(file)!, parsed.GetValue(map), parsed.GetValue(preset), parsed.GetValue(dryRun), ct)));
        root.Subcommands.Single(c => c.Name == "import").Subcommands.Add(orders);
    }

    private static async Task<int> ImportAsync(IReadOnlyDictionary<string, string?>? configuration, IAnsiConsole console, FileInfo file, FileInfo? mapFile, string? preset, bool dryRun, CancellationToken ct)
    {
        if (!file.Exists)
        {
            console.MarkupLine($"[red]error:[/] the file '{Markup.Escape(file.FullName)}' does not exist.");
            return StorekeepCli.Failed;
        }

        OrderImportMap map;
        try
        {
            if (mapFile is not null)
            {
                if (!mapFile.Exists)
                {
                    console.MarkupLine($"[red]error:[/] the map '{Markup.Escape(mapFile.FullName)}' does not exist.");
                    return StorekeepCli.Failed;
                }

                map = OrderImportMap.Parse(await File.ReadAllTextAsync(mapFile.FullName, ct));
            }
            else if (preset is not null)
            {
                map = OrderImportMap.Parse($"{{\"preset\": \"{preset}\"}}");
            }
            else
            {
                console.MarkupLine("[red]error:[/] give the column map with --map MAP.json (or --preset shopify for Shopify's orders export).");
                return StorekeepCli.Usage;
            }
        }
        catch (OrderImportMapException e)
        {
            WriteMapProblems(console, e);
            return StorekeepCli.Failed;
        }

        await using var app = StorekeepCli.BuildServices(configuration);
        await using var scope = app.Services.CreateAsyncScope();
        await StorekeepCli.MigrateAsync(scope.ServiceProvider.GetRequiredService<StorekeepDbContext>(), ct);
        var importer = scope.ServiceProvider.GetRequiredService<OrderHistoryImporter>();
        var clock = Stopwatch.StartNew();
        await using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);

        OrderImportReport report;
        try
        {
            if (dryRun)
            {
                report = await importer.PreviewAsync(stream, map, ct);
            }
            else
            {
                report = await CliOutput.WithProgressAsync<OrderImportProgress, OrderImportReport>(
                    console, "Reading the file", p => (p.Stage, p.Done, p.Total), progress => importer.ImportAsync(stream, map, new Actor("cli"), progress, ct));
            }
        }
        catch (OrderImportMapException e)
        {
            WriteMapProblems(console, e);
            return StorekeepCli.Failed;
        }
        catch (StorekeepException e)
        {
            console.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return StorekeepCli.Failed;
        }

        if (report.HasErrors)
        {
            WriteErrors(console, report.Errors);
            console.MarkupLine($"[red]{report.Errors.Count} error(s) in {Markup.Escape(file.Name)}; nothing was imported.[/]");
            return StorekeepCli.Failed;
        }

        WriteSummary(console, report);
        console.MarkupLine(dryRun
            ? "[yellow]Dry run: the file is valid; nothing was written.[/]"
            : $"[green]Imported {report.Orders:N0} order(s) ({report.OrderLines:N0} line(s)) in {clock.Elapsed.TotalSeconds:0.0} s.[/]");
        return StorekeepCli.Ok;
    }

    private static void WriteMapProblems(IAnsiConsole console, OrderImportMapException e)
    {
        console.MarkupLine("[red]error:[/] the column map cannot be used:");
        foreach (var problem in e.Problems)
        {
            console.MarkupLine($"  - {Markup.Escape(problem)}");
        }
    }

    private static void WriteErrors(IAnsiConsole console, IReadOnlyList<OrderImportError> errors) =>
        CliOutput.WriteErrors(console, errors, ["Line", "Order", "Column", "Error"], rightAligned: 1,
            e => [e.Line.ToString(CultureInfo.InvariantCulture), e.OrderNumber, e.Column, e.Message]);

    private static void WriteSummary(IAnsiConsole console, OrderImportReport report)
    {
        var table = new Table().AddColumn(report.DryRun ? "Would import" : "Imported").AddColumn(new TableColumn("Count").RightAligned());
        table.AddRow("Lines read", CliOutput.Count(report.Lines));
        table.AddRow("Orders", CliOutput.Count(report.Orders));
        table.AddRow("Order lines", CliOutput.Count(report.OrderLines));
        table.AddRow("New products (drafts)", CliOutput.Count(report.NewProducts));
        table.AddRow("New categories", CliOutput.Count(report.NewCategories));
        table.AddRow("New customers", CliOutput.Count(report.NewCustomers));
        table.AddRow("Already imported (skipped)", CliOutput.Count(report.AlreadyImported));
        table.AddRow("Cancelled (skipped)", CliOutput.Count(report.Cancelled));
        table.AddRow("Revenue", report.Revenue.ToString("N2", CultureInfo.InvariantCulture));
        console.Write(table);
    }
}
