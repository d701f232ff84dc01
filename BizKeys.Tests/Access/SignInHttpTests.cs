using System.Net;
using BizKeys.Core;
using BizKeys.Core.Audit;
using BizKeys.Core.Users;
using BizKeys.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Access;

/// <summary>Getting in over HTTP, as a browser does it: sign-in, lockout, setup, and what each role reaches.</summary>
public class SignInHttpTests
{
    [Fact]
    public async Task Signed_out_nothing_is_reachable_but_sign_in_health_and_static_assets()
    {
        await using var app = new AppFactory();
        using var client = HttpSignIn.Client(app);

        foreach (var path in new[] { "/settings/api-keys", "/settings/members", "/settings/audit-log", "/support/accounts",
                     "/support/usage", "/settings/api-keys/bk_000000000000000000000000", "/settings/audit-log/export.csv" })
        {
            var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{path} answered {(int)response.StatusCode}");
            Assert.StartsWith("http://localhost/login", response.Headers.Location!.ToString());
        }
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/login")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/app.css")).StatusCode);
        Assert.Contains("The first owner exists already.", await client.GetStringAsync("/setup")); // closed: an owner exists
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_the_same_words_as_an_unknown_email_and_is_audited()
    {
        await using var app = new AppFactory();
        using var client = HttpSignIn.Client(app);

        var wrongPassword = await HttpSignIn.SignInAsync(client, TestData.OwnerEmail, "not the password");
        var unknownEmail = await HttpSignIn.SignInAsync(client, "nobody@example.com", "not the password");

        Assert.Equal(HttpStatusCode.OK, wrongPassword.StatusCode);
        Assert.Contains("The email or password is not right.", await wrongPassword.Content.ReadAsStringAsync());
        Assert.Contains("The email or password is not right.", await unknownEmail.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/settings/api-keys")).StatusCode);
        var (account, owner) = await app.OwnerAsync();
        var failures = (await app.Services.GetRequiredService<AuditLog>().QueryAsync(
            new AuditQuery(account.Id) { Action = AuditActions.SignInFailed }, owner)).Items;
        var failure = Assert.Single(failures);
        Assert.Equal(TestData.OwnerEmail, failure.Target);
        Assert.Equal("Wrong email or password", failure.Summary);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_sign_in_even_for_the_right_password()
    {
        await using var app = new AppFactory();
        using var client = HttpSignIn.Client(app);

        for (var i = 0; i < 5; i++)
            await HttpSignIn.SignInAsync(client, TestData.OwnerEmail, "guess " + i);
        var right = await HttpSignIn.SignInAsync(client, TestData.OwnerEmail, TestData.Password);

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("Too many failed attempts. This sign-in is locked for 15 minutes.", await right.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/settings/api-keys")).StatusCode);
    }

    [Fact]
    public async Task The_sign_in_cookie_is_http_only_and_same_site_strict()
    {
        await using var app = new AppFactory();
        using var client = HttpSignIn.Client(app);

        var response = await HttpSignIn.SignInAsync(client, TestData.OwnerEmail, TestData.Password);

        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("BizKeys.SignIn=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("http://localhost/settings/api-keys", response.Headers.Location?.ToString());
        var again = await client.GetAsync("/login");
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode); // already signed in: straight on to the keys
        Assert.Equal("http://localhost/settings/api-keys", again.Headers.Location?.ToString());
    }

    [Fact]
    public async Task A_sign_in_link_cannot_send_people_to_another_site()
    {
        await using var app = new AppFactory();
        using var client = HttpSignIn.Client(app);
        var form = await client.GetStringAsync("/login?returnUrl=https://evil.example/phish");
        var token = Patterns.FormTokenIn(form);

        var response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["_handler"] = "login",
            ["Input.Email"] = TestData.OwnerEmail, ["Input.Password"] = TestData.Password, ["Input.ReturnUrl"] = "//evil.example/phish",
        }));

        Assert.Equal("http://localhost/settings/api-keys", response.Headers.Location?.ToString());
    }

    [Theory]
    [InlineData("owner", "/settings/api-keys", HttpStatusCode.OK)]
    [InlineData("owner", "/settings/members", HttpStatusCode.OK)]
    [InlineData("owner", "/support/accounts", HttpStatusCode.Redirect)]
    [InlineData("member", "/settings/api-keys", HttpStatusCode.OK)]
    [InlineData("member", "/settings/audit-log", HttpStatusCode.OK)]
    [InlineData("member", "/support/usage", HttpStatusCode.Redirect)]
    [InlineData("support", "/support/accounts", HttpStatusCode.OK)]
    [InlineData("support", "/support/usage", HttpStatusCode.OK)]
    public async Task Each_role_reaches_its_own_pages(string who, string path, HttpStatusCode expected)
    {
        await using var app = new AppFactory();
        var users = app.Services;
        await users.CreateUserAsync("member@example.com", "Member");
        await users.CreateUserAsync("support@bizkeys.example", "Support");
        var email = who switch { "owner" => TestData.OwnerEmail, "member" => "member@example.com", _ => "support@bizkeys.example" };
        using var client = await HttpSignIn.SignedInClientAsync(app, email);

        var response = await client.GetAsync(path);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Redirect)
            Assert.StartsWith("http://localhost/access-denied", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task The_audit_export_holds_only_the_signed_in_persons_account()
    {
        await using var app = new AppFactory();
        var (account, owner) = await app.OwnerAsync();
        var keys = app.Services.GetRequiredService<BizKeys.Core.ApiKeys.ApiKeyService>();
        await keys.CreateAsync(new BizKeys.Core.ApiKeys.CreateKeyRequest { AccountId = account.Id, Name = "Mine", Environment = "Production" }, owner);
        await app.Services.CreateUserAsync("owner@other.example", "Owner", "Other Business");

        using var mine = await HttpSignIn.SignedInClientAsync(app, TestData.OwnerEmail);
        using var theirs = await HttpSignIn.SignedInClientAsync(app, "owner@other.example");
        var myCsv = await mine.GetAsync("/settings/audit-log/export.csv");
        var theirCsv = await (await theirs.GetAsync("/settings/audit-log/export.csv")).Content.ReadAsStringAsync();

        Assert.Equal("text/csv", myCsv.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Name: Mine", await myCsv.Content.ReadAsStringAsync());
        Assert.DoesNotContain("Name: Mine", theirCsv);
        Assert.Contains("Account \"\"Other Business\"\" created", theirCsv);
    }

    [Fact]
    public async Task Support_exports_key_traffic_as_csv_and_nobody_else_can()
    {
        await using var app = new AppFactory();
        var (account, _) = await app.OwnerAsync();
        var issued = await app.Services.GetRequiredService<BizKeys.Core.ApiKeys.ApiKeyService>().CreateAsync(
            new BizKeys.Core.ApiKeys.CreateKeyRequest { AccountId = account.Id, Name = "Busy, \"quoted\" bot", Environment = "Production" }, Actor.CommandLine);
        using (var caller = app.CreateClient())
        {
            for (var i = 0; i < 4; i++)
                await caller.SendAsync(BizKeys.Tests.Api.ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, issued.Secret));
        }
        await app.Services.GetRequiredService<BizKeys.Core.Usage.UsageFlusher>().FlushAsync();
        await app.Services.CreateUserAsync("support@bizkeys.example", "Support");

        using var support = await HttpSignIn.SignedInClientAsync(app, "support@bizkeys.example");
        using var owner = await HttpSignIn.SignedInClientAsync(app, TestData.OwnerEmail);
        var csv = await support.GetStringAsync("/support/usage/export.csv?hours=24");
        var refused = await owner.GetAsync("/support/usage/export.csv");

        Assert.StartsWith("account,key_name,key,requests,successful,failed,failure_rate", csv);
        Assert.Contains($"My Business,\"Busy, \"\"quoted\"\" bot\",{issued.Key.Key},4,4,0,0", csv);
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.StartsWith("http://localhost/access-denied", refused.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Setup_creates_the_first_owner_signs_them_in_and_then_closes()
    {
        await using var app = new AppFactory(withOwner: false);
        using var client = HttpSignIn.Client(app);
        Assert.Equal("/setup", (await client.GetAsync("/")).Headers.Location?.ToString());
        var form = await client.GetStringAsync("/setup");
        var token = Patterns.FormTokenIn(form);
        Dictionary<string, string> Fields(string password, string confirm, string email = "founder@acme.example") => new()
        {
            ["__RequestVerificationToken"] = token, ["_handler"] = "setup",
            ["Input.AccountName"] = "Acme Ltd", ["Input.Email"] = email,
            ["Input.Password"] = password, ["Input.ConfirmPassword"] = confirm,
        };

        var mismatch = await client.PostAsync("/setup", new FormUrlEncodedContent(Fields("correct horse battery", "correct horse")));
        var tooShort = await client.PostAsync("/setup", new FormUrlEncodedContent(Fields("short", "short")));
        Assert.Contains("The two passwords differ.", await mismatch.Content.ReadAsStringAsync());
        Assert.Contains("Passwords must be at least 10 characters.", await tooShort.Content.ReadAsStringAsync());
        Assert.False(await app.Services.GetRequiredService<UserDirectory>().AnyUserAsync());

        var created = await client.PostAsync("/setup", new FormUrlEncodedContent(Fields("correct horse battery", "correct horse battery")));

        Assert.Equal("http://localhost/settings/api-keys", created.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/settings/api-keys")).StatusCode);
        Assert.Contains("The first owner exists already.", await client.GetStringAsync("/setup"));
        var again = await client.PostAsync("/setup", new FormUrlEncodedContent(Fields("another password!", "another password!", "second@acme.example")));
        Assert.NotEqual(HttpStatusCode.Redirect, again.StatusCode);
        Assert.Null(await app.Services.GetRequiredService<UserDirectory>().FindByEmailAsync("second@acme.example"));
        var account = await app.Services.GetRequiredService<BizKeys.Core.Accounts.AccountService>().FindByNameAsync("Acme Ltd");
        Assert.NotNull(account);
    }

    [Theory]
    [InlineData("not-an-email", "correct horse battery", "BizKeys__Bootstrap__OwnerEmail: Enter a valid email address")]
    [InlineData("owner@example.com", "short", "BizKeys__Bootstrap__OwnerPassword: Passwords must be at least 10 characters.")]
    [InlineData("owner@example.com", "", "Set both BizKeys__Bootstrap__OwnerEmail and BizKeys__Bootstrap__OwnerPassword")]
    public void A_bad_bootstrap_owner_stops_the_start_with_a_message_and_creates_nothing(string email, string password, string message)
    {
        using var app = new AppFactory(withOwner: false).WithWebHostBuilder(b =>
        {
            b.UseSetting("BizKeys:Bootstrap:OwnerEmail", email);
            b.UseSetting("BizKeys:Bootstrap:OwnerPassword", password);
        });

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains(message, error.ToString());
    }
}
