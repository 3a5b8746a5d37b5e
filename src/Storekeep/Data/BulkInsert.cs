using System.Reflection;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Storekeep.Data;

/// <summary>
/// Writes new entities (all of one mapped type) in the context's current transaction without the
/// change tracker: binary COPY on PostgreSQL (<see cref="PostgresBulkCopy"/>), multi-row INSERTs on
/// SQLite. Columns and values come from the EF model and parameters from its type mappings, so the
/// rows are what SaveChanges would have written. No interceptor runs: no audit rows, no outbox
/// events, no commit notifications; callers record what they need themselves.
/// </summary>
public static class BulkInsert
{
    /// <summary>
    /// Microsoft.Data.Sqlite binds each parameter by a linear search of the statement's names, so
    /// binding grows with the square of the parameter count: its statements stay small. Npgsql does not mind.
    /// </summary>
    private const int SqliteParameters = 240;

    private const int PostgresParameters = 30_000;

    private const int MaxRowsPerStatement = 500;

    public static async Task WriteAsync<T>(StorekeepDbContext db, IReadOnlyCollection<T> entities, CancellationToken ct)
        where T : class
    {
        if (entities.Count == 0)
        {
            return;
        }

        if (db.IsPostgres)
        {
            await PostgresBulkCopy.WriteAsync(db, entities, ct);
            return;
        }

        await InsertRowsAsync(db, entities, ct);
    }

    /// <summary>
    /// Multi-row INSERTs on either database (what <see cref="WriteAsync"/> does on SQLite): for
    /// callers whose rows hold column types COPY is not taught here (the demo seeder's arrays and bytes).
    /// </summary>
    public static async Task InsertRowsAsync<T>(StorekeepDbContext db, IReadOnlyCollection<T> entities, CancellationToken ct)
        where T : class
    {
        if (entities.Count == 0)
        {
            return;
        }

        var (tableName, columns) = BulkColumns.Of<T>(db);
        var mappings = columns.Select(c => c.Property.GetRelationalTypeMapping()).ToArray();
        var connection = db.Database.GetDbConnection();
        var head = $"INSERT INTO {BulkColumns.Quote(tableName)} ({string.Join(", ", columns.Select(c => BulkColumns.Quote(c.Name)))}) VALUES ";
        var rowsPerStatement = Math.Clamp((db.IsPostgres ? PostgresParameters : SqliteParameters) / columns.Count, 1, MaxRowsPerStatement);
        foreach (var chunk in entities.Chunk(rowsPerStatement))
        {
            await using var command = connection.CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            var sql = new StringBuilder(head);
            var n = 0;
            for (var row = 0; row < chunk.Length; row++)
            {
                sql.Append(row == 0 ? "(" : ", (");
                for (var i = 0; i < columns.Count; i++)
                {
                    var name = "@p" + n++;
                    sql.Append(i == 0 ? name : ", " + name);

                    // The model value: the mapping applies the column's converter as SaveChanges does.
                    // Nullable always: an owned or complex value may be absent as a whole.
                    command.Parameters.Add(mappings[i].CreateParameter(command, name, columns[i].ModelValue(chunk[row]), nullable: true));
                }

                sql.Append(')');
            }

            command.CommandText = sql.ToString();
            await command.ExecuteNonQueryAsync(ct);
        }
    }
}

/// <summary>The table and columns of a mapped type, owned and complex types stored in the same table included, with how to read each value.</summary>
internal static class BulkColumns
{
    internal sealed record Column(string Name, IProperty Property, string StoreType, Func<object, object?> ModelValue)
    {
        /// <summary>The value as stored: after the property's value converter (money in cents, enums as text).</summary>
        public object? ProviderValue(object entity)
        {
            var value = ModelValue(entity);
            var converter = Property.GetTypeMapping().Converter;
            return value is null || converter is null ? value : converter.ConvertToProvider(value);
        }
    }

    public static (string Table, List<Column> Columns) Of<T>(StorekeepDbContext db)
    {
        var entityType = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped.");
        var tableName = entityType.GetTableName() ?? throw new InvalidOperationException($"{typeof(T).Name} has no table.");
        var table = StoreObjectIdentifier.Table(tableName, entityType.GetSchema());
        var columns = new List<Column>();
        Add(entityType, table, e => e, columns, new HashSet<string>(StringComparer.Ordinal));
        return (tableName, columns);
    }

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static void Add(IEntityType type, StoreObjectIdentifier table, Func<object, object?> instance, List<Column> columns, HashSet<string> seen)
    {
        foreach (var property in type.GetProperties())
        {
            var name = property.GetColumnName(table);
            if (property.GetComputedColumnSql() is not null)
            {
                continue; // the database computes it (the guest email key)
            }

            if (name is null || !seen.Add(name))
            {
                continue; // an owned type's key is its owner's id column
            }

            var read = Reader((MemberInfo?)property.PropertyInfo ?? property.FieldInfo
                ?? throw new NotSupportedException($"{type.DisplayName()}.{property.Name} is a shadow property: a bulk insert cannot read it."));
            columns.Add(new Column(name, property, property.GetColumnType(table), entity => instance(entity) is { } owner ? read(owner) : null));
        }

        foreach (var navigation in type.GetNavigations().Where(n => n.ForeignKey.IsOwnership && !n.IsOnDependent && !n.IsCollection))
        {
            var target = navigation.TargetEntityType;
            if (target.GetTableName() != table.Name)
            {
                throw new NotSupportedException($"{type.DisplayName()}.{navigation.Name} is stored in another table: a bulk insert writes one table.");
            }

            var read = Reader((MemberInfo?)navigation.PropertyInfo ?? navigation.FieldInfo
                ?? throw new NotSupportedException($"{type.DisplayName()}.{navigation.Name} has no CLR member."));
            Add(target, table, entity => instance(entity) is { } owner ? read(owner) : null, columns, seen);
        }

        // Complex types (an attribution touch) are columns of the same row too.
        foreach (var complex in type.GetComplexProperties())
        {
            var read = Reader((MemberInfo?)complex.PropertyInfo ?? complex.FieldInfo
                ?? throw new NotSupportedException($"{type.DisplayName()}.{complex.Name} has no CLR member."));
            foreach (var property in complex.ComplexType.GetProperties())
            {
                var name = property.GetColumnName(table) ?? throw new NotSupportedException($"{complex.Name}.{property.Name} has no column.");
                var get = Reader((MemberInfo?)property.PropertyInfo ?? property.FieldInfo
                    ?? throw new NotSupportedException($"{complex.Name}.{property.Name} is a shadow property: a bulk insert cannot read it."));
                columns.Add(new Column(name, property, property.GetColumnType(table), entity => instance(entity) is { } owner && read(owner) is { } value ? get(value) : null));
            }
        }

        if (type.GetNavigations().Any(n => n.ForeignKey.IsOwnership && !n.IsOnDependent && n.IsCollection))
        {
            throw new NotSupportedException($"{type.DisplayName()} owns a collection: a bulk insert writes one table.");
        }
    }

    private static Func<object, object?> Reader(MemberInfo member) => member is PropertyInfo p ? p.GetValue : ((FieldInfo)member).GetValue;
}
