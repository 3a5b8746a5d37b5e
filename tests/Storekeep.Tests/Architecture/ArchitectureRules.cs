using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Data;
using Storekeep.Tests.Api;
using Storekeep.Web.Hosting;

namespace Storekeep.Tests.Architecture;

/// <summary>
/// The boundaries between capabilities, as checks a test can run on the real code (and, to show
/// each can fail, on a deliberate violation). A capability is a folder name: <c>src/Storekeep/Orders</c>,
/// <c>src/Storekeep.Web/Orders</c> and <c>src/Storekeep.Web/Admin/Orders</c> are all "Orders".
/// </summary>
public static partial class ArchitectureRules
{
    /// <summary>Builds a whole store's history on first start: writes every capability's tables by design.</summary>
    public const string DemoCapability = "Demo";

    /// <summary>Folders that are not a capability (the host, the API's plumbing, shared helpers).</summary>
    public const string Platform = "(platform)";

    private static readonly string[] PlatformFolders = ["Shared", "Data", "Hosting", "Api", "Components", "Cli", "Admin"];

    // ---- Rule 1: the core does not speak HTTP ----

    /// <summary>Types of <c>Microsoft.AspNetCore.Http*</c> that the assembly references.</summary>
    public static IReadOnlyList<string> HttpTypesReferencedBy(Assembly assembly)
    {
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var handle in metadata.TypeReferences)
        {
            var reference = metadata.GetTypeReference(handle);
            var ns = metadata.GetString(reference.Namespace);
            if (ns == "Microsoft.AspNetCore.Http" || ns.StartsWith("Microsoft.AspNetCore.Http.", StringComparison.Ordinal))
            {
                found.Add(ns + "." + metadata.GetString(reference.Name));
            }
        }

        return [.. found];
    }

    // ---- Rule 2: a module registers only its own capability's types ----

    /// <summary>Services a module registers whose type lives outside the module's folders, and a module outside its own folder.</summary>
    public static IReadOnlyList<string> RegistrationsOutsideFolder(StorekeepModule module)
    {
        var problems = new List<string>();
        var moduleNamespace = module.GetType().Namespace ?? "";
        if (moduleNamespace != $"Storekeep.Web.{module.Name}")
        {
            problems.Add($"{module.GetType().Name} is in namespace {moduleNamespace}, not Storekeep.Web.{module.Name} (src/Storekeep.Web/{module.Name}/)");
        }

        var services = new ServiceCollection();
        module.AddServices(services, new ConfigurationBuilder().Build());
        foreach (var descriptor in services)
        {
            var type = descriptor.IsKeyedService
                ? descriptor.KeyedImplementationType ?? descriptor.KeyedImplementationInstance?.GetType() ?? descriptor.ServiceType
                : descriptor.ImplementationType ?? descriptor.ImplementationInstance?.GetType() ?? descriptor.ServiceType;
            // Implementing another capability's extension point (an interface it calls, such as
            // Payments' IPaymentIntentListener) with a class of one's own is how capabilities plug in.
            var ownImplementation = type != descriptor.ServiceType && module.Namespaces.Any(ns => InNamespace(type, ns));
            foreach (var registered in new[] { type, descriptor.ServiceType }.Distinct())
            {
                if (registered == descriptor.ServiceType && registered.IsInterface && ownImplementation)
                {
                    continue;
                }

                if (IsOurs(registered) && !SharedPlumbing.Contains(registered.Name) && !module.Namespaces.Any(ns => InNamespace(registered, ns)))
                {
                    problems.Add($"{module.Name} registers {registered.FullName}, which lives outside its folders ({string.Join(", ", module.Namespaces)})");
                }
            }
        }

        return problems;
    }

    /// <summary>
    /// What a module may register on the Events capability's behalf, through its public helper
    /// (<c>services.AddEventSubscriber&lt;T&gt;(name)</c>): the subscription record and the shared runner.
    /// </summary>
    private static readonly HashSet<string> SharedPlumbing = ["EventSubscriber", "EventSubscriberSettings", "EventSubscriberRunner"];

    private static bool IsOurs(Type type) =>
        type.Assembly.GetName().Name is "Storekeep.Core" or "storekeep" or "Storekeep.Web";

    private static bool InNamespace(Type type, string ns) =>
        type.Namespace is { } n && (n == ns || n.StartsWith(ns + ".", StringComparison.Ordinal));

    // ---- Rule 3: a capability writes only its own tables ----

    /// <summary>Which capability owns each entity (by the entity's namespace) and each table.</summary>
    public sealed record Ownership(IReadOnlyDictionary<string, string> EntityOwners, IReadOnlyDictionary<string, string> TableOwners);

    public static Ownership ReadOwnership()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        var options = new DbContextOptionsBuilder<StorekeepDbContext>().UseSqlite(connection).Options;
        using var db = new StorekeepDbContext(options);
        var entities = new Dictionary<string, string>(StringComparer.Ordinal);
        var tables = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entity in db.Model.GetEntityTypes())
        {
            var clr = entity.ClrType;
            var owner = clr.Namespace is { } ns && ns.StartsWith("Storekeep.", StringComparison.Ordinal)
                ? ns.Split('.')[1]
                : clr.Namespace?.StartsWith("Microsoft.AspNetCore.Identity", StringComparison.Ordinal) == true ? "Accounts" : Platform;
            // Owned types (an order's Address) are values inside their owner's row, not data of their own.
            if (clr.FullName is { } name && !entity.HasSharedClrType && !entity.IsOwned())
            {
                entities[name] = owner;
            }

            if (entity.GetTableName() is { } table && !entity.IsOwned())
            {
                tables[table] = owner;
            }
        }

        return new Ownership(entities, tables);
    }

    /// <summary>A write by one capability to another's data, found in the source.</summary>
    public sealed record Violation(string File, int Line, string Capability, string Owner, string What)
    {
        public override string ToString() => $"{File}:{Line}: {Capability} {What} (owned by {Owner})";
    }

    /// <summary>The capability a source file belongs to, from its path under src/.</summary>
    public static string CapabilityOf(string path)
    {
        var parts = path.Replace('\\', '/').Split('/');
        var src = Array.LastIndexOf(parts, "src");
        if (src < 0 || src + 2 >= parts.Length)
        {
            return Platform;
        }

        var folder = parts[src + 2];
        if (folder == "Admin" && src + 3 < parts.Length - 1)
        {
            folder = parts[src + 3];
        }

        return src + 2 == parts.Length - 1 || PlatformFolders.Contains(folder) ? Platform : folder;
    }

    /// <summary>The C# files of the core and web projects (not migrations, not build output).</summary>
    public static IReadOnlyList<string> SourceFiles()
    {
        var root = ApiSurface.RepositoryRoot();
        return [.. new[] { "Storekeep", "Storekeep.Web" }
            .SelectMany(project => Directory.EnumerateFiles(Path.Combine(root, "src", project), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Finds writes to another capability's data: Add/Remove/Update/Attach and set-based
    /// ExecuteUpdate/ExecuteDelete on its entities, assignments to its entities' properties (object
    /// initializers included: creating its rows), and raw SQL INSERT/UPDATE/DELETE on its tables.
    /// Calling the owner's methods (<c>order.MarkPaid()</c>, a service) is how to change its data.
    /// </summary>
    public static IReadOnlyList<Violation> ForeignWrites(IEnumerable<(string Path, string Text)> sources, Ownership ownership, IEnumerable<MetadataReference> references)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, parse, s.Path)).ToList();
        // The projects' implicit usings, which the SDK would add.
        var implicitUsings = CSharpSyntaxTree.ParseText(
            "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; " +
            "global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;", parse, "ImplicitUsings.cs");
        var compilation = CSharpCompilation.Create("ArchitectureScan", [.. trees, implicitUsings], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var violations = new List<Violation>();
        foreach (var tree in trees)
        {
            var capability = CapabilityOf(tree.FilePath);
            if (capability == DemoCapability)
            {
                continue;
            }

            var model = compilation.GetSemanticModel(tree);
            var root = tree.GetRoot();
            void Report(SyntaxNode node, string owner, string what)
            {
                if (owner != capability)
                {
                    var line = node.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                    violations.Add(new Violation(RelativePath(tree.FilePath), line, capability, owner, what));
                }
            }

            string? OwnerOf(ITypeSymbol? type) =>
                type is null ? null : ownership.EntityOwners.GetValueOrDefault(FullName(type));

            foreach (var node in root.DescendantNodes())
            {
                switch (node)
                {
                    case AssignmentExpressionSyntax assignment:
                        CheckAssignedMember(assignment.Left);
                        break;
                    case PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression } postfix:
                        CheckAssignedMember(postfix.Operand);
                        break;
                    case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } prefix:
                        CheckAssignedMember(prefix.Operand);
                        break;
                    case InvocationExpressionSyntax invocation:
                        CheckInvocation(invocation);
                        break;
                    case LiteralExpressionSyntax { RawKind: (int)SyntaxKind.StringLiteralExpression } literal:
                        CheckSql(literal, literal.Token.ValueText);
                        break;
                    case InterpolatedStringExpressionSyntax interpolated:
                        CheckSql(interpolated, string.Concat(interpolated.Contents.OfType<InterpolatedStringTextSyntax>().Select(t => t.TextToken.ValueText + " ")));
                        break;
                }
            }

            void CheckAssignedMember(ExpressionSyntax target)
            {
                if (model.GetSymbolInfo(target).Symbol is IPropertySymbol or IFieldSymbol && model.GetSymbolInfo(target).Symbol is { } member
                    && OwnerOf(member.ContainingType) is { } owner)
                {
                    Report(target, owner, $"sets {member.ContainingType.Name}.{member.Name}");
                }
            }

            void CheckInvocation(InvocationExpressionSyntax invocation)
            {
                if (model.GetSymbolInfo(invocation).Symbol is not IMethodSymbol method)
                {
                    return;
                }

                var name = method.Name;
                if (name is "ExecuteUpdate" or "ExecuteUpdateAsync" or "ExecuteDelete" or "ExecuteDeleteAsync")
                {
                    var source = method.ReducedFrom is not null ? method.ReceiverType : method.Parameters.FirstOrDefault()?.Type;
                    if (ElementType(source) is { } element && OwnerOf(element) is { } owner)
                    {
                        Report(invocation, owner, $"runs {name} on {element.Name}");
                    }
                }
                else if (name is "Add" or "AddRange" or "AddAsync" or "AddRangeAsync" or "Remove" or "RemoveRange" or "Update" or "UpdateRange" or "Attach" or "AttachRange")
                {
                    var receiver = method.ContainingType;
                    var isDbSet = receiver.Name == "DbSet" && receiver.TypeArguments.Length == 1;
                    var isContext = InheritsFrom(receiver, "DbContext");
                    if (isDbSet && OwnerOf(receiver.TypeArguments[0]) is { } setOwner)
                    {
                        Report(invocation, setOwner, $"calls {name} on the {receiver.TypeArguments[0].Name} set");
                    }
                    else if (isContext)
                    {
                        foreach (var argument in invocation.ArgumentList.Arguments)
                        {
                            if (OwnerOf(model.GetTypeInfo(argument.Expression).Type) is { } owner)
                            {
                                Report(invocation, owner, $"calls DbContext.{name} with a {model.GetTypeInfo(argument.Expression).Type!.Name}");
                            }
                        }
                    }
                }
            }

            void CheckSql(SyntaxNode node, string text)
            {
                foreach (Match match in SqlWrite().Matches(text))
                {
                    var table = match.Groups["table"].Value;
                    if (ownership.TableOwners.TryGetValue(table, out var owner))
                    {
                        Report(node, owner, $"writes table {table} in SQL ({match.Groups["verb"].Value.ToUpperInvariant()})");
                    }
                }
            }
        }

        return violations;
    }

    /// <summary>References for compiling the core's sources: the framework and the packages beside the tests.</summary>
    public static IReadOnlyList<MetadataReference> ReferencesFor(params string[] excludeAssemblies)
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var local = Directory.GetFiles(AppContext.BaseDirectory, "*.dll");
        return [.. platform.Concat(local)
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.First())
            .Where(p => !excludeAssemblies.Contains(Path.GetFileNameWithoutExtension(p), StringComparer.OrdinalIgnoreCase))
            .Where(IsManagedAssembly)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }

    private static bool IsManagedAssembly(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            return pe.HasMetadata && pe.GetMetadataReader().IsAssembly;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    private static ITypeSymbol? ElementType(ITypeSymbol? type) =>
        type is INamedTypeSymbol { TypeArguments.Length: 1 } named ? named.TypeArguments[0] : null;

    private static bool InheritsFrom(ITypeSymbol? type, string name)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (t.Name == name)
            {
                return true;
            }
        }

        return false;
    }

    private static string FullName(ITypeSymbol type) =>
        type.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "", StringComparison.Ordinal);

    /// <summary>A source path from <c>src/</c> on, as messages show it.</summary>
    internal static string RelativePath(string path)
    {
        var index = path.Replace('\\', '/').LastIndexOf("/src/", StringComparison.Ordinal);
        return index < 0 ? path : path[(index + 1)..];
    }

    [GeneratedRegex("""\b(?<verb>insert\s+into|update|delete\s+from)\s+"?(?<table>[a-z_]+)"?\b""", RegexOptions.IgnoreCase)]
    private static partial Regex SqlWrite();
}
