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

    private readonly HttpClient _http;

    public BizKeysClient(IHttpClientFactory factory, IOptions<VerificationOptions> options)
    {
        _http = factory.CreateClient(HttpClientName);
        var settings = options.Value;
        _http.BaseAddress = new Uri(settings.Url!.TrimEnd('/') + "/");
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.Key}:{settings.Secret}")));
        _http.Timeout = ChangesWait + TimeSpan.FromSeconds(10);
    }

    public async Task<RemoteKey?> FindAsync(string key, string secret, CancellationToken ct)
    {
        using var response = await _http.PostAsJsonAsync("api/v1/verification/keys", new RemoteKeyRequest(key, secret), ct);
        await EnsureAsync(response, ct);
        return (await response.Content.ReadFromJsonAsync<RemoteKeyAnswer>(ct))?.Key;
    }

    /// <param name="after">The last change applied; null asks where the log stands.</param>
    public async Task<RemoteChanges> ChangesAsync(long? after, CancellationToken ct)
    {
        var url = after is { } seq
            ? $"api/v1/verification/changes?after={seq}&waitSeconds={(int)ChangesWait.TotalSeconds}"
            : "api/v1/verification/changes";
        using var response = await _http.GetAsync(url, ct);
        await EnsureAsync(response, ct);
        return await response.Content.ReadFromJsonAsync<RemoteChanges>(ct) ?? throw new HttpRequestException("BizKeys sent no changes body.");
    }

    public async Task ReportAsync(RemoteUsageReport report, CancellationToken ct)
    {
        using var response = await _http.PostAsJsonAsync("api/v1/verification/usage", report, ct);
        await EnsureAsync(response, ct);
    }

    /// <summary>A refusal says which setting to look at; the service's secret never appears in it.</summary>
    private static async Task EnsureAsync(HttpResponseMessage response, CancellationToken ct)
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
        throw new HttpRequestException($"{hint} (HTTP {(int)response.StatusCode}: {(body.Length > 300 ? body[..300] : body)})", null, response.StatusCode);
    }
}
