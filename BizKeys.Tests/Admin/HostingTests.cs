using System.Net;
using BizKeys.Core;
using BizKeys.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;

namespace BizKeys.Tests.Admin;

public class HostingTests
{
    [Fact]
    public async Task Health_answers_when_the_database_does_and_pages_carry_security_headers()
    {
        await using var app = new AppFactory();
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var health = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Contains("\"status\":\"Healthy\"", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var root = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal("/settings/api-keys", root.Headers.Location?.ToString());
        var keys = await client.GetAsync("/settings/api-keys");
        Assert.Equal(HttpStatusCode.Redirect, keys.StatusCode);
        Assert.StartsWith("http://localhost/login?ReturnUrl=%2Fsettings%2Fapi-keys", keys.Headers.Location?.ToString());

        var page = await client.GetAsync("/login");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Sign in", await page.Content.ReadAsStringAsync());
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        Assert.True(page.Headers.CacheControl?.NoStore, "key pages must not be cached");
    }

    [Fact]
    public async Task An_unknown_address_gets_the_not_found_page_once_signed_in()
    {
        await using var app = new AppFactory();
        using var anonymous = HttpSignIn.Client(app);
        Assert.Equal(HttpStatusCode.Redirect, (await anonymous.GetAsync("/no/such/page")).StatusCode);

        using var client = await HttpSignIn.SignedInClientAsync(app, TestData.OwnerEmail);
        var response = await client.GetAsync("/no/such/page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Page not found", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("BizKeys:Permissions:0", "Messages Send", "must look like 'area:action'")]
    [InlineData("BizKeys:Bootstrap:AccountName", " ", "BizKeys:Bootstrap:AccountName must not be empty.")]
    [InlineData("BizKeys:Permissions:10", "keys:delete", "BizKeys:Permissions must include 'keys:write'")]
    [InlineData("ConnectionStrings:BizKeys", "", "The connection string 'ConnectionStrings:BizKeys' is missing.")]
    [InlineData("Database:Provider", "Oracle", "Database:Provider 'Oracle' is not supported")]
    [InlineData("BizKeys:PublicUrl", "keys.example.com", "BizKeys:PublicUrl must be an absolute http(s) address")]
    [InlineData("BizKeys:Smtp:From", "not an address", "BizKeys:Smtp:From must be an email address")]
    public void Bad_settings_stop_the_start_with_a_message_naming_the_setting(string key, string value, string message)
    {
        using var app = new AppFactory().WithWebHostBuilder(b => b.UseSetting(key, value));

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains(message, error.ToString());
    }

    [Fact]
    public void Clear_text_mail_is_refused_unless_the_relay_is_on_this_machine()
    {
        using var remote = new AppFactory(settings: new Dictionary<string, string?>
        {
            ["BizKeys:Smtp:Host"] = "smtp.example.com", ["BizKeys:Smtp:Security"] = "None",
        });
        Assert.Contains("BizKeys:Smtp:Security None sends the mail password and password-reset links in clear text", Assert.ThrowsAny<Exception>(() => remote.CreateClient()).ToString());

        using var local = new AppFactory(settings: new Dictionary<string, string?>
        {
            ["BizKeys:Smtp:Host"] = "localhost", ["BizKeys:Smtp:Security"] = "None",
        });
        using var client = local.CreateClient();
    }
}
