using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Storekeep.Payments;

namespace Storekeep.Tests.Infrastructure;

/// <summary>Reads every column of every table, to prove something was never stored.</summary>
public static class DatabaseScan
{
    public static Task AssertNoCardNumbersAsync(TestStore store) =>
        AssertNowhereAsync(store, CardNumbers.ContainsCardNumber, "A card number");

    public static Task AssertNotStoredAsync(TestStore store, string secret) =>
        AssertNowhereAsync(store, text => text?.Contains(secret, StringComparison.Ordinal) ?? false, "The secret");

    /// <summary>None of these exact texts is stored anywhere (one scan for them all).</summary>
    public static Task AssertNotStoredAsync(TestStore store, IReadOnlyCollection<string> secrets) =>
        AssertNowhereAsync(store, text => text is not null && secrets.Any(s => text.Contains(s, StringComparison.Ordinal)), "One of the secrets");

    private static async Task AssertNowhereAsync(TestStore store, Func<string?, bool> forbidden, string what)
    {
        await using var db = store.Db();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var scanned = 0;
        foreach (var table in db.Model.GetEntityTypes().Select(e => e.GetTableName()).OfType<string>().Distinct())
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM {table}";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    Assert.False(forbidden(ValueAsText(reader, i)), $"{what} was found in {table}.{reader.GetName(i)}");
                    scanned++;
                }
            }
        }

        Assert.True(scanned > 0, "The scan read nothing.");
    }

    private static string? ValueAsText(DbDataReader reader, int i)
    {
        if (reader.IsDBNull(i))
        {
            return null;
        }

        var value = reader.GetValue(i);
        return value is byte[] bytes ? System.Text.Encoding.UTF8.GetString(bytes) : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
