using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Storekeep.Audit;
using Storekeep.Shared;

namespace Storekeep.Web.Admin;

/// <summary>
/// Base of every back-office page. A page lives as long as the browser tab's circuit, so it never
/// holds a DbContext: each read or change runs in its own service scope. Changes run inside an
/// <see cref="AuditScope"/> for the signed-in user, are re-authorized on the server, and domain errors
/// become a message instead of a broken page.
/// </summary>
public abstract class AdminPage : ComponentBase
{
    [Inject] protected IServiceScopeFactory ScopeFactory { get; set; } = default!;
    [Inject] protected ISnackbar Snackbar { get; set; } = default!;
    [Inject] protected NavigationManager Navigation { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState>? AuthenticationState { get; set; }

    protected ClaimsPrincipal User { get; private set; } = new();

    /// <summary>Who the audit log and the order timeline name for this user's changes.</summary>
    protected Actor Actor => new(User.FindFirstValue(ClaimTypes.Email) ?? User.Identity?.Name ?? "unknown");

    protected override async Task OnInitializedAsync()
    {
        if (AuthenticationState is not null)
        {
            User = (await AuthenticationState).User;
        }

        await OnPageInitializedAsync();
    }

    /// <summary>Load the page's data here (instead of OnInitializedAsync).</summary>
    protected virtual Task OnPageInitializedAsync() => Task.CompletedTask;

    /// <summary>
    /// Checks <paramref name="staffPolicy"/> against the user as the database has them now (exists,
    /// not locked out, current roles), not the principal this tab opened with.
    /// </summary>
    protected async Task<bool> MayAsync(string staffPolicy)
    {
        await using var scope = ScopeFactory.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StaffAuthorization>().MayAsync(User, staffPolicy);
    }

    /// <summary>Reads in a fresh scope.</summary>
    protected async Task<T> QueryAsync<T>(Func<IServiceProvider, Task<T>> read)
    {
        await using var scope = ScopeFactory.CreateAsyncScope();
        return await read(scope.ServiceProvider);
    }

    /// <summary>
    /// Makes a change in a fresh scope after checking <paramref name="staffPolicy"/> again on the
    /// server; records it in the audit log; shows <paramref name="success"/> or the error. Returns
    /// false when refused or failed.
    /// </summary>
    protected async Task<bool> ChangeAsync(string staffPolicy, Func<IServiceProvider, Task> change, string? success = null)
    {
        if (!await MayAsync(staffPolicy))
        {
            Snackbar.Add("Your role does not allow this.", Severity.Error);
            return false;
        }

        try
        {
            await using var scope = ScopeFactory.CreateAsyncScope();
            using (AuditScope.Begin(Actor))
            {
                await change(scope.ServiceProvider);
            }

            if (success is not null)
            {
                Snackbar.Add(success, Severity.Success);
            }

            return true;
        }
        catch (RequestValidationException e)
        {
            Snackbar.Add(string.Join(" ", e.Errors.SelectMany(kv => kv.Value.Select(m => kv.Key.Length > 0 ? $"{kv.Key}: {m}" : m))), Severity.Error);
            return false;
        }
        catch (StorekeepException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
            return false;
        }
    }
}
