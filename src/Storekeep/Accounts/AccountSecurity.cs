using System.Text;
using Microsoft.AspNetCore.Identity;
using Storekeep.Shared;

namespace Storekeep.Accounts;

/// <summary>What a person needs to add Storekeep to an authenticator app.</summary>
public sealed record AuthenticatorSetup(string SharedKey, string FormattedKey, string AuthenticatorUri);

/// <summary>
/// A signed-in person's own security: password, TOTP two-factor sign-in and recovery codes.
/// Every change renews the security stamp (Identity does), so other sessions are signed out.
/// </summary>
public sealed class AccountSecurity(UserManager<UserAccount> users, IUserStore<UserAccount> store)
{
    public const string Issuer = "Storekeep";
    public const int RecoveryCodeCount = 10;

    public async Task ChangePasswordAsync(UserAccount user, string? currentPassword, string? newPassword)
    {
        var v = new Validation();
        if (string.IsNullOrEmpty(currentPassword))
        {
            v.Add("currentPassword", "Enter your current password.");
        }

        if (string.IsNullOrEmpty(newPassword))
        {
            v.Add("newPassword", "Enter a new password.");
        }

        v.ThrowIfInvalid();
        var result = await users.ChangePasswordAsync(user, currentPassword!, newPassword!);
        if (!result.Succeeded && result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.PasswordMismatch)))
        {
            throw new RequestValidationException(new Dictionary<string, string[]> { ["currentPassword"] = ["The current password is incorrect."] });
        }

        StaffAccounts.Check(result);
    }

    /// <summary>
    /// The key to enter in an authenticator app, created on first use (a new one after 2FA was disabled).
    /// The first key is stored without renewing the security stamp, as Identity's
    /// <c>ResetAuthenticatorKeyAsync</c> would: an unconfirmed key opens nothing, and a new stamp
    /// would sign the person out everywhere, this browser included, a minute after merely opening
    /// their security page.
    /// </summary>
    public async Task<AuthenticatorSetup> GetAuthenticatorSetupAsync(UserAccount user)
    {
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            var keys = store as IUserAuthenticatorKeyStore<UserAccount> ?? throw new InvalidOperationException("The user store keeps no authenticator keys.");
            await keys.SetAuthenticatorKeyAsync(user, users.GenerateNewAuthenticatorKey(), CancellationToken.None);
            StaffAccounts.Check(await users.UpdateAsync(user));
            key = await users.GetAuthenticatorKeyAsync(user) ?? throw new InvalidOperationException("No authenticator key was stored.");
        }

        var account = user.Email ?? user.UserName ?? user.Id.ToString();
        var uri = $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(account)}?secret={key}&issuer={Uri.EscapeDataString(Issuer)}&digits=6&period=30";
        return new AuthenticatorSetup(key, FormatKey(key), uri);
    }

    /// <summary>Turns two-factor sign-in on once the app proves it has the key; returns the recovery codes, shown once.</summary>
    public async Task<IReadOnlyList<string>> EnableTwoFactorAsync(UserAccount user, string? code)
    {
        var token = (code ?? "").Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (token.Length == 0 || !await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, token))
        {
            throw new RequestValidationException(new Dictionary<string, string[]> { ["code"] = ["The code is not valid; check the time on your phone and try again."] });
        }

        StaffAccounts.Check(await users.SetTwoFactorEnabledAsync(user, true));
        return (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount))?.ToList() ?? [];
    }

    /// <summary>Turns two-factor sign-in off and forgets the key, so enabling again needs a new one.</summary>
    public async Task DisableTwoFactorAsync(UserAccount user)
    {
        StaffAccounts.Check(await users.SetTwoFactorEnabledAsync(user, false));
        StaffAccounts.Check(await users.ResetAuthenticatorKeyAsync(user));
        await users.RemoveAuthenticationTokenAsync(user, "[AspNetUserStore]", "RecoveryCodes");
    }

    /// <summary>Groups of four lower-case characters, as authenticator apps show them.</summary>
    public static string FormatKey(string key)
    {
        var text = new StringBuilder();
        for (var i = 0; i < key.Length; i += 4)
        {
            if (text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(key.AsSpan(i, Math.Min(4, key.Length - i)));
        }

        return text.ToString().ToLowerInvariant();
    }
}
