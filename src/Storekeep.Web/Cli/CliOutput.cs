using System.Globalization;
using Spectre.Console;

namespace Storekeep.Web.Cli;

/// <summary>What every CLI import and export prints alike: the table of rejected lines, a progress that follows each batch, an export to a file.</summary>
internal static class CliOutput
{
    /// <summary>
    /// Writes an export to <paramref name="file"/>, with a progress bar on a terminal, and prints
    /// what it wrote ("Exported 12 order(s) to …"); returns the number of rows.
    /// </summary>
    public static async Task<int> ExportToFileAsync(
        IAnsiConsole console, FileInfo file, string rows, Func<CancellationToken, Task<int>> count, Func<Stream, IProgress<int>?, CancellationToken, Task<int>> export, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int written;
        await using (var stream = new FileStream(file.FullName, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            if (console.Profile.Capabilities.Interactive)
            {
                var total = await count(ct);
                written = 0;
                await console.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .StartAsync(async context =>
                    {
                        var task = context.AddTask($"Exporting {rows}s", maxValue: Math.Max(1, total));
                        written = await export(stream, new ImmediateProgress<int>(n => task.Value = n), ct);
                        task.Value = task.MaxValue;
                    });
            }
            else
            {
                written = await export(stream, null, ct);
            }
        }

        console.MarkupLine($"[green]Exported {Count(written)} {rows}(s) to {Markup.Escape(file.FullName)} in {clock.Elapsed.TotalSeconds:0.0} s.[/]");
        return written;
    }

    /// <summary>
    /// Runs <paramref name="run"/> with a progress bar on a terminal that follows its reports (each
    /// read by <paramref name="describe"/> as the stage, how far it is and out of how much), and
    /// without one when the output is redirected.
    /// </summary>
    public static async Task<T> WithProgressAsync<TProgress, T>(
        IAnsiConsole console, string firstStage, Func<TProgress, (string Stage, long Done, long Total)> describe, Func<IProgress<TProgress>?, Task<T>> run)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            return await run(null);
        }

        var result = default(T)!;
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(firstStage, maxValue: 1);
                result = await run(new ImmediateProgress<TProgress>(p =>
                {
                    var (stage, done, total) = describe(p);
                    task.Description = stage;
                    task.MaxValue = Math.Max(1, total);
                    task.Value = done;
                }));
                task.Value = task.MaxValue;
            });
        return result;
    }

    /// <summary>A long error list is cut here; the file is still rejected whole.</summary>
    public const int ErrorsShown = 200;

    /// <summary>One row per error (cells escaped here), the first <paramref name="rightAligned"/> columns numeric.</summary>
    public static void WriteErrors<T>(IAnsiConsole console, IReadOnlyList<T> errors, string[] columns, int rightAligned, Func<T, string?[]> cells)
    {
        var table = new Table();
        for (var i = 0; i < columns.Length; i++)
        {
            table.AddColumn(i < rightAligned ? new TableColumn(columns[i]).RightAligned() : new TableColumn(columns[i]));
        }

        foreach (var error in errors.Take(ErrorsShown))
        {
            table.AddRow(cells(error).Select(c => Markup.Escape(c ?? "")).ToArray());
        }

        console.Write(table);
        if (errors.Count > ErrorsShown)
        {
            console.MarkupLine($"… and {errors.Count - ErrorsShown} more.");
        }
    }

    public static string Count(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
}

/// <summary>Reports on the caller's thread, so the progress bar follows each batch.</summary>
internal sealed class ImmediateProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
