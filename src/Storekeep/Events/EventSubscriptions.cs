using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Storekeep.Shared;

namespace Storekeep.Events;

/// <summary>Where a new subscriber's checkpoint starts when its row is first created.</summary>
public enum SubscriberStart
{
    /// <summary>At the first event ever published: the subscriber sees the whole history (a rollup must).</summary>
    Beginning,

    /// <summary>After the last event published when the subscriber first runs: it sees only what comes next.</summary>
    Latest,
}

/// <summary>
/// One registered subscriber: its name (the key of its checkpoint row), the service that handles
/// its events, and per wire type how to read the payload and hand it over.
/// </summary>
public sealed class EventSubscriber
{
    private readonly Dictionary<string, Func<IServiceProvider, string, EventContext, CancellationToken, Task<bool>>> _handlers;

    internal EventSubscriber(
        string name,
        Type service,
        SubscriberStart start,
        Dictionary<string, Func<IServiceProvider, string, EventContext, CancellationToken, Task<bool>>> handlers,
        int batchSize = EventSubscriberSettings.BatchSize,
        TimeSpan pause = default)
    {
        Name = name;
        BatchSize = batchSize;
        Pause = pause;
        Service = service;
        Start = start;
        _handlers = handlers;
        HandledTypes = [.. handlers.Keys.Order(StringComparer.Ordinal)];
    }

    public string Name { get; }
    public Type Service { get; }
    public SubscriberStart Start { get; }

    /// <summary>Events handed to it in one transaction (<see cref="EventSubscriberSettings.BatchSize"/> unless registered otherwise).</summary>
    public int BatchSize { get; }

    /// <summary>
    /// How long it rests after catching up before it takes newer events (zero: at once), unless
    /// configured otherwise (<see cref="EventSubscriberSettings.PauseOf"/>). For a subscriber whose
    /// batch costs the same however few events it holds (a day's rollup recomputed from the day's
    /// orders), so that under load it runs every few seconds on many events, not on every few orders.
    /// </summary>
    public TimeSpan Pause { get; }

    /// <summary>The wire types it handles, as an array: a SQL parameter (<see cref="EventSubscriberRunner"/> reads only their payloads).</summary>
    internal string[] HandledTypes { get; }

    public bool Handles(string type) => _handlers.ContainsKey(type);

    /// <summary>Reads the payload as the handler's event type and calls it; false when the payload does not read as that type.</summary>
    internal Task<bool> HandleAsync(IServiceProvider services, string payload, EventContext context, CancellationToken ct) =>
        _handlers[context.Type](services, payload, context, ct);
}

public static class EventSubscriptions
{
    /// <summary>
    /// Registers <typeparamref name="TSubscriber"/> (scoped) as the event subscriber
    /// <paramref name="name"/>: every <see cref="IEventHandler{T}"/> it implements receives its
    /// events in feed order, in the subscriber's own transaction, from its own checkpoint (see
    /// <see cref="EventSubscriberRunner"/>). The name keys the checkpoint: renaming a subscriber
    /// starts it again from <paramref name="start"/>.
    /// </summary>
    public static IServiceCollection AddEventSubscriber<TSubscriber>(
        this IServiceCollection services,
        string name,
        SubscriberStart start = SubscriberStart.Beginning,
        int batchSize = EventSubscriberSettings.BatchSize,
        TimeSpan pause = default)
        where TSubscriber : class
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pause, TimeSpan.Zero);
        if (string.IsNullOrWhiteSpace(name) || name.Length > EventSubscription.MaxNameLength)
        {
            throw new ArgumentException($"A subscriber name is 1 to {EventSubscription.MaxNameLength} characters.", nameof(name));
        }

        var bind = typeof(EventSubscriptions).GetMethod(nameof(Bind), BindingFlags.NonPublic | BindingFlags.Static)!;
        var handlers = new Dictionary<string, Func<IServiceProvider, string, EventContext, CancellationToken, Task<bool>>>(StringComparer.Ordinal);
        foreach (var handled in typeof(TSubscriber).GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEventHandler<>)))
        {
            var (type, handler) = ((string, Func<IServiceProvider, string, EventContext, CancellationToken, Task<bool>>))
                bind.MakeGenericMethod(typeof(TSubscriber), handled.GetGenericArguments()[0]).Invoke(null, null)!;
            if (!handlers.TryAdd(type, handler))
            {
                throw new ArgumentException($"{typeof(TSubscriber).Name} handles '{type}' twice.", nameof(TSubscriber));
            }
        }

        if (handlers.Count == 0)
        {
            throw new ArgumentException($"{typeof(TSubscriber).Name} implements no IEventHandler<T>.", nameof(TSubscriber));
        }

        services.AddEventSubscriptions();
        services.TryAddScoped<TSubscriber>();
        services.AddSingleton(new EventSubscriber(name, typeof(TSubscriber), start, handlers, batchSize, pause));
        return services;
    }

    /// <summary>The runner and its settings (added by the first <see cref="AddEventSubscriber"/>; safe to call again).</summary>
    public static IServiceCollection AddEventSubscriptions(this IServiceCollection services)
    {
        services.TryAddSingleton<EventSubscriberSettings>();
        services.TryAddSingleton<EventSubscriberRunner>();
        return services;
    }

    private static (string, Func<IServiceProvider, string, EventContext, CancellationToken, Task<bool>>) Bind<TSubscriber, T>()
        where TSubscriber : class
        where T : IEvent =>
        (T.EventType, async (services, payload, context, ct) =>
        {
            T? evt;
            try
            {
                evt = JsonSerializer.Deserialize<T>(payload, StorekeepJson.Options);
            }
            catch (JsonException)
            {
                evt = default;
            }

            if (evt is null)
            {
                return false;
            }

            await ((IEventHandler<T>)services.GetRequiredService<TSubscriber>()).HandleAsync(evt, context, ct);
            return true;
        });
}
