using System.Net;
using BizKeys.Core;
using BizKeys.Tests.Support;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace BizKeys.Tests.Browser;

/// <summary>
/// The real app served by Kestrel on a free loopback port, with its own database, and Debian's Chromium driven
/// by Playwright. One per test class; each test opens its own browser context.
/// </summary>
public class BrowserApp : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
    ];


    private readonly Dictionary<string, string> _signedIn = [];
    private IPlaywright? _playwright;

    public BrowserApp()
        : this(withOwner: true)
    {
    }

    protected BrowserApp(bool withOwner, IDictionary<string, string?>? settings = null) => App = new AppFactory(withOwner: withOwner, settings: settings);

    public AppFactory App { get; }
    public IBrowser Browser { get; private set; } = default!;
    public string BaseUrl { get; private set; } = "";
    public IServiceProvider Services => App.Services;

    /// <summary>Every Content-Security-Policy refusal any page of this class's journeys reported.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> CspViolations { get; } = new();

    /// <summary>Screenshots of every page and dialog the journeys pass through land here.</summary>
    public static string ScreenshotDirectory { get; } = FindScreenshotDirectory();

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException(
                $"The browser tests need Debian's Chromium at {ChromiumPath}. Install it with " +
                "'apt-get install -y chromium fonts-liberation' (./scripts/test.sh does this for you).");

        App.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        App.StartServer();
        var addresses = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        BaseUrl = addresses.Addresses.First().Replace("127.0.0.1", "localhost");

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    /// <summary>
    /// A fresh browser profile at a laptop's size, with clipboard access, signed in as <paramref name="email"/>
    /// (the owner unless said otherwise), on the given page, ready for clicks.
    /// </summary>
    /// <param name="theme"><c>dark</c> or <c>light</c> as if chosen with the toggle; null: the system's (light).</param>
    /// <param name="width">The window's width: 1280 (a laptop) or 768 (a tablet held upright).</param>
    public async Task<IPage> OpenAsync(string path, string email = TestData.OwnerEmail, string? theme = null, int width = 1280)
    {
        if (!_signedIn.TryGetValue(email, out var state))
        {
            var signIn = await NewPageAsync(storageState: null);
            await SignInAsync(signIn, email, TestData.Password);
            await Expect(signIn.GetByTestId("interactive")).ToBeAttachedAsync();
            state = await signIn.Context.StorageStateAsync();
            _signedIn[email] = state;
            await signIn.Context.CloseAsync();
        }
        var page = await NewPageAsync(state, theme, width);
        await GoToAsync(page, path);
        return page;
    }

    /// <summary>A fresh browser profile, signed out.</summary>
    public Task<IPage> OpenSignedOutAsync(string? theme = null, int width = 1280) => NewPageAsync(storageState: null, theme, width);

    public static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    private async Task<IPage> NewPageAsync(string? storageState, string? theme = null, int width = 1280)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = width < 1000 ? 1024 : 800 },
            Permissions = ["clipboard-read", "clipboard-write"],
            StorageState = storageState,
        });
        if (theme is not null)
            await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "BizKeys.Theme", Value = theme, Url = BaseUrl }]);
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
                CspViolations.Enqueue($"{page.Url}: {message.Text}");
        };
        return page;
    }

    /// <summary>Navigates and waits until Blazor's circuit answers: a click before that would be lost.</summary>
    public static async Task GoToAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await page.Locator("[data-testid=interactive]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png") });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.CloseAsync();
        _playwright?.Dispose();
        await App.DisposeAsync();
        // Every journey doubles as a check of the security policy: a page that needs something it forbids fails here.
        if (!CspViolations.IsEmpty)
            throw new InvalidOperationException("Pages broke the Content-Security-Policy:\n" + string.Join("\n", CspViolations.Distinct()));
    }

    private static string FindScreenshotDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "BizKeys.sln")))
            dir = dir.Parent;
        var path = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "artifacts", "screenshots");
        Directory.CreateDirectory(path);
        return path;
    }
}
