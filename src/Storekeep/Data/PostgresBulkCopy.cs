using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using NpgsqlTypes;

namespace Storekeep.Data;

/// <summary>
/// Writes new entities with PostgreSQL binary COPY on the context's connection, in its current
/// transaction: for bulk inserts (the order history import) where EF's change tracking and one
/// INSERT per row cost many times the write itself. The columns and values come from the EF model
/// (column names, owned types stored in the same table, value converters such as money in cents),
/// so the rows are what SaveChanges would have written. No interceptor runs: no audit rows, no
/// outbox events, no commit notifications; callers record what they need themselves.
/// </summary>
public static class PostgresBulkCopy
{
    private sealed record Column(string Name, NpgsqlDbType Type, Func<object, object?> Value);

    /// <summary>COPYs <paramref name="entities"/> (all new, of one mapped type) into their table.</summary>
    public static async Task WriteAsync<T>(StorekeepDbContext db, IEnumerable<T> entities, CancellationToken ct)
        where T : class
    {
        var entityType = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped.");
        var tableName = entityType.GetTableName() ?? throw new InvalidOperationException($"{typeof(T).Name} has no table.");
        var table = StoreObjectIdentifier.Table(tableName, entityType.GetSchema());
        var columns = new List<Column>();
        AddColumns(entityType, table, e => e, columns, new HashSet<string>(StringComparer.Ordinal));

        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var copy = $"COPY {Quote(tableName)} ({string.Join(", ", columns.Select(c => Quote(c.Name)))}) FROM STDIN (FORMAT BINARY)";
        await using var writer = await connection.BeginBinaryImportAsync(copy, ct);
        foreach (var entity in entities)
        {
            await writer.StartRowAsync(ct);
            foreach (var column in columns)
            {
                await WriteAsync(writer, column.Value(entity), column.Type, ct);
            }
        }

        await writer.CompleteAsync(ct);
    }

    private static void AddColumns(IEntityType type, StoreObjectIdentifier table, Func<object, object?> instance, List<Column> columns, HashSet<string> seen)
    {
        foreach (var property in type.GetProperties())
        {
            var name = property.GetColumnName(table);
            if (name is null || !seen.Add(name))
            {
                continue; // an owned type's key is its owner's id column
            }

            var member = (MemberInfo?)property.PropertyInfo ?? property.FieldInfo
                ?? throw new NotSupportedException($"{type.DisplayName()}.{property.Name} is a shadow property: bulk copy cannot read it.");
            var converter = property.GetTypeMapping().Converter;
            var dbType = TypeOf(property.GetColumnType(table), type, property);
            Func<object, object?> read = member is PropertyInfo p ? p.GetValue : ((FieldInfo)member).GetValue;
            columns.Add(new Column(name, dbType, entity =>
            {
                var owner = instance(entity);
                var value = owner is null ? null : read(owner);
                return value is null || converter is null ? value : converter.ConvertToProvider(value);
            }));
        }

        foreach (var navigation in type.GetNavigations().Where(n => n.ForeignKey.IsOwnership && !n.IsOnDependent && !n.IsCollection))
        {
            var target = navigation.TargetEntityType;
            if (target.GetTableName() != table.Name)
            {
                throw new NotSupportedException($"{type.DisplayName()}.{navigation.Name} is stored in another table: bulk copy writes one table.");
            }

            var member = (MemberInfo?)navigation.PropertyInfo ?? navigation.FieldInfo
                ?? throw new NotSupportedException($"{type.DisplayName()}.{navigation.Name} has no CLR member.");
            Func<object, object?> read = member is PropertyInfo p ? p.GetValue : ((FieldInfo)member).GetValue;
            AddColumns(target, table, entity => instance(entity) is { } owner ? read(owner) : null, columns, seen);
        }

        if (type.GetNavigations().Any(n => n.ForeignKey.IsOwnership && !n.IsOnDependent && n.IsCollection))
        {
            throw new NotSupportedException($"{type.DisplayName()} owns a collection: bulk copy writes one table.");
        }
    }

    private static NpgsqlDbType TypeOf(string storeType, IEntityType type, IProperty property)
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
            _ => throw new NotSupportedException($"{type.DisplayName()}.{property.Name}: bulk copy does not write '{storeType}'."),
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

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
