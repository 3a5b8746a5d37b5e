using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Storekeep.Payments;

namespace Storekeep.Tests.Infrastructure;

/// <summary>Reads every text and blob column of every table and looks for Luhn-valid card numbers.</summary>
public static class DatabaseScan
{
    public static async Task AssertNoCardNumbersAsync(TestStore store)
    {
        await using var db = store.Db();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var tables = db.Model.GetEntityTypes().Select(e => e.GetTableName()).Where(t => t is not null).Distinct().ToList();
        var scanned = 0;
        foreach (var table in tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM {table}";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var text = ValueAsText(reader, i);
                    Assert.False(CardNumbers.ContainsCardNumber(text), $"A card number was found in {table}.{reader.GetName(i)}");
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
