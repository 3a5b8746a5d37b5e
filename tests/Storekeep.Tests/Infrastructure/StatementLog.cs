using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Storekeep.Tests.Infrastructure;

/// <summary>
/// Every SQL statement a test store's contexts send, in order, for tests that say which queries a
/// path makes. Register with <see cref="AddTo"/> through <c>TestStore.StartAsync(services: …)</c>.
/// </summary>
public sealed class StatementLog : DbCommandInterceptor
{
    private readonly ConcurrentQueue<string> _statements = new();

    public IReadOnlyList<string> Statements => [.. _statements];

    public void AddTo(IServiceCollection services) => services.AddSingleton<IInterceptor>(this);

    public void Clear() => _statements.Clear();

    /// <summary>The SELECTs sent so far that name <paramref name="table"/>.</summary>
    public IReadOnlyList<string> ReadsOf(string table) =>
        [.. Statements.Where(s => s.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) && s.Contains(table, StringComparison.Ordinal))];

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
        Record(command, result);

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Record(command, result));

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
        Record(command, result);

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Record(command, result));

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result) =>
        Record(command, result);

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Record(command, result));

    /// <summary>Notes the statement and lets it run unchanged.</summary>
    private T Record<T>(DbCommand command, T result)
    {
        _statements.Enqueue(command.CommandText);
        return result;
    }
}
