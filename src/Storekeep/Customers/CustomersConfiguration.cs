using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Data;

namespace Storekeep.Customers;

internal sealed class CustomerConfiguration : IEntityTypeConfiguration<Customer>
{
    public void Configure(EntityTypeBuilder<Customer> b)
    {
        b.HasIndex(c => c.Email).IsUnique();
        b.Property(c => c.Email).HasMaxLength(254);
        b.Property(c => c.Note).HasMaxLength(Customer.NoteMaxLength);
        b.Property(c => c.EmailConsentSource).HasMaxLength(CustomerProfiles.ConsentSourceMaxLength);
        b.Property(c => c.SmsConsentSource).HasMaxLength(CustomerProfiles.ConsentSourceMaxLength);
        b.HasIndex(c => c.CompanyId);
        b.HasOne<Companies.Company>().WithMany().HasForeignKey(c => c.CompanyId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class CustomerTagConfiguration : IEntityTypeConfiguration<CustomerTag>
{
    public void Configure(EntityTypeBuilder<CustomerTag> b)
    {
        b.ToTable("customer_tags");
        b.HasKey(t => new { t.CustomerId, t.Tag });
        b.Property(t => t.Tag).HasMaxLength(CustomerTag.MaxLength);
        b.HasIndex(t => t.Tag);
        b.HasOne<Customer>().WithMany().HasForeignKey(t => t.CustomerId).OnDelete(DeleteBehavior.Cascade);
    }
}
