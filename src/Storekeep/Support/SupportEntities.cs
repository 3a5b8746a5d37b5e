using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Support;

public enum TicketStatus
{
    Open,
    Pending,
    WaitingOnCustomer,
    Solved,
    Closed,
}

public enum TicketPriority
{
    Low,
    Normal,
    High,
    Urgent,
}

public enum TicketChannel
{
    Web,
    Email,
    Phone,
}

/// <summary>
/// A customer's question and the conversation about it. Status, priority and assignee change only
/// through <see cref="Tickets"/>; the SLA clocks are derived from <see cref="CreatedAt"/>,
/// <see cref="FirstResponseAt"/>, <see cref="ResolvedAt"/> and the ticket's pauses.
/// </summary>
public sealed class Ticket
{
    public const int SubjectMaxLength = 200;

    public Guid Id { get; init; } = Ids.NewId();
    public required string Email { get; init; }
    public Guid? CustomerId { get; init; }
    public Guid? OrderId { get; init; }
    public required string Subject { get; init; }
    public TicketChannel Channel { get; init; }
    public TicketPriority Priority { get; set; }
    public TicketStatus Status { get; set; }

    /// <summary>A staff user's id.</summary>
    public Guid? AssigneeId { get; set; }

    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>The first public staff reply: stops the first-response clock.</summary>
    public DateTime? FirstResponseAt { get; set; }

    /// <summary>When it last became solved or closed; cleared when it is reopened. Stops the resolution clock.</summary>
    public DateTime? ResolvedAt { get; set; }

    /// <summary>Since when it has been waiting on the customer (the clocks are paused); null when not.</summary>
    public DateTime? PausedSince { get; set; }

    /// <summary>
    /// The unguessable part of the ticket's reply address (<c>support+t&lt;token&gt;@…</c>): 32 random
    /// lower-case hex digits, given when the ticket is created or, for older tickets, at the first reply.
    /// </summary>
    public string? ReplyToken { get; set; }

    public List<TicketMessage> Messages { get; init; } = [];
    public List<TicketPause> Pauses { get; init; } = [];
}

/// <summary>One message of a ticket's conversation: the customer's, or staff's (a public reply or an internal note).</summary>
public sealed class TicketMessage
{
    public const int BodyMaxLength = 20_000;
    public const int InboundMessageIdMaxLength = 300;

    public Guid Id { get; init; } = Ids.NewId();
    public Guid TicketId { get; init; }

    /// <summary><c>customer</c> or <c>staff</c>.</summary>
    public required string Author { get; init; }

    /// <summary>Who wrote it: the customer's email, or the staff member's name or API key.</summary>
    public required string AuthorName { get; init; }

    public required string Body { get; init; }

    /// <summary>An internal note: seen by staff only, never emailed.</summary>
    public bool Internal { get; init; }

    /// <summary>The email queued for a public staff reply (Messaging's message id).</summary>
    public Guid? EmailMessageId { get; set; }

    /// <summary>The Message-ID of the email this customer message came in (unique: a redelivery adds nothing).</summary>
    public string? InboundMessageId { get; init; }

    public DateTime CreatedAt { get; init; }
}

/// <summary>A closed interval during which the ticket waited on the customer: no SLA clock ran.</summary>
public sealed class TicketPause
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid TicketId { get; init; }
    public DateTime StartedAt { get; init; }
    public DateTime EndedAt { get; init; }
}

/// <summary>The SLA targets of one priority, in business minutes. A priority without a row uses <see cref="SlaDefaults"/>.</summary>
public sealed class SlaPolicy
{
    public TicketPriority Priority { get; init; }
    public int FirstResponseMinutes { get; set; }
    public int ResolutionMinutes { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public static class SlaDefaults
{
    public static (int FirstResponse, int Resolution) For(TicketPriority priority) => priority switch
    {
        TicketPriority.Urgent => (60, 480),
        TicketPriority.High => (240, 1440),
        TicketPriority.Normal => (480, 2880),
        _ => (1440, 5760),
    };
}

internal sealed class TicketConfiguration : IEntityTypeConfiguration<Ticket>
{
    public void Configure(EntityTypeBuilder<Ticket> b)
    {
        b.ToTable("tickets");
        b.Property(t => t.Email).HasMaxLength(254);
        b.Property(t => t.Subject).HasMaxLength(Ticket.SubjectMaxLength);
        b.Property(t => t.Status).AsSnakeCaseString();
        b.Property(t => t.Priority).AsSnakeCaseString();
        b.Property(t => t.Channel).AsSnakeCaseString();
        b.HasIndex(t => new { t.Status, t.Id });
        b.HasIndex(t => t.AssigneeId);
        b.HasIndex(t => t.Email);
        b.HasIndex(t => t.CustomerId);
        b.HasIndex(t => t.OrderId);
        b.HasIndex(t => t.CreatedAt);
        b.Property(t => t.ReplyToken).HasMaxLength(32);
        b.HasIndex(t => t.ReplyToken).IsUnique();
        b.HasMany(t => t.Messages).WithOne().HasForeignKey(m => m.TicketId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(t => t.Pauses).WithOne().HasForeignKey(p => p.TicketId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TicketMessageConfiguration : IEntityTypeConfiguration<TicketMessage>
{
    public void Configure(EntityTypeBuilder<TicketMessage> b)
    {
        b.ToTable("ticket_messages");
        b.Property(m => m.Author).HasMaxLength(16);
        b.Property(m => m.AuthorName).HasMaxLength(254);
        b.Property(m => m.Body).HasMaxLength(TicketMessage.BodyMaxLength);
        b.HasIndex(m => new { m.TicketId, m.CreatedAt });
        b.Property(m => m.InboundMessageId).HasMaxLength(TicketMessage.InboundMessageIdMaxLength);
        b.HasIndex(m => m.InboundMessageId).IsUnique();
    }
}

internal sealed class TicketPauseConfiguration : IEntityTypeConfiguration<TicketPause>
{
    public void Configure(EntityTypeBuilder<TicketPause> b)
    {
        b.ToTable("ticket_pauses", t => t.HasCheckConstraint("ck_ticket_pauses_order", "ended_at >= started_at"));
        b.HasIndex(p => p.TicketId);
    }
}

internal sealed class SlaPolicyConfiguration : IEntityTypeConfiguration<SlaPolicy>
{
    public void Configure(EntityTypeBuilder<SlaPolicy> b)
    {
        b.ToTable("support_sla_policies");
        b.HasKey(p => p.Priority);
        b.Property(p => p.Priority).AsSnakeCaseString();
    }
}
