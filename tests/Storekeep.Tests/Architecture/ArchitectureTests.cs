using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Access;
using Storekeep.Catalog;
using Storekeep.Tests.Api;
using Storekeep.Web.Api;
using Storekeep.Web.Hosting;

namespace Storekeep.Tests.Architecture;

/// <summary>
/// The boundaries the build enforces (docs/adding-a-capability.md). Each rule runs on the real code
/// and, once, on a deliberate violation, so a rule that cannot fail would show here.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly Lazy<ArchitectureRules.Ownership> Ownership = new(ArchitectureRules.ReadOwnership);

    [Fact]
    public void The_core_does_not_reference_Microsoft_AspNetCore_Http()
    {
        var used = ArchitectureRules.HttpTypesReferencedBy(typeof(CatalogService).Assembly);
        Assert.True(used.Count == 0, "src/Storekeep (the core) must not use HTTP types; move this to src/Storekeep.Web:\n" + string.Join("\n", used));
    }

    [Fact]
    public void The_http_rule_fails_on_an_assembly_that_uses_http()
    {
        // The web project uses HttpContext and Results on every endpoint: the rule must see them.
        var used = ArchitectureRules.HttpTypesReferencedBy(typeof(Problems).Assembly);
        Assert.Contains("Microsoft.AspNetCore.Http.HttpContext", used);
    }

    [Fact]
    public void Every_module_registers_only_types_from_its_own_folders()
    {
        var problems = StorekeepModules.All.SelectMany(ArchitectureRules.RegistrationsOutsideFolder).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void The_registration_rule_fails_on_a_module_that_registers_another_capabilitys_service()
    {
        var problems = ArchitectureRules.RegistrationsOutsideFolder(new RogueOrdersModule());
        Assert.Contains(problems, p => p.Contains("registers Storekeep.Catalog.CatalogService", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("not Storekeep.Web.Orders", StringComparison.Ordinal));
    }

    [Fact]
    public void Module_names_permissions_and_menu_links_are_unique()
    {
        Assert.Equal(StorekeepModules.All.Count, StorekeepModules.All.Select(m => m.Name).Distinct().Count());
        var permissions = StorekeepModules.All.SelectMany(m => m.Permissions).Select(p => p.Permission).ToList();
        Assert.Equal(permissions.Count, permissions.Distinct().Count());
        Assert.All(StorekeepModules.All.SelectMany(m => m.Permissions), grant => Assert.Contains(Role.Owner, grant.Roles));
        var links = StorekeepModules.Navigation.Select(n => n.Href).ToList();
        Assert.Equal(links.Count, links.Distinct().Count());
        Assert.All(StorekeepModules.Navigation.Where(n => n.Permission is not null), n => Assert.Contains(n.Permission!, permissions));
    }

    [Fact]
    public void The_modules_declare_exactly_the_event_types_the_event_feed_knows()
    {
        var declared = StorekeepModules.All.SelectMany(m => m.EventTypes).ToList();
        Assert.Equal(declared.Count, declared.Distinct().Count());
        Assert.Equal(Storekeep.Events.EventTypes.All.Order(), declared.Order());
    }

    [Fact]
    public void No_capability_writes_another_capabilitys_tables()
    {
        var sources = ArchitectureRules.SourceFiles().Select(path => (path, File.ReadAllText(path)));
        var core = sources.Where(s => s.path.Contains("/src/Storekeep/", StringComparison.Ordinal)).ToList();
        var violations = ArchitectureRules.ForeignWrites(core, Ownership.Value, ArchitectureRules.ReferencesFor("Storekeep.Core", "Storekeep.Tests"));
        Assert.True(violations.Count == 0,
            "A capability changes another's data only through the owner's services or entity methods:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void The_ownership_rule_fails_on_code_that_writes_another_capabilitys_data()
    {
        const string rogue = """
            using Microsoft.EntityFrameworkCore;
            using Storekeep.Customers;
            using Storekeep.Data;
            using Storekeep.Payments;

            namespace Storekeep.Orders;

            public static class RogueWrites
            {
                public static async Task RunAsync(StorekeepDbContext db, Payment payment)
                {
                    db.Customers.Add(new Customer { Email = "someone@example.com" });
                    payment.Status = PaymentStatus.Captured;
                    await db.Payments.Where(p => p.Id == payment.Id).ExecuteDeleteAsync();
                    await db.Database.ExecuteSqlRawAsync("UPDATE payments SET status = 'captured'");
                }
            }
            """;
        var violations = ArchitectureRules.ForeignWrites(
            [("/repo/src/Storekeep/Orders/RogueWrites.cs", rogue)], Ownership.Value, ArchitectureRules.ReferencesFor("Storekeep.Tests"));
        var text = string.Join("\n", violations);
        Assert.Contains("calls Add on the Customer set (owned by Customers)", text);
        Assert.Contains("sets Payment.Status (owned by Payments)", text);
        Assert.Contains("runs ExecuteDeleteAsync on Payment (owned by Payments)", text);
        Assert.Contains("writes table payments in SQL (UPDATE) (owned by Payments)", text);
        Assert.All(violations, v => Assert.Equal("Orders", v.Capability));
    }

    [Fact]
    public void Every_error_code_the_code_answers_with_is_declared_once()
    {
        var declared = Problems.PlatformCodes.Select(c => c.Code)
            .Concat(StorekeepModules.All.SelectMany(m => m.ErrorCodes).Select(c => c.Code)).ToList();
        var twice = declared.GroupBy(c => c).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(twice.Count == 0, "Declared more than once: " + string.Join(", ", twice));

        var used = ErrorCodeCatalog.CodesUsedIn(ArchitectureRules.SourceFiles().Select(path => (path, File.ReadAllText(path))));
        var undeclared = used.Where(u => !declared.Contains(u.Code)).Select(u => $"{u.Where}: {u.Code}").ToList();
        Assert.True(undeclared.Count == 0, "Codes used but not declared by a module (StorekeepModule.ErrorCodes) or Problems.PlatformCodes:\n" + string.Join("\n", undeclared));
        var unused = declared.Except(used.Select(u => u.Code)).ToList();
        Assert.True(unused.Count == 0, "Declared but never given by the code: " + string.Join(", ", unused));
    }

    [Fact]
    public void The_error_code_scan_sees_each_way_a_code_is_given()
    {
        const string source = """
            public static class Sample
            {
                public const string RefusedCode = "sample_refused";
                public static object A() => new StorekeepException(ErrorKind.Conflict, "sample_exception", "Message.");
                public static object B() => Errors.Unprocessable("sample_helper", "Message.");
                public static void C(ProblemDetails problem, bool x) => problem.Extensions["code"] = x ? "sample_left" : "sample_right";
            }
            """;
        var codes = ErrorCodeCatalog.CodesUsedIn([("/repo/src/Storekeep/Orders/Sample.cs", source)]).Select(c => c.Code).ToList();
        Assert.Equal(["sample_refused", "sample_exception", "sample_helper", "sample_left", "sample_right"], codes);
    }

    [Fact]
    public void Docs_api_md_lists_the_declared_error_codes()
    {
        var path = Path.Combine(ApiSurface.RepositoryRoot(), "docs", "api.md");
        var text = File.ReadAllText(path).ReplaceLineEndings("\n");
        var expected = ErrorCodeCatalog.Markdown();
        var start = text.IndexOf(ErrorCodeCatalog.DocsStart, StringComparison.Ordinal);
        var end = text.IndexOf(ErrorCodeCatalog.DocsEnd, StringComparison.Ordinal);
        var current = start >= 0 && end > start ? text[start..(end + ErrorCodeCatalog.DocsEnd.Length + 1)] : null;
        if (current != expected && Environment.GetEnvironmentVariable("STOREKEEP_UPDATE_DOCS") == "1")
        {
            text = current is null ? text.TrimEnd('\n') + "\n\n" + expected : text.Replace(current, expected, StringComparison.Ordinal);
            File.WriteAllText(path, text);
            return;
        }

        Assert.True(current == expected, "docs/api.md's error code list is out of date. Run with STOREKEEP_UPDATE_DOCS=1, or replace it with:\n\n" + expected);
    }

    /// <summary>A module that breaks the rule twice: it sits in the wrong namespace and registers Catalog's service.</summary>
    private sealed class RogueOrdersModule : StorekeepModule
    {
        public override string Name => "Orders";

        public override void AddServices(IServiceCollection services, IConfiguration configuration) =>
            services.AddScoped<CatalogService>();
    }
}
