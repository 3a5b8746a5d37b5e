using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Customers;

/// <summary>Staff's changes to customer profiles: creating a customer, names, phone, tags, note and consent.</summary>
public sealed class CustomerProfiles(StorekeepDbContext db, CustomerRegistry registry, TimeProvider clock)
{
    public const int ConsentSourceMaxLength = 100;
    public const string StaffSource = "staff";
    internal const int NameMaxLength = 100;
    private const int PhoneMaxLength = 40;

    /// <summary>Creates a customer; 409 <c>customer_exists</c> when the email is taken.</summary>
    public async Task<Guid> CreateAsync(CustomerCreateRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var email = v.Email("email", request.Email)!;
        var customer = new Customer
        {
            Email = email,
            FirstName = v.Text("firstName", request.FirstName, NameMaxLength),
            LastName = v.Text("lastName", request.LastName, NameMaxLength),
            Phone = Phone(v, request.Phone),
            Company = v.Text("company", request.Company),
            Country = Country(v, request.Country),
            Note = v.Text("note", request.Note, Customer.NoteMaxLength),
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        var tags = Tags(v, request.Tags);
        var consent = Consent(v, request.Consent);
        v.ThrowIfInvalid();

        var now = customer.CreatedAt;
        customer.NoteUpdatedAt = customer.Note is null ? null : now;
        Apply(customer, consent, now);
        if (await db.Customers.AnyAsync(c => c.Email == email, ct))
        {
            throw Errors.Conflict("customer_exists", $"A customer with the email {email} already exists.");
        }

        db.Customers.Add(customer);
        db.Set<CustomerTag>().AddRange((tags ?? []).Select(t => new CustomerTag { CustomerId = customer.Id, Tag = t }));
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The unique index on email settles a race between two creations.
            throw Errors.Conflict("customer_exists", $"A customer with the email {email} already exists.");
        }

        // Orders this email placed as a guest count for the new customer at once.
        await new CustomerOrderStats(db).LinkAsync([email], ct);
        await transaction.CommitAsync(ct);
        return customer.Id;
    }

    /// <summary>Changes what the request carries; a missing field is left as it is.</summary>
    public async Task UpdateAsync(Guid id, CustomerPatchRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var firstName = v.Text("firstName", request.FirstName, NameMaxLength);
        var lastName = v.Text("lastName", request.LastName, NameMaxLength);
        var phone = Phone(v, request.Phone);
        var company = v.Text("company", request.Company);
        var note = v.Text("note", request.Note, Customer.NoteMaxLength);
        var tags = Tags(v, request.Tags);
        var consent = Consent(v, request.Consent);
        v.ThrowIfInvalid();

        var customer = await db.Customers.FirstOrDefaultAsync(c => c.Id == id, ct)
            ?? throw Errors.NotFound("Customer", id.ToString());
        var now = clock.GetUtcNow().UtcDateTime;
        if (request.FirstName is not null)
        {
            customer.FirstName = firstName;
        }

        if (request.LastName is not null)
        {
            customer.LastName = lastName;
        }

        if (request.Phone is not null)
        {
            customer.Phone = phone;
        }

        if (request.Company is not null)
        {
            customer.Company = company;
        }

        if (request.Note is not null && note != customer.Note)
        {
            customer.Note = note;
            customer.NoteUpdatedAt = now;
        }

        Apply(customer, consent, now);
        if (tags is not null)
        {
            var current = await db.Set<CustomerTag>().Where(t => t.CustomerId == id).ToListAsync(ct);
            db.Set<CustomerTag>().RemoveRange(current.Where(t => !tags.Contains(t.Tag)));
            db.Set<CustomerTag>().AddRange(tags.Where(t => current.All(c => c.Tag != t)).Select(t => new CustomerTag { CustomerId = id, Tag = t }));
        }

        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Withdraws email or SMS consent at once (an unsubscribe link, a STOP reply); <paramref name="source"/>
    /// is kept as the proof of how. False when the customer is unknown or had not consented.
    /// </summary>
    public async Task<bool> WithdrawConsentAsync(Guid customerId, bool email, string source, CancellationToken ct)
    {
        var customer = await db.Customers.FirstOrDefaultAsync(c => c.Id == customerId, ct);
        if (customer is null || !(email ? customer.AcceptsEmail : customer.AcceptsSms))
        {
            return false;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (email)
        {
            customer.SetEmailConsent(false, source, now);
        }
        else
        {
            customer.SetSmsConsent(false, source, now);
        }

        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>
    /// Withdraws email consent for <paramref name="email"/> (normalised) at once, whatever was
    /// answered before, creating the customer record when the address is not a customer yet: a
    /// shopper who unsubscribes from a reminder without ever ordering is then known to have said no.
    /// </summary>
    public async Task WithdrawEmailConsentAsync(string email, string source, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var id = await registry.EnsureAsync(email, name: null, country: null, now, ct);
        var customer = await db.Customers.SingleAsync(c => c.Id == id, ct);
        customer.SetEmailConsent(false, source, now);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Withdraws SMS consent of every customer whose phone is <paramref name="phone"/> in E.164 form
    /// (a STOP reply: a number may be shared). Phones are stored as typed, so candidates are narrowed
    /// in SQL by their last digit and compared normalised; the guarded UPDATE touches only those who
    /// still consent, so a replay keeps the first withdrawal's time and source. Returns how many changed.
    /// </summary>
    public async Task<int> WithdrawSmsConsentAsync(string phone, string source, CancellationToken ct)
    {
        if (Phones.E164(phone) is not { } number)
        {
            return 0;
        }

        var last = number[^1..];
        var candidates = await db.Customers.AsNoTracking()
            .Where(c => c.AcceptsSms && c.Phone != null && c.Phone.EndsWith(last))
            .Select(c => new { c.Id, c.Phone })
            .ToListAsync(ct);
        var ids = candidates.Where(c => Phones.E164(c.Phone!) == number).Select(c => c.Id).ToList();
        if (ids.Count == 0)
        {
            return 0;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        return await db.Customers.Where(c => ids.Contains(c.Id) && c.AcceptsSms)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.AcceptsSms, false).SetProperty(c => c.SmsConsentAt, now).SetProperty(c => c.SmsConsentSource, source), ct);
    }

    /// <summary>Every tag in use with how many customers carry it, most used first.</summary>
    public async Task<List<(string Tag, int Customers)>> TagsInUseAsync(CancellationToken ct) =>
        [.. (await db.Set<CustomerTag>().AsNoTracking().GroupBy(t => t.Tag).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct))
            .OrderByDescending(t => t.Count).ThenBy(t => t.Key, StringComparer.Ordinal).Select(t => (t.Key, t.Count))];

    private static void Apply(Customer customer, (ConsentChange? Email, ConsentChange? Sms) consent, DateTime now)
    {
        if (consent.Email is { Accepted: { } email } e)
        {
            customer.SetEmailConsent(email, e.Source ?? StaffSource, now);
        }

        if (consent.Sms is { Accepted: { } sms } s)
        {
            customer.SetSmsConsent(sms, s.Source ?? StaffSource, now);
        }
    }

    internal static string? Phone(Validation v, string? phone)
    {
        var text = v.Text("phone", phone, PhoneMaxLength);
        if (text is not null && !text.All(c => char.IsAsciiDigit(c) || c is '+' or ' ' or '-' or '(' or ')' or '.'))
        {
            v.Add("phone", "'phone' may contain only digits, spaces, '+', '-', '.', '(' and ')'.");
        }

        return text;
    }

    internal static string? Country(Validation v, string? country)
    {
        var text = v.Text("country", country, 2);
        if (text is not null && (text.Length != 2 || !text.All(char.IsAsciiLetter)))
        {
            v.Add("country", "'country' must be a two-letter ISO 3166 code.");
        }

        return text?.ToUpperInvariant();
    }

    /// <summary>Trimmed, lower-case, without duplicates; null when the request has none (left as it is).</summary>
    internal static List<string>? Tags(Validation v, IReadOnlyList<string?>? tags)
    {
        if (tags is null)
        {
            return null;
        }

        if (tags.Count > CustomerTag.MaxPerCustomer)
        {
            v.Add("tags", $"'tags' may hold at most {CustomerTag.MaxPerCustomer} tags.");
        }

        var clean = new List<string>();
        for (var i = 0; i < tags.Count; i++)
        {
            var tag = v.Text($"tags[{i}]", tags[i], CustomerTag.MaxLength);
            if (tag is null)
            {
                v.Add($"tags[{i}]", $"'tags[{i}]' must not be empty.");
            }
            else if (!clean.Contains(tag.ToLowerInvariant()))
            {
                clean.Add(tag.ToLowerInvariant());
            }
        }

        return clean;
    }

    private static (ConsentChange? Email, ConsentChange? Sms) Consent(Validation v, ConsentRequest? consent)
    {
        return (Change("email", consent?.Email), Change("sms", consent?.Sms));

        ConsentChange? Change(string channel, ConsentChange? change)
        {
            if (change is null)
            {
                return null;
            }

            if (change.Accepted is null)
            {
                v.Add($"consent.{channel}.accepted", $"'consent.{channel}.accepted' is required.");
            }

            return change with { Source = v.Text($"consent.{channel}.source", change.Source, ConsentSourceMaxLength) };
        }
    }
}
