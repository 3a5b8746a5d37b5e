using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Storekeep.Analytics;
using Storekeep.Shared;
using Storekeep.Support;
using Storekeep.Web.Api;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Support;

/// <summary>Tickets and SLA policies. Reads need <c>tickets.read</c>; creating, replying and changing <c>tickets.write</c>.</summary>
public static class SupportEndpoints
{
    public static RouteGroupBuilder MapSupportEndpoints(this RouteGroupBuilder api)
    {
        var tickets = api.MapGroup("/tickets").WithTags("Support");
        tickets.MapPost("", CreateTicket)
            .WithName("CreateTicket")
            .WithSummary("Open a ticket for a customer: email, subject, the customer's message (body), channel web|email|phone, priority low|normal|high|urgent (default normal), orderId.")
            .WithDescription("An orderId that names no order → 422 unknown_order. The ticket starts open, with both SLA clocks running.")
            .RequireAuthorization(TicketPermissions.Write)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(422);
        tickets.MapGet("", ListTickets)
            .WithName("ListTickets")
            .WithSummary("Tickets, newest first; filter by status, assignee (a staff user's id, or none), priority, email, and breached=true for those with a breached SLA clock.")
            .RequireAuthorization(TicketPermissions.Read)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        tickets.MapGet("/report", Report)
            .WithName("TicketReport")
            .WithSummary("Support figures for tickets opened or solved between from and to (ISO dates, to exclusive), in business minutes (docs/support.md).")
            .RequireAuthorization(TicketPermissions.Read)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403);
        tickets.MapGet("/{id:guid}", GetTicket)
            .WithName("GetTicket")
            .WithSummary("One ticket: its conversation oldest first (internal notes included), its order, its customer and its SLA clocks.")
            .RequireAuthorization(TicketPermissions.Read)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        tickets.MapPost("/{id:guid}/messages", AddMessage)
            .WithName("AddTicketMessage")
            .WithSummary("Reply to the customer (emailed once, after the reply commits; the first stops the first-response clock) or, with internal: true, write a note only staff see.")
            .WithDescription("A closed ticket → 409 ticket_closed.")
            .RequireAuthorization(TicketPermissions.Write)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        tickets.MapPatch("/{id:guid}", UpdateTicket)
            .WithName("UpdateTicket")
            .WithSummary("Change status (open, pending, waiting_on_customer, solved, closed), priority and assigneeId (none to unassign); omitted fields stay.")
            .WithDescription("waiting_on_customer pauses both SLA clocks; solved or closed stops the resolution clock; a closed ticket → 409 ticket_closed; an unknown assignee → 422 unknown_assignee.")
            .RequireAuthorization(TicketPermissions.Write)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);

        var sla = api.MapGroup("/support").WithTags("Support");
        sla.MapGet("/sla-policies", GetPolicies)
            .WithName("GetSlaPolicies")
            .WithSummary("SLA targets per priority in business minutes, and the business hours they are measured in.")
            .RequireAuthorization(TicketPermissions.Read)
            .ProducesProblem(401).ProducesProblem(403);
        sla.MapPut("/sla-policies", PutPolicies)
            .WithName("PutSlaPolicies")
            .WithSummary("Set the targets of the priorities listed: {policies: [{priority, firstResponseMinutes, resolutionMinutes}]}.")
            .RequireAuthorization(TicketPermissions.Write)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);

        // A mail provider's inbound route posts the raw MIME message; the shared secret header is the
        // authentication. The body is read by hand (message/rfc822 or text/plain), never bound.
        sla.MapPost("/inbound-email", InboundEmail)
            .WithName("InboundTicketEmail")
            .WithSummary("A customer's email reply as raw MIME (message/rfc822 or text/plain), with the X-Storekeep-Inbound-Secret header: added to its ticket, or a new email ticket.")
            .WithDescription("Needs Support:InboundSecret (else 404); a wrong secret → 403 invalid_inbound_secret. The ticket comes from the support+t<token>@ reply address or In-Reply-To/References; a sender other than the ticket's customer → 422 sender_mismatch; with Support:InboundAuthServId set, a sender the receiving server did not verify (DMARC/DKIM/SPF) → 422 sender_unverified; the same Message-ID again → outcome duplicate, nothing added. See docs/support.md, Email replies.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(413).ProducesProblem(422)
            .WithMetadata(new RequestSizeLimitAttribute(InboundEmailMaxBytes)) // replies carry attachments; the API's 2 MB would refuse them
            .AllowAnonymous()
            .RequireRateLimiting(StorekeepApp.PublicRateLimit);
        return api;
    }

    public const string InboundSecretHeader = "X-Storekeep-Inbound-Secret";

    /// <summary>The largest raw email taken (attachments included; only the text is kept).</summary>
    public const long InboundEmailMaxBytes = 25 * 1024 * 1024;

    private static async Task<Ok<InboundEmailResult>> InboundEmail(HttpRequest request, InboundEmails inbound, CancellationToken ct)
    {
        if (!inbound.Enabled)
        {
            throw new StorekeepException(ErrorKind.NotFound, "not_found", "This store receives no email: Support:InboundSecret is not set.");
        }

        if (!inbound.SecretMatches(request.Headers[InboundSecretHeader].FirstOrDefault()))
        {
            throw new StorekeepException(ErrorKind.Forbidden, "invalid_inbound_secret", $"The {InboundSecretHeader} header is missing or wrong.");
        }

        return TypedResults.Ok(await inbound.ReceiveAsync(request.Body, ct));
    }

    private static async Task<Created<TicketView>> CreateTicket(CreateTicketRequest request, Tickets tickets, CancellationToken ct)
    {
        var ticket = await tickets.CreateAsync(request, ct);
        return TypedResults.Created($"/api/v1/tickets/{ticket.Id}", ticket);
    }

    private static async Task<Ok<Page<TicketView>>> ListTickets(
        [FromQuery] string? status,
        [FromQuery] string? assignee,
        [FromQuery] string? priority,
        [FromQuery] bool? breached,
        [FromQuery] string? email,
        [FromQuery] int? limit,
        [FromQuery] string? cursor,
        Tickets tickets,
        CancellationToken ct) =>
        TypedResults.Ok(await tickets.ListAsync(new TicketListFilter(status, assignee, priority, breached, email, limit, cursor), ct));

    private static async Task<Ok<TicketReportView>> Report([FromQuery] string? from, [FromQuery] string? to, Tickets tickets, TimeProvider clock, CancellationToken ct)
    {
        var range = ReportRange.Parse(from, to, clock.GetUtcNow().UtcDateTime);
        return TypedResults.Ok(await tickets.ReportAsync(range.From, range.To, ct));
    }

    private static async Task<Ok<TicketView>> GetTicket(Guid id, Tickets tickets, CancellationToken ct) =>
        TypedResults.Ok(await tickets.GetAsync(id, ct));

    private static async Task<Created<TicketView>> AddMessage(Guid id, TicketMessageRequest request, Tickets tickets, HttpContext http, CancellationToken ct) =>
        TypedResults.Created($"/api/v1/tickets/{id}", await tickets.AddStaffMessageAsync(id, request, http.User.Actor(), ct));

    private static async Task<Ok<TicketView>> UpdateTicket(Guid id, UpdateTicketRequest request, Tickets tickets, CancellationToken ct) =>
        TypedResults.Ok(await tickets.UpdateAsync(id, request, ct));

    private static async Task<Ok<SlaPoliciesView>> GetPolicies(Tickets tickets, CancellationToken ct) =>
        TypedResults.Ok(await tickets.GetPoliciesAsync(ct));

    private static async Task<Ok<SlaPoliciesView>> PutPolicies(SlaPoliciesRequest request, Tickets tickets, CancellationToken ct) =>
        TypedResults.Ok(await tickets.PutPoliciesAsync(request, ct));
}
