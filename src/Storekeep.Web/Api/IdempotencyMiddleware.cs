using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Storekeep.Idempotency;

namespace Storekeep.Web.Api;

/// <summary>
/// The Idempotency-Key contract: the first response to a POST is kept and replayed for the same
/// key (with <c>Idempotent-Replayed: true</c>); the same key with another body is 422; a replay while
/// the first is still running is 409. Keys are scoped per caller (API key, or anonymous client
/// address) and path. The record is claimed with a unique insert, so concurrent
/// replays on any node agree on one winner. Server errors are not kept, so a client may retry them.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next)
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    public async Task InvokeAsync(HttpContext context, TimeProvider clock, IProblemDetailsService problems)
    {
        if (!HttpMethods.IsPost(context.Request.Method) ||
            !context.Request.Headers.TryGetValue(HeaderName, out var values) ||
            !context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        var key = values.ToString();
        if (key.Length is 0 or > 255 || key.Any(char.IsControl))
        {
            await WriteProblem(context, problems, 400, "invalid_idempotency_key", "The Idempotency-Key header must be 1 to 255 printable characters.");
            return;
        }

        var scope = $"{Caller(context)}:{context.Request.Path.Value}";
        var fingerprint = await FingerprintAsync(context.Request);
        var now = clock.GetUtcNow().UtcDateTime;

        var ledger = context.RequestServices.GetRequiredService<IdempotencyLedger>();
        var claim = await ledger.ClaimAsync(scope, key, fingerprint, now, Lease, retakeAbandoned: true, context.RequestAborted);
        switch (claim.Outcome)
        {
            case ClaimOutcome.Mismatch:
                await WriteProblem(context, problems, 422, "idempotency_key_reused",
                    "This Idempotency-Key was already used with a different request.");
                return;
            case ClaimOutcome.Completed:
                await ReplayAsync(context, claim.Existing!);
                return;
            case ClaimOutcome.InProgress:
                // Still running, and its lease has not run out (the node that took it is alive): the client waits.
                await WriteProblem(context, problems, 409, "idempotency_request_in_progress",
                    "A request with this Idempotency-Key is still being processed; retry shortly.");
                return;
        }

        await RunAndKeepAsync(context, ledger, claim.RecordId);
    }

    /// <summary>
    /// Whose keys these are: the API key, or for anonymous callers their client address, so two
    /// shoppers who happen to send the same key never get each other's cart or order back.
    /// </summary>
    private static string Caller(HttpContext context) =>
        context.User.FindFirst(ApiKeyAuthenticationHandler.KeyIdClaim)?.Value
            ?? $"public@{Storekeep.Checkout.CheckoutOrigin.From(context.Connection.RemoteIpAddress, trusted: false).ClientAddress}";

    private async Task RunAndKeepAsync(HttpContext context, IdempotencyLedger ledger, Guid recordId)
    {
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        catch
        {
            context.Response.Body = original;
            await ledger.ForgetAsync(recordId);
            throw;
        }

        context.Response.Body = original;
        var response = context.Response;
        if (response.StatusCode >= 500)
        {
            await ledger.ForgetAsync(recordId);
        }
        else
        {
            var body = buffer.ToArray();
            var contentType = response.ContentType;
            var location = response.Headers.Location.ToString();
            await ledger.CompleteAsync(recordId, response.StatusCode, contentType, location.Length == 0 ? null : location, body);
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    private static async Task ReplayAsync(HttpContext context, IdempotencyRecord record)
    {
        context.Response.StatusCode = record.StatusCode;
        context.Response.Headers[ReplayedHeader] = "true";
        if (record.ContentType is not null)
        {
            context.Response.ContentType = record.ContentType;
        }

        if (record.Location is not null)
        {
            context.Response.Headers.Location = record.Location;
        }

        if (record.Body is { Length: > 0 } body)
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    private static async Task<string> FingerprintAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            hash.AppendData(chunk, 0, read);
        }

        request.Body.Position = 0;
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static Task WriteProblem(HttpContext context, IProblemDetailsService problems, int status, string code, string detail)
    {
        context.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = Problems.Title(status), Detail = detail };
        problem.Extensions["code"] = code;
        return problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }).AsTask();
    }
}
