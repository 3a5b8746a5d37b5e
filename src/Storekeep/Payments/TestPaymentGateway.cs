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
/// It also imitates Stripe's payment intents (<see cref="IPaymentIntents"/>): <c>tok_threeDSecure</c>
/// asks for a 3-D Secure challenge, which the shopper passes or fails on Storekeep's own test page
/// (<see cref="ChallengePath"/>, see <see cref="Authenticate"/>); an authorized intent's id is its
/// authorization reference.
/// </summary>
public sealed class TestPaymentGateway(int capacity = TestPaymentGateway.DefaultCapacity) : IPaymentGateway, IPaymentIntents
{
    public const string GatewayName = "test";

    /// <summary>The card that needs 3-D Secure: declined on the token path (as Stripe does), challenged on the intent path.</summary>
    public const string ThreeDSecureToken = "tok_threeDSecure";

    /// <summary>Where the test store's 3-D Secure challenge page is served (followed by /{intentId}).</summary>
    public const string ChallengePath = "/checkout/test-authentication";

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
    private readonly Dictionary<string, TestIntent> _intents = new(StringComparer.Ordinal);
    private readonly Queue<string> _intentsOldestFirst = new();
    private readonly Dictionary<string, IntentState> _intentsByIdempotencyKey = new(StringComparer.Ordinal);

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

    public static bool IsKnownToken(string token) =>
        ApprovingTokens.ContainsKey(token) || DecliningTokens.ContainsKey(token) || token == ThreeDSecureToken;

    public Task<GatewayResult> AuthorizeAsync(AuthorizeRequest request, CancellationToken ct) =>
        Task.FromResult(Once(request.IdempotencyKey, () =>
        {
            if (request.Token == ThreeDSecureToken)
            {
                // As Stripe with error_on_requires_action: a server-side charge cannot show a challenge.
                Record(new GatewayOperation("decline", null, request.Amount));
                return GatewayResult.Declined("authentication_required", "This card needs 3-D Secure authentication, which this payment could not ask for; pay in the storefront.");
            }

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
                auth.OnCaptured?.Invoke();
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
                auth.OnVoided?.Invoke();
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

    public Task<IntentState> CreateIntentAsync(IntentRequest request, CancellationToken ct) =>
        Task.FromResult(OnceForIntent(request.IdempotencyKey, () =>
        {
            var id = "test_pi_" + Ids.NewId().ToString("N");
            var intent = new TestIntent(id, id + "_secret_" + Ids.NewUnguessableId().ToString("N"), request.Currency, request.CartId) { Amount = request.Amount };
            _intents[id] = intent;
            _intentsOldestFirst.Enqueue(id);
            while (_intentsOldestFirst.Count > Capacity)
            {
                _intents.Remove(_intentsOldestFirst.Dequeue());
            }

            return intent.State();
        }));

    public Task<IntentState> UpdateIntentAmountAsync(string intentId, decimal amount, string currency, string idempotencyKey, CancellationToken ct) =>
        Task.FromResult(OnceForIntent(idempotencyKey, () =>
        {
            var intent = Intent(intentId);
            if (!IntentStatus.IsUpdatable(intent.Status) || !string.Equals(currency, intent.Currency, StringComparison.OrdinalIgnoreCase))
            {
                throw Errors.Conflict("payment_intent_unexpected_state", $"The payment intent's amount cannot change in status {intent.Status}.");
            }

            intent.Amount = amount;
            return intent.State();
        }));

    public Task<IntentState> GetIntentAsync(string intentId, CancellationToken ct)
    {
        lock (_byIdempotencyKey)
        {
            return Task.FromResult(Intent(intentId).State());
        }
    }

    public Task<IntentState> ConfirmIntentAsync(string intentId, string paymentMethod, string returnUrl, string idempotencyKey, CancellationToken ct) =>
        Task.FromResult(OnceForIntent(idempotencyKey, () =>
        {
            var intent = Intent(intentId);
            if (!IntentStatus.IsUpdatable(intent.Status))
            {
                return intent.State();
            }

            intent.Decline = null;
            if (paymentMethod == ThreeDSecureToken)
            {
                intent.Status = IntentStatus.RequiresAction;
                intent.ReturnUrl = returnUrl;
                intent.Card = ("visa", "3184");
            }
            else if (DecliningTokens.TryGetValue(paymentMethod, out var decline))
            {
                Record(new GatewayOperation("decline", null, intent.Amount));
                intent.Status = IntentStatus.RequiresPaymentMethod;
                intent.Decline = decline;
            }
            else if (ApprovingTokens.TryGetValue(paymentMethod, out var card))
            {
                intent.Card = card;
                AuthorizeIntent(intent);
            }
            else
            {
                intent.Status = IntentStatus.RequiresPaymentMethod;
                intent.Decline = ("invalid_token", $"'{paymentMethod}' is not a test card token.");
            }

            return intent.State();
        }));

    /// <summary>
    /// The shopper's answer on the test store's 3-D Secure page: passed authorizes the intent, failed
    /// sends it back to <c>requires_payment_method</c> (as Stripe does). Answers where to return to.
    /// </summary>
    public string Authenticate(string intentId, bool passed)
    {
        lock (_byIdempotencyKey)
        {
            var intent = Intent(intentId);
            if (intent.Status == IntentStatus.RequiresAction)
            {
                if (passed)
                {
                    AuthorizeIntent(intent);
                }
                else
                {
                    intent.Status = IntentStatus.RequiresPaymentMethod;
                    intent.Decline = ("authentication_failed", "The card's 3-D Secure authentication failed.");
                    Record(new GatewayOperation("decline", null, intent.Amount));
                }
            }

            return intent.ReturnUrl ?? "/checkout";
        }
    }

    /// <summary>Whether the test store's challenge page may show this intent: it waits for authentication.</summary>
    public bool AwaitsAuthentication(string intentId)
    {
        lock (_byIdempotencyKey)
        {
            return _intents.TryGetValue(intentId, out var intent) && intent.Status == IntentStatus.RequiresAction;
        }
    }

    private void AuthorizeIntent(TestIntent intent)
    {
        intent.Status = IntentStatus.RequiresCapture;
        _authorizations[intent.Id] = new Authorization(intent.Amount) { OnCaptured = () => intent.Status = IntentStatus.Succeeded, OnVoided = () => intent.Status = IntentStatus.Canceled };
        _authorizationsOldestFirst.Enqueue(intent.Id);
        Record(new GatewayOperation("authorize", intent.Id, intent.Amount));
    }

    private TestIntent Intent(string intentId) =>
        _intents.TryGetValue(intentId, out var intent) ? intent : throw Errors.NotFound("PaymentIntent", intentId);

    private IntentState OnceForIntent(string idempotencyKey, Func<IntentState> operation) =>
        // As Stripe: the first answer again, except that the intent's current state is what matters now.
        Once(_intentsByIdempotencyKey, idempotencyKey, operation,
            previous => _intents.TryGetValue(previous.Id, out var intent) ? intent.State() : previous);

    private GatewayResult Once(string idempotencyKey, Func<GatewayResult> operation) =>
        Once(_byIdempotencyKey, idempotencyKey, operation, previous => previous);

    /// <summary>Runs the operation once per idempotency key; the oldest keys are forgotten, as Stripe forgets them after a day.</summary>
    private T Once<T>(Dictionary<string, T> answers, string idempotencyKey, Func<T> operation, Func<T, T> replay)
    {
        // Lazy-per-key would be stricter; a lock per gateway is enough for an in-process fake.
        lock (_byIdempotencyKey)
        {
            if (answers.TryGetValue(idempotencyKey, out var previous))
            {
                return replay(previous);
            }

            var result = operation();
            answers[idempotencyKey] = result;
            _keysOldestFirst.Enqueue(idempotencyKey);
            while (_keysOldestFirst.Count > 4 * Capacity)
            {
                var forgotten = _keysOldestFirst.Dequeue();
                _byIdempotencyKey.Remove(forgotten);
                _intentsByIdempotencyKey.Remove(forgotten);
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
        public Action? OnCaptured { get; init; }
        public Action? OnVoided { get; init; }
    }

    private sealed class TestIntent(string id, string clientSecret, string currency, Guid? cartId)
    {
        public string Id { get; } = id;
        public string Currency { get; } = currency;
        public decimal Amount { get; set; }
        public string Status { get; set; } = IntentStatus.RequiresPaymentMethod;
        public (string Code, string Message)? Decline { get; set; }
        public (string Brand, string Last4)? Card { get; set; }
        public string? ReturnUrl { get; set; }

        public IntentState State() => new(
            Id, Status, Amount, Currency, clientSecret, cartId, Decline?.Code, Decline?.Message, Card?.Brand, Card?.Last4,
            Status == IntentStatus.RequiresAction ? $"{ChallengePath}/{Id}" : null);
    }
}

public sealed record GatewayOperation(string Kind, string? Reference, decimal Amount);
