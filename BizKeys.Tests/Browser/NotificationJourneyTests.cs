using BizKeys.Core;
using BizKeys.Core.Accounts;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Notifications;
using BizKeys.Tests.Notifications;
using BizKeys.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace BizKeys.Tests.Browser;

/// <summary>A BizKeys whose webhooks may reach loopback, where the tests' receiver listens.</summary>
public sealed class WebhookBrowserApp() : BrowserApp(withOwner: true, new Dictionary<string, string?> { ["BizKeys:Webhooks:AllowPrivateNetworks"] = "true" });

[Trait("Category", "Browser")]
public class NotificationJourneyTests(WebhookBrowserApp browser) : IClassFixture<WebhookBrowserApp>
{
    [Fact]
    public async Task The_owner_adds_an_endpoint_keeps_its_secret_sends_a_test_and_hears_about_a_revoked_key()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var page = await browser.OpenAsync("/settings/notifications");
        await Expect(page.GetByTestId("no-webhooks")).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, "notifications-empty");

        await page.GetByTestId("add-webhook").ClickAsync();
        var dialog = page.Locator(".mud-dialog");
        await Input(dialog.GetByTestId("webhook-url")).FillAsync("not a url");
        await dialog.GetByTestId("submit").ClickAsync();
        await Expect(dialog).ToContainTextAsync("Enter the endpoint's full URL");
        await Input(dialog.GetByTestId("webhook-url")).FillAsync(receiver.Url);
        await BrowserApp.ScreenshotAsync(page, "notifications-add");
        await dialog.GetByTestId("submit").ClickAsync();

        var secret = await Input(page.GetByTestId("webhook-secret")).InputValueAsync();
        Assert.StartsWith("whsec_", secret);
        await Expect(page.GetByTestId("secret-done")).ToBeDisabledAsync();
        await page.GetByLabel("I have copied the secret").CheckAsync();
        await page.GetByTestId("secret-done").ClickAsync();
        await Expect(page.GetByTestId("webhook-url")).ToHaveTextAsync(receiver.Url);
        Assert.DoesNotContain(secret, await page.ContentAsync());

        await page.GetByTestId("send-test").ClickAsync();
        await WaitForAsync(() => receiver.Requests.Count == 1);
        var test = Assert.Single(receiver.Requests);
        Assert.Equal(WebhookSigner.Sign(secret, test.Id, long.Parse(test.Timestamp, System.Globalization.CultureInfo.InvariantCulture), test.Body), test.Signature);
        Assert.Contains("\"type\":\"webhook.test\"", test.Body);

        var account = (await browser.Services.GetRequiredService<AccountService>().FindByNameAsync(TestData.AccountName))!;
        var keys = browser.Services.GetRequiredService<ApiKeyService>();
        var issued = await keys.CreateAsync(new CreateKeyRequest { AccountId = account.Id, Name = "Told about", Environment = "Production" }, Actor.CommandLine);
        await keys.RevokeAsync(account.Id, issued.Key.Key, Actor.CommandLine);
        await WaitForAsync(() => receiver.Requests.Count == 2);
        Assert.Contains(receiver.Requests, r => r.Body.Contains("\"type\":\"key.revoked\"") && r.Body.Contains(issued.Key.Key));

        await page.GetByTestId("webhook").GetByText("Deliveries", new() { Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("deliveries")).ToContainTextAsync("key.revoked");
        await Expect(page.GetByTestId("deliveries")).ToContainTextAsync("Delivered");
        await BrowserApp.ScreenshotAsync(page, "notifications");
        Assert.DoesNotContain(secret, await page.ContentAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_owner_adds_a_team_address_and_both_hear_about_a_revoked_key_by_email()
    {
        var page = await browser.OpenAsync("/settings/notifications");
        await Expect(page.GetByTestId("email-settings")).ToContainTextAsync($"Email the account's owners ({TestData.OwnerEmail})");
        await Input(page.GetByTestId("new-address")).FillAsync("team@example.com");
        await Input(page.GetByTestId("new-address")).PressAsync("Enter");
        await Expect(page.GetByTestId("extra-recipients")).ToContainTextAsync("team@example.com");
        await page.GetByTestId("save-email").ClickAsync();
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Email settings saved.");

        var account = (await browser.Services.GetRequiredService<AccountService>().FindByNameAsync(TestData.AccountName))!;
        var keys = browser.Services.GetRequiredService<ApiKeyService>();
        var issued = await keys.CreateAsync(new CreateKeyRequest { AccountId = account.Id, Name = "Mailed about", Environment = "Production" }, Actor.CommandLine);
        await keys.RevokeAsync(account.Id, issued.Key.Key, Actor.CommandLine);

        List<MimeKit.MimeMessage> Mailed() => !Directory.Exists(browser.App.MailDirectory) ? [] :
            [.. Directory.GetFiles(browser.App.MailDirectory, "*.eml").Select(f => MimeKit.MimeMessage.Load(f)).Where(m => m.Subject == "Key “Mailed about” was revoked")];
        for (var i = 0; i < 100 && Mailed().Count < 2; i++)
            await Task.Delay(100);
        Assert.Equal(["owner@example.com", "team@example.com"], Mailed().Select(m => m.To.Mailboxes.Single().Address).Order());

        await page.GetByText("Emails sent", new() { Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("mails")).ToContainTextAsync("Key “Mailed about” was revoked");
        await Expect(page.GetByTestId("mails")).ToContainTextAsync("Sent");
        await BrowserApp.ScreenshotAsync(page, "notifications-email");
        await page.Context.CloseAsync();
    }

    private static ILocator Input(ILocator element) => element.Locator("xpath=self::input | .//input").First;

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
            await Task.Delay(100);
        Assert.True(condition(), "the webhook did not arrive within 10 seconds");
    }
}
