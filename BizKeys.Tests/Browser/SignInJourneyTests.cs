using System.Text.RegularExpressions;
using BizKeys.Core.Accounts;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Audit;
using BizKeys.Core.Members;
using BizKeys.Core.Users;
using BizKeys.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

using BizKeys.Tests.Support;

namespace BizKeys.Tests.Browser;

/// <summary>Getting in, getting out, and what each role sees, in real Chromium.</summary>
[Trait("Category", "Browser")]
public class SignInJourneyTests(BrowserApp browser) : IClassFixture<BrowserApp>
{
    private UserDirectory Users => browser.Services.GetRequiredService<UserDirectory>();

    [Fact]
    public async Task Owner_signs_in_and_out()
    {
        var page = await browser.OpenSignedOutAsync();
        await page.GotoAsync("/settings/api-keys");
        await Expect(page).ToHaveURLAsync(new Regex("/login\\?"));
        await BrowserApp.ScreenshotAsync(page, "login");

        await page.GetByLabel("Email").FillAsync(TestData.OwnerEmail);
        await page.GetByLabel("Password").FillAsync(TestData.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/settings/api-keys$"));
        await Expect(page.GetByTestId("interactive")).ToBeAttachedAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API Keys", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("current-account")).ToContainTextAsync(TestData.AccountName);

        await page.GetByRole(AriaRole.Button, new() { Name = "User menu" }).ClickAsync();
        await Expect(page.GetByTestId("signed-in-as")).ToHaveTextAsync(TestData.OwnerEmail);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/login$"));
        await page.GotoAsync("/settings/api-keys");
        await Expect(page).ToHaveURLAsync(new Regex("/login\\?"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_wrong_password_is_explained_and_repeated_failures_lock_the_sign_in()
    {
        await browser.Services.CreateUserAsync("forgetful@example.com", "Member");
        var page = await browser.OpenSignedOutAsync();

        await BrowserApp.SignInAsync(page, "forgetful@example.com", "not my password");
        await Expect(page.GetByTestId("login-error")).ToHaveTextAsync("The email or password is not right.");
        await Expect(page.GetByLabel("Email")).ToHaveValueAsync("forgetful@example.com");
        await BrowserApp.ScreenshotAsync(page, "login-error");

        for (var i = 0; i < 4; i++)
            await BrowserApp.SignInAsync(page, "forgetful@example.com", "still wrong " + i);
        await BrowserApp.SignInAsync(page, "forgetful@example.com", TestData.Password);

        await Expect(page.GetByTestId("login-error")).ToHaveTextAsync("Too many failed attempts. This sign-in is locked for 15 minutes.");
        await Expect(page).ToHaveURLAsync(new Regex("/login"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_member_sees_the_keys_but_no_way_to_change_them()
    {
        await browser.Services.CreateUserAsync("viewer@example.com", "Member");
        var account = (await browser.Services.GetRequiredService<AccountService>().FindByNameAsync(TestData.AccountName))!;
        await browser.Services.GetRequiredService<ApiKeyService>().CreateAsync(
            new CreateKeyRequest { AccountId = account.Id, Name = "Visible bot", Environment = "Production" }, Actor.CommandLine);

        var page = await browser.OpenAsync("/settings/api-keys", "viewer@example.com");

        await Expect(page.GetByTestId("read-only")).ToContainTextAsync("Only owners can add, change, rotate or revoke them.");
        await Expect(page.GetByTestId("key-name").First).ToBeVisibleAsync();
        await Expect(page.GetByTestId("add-key")).ToHaveCountAsync(0);
        await Expect(page.GetByText("+Add New API Key")).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Edit" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "More actions" })).ToHaveCountAsync(0); // Rotate and Revoke live there for owners
        await Expect(page.Locator(".keys-grid thead th", new() { HasText = "Actions" })).ToHaveCountAsync(0);
        await BrowserApp.ScreenshotAsync(page, "member-view");

        await BrowserApp.GoToAsync(page, "/settings/members");
        await Expect(page.GetByTestId("member-email").First).ToBeVisibleAsync();
        await Expect(page.GetByTestId("add-member")).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Remove" })).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Support_gives_a_reason_before_seeing_an_accounts_keys_and_never_sees_a_secret()
    {
        await browser.Services.CreateUserAsync("helper@bizkeys.example", "Support");
        var account = (await browser.Services.GetRequiredService<AccountService>().FindByNameAsync(TestData.AccountName))!;
        var issued = await browser.Services.GetRequiredService<ApiKeyService>().CreateAsync(
            new CreateKeyRequest { AccountId = account.Id, Name = "Support checks this", Environment = "Production" }, Actor.CommandLine);

        var page = await browser.OpenAsync("/support/accounts", "helper@bizkeys.example");
        await Expect(page.GetByTestId("support-account-name").First).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, "support-accounts");
        // One search box: the start of a key's identifier finds the key and its account.
        await page.GetByTestId("support-search").Locator("xpath=self::input | .//input").First.FillAsync(issued.Key.Key[..12]);
        await Expect(page.GetByTestId("support-key-name")).ToHaveTextAsync("Support checks this");
        await page.GetByTestId("support-search").Locator("xpath=self::input | .//input").First.FillAsync("");
        await Expect(page.GetByTestId("support-key-hits")).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Row, new() { Name = TestData.AccountName }).GetByRole(AriaRole.Link, new() { Name = "Open" }).ClickAsync();

        var reason = page.GetByTestId("support-reason").Locator("xpath=self::textarea | .//textarea").First;
        await reason.FillAsync("why");
        await page.GetByTestId("open-account").ClickAsync();
        await Expect(page.GetByText("Describe why you need to look")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("support-keys")).ToHaveCountAsync(0);

        await reason.FillAsync("Ticket #4821: customer cannot send messages");
        await page.GetByTestId("open-account").ClickAsync();

        await Expect(page.GetByTestId("key-name").Filter(new() { HasText = "Support checks this" })).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, "support-account");
        var html = await page.ContentAsync();
        Assert.DoesNotContain(issued.Secret, html);
        Assert.DoesNotMatch(Patterns.AnySecret(), html);
        var audit = await browser.Services.GetRequiredService<AuditLog>().QueryAsync(
            new AuditQuery(account.Id) { Action = AuditActions.SupportAccess }, Actor.CommandLine);
        Assert.Contains(audit.Items, e => e.Actor == "helper@bizkeys.example"
            && e.Summary.StartsWith("Reason: Ticket #4821: customer cannot send messages · read access until ", StringComparison.Ordinal));
        await Expect(page.GetByTestId("grant")).ToContainTextAsync("You can read this account until");

        // Each key opens read-only: its details, usage and history, no action and never a secret.
        await page.GetByTestId("key-name").Filter(new() { HasText = "Support checks this" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Support checks this" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("detail-key")).ToHaveTextAsync(issued.Key.Key);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Revoke" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Rotate" })).ToHaveCountAsync(0);
        Assert.DoesNotMatch(Patterns.AnySecret(), await page.ContentAsync());

        // The platform-wide view says what it counted and how recent that is.
        await BrowserApp.GoToAsync(page, "/support/usage");
        await Expect(page.GetByTestId("usage-totals")).ToContainTextAsync("0 successful and 0 failed requests across every account · as of");
        await Expect(page.GetByTestId("top-keys")).ToContainTextAsync("No traffic in this period.");
        await page.GetByText("30 days", new() { Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("failure-spikes")).ToContainTextAsync("No key fails often in this period.");

        // What support did is on record: the search, the opening with its reason, the platform-wide views.
        await BrowserApp.GoToAsync(page, "/support/log");
        var log = page.GetByTestId("support-log");
        await Expect(log).ToContainTextAsync("Searched every account");
        await Expect(log).ToContainTextAsync("Reason: Ticket #4821: customer cannot send messages");
        await Expect(log).ToContainTextAsync("Viewed key usage");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Owner_adds_a_member_who_can_then_sign_in()
    {
        var page = await browser.OpenAsync("/settings/members");
        await page.GetByTestId("add-member").ClickAsync();
        var dialog = page.Locator(".mud-dialog");
        await dialog.GetByLabel("Email").FillAsync("newcomer@example.com");
        await dialog.GetByLabel("Initial password").FillAsync("short");
        await dialog.GetByTestId("submit").ClickAsync();
        await Expect(dialog).ToContainTextAsync("Passwords must be at least 10 characters.");

        await dialog.GetByLabel("Initial password").FillAsync("a long initial password");
        await dialog.GetByTestId("submit").ClickAsync();

        // Invited, not yet a member: nobody joins an account without accepting.
        await Expect(page.GetByTestId("invited-email").Filter(new() { HasText = "newcomer@example.com" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("member-email").Filter(new() { HasText = "newcomer@example.com" })).ToHaveCountAsync(0);
        await BrowserApp.ScreenshotAsync(page, "members");
        var newcomer = await browser.OpenSignedOutAsync();
        await BrowserApp.SignInAsync(newcomer, "newcomer@example.com", "a long initial password");
        await Expect(newcomer).ToHaveURLAsync(new Regex("/invitations$"));
        await Expect(newcomer.GetByTestId("invitation")).ToContainTextAsync(TestData.AccountName);
        await Expect(newcomer.GetByTestId("interactive")).ToBeAttachedAsync();
        await BrowserApp.ScreenshotAsync(newcomer, "invitation");
        await newcomer.GetByTestId("accept").ClickAsync();
        await Expect(newcomer).ToHaveURLAsync(new Regex("/settings/api-keys$"));
        await page.ReloadAsync();
        await Expect(page.GetByTestId("member-email").Filter(new() { HasText = "newcomer@example.com" })).ToBeVisibleAsync();
        await newcomer.Context.CloseAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_person_in_two_accounts_switches_between_them_in_the_app_bar()
    {
        var users = Users;
        await browser.Services.CreateUserAsync("agency@example.com", "Owner", "Agency Clients");
        var agency = (await browser.Services.GetRequiredService<AccountService>().FindByNameAsync("Agency Clients"))!;
        var home = (await browser.Services.GetRequiredService<AccountService>().FindByNameAsync(TestData.AccountName))!;
        var agencyUser = (await users.FindByEmailAsync("agency@example.com"))!;
        var members = browser.Services.GetRequiredService<MemberService>();
        await members.InviteAsync(home.Id, "agency@example.com", TestData.Password, AccountRole.Member, Actor.CommandLine);
        var agencyActor = Actor.User(agencyUser.Id, "agency@example.com", false, null);
        await members.AnswerAsync((await members.ForUserAsync(agencyActor)).Single().Id, accept: true, agencyActor);
        var keys = browser.Services.GetRequiredService<ApiKeyService>();
        await keys.CreateAsync(new CreateKeyRequest { AccountId = agency.Id, Name = "Agency only bot", Environment = "Production" }, Actor.CommandLine);
        await keys.CreateAsync(new CreateKeyRequest { AccountId = home.Id, Name = "Home only bot", Environment = "Production" }, Actor.CommandLine);

        var page = await browser.OpenAsync("/settings/api-keys", "agency@example.com");
        await Expect(page.GetByTestId("current-account")).ToContainTextAsync("Agency Clients");
        await Expect(page.GetByTestId("key-name").Filter(new() { HasText = "Agency only bot" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("add-key")).ToBeVisibleAsync();

        await page.GetByTestId("current-account").ClickAsync();
        await page.Locator(".mud-popover-open").GetByText(TestData.AccountName).ClickAsync();
        await Expect(page.GetByTestId("interactive")).ToBeAttachedAsync();

        await Expect(page.GetByTestId("current-account")).ToContainTextAsync(TestData.AccountName);
        await Expect(page.GetByTestId("key-name").Filter(new() { HasText = "Home only bot" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("key-name").Filter(new() { HasText = "Agency only bot" })).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("read-only")).ToBeVisibleAsync();
        Assert.Equal(home.Id, (await users.FindByEmailAsync("agency@example.com"))!.LastAccountId);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Someone_removed_while_the_page_is_open_is_told_so_and_sees_nothing_more()
    {
        await browser.Services.CreateUserAsync("leaver@example.com", "Member");
        var page = await browser.OpenAsync("/settings/api-keys", "leaver@example.com");
        await Expect(page.GetByTestId("read-only")).ToBeVisibleAsync();
        var account = (await browser.Services.GetRequiredService<AccountService>().FindByNameAsync(TestData.AccountName))!;
        var leaver = (await Users.FindByEmailAsync("leaver@example.com"))!;

        await browser.Services.GetRequiredService<MemberService>().RemoveAsync(account.Id, leaver.Id, Actor.CommandLine);
        await page.GetByPlaceholder("Search by name or key").FillAsync("anything");

        await Expect(page.GetByTestId("page-error")).ToContainTextAsync("You no longer have access to this account.");
        await Expect(page.GetByTestId("key-name")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }
}
