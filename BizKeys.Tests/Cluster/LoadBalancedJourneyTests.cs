using System.Net;
using BizKeys.Core.Data;
using BizKeys.Tests.Api;
using BizKeys.Tests.Browser;
using BizKeys.Tests.Support;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace BizKeys.Tests.Cluster;

/// <summary>
/// A person works through nginx in front of two instances on one PostgreSQL, and the instance serving them stops in
/// the middle of their work: they sign in again at most once and lose nothing that was saved.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class LoadBalancedJourneyTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string?> BehindNginx = new() { ["BizKeys:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1" };

    private static Uri Serve(AppFactory instance)
    {
        instance.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        instance.StartServer();
        return new Uri(instance.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    /// <summary>MudBlazor puts extra attributes on the input itself or on its wrapper.</summary>
    private static ILocator InputOf(ILocator element) => element.Locator("xpath=self::input | .//input").First;

    [Fact]
    public async Task A_person_keeps_working_through_the_load_balancer_when_their_instance_stops()
    {
        if (!File.Exists(BrowserApp.ChromiumPath))
            throw new InvalidOperationException($"This journey needs Debian's Chromium at {BrowserApp.ChromiumPath}: 'apt-get install -y chromium fonts-liberation'.");
        var a = new AppFactory(provider: DatabaseProvider.Postgres, settings: BehindNginx);
        var b = new AppFactory(sharing: a, settings: BehindNginx);
        var instances = new Dictionary<string, AppFactory> { [Serve(a).Authority] = a, [Serve(b).Authority] = b };
        await using var nginx = await Nginx.StartAsync(instances.Keys.Select(k => new Uri($"http://{k}")));
        using var playwright = await Playwright.CreateAsync();
        await using var chromium = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = BrowserApp.ChromiumPath, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"] });
        var context = await chromium.NewContextAsync(new() { BaseURL = nginx.Url, ViewportSize = new() { Width = 1280, Height = 800 } });
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();
        var signIns = 0;
        AppFactory? stopped = null;
        try
        {
            await BrowserApp.SignInAsync(page, TestData.OwnerEmail, TestData.Password);
            signIns++;
            var response = await page.GotoAsync("/settings/api-keys");
            await page.Locator("[data-testid=interactive]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            var serving = instances[(await response!.HeaderValueAsync("x-upstream"))!];

            // Create a key and copy its secret, the one time it is shown.
            await page.GetByTestId("add-key").ClickAsync();
            await page.Locator(".mud-dialog input").First.FillAsync("Behind nginx");
            await page.GetByTestId("submit").ClickAsync();
            var secret = await InputOf(page.GetByTestId("issued-secret")).InputValueAsync();
            var key = await InputOf(page.GetByTestId("issued-key")).InputValueAsync();
            await page.GetByLabel("I have copied the secret").CheckAsync();
            await page.GetByTestId("secret-done").ClickAsync();
            await Expect(page.Locator(".mud-dialog")).ToHaveCountAsync(0);
            using var api = new HttpClient { BaseAddress = new Uri(nginx.Url) };
            Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", key, secret))).StatusCode);

            // The instance serving this person stops; they reload, as the "connection lost" notice asks.
            await serving.StopAsync();
            stopped = serving;
            await page.ReloadAsync();
            if (page.Url.Contains("/login", StringComparison.Ordinal))
            {
                await BrowserApp.SignInAsync(page, TestData.OwnerEmail, TestData.Password);
                signIns++;
                await page.GotoAsync("/settings/api-keys");
            }
            await page.Locator("[data-testid=interactive]").WaitForAsync(new() { State = WaitForSelectorState.Attached });

            // What was saved is there, and the work goes on: revoke the key.
            var row = page.Locator("tr", new() { Has = page.GetByTestId("key-name").Filter(new() { HasText = "Behind nginx" }) });
            await Expect(row).ToHaveCountAsync(1);
            Assert.DoesNotContain(secret, await page.ContentAsync());
            await row.GetByRole(AriaRole.Button, new() { Name = "More actions for Behind nginx" }).ClickAsync();
            await page.GetByRole(AriaRole.Menuitem, new() { Name = "Revoke Behind nginx" }).ClickAsync();
            await page.GetByTestId("confirm-revoke").ClickAsync();
            await Expect(row).ToHaveCountAsync(0); // revoked keys leave the list until asked for
            await page.GetByText(new System.Text.RegularExpressions.Regex(@"Show revoked \(\d+ in this account\)")).ClickAsync();
            await Expect(row.GetByTestId("status")).ToHaveTextAsync("Revoked");
            Assert.Equal(HttpStatusCode.Unauthorized, (await api.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", key, secret))).StatusCode);

            output.WriteLine($"signed in {signIns} time(s); the serving instance stopped mid-journey");
            Assert.InRange(signIns, 1, 2);
        }
        finally
        {
            await context.CloseAsync();
            foreach (var instance in instances.Values.Where(i => i != stopped))
                await instance.DisposeAsync(); // A, when it runs, drops the shared database
            if (stopped is not null)
            {
                if (stopped == a)
                    TestDatabases.Drop(a.Directory, DatabaseProvider.Postgres);
                TempDirectory.Delete(stopped.Directory);
            }
        }
    }
}
