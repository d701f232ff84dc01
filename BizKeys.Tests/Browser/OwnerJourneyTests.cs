using System.Text.RegularExpressions;
using BizKeys.Admin.Hosting;
using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

using BizKeys.Tests.Support;

namespace BizKeys.Tests.Browser;

/// <summary>What an account owner does on Settings > API Keys, in real Chromium against the real app.</summary>
[Trait("Category", "Browser")]
public class OwnerJourneyTests(BrowserApp browser) : IClassFixture<BrowserApp>
{
    private ApiKeyService Keys => browser.Services.GetRequiredService<ApiKeyService>();

    private const string FreshOwner = "first-keys@fresh.example";
    private const string FreshAccount = "Fresh Start Ltd";

    /// <summary>
    /// Runs in an account of its own, made for it, so its empty state holds whichever test of the class runs first.
    /// </summary>
    [Fact]
    public async Task Owner_creates_copies_edits_rotates_and_revokes_a_key()
    {
        await browser.Services.CreateUserAsync(FreshOwner, "Owner", FreshAccount);
        var page = await browser.OpenAsync("/settings/api-keys", FreshOwner);
        await Expect(page.GetByTestId("empty-state")).ToContainTextAsync("No API keys yet");
        await BrowserApp.ScreenshotAsync(page, "api-keys-empty");

        // An empty name is explained under the field and creates nothing.
        await page.GetByTestId("add-key").ClickAsync();
        var dialog = page.Locator(".mud-dialog");
        await Expect(dialog).ToContainTextAsync("Add New API Key");
        await page.GetByTestId("submit").ClickAsync();
        await Expect(dialog.Locator(".mud-input-control").First).ToContainTextAsync("Enter a name for the key.");
        await BrowserApp.ScreenshotAsync(page, "add-dialog-validation");
        Assert.Equal(0, await CountKeysAsync(account: FreshAccount));

        // Create "Production bot" and read the secret shown once.
        await dialog.Locator("input").First.FillAsync("Production bot");
        await BrowserApp.ScreenshotAsync(page, "add-dialog");
        await page.GetByTestId("submit").ClickAsync();
        var created = await ReadIssuedAsync(page);
        Assert.Matches(Patterns.Key(), created.Key);
        Assert.Matches(Patterns.Secret(), created.Secret);
        await Expect(page.GetByTestId("secret-warning")).ToContainTextAsync("This secret will not be shown again.");
        await BrowserApp.ScreenshotAsync(page, "created-dialog");

        // It cannot be closed until "I have copied the secret" is ticked: not by Escape, not by the backdrop.
        await Expect(page.GetByTestId("secret-done")).ToBeDisabledAsync();
        await page.Keyboard.PressAsync("Escape");
        await page.Mouse.ClickAsync(5, 790);
        await Expect(page.GetByTestId("issued-secret").First).ToBeVisibleAsync();

        // The copy button puts the secret on the clipboard, and that ticks "I have copied the secret".
        await Expect(page.GetByLabel("I have copied the secret")).Not.ToBeCheckedAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy the API secret" }).ClickAsync();
        await Expect(page.Locator(".mud-snackbar", new() { HasText = "API secret copied to the clipboard." })).ToBeVisibleAsync();
        Assert.Equal(created.Secret, await ClipboardAsync(page, created.Secret));
        await Expect(page.GetByLabel("I have copied the secret")).ToBeCheckedAsync();
        await page.GetByTestId("copy-curl").ClickAsync();
        var curl = $"curl -u \"{created.Key}:{created.Secret}\" {browser.BaseUrl}/api/v1/me";
        Assert.Equal(curl, await ClipboardAsync(page, curl));
        await page.GetByTestId("copy-pair").ClickAsync();
        Assert.Equal($"{created.Key}:{created.Secret}", await ClipboardAsync(page, $"{created.Key}:{created.Secret}"));

        await page.GetByTestId("secret-done").ClickAsync();
        await Expect(page.Locator(".mud-dialog")).ToHaveCountAsync(0);

        // The secret is gone from the page, its storage, and a reload.
        await Expect(page.GetByTestId("key-name")).ToHaveTextAsync("Production bot");
        await AssertSecretAbsentAsync(page, created.Secret);
        await BrowserApp.GoToAsync(page, "/settings/api-keys");
        await Expect(page.GetByTestId("key-name")).ToHaveTextAsync("Production bot");
        await AssertSecretAbsentAsync(page, created.Secret);
        await BrowserApp.ScreenshotAsync(page, "api-keys");

        // Edit renames it.
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        await Expect(dialog.Locator("input").First).ToHaveValueAsync("Production bot");
        await BrowserApp.ScreenshotAsync(page, "edit-dialog");
        await dialog.Locator("input").First.FillAsync("Production bot (EU)");
        await page.GetByTestId("submit").ClickAsync();
        await Expect(page.GetByTestId("key-name")).ToHaveTextAsync("Production bot (EU)");
        // The keyboard focus is back on the row the person was working on, not lost to the page.
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Edit Production bot (EU)" })).ToBeFocusedAsync();
        await AssertSecretAbsentAsync(page, created.Secret);

        // Rotate with an hour's grace (from the row's ⋯ menu): a new secret, once, and the grid says when the old one ends.
        await page.GetByRole(AriaRole.Button, new() { Name = "More actions for Production bot (EU)" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Rotate secret of Production bot (EU)" }).ClickAsync();
        await page.GetByLabel("1 hour").CheckAsync();
        await BrowserApp.ScreenshotAsync(page, "rotate-dialog");
        await page.GetByTestId("confirm-rotate").ClickAsync();
        var rotated = await ReadIssuedAsync(page);
        Assert.Equal(created.Key, rotated.Key);
        Assert.NotEqual(created.Secret, rotated.Secret);
        Assert.Matches(Patterns.Secret(), rotated.Secret);
        await Expect(page.GetByTestId("grace-info")).ToContainTextAsync("The old secret keeps working until");
        await BrowserApp.ScreenshotAsync(page, "rotated-dialog");
        await page.GetByLabel("I have copied the secret").CheckAsync();
        await page.GetByTestId("secret-done").ClickAsync();
        await Expect(page.GetByTestId("grace-note")).ToContainTextAsync("Old secret valid until");
        await AssertSecretAbsentAsync(page, rotated.Secret);

        // Revoke asks first and names the key; the revoked key leaves the list until asked for, and is then Revoked.
        await page.GetByRole(AriaRole.Button, new() { Name = "More actions for Production bot (EU)" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Revoke Production bot (EU)" }).ClickAsync();
        await Expect(dialog).ToContainTextAsync("Production bot (EU)");
        await BrowserApp.ScreenshotAsync(page, "revoke-dialog");
        await page.GetByTestId("confirm-revoke").ClickAsync();
        await Expect(page.GetByTestId("only-revoked")).ToContainTextAsync("Every key of this account is revoked");
        await page.GetByText("Show revoked keys").ClickAsync();
        await Expect(page.GetByTestId("status")).ToHaveTextAsync("Revoked");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Edit" })).ToHaveCountAsync(0);

        // The key's own page shows it and its history, without any secret.
        await page.GetByTestId("key-name").ClickAsync();
        await Expect(page.GetByTestId("detail-key")).ToHaveTextAsync(created.Key);
        await Expect(page.GetByTestId("key-history")).ToContainTextAsync("Key revoked");
        await Expect(page.GetByTestId("key-history")).ToContainTextAsync("Name: Production bot → Production bot (EU)");
        await BrowserApp.ScreenshotAsync(page, "key-details");
        await AssertSecretAbsentAsync(page, rotated.Secret);

        // The audit log lists every step and filters by event.
        await BrowserApp.GoToAsync(page, "/settings/audit-log");
        var audit = page.GetByTestId("audit-grid");
        await Expect(audit).ToContainTextAsync("Key created");
        await Expect(audit).ToContainTextAsync("Key rotated");
        await Expect(audit).ToContainTextAsync(FreshOwner);
        await BrowserApp.ScreenshotAsync(page, "audit-log");
        await page.GetByRole(AriaRole.Combobox, new() { Name = "Event" }).ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "Key revoked" }).First.ClickAsync();
        await Expect(audit.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(audit).ToContainTextAsync("Revoked \"Production bot (EU)\"");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("export-csv").ClickAsync());
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.StartsWith("time_utc,actor,ip,action,target,summary", csv);
        Assert.Contains("key.revoked", csv);
        Assert.DoesNotContain("key.created", csv);
        Assert.DoesNotContain(created.Secret, csv);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_double_click_on_submit_creates_one_key_not_two()
    {
        var page = await browser.OpenAsync("/settings/api-keys");
        var before = await CountKeysAsync();
        await page.GetByTestId("add-key").ClickAsync();
        await page.Locator(".mud-dialog input").First.FillAsync("Double click bot");

        await page.GetByTestId("submit").DblClickAsync();

        await Expect(page.GetByTestId("issued-secret").First).ToBeVisibleAsync();
        await page.WaitForTimeoutAsync(500); // a second submission, if any, would have landed by now
        Assert.Equal(before + 1, await CountKeysAsync());
        Assert.Equal(1, await CountKeysAsync("Double click bot"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_key_created_in_the_browser_authenticates_the_api_and_its_calls_show_on_its_page()
    {
        var page = await browser.OpenAsync("/settings/api-keys");
        await page.GetByTestId("add-key").ClickAsync();
        await page.Locator(".mud-dialog input").First.FillAsync("Webhook relay");
        await page.GetByTestId("submit").ClickAsync();
        var (key, secret) = await ReadIssuedAsync(page);
        await page.GetByLabel("I have copied the secret").CheckAsync();
        await page.GetByTestId("secret-done").ClickAsync();

        using var api = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        for (var i = 0; i < 3; i++)
        {
            var me = await api.SendAsync(BizKeys.Tests.Api.ApiApp.Basic(HttpMethod.Get, "/api/v1/me", key, secret));
            Assert.Equal(System.Net.HttpStatusCode.OK, me.StatusCode);
            Assert.Contains("Webhook relay", await me.Content.ReadAsStringAsync());
        }
        var wrong = await api.SendAsync(BizKeys.Tests.Api.ApiApp.Basic(HttpMethod.Get, "/api/v1/me", key, KeyFormat.NewSecret()));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, wrong.StatusCode);
        await browser.Services.GetRequiredService<BizKeys.Core.Usage.UsageFlusher>().FlushAsync();

        await BrowserApp.GoToAsync(page, $"/settings/api-keys/{key}");
        await Expect(page.GetByTestId("usage-success")).ToHaveTextAsync("3");
        await Expect(page.GetByTestId("usage-failed")).ToHaveTextAsync("1");
        await Expect(page.GetByTestId("recent-failures")).ToContainTextAsync("Wrong secret");
        await Expect(page.GetByTestId("recent-requests").Locator("tbody tr")).ToHaveCountAsync(4);
        await Expect(page.GetByTestId("recent-requests")).ToContainTextAsync("Passed");
        await Expect(page.GetByTestId("recent-requests")).ToContainTextAsync("Wrong secret");
        await Expect(page.GetByTestId("usage-chart")).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, "key-usage");
        await AssertSecretAbsentAsync(page, secret);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task During_a_grace_period_the_owner_sees_the_old_secret_still_in_use_and_ends_it()
    {
        var account = (await browser.Services.GetRequiredService<BizKeys.Core.Accounts.AccountService>().FindByNameAsync(TestData.AccountName))!;
        var issued = await Keys.CreateAsync(new CreateKeyRequest { AccountId = account.Id, Name = "Rotating bot", Environment = "Production" }, Actor.CommandLine);
        var rotated = await Keys.RotateAsync(new RotateKeyRequest { AccountId = account.Id, Key = issued.Key.Key, GraceMinutes = 1440 }, Actor.CommandLine);
        using var api = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        var page = await browser.OpenAsync($"/settings/api-keys/{issued.Key.Key}");
        await Expect(page.GetByTestId("old-secret-use")).ToHaveTextAsync("Not used since the rotation.");

        for (var i = 0; i < 2; i++)
            Assert.Equal(System.Net.HttpStatusCode.OK, (await api.SendAsync(BizKeys.Tests.Api.ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, issued.Secret))).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await api.SendAsync(BizKeys.Tests.Api.ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, rotated.Secret))).StatusCode);
        await browser.Services.GetRequiredService<BizKeys.Core.Usage.UsageFlusher>().FlushAsync();
        await BrowserApp.GoToAsync(page, $"/settings/api-keys/{issued.Key.Key}");

        await Expect(page.GetByTestId("old-secret-use")).ToHaveTextAsync("Still in use just now — 2 requests since the rotation.");
        await BrowserApp.ScreenshotAsync(page, "rotation-in-progress");
        await page.GetByTestId("end-old-secret").ClickAsync();
        await Expect(page.Locator(".mud-dialog")).ToContainTextAsync("The old secret served 2 requests since the rotation");
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "End old secret" }).ClickAsync();

        await Expect(page.GetByTestId("rotation-state")).ToHaveCountAsync(0);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await api.SendAsync(BizKeys.Tests.Api.ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, issued.Secret))).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await api.SendAsync(BizKeys.Tests.Api.ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, rotated.Secret))).StatusCode);
        await Expect(page.GetByTestId("key-history")).ToContainTextAsync("Old secret ended");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_owner_pastes_a_leaked_secret_and_its_key_is_revoked_with_a_notice_until_acknowledged()
    {
        var account = (await browser.Services.GetRequiredService<BizKeys.Core.Accounts.AccountService>().FindByNameAsync(TestData.AccountName))!;
        var leaked = await Keys.CreateAsync(new CreateKeyRequest { AccountId = account.Id, Name = "Pasted in chat", Environment = "Production" }, Actor.CommandLine);
        var page = await browser.OpenAsync("/settings/api-keys");

        await page.GetByTestId("report-leak").ClickAsync();
        var text = page.GetByTestId("leak-text").Locator("xpath=self::textarea | .//textarea").First;
        await text.FillAsync($"[10:02] dev: try it with {leaked.Key.Key} / {leaked.Secret}");
        await page.GetByTestId("confirm-leak").ClickAsync();

        await Expect(page.GetByTestId("leak-result")).ToHaveTextAsync("Found 1 secret and revoked 1 key.");
        await Expect(page.GetByTestId("leak-your-keys")).ToContainTextAsync("Pasted in chat");
        await BrowserApp.ScreenshotAsync(page, "leak-reported");
        await AssertSecretAbsentAsync(page, leaked.Secret);
        await page.GetByTestId("leak-done").ClickAsync();
        await Expect(page.GetByTestId("leak-notice")).ToContainTextAsync("Pasted in chat");
        await BrowserApp.GoToAsync(page, "/settings/api-keys");
        await Expect(page.GetByTestId("leak-notice")).ToContainTextAsync("revoked because a secret was reported as leaked");
        await page.GetByTestId("acknowledge-leak").ClickAsync();
        await Expect(page.GetByTestId("leak-notice")).ToHaveCountAsync(0);
        await BrowserApp.GoToAsync(page, "/settings/api-keys");
        await Expect(page.GetByTestId("key-name").First).ToBeVisibleAsync();
        await Expect(page.GetByTestId("leak-notice")).ToHaveCountAsync(0);
        Assert.Equal(ApiKeyStatus.Revoked, (await Keys.GetAsync(account.Id, leaked.Key.Key, Actor.CommandLine))!.Status);
        await page.Context.CloseAsync();
    }

    private async Task<int> CountKeysAsync(string? search = null, string account = TestData.AccountName)
    {
        var found = (await browser.Services.GetRequiredService<BizKeys.Core.Accounts.AccountService>().FindByNameAsync(account))!;
        return (await Keys.QueryAsync(new KeyQuery(found.Id) { Search = search }, Actor.CommandLine)).TotalCount;
    }

    private static async Task<(string Key, string Secret)> ReadIssuedAsync(IPage page) =>
        (await InputOf(page.GetByTestId("issued-key")).InputValueAsync(),
         await InputOf(page.GetByTestId("issued-secret")).InputValueAsync());

    /// <summary>MudBlazor puts extra attributes on the input itself or on its wrapper.</summary>
    private static ILocator InputOf(ILocator element) => element.Locator("xpath=self::input | .//input").First;

    /// <summary>The clipboard once a copy has reached it (the copy runs after a round trip to the server), or what it holds after 5 s.</summary>
    private static async Task<string> ClipboardAsync(IPage page, string expected)
    {
        var text = "";
        for (var i = 0; i < 50 && (text = await page.EvaluateAsync<string>("() => navigator.clipboard.readText()").WaitAsync(TimeSpan.FromSeconds(10))) != expected; i++)
            await Task.Delay(100);
        return text;
    }

    private static async Task AssertSecretAbsentAsync(IPage page, string secret)
    {
        await Expect(page.GetByTestId("issued-secret")).ToHaveCountAsync(0);
        var html = await page.ContentAsync();
        Assert.DoesNotContain(secret, html);
        Assert.DoesNotContain(secret[4..44], html);
        var storage = await page.EvaluateAsync<string>(
            "() => JSON.stringify(Object.entries(localStorage)) + JSON.stringify(Object.entries(sessionStorage))");
        Assert.DoesNotContain(secret, storage);
        var inputs = await page.EvaluateAsync<string>("() => [...document.querySelectorAll('input,textarea')].map(i => i.value).join('\\n')");
        Assert.DoesNotContain(secret, inputs);
    }
}
