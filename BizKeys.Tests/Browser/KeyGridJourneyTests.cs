using BizKeys.Admin.Hosting;
using BizKeys.Core;
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
    public async Task Paging_shows_25_keys_at_a_time_newest_first()
    {
        var page = await browser.OpenAsync("/settings/api-keys");
        var names = page.GetByTestId("key-name");

        await Expect(names).ToHaveCountAsync(25);
        await Expect(names.First).ToHaveTextAsync("Key 60");
        await Expect(page.Locator(".mud-table-pagination")).ToContainTextAsync("1-25 of 60");
        await BrowserApp.ScreenshotAsync(page, "api-keys-busy");

        await page.GetByRole(AriaRole.Button, new() { Name = "Next page" }).ClickAsync();
        await Expect(names.First).ToHaveTextAsync("Key 35");
        await page.GetByRole(AriaRole.Button, new() { Name = "Last page" }).ClickAsync();
        await Expect(names).ToHaveCountAsync(10);
        await Expect(names.Last).ToHaveTextAsync("Key 01");
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
        var key = await page.GetByTestId("key-id").Nth(3).TextContentAsync();

        await page.GetByPlaceholder("Search by name or key").FillAsync(key!);

        await Expect(page.GetByTestId("key-id")).ToHaveTextAsync([key!]);
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

    private static async Task ChooseAsync(IPage page, string label, string option)
    {
        await page.GetByRole(AriaRole.Combobox, new() { Name = label }).ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = option }).First.ClickAsync();
    }
}
