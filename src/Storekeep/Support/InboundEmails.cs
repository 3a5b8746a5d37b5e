using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Support;

/// <summary>
/// Customers' email replies to ticket emails, posted raw (MIME) by the mail provider's inbound route.
/// The ticket is found by the token in its reply address (<c>support+t&lt;token&gt;@…</c>, in To, Cc
/// or the delivery headers) or, failing that, by In-Reply-To/References naming an email we sent for
/// it. The reply's own text (the quoted earlier message cut off) becomes a customer message through
/// <see cref="Tickets"/>; a mail without a known ticket, or answering a closed one, opens a new email
/// ticket. The Message-ID is kept on the message (unique), so a redelivery adds nothing.
/// </summary>
public sealed partial class InboundEmails(StorekeepDbContext db, Tickets tickets, SupportSettings settings)
{
    public const string Added = "added";
    public const string Created = "created";
    public const string Duplicate = "duplicate";
    public const string NoSubject = "(no subject)";

    private static readonly string[] DeliveryHeaders = ["Delivered-To", "X-Original-To", "Envelope-To", "X-Forwarded-To"];

    /// <summary>False when the webhook is off (no <c>Support:InboundSecret</c>).</summary>
    public bool Enabled => settings.InboundSecret is not null;

    /// <summary>The shared secret, compared in constant time (hashes of equal length, so the length leaks nothing either).</summary>
    public bool SecretMatches(string? given) =>
        settings.InboundSecret is { } secret && given is not null
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(secret)), SHA256.HashData(Encoding.UTF8.GetBytes(given)));

    public async Task<InboundEmailResult> ReceiveAsync(Stream raw, CancellationToken ct)
    {
        MimeMessage mime;
        try
        {
            mime = await MimeMessage.LoadAsync(raw, ct);
        }
        catch (FormatException e)
        {
            throw Errors.BadRequest("unreadable_email", $"The body is not a MIME message: {e.Message}");
        }

        var from = mime.From.Mailboxes.FirstOrDefault()?.Address?.Trim();
        if (string.IsNullOrEmpty(from))
        {
            throw Errors.BadRequest("unreadable_email", "The message has no From address.");
        }

        if (settings.InboundAuthServId is { } authserv && !SenderAuthenticated(mime, authserv, from))
        {
            throw Errors.Unprocessable("sender_unverified", $"The receiving mail server ({authserv}) did not verify that the message comes from {from}'s domain (DMARC, DKIM or SPF): it was not added.");
        }

        var messageId = MessageIdKey(mime.MessageId);
        if (await DuplicateOfAsync(messageId, ct) is { } seen)
        {
            return new InboundEmailResult(seen, Duplicate);
        }

        var text = Clean(StripQuoted(TextOf(mime)), TicketMessage.BodyMaxLength);
        var ticketId = await TicketByTokenAsync(mime, ct) ?? await TicketByThreadAsync(mime, ct);
        try
        {
            if (ticketId is { } id)
            {
                var ticket = await db.Set<Ticket>().AsNoTracking().Where(t => t.Id == id).Select(t => new { t.Email, t.Status }).SingleAsync(ct);
                if (!string.Equals(ticket.Email, from, StringComparison.OrdinalIgnoreCase))
                {
                    throw Errors.Unprocessable("sender_mismatch", "The sender is not the ticket's customer: the message was not added.");
                }

                if (ticket.Status != TicketStatus.Closed)
                {
                    await tickets.AddCustomerMessageAsync(id, ticket.Email, text, messageId, ct);
                    return new InboundEmailResult(id, Added);
                }
            }

            // No ticket (or a closed one, which takes nothing more): the mail opens a new one.
            var subject = Clean(mime.Subject ?? "", Ticket.SubjectMaxLength).Replace('\n', ' ').Replace('\t', ' ').Trim();
            var created = await tickets.CreateAsync(
                new CreateTicketRequest(from, subject.Length == 0 ? NoSubject : subject, text, null, Tickets.Name(TicketChannel.Email), null), messageId, ct);
            return new InboundEmailResult(created.Id, Created);
        }
        catch (DbUpdateException e) when (messageId is not null && Transactions.IsUniqueViolation(e))
        {
            // The same mail delivered twice at once: the other delivery added it.
            if (await DuplicateOfAsync(messageId, ct) is { } raced)
            {
                return new InboundEmailResult(raced, Duplicate);
            }

            throw;
        }
    }

    /// <summary>
    /// Whether the receiving server vouches for the From domain: only Authentication-Results headers
    /// whose authserv-id is ours count (anyone can write one into a message they send). DMARC's result
    /// decides when there is one; otherwise a DKIM pass signed by the From domain, or an SPF pass for
    /// it (the domain itself or a subdomain, as DMARC's relaxed alignment allows).
    /// </summary>
    internal static bool SenderAuthenticated(MimeMessage mime, string authserv, string from)
    {
        var domain = from[(from.LastIndexOf('@') + 1)..].ToLowerInvariant();
        bool Aligned(string? d) => d is { Length: > 0 } && (string.Equals(d, domain, StringComparison.OrdinalIgnoreCase)
            || domain.EndsWith("." + d.ToLowerInvariant(), StringComparison.Ordinal) || d.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase));
        string? Property(MimeKit.Cryptography.AuthenticationMethodResult r, string type, string name) =>
            r.Properties.FirstOrDefault(p => string.Equals(p.PropertyType, type, StringComparison.OrdinalIgnoreCase) && string.Equals(p.Property, name, StringComparison.OrdinalIgnoreCase))?.Value;

        var results = mime.Headers.Where(h => h.Id == HeaderId.AuthenticationResults)
            .Select(h => MimeKit.Cryptography.AuthenticationResults.TryParse(h.RawValue, out var parsed) ? parsed : null)
            .Where(a => a is not null && string.Equals(a.AuthenticationServiceIdentifier, authserv, StringComparison.OrdinalIgnoreCase))
            .SelectMany(a => a!.Results)
            .ToList();
        var dmarc = results.Where(r => string.Equals(r.Method, "dmarc", StringComparison.OrdinalIgnoreCase)).ToList();
        if (dmarc.Count > 0)
        {
            return dmarc.All(r => string.Equals(r.Result, "pass", StringComparison.OrdinalIgnoreCase));
        }

        return results.Any(r => string.Equals(r.Result, "pass", StringComparison.OrdinalIgnoreCase)
            && ((string.Equals(r.Method, "dkim", StringComparison.OrdinalIgnoreCase) && Aligned(Property(r, "header", "d")))
                || (string.Equals(r.Method, "spf", StringComparison.OrdinalIgnoreCase) && Aligned(Property(r, "smtp", "mailfrom")?.Split('@')[^1]))));
    }

    /// <summary>The Message-ID as stored: a very long one is replaced by its hash (still unique, still fits).</summary>
    internal static string? MessageIdKey(string? messageId)
    {
        var id = messageId?.Trim();
        if (string.IsNullOrEmpty(id))
        {
            return null;
        }

        return id.Length <= TicketMessage.InboundMessageIdMaxLength ? id : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
    }

    private async Task<Guid?> DuplicateOfAsync(string? messageId, CancellationToken ct) =>
        messageId is null
            ? null
            : await db.Set<TicketMessage>().AsNoTracking().Where(m => m.InboundMessageId == messageId).Select(m => (Guid?)m.TicketId).FirstOrDefaultAsync(ct);

    private async Task<Guid?> TicketByTokenAsync(MimeMessage mime, CancellationToken ct)
    {
        if (settings.InboundLocalPart is not { } local)
        {
            return null;
        }

        var prefix = local + "+t";
        var addresses = mime.To.Mailboxes.Concat(mime.Cc.Mailboxes).Select(m => m.Address).ToList();
        foreach (var header in DeliveryHeaders)
        {
            foreach (var value in mime.Headers.Where(h => h.Field.Equals(header, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value))
            {
                if (InternetAddressList.TryParse(value, out var list))
                {
                    addresses.AddRange(list.Mailboxes.Select(m => m.Address));
                }
            }
        }

        foreach (var address in addresses)
        {
            var at = address.LastIndexOf('@');
            var localPart = at < 0 ? address : address[..at];
            if (!localPart.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var token = localPart[prefix.Length..].ToLowerInvariant();
            if (token.Length == 32 && token.All(char.IsAsciiHexDigitLower)
                && await db.Set<Ticket>().AsNoTracking().Where(t => t.ReplyToken == token).Select(t => (Guid?)t.Id).FirstOrDefaultAsync(ct) is { } id)
            {
                return id;
            }
        }

        return null;
    }

    /// <summary>In-Reply-To and References name our emails by Message-Id <c>&lt;message id as 32 hex&gt;@domain</c> (MessageDeliverer.ToMime).</summary>
    private async Task<Guid?> TicketByThreadAsync(MimeMessage mime, CancellationToken ct)
    {
        var sent = new List<Guid>();
        foreach (var reference in new[] { mime.InReplyTo }.Concat(mime.References).OfType<string>())
        {
            var at = reference.IndexOf('@', StringComparison.Ordinal);
            if (at > 0 && Guid.TryParseExact(reference[..at], "N", out var id))
            {
                sent.Add(id);
            }
        }

        if (sent.Count == 0)
        {
            return null;
        }

        var matches = await db.Set<TicketMessage>().AsNoTracking()
            .Where(m => m.EmailMessageId != null && sent.Contains(m.EmailMessageId.Value))
            .Select(m => new { m.TicketId, m.CreatedAt }).ToListAsync(ct);
        return matches.OrderByDescending(m => m.CreatedAt).Select(m => (Guid?)m.TicketId).FirstOrDefault();
    }

    /// <summary>The text part, or the HTML part converted to text.</summary>
    internal static string TextOf(MimeMessage mime)
    {
        if (mime.TextBody is { } text)
        {
            return text;
        }

        return mime.HtmlBody is { } html ? HtmlText(html) : "";
    }

    /// <summary>Crude HTML to text: quoted blocks, styles and scripts dropped, block ends as line breaks, tags removed, entities decoded.</summary>
    internal static string HtmlText(string html)
    {
        var text = DroppedBlocks().Replace(html, "");
        text = LineBreaks().Replace(text, "\n");
        text = Tags().Replace(text, "");
        var lines = WebUtility.HtmlDecode(text).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n')
            .Select(l => Spaces().Replace(l.Replace('\u00a0', ' '), " ").Trim());
        return ManyBlankLines().Replace(string.Join('\n', lines), "\n\n").Trim();
    }

    [GeneratedRegex(@"<(blockquote|style|script|head)\b.*?</\1\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex DroppedBlocks();

    [GeneratedRegex(@"<br\s*/?>|</(p|div|li|tr|h[1-6]|table|ul|ol)\s*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LineBreaks();

    [GeneratedRegex(@"<[^>]*>", RegexOptions.CultureInvariant)]
    private static partial Regex Tags();

    [GeneratedRegex(@"[ \t]+", RegexOptions.CultureInvariant)]
    private static partial Regex Spaces();

    [GeneratedRegex(@"\n{3,}", RegexOptions.CultureInvariant)]
    private static partial Regex ManyBlankLines();

    /// <summary>
    /// The reply without the message it quotes: everything from an attribution line ("On … wrote:",
    /// possibly wrapped onto two lines) or an Outlook "-----Original Message-----" on is cut, and
    /// lines quoted with '>' are dropped.
    /// </summary>
    public static string StripQuoted(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        var kept = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.StartsWith("-----Original Message-----", StringComparison.OrdinalIgnoreCase)
                || (line.StartsWith("On ", StringComparison.Ordinal)
                    && (line.EndsWith("wrote:", StringComparison.Ordinal) || (i + 1 < lines.Length && lines[i + 1].Trim().EndsWith("wrote:", StringComparison.Ordinal)))))
            {
                break;
            }

            if (!line.StartsWith('>'))
            {
                kept.Add(lines[i].TrimEnd());
            }
        }

        return string.Join('\n', kept).Trim();
    }

    /// <summary>Line breaks and tabs kept, other control characters dropped, cut to <paramref name="max"/>.</summary>
    private static string Clean(string text, int max)
    {
        var clean = new string([.. text.Where(c => c is '\n' or '\t' || !char.IsControl(c))]).Trim();
        return clean.Length > max ? clean[..max] : clean;
    }
}
