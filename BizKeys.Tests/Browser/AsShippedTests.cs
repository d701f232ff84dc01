using System.Net;
using BizKeys.Tests.Support;
using Microsoft.Playwright;

namespace BizKeys.Tests.Browser;

/// <summary>
/// The app as the README's first command runs it: its own process, the Production environment (no launch profile),
/// plain HTTP on localhost. A person can open it and sign in.
/// </summary>
[Trait("Category", "Browser")]
public sealed class AsShippedTests : IDisposable
{
    private readonly string _directory = TempDirectory.Create();

    public void Dispose() => TempDirectory.Delete(_directory);

    [Fact]
    public async Task Over_plain_http_on_localhost_the_pages_load_and_a_person_signs_in()
    {
        await using var app = await AppProcess.StartAsync(_directory);
        var baseUrl = app.BaseUrl.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        using (var client = new HttpClient { BaseAddress = new Uri(baseUrl) })
        {
            foreach (var path in new[] { "/login", "/setup", "/Error", "/healthz" })
                Assert.True((await client.GetAsync(path)).StatusCode == HttpStatusCode.OK, $"{path} did not answer 200");
        }

        using var playwright = await Playwright.CreateAsync();
        await using var chromium = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserApp.ChromiumPath, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage"],
        });
        var page = await (await chromium.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl })).NewPageAsync();
        await BrowserApp.SignInAsync(page, TestData.OwnerEmail, TestData.Password);

        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/settings/api-keys$"));
        await Assertions.Expect(page.GetByTestId("interactive")).ToBeAttachedAsync();
    }
}
