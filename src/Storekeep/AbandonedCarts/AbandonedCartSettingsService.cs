using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Messaging;
using Storekeep.Promotions;
using Storekeep.Shared;

namespace Storekeep.AbandonedCarts;

/// <summary>Reads and replaces the abandoned-cart sequence (<c>GET|PUT /marketing/abandoned-carts</c>).</summary>
public sealed class AbandonedCartSettingsService(StorekeepDbContext db, TimeProvider clock)
{
    public const int MaxSteps = 5;
    public const int MaxDelayMinutes = 60 * 24 * 30;
    public const int SubjectMaxLength = 200;
    public const int BodyMaxLength = 4000;

    /// <summary>The placeholders a step's subject and body may use.</summary>
    public static readonly IReadOnlyList<string> Placeholders =
        [AbandonedCartSender.NameValue, AbandonedCartSender.ItemsValue, AbandonedCartSender.LinkValue, AbandonedCartSender.CodeValue];

    public async Task<AbandonedCartSettingsView> GetAsync(CancellationToken ct)
    {
        var row = await db.Set<AbandonedCartSettings>().AsNoTracking().FirstOrDefaultAsync(s => s.Id == AbandonedCartSettings.SingletonId, ct);
        return row is null ? new AbandonedCartSettingsView(false, [], null) : View(row);
    }

    /// <summary>The configured steps (none when never configured).</summary>
    public async Task<(bool Enabled, IReadOnlyList<AbandonedCartStep> Steps)> CurrentAsync(CancellationToken ct)
    {
        var row = await db.Set<AbandonedCartSettings>().AsNoTracking().FirstOrDefaultAsync(s => s.Id == AbandonedCartSettings.SingletonId, ct);
        return row is null ? (false, []) : (row.Enabled, StepsOf(row));
    }

    /// <summary>
    /// Replaces the sequence. Field errors → 400 validation_failed; delays not strictly ascending →
    /// 422 <c>abandoned_cart_steps_not_ascending</c>; a discount that does not exist or has no code →
    /// 422 <c>abandoned_cart_discount_invalid</c>; a placeholder it cannot fill → 422 <c>unknown_placeholder</c>.
    /// Nothing changes on any of them.
    /// </summary>
    public async Task<AbandonedCartSettingsView> SaveAsync(AbandonedCartSettingsRequest? request, CancellationToken ct)
    {
        var v = new Validation();
        if (request?.Enabled is null)
        {
            v.Add("enabled", "'enabled' is required: true or false.");
        }

        var steps = new List<AbandonedCartStep>();
        if (request?.Steps is null)
        {
            v.Add("steps", "'steps' is required (an empty list when there are none).");
        }
        else if (request.Steps.Count > MaxSteps)
        {
            v.Add("steps", $"At most {MaxSteps} steps.");
        }
        else
        {
            for (var i = 0; i < request.Steps.Count; i++)
            {
                var field = $"steps[{i}]";
                if (request.Steps[i] is not { } step)
                {
                    v.Add(field, $"'{field}' must be an object.");
                    continue;
                }

                if (step.DelayMinutes is not { } delay)
                {
                    v.Add($"{field}.delayMinutes", $"'{field}.delayMinutes' is required.");
                }
                else if (delay is < 1 or > MaxDelayMinutes)
                {
                    v.Add($"{field}.delayMinutes", $"'{field}.delayMinutes' must be between 1 and {MaxDelayMinutes}.");
                }

                var subject = v.Required($"{field}.subject", step.Subject, SubjectMaxLength);
                var body = Body(v, $"{field}.body", step.Body);
                steps.Add(new AbandonedCartStep(step.DelayMinutes ?? 0, subject, body, step.DiscountId));
            }

            if (request.Enabled == true && request.Steps.Count == 0)
            {
                v.Add("steps", "An enabled sequence needs at least one step.");
            }
        }

        v.ThrowIfInvalid();
        for (var i = 1; i < steps.Count; i++)
        {
            if (steps[i].DelayMinutes <= steps[i - 1].DelayMinutes)
            {
                throw Errors.Unprocessable("abandoned_cart_steps_not_ascending",
                    $"Each step's delayMinutes must be greater than the one before: step {i + 1} ({steps[i].DelayMinutes}) comes after {steps[i - 1].DelayMinutes}.");
            }
        }

        var unknown = steps.SelectMany(s => TemplateRenderer.PlaceholdersIn(s.Subject, s.Body)).Distinct(StringComparer.Ordinal)
            .Where(p => !Placeholders.Contains(p, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            throw new StorekeepException(ErrorKind.Unprocessable, "unknown_placeholder",
                $"The steps use placeholders they cannot fill: {string.Join(", ", unknown.Select(p => "{{" + p + "}}"))}. They may use: {string.Join(", ", Placeholders.Select(p => "{{" + p + "}}"))}.")
            {
                Extensions = new Dictionary<string, object?> { ["placeholders"] = unknown },
            };
        }

        var discountIds = steps.Where(s => s.DiscountId is not null).Select(s => s.DiscountId!.Value).Distinct().ToList();
        if (discountIds.Count > 0)
        {
            var withCodes = await db.Set<DiscountDefinition>().AsNoTracking()
                .Where(d => discountIds.Contains(d.Id) && d.Code != null).Select(d => d.Id).ToListAsync(ct);
            if (discountIds.Except(withCodes).FirstOrDefault() is var missing && missing != Guid.Empty)
            {
                throw Errors.Unprocessable("abandoned_cart_discount_invalid", $"No discount with a code has id {missing}; a step's discount must be a code discount.");
            }
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var json = JsonSerializer.Serialize(steps, StorekeepJson.Options);
        await db.InTransactionAsync(async token =>
        {
            var row = await db.Set<AbandonedCartSettings>().FirstOrDefaultAsync(s => s.Id == AbandonedCartSettings.SingletonId, token);
            if (row is null)
            {
                db.Set<AbandonedCartSettings>().Add(new AbandonedCartSettings { Enabled = request!.Enabled!.Value, Steps = json, UpdatedAt = now });
            }
            else
            {
                row.Enabled = request!.Enabled!.Value;
                row.Steps = json;
                row.UpdatedAt = now;
            }
        }, ct);
        return await GetAsync(ct);
    }

    internal static IReadOnlyList<AbandonedCartStep> StepsOf(AbandonedCartSettings row) =>
        JsonSerializer.Deserialize<List<AbandonedCartStep>>(row.Steps, StorekeepJson.Options) ?? [];

    private static AbandonedCartSettingsView View(AbandonedCartSettings row) =>
        new(row.Enabled, StepsOf(row).Select(s => new AbandonedCartStepView(s.DelayMinutes, s.Subject, s.Body, s.DiscountId)).ToList(), row.UpdatedAt);

    /// <summary>Multi-line text: newlines and tabs allowed, other control characters not.</summary>
    private static string Body(Validation v, string field, string? value)
    {
        var text = value?.Trim() ?? "";
        if (text.Length == 0)
        {
            v.Add(field, $"'{field}' is required.");
        }
        else if (text.Length > BodyMaxLength)
        {
            v.Add(field, $"'{field}' must be at most {BodyMaxLength} characters.");
        }
        else if (text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
        {
            v.Add(field, $"'{field}' must not contain control characters other than line breaks.");
        }

        return text.Replace("\r\n", "\n", StringComparison.Ordinal);
    }
}
