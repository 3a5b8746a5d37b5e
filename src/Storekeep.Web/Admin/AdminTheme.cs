using MudBlazor;

namespace Storekeep.Web.Admin;

public static class AdminTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f5f8b",
            Secondary = "#2e7d32",
            AppbarBackground = "#1f5f8b",
        },
    };
}
