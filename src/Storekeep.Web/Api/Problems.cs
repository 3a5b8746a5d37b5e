using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Storekeep.Shared;

namespace Storekeep.Web.Api;

/// <summary>The RFC 9457 shape of every error, with a stable <c>code</c> clients branch on.</summary>
public static class Problems
{
    public static int StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.BadRequest or ErrorKind.Validation => StatusCodes.Status400BadRequest,
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.Unprocessable => StatusCodes.Status422UnprocessableEntity,
        ErrorKind.PaymentRequired => StatusCodes.Status402PaymentRequired,
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        ErrorKind.BadGateway => StatusCodes.Status502BadGateway,
        ErrorKind.TooManyRequests => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status400BadRequest,
    };

    public static string DefaultCode(int status) => status switch
    {
        400 => "bad_request",
        401 => "unauthorized",
        402 => "payment_required",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "unprocessable",
        429 => "rate_limited",
        502 => "bad_gateway",
        _ => status >= 500 ? "internal_error" : "error",
    };

    /// <summary>
    /// The codes every capability may answer with: HTTP-level failures, validation, and the API's
    /// own conventions (idempotency, cursors, rate limits). A capability's own codes are declared by
    /// its module (<see cref="Hosting.StorekeepModule.ErrorCodes"/>); docs/api.md lists both.
    /// </summary>
    public static readonly IReadOnlyList<Hosting.ErrorCode> PlatformCodes =
    [
        new("validation_failed", 400, "One or more fields are invalid; errors maps each field path to its messages."),
        new("malformed_json", 400, "The body is not valid JSON."),
        new("bad_request", 400, "The request cannot be read."),
        new("invalid_cursor", 400, "The cursor was not issued by this API."),
        new("invalid_idempotency_key", 400, "The Idempotency-Key header must be 1 to 255 printable characters."),
        new("unauthorized", 401, "A valid API key or sign-in is required."),
        new("payment_required", 402, "Payment is required."),
        new("forbidden", 403, "The caller's role does not have the permission this operation needs."),
        new("antiforgery_failed", 400, "A form post without a valid antiforgery token."),
        new("not_found", 404, "The resource does not exist (or the caller may not know it does)."),
        new("method_not_allowed", 405, "The path does not answer this HTTP method."),
        new("conflict", 409, "Another request changed the same data at the same time; retry."),
        new("idempotency_request_in_progress", 409, "A request with the same Idempotency-Key is still running."),
        new("insufficient_stock", 409, "Not enough available stock (the problem carries sku and available)."),
        new("payload_too_large", 413, "The body is larger than the server accepts."),
        new("unsupported_media_type", 415, "The body's content type is not one this endpoint reads."),
        new("unprocessable", 422, "The request is well-formed but cannot be carried out."),
        new("idempotency_key_reused", 422, "The Idempotency-Key was used before with another body."),
        new("rate_limited", 429, "Too many requests from this address; retry after Retry-After seconds."),
        new("internal_error", 500, "An unexpected error; it is logged with the trace id."),
        new("error", 400, "Any other client error status without a more specific code."),
        new("bad_gateway", 502, "A service Storekeep depends on did not answer as expected."),
        new("database_unavailable", 503, "The database does not answer (GET /health)."),
    ];

    public static ProblemDetails From(StorekeepException e)
    {
        var status = StatusOf(e.Kind);
        ProblemDetails problem = e is RequestValidationException validation
            ? new HttpValidationProblemDetails(validation.Errors)
            : new ProblemDetails();
        problem.Status = status;
        problem.Title = Title(status);
        problem.Detail = e.Message;
        problem.Type = $"https://storekeep.dev/problems/{e.Code.Replace('_', '-')}";
        problem.Extensions["code"] = e.Code;
        foreach (var (name, value) in e.Extensions)
        {
            problem.Extensions[name] = value;
        }

        return problem;
    }

    public static IResult Result(StorekeepException e)
    {
        var problem = From(e);
        return TypedResults.Problem(problem);
    }

    public static string Title(int status) => status switch
    {
        400 => "The request is invalid.",
        401 => "Authentication is required.",
        402 => "The payment was declined.",
        403 => "You do not have permission to do this.",
        404 => "The resource was not found.",
        409 => "The request conflicts with the current state.",
        413 => "The request body is too large.",
        422 => "The request cannot be processed.",
        429 => "Too many requests.",
        _ => ReasonPhrases(status),
    };

    private static string ReasonPhrases(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";
}

/// <summary>
/// Turns domain errors into problem responses inside the endpoint pipeline, so the idempotency
/// middleware sees (and can replay) the response rather than an exception.
/// </summary>
public sealed class DomainErrorFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (StorekeepException e)
        {
            return Problems.Result(e);
        }
    }
}

/// <summary>What escapes the endpoints: unreadable bodies, and bugs (logged, answered with a 500).</summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problemDetails, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails problem;
        switch (exception)
        {
            case StorekeepException domain:
                problem = Problems.From(domain);
                break;
            case BadHttpRequestException bad:
                problem = FromBadRequest(bad);
                break;
            default:
                logger.LogError(exception, "Unhandled error on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
                problem = new ProblemDetails
                {
                    Status = 500,
                    Title = "An unexpected error occurred.",
                    Detail = "The error was logged. Please retry; if it persists, contact the store's administrator.",
                };
                problem.Extensions["code"] = "internal_error";
                break;
        }

        httpContext.Response.StatusCode = problem.Status ?? 500;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    private static ProblemDetails FromBadRequest(BadHttpRequestException bad)
    {
        var status = bad.StatusCode;
        var json = FindJsonException(bad);
        if (json is not null)
        {
            var field = JsonPathToField(json.Path);
            var message = field is null
                ? "The request body is not valid JSON."
                : $"'{field}' has a value of the wrong type or out of range.";
            var problem = new HttpValidationProblemDetails(new Dictionary<string, string[]>
            {
                [field ?? "body"] = [message],
            })
            {
                Status = 400,
                Title = Problems.Title(400),
                Detail = message,
            };
            problem.Extensions["code"] = field is null ? "malformed_json" : "validation_failed";
            return problem;
        }

        var generic = new ProblemDetails
        {
            Status = status,
            Title = Problems.Title(status),
            Detail = status == 413 ? "The request body is too large." : bad.Message,
        };
        generic.Extensions["code"] = status == 400 ? "bad_request" : Problems.DefaultCode(status);
        return generic;
    }

    private static JsonException? FindJsonException(Exception e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            if (current is JsonException json)
            {
                return json;
            }
        }

        return null;
    }

    /// <summary>"$.variants[0].price" → "variants[0].price".</summary>
    private static string? JsonPathToField(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? null : path.TrimStart('$', '.');
}
