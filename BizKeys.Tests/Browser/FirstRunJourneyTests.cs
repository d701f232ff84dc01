using System.Text.RegularExpressions;
using Microsoft.Playwright;


namespace BizKeys.Tests.Browser;

[Trait("Category", "Browser")]
public class FirstRunJourneyTests(FreshInstallApp browser) : IClassFixture<FreshInstallApp>
{
    [Fact]
    public async Task The_first_visitor_sets_up_the_account_and_its_owner_and_setup_closes()
    {
        var page = await browser.OpenSignedOutAsync();
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new Regex("/setup$"));
        await page.GetByLabel("Account name").FillAsync("Acme Ltd");
        await page.GetByLabel("Email").FillAsync("founder@acme.example");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("correct horse battery");
        await page.GetByLabel("Confirm password").FillAsync("correct horse battery");
        await BrowserApp.ScreenshotAsync(page, "setup");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create owner" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/settings/api-keys$"));
        await Expect(page.GetByTestId("current-account")).ToContainTextAsync("Acme Ltd");
        await Expect(page.GetByTestId("empty-state")).ToBeVisibleAsync();

        var later = await browser.OpenSignedOutAsync();
        await later.GotoAsync("/setup");
        await Expect(later.GetByTestId("setup-closed")).ToBeVisibleAsync();
        await later.Context.CloseAsync();
        await page.Context.CloseAsync();
    }
}
