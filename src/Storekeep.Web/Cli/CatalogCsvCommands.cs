using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Storekeep.Catalog;
using Storekeep.Catalog.ShopifyCsv;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Web.Cli;

/// <summary>
/// <c>storekeep import products FILE.csv [--dry-run] [--warehouse CODE]</c> and
/// <c>storekeep export products [--output FILE] [--warehouse CODE] [--status S]</c>: the catalog in and
/// out as Shopify's product CSV.
/// </summary>
internal static class CatalogCsvCommands
{

    public static void Add(RootCommand root, IReadOnlyDictionary<string, string?>? configuration, IAnsiConsole console, TextWriter? output)
    {
        var file = new Argument<FileInfo>("file") { Description = "The Shopify product CSV to import." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check the file and report what would change; write nothing." };
        var importWarehouse = new Option<string?>("--warehouse") { Description = "Code of the warehouse whose available stock 'Variant Inventory Qty' sets (default: the one that ships first).", HelpName = "code" };
        var importProducts = new Command("products", "Import products from Shopify's product CSV: upsert by handle, variants by SKU. With any row error nothing is written.")
        {
            file, dryRun, importWarehouse,
        };
        importProducts.SetAction((parsed, ct) => StorekeepCli.GuardAsync(console, () =>
            ImportAsync(configuration, console, parsed.GetValue(file)!, parsed.GetValue(dryRun), parsed.GetValue(importWarehouse), ct)));
        var import = new Command("import", "Import data from a file.") { importProducts };
        root.Subcommands.Add(import);

        var outputFile = new Option<FileInfo?>("--output", "-o") { Description = "Write the CSV to this file instead of standard output.", HelpName = "file" };
        var exportWarehouse = new Option<string?>("--warehouse") { Description = "Code of the warehouse whose available stock becomes 'Variant Inventory Qty' (default: the one that ships first).", HelpName = "code" };
        var status = new Option<string?>("--status") { Description = "Only products with this status.", HelpName = "active|draft|archived" };
        status.AcceptOnlyFromAmong("active", "draft", "archived");
        var exportProducts = new Command("products", "Export the catalog as Shopify's product CSV.") { outputFile, exportWarehouse, status };
        exportProducts.SetAction((parsed, ct) => StorekeepCli.GuardAsync(console, () =>
            ExportAsync(configuration, console, output, parsed.GetValue(outputFile), parsed.GetValue(exportWarehouse), parsed.GetValue(status), ct)));
        var export = new Command("export", "Export data to a file.") { exportProducts };
        root.Subcommands.Add(export);
    }

    private static async Task<int> ImportAsync(IReadOnlyDictionary<string, string?>? configuration, IAnsiConsole console, FileInfo file, bool dryRun, string? warehouse, CancellationToken ct)
    {
        if (!file.Exists)
        {
            console.MarkupLine($"[red]error:[/] the file '{Markup.Escape(file.FullName)}' does not exist.");
            return StorekeepCli.Failed;
        }

        await using var app = StorekeepCli.BuildServices(configuration);
        await using var scope = app.Services.CreateAsyncScope();
        await StorekeepCli.MigrateAsync(scope.ServiceProvider.GetRequiredService<StorekeepDbContext>(), ct);
        var importer = scope.ServiceProvider.GetRequiredService<ShopifyCsvImporter>();
        var options = new ImportOptions(warehouse, new Actor("cli"));
        var clock = Stopwatch.StartNew();
        await using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);

        ImportReport report;
        try
        {
            if (dryRun)
            {
                report = await importer.PreviewAsync(stream, options, ct);
            }
            else
            {
                report = await CliOutput.WithProgressAsync<ImportProgress, ImportReport>(
                    console, "Reading the file", p => (p.Stage, p.Done, p.Total), progress => importer.ImportAsync(stream, options, progress, ct));
            }
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
            : $"[green]Imported {report.ProductsToCreate + report.ProductsToUpdate:N0} product(s) in {clock.Elapsed.TotalSeconds:0.0} s.[/]");
        return StorekeepCli.Ok;
    }

    private static async Task<int> ExportAsync(IReadOnlyDictionary<string, string?>? configuration, IAnsiConsole console, TextWriter? output, FileInfo? file, string? warehouse, string? status, CancellationToken ct)
    {
        await using var app = StorekeepCli.BuildServices(configuration);
        await using var scope = app.Services.CreateAsyncScope();
        await StorekeepCli.MigrateAsync(scope.ServiceProvider.GetRequiredService<StorekeepDbContext>(), ct);
        var exporter = scope.ServiceProvider.GetRequiredService<ShopifyCsvExporter>();
        ProductStatus? wanted = status is null ? null : Enum.Parse<ProductStatus>(status, ignoreCase: true);
        var options = new ExportOptions(wanted, warehouse);
        try
        {
            await exporter.CheckAsync(options, ct);
            if (file is null)
            {
                // Standard output carries only the CSV, so it can be piped.
                var writer = output ?? Console.Out;
                await exporter.ExportAsync(writer, options, ct);
                await writer.FlushAsync(ct);
                return StorekeepCli.Ok;
            }

            var clock = Stopwatch.StartNew();
            int products;
            await using (var stream = new FileStream(file.FullName, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                products = await exporter.ExportAsync(stream, options, ct);
            }

            console.MarkupLine($"[green]Exported {products.ToString("N0", CultureInfo.InvariantCulture)} product(s) to {Markup.Escape(file.FullName)} in {clock.Elapsed.TotalSeconds:0.0} s.[/]");
            return StorekeepCli.Ok;
        }
        catch (StorekeepException e)
        {
            console.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return StorekeepCli.Failed;
        }
    }

    private static void WriteErrors(IAnsiConsole console, IReadOnlyList<ImportRowError> errors) =>
        CliOutput.WriteErrors(console, errors, ["Row", "Line", "Handle", "Column", "Error"], rightAligned: 2,
            e => [e.Row.ToString(CultureInfo.InvariantCulture), e.Line.ToString(CultureInfo.InvariantCulture), e.Handle, e.Column, e.Message]);

    private static void WriteSummary(IAnsiConsole console, ImportReport report)
    {
        var table = new Table().AddColumn(report.DryRun ? "Would change" : "Changed").AddColumn(new TableColumn("Count").RightAligned());
        table.AddRow("Rows read", CliOutput.Count(report.Rows));
        table.AddRow("Products created", CliOutput.Count(report.ProductsToCreate));
        table.AddRow("Products updated", CliOutput.Count(report.ProductsToUpdate));
        table.AddRow("Variants created", CliOutput.Count(report.VariantsToCreate));
        table.AddRow("Variants updated", CliOutput.Count(report.VariantsToUpdate));
        table.AddRow("Images", CliOutput.Count(report.Images));
        table.AddRow("Categories created", CliOutput.Count(report.CategoriesToCreate));
        table.AddRow($"Stock adjustments{(report.Warehouse is null ? "" : $" ({Markup.Escape(report.Warehouse)})")}", CliOutput.Count(report.StockAdjustments));
        console.Write(table);
    }
}
