using System.Net;
using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Tests.Api;
using BizKeys.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Admin;

/// <summary>What the browser is told to enforce, the cookie outside Development, and which proxy is believed.</summary>
public class HeadersAndProxyTests
{
    [Fact]
    public async Task Pages_and_the_api_carry_one_strict_content_security_policy()
    {
        await using var app = new AppFactory(environment: "Production");
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        foreach (var path in new[] { "/login", "/api/v1/me", "/healthz" })
        {
            var response = await client.GetAsync(path);
            var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
            foreach (var directive in new[] { "default-src 'self'", "script-src 'self';", "object-src 'none'", "base-uri 'self'", "frame-ancestors 'none'", "form-action 'self'" })
                Assert.Contains(directive, policy);
            Assert.DoesNotContain("unsafe-eval", policy);
        }
    }

    [Fact]
    public async Task Outside_development_the_sign_in_cookie_is_host_only_and_secure_and_https_gets_hsts()
    {
        await using var app = new AppFactory(environment: "Production");
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://bizkeys.example") });

        var response = await HttpSignIn.SignInAsync(client, TestData.OwnerEmail, TestData.Password);

        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__Host-BizKeys.SignIn=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain=", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("max-age=", response.Headers.GetValues("Strict-Transport-Security").Single());
    }

    private static async Task<HttpStatusCode> MeAsync(AppFactory app, string from, string? forwardedFor)
    {
        var issued = await app.Services.GetRequiredService<ApiKeyService>().CreateAsync(new CreateKeyRequest
        {
            AccountId = (await app.OwnerAsync()).Account.Id, Name = "Office " + Guid.NewGuid().ToString("N")[..6], Environment = "Production",
            IpAllowlist = "203.0.113.0/24",
        }, Actor.CommandLine);
        using var client = app.CreateClient();
        var request = ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, issued.Secret);
        request.Headers.Add(TestClientAddress.Header, from);
        if (forwardedFor is not null)
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        return (await client.SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task Only_a_known_proxy_is_believed_about_the_client_address()
    {
        await using var app = new AppFactory(settings: new Dictionary<string, string?> { ["BizKeys:ForwardedHeaders:KnownProxies:0"] = "10.0.0.1" });

        Assert.Equal(HttpStatusCode.OK, await MeAsync(app, "10.0.0.1", "203.0.113.5"));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(app, "10.0.0.2", "203.0.113.5"));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(app, "10.0.0.1", null));
    }

    [Fact]
    public async Task Without_known_proxies_forwarded_headers_are_ignored_even_from_loopback()
    {
        await using var app = new AppFactory();

        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(app, "127.0.0.1", "203.0.113.5"));
        Assert.Equal(HttpStatusCode.OK, await MeAsync(app, "203.0.113.9", null));
    }
}
