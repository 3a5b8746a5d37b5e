using Microsoft.AspNetCore.Http.HttpResults;
using Storekeep.Access;
using Storekeep.Messaging;
using Storekeep.Shared;
using Storekeep.Web.Api;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Messaging;

/// <summary>The message log and the editable email templates.</summary>
public static class MessagingEndpoints
{
    public static RouteGroupBuilder MapMessagingEndpoints(this RouteGroupBuilder api)
    {
        var messages = api.MapGroup("/messages").WithTags("Messaging");
        messages.MapGet("/", List)
            .RequireAuthorization(Permissions.MessagesRead)
            .WithName("ListMessages")
            .WithSummary("The message log, newest first; filter by recipient (to), type and status.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        messages.MapGet("/{id:guid}", Get)
            .RequireAuthorization(Permissions.MessagesRead)
            .WithName("GetMessage")
            .WithSummary("One message with its bodies (hidden for reset and verification emails).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        messages.MapPost("/{id:guid}/retry", Retry)
            .RequireAuthorization(Permissions.MessagesManage)
            .WithName("RetryMessage")
            .WithSummary("Makes a failed, logged or waiting message due now; a sent one is never sent again (409).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        var templates = api.MapGroup("/message-templates").WithTags("Messaging").RequireAuthorization(Permissions.MessagesManage);
        templates.MapGet("/", ListTemplates)
            .WithName("ListMessageTemplates")
            .WithSummary("Every template the store sends with: its own version or the built-in default.");
        templates.MapGet("/{key}", GetTemplate)
            .WithName("GetMessageTemplate")
            .WithSummary("One template, with the placeholders it may use.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        templates.MapPut("/{key}", SaveTemplate)
            .WithName("SaveMessageTemplate")
            .WithSummary("Replaces the store's version of a template (subject, HTML and text).")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        templates.MapDelete("/{key}", ResetTemplate)
            .WithName("ResetMessageTemplate")
            .WithSummary("Deletes the store's version: the built-in default applies again.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        templates.MapPost("/{key}/preview", Preview)
            .WithName("PreviewMessageTemplate")
            .WithSummary("Renders the given (or stored) subject, HTML and text with sample values.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        // Twilio calls this without an API key; X-Twilio-Signature is the authentication. The form
        // body is read by hand (not bound), so the signature covers exactly the parameters received.
        api.MapPost("/sms/inbound", InboundSms)
            .WithTags("Messaging")
            .WithName("InboundSms")
            .WithSummary("Twilio's incoming-message webhook (form-encoded, signed with X-Twilio-Signature): STOP and its synonyms withdraw the sender's SMS consent.")
            .WithDescription("Needs Sms:Provider twilio (else 404). A missing or wrong signature → 403 invalid_twilio_signature, nothing changed. Answers an empty TwiML <Response/> (text/xml). See docs/marketing.md, SMS opt-out.")
            .Produces<string>(StatusCodes.Status200OK, "text/xml")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .AllowAnonymous()
            .RequireRateLimiting(StorekeepApp.PublicRateLimit);
        return api;
    }

    private static async Task<IResult> InboundSms(HttpRequest request, SmsInbound inbound, IConfiguration configuration, CancellationToken ct)
    {
        if (!inbound.Enabled)
        {
            throw new StorekeepException(ErrorKind.NotFound, "not_found", "This store receives SMS only with Sms:Provider twilio.");
        }

        var form = request.HasFormContentType ? await request.ReadFormAsync(ct) : FormCollection.Empty;
        var parameters = form.SelectMany(f => f.Value.Select(v => new KeyValuePair<string, string>(f.Key, v ?? ""))).ToList();
        if (!inbound.Verify(SignedUrl(request, configuration), parameters, request.Headers[SmsInbound.SignatureHeader].ToString()))
        {
            throw new StorekeepException(ErrorKind.Forbidden, "invalid_twilio_signature", "The X-Twilio-Signature header is missing or does not verify.");
        }

        await inbound.ReceiveAsync(form["From"].ToString(), form["Body"].ToString(), form["MessageSid"].ToString(), ct);
        return TypedResults.Text(SmsInbound.EmptyTwiml, "text/xml", System.Text.Encoding.UTF8);
    }

    /// <summary>
    /// The URL Twilio signed: behind a proxy it is the public one, so <c>Store:PublicUrl</c> + path +
    /// query when that is set, else the URL of the request as it arrived.
    /// </summary>
    private static string SignedUrl(HttpRequest request, IConfiguration configuration)
    {
        var publicUrl = configuration["Store:PublicUrl"]?.Trim().TrimEnd('/');
        return string.IsNullOrEmpty(publicUrl)
            ? $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}"
            : $"{publicUrl}{request.Path}{request.QueryString}";
    }

    private static async Task<Ok<Page<MessageView>>> List(MessageLog log, string? to, string? type, string? status, int? limit, string? cursor, CancellationToken ct) =>
        TypedResults.Ok(await log.ListAsync(to, type, status, limit, cursor, ct));

    private static async Task<Ok<MessageDetailView>> Get(Guid id, MessageLog log, CancellationToken ct) =>
        TypedResults.Ok(await log.GetAsync(id, ct));

    private static async Task<Accepted<MessageView>> Retry(Guid id, MessageLog log, CancellationToken ct) =>
        TypedResults.Accepted($"/api/v1/messages/{id}", await log.RetryAsync(id, ct));

    private static async Task<Ok<IReadOnlyList<MessageTemplateView>>> ListTemplates(MessageTemplates templates, CancellationToken ct) =>
        TypedResults.Ok(await templates.ListAsync(ct));

    private static async Task<Ok<MessageTemplateView>> GetTemplate(string key, MessageTemplates templates, CancellationToken ct) =>
        TypedResults.Ok(await templates.GetAsync(key, ct));

    private static async Task<Ok<MessageTemplateView>> SaveTemplate(string key, MessageTemplateRequest request, MessageTemplates templates, CancellationToken ct) =>
        TypedResults.Ok(await templates.SaveAsync(key, request, ct));

    private static async Task<Ok<MessageTemplateView>> ResetTemplate(string key, MessageTemplates templates, CancellationToken ct) =>
        TypedResults.Ok(await templates.ResetAsync(key, ct));

    private static async Task<Ok<MessagePreview>> Preview(string key, MessageTemplateRequest request, MessageTemplates templates, CancellationToken ct) =>
        TypedResults.Ok(await templates.PreviewAsync(key, request, ct));
}
