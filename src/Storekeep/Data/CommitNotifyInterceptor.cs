using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Storekeep.Data;

/// <summary>
/// Calls <paramref name="notify"/> once a unit of work that added a <typeparamref name="TEntity"/>
/// has committed, so no capability has to remember to wake a background worker.
/// </summary>
public class CommitNotifyInterceptor<TEntity>(Action notify) : CommitNotifyInterceptor(notify)
    where TEntity : class
{
    /// <summary>Only added rows matter, and Add() sets that state at once: no DetectChanges scan needed.</summary>
    protected override bool Concerns(ChangeTracker tracker) =>
        tracker.Entries<TEntity>().Any(e => e.State == EntityState.Added);
}

/// <summary>
/// Calls <paramref name="notify"/> once a unit of work that <see cref="Concerns"/> it has committed
/// (after the transaction's commit, or after SaveChanges when there is none), so the worker or cache
/// it wakes never sees uncommitted rows, and a rolled-back unit of work wakes nobody.
/// </summary>
public abstract class CommitNotifyInterceptor(Action notify) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    private static readonly object Marker = new();
    private readonly ConditionalWeakTable<DbContext, object> _pending = [];

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Track(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Track(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        NotifyIfCommitted(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        NotifyIfCommitted(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => NotifyIfPending(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        NotifyIfPending(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    /// <summary>Whether the changes about to be saved are ones to notify about. Runs with automatic DetectChanges off.</summary>
    protected abstract bool Concerns(ChangeTracker tracker);

    private void Track(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        var tracker = context.ChangeTracker;
        var detect = tracker.AutoDetectChangesEnabled;
        tracker.AutoDetectChangesEnabled = false;
        try
        {
            if (Concerns(tracker))
            {
                _pending.AddOrUpdate(context, Marker);
            }
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = detect;
        }
    }

    private void NotifyIfCommitted(DbContext? context)
    {
        if (context?.Database.CurrentTransaction is null)
        {
            NotifyIfPending(context);
        }
    }

    private void NotifyIfPending(DbContext? context)
    {
        if (context is not null && _pending.Remove(context))
        {
            Committed(context);
        }
    }

    private void Forget(DbContext? context)
    {
        if (context is not null)
        {
            _pending.Remove(context);
            RolledBack(context);
        }
    }

    /// <summary>The concerned unit of work of <paramref name="context"/> committed: by default, notify.</summary>
    protected virtual void Committed(DbContext context) => notify();

    /// <summary>The unit of work of <paramref name="context"/> rolled back: whatever was noted about it is dropped.</summary>
    protected virtual void RolledBack(DbContext context)
    {
    }
}
