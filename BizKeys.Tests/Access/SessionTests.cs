using System.Net;
using BizKeys.Tests.Support;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.Time.Testing;

namespace BizKeys.Tests.Access;

/// <summary>A session ends when the person signs out, everywhere, and after 12 hours however busy it is.</summary>
public class SessionTests
{
    private static (HttpClient Client, CookieContainer Cookies) Browser(AppFactory app)
    {
        var cookies = new CookieContainer();
        var client = app.CreateDefaultClient(new RedirectNever(), new CookieContainerHandler(cookies));
        return (client, cookies);
    }

    /// <summary>Keeps redirects visible to the test.</summary>
    private sealed class RedirectNever : DelegatingHandler
    {
    }

    private static async Task SignInAsync(HttpClient client)
    {
        var response = await HttpSignIn.SignInAsync(client, TestData.OwnerEmail, TestData.Password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    private static HttpRequestMessage WithCookie(string path, string cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        return request;
    }

    /// <summary>
    /// The sign-out form lives in the user menu, which renders only in the browser; this hands the test the same
    /// antiforgery token the menu's form carries, for the signed-in person.
    /// </summary>
    private sealed class AntiforgeryTokenForTests : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Map("/test/antiforgery", branch => branch.Run(async context =>
            {
                var signedIn = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
                if (signedIn.Principal is { } principal)
                    context.User = principal;
                var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
                await context.Response.WriteAsync(tokens.RequestToken!);
            }));
            next(app);
        };
    }

    [Fact]
    public async Task Signing_out_ends_the_session_for_a_copied_cookie_too()
    {
        await using var app = new AppFactory(services: s => s.AddSingleton<IStartupFilter, AntiforgeryTokenForTests>());
        var (browser, cookies) = Browser(app);
        await SignInAsync(browser);
        var copied = cookies.GetCookieHeader(new Uri("http://localhost/"));
        using var thief = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        Assert.Equal(HttpStatusCode.OK, (await thief.SendAsync(WithCookie("/settings/members", copied))).StatusCode);

        var token = await browser.GetStringAsync("/test/antiforgery");
        var signOut = await browser.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        var replayed = await thief.SendAsync(WithCookie("/settings/members", copied));
        Assert.Equal(HttpStatusCode.Redirect, replayed.StatusCode);
        Assert.StartsWith("http://localhost/login", replayed.Headers.Location!.ToString());
    }

    [Fact]
    public async Task A_session_in_constant_use_still_ends_twelve_hours_after_signing_in()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = new AppFactory(time: time);
        var (browser, _) = Browser(app);
        await SignInAsync(browser);

        foreach (var hours in new[] { 5, 5 })
        {
            time.Advance(TimeSpan.FromHours(hours));
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/settings/members")).StatusCode);
        }
        time.Advance(TimeSpan.FromHours(2.5));
        var expired = await browser.GetAsync("/settings/members");

        Assert.Equal(HttpStatusCode.Redirect, expired.StatusCode);
        Assert.StartsWith("http://localhost/login", expired.Headers.Location!.ToString());
    }

    private static async Task<HttpResponseMessage> ChangePasswordAsync(HttpClient client, string current, string next, string confirm)
    {
        var form = await client.GetStringAsync("/account/password");
        var token = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value);
        return await client.PostAsync("/account/password", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["_handler"] = "password",
            ["Input.Current"] = current, ["Input.New"] = next, ["Input.Confirm"] = confirm,
        }));
    }

    [Fact]
    public async Task Changing_the_password_keeps_this_browser_signed_in_and_signs_out_every_other()
    {
        await using var app = new AppFactory();
        var (here, _) = Browser(app);
        var (elsewhere, _) = Browser(app);
        await SignInAsync(here);
        await SignInAsync(elsewhere);

        var wrong = await ChangePasswordAsync(here, "not my password", "a brand new passphrase", "a brand new passphrase");
        Assert.Contains("The current password is not right.", await wrong.Content.ReadAsStringAsync());
        var changed = await ChangePasswordAsync(here, TestData.Password, "a brand new passphrase", "a brand new passphrase");

        Assert.Contains("Your password is changed.", await changed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await here.GetAsync("/settings/members")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await elsewhere.GetAsync("/settings/members")).StatusCode);
        var (fresh, _) = Browser(app);
        Assert.Equal(HttpStatusCode.Redirect, (await HttpSignIn.SignInAsync(fresh, TestData.OwnerEmail, "a brand new passphrase")).StatusCode);
    }
}
