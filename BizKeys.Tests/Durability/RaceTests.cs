using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Tests.Api;
using BizKeys.Tests.Support;

namespace BizKeys.Tests.Durability;

/// <summary>Many callers at once on one key or one name: exactly one wins, the others are told why, nothing is half done.</summary>
public class RaceTests(ApiApp api) : IClassFixture<ApiApp>
{
    private static HttpRequestMessage Call(HttpMethod method, string url, IssuedSecret caller, object? body = null, string? ifMatch = null, string? idempotencyKey = null)
    {
        var request = ApiApp.Basic(method, url, caller.Key.Key, caller.Secret);
        if (body is not null)
            request.Content = JsonContent.Create(body);
        if (ifMatch is not null)
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (idempotencyKey is not null)
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        return request;
    }

    [Fact]
    public async Task Fifty_rotations_of_one_version_give_exactly_one_new_secret_and_49_clear_refusals()
    {
        var admin = await api.KeyAsync("Rotation admin", "keys:write", "messages:send");
        var target = await api.KeyAsync("Rotated by many", "messages:send");
        using var client = api.Client();
        var version = $"\"{target.Key.Version}\"";

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ =>
            client.SendAsync(Call(HttpMethod.Post, $"/api/v1/keys/{target.Key.Key}/rotate", admin, new { graceMinutes = 0 }, version))));

        var winner = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(49, responses.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed));
        var refusal = await responses.First(r => r.StatusCode == HttpStatusCode.PreconditionFailed).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("no longer at the version in If-Match", refusal.GetProperty("detail").GetString());
        var secret = (await winner.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", target.Key.Key, secret))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", target.Key.Key, target.Secret))).StatusCode);
        Assert.Equal($"\"{target.Key.Version + 1}\"", winner.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task Fifty_creates_with_one_name_make_one_key()
    {
        var admin = await api.KeyAsync("Create admin", "keys:write", "messages:send");
        using var client = api.Client();
        var name = "Wanted by fifty " + Guid.NewGuid().ToString("N")[..6];

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ =>
            client.SendAsync(Call(HttpMethod.Post, "/api/v1/keys", admin, new { name, permissions = new[] { "messages:send" } }))));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        Assert.Single((await api.Keys.QueryAsync(new KeyQuery(api.Account.Id) { Search = name }, Actor.CommandLine)).Items);
    }

    [Fact]
    public async Task Revoke_racing_rotate_always_ends_revoked_with_no_secret_working()
    {
        var admin = await api.KeyAsync("Race admin", "keys:write", "messages:send");
        using var client = api.Client();
        for (var round = 0; round < 10; round++)
        {
            var target = await api.KeyAsync("Raced " + round, "messages:send");
            var rotate = client.SendAsync(Call(HttpMethod.Post, $"/api/v1/keys/{target.Key.Key}/rotate", admin, new { graceMinutes = 60 }));
            var revoke = client.SendAsync(Call(HttpMethod.Post, $"/api/v1/keys/{target.Key.Key}/revoke", admin));
            await Task.WhenAll(rotate, revoke);

            Assert.Equal(HttpStatusCode.OK, (await revoke).StatusCode);
            Assert.Contains((await rotate).StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict });
            var secrets = new List<string> { target.Secret };
            if ((await rotate).StatusCode == HttpStatusCode.OK)
                secrets.Add((await (await rotate).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!);
            Assert.Equal(ApiKeyStatus.Revoked, (await api.Keys.GetAsync(api.Account.Id, target.Key.Key, Actor.CommandLine))!.Status);
            foreach (var secret in secrets)
                Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", target.Key.Key, secret))).StatusCode);
        }
    }

    [Fact]
    public async Task A_create_repeated_with_its_idempotency_key_returns_the_same_key_with_a_working_new_secret()
    {
        var admin = await api.KeyAsync("Retrying client", "keys:write", "messages:send");
        using var client = api.Client();
        var name = "Idempotent " + Guid.NewGuid().ToString("N")[..6];
        var idempotencyKey = Guid.NewGuid().ToString();

        var first = await client.SendAsync(Call(HttpMethod.Post, "/api/v1/keys", admin, new { name, permissions = new[] { "messages:send" } }, idempotencyKey: idempotencyKey));
        var retried = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ =>
            client.SendAsync(Call(HttpMethod.Post, "/api/v1/keys", admin, new { name, permissions = new[] { "messages:send" } }, idempotencyKey: idempotencyKey))));
        var otherName = await client.SendAsync(Call(HttpMethod.Post, "/api/v1/keys", admin, new { name = name + " 2" }, idempotencyKey: idempotencyKey));

        var firstBody = await first.Content.ReadFromJsonAsync<JsonElement>();
        var key = firstBody.GetProperty("key").GetProperty("key").GetString()!;
        Assert.All(retried, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.All(retried, r => Assert.Equal("true", r.Headers.GetValues("Idempotent-Replayed").Single()));
        var bodies = await Task.WhenAll(retried.Select(r => r.Content.ReadFromJsonAsync<JsonElement>()));
        Assert.All(bodies, b => Assert.Equal(key, b.GetProperty("key").GetProperty("key").GetString()));
        Assert.Single((await api.Keys.QueryAsync(new KeyQuery(api.Account.Id) { Search = name }, Actor.CommandLine)).Items);
        var working = 0;
        foreach (var secret in bodies.Select(b => b.GetProperty("secret").GetString()!).Append(firstBody.GetProperty("secret").GetString()!))
            working += (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", key, secret))).StatusCode == HttpStatusCode.OK ? 1 : 0;
        Assert.Equal(1, working); // the last secret issued; every earlier one ended with its reissue
        Assert.Equal(HttpStatusCode.Conflict, otherName.StatusCode);
    }

    [Fact]
    public async Task An_idempotency_key_reused_for_a_different_key_and_a_weak_if_match_are_refused()
    {
        var admin = await api.KeyAsync("Careful client", "keys:write", "keys:read", "messages:send");
        using var client = api.Client();
        var idempotencyKey = Guid.NewGuid().ToString();
        var name = "Fingerprinted " + Guid.NewGuid().ToString("N")[..6];

        var first = await client.SendAsync(Call(HttpMethod.Post, "/api/v1/keys", admin, new { name, permissions = new[] { "keys:read" } }, idempotencyKey: idempotencyKey));
        var different = await client.SendAsync(Call(HttpMethod.Post, "/api/v1/keys", admin,
            new { name, permissions = new[] { "keys:read" }, ipAllowlist = new[] { "10.0.0.1" } }, idempotencyKey: idempotencyKey));
        var key = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key");
        var weak = await client.SendAsync(Call(HttpMethod.Post, $"/api/v1/keys/{key.GetProperty("key").GetString()}/revoke", admin,
            ifMatch: $"W/\"{key.GetProperty("version").GetInt64()}\""));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, different.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, weak.StatusCode);
    }
}
