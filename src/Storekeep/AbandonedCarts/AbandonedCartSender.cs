using System.Globalization;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Storekeep.Catalog;
using Storekeep.Checkout;
using Storekeep.Customers;
using Storekeep.Data;
using Storekeep.Messaging;
using Storekeep.Promotions;

namespace Storekeep.AbandonedCarts;

/// <summary>
/// The loop's settings: <c>AbandonedCarts:PollSeconds</c> (default 60), <c>AbandonedCarts:Enabled</c>
/// (the background loop; default true, tests turn it off and run rounds themselves) and
/// <c>AbandonedCarts:BatchSize</c> (carts per step per round, default 100).
/// </summary>
public sealed class AbandonedCartOptions(IConfiguration configuration)
{
    public TimeSpan PollInterval { get; } = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("AbandonedCarts:PollSeconds", 60)));
    public bool LoopEnabled { get; } = configuration.GetValue("AbandonedCarts:Enabled", true);
    public int BatchSize { get; } = Math.Clamp(configuration.GetValue("AbandonedCarts:BatchSize", 100), 1, 1000);
}

/// <summary>
/// Sends the abandoned-cart reminders that are due (docs/marketing.md, "Abandoned carts"). A cart
/// gets step n once, when it is active (not checked out), has an email and items, its last activity
/// (<see cref="Cart.UpdatedAt"/>) is at least step n's delay ago but not more than
/// <see cref="LateWindow"/> beyond it, step n−1 went out, and its email does not belong to a
/// customer who declined or withdrew email consent. Each reminder is one transaction: the step's
/// row (unique per cart and step) and the message, so it is queued once whatever the number of
/// rounds or nodes, and only with the commit that records it.
/// </summary>
public sealed class AbandonedCartSender(
    StorekeepDbContext db,
    AbandonedCartSettingsService settings,
    MessageQueue messages,
    AbandonedCartOptions options,
    TimeProvider clock)
{
    public const string NameValue = "name";
    public const string ItemsValue = "cart.items";
    public const string LinkValue = "cart.link";
    public const string CodeValue = "discount.code";

    /// <summary>A step that fell due longer ago than this (the loop was down, the sequence was just switched on) is skipped, so old carts are never mailed all at once.</summary>
    public static readonly TimeSpan LateWindow = TimeSpan.FromHours(48);

    /// <summary>One round: every due step of every due cart, up to the batch size per step; returns how many reminders were queued.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct, DateTime? asOf = null)
    {
        var (enabled, steps) = await settings.CurrentAsync(ct);
        if (!enabled || steps.Count == 0)
        {
            return 0;
        }

        var now = asOf ?? clock.GetUtcNow().UtcDateTime;
        var sent = 0;
        for (var step = 0; step < steps.Count; step++)
        {
            foreach (var cartId in await DueCartsAsync(step, steps[step], now, ct))
            {
                if (await SendAsync(cartId, step, steps[step], now, ct))
                {
                    sent++;
                }
            }
        }

        return sent;
    }

    private Task<List<Guid>> DueCartsAsync(int step, AbandonedCartStep definition, DateTime now, CancellationToken ct)
    {
        var idleSince = now.AddMinutes(-definition.DelayMinutes);
        var tooOld = idleSince - LateWindow;
        var emails = db.Set<AbandonedCartEmail>();
        var previous = step - 1;
        return db.Carts.AsNoTracking()
            .Where(c => c.Status == CartStatus.Active && c.Email != null && c.Items.Any()
                && c.UpdatedAt <= idleSince && c.UpdatedAt > tooOld
                && !emails.Any(e => e.CartId == c.Id && e.StepIndex == step)
                && (step == 0 || emails.Any(e => e.CartId == c.Id && e.StepIndex == previous))
                && !db.Customers.Any(k => k.Email == c.Email && k.EmailConsentAt != null && !k.AcceptsEmail))
            .OrderBy(c => c.UpdatedAt)
            .Select(c => c.Id)
            .Take(options.BatchSize)
            .ToListAsync(ct);
    }

    /// <summary>Queues one step for one cart; false when another node did, or the cart is no longer due.</summary>
    private async Task<bool> SendAsync(Guid cartId, int step, AbandonedCartStep definition, DateTime now, CancellationToken ct)
    {
        try
        {
            return await db.InTransactionAsync(async token =>
            {
                // On PostgreSQL the cart's row lock orders this against a checkout converting it:
                // whichever commits first wins, so an ordered cart is never reminded. SQLite's
                // IMMEDIATE transaction already excludes every other writer.
                if (db.IsPostgres)
                {
                    var locked = await db.Database.SqlQuery<Guid>($"SELECT id AS \"Value\" FROM carts WHERE id = {cartId} FOR UPDATE").ToListAsync(token);
                    if (locked.Count == 0)
                    {
                        return false;
                    }
                }

                var cart = await db.Carts.AsNoTracking().Include(c => c.Items).SingleAsync(c => c.Id == cartId, token);
                if (cart.Status != CartStatus.Active || cart.Email is null || cart.Items.Count == 0 || cart.UpdatedAt > now.AddMinutes(-definition.DelayMinutes)
                    || await db.Set<AbandonedCartEmail>().AnyAsync(e => e.CartId == cartId && e.StepIndex == step, token))
                {
                    return false;
                }

                var secret = Base64UrlToken();
                var code = definition.DiscountId is { } discountId
                    ? await db.Set<DiscountDefinition>().AsNoTracking().Where(d => d.Id == discountId && d.Status == DiscountStatus.Active).Select(d => d.Code).FirstOrDefaultAsync(token)
                    : null;
                var values = await ValuesAsync(cart, secret, code, token);
                var step1 = TemplateRenderer.Render(definition.Subject, definition.Body, definition.Body, values);
                values[MessageTypes.AbandonedCartSubjectValue] = step1.Subject;
                values[MessageTypes.AbandonedCartBodyValue] = step1.Text;
                var message = await messages.QueueAsync(MessageTypes.AbandonedCart, cart.Email, values, $"abandoned_cart:{cartId}:{step}", token);
                db.Set<AbandonedCartEmail>().Add(new AbandonedCartEmail
                {
                    CartId = cartId,
                    StepIndex = step,
                    Email = cart.Email,
                    DiscountId = code is null ? null : definition.DiscountId,
                    Token = secret,
                    MessageId = message.Id,
                    SentAt = now,
                });
                return true;
            }, ct);
        }
        catch (DbUpdateException e) when (Transactions.IsUniqueViolation(e))
        {
            // Another node queued this step first (its row and message committed): nothing to do.
            return false;
        }
    }

    private async Task<Dictionary<string, string?>> ValuesAsync(Cart cart, string secret, string? code, CancellationToken ct)
    {
        var skus = cart.Items.Select(i => i.Sku).ToList();
        var titles = await db.Set<ProductVariant>().AsNoTracking().Where(v => skus.Contains(v.Sku))
            .Select(v => new { v.Sku, Product = v.Product!.Title, Variant = v.Title }).ToListAsync(ct);
        var names = titles.ToDictionary(t => t.Sku, t => string.IsNullOrWhiteSpace(t.Variant) ? t.Product : $"{t.Product} ({t.Variant})", StringComparer.Ordinal);
        var lines = cart.Items.OrderBy(i => i.AddedAt).ThenBy(i => i.Sku, StringComparer.Ordinal)
            .Select(i => string.Create(CultureInfo.InvariantCulture, $"{i.Quantity} × {names.GetValueOrDefault(i.Sku, i.Sku)}"));
        var name = await db.Customers.AsNoTracking().Where(c => c.Email == cart.Email).Select(c => c.FirstName).FirstOrDefaultAsync(ct);
        return new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            [NameValue] = string.IsNullOrWhiteSpace(name) ? "there" : name,
            [ItemsValue] = string.Join("\n", lines),
            [LinkValue] = messages.Link($"/cart/restore/{secret}"),
            [CodeValue] = code ?? "",
            [MessageTypes.AbandonedCartDiscountLineValue] = code is null ? "" : $"Use code {code} at checkout.",
        };
    }

    private static string Base64UrlToken() => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
