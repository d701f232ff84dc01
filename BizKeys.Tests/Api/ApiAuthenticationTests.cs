using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Usage;
using BizKeys.Core.Verification;
using BizKeys.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Api;

/// <summary>What a caller of the API experiences with good, bad and borderline credentials.</summary>
public class ApiAuthenticationTests(ApiApp api) : IClassFixture<ApiApp>
{
    private const string UniformBody =
        "{\"type\":\"https://tools.ietf.org/html/rfc9110#section-15.5.2\",\"title\":\"Unauthorized\",\"status\":401,\"detail\":\"A valid API key and secret are required.\"}";

    [Theory]
    [InlineData("basic")]
    [InlineData("headers")]
    public async Task Me_answers_with_the_key_for_both_credential_styles(string style)
    {
        var issued = await api.KeyAsync("Me bot", "messages:send", "usage:read");
        using var client = api.Client();

        var response = await client.SendAsync(Request(style, HttpMethod.Get, "/api/v1/me", issued.Key.Key, issued.Secret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var me = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(issued.Key.Key, me.GetProperty("key").GetString());
        Assert.Equal(issued.Key.Name, me.GetProperty("name").GetString());
        Assert.Equal(TestData.AccountName, me.GetProperty("account").GetString());
        Assert.Equal("Production", me.GetProperty("environment").GetString());
        Assert.Equal(["messages:send", "usage:read"], me.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(JsonValueKind.Null, me.GetProperty("expiresAt").ValueKind);
    }

    [Fact]
    public async Task Unknown_key_wrong_secret_revoked_and_expired_all_get_the_same_401_and_the_owner_sees_why()
    {
        var wrong = await api.KeyAsync("Wrong secret bot");
        var revoked = await api.KeyAsync("Revoked bot");
        await api.Keys.RevokeAsync(api.Account.Id, revoked.Key.Key, Actor.CommandLine);
        var expired = await api.KeyAsync("Expired bot", [], r => r.ExpiresAt = api.Now.AddMinutes(1));
        api.Time.Advance(TimeSpan.FromMinutes(2));
        using var client = api.Client();

        var bodies = new List<string>();
        foreach (var (key, secret) in new[]
                 {
                     (MadeUp.Key(), KeyFormat.NewSecret()),
                     (wrong.Key.Key, KeyFormat.NewSecret()),
                     (revoked.Key.Key, revoked.Secret),
                     (expired.Key.Key, expired.Secret),
                 })
        {
            var response = await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", key, secret));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.StartsWith("Basic", response.Headers.WwwAuthenticate.ToString());
            bodies.Add(await response.Content.ReadAsStringAsync());
        }

        Assert.All(bodies, b => Assert.Equal(UniformBody, b));
        await api.FlushUsageAsync();
        var usage = api.App.Services.GetRequiredService<UsageService>();
        Assert.Equal(FailureReason.WrongSecret, (await usage.RecentFailuresAsync(api.Account.Id, wrong.Key.Key, Actor.CommandLine)).Single().Reason);
        Assert.Equal(FailureReason.Revoked, (await usage.RecentFailuresAsync(api.Account.Id, revoked.Key.Key, Actor.CommandLine)).Single().Reason);
        Assert.Equal(FailureReason.Expired, (await usage.RecentFailuresAsync(api.Account.Id, expired.Key.Key, Actor.CommandLine)).Single().Reason);
    }

    [Fact]
    public async Task A_missing_permission_gets_403_naming_it()
    {
        var issued = await api.KeyAsync("Reader bot", "messages:read");
        using var client = api.Client();

        var response = await client.SendAsync(ApiApp.Headers(HttpMethod.Get, "/api/v1/keys", issued.Key.Key, issued.Secret));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("This key lacks the permission keys:read.", problem.GetProperty("detail").GetString());
        Assert.Equal("keys:read", problem.GetProperty("permission").GetString());
        await api.FlushUsageAsync();
        var failures = await api.App.Services.GetRequiredService<UsageService>().RecentFailuresAsync(api.Account.Id, issued.Key.Key, Actor.CommandLine);
        Assert.Equal(FailureReason.MissingPermission, failures.Single().Reason);
    }

    [Fact]
    public async Task Over_the_rate_limit_answers_429_with_retry_after()
    {
        var issued = await api.KeyAsync("Limited bot", [], r => r.RateLimitPerMinute = 3);
        using var client = api.Client();

        var codes = new List<HttpStatusCode>();
        HttpResponseMessage last = default!;
        for (var i = 0; i < 4; i++)
        {
            last = await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, issued.Secret));
            codes.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], codes);
        var retryAfter = last.Headers.RetryAfter!.Delta!.Value;
        Assert.InRange(retryAfter.TotalSeconds, 1, 60);
        api.Time.Advance(retryAfter);
        var again = await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, issued.Secret));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task The_old_secret_works_until_the_grace_ends_then_401()
    {
        var issued = await api.KeyAsync("Rotating bot");
        var rotated = await api.Keys.RotateAsync(new RotateKeyRequest { AccountId = api.Account.Id, Key = issued.Key.Key, GraceMinutes = 60 }, Actor.CommandLine);
        using var client = api.Client();

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, issued.Secret))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, rotated.Secret))).StatusCode);
        api.Time.Advance(TimeSpan.FromMinutes(61));

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, issued.Secret))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, rotated.Secret))).StatusCode);
    }

    [Fact]
    public async Task A_key_is_refused_right_after_it_is_revoked_even_while_cached()
    {
        var issued = await api.KeyAsync("Soon revoked bot");
        using var client = api.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, issued.Secret))).StatusCode);

        await api.Keys.RevokeAsync(api.Account.Id, issued.Key.Key, Actor.CommandLine);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, issued.Secret))).StatusCode);
    }

    [Fact]
    public async Task The_ip_allowlist_lets_in_only_its_addresses()
    {
        var issued = await api.KeyAsync("Office bot", [], r => r.IpAllowlist = "203.0.113.0/24\n2001:db8::/32");
        using var client = api.Client();

        async Task<HttpStatusCode> From(string ip)
        {
            var request = ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, issued.Secret);
            request.Headers.Add(TestClientAddress.Header, ip);
            return (await client.SendAsync(request)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await From("203.0.113.77"));
        Assert.Equal(HttpStatusCode.OK, await From("2001:db8::5"));
        Assert.Equal(HttpStatusCode.OK, await From("::ffff:203.0.113.9"));
        Assert.Equal(HttpStatusCode.Unauthorized, await From("198.51.100.1"));
        Assert.Equal(HttpStatusCode.Unauthorized, await From("127.0.0.1"));
        await api.FlushUsageAsync();
        var failures = await api.App.Services.GetRequiredService<UsageService>().RecentFailuresAsync(api.Account.Id, issued.Key.Key, Actor.CommandLine);
        Assert.Equal([FailureReason.IpNotAllowed, FailureReason.IpNotAllowed], failures.Select(f => f.Reason));
        Assert.Contains(failures, f => f.Ip == "198.51.100.1");
    }

    [Fact]
    public async Task Credentials_in_the_query_string_are_refused_with_400()
    {
        var issued = await api.KeyAsync("Query bot");
        using var client = api.Client();

        var response = await client.GetAsync($"/api/v1/me?key={issued.Key.Key}&secret={issued.Secret}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("query string are refused", await response.Content.ReadAsStringAsync());
    }

    public static TheoryData<string, string[]> MalformedCredentials()
    {
        var key = MadeUp.Key();
        var secret = KeyFormat.NewSecret();
        string B64(string s) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(s));
        return new TheoryData<string, string[]>
        {
            { "huge", ["Authorization", "Basic " + new string('A', 100_000)] },
            { "empty basic", ["Authorization", "Basic "] },
            { "empty headers", ["X-API-Key", "", "X-API-Secret", ""] },
            { "non-ascii", ["Authorization", "Basic " + B64($"{key}:bks_ÄÖÜ€漢字")] },
            { "no colon", ["Authorization", "Basic " + B64(key + secret)] },
            { "bad base64", ["Authorization", "Basic !!!not base64###"] },
            { "wrong prefix", ["Authorization", "Basic " + B64($"pk_{key[3..]}:{secret}")] },
            { "bad checksum", ["Authorization", "Basic " + B64($"{key}:{secret[..^1]}{(secret[^1] == 'a' ? 'b' : 'a')}")] },
            { "duplicated key header", ["X-API-Key", key, "X-API-Key", key, "X-API-Secret", secret] },
            { "only the key header", ["X-API-Key", key] },
            { "both styles", ["Authorization", "Basic " + B64($"{key}:{secret}"), "X-API-Key", key, "X-API-Secret", secret] },
            { "invalid utf8", ["Authorization", "Basic " + Convert.ToBase64String([0xff, 0xfe, 0x3a, 0x41])] },
            { "control characters", ["X-API-Key", key, "X-API-Secret", "bks_\u0001\u0002"] },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedCredentials))]
    public async Task Malformed_credentials_answer_400_or_401_never_5xx(string what, string[] headers)
    {
        using var client = api.Client();
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        for (var i = 0; i < headers.Length; i += 2)
            request.Headers.TryAddWithoutValidation(headers[i], headers[i + 1]);

        var response = await client.SendAsync(request);

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized,
            $"{what}: {(int)response.StatusCode}");
    }

    [Fact]
    public async Task No_credentials_at_all_get_the_same_401()
    {
        using var client = api.Client();

        var response = await client.GetAsync("/api/v1/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(UniformBody, await response.Content.ReadAsStringAsync());
    }

    private static HttpRequestMessage Request(string style, HttpMethod method, string url, string key, string secret) =>
        style == "basic" ? ApiApp.Basic(method, url, key, secret) : ApiApp.Headers(method, url, key, secret);
}
