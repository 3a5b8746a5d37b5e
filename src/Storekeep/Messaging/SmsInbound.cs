using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Storekeep.Customers;
using Storekeep.Data;

namespace Storekeep.Messaging;

/// <summary>What an inbound SMS asks for: Twilio's standard opt-out and opt-in keywords, or nothing.</summary>
public enum SmsKeyword
{
    None,
    OptOut,
    OptIn,
}

/// <summary>
/// Incoming SMS from Twilio's messaging webhook. An opt-out keyword (STOP and its synonyms) withdraws
/// the SMS consent of every customer with the sender's number, through the Customers capability. An
/// opt-in keyword (START, YES, UNSTOP) records nothing: Twilio lets the number reach us again, but
/// marketing consent must be given explicitly (checkout, account, staff). Anything else is ignored.
/// A STOP is acted on once per MessageSid (<see cref="InboundSms"/>), so a replay changes nothing.
/// </summary>
public sealed partial class SmsInbound(SmsSettings settings, StorekeepDbContext db, CustomerProfiles profiles, TimeProvider clock, ILogger<SmsInbound> logger)
{
    /// <summary>The consent source recorded for a withdrawal by STOP reply.</summary>
    public const string StopSource = "sms_stop";

    public const string SignatureHeader = "X-Twilio-Signature";

    /// <summary>An empty TwiML answer: Twilio sends no reply of ours (it answers STOP itself).</summary>
    public const string EmptyTwiml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";

    private static readonly string[] OptOutWords = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"];
    private static readonly string[] OptInWords = ["START", "YES", "UNSTOP"];

    /// <summary>Forgets the MessageSids handled before <paramref name="before"/> (no retry comes that late); returns how many.</summary>
    public Task<int> PruneAsync(DateTime before, CancellationToken ct) =>
        db.Set<InboundSms>().Where(s => s.ReceivedAt < before).ExecuteDeleteAsync(ct);

    /// <summary>Only a Twilio store receives SMS.</summary>
    public bool Enabled => settings.Provider == SmsSettings.Twilio;

    /// <summary>
    /// Twilio's request signature: Base64(HMAC-SHA1(auth token, the full URL Twilio requested,
    /// query included, followed by every POST parameter sorted by name (ordinal) as name+value)).
    /// </summary>
    public static string Signature(string authToken, string url, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var data = new StringBuilder(url);
        foreach (var (name, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal))
        {
            data.Append(name).Append(value);
        }

        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString())));
    }

    /// <summary>True when <paramref name="signature"/> is Twilio's for this URL and these parameters (compared in constant time).</summary>
    public bool Verify(string url, IEnumerable<KeyValuePair<string, string>> parameters, string? signature)
    {
        if (!Enabled || string.IsNullOrWhiteSpace(signature))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Signature(settings.AuthToken, url, parameters));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature.Trim()));
    }

    /// <summary>The keyword the whole body is, ignoring case and surrounding space; None for any other text.</summary>
    public static SmsKeyword KeywordOf(string? body)
    {
        var word = (body ?? "").Trim().ToUpperInvariant();
        return OptOutWords.Contains(word) ? SmsKeyword.OptOut
            : OptInWords.Contains(word) ? SmsKeyword.OptIn
            : SmsKeyword.None;
    }

    /// <summary>Acts on a verified SMS. Repeating it (Twilio retries, the same MessageSid) changes nothing more.</summary>
    public async Task<SmsKeyword> ReceiveAsync(string? from, string? body, string? messageSid, CancellationToken ct)
    {
        var keyword = KeywordOf(body);
        if (keyword == SmsKeyword.OptOut && !string.IsNullOrWhiteSpace(from))
        {
            var sid = (messageSid ?? "").Trim();
            if (sid.Length is 0 or > InboundSms.MaxSidLength)
            {
                // Twilio always sends one; without it there is nothing to recognise a replay by.
                var withdrawn = await profiles.WithdrawSmsConsentAsync(from, StopSource, ct);
                LogOptOut(logger, sid, withdrawn);
                return keyword;
            }

            // The MessageSid is recorded in the withdrawal's transaction: a replay (Twilio retries)
            // finds it taken and withdraws nothing, even if the customer consented again meanwhile.
            var changed = await db.InTransactionAsync(async token =>
            {
                var now = clock.GetUtcNow().UtcDateTime;
                var first = await db.Database.ExecuteSqlAsync(
                    $"INSERT INTO inbound_sms (message_sid, received_at) VALUES ({sid}, {now}) ON CONFLICT (message_sid) DO NOTHING", token);
                return first == 0 ? (int?)null : await profiles.WithdrawSmsConsentAsync(from, StopSource, token);
            }, ct);
            if (changed is { } count)
            {
                LogOptOut(logger, sid, count);
            }
            else
            {
                LogReplay(logger, sid);
            }
        }

        return keyword;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SMS opt-out {MessageSid}: SMS consent withdrawn for {Customers} customer(s).")]
    private static partial void LogOptOut(ILogger logger, string messageSid, int customers);

    [LoggerMessage(Level = LogLevel.Information, Message = "SMS opt-out {MessageSid} was already handled: nothing changed.")]
    private static partial void LogReplay(ILogger logger, string messageSid);
}
