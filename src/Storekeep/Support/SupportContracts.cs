namespace Storekeep.Support;

public static class TicketPermissions
{
    /// <summary>See tickets, their conversations, SLA figures and the support report.</summary>
    public const string Read = "tickets.read";

    /// <summary>Create tickets, reply, write internal notes, change status, priority and assignee, edit SLA policies.</summary>
    public const string Write = "tickets.write";
}

// Request properties are nullable so a missing field is a validation error, not a JSON error.

/// <param name="Channel">web, email or phone.</param>
/// <param name="Priority">low, normal (default), high or urgent.</param>
public sealed record CreateTicketRequest(string? Email, string? Subject, string? Body, Guid? OrderId, string? Channel, string? Priority);

/// <param name="Internal">true: a note only staff see; false (default): a reply emailed to the customer.</param>
public sealed record TicketMessageRequest(string? Body, bool? Internal);

/// <param name="Status">open, pending, waiting_on_customer, solved or closed.</param>
/// <param name="AssigneeId">A staff user's id, or <c>none</c> to unassign. Omitted fields stay as they are.</param>
public sealed record UpdateTicketRequest(string? Status, string? Priority, string? AssigneeId);

public sealed record SlaPolicyRequest(string? Priority, int? FirstResponseMinutes, int? ResolutionMinutes);

/// <param name="Policies">The priorities to change; priorities left out keep their targets.</param>
public sealed record SlaPoliciesRequest(IReadOnlyList<SlaPolicyRequest?>? Policies);

public sealed record SlaPolicyView(string Priority, int FirstResponseMinutes, int ResolutionMinutes);

/// <summary>The targets per priority and the business hours they are measured in.</summary>
public sealed record SlaPoliciesView(IReadOnlyList<SlaPolicyView> Policies, string TimeZone, string Opens, string Closes, IReadOnlyList<string> WorkingDays);

/// <summary>
/// A ticket's two SLA clocks, in business minutes (docs/support.md). A due time is null while the
/// clock is paused (waiting on the customer) and its due time depends on when the pause ends.
/// </summary>
public sealed record TicketSlaView(
    int FirstResponseTargetMinutes,
    DateTime? FirstResponseDueAt,
    DateTime? FirstResponseAt,
    long FirstResponseMinutes,
    bool FirstResponseBreached,
    int ResolutionTargetMinutes,
    DateTime? ResolutionDueAt,
    DateTime? ResolvedAt,
    long ResolutionMinutes,
    bool ResolutionBreached,
    bool Paused);

public sealed record TicketMessageView(Guid Id, string Author, string AuthorName, string Body, bool Internal, DateTime CreatedAt);

public sealed record TicketOrderView(Guid Id, long Number, string Status, decimal Total, string Currency, DateTime CreatedAt);

public sealed record TicketCustomerView(Guid Id, string Email, string? FirstName, string? LastName);

public sealed record TicketView(
    Guid Id,
    string Email,
    string Subject,
    string Channel,
    string Priority,
    string Status,
    Guid? AssigneeId,
    Guid? OrderId,
    Guid? CustomerId,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    TicketSlaView Sla,
    IReadOnlyList<TicketMessageView>? Messages,
    TicketOrderView? Order,
    TicketCustomerView? Customer);

/// <param name="Breached">true: only tickets with a breached SLA clock (either one).</param>
public sealed record TicketListFilter(string? Status, string? Assignee, string? Priority, bool? Breached, string? Email, int? Limit, string? Cursor);

/// <summary>GET /tickets/report: see docs/support.md for each figure.</summary>
public sealed record TicketReportView(
    DateOnly From,
    DateOnly To,
    int Opened,
    int Solved,
    double? FirstResponseMinutesMedian,
    double? ResolutionMinutesMedian,
    int BreachedFirstResponse,
    int BreachedResolution);

/// <summary>
/// What became of an inbound email: <c>added</c> to the ticket it answers, <c>created</c> a new email
/// ticket, or <c>duplicate</c> (its Message-ID was received before; nothing changed).
/// </summary>
public sealed record InboundEmailResult(Guid TicketId, string Outcome);
