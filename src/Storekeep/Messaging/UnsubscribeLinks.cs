using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Storekeep.Customers;
using Storekeep.Data;

namespace Storekeep.Messaging;

/// <summary>What the unsubscribe page shows: where the link came from, and whether consent is already withdrawn.</summary>
public sealed record UnsubscribeTarget(string Channel, string Address, bool AlreadyUnsubscribed);

/// <summary>
/// One-click unsubscribe for marketing email queued from a template (abandoned-cart reminders;
/// campaigns have their own per-recipient token, on the same <c>/m/u/</c> page). The token is the
/// message's id protected with ASP.NET Data Protection (keys in the database, shared by every
/// node): it cannot be forged or pointed at another address, needs no table of its own and stays
/// short whatever the address. It resolves to the message, whose recipient is unsubscribed.
/// </summary>
public sealed class UnsubscribeLinks(IDataProtectionProvider dataProtection, EmailSettings settings, StorekeepDbContext db, CustomerProfiles profiles)
{
    /// <summary>The path shared with campaigns' links: one unsubscribe page for all marketing email.</summary>
    public const string PathPrefix = "/m/u/";

    /// <summary>Where a withdrawal by link comes from, as recorded on the customer.</summary>
    public const string Source = "unsubscribe_link";

    // Campaign tokens are 32 hex digits; a protected message id is about 130 characters.
    private const int MaxTokenLength = 400;

    private readonly IDataProtector _protector = dataProtection.CreateProtector("Storekeep.Messaging.Unsubscribe.v1");

    /// <summary>The unsubscribe address for the message <paramref name="messageId"/> (not yet saved: it is queued with it).</summary>
    public string For(Guid messageId) =>
        settings.PublicUrl + PathPrefix + Base64Url.EncodeToString(_protector.Protect(messageId.ToByteArray()));

    /// <summary>The address a valid token unsubscribes; null for a malformed or forged token.</summary>
    public async Task<UnsubscribeTarget?> FindAsync(string token, CancellationToken ct)
    {
        if (await AddressAsync(token, ct) is not { } address)
        {
            return null;
        }

        var withdrawn = await db.Customers.AsNoTracking().AnyAsync(c => c.Email == address && c.EmailConsentAt != null && !c.AcceptsEmail, ct);
        return new UnsubscribeTarget(MessageChannels.Email, address, withdrawn);
    }

    /// <summary>
    /// Withdraws the address's email consent at once (recording it on a new customer record if the
    /// shopper is not a customer yet, so no further marketing goes there); repeating it changes
    /// nothing. False, and nothing changed, for a malformed or forged token.
    /// </summary>
    public async Task<bool> UnsubscribeAsync(string token, CancellationToken ct)
    {
        if (await AddressAsync(token, ct) is not { } address)
        {
            return false;
        }

        await profiles.WithdrawEmailConsentAsync(address, Source, ct);
        return true;
    }

    private async Task<string?> AddressAsync(string token, CancellationToken ct) =>
        MessageOf(token) is { } id
            ? await db.Messages.AsNoTracking().Where(m => m.Id == id && m.Channel == MessageChannels.Email && m.UnsubscribeUrl != null).Select(m => m.To).FirstOrDefaultAsync(ct)
            : null;

    private Guid? MessageOf(string token)
    {
        if (token.Length is 0 or > MaxTokenLength || !Base64Url.IsValid(token))
        {
            return null;
        }

        try
        {
            var bytes = _protector.Unprotect(Base64Url.DecodeFromChars(token));
            return bytes.Length == 16 ? new Guid(bytes) : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
