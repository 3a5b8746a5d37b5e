using Microsoft.AspNetCore.Identity;
using Storekeep.Shared;

namespace Storekeep.Accounts;

/// <summary>
/// A person who signs in: staff (with one or more roles, in the back office) or a shopper
/// (no role, linked to a <see cref="Customers.Customer"/> by <see cref="CustomerId"/>).
/// </summary>
public sealed class UserAccount : IdentityUser<Guid>
{
    public UserAccount()
    {
        Id = Ids.NewId();
        SecurityStamp = Guid.NewGuid().ToString();
    }

    public string? DisplayName { get; set; }

    /// <summary>Set for shoppers: their customer record, so order history follows their email.</summary>
    public Guid? CustomerId { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>A shopper's sign-in, tied to their customer record (which Customers keeps).</summary>
    public static UserAccount ForShopper(string email, string? displayName, Guid customerId, DateTime now) => new()
    {
        UserName = email,
        Email = email,
        DisplayName = displayName,
        CustomerId = customerId,
        CreatedAt = now,
    };
}

/// <summary>A staff role (owner, manager, sales, warehouse, support, marketing), named as in <see cref="Access.Permissions"/>.</summary>
public sealed class UserRole : IdentityRole<Guid>
{
    public UserRole()
    {
        Id = Ids.NewId();
    }

    public UserRole(string name)
        : this()
    {
        Name = name;
        NormalizedName = name.ToUpperInvariant();
    }
}
