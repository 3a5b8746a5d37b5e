using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Storekeep.Data;
using Storekeep.Messaging;
using Storekeep.Shared;

namespace Storekeep.Accounts;

/// <summary>Shoppers reset their password at /account/…, staff at /admin/…; each page serves only its own kind of account.</summary>
public enum AccountKind
{
    Shopper,
    Staff,
}

/// <summary>
/// The emails that prove someone holds a mailbox: the shopper's email confirmation and the password
/// reset of shoppers and staff. Tokens are Identity's (signed with the data-protection keys kept in
/// the database, so any node accepts them), bound to the account and its security stamp, and the
/// message is queued in the same unit of work that is saved here.
/// </summary>
public sealed class AccountEmails(UserManager<UserAccount> users, StaffAccounts staff, MessageQueue messages, StorekeepDbContext db)
{
    public const string InvalidResetLink = "This reset link is not valid any more: it was already used, has expired or is incomplete. Ask for a new one.";

    /// <summary>Queues the "confirm your email" message with a link to <c>/account/verify-email</c>.</summary>
    public async Task SendVerificationAsync(UserAccount user, CancellationToken ct)
    {
        if (user.EmailConfirmed || user.Email is null)
        {
            return;
        }

        var token = await users.GenerateEmailConfirmationTokenAsync(user);
        var link = messages.Link($"/account/verify-email?userId={user.Id}&token={Uri.EscapeDataString(token)}");
        await messages.QueueAsync(MessageTypes.AccountVerification, user.Email, Values(user, link), dedupeKey: null, ct);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Queues a password-reset link if an account of <paramref name="kind"/> has this email; does
    /// nothing otherwise. The caller answers the same either way, so the form reveals no accounts.
    /// </summary>
    public async Task RequestPasswordResetAsync(string? email, AccountKind kind, CancellationToken ct)
    {
        var v = new Validation();
        var address = v.Email("email", email);
        v.ThrowIfInvalid();
        if (await users.FindByEmailAsync(address!) is not { Email: { } to } user || await KindOfAsync(user) != kind)
        {
            return;
        }

        var token = await users.GeneratePasswordResetTokenAsync(user);
        var page = kind == AccountKind.Staff ? "/admin/reset-password" : "/account/reset-password";
        var link = messages.Link($"{page}?userId={user.Id}&token={Uri.EscapeDataString(token)}");
        await messages.QueueAsync(MessageTypes.PasswordReset, to, Values(user, link), dedupeKey: null, ct);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Whether the link's token would still reset this account's password (the page shows the form only then).</summary>
    public async Task<bool> IsResetLinkValidAsync(string? userId, string? token, AccountKind kind) =>
        await FindForResetAsync(userId, token, kind) is { } user &&
        await users.VerifyUserTokenAsync(user, users.Options.Tokens.PasswordResetTokenProvider, UserManager<UserAccount>.ResetPasswordTokenPurpose, token!);

    /// <summary>
    /// Sets the new password. Identity renews the security stamp, so the link works once and every
    /// other session of the account ends within a minute. Following the link also proves the
    /// mailbox, so a shopper's email counts as verified from then on.
    /// </summary>
    /// <exception cref="RequestValidationException"><c>token</c> for a bad link, <c>password</c> for a weak or mismatched password.</exception>
    public async Task ResetPasswordAsync(string? userId, string? token, string? newPassword, string? confirmation, AccountKind kind)
    {
        var user = await FindForResetAsync(userId, token, kind)
            ?? throw new RequestValidationException(new Dictionary<string, string[]> { ["token"] = [InvalidResetLink] });
        var v = new Validation();
        if (string.IsNullOrEmpty(newPassword))
        {
            v.Add("password", "Enter a new password.");
        }
        else if (!string.Equals(newPassword, confirmation, StringComparison.Ordinal))
        {
            v.Add("confirmPassword", "The two passwords are not the same.");
        }

        v.ThrowIfInvalid();
        var result = await users.ResetPasswordAsync(user, token!, newPassword!);
        if (!result.Succeeded)
        {
            var invalidToken = result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.InvalidToken));
            throw new RequestValidationException(invalidToken
                ? new Dictionary<string, string[]> { ["token"] = [InvalidResetLink] }
                : new Dictionary<string, string[]> { ["password"] = result.Errors.Select(e => e.Description).ToArray() });
        }

        if (!user.EmailConfirmed)
        {
            user.EmailConfirmed = true;
            StaffAccounts.Check(await users.UpdateAsync(user));
        }

        // Failed sign-ins before the reset no longer count (a lock set by staff stays).
        await users.ResetAccessFailedCountAsync(user);
    }

    private async Task<UserAccount?> FindForResetAsync(string? userId, string? token, AccountKind kind) =>
        Guid.TryParse(userId, out var id) && !string.IsNullOrEmpty(token) &&
        await users.FindByIdAsync(id.ToString()) is { } user && await KindOfAsync(user) == kind
            ? user
            : null;

    private async Task<AccountKind> KindOfAsync(UserAccount user) =>
        await staff.IsStaffAsync(user) ? AccountKind.Staff : AccountKind.Shopper;

    private static Dictionary<string, string?> Values(UserAccount user, string link) => new(StringComparer.Ordinal)
    {
        ["name"] = user.DisplayName ?? user.Email,
        ["link"] = link,
    };
}

/// <summary>Password-reset links last two hours (email confirmation keeps Identity's default of a day).</summary>
public sealed class PasswordResetTokenProvider(
    IDataProtectionProvider dataProtection,
    IOptions<PasswordResetTokenProviderOptions> options,
    ILogger<DataProtectorTokenProvider<UserAccount>> logger)
    : DataProtectorTokenProvider<UserAccount>(dataProtection, options, logger)
{
    public const string ProviderName = "PasswordReset";
}

public sealed class PasswordResetTokenProviderOptions : DataProtectionTokenProviderOptions
{
    public PasswordResetTokenProviderOptions()
    {
        Name = PasswordResetTokenProvider.ProviderName;
        TokenLifespan = TimeSpan.FromHours(2);
    }
}
