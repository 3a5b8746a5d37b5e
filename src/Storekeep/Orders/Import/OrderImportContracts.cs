using Storekeep.Shared;

namespace Storekeep.Orders.Import;

/// <param name="Line">The CSV line the record starts on (the header is line 1).</param>
/// <param name="Column">The CSV header at fault, or null when the problem is the whole line or file.</param>
public sealed record OrderImportError(int Line, string? OrderNumber, string? Column, string Message);

/// <summary>What an import would do (a dry run) or did. Nothing is written when <see cref="Errors"/> is not empty.</summary>
/// <param name="Imported">True when the orders were written; false for a dry run or when there were errors.</param>
/// <param name="Lines">CSV lines read (order lines), header excluded.</param>
/// <param name="Orders">Orders new to the store (written, or to be written).</param>
/// <param name="OrderLines">Their lines.</param>
/// <param name="AlreadyImported">Orders of the file imported before (same external number): skipped.</param>
/// <param name="AlreadyImportedLines">Their lines.</param>
/// <param name="Cancelled">Orders the file marks cancelled (Shopify's Cancelled at): skipped, they were never revenue.</param>
public sealed record OrderImportReport(
    bool DryRun,
    bool Imported,
    int Lines,
    int Orders,
    int OrderLines,
    int NewProducts,
    int NewCategories,
    int NewCustomers,
    int AlreadyImported,
    int AlreadyImportedLines,
    int Cancelled,
    decimal Revenue,
    IReadOnlyList<OrderImportError> Errors)
{
    public bool HasErrors => Errors.Count > 0;
}

/// <param name="Stage">What is happening, for people ("Importing orders").</param>
/// <param name="Done">Lines or orders done so far, out of <paramref name="Total"/>.</param>
public sealed record OrderImportProgress(string Stage, int Done, int Total);

/// <summary>The file has line errors; nothing was written. The problem response carries the report with every error.</summary>
public sealed class OrderImportHasErrorsException : StorekeepException
{
    public OrderImportHasErrorsException(OrderImportReport report)
        : base(ErrorKind.Unprocessable, "import_has_errors", $"{report.Errors.Count} error(s) in the file; nothing was imported.")
    {
        Report = report;
        Extensions = new Dictionary<string, object?> { ["report"] = report, ["errors"] = report.Errors };
    }

    public OrderImportReport Report { get; }
}

public static class OrderImportPermissions
{
    /// <summary>Import another system's order history (owner and manager).</summary>
    public const string Import = "orders.import";
}
