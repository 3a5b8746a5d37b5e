using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using NpgsqlTypes;

namespace Storekeep.Data;

/// <summary>
/// Writes new entities with PostgreSQL binary COPY on the context's connection, in its current
/// transaction: for bulk inserts (the order history import; <see cref="BulkInsert"/> for either
/// database, as the Shopify CSV import uses it) where EF's change tracking and one
/// INSERT per row cost many times the write itself. The columns and values come from the EF model
/// (column names, owned types stored in the same table, value converters such as money in cents),
/// so the rows are what SaveChanges would have written. No interceptor runs: no audit rows, no
/// outbox events, no commit notifications; callers record what they need themselves.
/// </summary>
public static class PostgresBulkCopy
{
    /// <summary>COPYs <paramref name="entities"/> (all new, of one mapped type) into their table.</summary>
    public static async Task WriteAsync<T>(StorekeepDbContext db, IEnumerable<T> entities, CancellationToken ct)
        where T : class
    {
        var (tableName, columns) = BulkColumns.Of<T>(db);
        var types = columns.Select(c => TypeOf(c.StoreType, c.Property)).ToArray();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var copy = $"COPY {BulkColumns.Quote(tableName)} ({string.Join(", ", columns.Select(c => BulkColumns.Quote(c.Name)))}) FROM STDIN (FORMAT BINARY)";
        await using var writer = await connection.BeginBinaryImportAsync(copy, ct);
        foreach (var entity in entities)
        {
            await writer.StartRowAsync(ct);
            for (var i = 0; i < columns.Count; i++)
            {
                await WriteAsync(writer, columns[i].ProviderValue(entity), types[i], ct);
            }
        }

        await writer.CompleteAsync(ct);
    }

    private static NpgsqlDbType TypeOf(string storeType, IProperty property)
    {
        var bare = storeType.Split('(')[0].Trim().ToLowerInvariant();
        return bare switch
        {
            "uuid" => NpgsqlDbType.Uuid,
            "character varying" or "varchar" => NpgsqlDbType.Varchar,
            "text" => NpgsqlDbType.Text,
            "bigint" => NpgsqlDbType.Bigint,
            "integer" or "int" => NpgsqlDbType.Integer,
            "smallint" => NpgsqlDbType.Smallint,
            "boolean" => NpgsqlDbType.Boolean,
            "timestamp with time zone" => NpgsqlDbType.TimestampTz,
            "date" => NpgsqlDbType.Date,
            "numeric" => NpgsqlDbType.Numeric,
            "double precision" => NpgsqlDbType.Double,
            "jsonb" => NpgsqlDbType.Jsonb,
            _ => throw new NotSupportedException($"{property.DeclaringType.DisplayName()}.{property.Name}: bulk copy does not write '{storeType}'."),
        };
    }

    private static Task WriteAsync(NpgsqlBinaryImporter writer, object? value, NpgsqlDbType type, CancellationToken ct) => value switch
    {
        null => writer.WriteNullAsync(ct),
        string s => writer.WriteAsync(s, type, ct),
        Guid g => writer.WriteAsync(g, type, ct),
        long l => writer.WriteAsync(l, type, ct),
        int i => writer.WriteAsync(i, type, ct),
        short s => writer.WriteAsync(s, type, ct),
        bool b => writer.WriteAsync(b, type, ct),
        DateTime d => writer.WriteAsync(d.Kind == DateTimeKind.Utc ? d : DateTime.SpecifyKind(d, DateTimeKind.Utc), type, ct),
        DateOnly d => writer.WriteAsync(d, type, ct),
        decimal m => writer.WriteAsync(m, type, ct),
        double x => writer.WriteAsync(x, type, ct),
        _ => throw new NotSupportedException($"Bulk copy does not write {value.GetType().Name} values."),
    };
}
