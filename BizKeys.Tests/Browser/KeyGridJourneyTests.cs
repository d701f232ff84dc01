using BizKeys.Admin.Hosting;
using BizKeys.Core;
using BizKeys.Core.Accounts;
using BizKeys.Core.ApiKeys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

using BizKeys.Tests.Support;

namespace BizKeys.Tests.Browser;

/// <summary>Finding keys in a busy account: paging, search and filters, in real Chromium.</summary>
[Trait("Category", "Browser")]
public class KeyGridJourneyTests(BrowserApp browser) : IClassFixture<BrowserApp>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        // 60 keys, "Key 01" oldest; every tenth one revoked.
        var keys = browser.Services.GetRequiredService<ApiKeyService>();
        var account = (await browser.Services.GetRequiredService<BizKeys.Core.Accounts.AccountService>().FindByNameAsync(TestData.AccountName))!;
        if ((await keys.QueryAsync(new KeyQuery(account.Id), Actor.CommandLine)).TotalCount > 0)
            return;
        for (var i = 1; i <= 60; i++)
        {
            var issued = await keys.CreateAsync(new CreateKeyRequest
            {
                AccountId = account.Id, Name = $"Key {i:00}", Environment = i % 3 == 0 ? "Staging" : "Production",
                Permissions = ["messages:send"],
            }, Actor.CommandLine);
            if (i % 10 == 0)
                await keys.RevokeAsync(account.Id, issued.Key.Key, Actor.CommandLine);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Paging_shows_25_keys_at_a_time_newest_first_revoked_ones_on_request()
    {
        var page = await browser.OpenAsync("/settings/api-keys");
        var names = page.GetByTestId("key-name");

        // The 6 revoked keys (10, 20 … 60) are left out until asked for.
        await Expect(names).ToHaveCountAsync(25);
        await Expect(names.First).ToHaveTextAsync("Key 59");
        await Expect(page.Locator(".mud-table-pagination")).ToContainTextAsync("1-25 of 54");
        await BrowserApp.ScreenshotAsync(page, "api-keys-busy");

        await page.GetByRole(AriaRole.Button, new() { Name = "Next page" }).ClickAsync();
        await Expect(names.First).ToHaveTextAsync("Key 32");
        await page.GetByRole(AriaRole.Button, new() { Name = "Last page" }).ClickAsync();
        await Expect(names).ToHaveCountAsync(4);
        await Expect(names.Last).ToHaveTextAsync("Key 01");

        await page.GetByText(new System.Text.RegularExpressions.Regex(@"Show revoked \(\d+ in this account\)")).ClickAsync();
        await Expect(page.Locator(".mud-table-pagination")).ToContainTextAsync("1-25 of 60");
        await Expect(names.First).ToHaveTextAsync("Key 60");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Search_by_name_finds_the_key_and_clearing_it_shows_all_again()
    {
        var page = await browser.OpenAsync("/settings/api-keys");
        await Expect(page.GetByTestId("key-name")).ToHaveCountAsync(25);

        await page.GetByPlaceholder("Search by name or key").FillAsync("key 07");

        await Expect(page.GetByTestId("key-name")).ToHaveTextAsync(["Key 07"]);
        await page.GetByPlaceholder("Search by name or key").FillAsync("no such key");
        await Expect(page.GetByTestId("no-matches")).ToContainTextAsync("No keys match these filters");
        await page.GetByRole(AriaRole.Button, new() { Name = "Clear filters" }).ClickAsync();
        await Expect(page.GetByTestId("key-name")).ToHaveCountAsync(25);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Search_by_key_finds_that_key()
    {
        var page = await browser.OpenAsync("/settings/api-keys");
        // The grid shows a key shortened (bk_4Fq2…1Wa9x); search takes the whole identifier, as the copy button gives it.
        var key = await page.GetByTestId("key-id").Nth(3).GetAttributeAsync("data-key");
        Assert.Matches(@"^bk_\w{4}…\w{5}$", await page.GetByTestId("key-id").Nth(3).TextContentAsync());

        await page.GetByPlaceholder("Search by name or key").FillAsync(key!);

        await Expect(page.GetByTestId("key-id")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("key-id")).ToHaveAttributeAsync("data-key", key!);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_status_filter_lists_only_revoked_keys()
    {
        var page = await browser.OpenAsync("/settings/api-keys");
        await Expect(page.GetByTestId("key-name")).ToHaveCountAsync(25);

        await ChooseAsync(page, "Status", "Revoked");

        await Expect(page.GetByTestId("key-name")).ToHaveTextAsync(["Key 60", "Key 50", "Key 40", "Key 30", "Key 20", "Key 10"]);
        await Expect(page.GetByTestId("status")).ToHaveTextAsync(Enumerable.Repeat("Revoked", 6).ToArray());
        await ChooseAsync(page, "Environment", "Staging");
        await Expect(page.GetByTestId("key-name")).ToHaveTextAsync(["Key 60", "Key 30"]);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_column_chooser_shows_hidden_columns()
    {
        var page = await browser.OpenAsync("/settings/api-keys");
        var headers = page.Locator(".keys-grid thead th");
        await Expect(headers.Filter(new() { HasText = "Created" })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "Choose columns" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitemcheckbox, new() { Name = "Created" }).ClickAsync();
        await Expect(headers.Filter(new() { HasText = "Created" })).ToHaveCountAsync(1);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task On_a_768px_tablet_the_owner_adds_finds_and_revokes_a_key_without_sideways_scrolling()
    {
        // An account of its own: this journey's key must not change what the other tests count.
        await browser.Services.CreateUserAsync("tablet@example.com", "Owner", "Tablet Co");
        var account = (await browser.Services.GetRequiredService<AccountService>().FindByNameAsync("Tablet Co"))!;
        var keys = browser.Services.GetRequiredService<ApiKeyService>();
        for (var i = 1; i <= 3; i++)
            await keys.CreateAsync(new CreateKeyRequest { AccountId = account.Id, Name = $"Tablet {i}", Environment = "Production" }, Actor.CommandLine);
        var page = await browser.OpenAsync("/settings/api-keys", "tablet@example.com", width: 768);
        await Expect(page.GetByTestId("key-name")).ToHaveCountAsync(3);
        // The columns that decide what to do stay; Environment and Expires step aside below the medium breakpoint.
        var headers = page.Locator(".keys-grid thead th:visible");
        await Expect(headers.Filter(new() { HasText = "Environment" })).ToHaveCountAsync(0);
        await Expect(headers.Filter(new() { HasText = "Status" })).ToHaveCountAsync(1);
        await Expect(headers.Filter(new() { HasText = "Last used" })).ToHaveCountAsync(1);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways at 768 px");
        await BrowserApp.ScreenshotAsync(page, "api-keys-768");

        await page.GetByTestId("add-key").ClickAsync();
        var dialog = page.Locator(".mud-dialog");
        var box = (await dialog.BoundingBoxAsync())!;
        Assert.True(box.X >= 0 && box.X + box.Width <= 768, $"the dialog overflows the window: {box.X} + {box.Width}");
        await dialog.Locator("input").First.FillAsync("Tablet key");
        await BrowserApp.ScreenshotAsync(page, "add-dialog-768");
        await page.GetByTestId("submit").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy the API secret" }).ClickAsync();
        await page.GetByTestId("secret-done").ClickAsync();

        await page.GetByPlaceholder("Search by name or key").FillAsync("Tablet key");
        await Expect(page.GetByTestId("key-name")).ToHaveTextAsync(["Tablet key"]);
        await page.GetByRole(AriaRole.Button, new() { Name = "More actions for Tablet key" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Revoke Tablet key" }).ClickAsync();
        await page.GetByTestId("confirm-revoke").ClickAsync();
        await Expect(page.GetByTestId("no-matches")).ToBeVisibleAsync(); // revoked: out of the list
        await page.Context.CloseAsync();
    }

    private static async Task ChooseAsync(IPage page, string label, string option)
    {
        await page.GetByRole(AriaRole.Combobox, new() { Name = label }).ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = option }).First.ClickAsync();
    }
}
