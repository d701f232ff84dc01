using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

using BizKeys.Tests.Support;

namespace BizKeys.Tests.Browser;

/// <summary>Every page and dialog works under the strict Content-Security-Policy: Chromium reports no refusal.</summary>
[Trait("Category", "Browser")]
public class ContentSecurityPolicyTests(BrowserApp browser) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task Every_page_and_dialog_runs_without_a_single_policy_violation()
    {
        var account = await browser.Services.GetRequiredService<BizKeys.Core.Accounts.AccountService>().FindByNameAsync(TestData.AccountName);
        var issued = await browser.Services.GetRequiredService<ApiKeyService>().CreateAsync(new CreateKeyRequest
        {
            AccountId = account!.Id, Name = "Policy bot", Environment = "Production", Permissions = ["messages:send"],
        }, Actor.CommandLine);
        await browser.Services.CreateUserAsync("support@bizkeys.example", "Support");

        var signedOut = await browser.OpenSignedOutAsync();
        await signedOut.GotoAsync("/login");
        await signedOut.GotoAsync("/setup");
        await signedOut.GotoAsync("/Error");

        var page = await browser.OpenAsync("/settings/api-keys");
        await page.GetByTestId("add-key").ClickAsync();
        await Expect(page.Locator(".mud-dialog")).ToContainTextAsync("Add New API Key");
        await page.Keyboard.PressAsync("Escape");
        foreach (var path in new[] { $"/settings/api-keys/{issued.Key.Key}", "/settings/members", "/settings/audit-log", "/no/such/page" })
            await BrowserApp.GoToAsync(page, path);

        var support = await browser.OpenAsync("/support/accounts", "support@bizkeys.example");
        await BrowserApp.GoToAsync(support, "/support/usage");
        await page.WaitForTimeoutAsync(500); // late console messages of the last page

        Assert.Empty(browser.CspViolations);
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
