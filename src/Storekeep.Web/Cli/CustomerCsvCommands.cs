using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Storekeep.Customers;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Web.Cli;

/// <summary>
/// <c>storekeep customers export FILE.csv</c> and <c>storekeep customers import FILE.csv [--dry-run]</c>:
/// customers in and out as CSV (docs/crm.md, "Customer import and export").
/// </summary>
internal static class CustomerCsvCommands
{
    public static void Add(RootCommand root, IReadOnlyDictionary<string, string?>? configuration, IAnsiConsole console)
    {
        var importFile = new Argument<FileInfo>("file") { Description = "The customer CSV to import (header row with an 'email' column)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check the file and report what would change; write nothing." };
        var import = new Command("import", "Import customers from CSV: upsert by email; rows with errors are skipped and listed.") { importFile, dryRun };
        import.SetAction((parsed, ct) => StorekeepCli.GuardAsync(console, () =>
            ImportAsync(configuration, console, parsed.GetValue(importFile)!, parsed.GetValue(dryRun), ct)));

        var exportFile = new Argument<FileInfo>("file") { Description = "Where to write the CSV (replaced if it exists)." };
        var export = new Command("export", "Export every customer with consent, figures and RFM segment as CSV.") { exportFile };
        export.SetAction((parsed, ct) => StorekeepCli.GuardAsync(console, () =>
            ExportAsync(configuration, console, parsed.GetValue(exportFile)!, ct)));

        root.Subcommands.Add(new Command("customers", "Customers in and out as CSV.") { import, export });
    }

    private static async Task<int> ImportAsync(IReadOnlyDictionary<string, string?>? configuration, IAnsiConsole console, FileInfo file, bool dryRun, CancellationToken ct)
    {
        if (!file.Exists)
        {
            console.MarkupLine($"[red]error:[/] the file '{Markup.Escape(file.FullName)}' does not exist.");
            return StorekeepCli.Failed;
        }

        await using var app = StorekeepCli.BuildServices(configuration);
        await using var scope = app.Services.CreateAsyncScope();
        await StorekeepCli.MigrateAsync(scope.ServiceProvider.GetRequiredService<StorekeepDbContext>(), ct);
        var importer = scope.ServiceProvider.GetRequiredService<CustomerCsvImporter>();
        var clock = Stopwatch.StartNew();
        await using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);

        CustomerImportReport report;
        try
        {
            // The bar follows the bytes read; the reader runs a little ahead of the rows saved.
            report = await CliOutput.WithProgressAsync<int, CustomerImportReport>(
                console,
                dryRun ? "Checking customers" : "Importing customers",
                rows => ($"{(dryRun ? "Checked" : "Imported")} {rows:N0} rows", stream.Position, stream.Length),
                progress => importer.ImportAsync(stream, dryRun, progress, ct));
        }
        catch (StorekeepException e)
        {
            console.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return StorekeepCli.Failed;
        }

        if (report.Errors.Count > 0)
        {
            CliOutput.WriteErrors(console, report.Errors, ["Row", "Column", "Error"], rightAligned: 1,
                e => [e.Row.ToString(CultureInfo.InvariantCulture), e.Field, e.Message]);
        }

        var table = new Table().AddColumn(dryRun ? "Would change" : "Changed").AddColumn(new TableColumn("Count").RightAligned());
        table.AddRow("Rows read", CliOutput.Count(report.Rows));
        table.AddRow("Customers created", CliOutput.Count(report.Created));
        table.AddRow("Customers updated", CliOutput.Count(report.Updated));
        table.AddRow("Rows skipped (errors)", CliOutput.Count(report.Skipped));
        console.Write(table);
        console.MarkupLine(dryRun
            ? "[yellow]Dry run: nothing was written.[/]"
            : $"[green]Imported {CliOutput.Count(report.Created + report.Updated)} customer(s) in {clock.Elapsed.TotalSeconds:0.0} s{(report.Skipped > 0 ? $"; {CliOutput.Count(report.Skipped)} row(s) skipped" : "")}.[/]");
        return report.Skipped > 0 ? StorekeepCli.Failed : StorekeepCli.Ok;
    }

    private static async Task<int> ExportAsync(IReadOnlyDictionary<string, string?>? configuration, IAnsiConsole console, FileInfo file, CancellationToken ct)
    {
        await using var app = StorekeepCli.BuildServices(configuration);
        await using var scope = app.Services.CreateAsyncScope();
        await StorekeepCli.MigrateAsync(scope.ServiceProvider.GetRequiredService<StorekeepDbContext>(), ct);
        var exporter = scope.ServiceProvider.GetRequiredService<CustomerCsvExporter>();
        var filter = new CustomerExportFilter();
        await CliOutput.ExportToFileAsync(console, file, "customer", token => exporter.CountAsync(filter, token), (stream, progress, token) => exporter.ExportAsync(stream, filter, progress, token), ct);
        return StorekeepCli.Ok;
    }
}
