namespace Storekeep.Shared;

/// <summary>What kind of failure a domain error is; the web layer maps it to an HTTP status.</summary>
public enum ErrorKind
{
    BadRequest,
    Validation,
    NotFound,
    Conflict,
    Unprocessable,
    PaymentRequired,
    Forbidden,
    BadGateway,
    TooManyRequests,
}

/// <summary>
/// A business rule said no. Carries a stable machine-readable <see cref="Code"/> (snake_case) that
/// clients can branch on; the message is for people.
/// </summary>
public class StorekeepException(ErrorKind kind, string code, string message) : Exception(message)
{
    public ErrorKind Kind { get; } = kind;
    public string Code { get; } = code;
    public IReadOnlyDictionary<string, object?> Extensions { get; init; } = new Dictionary<string, object?>();
}

/// <summary>Field-level validation failures (field path → messages).</summary>
public sealed class RequestValidationException(IDictionary<string, string[]> errors)
    : StorekeepException(ErrorKind.Validation, "validation_failed", "One or more fields are invalid.")
{
    public IDictionary<string, string[]> Errors { get; } = errors;
}

/// <summary>Factories for the errors more than one capability raises, so codes stay consistent.</summary>
public static class Errors
{
    public static StorekeepException NotFound(string what, string id) =>
        new(ErrorKind.NotFound, "not_found", $"{what} '{id}' was not found.");

    public static StorekeepException InsufficientStock(string sku, long requested, long available) =>
        new(ErrorKind.Conflict, "insufficient_stock",
            $"Only {Math.Max(available, 0)} of SKU '{sku}' available; {requested} requested.")
        {
            Extensions = new Dictionary<string, object?> { ["sku"] = sku, ["available"] = Math.Max(available, 0) },
        };

    public static StorekeepException Conflict(string code, string message) => new(ErrorKind.Conflict, code, message);

    public static StorekeepException Unprocessable(string code, string message) =>
        new(ErrorKind.Unprocessable, code, message);

    public static StorekeepException BadRequest(string code, string message) => new(ErrorKind.BadRequest, code, message);
}
