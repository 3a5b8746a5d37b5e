using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Orders.Import;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Orders.Import;

internal static class OrderImportTestData
{
    public const string GenericHeader = "Order,Date,Shipped,Email,Name,SKU,Title,Category,Qty,Total,Unit,Discount,Profit,Country";

    public static readonly OrderImportMap GenericMap = OrderImportMap.Parse("""
        {"columns": {"orderNumber": "Order", "placedAt": "Date", "shippedAt": "Shipped", "customerEmail": "Email", "customerName": "Name",
                     "sku": "SKU", "productTitle": "Title", "category": "Category", "quantity": "Qty", "lineTotal": "Total",
                     "unitPrice": "Unit", "discount": "Discount", "profit": "Profit", "country": "Country"},
         "currency": "USD"}
        """);

    public static string Csv(params string[] lines) => GenericHeader + "\n" + string.Join("\n", lines) + "\n";

    public static string Sample(string name) => File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "samples", name));

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Storekeep.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Storekeep.slnx not found above " + AppContext.BaseDirectory);
    }

    public static async Task<OrderImportReport> ImportOrdersAsync(this TestStore store, string csv, OrderImportMap map, bool dryRun = false)
    {
        await using var scope = store.Services.CreateAsyncScope();
        var importer = scope.ServiceProvider.GetRequiredService<OrderHistoryImporter>();
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv));
        return dryRun
            ? await importer.PreviewAsync(stream, map, TestContext.Current.CancellationToken)
            : await importer.ImportAsync(stream, map, actor: null, progress: null, TestContext.Current.CancellationToken);
    }

    /// <summary>A scalar straight from SQL (not through EF's model), as a long.</summary>
    public static async Task<long> ScalarAsync(this TestStore store, string sql)
    {
        await using var db = store.Db();
        DbConnection connection = db.Database.GetDbConnection();
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
        return value is null or DBNull ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
