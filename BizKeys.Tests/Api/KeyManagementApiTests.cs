using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Users;
using BizKeys.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Api;

/// <summary>Managing keys with a key: its own account only, never more permissions than it holds.</summary>
public class KeyManagementApiTests(ApiApp api) : IClassFixture<ApiApp>
{
    [Fact]
    public async Task A_key_lists_only_its_own_accounts_keys_in_pages_and_never_secrets()
    {
        var admin = await api.KeyAsync("Lister", "keys:read");
        for (var i = 0; i < 3; i++)
            await api.KeyAsync("Page filler", "messages:send");
        await api.App.Services.CreateUserAsync("owner@elsewhere.example", "Owner", "Elsewhere Ltd");
        var elsewhere = (await api.App.Services.GetRequiredService<BizKeys.Core.Accounts.AccountService>().FindByNameAsync("Elsewhere Ltd"))!;
        var foreign = await api.KeyAsync("Foreign", ["keys:read"], _ => { }, elsewhere.Id);
        using var client = api.Client();

        var first = await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/keys?page=1&pageSize=2", admin.Key.Key, admin.Secret));
        var text = await first.Content.ReadAsStringAsync();
        var page = JsonSerializer.Deserialize<JsonElement>(text);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(2, page.GetProperty("items").GetArrayLength());
        Assert.Equal(1, page.GetProperty("page").GetInt32());
        // The class shares one app: the total is whatever this account holds now, exactly.
        Assert.Equal((await api.Keys.QueryAsync(new KeyQuery(api.Account.Id), Actor.CommandLine)).TotalCount,
            page.GetProperty("total").GetInt32());
        Assert.DoesNotContain("bks_", text);
        Assert.DoesNotContain("\"secret\"", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("hash", text, StringComparison.OrdinalIgnoreCase);
        var all = await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/keys?pageSize=100", admin.Key.Key, admin.Secret));
        Assert.DoesNotContain(foreign.Key.Key, await all.Content.ReadAsStringAsync());
        var theirs = await client.SendAsync(ApiApp.Basic(HttpMethod.Post, $"/api/v1/keys/{admin.Key.Key}/revoke", foreign.Key.Key, foreign.Secret));
        Assert.Equal(HttpStatusCode.Forbidden, theirs.StatusCode); // foreign lacks keys:write; with it, see the next test
    }

    [Fact]
    public async Task Another_accounts_key_is_404_not_403()
    {
        await api.App.Services.CreateUserAsync("owner@rival.example", "Owner", "Rival Ltd");
        var rival = (await api.App.Services.GetRequiredService<BizKeys.Core.Accounts.AccountService>().FindByNameAsync("Rival Ltd"))!;
        var rivalAdmin = await api.KeyAsync("Rival admin", ["keys:read", "keys:write", "usage:read"], _ => { }, rival.Id);
        var mine = await api.KeyAsync("Mine");
        using var client = api.Client();

        foreach (var (method, url) in new[]
                 {
                     (HttpMethod.Post, $"/api/v1/keys/{mine.Key.Key}/revoke"),
                     (HttpMethod.Post, $"/api/v1/keys/{mine.Key.Key}/rotate"),
                     (HttpMethod.Post, $"/api/v1/keys/{mine.Key.Key}/rotation/end"),
                     (HttpMethod.Patch, $"/api/v1/keys/{mine.Key.Key}"),
                     (HttpMethod.Get, $"/api/v1/keys/{mine.Key.Key}/usage"),
                 })
        {
            var request = ApiApp.Basic(method, url, rivalAdmin.Key.Key, rivalAdmin.Secret);
            if (url.EndsWith("/rotate", StringComparison.Ordinal))
                request.Content = JsonContent.Create(new { graceMinutes = 0 });
            else if (method == HttpMethod.Patch)
                request.Content = JsonContent.Create(new { name = "hijacked" });
            var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {url}: {(int)response.StatusCode}");
        }
        var me = await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", mine.Key.Key, mine.Secret));
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task Ending_a_rotation_stops_the_old_secret_now_and_without_a_rotation_answers_409()
    {
        var admin = await api.KeyAsync("Rotation admin", "keys:read", "keys:write", "usage:read", "messages:send");
        var target = await api.KeyAsync("Rotated bot", "messages:send");
        var rotated = await api.Keys.RotateAsync(new RotateKeyRequest { AccountId = api.Account.Id, Key = target.Key.Key, GraceMinutes = 1440 }, Actor.CommandLine);
        using var client = api.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", target.Key.Key, target.Secret))).StatusCode);
        await api.FlushUsageAsync();
        var listed = await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/keys?search=Rotated", admin.Key.Key, admin.Secret));
        Assert.Contains("\"previousSecretUses\":1", await listed.Content.ReadAsStringAsync());

        var end = await client.SendAsync(ApiApp.Basic(HttpMethod.Post, $"/api/v1/keys/{target.Key.Key}/rotation/end", admin.Key.Key, admin.Secret));
        var again = await client.SendAsync(ApiApp.Basic(HttpMethod.Post, $"/api/v1/keys/{target.Key.Key}/rotation/end", admin.Key.Key, admin.Secret));

        Assert.Equal(HttpStatusCode.OK, end.StatusCode);
        Assert.Contains("\"previousSecretExpiresAt\":null", await end.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", target.Key.Key, target.Secret))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", target.Key.Key, rotated.Secret))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_keys_recent_requests_list_its_calls_with_outcome_permission_and_secret()
    {
        var reader = await api.KeyAsync("Request reader", "usage:read");
        using var client = api.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", reader.Key.Key, reader.Secret))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", reader.Key.Key, KeyFormat.NewSecret()))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, $"/api/v1/keys/{reader.Key.Key}/usage", reader.Key.Key, reader.Secret))).StatusCode);
        await api.FlushUsageAsync();

        var response = await client.SendAsync(ApiApp.Basic(HttpMethod.Get, $"/api/v1/keys/{reader.Key.Key}/requests", reader.Key.Key, reader.Secret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var requests = json.RootElement.GetProperty("requests").EnumerateArray().ToList();
        Assert.Equal(3, requests.Count);
        Assert.Contains(requests, r => r.GetProperty("outcome").GetString() == "Failed" && r.GetProperty("reason").GetString() == "WrongSecret");
        Assert.Contains(requests, r => r.GetProperty("permission").GetString() == "usage:read" && r.GetProperty("secret").GetString() == "Current");
        Assert.Equal(2, requests.Count(r => r.GetProperty("outcome").GetString() == "Success"));
        Assert.DoesNotContain("bks_", json.RootElement.GetRawText());
        var other = await api.KeyAsync("No usage reader", "messages:send");
        var refused = await client.SendAsync(ApiApp.Basic(HttpMethod.Get, $"/api/v1/keys/{reader.Key.Key}/requests", other.Key.Key, other.Secret));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task Create_returns_201_with_the_secret_once_and_the_new_key_works()
    {
        var admin = await api.KeyAsync("Creator", ["keys:read", "keys:write", "messages:send"], r => r.Environment = "Staging");
        using var client = api.Client();
        var request = ApiApp.Basic(HttpMethod.Post, "/api/v1/keys", admin.Key.Key, admin.Secret);
        request.Content = JsonContent.Create(new { name = "Made by API", permissions = new[] { "messages:send" }, environment = "Staging", rateLimitPerMinute = 100 });

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var key = body.GetProperty("key").GetProperty("key").GetString()!;
        var secret = body.GetProperty("secret").GetString()!;
        Assert.Equal($"/api/v1/keys/{key}", response.Headers.Location?.ToString());
        Assert.Equal("Staging", body.GetProperty("key").GetProperty("environment").GetString());
        Assert.Matches("^bks_[0-9A-Za-z]{46}$", secret);
        var me = await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", key, secret));
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var list = await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/keys?pageSize=100", admin.Key.Key, admin.Secret));
        Assert.DoesNotContain(secret, await list.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_key_cannot_grant_a_permission_it_does_not_hold()
    {
        var admin = await api.KeyAsync("Limited admin", "keys:write", "messages:read");
        var target = await api.KeyAsync("Target", "messages:read");
        using var client = api.Client();

        var create = ApiApp.Basic(HttpMethod.Post, "/api/v1/keys", admin.Key.Key, admin.Secret);
        create.Content = JsonContent.Create(new { name = "Escalation", permissions = new[] { "messages:read", "webhooks:manage" } });
        var patch = ApiApp.Basic(HttpMethod.Patch, $"/api/v1/keys/{target.Key.Key}", admin.Key.Key, admin.Secret);
        patch.Content = JsonContent.Create(new { permissions = new[] { "messages:read", "keys:verify" } });

        var created = await client.SendAsync(create);
        var patched = await client.SendAsync(patch);

        Assert.Equal(HttpStatusCode.Forbidden, created.StatusCode);
        Assert.Contains("cannot create that key: it holds webhooks:manage, which this key does not", await created.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, patched.StatusCode);
        Assert.Contains("holds keys:verify, which this key does not", await patched.Content.ReadAsStringAsync());
        var unchanged = await api.Keys.GetAsync(api.Account.Id, target.Key.Key, Actor.CommandLine);
        Assert.Equal(["messages:read"], unchanged!.Permissions);
    }

    [Fact]
    public async Task Patch_rotate_and_revoke_work_and_bad_input_gets_400_with_field_errors()
    {
        var admin = await api.KeyAsync("Manager", "keys:write", "messages:send");
        var target = await api.KeyAsync("Managed", "messages:send");
        using var client = api.Client();

        var patch = ApiApp.Basic(HttpMethod.Patch, $"/api/v1/keys/{target.Key.Key}", admin.Key.Key, admin.Secret);
        patch.Content = JsonContent.Create(new { name = "Managed and renamed", rateLimitPerMinute = 60 });
        var patched = await (await client.SendAsync(patch)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Managed and renamed", patched.GetProperty("name").GetString());
        Assert.Equal(60, patched.GetProperty("rateLimitPerMinute").GetInt32());

        var bad = ApiApp.Basic(HttpMethod.Patch, $"/api/v1/keys/{target.Key.Key}", admin.Key.Key, admin.Secret);
        bad.Content = JsonContent.Create(new { name = "", ipAllowlist = new[] { "not-an-ip" } });
        var refused = await client.SendAsync(bad);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal("Enter a name for the key.", errors.GetProperty("name")[0].GetString());
        Assert.Contains("not an IP address", errors.GetProperty("ipAllowlist")[0].GetString());

        var broken = ApiApp.Basic(HttpMethod.Patch, $"/api/v1/keys/{target.Key.Key}", admin.Key.Key, admin.Secret);
        broken.Content = new StringContent("{ this is not json", System.Text.Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(broken)).StatusCode);

        var rotate = ApiApp.Basic(HttpMethod.Post, $"/api/v1/keys/{target.Key.Key}/rotate", admin.Key.Key, admin.Secret);
        rotate.Content = JsonContent.Create(new { graceMinutes = 60 });
        var rotated = await (await client.SendAsync(rotate)).Content.ReadFromJsonAsync<JsonElement>();
        var newSecret = rotated.GetProperty("secret").GetString()!;
        Assert.NotEqual(target.Secret, newSecret);
        Assert.NotEqual(JsonValueKind.Null, rotated.GetProperty("key").GetProperty("previousSecretExpiresAt").ValueKind);

        var revoked = await client.SendAsync(ApiApp.Basic(HttpMethod.Post, $"/api/v1/keys/{target.Key.Key}/revoke", admin.Key.Key, admin.Secret));
        Assert.Equal("Revoked", (await revoked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", target.Key.Key, newSecret))).StatusCode);
        var twice = await client.SendAsync(ApiApp.Basic(HttpMethod.Post, $"/api/v1/keys/{target.Key.Key}/revoke", admin.Key.Key, admin.Secret));
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
    }

    [Fact]
    public async Task Verify_tells_a_service_whether_a_pair_is_valid_without_revealing_why_not()
    {
        var service = await api.KeyAsync("Gateway", "keys:verify");
        var customer = await api.KeyAsync("Customer", "messages:send");
        var limited = await api.KeyAsync("Tight", [], r => r.RateLimitPerMinute = 1);
        using var client = api.Client();

        async Task<JsonElement> Verify(object body)
        {
            var request = ApiApp.Basic(HttpMethod.Post, "/api/v1/verify", service.Key.Key, service.Secret);
            request.Content = JsonContent.Create(body);
            var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }

        var valid = await Verify(new { key = customer.Key.Key, secret = customer.Secret, permission = "messages:send" });
        Assert.True(valid.GetProperty("valid").GetBoolean());
        Assert.Equal("VALID", valid.GetProperty("code").GetString());
        Assert.Equal(customer.Key.Key, valid.GetProperty("key").GetString());
        Assert.Equal("My Business", valid.GetProperty("account").GetString());

        var wrong = await Verify(new { key = customer.Key.Key, secret = service.Secret });
        Assert.False(wrong.GetProperty("valid").GetBoolean());
        Assert.Equal("INVALID", wrong.GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Null, wrong.GetProperty("account").ValueKind);

        var forbidden = await Verify(new { key = customer.Key.Key, secret = customer.Secret, permission = "templates:write" });
        Assert.Equal("FORBIDDEN", forbidden.GetProperty("code").GetString());

        await Verify(new { key = limited.Key.Key, secret = limited.Secret });
        Assert.Equal("RATE_LIMITED", (await Verify(new { key = limited.Key.Key, secret = limited.Secret })).GetProperty("code").GetString());

        var noPermission = ApiApp.Basic(HttpMethod.Post, "/api/v1/verify", customer.Key.Key, customer.Secret);
        noPermission.Content = JsonContent.Create(new { key = service.Key.Key, secret = service.Secret });
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(noPermission)).StatusCode);
        var missing = ApiApp.Basic(HttpMethod.Post, "/api/v1/verify", service.Key.Key, service.Secret);
        missing.Content = JsonContent.Create(new { key = customer.Key.Key });
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(missing)).StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_routes()
    {
        using var client = api.Client();

        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/v1/me", paths);
        Assert.Contains("/api/v1/verify", paths);
        Assert.Contains("/api/v1/keys/{key}/usage", paths);
    }
}
