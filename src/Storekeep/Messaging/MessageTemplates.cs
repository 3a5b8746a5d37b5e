using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Messaging;

public sealed record MessageTemplateView(
    string Key,
    string Description,
    string Subject,
    string Html,
    string Text,
    bool Customized,
    DateTime? UpdatedAt,
    IReadOnlyList<string> Placeholders);

public sealed record MessageTemplateRequest(string? Subject, string? Html, string? Text);

public sealed record MessagePreview(string Subject, string Html, string Text, IReadOnlyList<string> UnknownPlaceholders);

/// <summary>
/// The templates a store sends with: the built-in defaults, each overridable. An override is
/// checked when saved (lengths, and only the template's own placeholders), so a typo is caught in
/// the editor rather than in a customer's inbox.
/// </summary>
public sealed class MessageTemplates(StorekeepDbContext db, MessageQueue queue, TimeProvider clock)
{
    public async Task<IReadOnlyList<MessageTemplateView>> ListAsync(CancellationToken ct)
    {
        var stored = await db.MessageTemplates.AsNoTracking().ToDictionaryAsync(t => t.Key, StringComparer.Ordinal, ct);
        return MessageTypes.All.Select(key => View(BuiltInTemplates.Find(key)!, stored.GetValueOrDefault(key))).ToList();
    }

    public async Task<MessageTemplateView> GetAsync(string key, CancellationToken ct)
    {
        var definition = Definition(key);
        return View(definition, await db.MessageTemplates.AsNoTracking().SingleOrDefaultAsync(t => t.Key == key, ct));
    }

    /// <summary>Replaces the store's version of a template; 422 <c>unknown_placeholder</c> names placeholders the template cannot fill.</summary>
    public async Task<MessageTemplateView> SaveAsync(string key, MessageTemplateRequest request, CancellationToken ct)
    {
        var definition = Definition(key);
        var (subject, html, text) = Validate(request, required: true);
        var unknown = Unknown(definition, subject, html, text);
        if (unknown.Count > 0)
        {
            throw new StorekeepException(ErrorKind.Unprocessable, "unknown_placeholder",
                $"The template uses placeholders it cannot fill: {string.Join(", ", unknown.Select(p => "{{" + p + "}}"))}. It may use: {string.Join(", ", definition.Placeholders.Select(p => "{{" + p + "}}"))}.")
            {
                Extensions = new Dictionary<string, object?> { ["placeholders"] = unknown },
            };
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var template = await db.MessageTemplates.SingleOrDefaultAsync(t => t.Key == key, ct);
        if (template is null)
        {
            template = new MessageTemplate { Key = key, Subject = subject!, Html = html!, Text = text!, UpdatedAt = now };
            db.MessageTemplates.Add(template);
        }
        else
        {
            template.Subject = subject!;
            template.Html = html!;
            template.Text = text!;
            template.UpdatedAt = now;
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (Transactions.IsUniqueViolation(e))
        {
            // Two first saves at once: the other one won; this one applies over it.
            db.ChangeTracker.Clear();
            return await SaveAsync(key, request, ct);
        }

        return View(definition, template);
    }

    /// <summary>Deletes the store's version: the built-in default applies again.</summary>
    public async Task<MessageTemplateView> ResetAsync(string key, CancellationToken ct)
    {
        var definition = Definition(key);
        await db.MessageTemplates.Where(t => t.Key == key).ExecuteDeleteAsync(ct);
        return View(definition, null);
    }

    /// <summary>
    /// Renders the given text (fields left out: the stored template) with the template's sample
    /// values and the store's own. Unknown placeholders stay visible and are listed, not rejected,
    /// so a live preview keeps working while someone types.
    /// </summary>
    public async Task<MessagePreview> PreviewAsync(string key, MessageTemplateRequest request, CancellationToken ct)
    {
        var definition = Definition(key);
        var (subject, html, text) = Validate(request, required: false);
        var stored = await db.MessageTemplates.AsNoTracking().SingleOrDefaultAsync(t => t.Key == key, ct);
        subject ??= stored?.Subject ?? definition.Subject;
        html ??= stored?.Html ?? definition.Html;
        text ??= stored?.Text ?? definition.Text;
        var samples = definition.Samples
            .Where(s => !s.Key.StartsWith("store.", StringComparison.Ordinal))
            .ToDictionary(s => s.Key, s => (string?)s.Value, StringComparer.Ordinal);
        var rendered = await queue.RenderAsync(subject, html, text, samples, ct);
        return new MessagePreview(rendered.Subject, rendered.Html, rendered.Text, Unknown(definition, subject, html, text));
    }

    private static TemplateDefinition Definition(string key) =>
        BuiltInTemplates.Find(key) ?? throw Errors.NotFound("Message template", key);

    private static List<string> Unknown(TemplateDefinition definition, string? subject, string? html, string? text) =>
        TemplateRenderer.PlaceholdersIn(subject, html, text).Where(p => !definition.Placeholders.Contains(p, StringComparer.Ordinal)).ToList();

    private static (string? Subject, string? Html, string? Text) Validate(MessageTemplateRequest request, bool required)
    {
        var v = new Validation();
        var subject = required ? v.Required("subject", request.Subject, MessageTemplate.MaxSubjectLength) : v.Text("subject", request.Subject, MessageTemplate.MaxSubjectLength);
        var html = Body(v, "html", request.Html, MessageTemplate.MaxHtmlLength, required);
        var text = Body(v, "text", request.Text, MessageTemplate.MaxTextLength, required);
        v.ThrowIfInvalid();
        return (subject, html, text);
    }

    /// <summary>Multi-line text: line breaks and tabs are fine, other control characters are not.</summary>
    private static string? Body(Validation v, string field, string? value, int maxLength, bool required)
    {
        if (value is null || value.Trim().Length == 0)
        {
            if (required)
            {
                v.Add(field, $"'{field}' is required.");
            }

            return null;
        }

        if (value.Length > maxLength)
        {
            v.Add(field, $"'{field}' must be at most {maxLength} characters.");
        }
        else if (value.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t'))
        {
            v.Add(field, $"'{field}' must not contain control characters other than line breaks and tabs.");
        }

        return value;
    }

    private static MessageTemplateView View(TemplateDefinition definition, MessageTemplate? stored) => new(
        definition.Key,
        definition.Description,
        stored?.Subject ?? definition.Subject,
        stored?.Html ?? definition.Html,
        stored?.Text ?? definition.Text,
        stored is not null,
        stored?.UpdatedAt,
        definition.Placeholders);
}
