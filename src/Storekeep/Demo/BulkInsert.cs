using System.Reflection;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Storekeep.Data;

namespace Storekeep.Demo;

/// <summary>
/// Multi-row INSERTs built from the EF model: the same tables, columns and value conversions
/// (cents, snake_case enums, UTC times, the provider's Guid format) as SaveChanges, without the
/// change tracker, which costs most of the time when tens of thousands of new rows go in at once.
/// Runs in the context's current transaction. Only for rows that are new and complete.
/// </summary>
internal static class BulkInsert
{
    private const int MaxRowsPerStatement = 500;

    public static async Task InsertAsync<T>(StorekeepDbContext db, IReadOnlyList<T> rows, CancellationToken ct)
        where T : class
    {
        if (rows.Count == 0)
        {
            return;
        }

        var entityType = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped.");
        var columns = Columns(entityType);
        var sql = db.GetService<ISqlGenerationHelper>();
        var head = $"INSERT INTO {sql.DelimitIdentifier(entityType.GetTableName()!)} ({string.Join(", ", columns.Select(c => sql.DelimitIdentifier(c.Name)))}) VALUES ";
        // Microsoft.Data.Sqlite finds each parameter by a linear search of the command's list, so
        // binding grows with the square of its size: SQLite statements stay small. Npgsql does not mind.
        var maxParameters = db.IsPostgres ? 30_000 : 240;
        var rowsPerStatement = Math.Max(1, Math.Min(MaxRowsPerStatement, maxParameters / columns.Count));
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction();

        for (var start = 0; start < rows.Count; start += rowsPerStatement)
        {
            var end = Math.Min(rows.Count, start + rowsPerStatement);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var text = new StringBuilder(head);
            var parameter = 0;
            for (var i = start; i < end; i++)
            {
                text.Append(i == start ? "(" : ", (");
                for (var c = 0; c < columns.Count; c++)
                {
                    var name = $"@p{parameter++}";
                    text.Append(c == 0 ? name : ", " + name);
                    command.Parameters.Add(columns[c].Mapping.CreateParameter(command, name, columns[c].Get(rows[i]), nullable: true));
                }

                text.Append(')');
            }

            command.CommandText = text.ToString();
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    private static List<Column> Columns(IEntityType entityType)
    {
        var columns = entityType.GetProperties().Where(p => p.GetComputedColumnSql() is null).Select(p => new Column(p.GetColumnName(), Mapping(p), Getter(p))).ToList();

        // Owned types (an order's address) share the owner's row: their columns go in the same INSERT.
        foreach (var navigation in entityType.GetNavigations().Where(n => !n.IsCollection && n.TargetEntityType.IsOwned()))
        {
            var owner = navigation.PropertyInfo ?? throw new InvalidOperationException($"{navigation.Name} has no CLR property.");
            foreach (var property in navigation.TargetEntityType.GetProperties().Where(p => !p.IsPrimaryKey()))
            {
                var get = Getter(property);
                columns.Add(new Column(property.GetColumnName(), Mapping(property), row => owner.GetValue(row) is { } owned ? get(owned) : null));
            }
        }

        // Complex types (a touch) are columns of the same row too.
        foreach (var complex in entityType.GetComplexProperties())
        {
            var owner = complex.PropertyInfo ?? throw new InvalidOperationException($"{complex.Name} has no CLR property.");
            foreach (var property in complex.ComplexType.GetProperties())
            {
                var get = Getter(property);
                columns.Add(new Column(property.GetColumnName(), Mapping(property), row => owner.GetValue(row) is { } value ? get(value) : null));
            }
        }

        return columns;
    }

    private static RelationalTypeMapping Mapping(IProperty property) =>
        property.GetTypeMapping() as RelationalTypeMapping ?? throw new InvalidOperationException($"{property.Name} has no relational mapping.");

    private static Func<object, object?> Getter(IProperty property)
    {
        MemberInfo member = (MemberInfo?)property.PropertyInfo ?? property.FieldInfo
            ?? throw new InvalidOperationException($"{property.DeclaringType.DisplayName()}.{property.Name} is a shadow property; bulk insert needs CLR values.");
        return member is PropertyInfo info ? info.GetValue : ((FieldInfo)member).GetValue;
    }

    private sealed record Column(string Name, RelationalTypeMapping Mapping, Func<object, object?> Get);
}
