using BizKeys.Core;
using BizKeys.Core.Accounts;
using BizKeys.Core.ApiKeys;
using BizKeys.Tests.Support;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace BizKeys.Tests.Browser;

/// <summary>A BizKeys with keys in every state, for checking every page as people of each role see it.</summary>
public sealed class AccessibilityApp : BrowserApp, IAsyncLifetime
{
    public const string Member = "member@example.com";
    public const string Support = "helper@bizkeys.example";

    public string KeyId { get; private set; } = "";

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Services.CreateUserAsync(Member, "Member");
        await Services.CreateUserAsync(Support, "Support", account: null);
        var account = (await Services.GetRequiredService<AccountService>().FindByNameAsync(TestData.AccountName))!;
        var keys = Services.GetRequiredService<ApiKeyService>();
        var actor = Actor.CommandLine;
        var production = await keys.CreateAsync(new CreateKeyRequest
        {
            AccountId = account.Id, Name = "Production bot", Environment = "Production", Permissions = ["messages:send", "messages:read", "templates:read"],
        }, actor);
        KeyId = production.Key.Key;
        await keys.RotateAsync(new RotateKeyRequest { AccountId = account.Id, Key = production.Key.Key, GraceMinutes = 60 }, actor);
        await keys.CreateAsync(new CreateKeyRequest
        {
            AccountId = account.Id, Name = "Nightly export", Environment = "Staging", Permissions = ["usage:read"], ExpiresAt = DateTime.UtcNow.AddDays(5),
        }, actor);
        var old = await keys.CreateAsync(new CreateKeyRequest { AccountId = account.Id, Name = "Old CRM sync", Environment = "Production" }, actor);
        await keys.RevokeAsync(account.Id, old.Key.Key, actor);
    }
}

/// <summary>
/// axe-core's WCAG 2.2 A/AA rules over every page and dialog, as an owner, a member and support, in the light and the
/// dark theme, at a laptop's width and a tablet's: no serious or critical finding anywhere.
/// </summary>
[Trait("Category", "Browser")]
public class AccessibilityTests(AccessibilityApp browser) : IClassFixture<AccessibilityApp>
{
    private static readonly AxeRunOptions Wcag = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    };

    private readonly List<string> _findings = [];

    private async Task CheckAsync(IPage page, string what)
    {
        await page.WaitForTimeoutAsync(300); // transitions (dialogs, popovers) settle before colours are measured
        // A page that never answers fails the test in a minute and a half rather than holding the whole run.
        var result = await page.RunAxe(Wcag).WaitAsync(TimeSpan.FromSeconds(90));
        foreach (var violation in result.Violations.Where(v => v.Impact is "serious" or "critical"))
            _findings.Add($"{what}: {violation.Id} ({violation.Impact}) {violation.Help}\n      " +
                string.Join("\n      ", violation.Nodes.Take(4).Select(n => $"{n.Target} — {n.Html[..Math.Min(n.Html.Length, 160)]}")));
    }

    private void AssertNone() => Assert.True(_findings.Count == 0, $"{_findings.Count} serious or critical axe findings:\n" + string.Join("\n", _findings));

    public static TheoryData<string, int> Looks => new() { { "light", 1280 }, { "dark", 1280 }, { "light", 768 }, { "dark", 768 } };

    [Theory]
    [MemberData(nameof(Looks))]
    public async Task The_owners_pages_and_dialogs_have_no_serious_findings(string theme, int width)
    {
        var page = await browser.OpenAsync("/settings/api-keys", theme: theme, width: width);
        var look = $"{theme} {width}px";
        await Expect(page.GetByTestId("key-name").First).ToBeVisibleAsync();
        await CheckAsync(page, $"keys page ({look})");
        var shot = $"{theme}-{width}";
        await BrowserApp.ScreenshotAsync(page, $"api-keys-{shot}");

        await page.GetByTestId("add-key").ClickAsync();
        await Expect(page.Locator(".mud-dialog")).ToBeVisibleAsync();
        await page.WaitForTimeoutAsync(300);
        await BrowserApp.ScreenshotAsync(page, $"add-dialog-{shot}");
        await CheckAsync(page, $"add dialog ({look})");
        await page.Locator(".mud-dialog input").First.FillAsync($"Axe {theme} {width}");
        await page.GetByTestId("submit").ClickAsync();
        await Expect(page.GetByTestId("issued-secret")).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, $"created-dialog-{shot}");
        await CheckAsync(page, $"created dialog ({look})");
        await page.GetByLabel("I have copied the secret").CheckAsync();
        await page.GetByTestId("secret-done").ClickAsync();
        await Expect(page.Locator(".mud-dialog")).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Button, new() { Name = "More actions for Production bot" }).ClickAsync();
        await BrowserApp.ScreenshotAsync(page, $"row-menu-{shot}");
        await CheckAsync(page, $"row menu ({look})");
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Revoke Production bot" }).ClickAsync();
        await Expect(page.Locator(".mud-dialog")).ToBeVisibleAsync();
        await CheckAsync(page, $"revoke dialog ({look})");
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator(".mud-dialog")).ToHaveCountAsync(0);

        await page.GetByTestId("report-leak").ClickAsync();
        await Expect(page.Locator(".mud-dialog")).ToBeVisibleAsync();
        await CheckAsync(page, $"leak dialog ({look})");
        await page.Keyboard.PressAsync("Escape");

        await BrowserApp.GoToAsync(page, $"/settings/api-keys/{browser.KeyId}");
        await Expect(page.GetByTestId("detail-key")).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, $"key-details-{shot}");
        await CheckAsync(page, $"key page ({look})");

        await page.GotoAsync("/account/password"); // a plain server-rendered form
        await CheckAsync(page, $"change password ({look})");
        foreach (var path in new[] { "/settings/members", "/settings/audit-log", "/invitations", "/settings/notifications" })
        {
            await BrowserApp.GoToAsync(page, path);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await BrowserApp.ScreenshotAsync(page, $"{path.Split('/')[^1]}-{shot}");
            await CheckAsync(page, $"{path} ({look})");
        }
        await page.GetByTestId("add-webhook").ClickAsync(); // the last page: Settings > Notifications
        await Expect(page.Locator(".mud-dialog")).ToBeVisibleAsync();
        await CheckAsync(page, $"webhook dialog ({look})");
        await page.Context.CloseAsync();
        AssertNone();
    }

    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task A_members_pages_have_no_serious_findings(string theme)
    {
        var page = await browser.OpenAsync("/settings/api-keys", AccessibilityApp.Member, theme: theme);
        await Expect(page.GetByTestId("key-name").First).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, $"member-view-{theme}");
        await CheckAsync(page, $"member keys page ({theme})");
        foreach (var path in new[] { $"/settings/api-keys/{browser.KeyId}", "/settings/members", "/settings/notifications", "/settings/audit-log" })
        {
            await BrowserApp.GoToAsync(page, path);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await CheckAsync(page, $"member {path} ({theme})");
        }
        await page.Context.CloseAsync();
        AssertNone();
    }

    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task Supports_pages_have_no_serious_findings(string theme)
    {
        var page = await browser.OpenAsync("/support/accounts", AccessibilityApp.Support, theme: theme);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await CheckAsync(page, $"support accounts ({theme})");
        foreach (var path in new[] { "/support/usage", "/support/log" })
        {
            await BrowserApp.GoToAsync(page, path);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await CheckAsync(page, $"support {path} ({theme})");
        }
        var account = (await browser.Services.GetRequiredService<AccountService>().FindByNameAsync(TestData.AccountName))!;
        await BrowserApp.GoToAsync(page, $"/support/accounts/{account.Id}");
        var reason = page.Locator("[data-testid=support-reason] textarea, textarea[data-testid=support-reason]").First;
        await Expect(reason.Or(page.GetByTestId("key-name").First)).ToBeVisibleAsync();
        if (await reason.IsVisibleAsync()) // the other theme's run may have given a reason already (a grant lasts an hour)
        {
            await CheckAsync(page, $"support reason form ({theme})");
            await reason.FillAsync("Ticket #4821: accessibility check of the console");
            await page.GetByTestId("open-account").ClickAsync();
        }
        await Expect(page.GetByTestId("key-name").First).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, $"support-account-{theme}");
        await CheckAsync(page, $"support account ({theme})");
        await page.Context.CloseAsync();
        AssertNone();
    }

    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task The_signed_out_pages_have_no_serious_findings_and_follow_the_theme(string theme)
    {
        var page = await browser.OpenSignedOutAsync(theme);
        foreach (var path in new[] { "/login", "/forgot-password", "/reset-password?email=owner%40example.com", "/setup" })
        {
            await page.GotoAsync(path);
            await BrowserApp.ScreenshotAsync(page, $"{path.Split('?')[0].Split('/')[^1]}-{theme}");
            await CheckAsync(page, $"{path} ({theme})");
        }
        // Drawn in the chosen theme from the first byte: no white page for a dark-mode person.
        await page.GotoAsync("/login");
        var background = await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('.auth-page')).backgroundColor");
        Assert.Equal(theme == "dark" ? "rgb(18, 24, 24)" : "rgb(246, 248, 248)", background);
        await page.Context.CloseAsync();
        AssertNone();
    }


    [Fact]
    public async Task The_theme_chosen_with_the_toggle_is_kept_across_reloads_and_on_the_sign_in_page()
    {
        var page = await browser.OpenAsync("/settings/api-keys", AccessibilityApp.Member, theme: "light");
        Assert.Equal("rgb(246, 248, 248)", await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Switch to dark theme" }).ClickAsync();
        for (var i = 0; i < 50 && !(await page.Context.CookiesAsync()).Any(c => c.Name == "BizKeys.Theme" && c.Value == "dark"); i++)
            await Task.Delay(100);

        await BrowserApp.GoToAsync(page, "/settings/members");
        Assert.Equal("theme-dark", await page.EvaluateAsync<string>("() => document.documentElement.className"));
        Assert.Equal("rgb(18, 24, 24)", await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor"));
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Switch to light theme" })).ToBeVisibleAsync();
        await page.GotoAsync("/account/password"); // a server-rendered page in the same look
        Assert.Equal("rgb(18, 24, 24)", await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('.auth-page')).backgroundColor"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_keyboard_user_skips_the_navigation_in_one_tab()
    {
        var page = await browser.OpenAsync("/settings/api-keys", AccessibilityApp.Member);
        // The first stop of the page's tab order, hidden until it has focus.
        var skip = page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" });
        Assert.Equal("skip-link", await page.EvaluateAsync<string>("() => document.querySelector('a[href], button, input, [tabindex]:not([tabindex=\"-1\"])').className"));
        await Expect(skip).Not.ToBeInViewportAsync();
        await skip.FocusAsync();
        await Expect(skip).ToBeInViewportAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#main-content")).ToBeFocusedAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_API_reference_lists_the_routes_with_its_own_scripts_only()
    {
        var page = await browser.OpenSignedOutAsync();
        var console = new List<string>();
        page.Console += (_, m) => console.Add(m.Text);
        await page.GotoAsync("/api/docs/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "BizKeys API" })).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(page.GetByText("API keys").First).ToBeVisibleAsync();
        await Expect(page.GetByText("Leaked secrets").First).ToBeVisibleAsync();
        await Expect(page.GetByText("Ask AI")).ToHaveCountAsync(0); // nothing that talks to anyone but this BizKeys
        Assert.DoesNotContain(console, m => m.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
        await BrowserApp.ScreenshotAsync(page, "api-docs");
        await page.Context.CloseAsync();
        // The fixture's disposal fails the class if a page broke the Content-Security-Policy.
    }
}
