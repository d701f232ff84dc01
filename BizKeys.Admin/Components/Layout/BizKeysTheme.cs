using MudBlazor;

namespace BizKeys.Admin.Components.Layout;

/// <summary>Material with a calm teal brand colour; labels read as written (no all-caps buttons).</summary>
public static class BizKeysTheme
{
    private static readonly string[] FontStack = ["Inter", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"];

    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#0d7a6f",
            Secondary = "#4a5d7e",
            AppbarBackground = "#0d7a6f",
            Background = "#f6f8f8",
            DrawerBackground = "#ffffff",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#4fc7b6",
            Secondary = "#9fb3d6",
            AppbarBackground = "#1b2626",
            Background = "#121818",
            Surface = "#1b2222",
            DrawerBackground = "#161d1d",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = FontStack },
            Button = new ButtonTypography { FontFamily = FontStack, TextTransform = "none", FontWeight = "500" },
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "8px", DrawerWidthLeft = "208px" },
    };
}
