using System.Globalization;
using Spectre.Console;

namespace Storekeep.Web.Cli;

/// <summary>What every CLI import prints alike: the table of rejected lines and a progress that follows each batch.</summary>
internal static class CliOutput
{
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
