using Storekeep.Support;

namespace Storekeep.Demo;

internal sealed partial class DemoStoreBuilder
{
    /// <summary>
    /// A handful of support tickets in every status over the last week, so the queue shows something
    /// on first start; one urgent question has waited days without an answer (breached). Drawn from
    /// its own random source, so the rest of the demo store is unchanged by it.
    /// </summary>
    private void BuildSupport()
    {
        var rng = new Random(_supportSeed);
        var customers = _data.Customers;
        Customers.Customer Pick() => customers[rng.Next(customers.Count)];
        void Add(Customers.Customer customer, string subject, string body, TicketPriority priority, TicketStatus status, int days, bool withOrder,
            string? reply, string? note, bool waiting, bool solved) =>
            AddTicket(rng, customer, subject, body, priority, status, days, withOrder, reply, note, waiting, solved);

        Add(Pick(), "Where is my parcel?", "I ordered a week ago and have not had a shipping email yet.", TicketPriority.Urgent, TicketStatus.Open, days: 5, withOrder: true,
            reply: null, note: "Escalated to the warehouse.", waiting: false, solved: false);
        Add(Pick(), "Wrong colour delivered", "The mug I received is green, not blue as ordered.", TicketPriority.High, TicketStatus.WaitingOnCustomer, days: 2, withOrder: true,
            reply: "Sorry about that! Could you send us a photo of the mug and its label?", note: null, waiting: true, solved: false);
        Add(Pick(), "Do you ship to Norway?", "Hello, can I order to Oslo?", TicketPriority.Normal, TicketStatus.Solved, days: 4, withOrder: false,
            reply: "Yes: we ship to Norway in 3–5 working days.", note: null, waiting: false, solved: true);
        Add(Pick(), "Invoice with my company name", "Could you reissue the invoice with my company's name on it?", TicketPriority.Low, TicketStatus.Pending, days: 1, withOrder: true,
            reply: "Of course, we are preparing it.", note: "Needs the accountant.", waiting: false, solved: false);
        Add(Pick(), "Thank you", "Just wanted to say the towels are lovely.", TicketPriority.Low, TicketStatus.Closed, days: 6, withOrder: false,
            reply: "Thank you for your kind words!", note: null, waiting: false, solved: true);
    }

    /// <summary>A ticket from <paramref name="customer"/> <paramref name="days"/> ago, about their latest order when <paramref name="withOrder"/>.</summary>
    private void AddTicket(Random rng, Customers.Customer customer, string subject, string body, TicketPriority priority, TicketStatus status, int days, bool withOrder,
        string? reply, string? note, bool waiting, bool solved)
    {
        var created = _end.AddDays(-days).AddHours(9 + rng.Next(0, 6)).AddMinutes(rng.Next(0, 60));
        var order = withOrder ? _data.Orders.Where(o => o.CustomerId == customer.Id).MaxBy(o => o.CreatedAt) : null;
        var ticket = new Ticket
        {
            Email = customer.Email,
            CustomerId = customer.Id,
            OrderId = order?.Id,
            Subject = subject,
            Channel = rng.Next(2) == 0 ? TicketChannel.Web : TicketChannel.Email,
            Priority = priority,
            Status = status,
            CreatedAt = created,
            UpdatedAt = created,
        };
        ticket.Messages.Add(new TicketMessage { TicketId = ticket.Id, Author = Tickets.AuthorCustomer, AuthorName = customer.Email, Body = body, CreatedAt = created });
        var at = created;
        if (note is not null)
        {
            at = at.AddMinutes(20);
            ticket.Messages.Add(new TicketMessage { TicketId = ticket.Id, Author = Tickets.AuthorStaff, AuthorName = "support@harborandpine.example", Body = note, Internal = true, CreatedAt = at });
        }

        if (reply is not null)
        {
            at = at.AddMinutes(45);
            ticket.Messages.Add(new TicketMessage { TicketId = ticket.Id, Author = Tickets.AuthorStaff, AuthorName = "support@harborandpine.example", Body = reply, CreatedAt = at });
            ticket.FirstResponseAt = at;
        }

        if (waiting)
        {
            ticket.PausedSince = at;
        }

        if (solved)
        {
            ticket.ResolvedAt = at.AddMinutes(5);
        }

        ticket.UpdatedAt = at;
        _data.Tickets.Add(ticket);
    }
}
