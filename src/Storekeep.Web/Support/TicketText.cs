namespace Storekeep.Web.Support;

/// <summary>How a ticket's status reads to the customer on the storefront.</summary>
public static class TicketText
{
    public static string CustomerStatus(string status) => status switch
    {
        "open" or "pending" => "We are on it",
        "waiting_on_customer" => "Waiting for your answer",
        "solved" => "Solved",
        "closed" => "Closed",
        _ => status,
    };
}
