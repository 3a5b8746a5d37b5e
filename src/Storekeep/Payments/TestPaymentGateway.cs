using System.Collections.Concurrent;
using Storekeep.Shared;

namespace Storekeep.Payments;

/// <summary>
/// The built-in gateway for test mode: it moves no real money but behaves like a processor,
/// tokens and all (tok_visa and tok_mastercard approve; tok_chargeDeclined and
/// tok_insufficientFunds decline). It keeps a journal of what it did so tests can count charges.
/// Its memory is bounded: it remembers the last <see cref="Capacity"/> authorizations (the oldest are
/// forgotten first; capturing, voiding or refunding a forgotten one answers unknown_authorization),
/// the last 4 × Capacity idempotency keys, and the last 4 × Capacity journal entries.
/// </summary>
public sealed class TestPaymentGateway(int capacity = TestPaymentGateway.DefaultCapacity) : IPaymentGateway
{
    public const string GatewayName = "test";

    /// <summary>How many authorizations a long-running demo or benchmark server keeps at most.</summary>
    public const int DefaultCapacity = 10_000;

    private static readonly Dictionary<string, (string Brand, string Last4)> ApprovingTokens = new(StringComparer.Ordinal)
    {
        ["tok_visa"] = ("visa", "4242"),
        ["tok_mastercard"] = ("mastercard", "4444"),
    };

    private static readonly Dictionary<string, (string Code, string Message)> DecliningTokens = new(StringComparer.Ordinal)
    {
        ["tok_chargeDeclined"] = ("card_declined", "The card was declined."),
        ["tok_insufficientFunds"] = ("insufficient_funds", "The card has insufficient funds."),
    };

    // All state below changes only under the lock taken in Once.
    private readonly Dictionary<string, GatewayResult> _byIdempotencyKey = new(StringComparer.Ordinal);
    private readonly Queue<string> _keysOldestFirst = new();
    private readonly Dictionary<string, Authorization> _authorizations = new(StringComparer.Ordinal);
    private readonly Queue<string> _authorizationsOldestFirst = new();
    private readonly ConcurrentQueue<GatewayOperation> _journal = new();

    public string Name => GatewayName;

    /// <summary>The most authorizations remembered at once.</summary>
    public int Capacity { get; } = Math.Max(1, capacity);

    /// <summary>How many authorizations it remembers now (never more than <see cref="Capacity"/>).</summary>
    public int AuthorizationCount
    {
        get
        {
            lock (_byIdempotencyKey)
            {
                return _authorizations.Count;
            }
        }
    }

    /// <summary>Every operation that took effect, in order (replays of an idempotency key are not repeated).</summary>
    public IReadOnlyCollection<GatewayOperation> Journal => _journal;

    public static bool IsKnownToken(string token) => ApprovingTokens.ContainsKey(token) || DecliningTokens.ContainsKey(token);

    public Task<GatewayResult> AuthorizeAsync(AuthorizeRequest request, CancellationToken ct) =>
        Task.FromResult(Once(request.IdempotencyKey, () =>
        {
            if (DecliningTokens.TryGetValue(request.Token, out var decline))
            {
                Record(new GatewayOperation("decline", null, request.Amount));
                return GatewayResult.Declined(decline.Code, decline.Message);
            }

            if (!ApprovingTokens.TryGetValue(request.Token, out var card))
            {
                return GatewayResult.Declined("invalid_token", $"'{request.Token}' is not a test card token.");
            }

            var reference = "test_auth_" + Ids.NewId().ToString("N");
            _authorizations[reference] = new Authorization(request.Amount);
            _authorizationsOldestFirst.Enqueue(reference);
            while (_authorizationsOldestFirst.Count > Capacity)
            {
                _authorizations.Remove(_authorizationsOldestFirst.Dequeue());
            }

            Record(new GatewayOperation("authorize", reference, request.Amount));
            return new GatewayResult(true, reference, CardBrand: card.Brand, Last4: card.Last4);
        }));

    public Task<GatewayResult> CaptureAsync(string reference, decimal amount, string currency, string idempotencyKey, CancellationToken ct) =>
        Task.FromResult(Once(idempotencyKey, () =>
        {
            if (!_authorizations.TryGetValue(reference, out var auth))
            {
                return GatewayResult.Declined("unknown_authorization", "No such authorization.");
            }

            lock (auth)
            {
                if (auth.Voided || auth.Captured + amount > auth.Amount)
                {
                    return GatewayResult.Declined("capture_failed", "The authorization cannot be captured for that amount.");
                }

                auth.Captured += amount;
            }

            Record(new GatewayOperation("capture", reference, amount));
            return new GatewayResult(true, reference);
        }));

    public Task<GatewayResult> VoidAsync(string reference, string idempotencyKey, CancellationToken ct) =>
        Task.FromResult(Once(idempotencyKey, () =>
        {
            if (!_authorizations.TryGetValue(reference, out var auth))
            {
                return GatewayResult.Declined("unknown_authorization", "No such authorization.");
            }

            lock (auth)
            {
                if (auth.Captured > 0)
                {
                    return GatewayResult.Declined("already_captured", "A captured payment must be refunded, not voided.");
                }

                auth.Voided = true;
            }

            Record(new GatewayOperation("void", reference, auth.Amount));
            return new GatewayResult(true, reference);
        }));

    public Task<GatewayResult> RefundAsync(string reference, decimal amount, string currency, string idempotencyKey, CancellationToken ct) =>
        Task.FromResult(Once(idempotencyKey, () =>
        {
            if (!_authorizations.TryGetValue(reference, out var auth))
            {
                return GatewayResult.Declined("unknown_authorization", "No such payment.");
            }

            lock (auth)
            {
                if (auth.Refunded + amount > auth.Captured)
                {
                    return GatewayResult.Declined("refund_exceeds_captured", "Refund exceeds the captured amount.");
                }

                auth.Refunded += amount;
            }

            var refundReference = "test_refund_" + Ids.NewId().ToString("N");
            Record(new GatewayOperation("refund", reference, amount));
            return new GatewayResult(true, refundReference);
        }));

    private GatewayResult Once(string idempotencyKey, Func<GatewayResult> operation)
    {
        // Lazy-per-key would be stricter; a lock per gateway is enough for an in-process fake.
        lock (_byIdempotencyKey)
        {
            if (_byIdempotencyKey.TryGetValue(idempotencyKey, out var previous))
            {
                return previous;
            }

            var result = operation();
            _byIdempotencyKey[idempotencyKey] = result;
            _keysOldestFirst.Enqueue(idempotencyKey);
            while (_keysOldestFirst.Count > 4 * Capacity)
            {
                _byIdempotencyKey.Remove(_keysOldestFirst.Dequeue());
            }

            return result;
        }
    }

    private void Record(GatewayOperation operation)
    {
        _journal.Enqueue(operation);
        while (_journal.Count > 4 * Capacity && _journal.TryDequeue(out _))
        {
        }
    }

    private sealed class Authorization(decimal amount)
    {
        public decimal Amount { get; } = amount;
        public decimal Captured { get; set; }
        public decimal Refunded { get; set; }
        public bool Voided { get; set; }
    }
}

public sealed record GatewayOperation(string Kind, string? Reference, decimal Amount);
