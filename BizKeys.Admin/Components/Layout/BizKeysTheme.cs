using MudBlazor;

namespace BizKeys.Admin.Components.Layout;

/// <summary>
/// Material with a calm teal brand colour; labels read as written (no all-caps buttons). Every status colour is
/// dark enough for text on white and for white text on it (WCAG AA 4.5:1) in the light theme, and light enough on the
/// dark surfaces (with dark text on filled chips) in the dark one — MudBlazor's own (#00c853, #ff9800) are not.
/// </summary>
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
            Success = "#1b7f3b",
            Warning = "#8a5300",
            Error = "#c62828",
            Info = "#1565c0",
            TextSecondary = "rgba(0,0,0,0.62)",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#4fc7b6",
            Secondary = "#9fb3d6",
            AppbarBackground = "#1b2626",
            Background = "#121818",
            Surface = "#1b2222",
            DrawerBackground = "#161d1d",
            Success = "#81c784",
            SuccessContrastText = "#0b1416",
            Warning = "#ffcc80",
            WarningContrastText = "#0b1416",
            Error = "#ff8a80",
            ErrorContrastText = "#0b1416",
            Info = "#90caf9",
            InfoContrastText = "#0b1416",
            PrimaryContrastText = "#0b1416",
            TextSecondary = "rgba(255,255,255,0.70)",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = FontStack },
            Button = new ButtonTypography { FontFamily = FontStack, TextTransform = "none", FontWeight = "500" },
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "8px", DrawerWidthLeft = "208px" },
    };
}
