using Storekeep.Shared;

namespace Storekeep.Customers;

public sealed class Customer
{
    public Guid Id { get; init; } = Ids.NewId();
    public required string Email { get; set; }
    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public string? Phone { get; set; }
    public string? Company { get; set; }
    public string? Country { get; set; }
    public DateTime CreatedAt { get; init; }
}
