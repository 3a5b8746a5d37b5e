using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Storekeep.Data;

/// <summary>
/// An EF compiled query kept per model: a compiled query skips the per-call parameter extraction
/// and query-cache lookup (docs/performance.md, "The cart's two reads compiled"), but refuses any
/// model but the one it first ran with, and one process may hold several (the tests run SQLite and
/// PostgreSQL stores side by side).
/// </summary>
public sealed class CompiledPerModel<TQuery>
    where TQuery : class
{
    private readonly ConditionalWeakTable<IModel, TQuery> _byModel = new();
    private readonly ConditionalWeakTable<IModel, TQuery>.CreateValueCallback _compile;

    public CompiledPerModel(Func<TQuery> compile) => _compile = _ => compile();

    public TQuery For(DbContext db) => _byModel.GetValue(db.Model, _compile);
}
