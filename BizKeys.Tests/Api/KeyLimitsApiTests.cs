using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Tests.Support;

namespace BizKeys.Tests.Api;

/// <summary>A key never does more than it holds: not through the keys it acts on, not through the keys it makes.</summary>
public class KeyLimitsApiTests(ApiApp api) : IClassFixture<ApiApp>
{
    private static HttpRequestMessage Call(HttpMethod method, string url, IssuedSecret caller, object? body = null)
    {
        var request = ApiApp.Basic(method, url, caller.Key.Key, caller.Secret);
        if (body is not null)
            request.Content = JsonContent.Create(body);
        return request;
    }

    [Fact]
    public async Task A_keys_write_key_rotating_editing_or_revoking_a_stronger_key_gets_403_and_changes_nothing()
    {
        var weak = await api.KeyAsync("Weak admin", "keys:write");
        var strong = await api.KeyAsync("Strong bot", "messages:send", "webhooks:manage", "contacts:write", "keys:read");
        var before = await api.Keys.GetAsync(api.Account.Id, strong.Key.Key, Actor.CommandLine);
        using var client = api.Client();
        var url = $"/api/v1/keys/{strong.Key.Key}";

        var rotate = await client.SendAsync(Call(HttpMethod.Post, url + "/rotate", weak, new { graceMinutes = 10080 }));
        var edit = await client.SendAsync(Call(HttpMethod.Patch, url, weak, new { ipAllowlist = Array.Empty<string>(), name = "Taken over" }));
        var revoke = await client.SendAsync(Call(HttpMethod.Post, url + "/revoke", weak));
        var endRotation = await client.SendAsync(Call(HttpMethod.Post, url + "/rotation/end", weak));

        foreach (var response in new[] { rotate, edit, revoke, endRotation })
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync();
            Assert.Contains("may do more than this key", text); // a write-only key is not told what the other key holds
            Assert.DoesNotContain("bks_", text);
        }
        var after = await api.Keys.GetAsync(api.Account.Id, strong.Key.Key, Actor.CommandLine);
        Assert.Equal(before!.Version, after!.Version);
        Assert.Equal(ApiKeyStatus.Active, after.Status);
        var me = await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", strong.Key.Key, strong.Secret));
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task A_key_may_still_rotate_edit_and_revoke_keys_within_its_own_permissions()
    {
        var admin = await api.KeyAsync("Admin", "keys:write", "messages:send", "messages:read");
        var weaker = await api.KeyAsync("Sender", "messages:send");
        using var client = api.Client();
        var url = $"/api/v1/keys/{weaker.Key.Key}";

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Call(HttpMethod.Post, url + "/rotate", admin, new { graceMinutes = 0 }))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Call(HttpMethod.Patch, url, admin, new { permissions = new[] { "messages:read" } }))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Call(HttpMethod.Post, url + "/revoke", admin))).StatusCode);
    }

    [Fact]
    public async Task A_restricted_key_cannot_mint_an_unrestricted_key()
    {
        var restricted = await api.KeyAsync("Restricted", ["keys:write", "keys:read"], r =>
        {
            r.ExpiresAt = api.Now.AddHours(1);
            r.IpAllowlist = "127.0.0.1";
            r.RateLimitPerMinute = 5;
        });
        using var client = api.Client();

        var unrestricted = await client.SendAsync(Call(HttpMethod.Post, "/api/v1/keys", restricted,
            new { name = "Minted", permissions = new[] { "keys:write", "keys:read" } }));
        var text = await unrestricted.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, unrestricted.StatusCode);
        Assert.Contains("never expires", text);
        Assert.Contains("accepts any IP address", text);
        Assert.Contains("has no rate limit", text);
        Assert.DoesNotContain("Minted", (await api.Keys.QueryAsync(new KeyQuery(api.Account.Id) { Search = "Minted" }, Actor.CommandLine)).Items.Select(k => k.Name));

        var looser = await client.SendAsync(Call(HttpMethod.Post, "/api/v1/keys", restricted, new
        {
            name = "Looser", permissions = new[] { "keys:read" }, expiresAt = api.Now.AddDays(30), ipAllowlist = new[] { "127.0.0.0/8" }, rateLimitPerMinute = 50,
        }));
        var looserText = (await looser.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.Equal(HttpStatusCode.Forbidden, looser.StatusCode);
        Assert.Contains("expires after this key does", looserText);
        Assert.Contains("127.0.0.0/8, outside this key's IP allowlist", looserText);
        Assert.Contains("allows 50 requests a minute, more than this key's 5", looserText);

        var within = await client.SendAsync(Call(HttpMethod.Post, "/api/v1/keys", restricted, new
        {
            name = "Within", permissions = new[] { "keys:read" }, expiresAt = api.Now.AddMinutes(30), ipAllowlist = new[] { "127.0.0.1" }, rateLimitPerMinute = 5,
        }));
        Assert.Equal(HttpStatusCode.Created, within.StatusCode);
    }

    [Fact]
    public async Task A_restricted_key_cannot_lift_its_own_restrictions()
    {
        var restricted = await api.KeyAsync("Self lifter", ["keys:write"], r =>
        {
            r.ExpiresAt = api.Now.AddHours(1);
            r.IpAllowlist = "127.0.0.1";
            r.RateLimitPerMinute = 5;
        });
        using var client = api.Client();

        var lifted = await client.SendAsync(Call(HttpMethod.Patch, $"/api/v1/keys/{restricted.Key.Key}", restricted,
            new { neverExpires = true, ipAllowlist = Array.Empty<string>(), noRateLimit = true }));

        Assert.Equal(HttpStatusCode.Forbidden, lifted.StatusCode);
        var stored = await api.Keys.GetAsync(api.Account.Id, restricted.Key.Key, Actor.CommandLine);
        Assert.NotNull(stored!.ExpiresAt);
        Assert.Equal(["127.0.0.1/32"], stored.IpAllowlist);
        Assert.Equal(5, stored.RateLimitPerMinute);
        var renamed = await client.SendAsync(Call(HttpMethod.Patch, $"/api/v1/keys/{restricted.Key.Key}", restricted, new { name = "Self renamer" }));
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode); // a change inside its limits still works
    }

    [Fact]
    public async Task A_short_lived_key_cannot_rotate_a_longer_lived_sibling_with_the_same_permissions()
    {
        var shortLived = await api.KeyAsync("Short lived", ["keys:write", "messages:send"], r => r.ExpiresAt = api.Now.AddHours(1));
        var longLived = await api.KeyAsync("Long lived", "keys:write", "messages:send");
        using var client = api.Client();

        var rotate = await client.SendAsync(Call(HttpMethod.Post, $"/api/v1/keys/{longLived.Key.Key}/rotate", shortLived, new { graceMinutes = 0 }));

        Assert.Equal(HttpStatusCode.Forbidden, rotate.StatusCode);
        Assert.Contains("may do more than this key", await rotate.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", longLived.Key.Key, longLived.Secret))).StatusCode);
    }

    [Fact]
    public async Task A_key_that_may_read_keys_is_told_exactly_which_limit_the_other_key_exceeds()
    {
        var reader = await api.KeyAsync("Reading admin", ["keys:write", "keys:read", "messages:send"], r => r.ExpiresAt = api.Now.AddHours(1));
        var other = await api.KeyAsync("Forever", "messages:send", "contacts:write");
        using var client = api.Client();

        var rotate = await client.SendAsync(Call(HttpMethod.Post, $"/api/v1/keys/{other.Key.Key}/rotate", reader, new { graceMinutes = 0 }));

        var detail = (await rotate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.Contains("holds contacts:write, which this key does not", detail);
        Assert.Contains("never expires", detail);
    }

    [Fact]
    public async Task A_development_key_cannot_reach_production_keys()
    {
        var development = await api.KeyAsync("Dev admin", ["keys:write", "keys:read", "messages:send"], r => r.Environment = "Development");
        var production = await api.KeyAsync("Prod sender", "messages:send");
        using var client = api.Client();

        var rotate = await client.SendAsync(Call(HttpMethod.Post, $"/api/v1/keys/{production.Key.Key}/rotate", development, new { graceMinutes = 0 }));
        var mint = await client.SendAsync(Call(HttpMethod.Post, "/api/v1/keys", development, new { name = "Prod minted", environment = "Production", permissions = new[] { "messages:send" } }));

        Assert.Equal(HttpStatusCode.Forbidden, rotate.StatusCode);
        Assert.Contains("is for Production, while this key is for Development", (await rotate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, mint.StatusCode);
    }

    [Fact]
    public async Task Rotate_without_graceMinutes_or_with_a_misspelled_field_is_refused_and_rotates_nothing()
    {
        var admin = await api.KeyAsync("Rotator", "keys:write", "messages:send");
        var target = await api.KeyAsync("Integration", "messages:send");
        using var client = api.Client();
        var url = $"/api/v1/keys/{target.Key.Key}/rotate";

        var noBody = await client.SendAsync(Call(HttpMethod.Post, url, admin));
        var empty = await client.SendAsync(Call(HttpMethod.Post, url, admin, new { }));
        var misspelled = await client.SendAsync(Call(HttpMethod.Post, url, admin, new { grace = 60 }));

        foreach (var response in new[] { noBody, empty, misspelled })
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("graceMinutes", await noBody.Content.ReadAsStringAsync());
        Assert.Contains("$.grace", await misspelled.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", target.Key.Key, target.Secret))).StatusCode);
        Assert.Null((await api.Keys.GetAsync(api.Account.Id, target.Key.Key, Actor.CommandLine))!.LastRotatedAt);
    }

    [Fact]
    public async Task Unknown_fields_are_refused_with_400_on_every_api_body()
    {
        var admin = await api.KeyAsync("Strict", "keys:write", "keys:verify", "messages:send");
        var target = await api.KeyAsync("Strict target", "messages:send");
        using var client = api.Client();

        foreach (var (method, url) in new[]
                 {
                     (HttpMethod.Post, "/api/v1/keys"),
                     (HttpMethod.Patch, $"/api/v1/keys/{target.Key.Key}"),
                     (HttpMethod.Post, "/api/v1/verify"),
                 })
        {
            var response = await client.SendAsync(Call(method, url, admin, new { name = "x", key = target.Key.Key, secret = target.Secret, neverExpire = true }));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Usage_dates_outside_a_sane_range_answer_400_not_500()
    {
        var reader = await api.KeyAsync("Usage reader", "usage:read");
        using var client = api.Client();

        foreach (var query in new[]
                 {
                     "to=0001-01-01T00:00:00Z",
                     "from=9999-12-31T23:30:00Z&to=9999-12-31T23:59:59Z",
                     "to=9999-12-31T23:59:59.9999999Z&granularity=day",
                     "from=1999-12-31T00:00:00Z",
                     "from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z",
                 })
        {
            var response = await client.SendAsync(ApiApp.Basic(HttpMethod.Get, $"/api/v1/keys/{reader.Key.Key}/usage?{query}", reader.Key.Key, reader.Secret));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{query}: {(int)response.StatusCode}");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.TryGetProperty("errors", out _), query);
        }
    }
}
