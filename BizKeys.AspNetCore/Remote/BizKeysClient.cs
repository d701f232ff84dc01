using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.Options;

namespace BizKeys.AspNetCore.Remote;

/// <summary>
/// The service's side of the Remote protocol: BizKeys at <c>BizKeys:Verification:Url</c>, called with the service's
/// own key (<c>Key</c>, <c>Secret</c>, holding <c>keys:verify</c>) in the Authorization header.
/// </summary>
public sealed class BizKeysClient
{
    public const string HttpClientName = "BizKeys.Verification";
    /// <summary>
    /// How long BizKeys holds a request for changes when there is none: well within
    /// <see cref="Core.Verification.ChangeStreamHealth.StaleAfter"/>, so a quiet stream still shows it is alive.
    /// </summary>
    public static readonly TimeSpan ChangesWait = TimeSpan.FromSeconds(4);

    /// <summary>After BizKeys refuses the service's own key, it is not asked again for this long.</summary>
    public static readonly TimeSpan RefusedPause = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan ReportTimeout = TimeSpan.FromSeconds(15);

    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private long _refusedUntilTicks;
    private string _refusal = "";

    public BizKeysClient(IHttpClientFactory factory, IOptions<VerificationOptions> options, TimeProvider time)
    {
        _time = time;
        _http = factory.CreateClient(HttpClientName);
        var settings = options.Value;
        _http.BaseAddress = new Uri(settings.Url!.TrimEnd('/') + "/");
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.Key}:{settings.Secret}")));
        _http.Timeout = Timeout.InfiniteTimeSpan; // each call has its own, below
    }

    /// <summary>
    /// A refused key (revoked, wrong secret, without keys:verify) is not tried again at once: every try would count
    /// as a failed authentication from this address, and BizKeys pauses an address past 60 a minute — for every
    /// service behind it.
    /// </summary>
    private void EnsureNotRefused()
    {
        if (_time.GetUtcNow().UtcTicks < Interlocked.Read(ref _refusedUntilTicks))
            throw new HttpRequestException($"{_refusal}; not asking again for {RefusedPause.TotalSeconds:0} s");
    }

    private static CancellationTokenSource Within(TimeSpan timeout, CancellationToken ct)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(ct);
        source.CancelAfter(timeout);
        return source;
    }

    public async Task<RemoteKey?> FindAsync(string key, string secret, CancellationToken ct)
    {
        EnsureNotRefused();
        using var within = Within(LookupTimeout, ct);
        using var response = await _http.PostAsJsonAsync("api/v1/verification/keys", new RemoteKeyRequest(key, secret), within.Token);
        await EnsureAsync(response, within.Token);
        return (await response.Content.ReadFromJsonAsync<RemoteKeyAnswer>(within.Token))?.Key;
    }

    /// <param name="after">The last change applied; null asks where the log stands.</param>
    public async Task<RemoteChanges> ChangesAsync(long? after, CancellationToken ct)
    {
        var url = after is { } seq
            ? $"api/v1/verification/changes?after={seq}&waitSeconds={(int)ChangesWait.TotalSeconds}"
            : "api/v1/verification/changes";
        EnsureNotRefused();
        using var within = Within(ChangesWait + LookupTimeout, ct);
        using var response = await _http.GetAsync(url, within.Token);
        await EnsureAsync(response, within.Token);
        return await response.Content.ReadFromJsonAsync<RemoteChanges>(within.Token) ?? throw new HttpRequestException("BizKeys sent no changes body.");
    }

    public async Task ReportAsync(RemoteUsageReport report, CancellationToken ct)
    {
        EnsureNotRefused();
        using var within = Within(ReportTimeout, ct);
        using var response = await _http.PostAsJsonAsync("api/v1/verification/usage", report, within.Token);
        await EnsureAsync(response, within.Token);
    }

    /// <summary>A refusal says which setting to look at; the service's secret never appears in it.</summary>
    private async Task EnsureAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
            return;
        var hint = (int)response.StatusCode switch
        {
            401 => "BizKeys refused the service's own key: check BizKeys:Verification:Key and Secret (and that the key is active)",
            403 => "the service's key lacks keys:verify",
            404 => "BizKeys:Verification:Url does not point at BizKeys",
            _ => "BizKeys could not answer",
        };
        var body = await response.Content.ReadAsStringAsync(ct);
        if ((int)response.StatusCode is 401 or 403)
        {
            _refusal = hint;
            Interlocked.Exchange(ref _refusedUntilTicks, (_time.GetUtcNow() + RefusedPause).UtcTicks);
        }
        throw new HttpRequestException($"{hint} (HTTP {(int)response.StatusCode}: {(body.Length > 300 ? body[..300] : body)})", null, response.StatusCode);
    }
}
