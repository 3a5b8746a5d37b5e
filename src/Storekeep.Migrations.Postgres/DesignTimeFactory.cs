using Microsoft.EntityFrameworkCore.Design;
using Storekeep.Data;

namespace Storekeep.Migrations.Postgres;

/// <summary>Lets `dotnet ef` build the model for this provider; no database is touched to add a migration.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<StorekeepDbContext>
{
    public StorekeepDbContext CreateDbContext(string[] args) =>
        DatabaseSetup.CreateContext(DatabaseProvider.Postgres, "Host=localhost;Database=storekeep_design;Username=postgres;Password=postgres");
}
