using Storekeep.Shared;

namespace Storekeep.Web.Api;

/// <summary>
/// Refuses control characters in the path and the query string before any endpoint runs: no id,
/// SKU, filter or cursor of ours contains one, and PostgreSQL rejects NUL in a parameter (a 500
/// otherwise). Bodies are checked field by field by <see cref="Validation"/>.
/// </summary>
public sealed class ControlCharacterGuard(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        Dictionary<string, string[]>? errors = null;
        if (request.Path.Value?.Any(char.IsControl) == true)
        {
            (errors ??= [])["path"] = ["The path must not contain control characters."];
        }

        foreach (var (name, values) in request.Query)
        {
            if (name.Any(char.IsControl) || values.Any(v => v?.Any(char.IsControl) == true))
            {
                var field = name.Any(char.IsControl) ? "query" : name;
                (errors ??= [])[field] = [$"'{field}' must not contain control characters."];
            }
        }

        return errors is null ? next(context) : throw new RequestValidationException(errors);
    }
}
