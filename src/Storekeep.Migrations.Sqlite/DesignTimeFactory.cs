using Microsoft.EntityFrameworkCore.Design;
using Storekeep.Data;

namespace Storekeep.Migrations.Sqlite;

/// <summary>Lets `dotnet ef` build the model for this provider; no database is touched to add a migration.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<StorekeepDbContext>
{
    public StorekeepDbContext CreateDbContext(string[] args) =>
        DatabaseSetup.CreateContext(DatabaseProvider.Sqlite, "Data Source=design-time.db");
}
