using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Data;
using Storekeep.Messaging;
using Storekeep.Shared;

namespace Storekeep.Support;

/// <summary>
/// Support tickets: created by staff (web, email, phone) or by shoppers on the storefront, answered
/// with public replies (emailed to the customer through Messaging's queue, in the same transaction,
/// so an email leaves only after the reply commits and never twice) or internal notes, and moved
/// through open → pending → waiting_on_customer → solved → closed. A closed ticket is final.
/// </summary>
public sealed class Tickets(StorekeepDbContext db, MessageQueue messages, SupportSettings settings, TimeProvider clock)
{
    public const string AuthorCustomer = "customer";
    public const string AuthorStaff = "staff";

    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => StorekeepDbContext.ToSnakeCase(value.ToString());

    public static TEnum? Parse<TEnum>(Validation v, string field, string? text)
        where TEnum : struct, Enum
    {
        if (text is null)
        {
            return null;
        }

        foreach (var value in Enum.GetValues<TEnum>())
        {
            if (Name(value) == text.Trim())
            {
                return value;
            }
        }

        v.Add(field, $"'{field}' must be one of {string.Join(", ", Enum.GetValues<TEnum>().Select(Name))}.");
        return null;
    }

    /// <summary>A message body: required, at most 20,000 characters; line breaks and tabs allowed, other control characters not.</summary>
    private static string Body(Validation v, string? value) => v.MultilineText("body", value, TicketMessage.BodyMaxLength, required: true) ?? "";

    public Task<TicketView> CreateAsync(CreateTicketRequest request, CancellationToken ct) => CreateAsync(request, null, ct);

    /// <summary>Opens a ticket; <paramref name="inboundMessageId"/> is the Message-ID of the email it came in (unique).</summary>
    public async Task<TicketView> CreateAsync(CreateTicketRequest request, string? inboundMessageId, CancellationToken ct)
    {
        var v = new Validation();
        var email = v.Email("email", request.Email);
        var subject = v.Required("subject", request.Subject, Ticket.SubjectMaxLength);
        var body = Body(v, request.Body);
        if (request.Channel is null)
        {
            v.Add("channel", "'channel' is required: web, email or phone.");
        }

        var channel = Parse<TicketChannel>(v, "channel", request.Channel);
        var priority = Parse<TicketPriority>(v, "priority", request.Priority) ?? TicketPriority.Normal;
        if (request.OrderId == Guid.Empty)
        {
            v.Add("orderId", "'orderId' must be an order's id.");
        }

        v.ThrowIfInvalid();

        var id = await db.InTransactionAsync(async token =>
        {
            if (request.OrderId is { } orderId && !await db.Orders.AnyAsync(o => o.Id == orderId, token))
            {
                throw new StorekeepException(ErrorKind.Unprocessable, "unknown_order", $"There is no order with id '{orderId}'.")
                {
                    Extensions = new Dictionary<string, object?> { ["field"] = "orderId" },
                };
            }

            var customerId = await db.Customers.Where(c => c.Email == email).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(token);
            var now = Now();
            var ticket = new Ticket
            {
                Email = email!,
                CustomerId = customerId,
                OrderId = request.OrderId,
                Subject = subject,
                Channel = channel!.Value,
                Priority = priority,
                Status = TicketStatus.Open,
                CreatedAt = now,
                UpdatedAt = now,
                ReplyToken = NewReplyToken(),
            };
            ticket.Messages.Add(new TicketMessage
            {
                TicketId = ticket.Id,
                Author = AuthorCustomer,
                AuthorName = email!,
                Body = body,
                CreatedAt = now,
                InboundMessageId = inboundMessageId,
            });
            db.Set<Ticket>().Add(ticket);
            return ticket.Id;
        }, ct);
        return await GetAsync(id, ct);
    }

    /// <summary>Newest first, keyset on the (time-ordered) id. With <c>breached=true</c> only tickets with a breached clock.</summary>
    public async Task<Page<TicketView>> ListAsync(TicketListFilter filter, CancellationToken ct)
    {
        var take = Cursor.Limit(filter.Limit);
        var after = Cursor.DecodeGuid(filter.Cursor);
        var v = new Validation();
        var status = Parse<TicketStatus>(v, "status", filter.Status);
        var priority = Parse<TicketPriority>(v, "priority", filter.Priority);
        Guid? assignee = null;
        var unassigned = false;
        if (filter.Assignee is { } a)
        {
            if (a == "none")
            {
                unassigned = true;
            }
            else if (Guid.TryParse(a, out var parsed))
            {
                assignee = parsed;
            }
            else
            {
                v.Add("assignee", "'assignee' must be a staff user's id, or none.");
            }
        }

        var email = filter.Email is null ? null : v.Email("email", filter.Email);
        v.ThrowIfInvalid();

        var query = db.Set<Ticket>().AsNoTracking();
        if (status is { } s)
        {
            query = query.Where(t => t.Status == s);
        }

        if (priority is { } p)
        {
            query = query.Where(t => t.Priority == p);
        }

        if (assignee is { } who)
        {
            query = query.Where(t => t.AssigneeId == who);
        }
        else if (unassigned)
        {
            query = query.Where(t => t.AssigneeId == null);
        }

        if (email is not null)
        {
            query = query.Where(t => t.Email == email);
        }

        var policies = await PoliciesAsync(ct);
        var now = Now();
        var found = new List<TicketView>();
        var more = false;
        var batchSize = filter.Breached == true ? 200 : take + 1;
        while (!more)
        {
            var batchQuery = after is { } cursor ? query.Where(t => t.Id.CompareTo(cursor) < 0) : query;
            var batch = await batchQuery.OrderByDescending(t => t.Id).Take(batchSize).Include(t => t.Pauses).ToListAsync(ct);
            foreach (var ticket in batch.OrderByDescending(t => t.Id))
            {
                var view = ToView(ticket, policies, now, null, null, null);
                if (filter.Breached == true && !(view.Sla.FirstResponseBreached || view.Sla.ResolutionBreached))
                {
                    continue;
                }

                if (found.Count == take)
                {
                    more = true;
                    break;
                }

                found.Add(view);
            }

            if (batch.Count < batchSize)
            {
                break;
            }

            after = batch.Min(t => t.Id);
        }

        return new Page<TicketView>(found, more ? Cursor.Encode(found[^1].Id.ToString()) : null);
    }

    /// <summary>One ticket with its conversation (oldest first), its order and its customer.</summary>
    public async Task<TicketView> GetAsync(Guid id, CancellationToken ct, bool includeInternal = true)
    {
        var ticket = await db.Set<Ticket>().AsNoTracking().Include(t => t.Pauses).Include(t => t.Messages)
            .FirstOrDefaultAsync(t => t.Id == id, ct) ?? throw Errors.NotFound("Ticket", id.ToString());
        TicketOrderView? order = null;
        if (ticket.OrderId is { } orderId)
        {
            order = await db.Orders.AsNoTracking().Where(o => o.Id == orderId)
                .Select(o => new { o.Id, o.Number, o.Status, o.Total, o.Currency, o.CreatedAt })
                .FirstOrDefaultAsync(ct) is { } o
                ? new TicketOrderView(o.Id, o.Number, Name(o.Status), o.Total, o.Currency, o.CreatedAt)
                : null;
        }

        TicketCustomerView? customer = null;
        if (ticket.CustomerId is { } customerId)
        {
            customer = await db.Customers.AsNoTracking().Where(c => c.Id == customerId)
                .Select(c => new TicketCustomerView(c.Id, c.Email, c.FirstName, c.LastName)).FirstOrDefaultAsync(ct);
        }

        var messages = ticket.Messages.Where(m => includeInternal || !m.Internal).OrderBy(m => m.CreatedAt).ThenBy(m => m.Id)
            .Select(m => new TicketMessageView(m.Id, m.Author, m.AuthorName, m.Body, m.Internal, m.CreatedAt)).ToList();
        return ToView(ticket, await PoliciesAsync(ct), Now(), messages, order, customer);
    }

    /// <summary>
    /// Staff add a message. A public one is emailed to the customer (message type <c>ticket_reply</c>,
    /// dedupe key <c>ticket_reply:&lt;message id&gt;</c>) in this transaction and starts nothing before
    /// the commit; the first one stops the first-response clock. An internal note is never emailed.
    /// </summary>
    public async Task<TicketView> AddStaffMessageAsync(Guid id, TicketMessageRequest request, Actor actor, CancellationToken ct)
    {
        var v = new Validation();
        var body = Body(v, request.Body);
        v.ThrowIfInvalid();
        var isInternal = request.Internal ?? false;

        await db.InTransactionAsync(async token =>
        {
            var ticket = await OpenTicketAsync(id, token);
            var now = Now();
            var message = new TicketMessage
            {
                TicketId = ticket.Id,
                Author = AuthorStaff,
                AuthorName = actor.Name.Length > 254 ? actor.Name[..254] : actor.Name,
                Body = body,
                Internal = isInternal,
                CreatedAt = now,
            };
            db.Set<TicketMessage>().Add(message);
            ticket.UpdatedAt = now;
            if (!isInternal)
            {
                ticket.FirstResponseAt ??= now;
                ticket.ReplyToken ??= NewReplyToken();
                var name = await db.Customers.AsNoTracking().Where(c => c.Email == ticket.Email)
                    .Select(c => c.FirstName).FirstOrDefaultAsync(token);
                var replyTo = settings.ReplyAddress(ticket.ReplyToken);
                var queued = await messages.QueueAsync(MessageTypes.TicketReply, ticket.Email, new Dictionary<string, string?>
                {
                    ["name"] = string.IsNullOrWhiteSpace(name) ? ticket.Email : name,
                    ["ticket.subject"] = replyTo is null ? ticket.Subject : WithReference(ticket.Subject, ticket.Id),
                    ["ticket.link"] = messages.Link($"/account/tickets/{ticket.Id}"),
                    ["reply.body"] = body,
                    ["reply.author"] = actor.Name,
                    [MessageQueue.ReplyToValue] = replyTo,
                }, $"ticket_reply:{message.Id}", token);
                message.EmailMessageId = queued.Id;
            }
        }, ct);
        return await GetAsync(id, ct);
    }

    /// <summary>
    /// The customer answers (storefront): a ticket waiting on them, or solved, opens again.
    /// Another customer's ticket is not found (404).
    /// </summary>
    public Task AddCustomerMessageAsync(Guid id, string email, string? body, CancellationToken ct) => AddCustomerMessageAsync(id, email, body, null, ct);

    /// <summary>As above; <paramref name="inboundMessageId"/> is the Message-ID of the email the answer came in (unique).</summary>
    public async Task AddCustomerMessageAsync(Guid id, string email, string? body, string? inboundMessageId, CancellationToken ct)
    {
        var v = new Validation();
        var text = Body(v, body);
        v.ThrowIfInvalid();
        await db.InTransactionAsync(async token =>
        {
            var ticket = await OpenTicketAsync(id, token);
            if (!string.Equals(ticket.Email, email, StringComparison.OrdinalIgnoreCase))
            {
                throw Errors.NotFound("Ticket", id.ToString());
            }

            var now = Now();
            db.Set<TicketMessage>().Add(new TicketMessage
            {
                TicketId = ticket.Id,
                Author = AuthorCustomer,
                AuthorName = ticket.Email,
                Body = text,
                CreatedAt = now,
                InboundMessageId = inboundMessageId,
            });
            if (ticket.Status is TicketStatus.WaitingOnCustomer or TicketStatus.Solved)
            {
                ChangeStatus(ticket, TicketStatus.Open, now);
            }

            ticket.UpdatedAt = now;
        }, ct);
    }

    /// <summary>Status, priority and assignee; omitted fields stay. Invalid input changes nothing.</summary>
    public async Task<TicketView> UpdateAsync(Guid id, UpdateTicketRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var status = Parse<TicketStatus>(v, "status", request.Status);
        var priority = Parse<TicketPriority>(v, "priority", request.Priority);
        Guid? assignee = null;
        var unassign = false;
        if (request.AssigneeId is { } a)
        {
            if (a.Trim() == "none")
            {
                unassign = true;
            }
            else if (Guid.TryParse(a, out var parsed) && parsed != Guid.Empty)
            {
                assignee = parsed;
            }
            else
            {
                v.Add("assigneeId", "'assigneeId' must be a staff user's id, or none to unassign.");
            }
        }

        v.ThrowIfInvalid();

        await db.InTransactionAsync(async token =>
        {
            var ticket = await OpenTicketAsync(id, token);
            if (assignee is { } staffId && !await IsStaffAsync(staffId, token))
            {
                throw new StorekeepException(ErrorKind.Unprocessable, "unknown_assignee", $"There is no staff user with id '{staffId}'.")
                {
                    Extensions = new Dictionary<string, object?> { ["field"] = "assigneeId" },
                };
            }

            var now = Now();
            if (status is { } s)
            {
                ChangeStatus(ticket, s, now);
            }

            if (priority is { } p)
            {
                ticket.Priority = p;
            }

            if (assignee is not null || unassign)
            {
                ticket.AssigneeId = assignee;
            }

            ticket.UpdatedAt = now;
        }, ct);
        return await GetAsync(id, ct);
    }

    /// <summary>Starts or ends a pause, sets or clears the resolution time.</summary>
    private void ChangeStatus(Ticket ticket, TicketStatus to, DateTime now)
    {
        var from = ticket.Status;
        if (from == to)
        {
            return;
        }

        if (from == TicketStatus.WaitingOnCustomer && ticket.PausedSince is { } since)
        {
            db.Set<TicketPause>().Add(new TicketPause { TicketId = ticket.Id, StartedAt = since, EndedAt = now });
            ticket.PausedSince = null;
        }

        if (to == TicketStatus.WaitingOnCustomer)
        {
            ticket.PausedSince = now;
        }

        var wasResolved = from is TicketStatus.Solved or TicketStatus.Closed;
        var isResolved = to is TicketStatus.Solved or TicketStatus.Closed;
        if (isResolved && !wasResolved)
        {
            ticket.ResolvedAt = now;
        }
        else if (!isResolved)
        {
            ticket.ResolvedAt = null;
        }

        ticket.Status = to;
    }

    /// <summary>The ticket, tracked, for a change; a closed ticket is final (409 ticket_closed).</summary>
    private async Task<Ticket> OpenTicketAsync(Guid id, CancellationToken ct)
    {
        var ticket = await db.Set<Ticket>().FirstOrDefaultAsync(t => t.Id == id, ct) ?? throw Errors.NotFound("Ticket", id.ToString());
        if (ticket.Status == TicketStatus.Closed)
        {
            throw Errors.Conflict("ticket_closed", "This ticket is closed: it can no longer change. Open a new ticket instead.");
        }

        if (db.IsPostgres)
        {
            // Serialize changes to one ticket: a status change reads the pause it closes.
            await db.Database.ExecuteSqlInterpolatedAsync($"SELECT 1 FROM tickets WHERE id = {id} FOR UPDATE", ct);
            await db.Entry(ticket).ReloadAsync(ct);
        }

        return ticket;
    }

    private async Task<bool> IsStaffAsync(Guid userId, CancellationToken ct)
    {
        var staffRoles = Enum.GetValues<Role>().Select(Permissions.RoleName).Select(n => n.ToUpperInvariant()).ToList();
        return await (from link in db.UserRoles
                      join role in db.Roles on link.RoleId equals role.Id
                      where link.UserId == userId && staffRoles.Contains(role.NormalizedName!)
                      select link.UserId).AnyAsync(ct);
    }

    /// <summary>Staff who may be assigned tickets: id and name, for the back office.</summary>
    public async Task<IReadOnlyList<(Guid Id, string Name)>> AssignableStaffAsync(CancellationToken ct)
    {
        var staffRoles = Enum.GetValues<Role>().Select(Permissions.RoleName).Select(n => n.ToUpperInvariant()).ToList();
        var rows = await (from user in db.Users
                          join link in db.UserRoles on user.Id equals link.UserId
                          join role in db.Roles on link.RoleId equals role.Id
                          where staffRoles.Contains(role.NormalizedName!)
                          select new { user.Id, user.DisplayName, user.Email }).Distinct().ToListAsync(ct);
        return [.. rows.Select(r => (r.Id, r.DisplayName ?? r.Email ?? r.Id.ToString())).OrderBy(r => r.Item2, StringComparer.OrdinalIgnoreCase)];
    }

    public async Task<SlaPoliciesView> GetPoliciesAsync(CancellationToken ct)
    {
        var policies = await PoliciesAsync(ct);
        var calendar = settings.Calendar;
        return new SlaPoliciesView(
            [.. Enum.GetValues<TicketPriority>().Reverse().Select(p => new SlaPolicyView(Name(p), policies[p].FirstResponse, policies[p].Resolution))],
            calendar.TimeZone.Id,
            calendar.Opens.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture),
            calendar.Closes.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture),
            [.. Enum.GetValues<DayOfWeek>().Where(calendar.WorkingDays.Contains).Select(d => d.ToString())]);
    }

    public const int MaxTargetMinutes = 525_600; // a year of minutes

    public async Task<SlaPoliciesView> PutPoliciesAsync(SlaPoliciesRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var changes = new Dictionary<TicketPriority, (int, int)>();
        if (request.Policies is null || request.Policies.Count == 0)
        {
            v.Add("policies", "'policies' needs at least one priority's targets.");
        }
        else
        {
            for (var i = 0; i < request.Policies.Count; i++)
            {
                if (request.Policies[i] is not { } policy)
                {
                    v.Add($"policies[{i}]", "A policy must be an object.");
                    continue;
                }

                var priority = Parse<TicketPriority>(v, $"policies[{i}].priority", policy.Priority);
                if (policy.Priority is null)
                {
                    v.Add($"policies[{i}].priority", "'priority' is required.");
                }

                var first = Target(v, $"policies[{i}].firstResponseMinutes", policy.FirstResponseMinutes);
                var resolution = Target(v, $"policies[{i}].resolutionMinutes", policy.ResolutionMinutes);
                if (first > 0 && resolution > 0 && resolution < first)
                {
                    v.Add($"policies[{i}].resolutionMinutes", "'resolutionMinutes' must not be shorter than 'firstResponseMinutes'.");
                }

                if (priority is { } p && !changes.TryAdd(p, (first, resolution)))
                {
                    v.Add($"policies[{i}].priority", $"Priority '{Name(p)}' is listed more than once.");
                }
            }
        }

        v.ThrowIfInvalid();
        await db.InTransactionAsync(async token =>
        {
            var now = Now();
            var stored = await db.Set<SlaPolicy>().ToListAsync(token);
            foreach (var (priority, (first, resolution)) in changes)
            {
                var row = stored.FirstOrDefault(s => s.Priority == priority);
                if (row is null)
                {
                    db.Set<SlaPolicy>().Add(new SlaPolicy { Priority = priority, FirstResponseMinutes = first, ResolutionMinutes = resolution, UpdatedAt = now });
                }
                else
                {
                    row.FirstResponseMinutes = first;
                    row.ResolutionMinutes = resolution;
                    row.UpdatedAt = now;
                }
            }
        }, ct);
        return await GetPoliciesAsync(ct);
    }

    private static int Target(Validation v, string field, int? value)
    {
        if (value is null)
        {
            v.Add(field, $"'{field}' is required.");
            return 0;
        }

        if (value < 1 || value > MaxTargetMinutes)
        {
            v.Add(field, $"'{field}' must be between 1 and {MaxTargetMinutes} business minutes.");
            return 0;
        }

        return value.Value;
    }

    /// <summary>
    /// GET /tickets/report: tickets opened in [from, to) (UTC days), those solved in it, the medians of
    /// their business-minute clocks, and how many of those opened breached each clock (docs/support.md).
    /// </summary>
    public async Task<TicketReportView> ReportAsync(DateOnly from, DateOnly to, CancellationToken ct)
    {
        var start = from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var end = to.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var policies = await PoliciesAsync(ct);
        var now = Now();
        var opened = await db.Set<Ticket>().AsNoTracking().Include(t => t.Pauses)
            .Where(t => t.CreatedAt >= start && t.CreatedAt < end).ToListAsync(ct);
        var solved = await db.Set<Ticket>().AsNoTracking().Include(t => t.Pauses)
            .Where(t => t.ResolvedAt >= start && t.ResolvedAt < end).ToListAsync(ct);
        var calendar = settings.Calendar;

        var firstResponses = opened.Where(t => t.FirstResponseAt is not null)
            .Select(t => TicketSla.Elapsed(Facts(t), t.FirstResponseAt, calendar, now).TotalMinutes);
        var resolutions = solved.Select(t => TicketSla.Elapsed(Facts(t), t.ResolvedAt, calendar, now).TotalMinutes);
        var slas = opened.Select(t => ToSla(t, policies, now)).ToList();
        return new TicketReportView(
            from,
            to,
            opened.Count,
            solved.Count,
            Round(TicketSla.Median(firstResponses)),
            Round(TicketSla.Median(resolutions)),
            slas.Count(s => s.FirstResponseBreached),
            slas.Count(s => s.ResolutionBreached));
    }

    private static double? Round(double? minutes) => minutes is { } m ? Math.Round(m, 1, MidpointRounding.AwayFromZero) : null;

    private async Task<Dictionary<TicketPriority, (int FirstResponse, int Resolution)>> PoliciesAsync(CancellationToken ct)
    {
        var stored = await db.Set<SlaPolicy>().AsNoTracking().ToListAsync(ct);
        return Enum.GetValues<TicketPriority>().ToDictionary(
            p => p,
            p => stored.FirstOrDefault(s => s.Priority == p) is { } row ? (row.FirstResponseMinutes, row.ResolutionMinutes) : SlaDefaults.For(p));
    }

    public static TicketSla.Facts Facts(Ticket t) =>
        new(t.CreatedAt, t.FirstResponseAt, t.ResolvedAt, t.PausedSince, [.. t.Pauses.Select(p => new UtcInterval(p.StartedAt, p.EndedAt))]);

    private TicketSlaView ToSla(Ticket t, Dictionary<TicketPriority, (int FirstResponse, int Resolution)> policies, DateTime now) =>
        TicketSla.Compute(Facts(t), policies[t.Priority].FirstResponse, policies[t.Priority].Resolution, settings.Calendar, now);

    private TicketView ToView(
        Ticket t,
        Dictionary<TicketPriority, (int FirstResponse, int Resolution)> policies,
        DateTime now,
        IReadOnlyList<TicketMessageView>? messages,
        TicketOrderView? order,
        TicketCustomerView? customer) =>
        new(t.Id, t.Email, t.Subject, Name(t.Channel), Name(t.Priority), Name(t.Status), t.AssigneeId, t.OrderId, t.CustomerId,
            t.CreatedAt, t.UpdatedAt, ToSla(t, policies, now), messages, order, customer);

    private DateTime Now() => clock.GetUtcNow().UtcDateTime;

    /// <summary>The ticket's short reference shown in email subjects, <c>#</c> and the id's last 8 (random) hex digits.</summary>
    public static string Reference(Guid id) => "#" + id.ToString("N")[^8..];

    /// <summary>The subject with <c>[#reference]</c> appended, unless it already carries it.</summary>
    public static string WithReference(string subject, Guid id)
    {
        var tag = $"[{Reference(id)}]";
        return subject.Contains(tag, StringComparison.OrdinalIgnoreCase) ? subject : $"{subject} {tag}";
    }

    private static string NewReplyToken() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
}
