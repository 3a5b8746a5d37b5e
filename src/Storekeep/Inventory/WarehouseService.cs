using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Inventory;

/// <summary>Warehouses are reference data: a code people type, a name, and a shipping priority.</summary>
public sealed class WarehouseService(StorekeepDbContext db, TimeProvider clock)
{
    public const int CodeMaxLength = 32;
    public const int MaxPriority = 10_000;

    /// <summary>
    /// The warehouse a request names by code, or 422 <c>unknown_warehouse</c> pointing at
    /// <paramref name="field"/>; <paramref name="shownCode"/> is how the message quotes it (default: as given).
    /// </summary>
    public static async Task<Warehouse> KnownAsync(StorekeepDbContext db, string code, string field, CancellationToken ct, string? shownCode = null) =>
        await db.Warehouses.AsNoTracking().FirstOrDefaultAsync(w => w.Code == code, ct)
            ?? throw new StorekeepException(ErrorKind.Unprocessable, "unknown_warehouse", $"There is no warehouse with code '{shownCode ?? code}'.")
            {
                Extensions = new Dictionary<string, object?> { ["field"] = field, ["warehouse"] = code },
            };

    public async Task<WarehouseView> CreateAsync(CreateWarehouseRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var code = v.Code("code", request.Code, CodeMaxLength);
        var name = v.Required("name", request.Name);
        if (request.Priority is < 0 or > MaxPriority)
        {
            v.Add("priority", $"'priority' must be between 0 and {MaxPriority}.");
        }

        v.ThrowIfInvalid();

        try
        {
            return await db.InTransactionAsync(async token =>
            {
                if (await db.Warehouses.AnyAsync(w => w.Code == code, token))
                {
                    throw CodeTaken(code);
                }

                var warehouse = new Warehouse { Code = code, Name = name, Priority = request.Priority ?? 0, CreatedAt = clock.GetUtcNow().UtcDateTime };
                db.Warehouses.Add(warehouse);
                return ToView(warehouse);
            }, ct);
        }
        catch (DbUpdateException e) when (Transactions.IsUniqueViolation(e))
        {
            throw CodeTaken(code); // a concurrent request created it between our check and insert
        }
    }

    /// <summary>Alphabetical by code (each item carries its shipping priority).</summary>
    public async Task<Page<WarehouseView>> ListAsync(int? limit, string? cursor, CancellationToken ct)
    {
        // Warehouses are few; a page is still bounded, with the code as the key.
        var take = Cursor.Limit(limit);
        var after = Cursor.Decode(cursor);
        var query = db.Warehouses.AsNoTracking();
        if (after is not null)
        {
            query = query.Where(w => w.Code.CompareTo(after) > 0);
        }

        var warehouses = await query.OrderBy(w => w.Code).Take(take + 1).ToListAsync(ct);
        var items = warehouses.Take(take).Select(ToView).ToList();
        return new Page<WarehouseView>(items, warehouses.Count > take ? Cursor.Encode(items[^1].Code) : null);
    }

    private static StorekeepException CodeTaken(string code) =>
        new(ErrorKind.Conflict, "warehouse_code_taken", $"A warehouse with code '{code}' already exists.")
        {
            Extensions = new Dictionary<string, object?> { ["warehouse"] = code },
        };

    private static WarehouseView ToView(Warehouse w) => new(w.Id, w.Code, w.Name, w.Priority, w.CreatedAt);
}
