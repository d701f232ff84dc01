using System.Net.Http.Headers;
using System.Text;
using BizKeys.Core;
using BizKeys.Core.Accounts;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Usage;
using BizKeys.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace BizKeys.Tests.Api;

/// <summary>The app behind its HTTP API, with a clock the tests move, and helpers to make keys and call with them.</summary>
public sealed class ApiApp : IAsyncLifetime, IAsyncDisposable
{
    public FakeTimeProvider Time { get; } = new(TestData.Start);
    public AppFactory App { get; private set; } = default!;
    public Account Account { get; private set; } = default!;
    public Actor Owner { get; private set; } = default!;
    public ApiKeyService Keys => App.Services.GetRequiredService<ApiKeyService>();
    public DateTime Now => Time.GetUtcNow().UtcDateTime;

    public async Task InitializeAsync()
    {
        // Every test of a class shares one app and one (fake, unmoving) minute: the per-address limit on failed
        // attempts stays on, high enough for the failures these tests make on purpose. FloodTests tests it as shipped.
        App = new AppFactory(time: Time, settings: new Dictionary<string, string?> { ["BizKeys:Verification:FailedAttemptsPerAddressPerMinute"] = "10000" });
        (Account, Owner) = await App.OwnerAsync();
    }

    public async Task DisposeAsync() => await App.DisposeAsync();

    /// <summary>For <c>await using</c> in a single test; a class fixture is disposed through <see cref="IAsyncLifetime"/>.</summary>
    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    public async Task<IssuedSecret> KeyAsync(string name, params string[] permissions) => await KeyAsync(name, permissions, r => { });

    public Task<IssuedSecret> KeyAsync(string name, string[] permissions, Action<CreateKeyRequest> change, Guid? accountId = null)
    {
        var request = new CreateKeyRequest
        {
            AccountId = accountId ?? Account.Id, Name = name + " " + Guid.NewGuid().ToString("N")[..6], Environment = "Production", Permissions = permissions,
        };
        change(request);
        return Keys.CreateAsync(request, Actor.CommandLine);
    }

    public HttpClient Client() => App.CreateClient();

    public static HttpRequestMessage Basic(HttpMethod method, string url, string key, string secret)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{key}:{secret}")));
        return request;
    }

    public static HttpRequestMessage Headers(HttpMethod method, string url, string key, string secret)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add("X-API-Key", key);
        request.Headers.Add("X-API-Secret", secret);
        return request;
    }

    public Task FlushUsageAsync() => App.Services.GetRequiredService<UsageFlusher>().FlushAsync();
}
