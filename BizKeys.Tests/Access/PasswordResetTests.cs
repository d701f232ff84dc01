using System.Net;
using System.Text.RegularExpressions;
using BizKeys.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;

namespace BizKeys.Tests.Access;

/// <summary>"Forgot password?" as a person uses it: the same answer for every address, a mailed link that works once, nothing secret left behind.</summary>
public partial class PasswordResetTests
{
    private static async Task<HttpResponseMessage> AskAsync(HttpClient client, string email)
    {
        var form = await client.GetStringAsync("/forgot-password");
        return await client.PostAsync("/forgot-password", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Patterns.FormTokenIn(form), ["_handler"] = "forgot", ["Input.Email"] = email,
        }));
    }

    private static async Task<HttpResponseMessage> ResetAsync(HttpClient client, string link, string password, string? confirm = null)
    {
        var page = await client.GetStringAsync(link.Split('#')[0]);
        // As the browser does: the part after "#" stays in the browser, and the page's script puts the token in the form.
        var uri = new Uri("http://x" + link);
        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        var fragment = System.Web.HttpUtility.ParseQueryString(uri.Fragment.TrimStart('#'));
        Assert.Contains("data-from-fragment=\"token\"", page);
        return await client.PostAsync(uri.PathAndQuery, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Patterns.FormTokenIn(page), ["_handler"] = "reset",
            ["Input.Email"] = query["email"]!, ["Input.Token"] = fragment["token"] ?? "", ["Input.New"] = password, ["Input.Confirm"] = confirm ?? password,
        }));
    }

    private static async Task<List<MimeMessage>> MailsAsync(AppFactory app, int expected)
    {
        // The mail is sent in the background, so the page answers as fast for an unknown address.
        for (var i = 0; i < 100 && (Directory.Exists(app.MailDirectory) ? Directory.GetFiles(app.MailDirectory, "*.eml").Length : 0) < expected; i++)
            await Task.Delay(50);
        if (!Directory.Exists(app.MailDirectory))
            return [];
        return [.. Directory.GetFiles(app.MailDirectory, "*.eml").Order().Select(f => MimeMessage.Load(f))];
    }

    [GeneratedRegex(@"/reset-password\?[^\s""<]+")]
    private static partial Regex ResetLink();

    [Fact]
    public async Task With_no_mail_folder_set_mail_is_written_beside_the_database_and_the_start_up_log_says_where()
    {
        var data = TempDirectory.Create();
        var app = new AppFactory(provider: BizKeys.Core.Data.DatabaseProvider.Sqlite, settings: new Dictionary<string, string?>
        {
            ["BizKeys:Smtp:PickupDirectory"] = "",
            ["ConnectionStrings:BizKeys"] = $"Data Source={Path.Combine(data, "elsewhere.db")}",
        });
        try
        {
            using var client = HttpSignIn.Client(app);
            await AskAsync(client, TestData.OwnerEmail);
            var folder = Path.Combine(data, "mail");
            for (var i = 0; i < 100 && (!Directory.Exists(folder) || Directory.GetFiles(folder, "*.eml").Length == 0); i++)
                await Task.Delay(50);
            Assert.Equal("Reset your BizKeys password", MimeMessage.Load(Assert.Single(Directory.GetFiles(folder, "*.eml"))).Subject);
            await app.StopAsync();
            Assert.Contains($".eml files in {folder}", string.Concat(Directory.GetFiles(app.LogDirectory).Select(File.ReadAllText)));
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_reset_link_reaches_only_a_real_address_works_once_and_signs_in_with_the_new_password()
    {
        await using var app = new AppFactory();
        using var client = HttpSignIn.Client(app);

        var known = await (await AskAsync(client, TestData.OwnerEmail)).Content.ReadAsStringAsync();
        var unknown = await (await AskAsync(client, "nobody@example.com")).Content.ReadAsStringAsync();
        Assert.Contains($"If {TestData.OwnerEmail} belongs to someone on BizKeys, a link to choose a new password is on its way.", known);
        Assert.Contains("If nobody@example.com belongs to someone on BizKeys, a link to choose a new password is on its way.", unknown);

        var mail = Assert.Single(await MailsAsync(app, 1));
        Assert.Equal(TestData.OwnerEmail, mail.To.Mailboxes.Single().Address);
        Assert.Equal("Reset your BizKeys password", mail.Subject);
        var link = WebUtility.HtmlDecode(ResetLink().Match(mail.TextBody ?? "").Value);
        Assert.Contains("#token=", link);
        Assert.Contains(ResetLink().Match(mail.HtmlBody ?? "").Value.Replace("&amp;", "&"), link);

        var mismatch = await ResetAsync(client, link, "a brand new password", "something else");
        Assert.Contains("The new password and its confirmation differ.", await mismatch.Content.ReadAsStringAsync());
        var tooShort = await ResetAsync(client, link, "short");
        Assert.Contains("at least 10 characters", await tooShort.Content.ReadAsStringAsync());

        var done = await ResetAsync(client, link, "a brand new password");
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.EndsWith("/login?reset=done", done.Headers.Location!.OriginalString);
        Assert.Contains("Your password is changed. Sign in with the new one.", await client.GetStringAsync("/login?reset=done"));

        Assert.Contains("The email or password is not right.", await (await HttpSignIn.SignInAsync(client, TestData.OwnerEmail, TestData.Password)).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await HttpSignIn.SignInAsync(HttpSignIn.Client(app), TestData.OwnerEmail, "a brand new password")).StatusCode);

        var again = await ResetAsync(HttpSignIn.Client(app), link, "yet another password");
        Assert.Contains("This link has expired or was used already", await again.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_made_up_token_changes_nothing_and_the_token_never_reaches_the_log()
    {
        await using var app = new AppFactory();
        using var client = HttpSignIn.Client(app);
        await AskAsync(client, TestData.OwnerEmail);
        var link = WebUtility.HtmlDecode(ResetLink().Match(Assert.Single(await MailsAsync(app, 1)).TextBody!).Value);
        var token = System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + link).Fragment.TrimStart('#'))["token"]!;

        var forged = await ResetAsync(client, $"/reset-password?email={Uri.EscapeDataString(TestData.OwnerEmail)}#token=forged", "a brand new password");
        Assert.Contains("This link has expired or was used already", await forged.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await HttpSignIn.SignInAsync(HttpSignIn.Client(app), TestData.OwnerEmail, TestData.Password)).StatusCode);

        await ResetAsync(client, link, "a brand new password");
        await app.StopAsync();
        var logs = string.Join("\n", Directory.GetFiles(app.LogDirectory).Select(File.ReadAllText));
        Assert.Contains("/reset-password", logs);
        Assert.DoesNotContain(token, logs);
        Assert.DoesNotContain(Uri.EscapeDataString(token), logs);
    }

    [Fact]
    public async Task One_address_gets_one_reset_mail_in_five_minutes_however_often_it_is_asked()
    {
        await using var app = new AppFactory();
        using var client = HttpSignIn.Client(app);
        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.OK, (await AskAsync(client, TestData.OwnerEmail)).StatusCode);
        await Task.Delay(500);
        Assert.Single(await MailsAsync(app, 1));
    }

    [Fact]
    public void Reset_links_last_an_hour()
    {
        using var app = new AppFactory();
        Assert.Equal(TimeSpan.FromHours(1), app.Services.GetRequiredService<IOptions<DataProtectionTokenProviderOptions>>().Value.TokenLifespan);
    }

    [Fact]
    public async Task The_sign_in_page_offers_forgot_password_and_the_reset_page_without_a_token_says_what_to_do()
    {
        await using var app = new AppFactory();
        using var client = HttpSignIn.Client(app);
        Assert.Contains("href=\"/forgot-password\"", await client.GetStringAsync("/login"));
        Assert.Contains("This link is incomplete.", await client.GetStringAsync("/reset-password"));
        var page = await client.GetStringAsync("/reset-password?email=owner%40example.com");
        var posted = await client.PostAsync("/reset-password?email=owner%40example.com", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Patterns.FormTokenIn(page), ["_handler"] = "reset", ["Input.Email"] = TestData.OwnerEmail,
            ["Input.Token"] = "", ["Input.New"] = "a brand new password", ["Input.Confirm"] = "a brand new password",
        }));
        Assert.Contains("This link is incomplete (its last part is missing)", await posted.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_reset_makes_a_sign_in_an_owner_created_by_invitation_the_persons_own()
    {
        await using var app = new AppFactory();
        var (account, owner) = await app.OwnerAsync();
        var members = app.Services.GetRequiredService<BizKeys.Core.Members.MemberService>();
        await members.InviteAsync(account.Id, new BizKeys.Core.Members.InviteRequest { Email = "new.person@example.com", Password = "chosen by the owner" }, owner);
        using var client = HttpSignIn.Client(app);
        await AskAsync(client, "new.person@example.com");
        var mail = (await MailsAsync(app, 2)).Single(m => m.Subject == "Reset your BizKeys password");
        await ResetAsync(client, WebUtility.HtmlDecode(ResetLink().Match(mail.TextBody ?? "").Value), "my very own password");

        // Cancelling the invitation no longer deletes the sign-in: the person proved the address is theirs.
        await members.CancelInvitationAsync(account.Id, (await members.PendingAsync(account.Id, owner)).Single().Id, owner);
        Assert.Equal(HttpStatusCode.Redirect, (await HttpSignIn.SignInAsync(HttpSignIn.Client(app), "new.person@example.com", "my very own password")).StatusCode);
    }

    [Fact]
    public async Task A_mail_programs_one_click_unsubscribe_needs_the_signed_link_and_nothing_else()
    {
        await using var app = new AppFactory();
        using var client = HttpSignIn.Client(app);
        var refused = await client.PostAsync("/notifications/unsubscribe/one-click?t=made-up", new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }));
        Assert.True(refused.StatusCode == HttpStatusCode.NotFound, await refused.Content.ReadAsStringAsync());
        var (account, _) = await app.OwnerAsync();
        var token = app.Services.GetRequiredService<BizKeys.Core.Notifications.EmailUnsubscribe>().Token(account.Id, "team@example.com");
        var page = await client.GetStringAsync($"/notifications/unsubscribe?t={Uri.EscapeDataString(token)}");
        Assert.Contains("Stop emailing <strong>team@example.com</strong>", page);
        var done = await client.PostAsync($"/notifications/unsubscribe/one-click?t={Uri.EscapeDataString(token)}", new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }));
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
    }
}
